"""BusinessCalendar behaviour: hours, holidays, shortened days, horizon, DST, calendar time."""

from __future__ import annotations

import calendar as stdlib_calendar
import itertools
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_lang.runtime.calendar import BusinessCalendar, add_days, add_months, add_years
from policy_lang.runtime.errors import (
    CalendarHorizonError,
    PolicyQueryError,
    require_aware,
    require_choice,
)
from policy_lang.semantics.calendars import ru_production_calendar, working_intervals

MSK = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
H = 3600
MON_FRI_8_17 = {wd: ((8 * 60, 17 * 60),) for wd in range(5)}
# Pre-holiday days as a policy would state them (reference table; no library knows them).
SHORTENED = [date(2024, 2, 22), date(2024, 3, 7), date(2024, 5, 8), date(2024, 6, 11),
             date(2024, 11, 2), date(2024, 12, 28), date(2025, 3, 7), date(2025, 4, 30),
             date(2025, 6, 11), date(2025, 11, 1), date(2026, 4, 30), date(2026, 5, 8),
             date(2026, 6, 11), date(2026, 11, 3)]


def build(name, zone, weekly, first, last, **kw) -> BusinessCalendar:
    starts, ends = working_intervals(zone=zone, weekly=weekly, first=first, last=last, **kw)
    return BusinessCalendar(name, zone, starts, ends, (first.isoformat(), last.isoformat()))


@pytest.fixture(scope="module")
def msk() -> BusinessCalendar:
    ru = ru_production_calendar(2024, 2026)
    return build("msk", "Europe/Moscow", MON_FRI_8_17, ru.first, ru.last,
                 non_working=ru.non_working, working_weekends=ru.working_weekends,
                 shortened=SHORTENED)


@pytest.fixture(scope="module")
def berlin() -> BusinessCalendar:
    weekly = {wd: ((9 * 60, 18 * 60),) for wd in range(5)}
    return build("berlin", "Europe/Berlin", weekly, date(2026, 1, 1), date(2026, 12, 31))


def m(*args) -> datetime:
    return datetime(*args, tzinfo=MSK)


# -- add_working_time -------------------------------------------------------------------------

def test_deadline_ending_at_closing_time_stays_there(msk):
    assert msk.add_working_time(m(2025, 3, 14, 9), 8 * H) == m(2025, 3, 14, 17)  # a Friday
    assert msk.add_working_time(m(2025, 3, 14, 9), 8 * H + 1) == m(2025, 3, 17, 8, 0, 1)


@pytest.mark.parametrize("start, expected", [
    (m(2025, 3, 17, 6, 0), m(2025, 3, 17, 9)),     # before opening: counts from 08:00
    (m(2025, 3, 17, 17, 0), m(2025, 3, 18, 9)),    # exactly at closing: already closed
    (m(2025, 3, 17, 22, 30), m(2025, 3, 18, 9)),   # evening
    (m(2025, 3, 15, 12, 0), m(2025, 3, 17, 9)),    # Saturday
    (m(2025, 3, 17, 16, 30), m(2025, 3, 18, 8, 30)),  # spills over to the next morning
])
def test_start_outside_hours_counts_from_next_opening(msk, start, expected):
    assert msk.add_working_time(start, H) == expected


def test_result_is_in_calendar_zone_whatever_the_input_zone(msk):
    got = msk.add_working_time(datetime(2025, 3, 17, 5, 0, tzinfo=timezone.utc), H)  # 08:00 MSK
    assert got == m(2025, 3, 17, 9) and got.tzinfo is MSK and got.hour == 9


def test_zero_seconds_rolls_forward_only_when_closed(msk):
    assert msk.add_working_time(m(2025, 3, 17, 10, 15), 0) == m(2025, 3, 17, 10, 15)
    assert msk.add_working_time(m(2025, 3, 17, 17, 0), 0) == m(2025, 3, 18, 8)


def test_negative_seconds_rejected(msk):
    with pytest.raises(PolicyQueryError):
        msk.add_working_time(m(2025, 3, 17, 10), -1)


def test_sub_second_starts_keep_their_microseconds(msk):
    start = m(2025, 3, 17, 10, 0, 0, 250_000)  # 0.25 s of the 7 h spill into Tuesday
    assert msk.add_working_time(start, 7 * H) == m(2025, 3, 18, 8, 0, 0, 250_000)
    assert msk.working_seconds_between(start, m(2025, 3, 17, 17)) == 7 * H  # rounded


# -- holidays, transferred days, shortened days -----------------------------------------------

def test_new_year_holidays_2026_are_closed(msk):
    for day in range(1, 10):
        assert not msk.is_working_day(date(2026, 1, day))
        assert not msk.is_open(m(2026, 1, day, 12))
    # 2025-12-31 is a transferred day off too; Jan 10-11 2026 are a weekend.
    assert msk.add_working_time(m(2025, 12, 30, 16), 2 * H) == m(2026, 1, 12, 9)


def test_working_saturday_is_open_and_shortened(msk):
    assert msk.is_working_day(date(2025, 11, 1))
    assert msk.is_open(m(2025, 11, 1, 10))
    assert not msk.is_open(m(2025, 11, 1, 16, 30))  # pre-holiday: closes at 16:00
    assert msk.add_working_time(m(2025, 10, 31, 16), 2 * H) == m(2025, 11, 1, 9)
    # Nov 3-4 are days off: after Saturday's close comes Wednesday.
    assert msk.add_working_time(m(2025, 11, 1, 15), 2 * H) == m(2025, 11, 5, 9)


def test_shortened_day_closes_an_hour_early(msk):
    assert msk.add_working_time(m(2026, 4, 30, 15), H) == m(2026, 4, 30, 16)
    assert not msk.is_open(m(2026, 4, 30, 16))
    # May 1 (Fri) is a holiday, then the weekend.
    assert msk.add_working_time(m(2026, 4, 30, 15), 2 * H) == m(2026, 5, 4, 9)
    assert msk.next_opening(m(2026, 4, 30, 16, 30)) == m(2026, 5, 4, 8)


def test_without_shortening_the_day_is_full():
    ru = ru_production_calendar(2026, 2026)
    cal = build("x", "Europe/Moscow", MON_FRI_8_17, ru.first, ru.last, non_working=ru.non_working)
    assert cal.is_open(m(2026, 4, 30, 16, 30))


def test_is_open_and_next_opening_edges(msk):
    assert msk.is_open(m(2025, 3, 17, 8))            # opening instant included
    assert not msk.is_open(m(2025, 3, 17, 17))       # closing instant excluded
    assert msk.next_opening(m(2025, 3, 17, 12)) == m(2025, 3, 17, 12)
    assert msk.next_opening(m(2025, 3, 14, 17)) == m(2025, 3, 17, 8)


def test_working_seconds_between(msk):
    assert msk.working_seconds_between(m(2025, 3, 14, 16), m(2025, 3, 17, 9)) == 2 * H
    assert msk.working_seconds_between(m(2025, 3, 17, 9), m(2025, 3, 14, 16)) == -2 * H
    assert msk.working_seconds_between(m(2025, 12, 30, 16), m(2026, 1, 12, 9)) == 2 * H


# -- business days ----------------------------------------------------------------------------

def test_twenty_business_days_across_may_2026_holidays(msk):
    # Apr 28 (Tue) -> working days Apr 29, 30; May 4-8; May 12-15 (May 11 off); 18-22; 25-28.
    assert msk.add_business_days(date(2026, 4, 28), 20) == date(2026, 5, 28)


def test_business_days_zero_and_one(msk):
    assert msk.add_business_days(date(2026, 1, 3), 0) == date(2026, 1, 12)
    assert msk.add_business_days(date(2026, 1, 12), 0) == date(2026, 1, 12)
    assert msk.add_business_days(date(2025, 10, 31), 1) == date(2025, 11, 1)  # Saturday works
    assert msk.add_business_days(m(2025, 10, 31, 23, 30), 1) == date(2025, 11, 1)
    # 22:30 UTC on Oct 31 is already Nov 1 in Moscow: the local date counts.
    utc_late = datetime(2025, 10, 31, 22, 30, tzinfo=timezone.utc)
    assert msk.add_business_days(utc_late, 1) == date(2025, 11, 5)


def test_business_days_against_a_day_loop(msk):
    """Oracle: walk day by day using is_working_day for 400 starts and n up to 30."""
    d0 = date(2024, 1, 1)
    for k in range(400):
        start, n = d0 + timedelta(days=k * 2), k % 31
        d, left = start, n
        if n == 0:
            while not msk.is_working_day(d):
                d += timedelta(days=1)
        while left:
            d += timedelta(days=1)
            left -= msk.is_working_day(d)
        assert msk.add_business_days(start, n) == d, (start, n)


def test_end_of_day(msk):
    assert msk.end_of_day(date(2026, 5, 8)) == m(2026, 5, 8, 23, 59, 59)
    late_utc = datetime(2026, 5, 8, 22, tzinfo=timezone.utc)  # already May 9 in Moscow
    assert msk.end_of_day(late_utc) == m(2026, 5, 9, 23, 59, 59)


# -- horizon and bad queries ------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda c: c.add_working_time(m(2023, 12, 29, 10), H),
    lambda c: c.add_working_time(m(2027, 1, 11, 10), H),
    lambda c: c.add_working_time(m(2026, 12, 30, 16), 2 * H),   # Dec 31 is off: runs out
    lambda c: c.add_working_time(m(2026, 12, 31, 10), 0),
    lambda c: c.is_open(m(2027, 1, 1, 0)),
    lambda c: c.next_opening(m(2026, 12, 30, 18)),
    lambda c: c.working_seconds_between(m(2023, 12, 31), m(2024, 1, 10)),
    lambda c: c.add_business_days(date(2026, 12, 28), 3),
    lambda c: c.add_business_days(date(2023, 12, 31), 1),
    lambda c: c.is_working_day(date(2027, 1, 1)),
])
def test_past_horizon_raises(msk, call):
    with pytest.raises(CalendarHorizonError, match="2024-01-01..2026-12-31"):
        call(msk)


def test_last_instant_inside_horizon_still_answers(msk):
    assert msk.add_working_time(m(2026, 12, 30, 16), H) == m(2026, 12, 30, 17)
    assert msk.working_seconds_between(m(2026, 12, 30, 16), m(2027, 1, 1)) == H


@pytest.mark.parametrize("call", [
    lambda c: c.add_working_time(datetime(2025, 3, 17, 10), H),
    lambda c: c.add_working_time(date(2025, 3, 17), H),
    lambda c: c.add_working_time(datetime(2025, 3, 17, 10), 0),
    lambda c: c.is_open(datetime(2025, 3, 17, 10)),
    lambda c: c.next_opening(datetime(2025, 3, 17, 10)),
    lambda c: c.working_seconds_between(m(2025, 3, 17, 10), datetime(2025, 3, 18)),
    lambda c: c.add_business_days(datetime(2025, 3, 17, 10), 1),
    lambda c: c.add_business_days(date(2025, 3, 17), -1),
])
def test_bad_arguments_raise_policy_query_error(msk, call):
    with pytest.raises(PolicyQueryError) as info:
        call(msk)
    assert not isinstance(info.value, CalendarHorizonError)


def test_require_helpers():
    assert require_aware("at", m(2025, 1, 1)) == m(2025, 1, 1)
    with pytest.raises(PolicyQueryError, match="at must be a timezone-aware datetime"):
        require_aware("at", datetime(2025, 1, 1))
    with pytest.raises(PolicyQueryError, match="got str"):
        require_aware("at", "2025-01-01")
    assert require_choice("tier", "gold", ("gold", "silver")) == "gold"
    with pytest.raises(PolicyQueryError) as info:
        require_choice("tier", "silvr", ("bronze", "silver", "gold"))
    assert str(info.value) == ("unknown tier 'silvr'; valid: bronze, silver, gold; "
                               "did you mean 'silver'?")
    with pytest.raises(PolicyQueryError, match=r"^unknown tier 'x'; valid: a, b$"):
        require_choice("tier", "x", frozenset({"b", "a"}))
    with pytest.raises(ValueError):  # callers may catch ValueError
        require_choice("tier", ["unhashable"], {"a"})


def test_invalid_interval_literals_rejected():
    with pytest.raises(ValueError):
        BusinessCalendar("x", "UTC", (10, 5), (20, 15), ("1970-01-01", "1970-01-01"))
    with pytest.raises(ValueError):
        BusinessCalendar("x", "UTC", (0,), (90_000,), ("1970-01-01", "1970-01-01"))


# -- daylight saving --------------------------------------------------------------------------

@pytest.mark.parametrize("day", [date(2026, 3, 27), date(2026, 3, 30), date(2026, 3, 31),
                                 date(2026, 10, 23), date(2026, 10, 26), date(2026, 10, 27)])
def test_local_hours_stay_9_to_18_across_dst(berlin, day):
    midnight = datetime(day.year, day.month, day.day, tzinfo=BERLIN)
    opening = berlin.next_opening(midnight)
    closing = berlin.add_working_time(opening, 9 * H)
    assert (opening.hour, closing.hour, closing.date()) == (9, 18, day)
    assert opening.utcoffset() == closing.utcoffset()


def test_working_time_over_a_dst_weekend(berlin):
    fri = datetime(2026, 3, 27, 17, tzinfo=BERLIN)   # CET, +01:00
    mon = berlin.add_working_time(fri, 2 * H)
    assert mon == datetime(2026, 3, 30, 10, tzinfo=BERLIN) and mon.utcoffset() == timedelta(hours=2)
    assert berlin.working_seconds_between(fri, mon) == 2 * H


def test_window_in_a_dst_gap_starts_when_the_gap_ends():
    # 2026-03-29 (Sun) Berlin: 02:00 -> 03:00.  A 02:30-10:00 window starts at 03:00 CEST.
    starts, ends = working_intervals(zone="Europe/Berlin", weekly={6: ((150, 600),)},
                                     first=date(2026, 3, 29), last=date(2026, 3, 29))
    assert starts == (int(datetime(2026, 3, 29, 1, tzinfo=timezone.utc).timestamp()),)
    assert ends == (int(datetime(2026, 3, 29, 8, tzinfo=timezone.utc).timestamp()),)


def test_ambiguous_local_time_takes_the_first_occurrence():
    # 2026-10-25 (Sun) Berlin: 03:00 CEST -> 02:00 CET; 02:30 happens twice; fold=0 is CEST.
    starts, _ = working_intervals(zone="Europe/Berlin", weekly={6: ((150, 600),)},
                                  first=date(2026, 10, 25), last=date(2026, 10, 25))
    assert starts == (int(datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc).timestamp()),)


def test_round_the_clock_days_merge_into_one_interval():
    weekly = {wd: ((0, 1440),) for wd in range(7)}
    starts, ends = working_intervals(zone="Europe/Berlin", weekly=weekly,
                                     first=date(2026, 3, 1), last=date(2026, 3, 31))
    assert len(starts) == 1
    assert ends[0] - starts[0] == 31 * 24 * H - H  # March 2026 loses an hour to DST


def test_working_weekend_takes_first_weekday_windows():
    weekly = {1: ((600, 660),), 2: ((0, 60),)}  # Tuesday is the first weekday with windows
    sat = date(2026, 3, 7)
    starts, ends = working_intervals(zone="UTC", weekly=weekly, first=sat, last=sat,
                                     working_weekends=[sat])
    base = int(datetime(2026, 3, 7, tzinfo=timezone.utc).timestamp())
    assert (starts, ends) == ((base + 600 * 60,), (base + 660 * 60,))


def test_shortening_a_day_off_is_an_error():
    with pytest.raises(ValueError, match="no working hours"):
        working_intervals(zone="UTC", weekly=MON_FRI_8_17, first=date(2026, 3, 7),
                          last=date(2026, 3, 7), shortened=[date(2026, 3, 7)])


def test_bad_weekly_windows_rejected():
    with pytest.raises(ValueError):
        working_intervals(zone="UTC", weekly={0: ((600, 500),)}, first=date(2026, 3, 2),
                          last=date(2026, 3, 2))
    with pytest.raises(ValueError):
        working_intervals(zone="UTC", weekly={7: ((0, 60),)}, first=date(2026, 3, 2),
                          last=date(2026, 3, 2))


# -- 24x7 and calendar time -------------------------------------------------------------------

def test_always_open_is_plain_elapsed_time():
    cal = BusinessCalendar.always("24x7", "Europe/Berlin")
    start = datetime(2026, 3, 28, 12, tzinfo=BERLIN)
    assert cal.add_working_time(start, 24 * H) == datetime(2026, 3, 29, 13, tzinfo=BERLIN)
    assert cal.add_working_time(datetime(2090, 1, 1, tzinfo=BERLIN), H).year == 2090
    assert cal.is_open(start) and cal.next_opening(start) == start
    # Two calendar days across the DST switch hold 47 elapsed hours.
    assert cal.working_seconds_between(start, start + timedelta(days=2)) == 47 * H
    assert cal.add_business_days(date(2026, 3, 28), 2) == date(2026, 3, 30)
    assert cal.is_working_day(date(2026, 3, 29))
    assert cal.horizon is None
    with pytest.raises(PolicyQueryError):
        cal.add_working_time(datetime(2026, 3, 28, 12), H)


@pytest.mark.parametrize("fn, start, n, expected", [
    (add_years, date(2024, 2, 29), 1, date(2025, 2, 28)),
    (add_years, date(2024, 2, 29), 4, date(2028, 2, 29)),
    (add_months, date(2026, 1, 31), 1, date(2026, 2, 28)),
    (add_months, date(2024, 1, 31), 1, date(2024, 2, 29)),
    (add_months, date(2026, 3, 31), -1, date(2026, 2, 28)),
    (add_months, date(2025, 11, 30), 3, date(2026, 2, 28)),
    (add_months, date(2025, 12, 15), 1, date(2026, 1, 15)),
    (add_months, m(2026, 1, 31, 10, 30), 1, m(2026, 2, 28, 10, 30)),
    (add_days, date(2025, 12, 30), 3, date(2026, 1, 2)),
    (add_days, m(2025, 12, 30, 23, 59, 59), 1, m(2025, 12, 31, 23, 59, 59)),
])
def test_calendar_time_helpers(fn, start, n, expected):
    assert fn(start, n) == expected


def test_add_months_against_stdlib_month_lengths():
    """Oracle: stdlib calendar.monthrange over leap/century years and both directions."""
    for y, mo, d, n in itertools.product((1900, 2000, 2023, 2024), range(1, 13),
                                         (1, 28, 29, 30, 31), range(-25, 26)):
        if d > stdlib_calendar.monthrange(y, mo)[1]:
            continue
        yy, mm = divmod(y * 12 + mo - 1 + n, 12)
        expected = date(yy, mm + 1, min(d, stdlib_calendar.monthrange(yy, mm + 1)[1]))
        assert add_months(date(y, mo, d), n) == expected


def test_add_days_keeps_wall_clock_over_dst():
    got = add_days(datetime(2026, 3, 28, 12, tzinfo=BERLIN), 1)
    assert (got.hour, got.utcoffset()) == (12, timedelta(hours=2))


def test_calendar_time_helpers_reject_naive():
    for fn in (add_days, add_months, add_years):
        with pytest.raises(PolicyQueryError):
            fn(datetime(2026, 1, 1), 1)


# -- properties -------------------------------------------------------------------------------

LO = int(m(2024, 1, 1).timestamp())
HI = int(m(2025, 12, 31).timestamp())  # + 2 x 600 working hours stays inside the 2026 horizon
starts_st = st.integers(LO, HI).map(lambda t: datetime.fromtimestamp(t, MSK))
work_st = st.integers(1, 600 * H)  # up to ~2.5 months of working time


@settings(max_examples=400, deadline=None)
@given(starts_st, st.integers(0, 600 * H), work_st)
def test_adding_in_two_steps_equals_adding_once(msk, start, a, b):
    """Holds for b > 0 (a may be 0): an intermediate closing time resumes at the next opening.

    With b == 0 it does not: add(add(s, a), 0) rolls a closing-time result forward to the
    next opening, as checked separately below.
    """
    assert msk.add_working_time(msk.add_working_time(start, a), b) == \
        msk.add_working_time(start, a + b)


@settings(max_examples=300, deadline=None)
@given(starts_st, work_st)
def test_zero_after_a_deadline_is_the_next_opening(msk, start, a):
    r = msk.add_working_time(start, a)
    assert msk.add_working_time(r, 0) == msk.next_opening(r)


@settings(max_examples=400, deadline=None)
@given(starts_st, st.integers(0, 600 * H))
def test_working_seconds_between_inverts_add(msk, start, s):
    r = msk.add_working_time(start, s)
    assert msk.working_seconds_between(start, r) == s
    # The deadline is reached: open just before it (or it is the start's next opening).
    if s:
        assert msk.is_open(r - timedelta(seconds=1))


@settings(max_examples=300, deadline=None)
@given(starts_st, work_st)
def test_add_is_monotonic_in_duration(msk, start, s):
    assert msk.add_working_time(start, s - 1) < msk.add_working_time(start, s)
