"""Jinja filters for the annex templates: Russian wording from ru_format, escaping per format."""
from __future__ import annotations

import re
from typing import Any

from ... import model, ru_format

#: model units that ru_format knows under another name; the template adds "рабочего времени".
_UNIT = {"business_minute": "minute"}


def qty(d: model.Duration, case: str = "nom") -> str:
    """'1 часа' (gen): digits, no-break space, the unit agreeing in `case`."""
    return ru_format.quantity(d.amount, _UNIT.get(d.unit, d.unit), case)


def legal(d: model.Duration, case: str = "nom") -> str:
    """'шестьдесят (60) дней': the legal double form."""
    return ru_format.legal_quantity(d.amount, _UNIT.get(d.unit, d.unit), case)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md(text: Any) -> str:
    """Escape Markdown (and HTML) specials in policy text; the text itself is unchanged when read."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def css_string(text: Any) -> str:
    """A CSS string literal's body (for @page margin boxes)."""
    return str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")


FILTERS = {
    "qty": qty,
    "legal": legal,
    "hhmm": hhmm,
    "int": ru_format.format_int,
    "date_ru": ru_format.date_ru,
    "quote": ru_format.quote,
    "join_ru": ru_format.join_ru,
    "weekday_range": lambda pair: ru_format.weekday_range_ru(*pair),
    "nbsp_numbers": ru_format.nbsp_numbers,
    "md": md,
    "css_string": css_string,
}
