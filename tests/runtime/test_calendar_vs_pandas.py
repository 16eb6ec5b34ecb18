"""Differential test: BusinessCalendar against pandas' custom business offsets.

pandas can express a Mon-Fri week with a holiday list, not working Saturdays or shortened
days, so the calendar here is the 2024-2026 Russian holidays without those.  Europe/Moscow has
had no DST since 2014, so tz-naive pandas on local wall times is the same clock.

One documented rule differs: pandas rolls a deadline that lands exactly on the closing time to
the next opening (Fri 09:00 + 8 * CustomBusinessHour(08:00-17:00) = Mon 08:00); we keep the
closing time (Fri 17:00).  Every disagreement must be exactly that case.
"""

from __future__ import annotations

import random
import warnings
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from policy_lang.runtime.calendar import BusinessCalendar
from policy_lang.semantics.calendars import ru_production_calendar, working_intervals

MSK = ZoneInfo("Europe/Moscow")
SAMPLES = 10_000
CLOSING = time(17, 0)


@pytest.fixture(scope="module")
def setup():
    ru = ru_production_calendar(2024, 2026)
    holidays = sorted(ru.non_working)
    starts, ends = working_intervals(
        zone="Europe/Moscow", weekly={wd: ((8 * 60, 17 * 60),) for wd in range(5)},
        first=ru.first, last=ru.last, non_working=holidays)
    cal = BusinessCalendar("msk", "Europe/Moscow", starts, ends,
                           (ru.first.isoformat(), ru.last.isoformat()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cbh = pd.offsets.CustomBusinessHour(start="08:00", end="17:00", holidays=holidays)
        cbd = pd.offsets.CustomBusinessDay(holidays=holidays)
    return cal, cbh, cbd


def _random_starts(rng: random.Random, n: int) -> list[datetime]:
    """Whole-minute local starts in 2024-01-01..2026-09-30; a third sit on 08:00/17:00 edges."""
    first, days = date(2024, 1, 1), (date(2026, 9, 30) - date(2024, 1, 1)).days
    out = []
    for _ in range(n):
        d = first + timedelta(days=rng.randrange(days))
        if rng.random() < 1 / 3:
            hm = rng.choice([(8, 0), (17, 0), (16, 59), (7, 59), (0, 0)])
        else:
            hm = (rng.randrange(24), rng.randrange(60))
        out.append(datetime(d.year, d.month, d.day, *hm))
    return out


def test_add_working_time_matches_custom_business_hour(setup):
    cal, cbh, _ = setup
    rng = random.Random(20240101)
    starts = _random_starts(rng, SAMPLES)
    hours = [rng.choice([rng.randint(1, 9), rng.randint(1, 300)]) for _ in starts]
    agree = closing_rule = 0
    for naive, n in zip(starts, hours):
        ours = cal.add_working_time(naive.replace(tzinfo=MSK), n * 3600)
        theirs = (pd.Timestamp(naive) + n * cbh).to_pydatetime()
        if ours.replace(tzinfo=None) == theirs:
            agree += 1
            continue
        # The one rule: our deadline is a closing time, pandas' is the next opening after it.
        assert ours.timetz().replace(tzinfo=None) == CLOSING, (naive, n, ours, theirs)
        assert cal.next_opening(ours).replace(tzinfo=None) == theirs, (naive, n, ours, theirs)
        closing_rule += 1
    assert agree + closing_rule == SAMPLES
    assert closing_rule > 100  # the rule really was exercised, not vacuously true


def test_zero_hours_rolls_forward_like_pandas(setup):
    cal, cbh, _ = setup
    rng = random.Random(7)
    for naive in _random_starts(rng, 1_000):
        ours = cal.add_working_time(naive.replace(tzinfo=MSK), 0).replace(tzinfo=None)
        assert ours == (pd.Timestamp(naive) + 0 * cbh).to_pydatetime(), naive


def test_tz_aware_pandas_agrees_too(setup):
    cal, cbh, _ = setup
    rng = random.Random(99)
    for naive in _random_starts(rng, 1_000):
        n = rng.randint(1, 120)
        ours = cal.add_working_time(naive.replace(tzinfo=MSK), n * 3600)
        theirs = pd.Timestamp(naive, tz="Europe/Moscow") + n * cbh
        assert ours == theirs or (ours.time() == CLOSING and cal.next_opening(ours) == theirs)


def test_add_business_days_matches_custom_business_day(setup):
    cal, _, cbd = setup
    rng = random.Random(31337)
    first, days = date(2024, 1, 1), (date(2026, 10, 31) - date(2024, 1, 1)).days
    for _ in range(SAMPLES):
        start = first + timedelta(days=rng.randrange(days))
        n = rng.randint(0, 40)
        theirs = (pd.Timestamp(start) + n * cbd).date()
        assert cal.add_business_days(start, n) == theirs, (start, n)
