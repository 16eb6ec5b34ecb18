"""The official Russian production calendar as cited data, and Labour Code art. 112 beyond it.

The data lives in `data/ru_production_calendar.toml`, one block per year whose transfer decree
is published. A year after the last block has no decree yet: it is computed from the Labour
Code (art. 112: fixed holidays, a holiday on a weekend moves to the next working day except the
January ones, which only a decree moves; art. 95: the working day before a holiday is one hour
shorter) and is *provisional*: answers and annex statements that depend on it say so.
Compile time only, stdlib only, no cache: loading the data takes well under a millisecond.
"""
from __future__ import annotations

import functools
import os
import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

__all__ = ["CalendarDataError", "YearCalendar", "MAX_PROVISIONAL_YEARS", "DEFAULT_PROVISIONAL_YEARS",
           "WARN_DAYS", "art112_year", "data_years", "first_data_year", "last_decree_year",
           "official_years", "data_end", "data_ends_soon", "today", "TODAY_VARIABLE"]

#: How many years after the last decree a policy may ask for (computed, provisional).
MAX_PROVISIONAL_YEARS = 10
#: Years after the last decree covered by a calendar that states no years of its own.
DEFAULT_PROVISIONAL_YEARS = 3
#: `policyc check` warns when the cited data ends within this many days.
WARN_DAYS = 120

#: Non-working holidays, Labour Code art. 112 part 1: (month, day).
HOLIDAYS = ((1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 6), (1, 7), (1, 8), (2, 23), (3, 8),
            (5, 1), (5, 9), (6, 12), (11, 4))

_DAY = timedelta(days=1)

#: The environment variable that stands in for today's date (tests, reproducible CI runs).
TODAY_VARIABLE = "POLICY_LANG_TODAY"


def today() -> date:
    """Today, or POLICY_LANG_TODAY when it is set: YYYY-MM-DD exactly; anything else raises ValueError
    naming the variable (a typo must not silently mean the real today). Empty counts as unset."""
    raw = os.environ.get(TODAY_VARIABLE)
    if not raw:
        return date.today()
    value = raw.strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value, re.ASCII):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in raw[:40]) + ("..." if len(raw) > 40 else "")
        raise ValueError(f"{TODAY_VARIABLE}={shown!r} is not a date: expected the format YYYY-MM-DD, "
                         f"e.g. {TODAY_VARIABLE}=2026-12-01 (or unset it)") from None


class CalendarDataError(ValueError):
    """The packaged calendar data contradicts itself: a bug in the package, not in a policy."""


@dataclass(frozen=True)
class YearCalendar:
    """One year of the five-day-week production calendar."""

    year: int
    non_working: frozenset[date]  # Mon-Fri days off
    working_weekends: frozenset[date]  # Sat/Sun working days
    shortened: frozenset[date]  # pre-holiday days, one hour shorter
    working_days: int
    provisional: bool  # computed by art. 112: no decree yet
    decree: str | None  # "постановление Правительства ... от ... № ..."
    decree_number: str | None = None
    decree_date: date | None = None

    def is_working_day(self, d: date) -> bool:
        if d in self.working_weekends:
            return True
        return d.weekday() < 5 and d not in self.non_working


def _count_working(year: int, off: frozenset[date], on: frozenset[date]) -> int:
    d, n = date(year, 1, 1), 0
    while d.year == year:
        n += (d in on) or (d.weekday() < 5 and d not in off)
        d += _DAY
    return n


def _validate(block: dict) -> YearCalendar:
    try:
        year = block["year"]
        off = frozenset(block.get("non_working", ()))
        on = frozenset(block.get("working_weekends", ()))
        short = frozenset(block.get("shortened", ()))
        expected = block["working_days"]
        decree = block["decree"]
    except KeyError as e:
        raise CalendarDataError(f"calendar data: a year block lacks {e}") from None
    for d in (*off, *on, *short):
        if not isinstance(d, date) or d.year != year:
            raise CalendarDataError(f"calendar data {year}: {d!r} is not a date of {year}")
    if any(d.weekday() >= 5 for d in off):
        raise CalendarDataError(f"calendar data {year}: non_working lists a weekend day")
    if any(d.weekday() < 5 for d in on):
        raise CalendarDataError(f"calendar data {year}: working_weekends lists a weekday")
    cal = YearCalendar(year, off, on, short, expected, False, decree,
                       block.get("decree_number"), block.get("decree_date"))
    if any(not cal.is_working_day(d) for d in short):
        raise CalendarDataError(f"calendar data {year}: a shortened day is not a working day")
    counted = _count_working(year, off, on)
    if counted != expected:
        raise CalendarDataError(f"calendar data {year}: lists give {counted} working days, "
                                f"the block says {expected}")
    return cal


@functools.cache
def data_years() -> dict[int, YearCalendar]:
    """Every decree year of the packaged data, validated, by year."""
    # the package's own file (a plain path, like the parser tables: importlib.resources costs ~4 ms of start-up)
    raw = (Path(__file__).resolve().parent / "data" / "ru_production_calendar.toml").read_bytes()
    blocks = tomllib.loads(raw.decode("utf-8")).get("year", [])
    years = {}
    for block in blocks:
        cal = _validate(block)
        if cal.year in years:
            raise CalendarDataError(f"calendar data: year {cal.year} appears twice")
        years[cal.year] = cal
    if not years or sorted(years) != list(range(min(years), max(years) + 1)):
        raise CalendarDataError("calendar data: years must be consecutive")
    return years


def first_data_year() -> int:
    return min(data_years())


def last_decree_year() -> int:
    return max(data_years())


def data_end() -> date:
    """The last day covered by a published decree."""
    return date(last_decree_year(), 12, 31)


@functools.cache  # pure, and the result is immutable; check and lower ask for the same years per program
def art112_year(year: int) -> YearCalendar:
    """A year without a decree, by Labour Code art. 112 and 95 (provisional)."""
    holidays = {date(year, m, d) for m, d in HOLIDAYS}
    off = {d for d in holidays if d.weekday() < 5}
    # art. 112 part 2: a holiday on a weekend gives the next working day off, except the
    # January holidays (1-8), whose weekend days only a Government decree may transfer.
    for h in sorted(holidays):
        if h.weekday() >= 5 and h.month != 1:
            d = h + _DAY
            while d.weekday() >= 5 or d in off or d in holidays:
                d += _DAY
            if d.year == year:
                off.add(d)
    offs = frozenset(off)
    # art. 95: the working day immediately before a non-working holiday is one hour shorter
    # (the day before 1 January belongs to the previous year).
    short = frozenset(h - _DAY for h in holidays
                      if (h - _DAY).year == year and (h - _DAY).weekday() < 5
                      and h - _DAY not in offs and h - _DAY not in holidays)
    return YearCalendar(year, offs, frozenset(), short, _count_working(year, offs, frozenset()),
                        True, None)


def official_years(first: int, last: int) -> list[YearCalendar]:
    """Years `first`..`last`: the decree data, then art. 112 for the years after it."""
    data = data_years()
    return [data[y] if y in data else art112_year(y) for y in range(first, last + 1)]


def data_ends_soon(today: date, term_end: date | None = None) -> str | None:
    """Why a warning is due (the cited data ends within WARN_DAYS of `today`, or before
    `term_end`), else None."""
    end = data_end()
    if (end - today).days <= WARN_DAYS:
        left = (end - today).days
        when = "has ended" if left < 0 else f"ends in {left} days"
        return (f"the production calendar cited from Government decrees {when} "
                f"({end.isoformat()}); later years are computed by Labour Code art. 112 "
                "and provisional")
    if term_end is not None and term_end > end:
        return (f"the term ends {term_end.isoformat()}, after the last decree-cited year "
                f"({end.year}); days after {end.isoformat()} are provisional")
    return None
