"""Benchmark: the generated evaluator's response() vs a pandas-based equivalent (median calls/s).

Run: .venv/bin/python bench/bench_evaluator.py [--quick] [--generated DIR]

`--generated DIR`: the generated modules to time (default generated/python), e.g. a fresh
`policyc build policies --out /tmp/out` gives /tmp/out/python.

Measures, in one run and on one core:
  * generated `landesk_support.response()` over a fixed mix of queries;
  * the same answers with the deadline from pandas `Timestamp + n * CustomBusinessHour`
    (same holidays; pandas cannot express working Saturdays, so a few answers may differ);
  * the bare "add N business hours" (`BusinessCalendar.add_working_time`);
  * the import time of a generated module (fresh subprocess, median of N).
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time as _time
import warnings
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
GENERATED = (Path(sys.argv[sys.argv.index("--generated") + 1]).resolve() if "--generated" in sys.argv
             else ROOT / "generated" / "python")
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(GENERATED))

import landesk_support as evaluator  # noqa: E402
import pandas as pd  # noqa: E402

MSK = ZoneInfo("Europe/Moscow")
QUICK = "--quick" in sys.argv
REPEATS = 3 if QUICK else 7
CALLS = 2_000 if QUICK else 20_000
PANDAS_CALLS = 500 if QUICK else 3_000
IMPORTS = 5 if QUICK else 15


def rate(fn: Callable[[], object], calls: int) -> float:
    """Median calls/s of `fn` (which makes `calls` calls) over REPEATS runs."""
    runs = []
    for _ in range(REPEATS):
        t0 = _time.perf_counter()
        fn()
        runs.append(calls / (_time.perf_counter() - t0))
    return statistics.median(runs)


def queries(n: int) -> list[tuple[str, str, str, datetime]]:
    rng = random.Random(2026)
    tiers = ("professional", "enterprise", "enterprise_plus", "incident_pack")
    out = []
    first = date(2024, 1, 1)
    for _ in range(n):
        d = first + timedelta(days=rng.randrange(900))
        at = datetime(d.year, d.month, d.day, rng.randrange(24), rng.randrange(60), tzinfo=MSK)
        out.append((rng.choice(tiers), rng.choice(("phone", "portal")),
                    rng.choice(("P1", "P2", "P3")), at))
    return out


def pandas_response_factory() -> Callable[..., tuple]:
    """response() with the same decision table, but the deadline from CustomBusinessHour."""
    from policy_lang.semantics.calendars import ru_production_calendar

    program = evaluator

    holidays = sorted(ru_production_calendar(2024, 2026).non_working)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cbh = pd.offsets.CustomBusinessHour(start="08:00", end="17:00", holidays=holidays)
    decisions = program._DECISIONS

    def response(*, tier: str, channel: str, registered_at: datetime, priority: str) -> tuple:
        d = decisions[tier, channel, priority, None]
        if d.hours is not None and not d.hours.is_open(registered_at):  # the channel's hours, as enforced
            d = d.closed
        if d.seconds is None:
            return d.accepted, d.priority, None
        ts = pd.Timestamp(registered_at)
        return d.accepted, d.priority, (ts + (d.seconds // 3600) * cbh).to_pydatetime()

    return response


def _median_import(code: str) -> float:
    """Median seconds `code` reports over fresh subprocesses; the first run writes __pycache__."""
    times = []
    for _ in range(IMPORTS):
        out = subprocess.run([sys.executable, "-c", code, str(GENERATED)],
                             capture_output=True, text=True, check=True, cwd=ROOT, env=_ENV)
        times.append(float(out.stdout))
    return statistics.median(times[1:])


def import_time() -> float:
    """The generated module's own cost (tables + calendars): the runtime is imported first."""
    return _median_import("import time, sys; sys.path.insert(0, sys.argv[1]); import policy_lang.runtime.evaluator;"
                          " t = time.perf_counter(); import landesk_support; print(time.perf_counter() - t)")


def cold_import_time() -> float:
    return _median_import("import time, sys; t = time.perf_counter(); sys.path.insert(0, sys.argv[1]); "
                          "import landesk_support; print(time.perf_counter() - t)")


# Imports are timed as deployed: with bytecode caching on (this machine sets
# PYTHONDONTWRITEBYTECODE, which would make every import recompile the sources).
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def main() -> None:
    qs = queries(CALLS)
    response = evaluator.response

    def run_generated() -> None:
        for tier, channel, priority, at in qs:
            response(tier=tier, channel=channel, priority=priority, registered_at=at)

    def run_with_targets() -> None:  # the bar counts access to every target's deadline (and whether it is provisional)
        for tier, channel, priority, at in qs:
            for t in response(tier=tier, channel=channel, priority=priority, registered_at=at).targets:
                _ = t.deadline, t.provisional

    pandas_response = pandas_response_factory()
    pqs = qs[:PANDAS_CALLS]

    def run_pandas() -> None:
        for tier, channel, priority, at in pqs:
            pandas_response(tier=tier, channel=channel, priority=priority, registered_at=at)

    cal = evaluator.CAL_SUPPORT_HOURS
    add = cal.add_working_time
    starts = [q[3] for q in qs]
    hours = [3600 * (1 + i % 16) for i in range(len(starts))]
    pairs = list(zip(starts, hours))

    def run_add() -> None:
        for at, seconds in pairs:
            add(at, seconds)

    # agreement on the sample (pandas rolls a deadline at exactly 17:00 to the next opening,
    # and knows no working Saturdays)
    agree = 0
    for tier, channel, priority, at in pqs:
        r = response(tier=tier, channel=channel, priority=priority, registered_at=at)
        p = pandas_response(tier=tier, channel=channel, priority=priority, registered_at=at)
        agree += (r.accepted, r.priority, r.deadline) == p

    gen = rate(run_generated, len(qs))
    gen_targets = rate(run_with_targets, len(qs))
    pan = rate(run_pandas, len(pqs))
    bare = rate(run_add, len(pairs))
    imp = import_time()
    cold = cold_import_time()
    rows = [
        ("response() generated", f"{gen:,.0f} calls/s"),
        ("response() + every target's deadline", f"{gen_targets:,.0f} calls/s"),
        ("response() pandas CustomBusinessHour", f"{pan:,.0f} calls/s"),
        ("ratio generated / pandas", f"{gen / pan:,.1f}x"),
        ("add N business hours (bare)", f"{bare:,.0f} calls/s"),
        ("import generated module (runtime loaded)", f"{imp * 1000:.1f} ms"),
        ("import generated module (cold, with runtime)", f"{cold * 1000:.1f} ms"),
        ("agreement with pandas on the sample", f"{agree}/{len(pqs)}"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 18}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
