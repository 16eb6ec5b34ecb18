"""The compiled Russian production calendar against the official table (reference doc)."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from policy_lang.runtime.calendar import BusinessCalendar
from policy_lang.semantics.calendars import ru_production_calendar, working_intervals


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


# Copied from the official table (Government decrees No. 1314/2023, 1335/2024, 1466/2025 and the
# 2027 transfer decree), /work/shared/reference/ru-production-calendar.md.
OFFICIAL = {
    2024: dict(
        non_working=_days(2024, "Jan 1-5, Jan 8, Feb 23, Mar 8, Apr 29-30, May 1, May 9-10, "
                                "Jun 12, Nov 4, Dec 30-31"),
        working_saturdays=_days(2024, "Apr 27, Nov 2, Dec 28"),
        # Dec 28 (a working Saturday before transferred days off) is not pre-holiday: the
        # official 40-hour norm for 2024 is 1979 h = 248 x 8 - 5 (the reference's doubt).
        shortened=_days(2024, "Feb 22, Mar 7, May 8, Jun 11, Nov 2"),
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
    2027: dict(
        non_working=_days(2027, "Jan 1, Jan 4-8, Feb 22-23, Mar 8, May 3, May 10, Jun 14, "
                                "Nov 4-5, Dec 31"),
        working_saturdays=_days(2027, "Feb 20"),
        # As in 2021, which has the same weekdays and transfers (norm 1972 h = 247 x 8 - 4).
        shortened=_days(2027, "Feb 20, Apr 30, Jun 11, Nov 3"),
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


# -- the packaged data against an independent source ------------------------------------------

@pytest.mark.parametrize("year", YEARS)
def test_packaged_data_matches_the_holidays_package(year):
    """Every decree year of the data file agrees with `holidays` (is_working_day) day by day."""
    from policy_lang.semantics import production_calendar as pc

    official = holidays.country_holidays("RU", years=year)
    data = pc.data_years()[year]
    assert not data.provisional and data.decree
    for d in _all_days(year):
        assert data.is_working_day(d) == official.is_working_day(d), d


@pytest.mark.parametrize("year", YEARS)
def test_shortened_days_match_official(year):
    from policy_lang.semantics import production_calendar as pc

    assert sorted(pc.data_years()[year].shortened) == sorted(OFFICIAL[year]["shortened"])


def test_data_covers_2024_to_2027_with_cited_decrees():
    from policy_lang.semantics import production_calendar as pc

    years = pc.data_years()
    assert sorted(years) == [2024, 2025, 2026, 2027]
    assert [years[y].decree_number for y in (2024, 2025, 2026, 2027)] == ["1314", "1335", "1466", "1187"]
    assert [years[y].decree_date.isoformat() for y in (2024, 2025, 2026, 2027)] == [
        "2023-08-10", "2024-10-04", "2025-09-24", "2026-09-17"]
    assert years[2027].working_days == 247 and "2027" in years[2027].decree


@pytest.mark.parametrize(("year", "moved"), [
    (2028, date(2028, 11, 6)),  # Sat 4 Nov -> Mon 6 Nov
    (2029, date(2029, 11, 5)),  # Sun 4 Nov -> Mon 5 Nov
    (2030, date(2030, 2, 25)),  # Sat 23 Feb -> Mon 25 Feb
])
def test_years_without_a_decree_follow_article_112(year, moved):
    """The part `holidays` leaves out for years without a decree: art. 112 part 2 moves."""
    from policy_lang.semantics import production_calendar as pc

    cal = pc.official_years(year, year)[0]
    assert cal.provisional and cal.decree is None
    assert moved in cal.non_working
    official = holidays.country_holidays("RU", years=year)
    differs = {d for d in _all_days(year) if cal.is_working_day(d) != official.is_working_day(d)}
    assert differs == {moved}  # the only difference from `holidays` is the art. 112 move


def test_article_112_reproduces_2026_but_for_the_january_transfers():
    """2026 computed without its decree differs from it exactly by the decree's two transfers."""
    from policy_lang.semantics import production_calendar as pc

    computed = pc.art112_year(2026)
    decreed = pc.data_years()[2026]
    assert decreed.non_working - computed.non_working == {date(2026, 1, 9), date(2026, 12, 31)}
    assert computed.non_working <= decreed.non_working
    assert computed.shortened == decreed.shortened


def test_january_holidays_on_a_weekend_do_not_move_without_a_decree():
    from policy_lang.semantics import production_calendar as pc

    cal = pc.art112_year(2028)  # 1-2 Jan 2028 are Sat-Sun
    assert date(2028, 1, 10) not in cal.non_working and cal.working_days == 249


def test_data_file_is_validated(monkeypatch):
    from policy_lang.semantics import production_calendar as pc

    with pytest.raises(pc.CalendarDataError, match="working days"):
        pc._validate({"year": 2027, "decree": "x", "non_working": [date(2027, 1, 4)],
                      "working_weekends": [], "shortened": [], "working_days": 247})
    with pytest.raises(pc.CalendarDataError, match="not a date of 2027"):
        pc._validate({"year": 2027, "decree": "x", "non_working": [date(2026, 1, 5)],
                      "working_days": 250})


def test_warning_when_cited_data_ends_soon():
    from policy_lang.semantics import production_calendar as pc

    assert pc.data_ends_soon(date(2026, 11, 24)) is None
    assert "ends in 61 days" in pc.data_ends_soon(date(2027, 10, 31))
    assert "2029-11-30" in pc.data_ends_soon(date(2026, 11, 24), term_end=date(2029, 11, 30))
