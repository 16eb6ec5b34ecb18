"""Russian renderings the evaluators need at run time (dates, times, clause citations); stdlib only."""

from __future__ import annotations

from datetime import date, datetime

__all__ = ["cite", "date_ru", "datetime_ru"]

_MONTHS_GEN = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
               "сентября", "октября", "ноября", "декабря")


def date_ru(d: date) -> str:
    """12 января 2026 г."""
    return f"{d.day}\u00a0{_MONTHS_GEN[d.month - 1]} {d.year}\u00a0г."


def datetime_ru(dt: datetime) -> str:
    """12 января 2026 г., 08:00 (UTC+03:00): wall-clock time in the datetime's own zone."""
    offset = dt.utcoffset()
    if offset is None:
        zone = ""
    else:
        minutes = int(offset.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "\u2212"
        zone = f" (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})"
    clock = f"{dt.hour:02d}:{dt.minute:02d}" + (f":{dt.second:02d}" if dt.second else "")
    return f"{date_ru(dt.date())}, {clock}{zone}"


def cite(clause: str | None) -> str:
    """A clause reference: "п. 2.6 (3)" for a numbered clause, the quoted title otherwise."""
    if not clause:
        return ""
    return f"п.\u00a0{clause}" if clause[0].isdigit() else f"раздел «{clause}»"
