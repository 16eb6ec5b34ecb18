"""`pyrepr`: the only way policy data reaches generated source, as a literal that is data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

__all__ = ["UnsafeLiteral", "pyrepr"]

_ATOMS = (str, int, bool, type(None))


class UnsafeLiteral(TypeError):
    """A value with no known-safe literal form."""


def pyrepr(value: object) -> str:
    """A Python literal for `value`: str, int, bool, None, tuples of them, date/time/timedelta.

    `repr()` of these types always yields a literal that evaluates back to an equal value:
    quotes, backslashes, newlines and `{{ }}` inside strings come out escaped, as data.
    Anything else (floats, objects with a custom `__repr__`, subclasses) is refused.
    """
    t = type(value)
    if t in _ATOMS:
        return repr(value)
    if t is tuple and isinstance(value, tuple):
        items = [pyrepr(v) for v in value]
        return "(" + items[0] + ",)" if len(items) == 1 else "(" + ", ".join(items) + ")"
    if t is Decimal and isinstance(value, Decimal):
        if not value.is_finite():
            raise UnsafeLiteral(f"no safe literal for a non-finite Decimal: {value!r}")
        return f"Decimal({str(value)!r})"  # digits only: str() of a finite Decimal
    if t is dt.date and isinstance(value, dt.date):
        return f"date({value.year}, {value.month}, {value.day})"
    raise UnsafeLiteral(f"no safe literal for {t.__name__}: {value!r}")
