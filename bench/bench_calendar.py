"""Benchmark: BusinessCalendar vs pandas custom business offsets (median calls/s)."""

from __future__ import annotations

import random
import statistics
import sys
import time as _time
import warnings
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402

from policy_lang.runtime.calendar import BusinessCalendar  # noqa: E402
from policy_lang.semantics.calendars import ru_production_calendar, working_intervals  # noqa: E402

REPEATS = 7
MSK = ZoneInfo("Europe/Moscow")


def rate(fn: Callable[[], object], calls: int) -> float:
    """Median calls/s of `fn` (which makes `calls` calls) over REPEATS runs."""
    runs = []
    for _ in range(REPEATS):
        t0 = _time.perf_counter()
        fn()
        runs.append(calls / (_time.perf_counter() - t0))
    return statistics.median(runs)


def main() -> None:
    ru = ru_production_calendar(2024, 2026)
    holidays = sorted(ru.non_working)  # the part pandas can express
    starts, ends = working_intervals(
        zone="Europe/Moscow", weekly={wd: ((480, 1020),) for wd in range(5)},
        first=ru.first, last=ru.last, non_working=holidays)
    cal = BusinessCalendar("msk", "Europe/Moscow", starts, ends,
                           (ru.first.isoformat(), ru.last.isoformat()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cbh = pd.offsets.CustomBusinessHour(start="08:00", end="17:00", holidays=holidays)
        cbd = pd.offsets.CustomBusinessDay(holidays=holidays)

    rng = random.Random(1)
    base = datetime(2024, 1, 1)
    naive = [base + timedelta(minutes=rng.randrange(1_400_000)) for _ in range(2000)]
    hours = [rng.randint(1, 40) for _ in naive]
    aware = [d.replace(tzinfo=MSK) for d in naive]
    utc = [d.astimezone(ZoneInfo("UTC")) for d in aware]
    pairs_aware = list(zip(aware, [h * 3600 for h in hours]))
    pairs_utc = list(zip(utc, [h * 3600 for h in hours]))
    pd_naive = [(pd.Timestamp(d), h * cbh) for d, h in zip(naive, hours)]
    pd_aware = [(pd.Timestamp(d), h * cbh) for d, h in zip(aware, hours)]
    days = [date(2024, 1, 1) + timedelta(days=rng.randrange(900)) for _ in range(2000)]
    ns = [rng.randint(0, 30) for _ in days]
    day_pairs = list(zip(days, ns))
    pd_days = [(pd.Timestamp(d), n * cbd) for d, n in zip(days, ns)]
    add, add_days = cal.add_working_time, cal.add_business_days
    small = pd_naive[:200]

    rows = [
        ("add_working_time (MSK-aware in)",
         rate(lambda: [add(s, n) for s, n in pairs_aware], 2000)),
        ("add_working_time (UTC-aware in)",
         rate(lambda: [add(s, n) for s, n in pairs_utc], 2000)),
        ("pandas ts + n*CustomBusinessHour, naive", rate(lambda: [t + o for t, o in small], 200)),
        ("pandas ts + n*CustomBusinessHour, tz-aware",
         rate(lambda: [t + o for t, o in pd_aware[:200]], 200)),
        ("add_business_days", rate(lambda: [add_days(d, n) for d, n in day_pairs], 2000)),
        ("pandas ts + n*CustomBusinessDay", rate(lambda: [t + o for t, o in pd_days[:500]], 500)),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'operation':<{width}}  {'calls/s':>12}")
    for name, r in rows:
        print(f"{name:<{width}}  {r:>12,.0f}")
    ours, pd_n, pd_a, ours_d, pd_d = rows[0][1], rows[2][1], rows[3][1], rows[4][1], rows[5][1]
    print(f"\nadd_working_time / pandas naive CBH : {ours / pd_n:8.0f}x")
    print(f"add_working_time / pandas aware CBH : {ours / pd_a:8.0f}x")
    print(f"add_business_days / pandas CDay     : {ours_d / pd_d:8.0f}x")
    print(f"(median of {REPEATS} runs; {len(cal.starts)} intervals, "
          f"Python {sys.version.split()[0]}, pandas {pd.__version__})")


if __name__ == "__main__":
    main()
