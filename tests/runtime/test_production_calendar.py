"""The compiled Russian production calendar against the official table (reference doc)."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from policy_lang.calendars import ru_production_calendar, working_intervals
from policy_lang.runtime.calendar import BusinessCalendar


def _days(year: int, spec: str) -> set[date]:
    """'1-5 Jan, 8 Jan' style -> dates; spelled the way /work/shared/reference writes them."""
    months = {m: i for i, m in enumerate(
        "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)}
    out: set[date] = set()
    for part in filter(None, (p.strip() for p in spec.split(","))):
        month, days = part.split()
        lo, _, hi = days.partition("-")
        for day in range(int(lo), int(hi or lo) + 1):
            out.add(date(year, months[month], day))
    return out


# Copied from the official table (Government decrees No. 1314/2023, 1335/2024, 1466/2025).
OFFICIAL = {
    2024: dict(
        non_working=_days(2024, "Jan 1-5, Jan 8, Feb 23, Mar 8, Apr 29-30, May 1, May 9-10, "
                                "Jun 12, Nov 4, Dec 30-31"),
        working_saturdays=_days(2024, "Apr 27, Nov 2, Dec 28"),
        shortened=_days(2024, "Feb 22, Mar 7, May 8, Jun 11, Nov 2, Dec 28"),
        working_days=248,
    ),
    2025: dict(
        non_working=_days(2025, "Jan 1-3, Jan 6-8, May 1-2, May 8-9, Jun 12-13, Nov 3-4, "
                                "Dec 31"),
        working_saturdays=_days(2025, "Nov 1"),
        shortened=_days(2025, "Mar 7, Apr 30, Jun 11, Nov 1"),
        working_days=247,
    ),
    2026: dict(
        non_working=_days(2026, "Jan 1-2, Jan 5-9, Feb 23, Mar 9, May 1, May 11, Jun 12, "
                                "Nov 4, Dec 31"),
        working_saturdays=set(),
        shortened=_days(2026, "Apr 30, May 8, Jun 11, Nov 3"),
        working_days=247,
    ),
}
YEARS = sorted(OFFICIAL)
MON_FRI_8H = {wd: ((9 * 60, 13 * 60), (14 * 60, 18 * 60)) for wd in range(5)}  # 8h + lunch


def _all_days(year: int):
    d = date(year, 1, 1)
    while d.year == year:
        yield d
        d += timedelta(days=1)


@pytest.fixture(scope="module")
def ru():
    return ru_production_calendar(YEARS[0], YEARS[-1])


@pytest.mark.parametrize("year", YEARS)
def test_table_is_self_consistent(year):
    """Guard the transcription: weekdays - days off + working Saturdays = the stated count."""
    row = OFFICIAL[year]
    weekdays = sum(1 for d in _all_days(year) if d.weekday() < 5)
    assert all(d.weekday() < 5 for d in row["non_working"])
    assert all(d.weekday() == 5 for d in row["working_saturdays"])
    assert weekdays - len(row["non_working"]) + len(row["working_saturdays"]) == row["working_days"]


@pytest.mark.parametrize("year", YEARS)
def test_non_working_weekdays_match_official(ru, year):
    got = {d for d in ru.non_working if d.year == year}
    assert sorted(got) == sorted(OFFICIAL[year]["non_working"])


@pytest.mark.parametrize("year", YEARS)
def test_working_weekends_match_official(ru, year):
    got = {d for d in ru.working_weekends if d.year == year}
    assert sorted(got) == sorted(OFFICIAL[year]["working_saturdays"])


@pytest.mark.parametrize("year", YEARS)
def test_working_day_count_through_the_runtime(ru, year):
    """Bake the year into intervals and count working days the way evaluators will see them."""
    starts, ends = working_intervals(
        zone="Europe/Moscow", weekly=MON_FRI_8H, first=ru.first, last=ru.last,
        non_working=ru.non_working, working_weekends=ru.working_weekends,
        shortened=OFFICIAL[year]["shortened"])
    cal = BusinessCalendar("ru", "Europe/Moscow", starts, ends,
                           (ru.first.isoformat(), ru.last.isoformat()))
    assert sum(cal.is_working_day(d) for d in _all_days(year)) == OFFICIAL[year]["working_days"]


@pytest.mark.parametrize("year", YEARS)
def test_working_hours_per_year(ru, year):
    """Art. 95: each shortened day loses one hour, so hours = 8 * days - shortened days."""
    row = OFFICIAL[year]
    starts, ends = working_intervals(
        zone="Europe/Moscow", weekly=MON_FRI_8H, first=date(year, 1, 1), last=date(year, 12, 31),
        non_working=ru.non_working, working_weekends=ru.working_weekends,
        shortened=row["shortened"])
    hours = sum(e - s for s, e in zip(starts, ends)) / 3600
    assert hours == 8 * row["working_days"] - len(row["shortened"])


@pytest.mark.parametrize("year", YEARS)
def test_shortened_days_precede_a_day_off(ru, year):
    """Art. 95 sanity check on the data policies will state: working day, then a day off."""
    for d in OFFICIAL[year]["shortened"]:
        working = (d.weekday() < 5 and d not in ru.non_working) or d in ru.working_weekends
        nxt = d + timedelta(days=1)
        next_off = nxt in ru.non_working or (nxt.weekday() >= 5 and nxt not in ru.working_weekends)
        assert working and next_off, d


def test_bare_membership_would_be_wrong():
    """Why ru_production_calendar uses is_working_day(): `in` misses transfers both ways."""
    ru = holidays.country_holidays("RU", years=2025)
    assert date(2025, 2, 23) in ru  # a Sunday holiday: not a lost weekday
    assert date(2025, 11, 1) not in ru  # a working Saturday: invisible to `in`
    assert ru.is_working_day(date(2025, 11, 1))


def test_rejects_empty_year_range():
    with pytest.raises(ValueError):
        ru_production_calendar(2026, 2025)
