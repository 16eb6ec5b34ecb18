"""Compile-time calendars: the Russian production calendar and working intervals to bake in."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = ["ProductionCalendar", "ru_production_calendar", "working_intervals"]

_DAY = timedelta(days=1)
Windows = tuple[tuple[int, int], ...]  # (start, end) minutes from local midnight, sorted


@dataclass(frozen=True)
class ProductionCalendar:
    """Deviations from a Mon-Fri week between `first` and `last` (inclusive).

    `non_working`: Mon-Fri dates that are days off (holidays and transferred days off).
    `working_weekends`: Sat/Sun dates that are working days by transfer.
    `shortened`: pre-holiday working days, one hour shorter (Labour Code art. 95).
    `provisional_from`: the first day computed by Labour Code art. 112 (no decree yet), or None.
    """

    non_working: frozenset[date]
    working_weekends: frozenset[date]
    first: date
    last: date
    shortened: frozenset[date] = frozenset()
    provisional_from: date | None = None


def ru_production_calendar(first_year: int, last_year: int) -> ProductionCalendar:
    """The official Russian five-day-week calendar for the given years, from the packaged
    decree data (`production_calendar`), computed by art. 112 after the last decree year."""
    from policy_lang.semantics import production_calendar

    if last_year < first_year:
        raise ValueError(f"empty year range {first_year}..{last_year}")
    years = production_calendar.official_years(first_year, last_year)
    provisional = next((date(y.year, 1, 1) for y in years if y.provisional), None)
    return ProductionCalendar(
        frozenset(d for y in years for d in y.non_working),
        frozenset(d for y in years for d in y.working_weekends),
        date(first_year, 1, 1), date(last_year, 12, 31),
        frozenset(d for y in years for d in y.shortened), provisional)


def working_intervals(
    *,
    zone: str,
    weekly: Mapping[int, tuple[tuple[int, int], ...]],
    first: date,
    last: date,
    non_working: Collection[date] = (),
    working_weekends: Collection[date] = (),
    shortened: Collection[date] = (),
    shorten_minutes: int = 60,
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(starts, ends): sorted, disjoint, merged UTC epoch-second intervals of working time.

    `weekly` maps weekday (0=Mon) to windows in minutes from local midnight, e.g.
    {0: ((480, 1020),)}.  A non-working date has no windows; a working weekend date takes
    the windows of the first weekday (Mon..Sun) that has any; a shortened date closes its
    last window `shorten_minutes` earlier.  Local times go to UTC via zoneinfo: ambiguous
    ones take fold=0, nonexistent ones (in a DST gap) become the instant the gap ends.
    """
    if last < first:
        raise ValueError(f"empty date range {first}..{last}")
    _check_weekly(weekly)
    tz = ZoneInfo(zone)
    off, extra, short = set(non_working), set(working_weekends), set(shortened)
    transfer = next((weekly[w] for w in range(7) if weekly.get(w)), ())
    starts: list[int] = []
    ends: list[int] = []
    d = first
    while d <= last:
        if d in off:
            windows: Windows = ()
        elif d in extra:
            windows = tuple(transfer)
        else:
            windows = tuple(weekly.get(d.weekday(), ()))
        if d in short:
            windows = _shorten(d, windows, shorten_minutes)
        for lo, hi in windows:
            s, e = _to_utc(d, lo, tz), _to_utc(d, hi, tz)
            if s >= e:  # the whole window fell into a DST gap
                continue
            if ends and s <= ends[-1]:
                ends[-1] = max(ends[-1], e)
            else:
                starts.append(s)
                ends.append(e)
        d += _DAY
    return tuple(starts), tuple(ends)


def _check_weekly(weekly: Mapping[int, Windows]) -> None:
    for weekday, windows in weekly.items():
        if weekday not in range(7):
            raise ValueError(f"weekday must be 0 (Mon) .. 6 (Sun), got {weekday}")
        previous = 0
        for lo, hi in windows:
            if not (previous <= lo < hi <= 1440):
                raise ValueError(f"weekday {weekday}: windows {windows} must be sorted, "
                                 "disjoint, non-empty and within 0..1440 minutes")
            previous = hi


def _shorten(d: date, windows: Windows, minutes: int) -> Windows:
    """Close the day's last window `minutes` earlier (Labour Code art. 95)."""
    if not windows:
        raise ValueError(f"shortened day {d} has no working hours to shorten")
    lo, hi = windows[-1]
    if hi - minutes <= lo:
        raise ValueError(f"shortening {d} by {minutes} min empties its last window {lo}..{hi}")
    return (*windows[:-1], (lo, hi - minutes))


def _to_utc(d: date, minute: int, tz: ZoneInfo) -> int:
    """Epoch seconds of local `d` + `minute` (minute 1440 is the next midnight)."""
    wall = datetime(d.year, d.month, d.day) + timedelta(minutes=minute)
    t0 = int(wall.replace(tzinfo=tz, fold=0).timestamp())
    if datetime.fromtimestamp(t0, tz).replace(tzinfo=None) == wall:
        return t0  # exists (fold=0 picks the earlier of an ambiguous pair)
    # In a gap: fold=1 maps with the later offset and lands before the transition, fold=0
    # after it; the transition is the first instant whose offset differs from t_before's.
    t_before = int(wall.replace(tzinfo=tz, fold=1).timestamp())
    before = datetime.fromtimestamp(t_before, tz).utcoffset()
    lo, hi = t_before, t0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return hi
