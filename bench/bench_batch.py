"""Benchmark: the batch kernel (policy_lang.batch.kernel) side by side with the scalar runtime and pandas.

Run: .venv/bin/python bench/bench_batch.py [--quick]

In one run, one core, medians of several repeats (issue 20 aims: >= 10 M target deadlines/s for
registration -> due, >= 2 M/s with pauses and priority changes):
  * kernel registration -> due: due_of_rules() over 10 M random starts of landesk_support's cells
    (working time on its support-hours calendar);
  * kernel replay() of tickets with pauses (waiting statuses), priority changes and resolutions
    (secureco_service_support), target rows/s; and the share of tickets the kernel answered itself
    (the rest go through the scalar ticket(): counted in `fallback_tickets`);
  * the scalar response() loop on a sample, and the scalar ticket() loop on a sample;
  * pandas `Timestamp + n * CustomBusinessHour` on a sample (as bench/bench_evaluator.py does);
  * the kernel before the fast paths (read from git at c32f2e3^, bench/_reference.py) on the same input, in the
    same run: "before" / "after" side by side.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import policy_lang  # noqa: E402
from policy_lang.batch import kernel  # noqa: E402
from policy_lang.runtime.ticket import TicketEvent  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from _reference import reference  # noqa: E402

#: the kernel before its fast paths (the commit before c32f2e3), read from git
before = reference("policy_lang/batch/kernel.py", "c32f2e3^", "_kernel_before")

QUICK = "--quick" in sys.argv
REPEATS = 3 if QUICK else 5
N_DUE = 1_000_000 if QUICK else 10_000_000
N_TICKETS = 20_000 if QUICK else 200_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def median_rate(fn, n: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return n / statistics.median(times)


def main() -> None:
    rng = np.random.default_rng(1)
    landesk = policy_lang.load(ROOT / "policies" / "landesk_support.policy", ROOT / "policies")
    rules = list(dict.fromkeys(landesk._TARGET_CELLS.values()))
    lo, hi = datetime(2025, 1, 1, tzinfo=UTC).timestamp(), datetime(2026, 12, 1, tzinfo=UTC).timestamp()
    starts = rng.integers(int(lo), int(hi), N_DUE, dtype=np.int64)
    idx = rng.integers(0, len(rules), N_DUE)
    rate_due = median_rate(lambda: kernel.due_of_rules(landesk, rules, starts, idx), N_DUE)
    rate_due_before = median_rate(lambda: before.due_of_rules(landesk, rules, starts, idx), N_DUE)
    got, want = kernel.due_of_rules(landesk, rules, starts, idx), before.due_of_rules(landesk, rules, starts, idx)
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1]), "the fast path changed an answer"

    # the scalar response() on a sample
    keys = [k for k, d in landesk._DECISIONS.items() if d.accepted and d.seconds]
    sample = [(keys[i % len(keys)], datetime.fromtimestamp(int(s), UTC)) for i, s in enumerate(starts[:100_000])]

    def scalar_response() -> None:
        for (tier, channel, priority, request), at in sample:
            landesk.response(tier=tier, channel=channel, priority=priority, request=request, registered_at=at)

    rate_resp = median_rate(scalar_response, len(sample))

    # pandas CustomBusinessHour on a small sample (same calendar hours, Russian holidays)
    from policy_lang.semantics.calendars import ru_production_calendar
    holidays = sorted(ru_production_calendar(2024, 2026).non_working)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cbh = pd.offsets.CustomBusinessHour(start="09:00", end="18:00", holidays=holidays)
    small = sample[:2000]

    def pandas_due() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _k, at in small:
                pd.Timestamp(at).tz_convert("Europe/Moscow").tz_localize(None) + 4 * cbh

    rate_pandas = median_rate(pandas_due, len(small))

    # replay with pauses, priority changes and resolutions
    sec = policy_lang.load(ROOT / "policies" / "examples" / "secureco_service_support.policy", ROOT / "policies")
    skeys = [k for k, d in sec._DECISIONS.items() if d.accepted]
    statuses = list(sec.STATUSES)
    prios = list(sec.PRIORITIES)
    cols: dict[str, list] = {k: [] for k in ("ticket", "at", "kind", "value", "priority", "request", "tier")}
    scalar_tickets = []
    reg = rng.integers(int(lo), int(hi), N_TICKETS)
    for i in range(N_TICKETS):
        tier, channel, priority, request = skeys[i % len(skeys)]
        t = int(reg[i])
        evs = [(t, "registered", channel, priority, request, tier)]
        for _ in range(int(rng.integers(0, 4))):  # waiting for the customer and back
            t += int(rng.integers(60, 86_400))
            evs.append((t, "status", statuses[int(rng.integers(len(statuses)))], None, None, None))
            t += int(rng.integers(60, 86_400))
            evs.append((t, "status", None, None, None, None))
        if rng.random() < 0.1:
            t += int(rng.integers(60, 3600))
            evs.append((t, "priority", prios[int(rng.integers(len(prios)))], None, None, None))
        t += int(rng.integers(60, 5 * 86_400))
        evs.append((t, "resolved", None, None, None, None))
        for at, kind, value, p, r, tr in evs:
            cols["ticket"].append(str(i))
            cols["at"].append(at * 1_000_000)
            cols["kind"].append(kind)
            cols["value"].append(value)
            cols["priority"].append(p)
            cols["request"].append(r)
            cols["tier"].append(tr)
        if i < 5000:
            scalar_tickets.append(evs)
    table = pa.table({**cols, "at": pa.array(cols["at"], pa.int64()).cast(pa.timestamp("us", tz="UTC"))})
    at = datetime(2027, 1, 1, tzinfo=UTC)
    out = kernel.replay(sec, table, at=at)
    rows = out.num_rows
    meta = out.schema.metadata
    rate_replay = median_rate(lambda: kernel.replay(sec, table, at=at), rows)
    old = before.replay(sec, table, at=at)
    assert old.equals(out), "the fast paths changed an answer"
    meta_before = old.schema.metadata
    rate_replay_before = median_rate(lambda: before.replay(sec, table, at=at), rows)

    def scalar_ticket() -> None:
        for evs in scalar_tickets:
            sec.ticket(tier=evs[0][5], at=at, events=[TicketEvent(EPOCH + timedelta(seconds=x[0]), *x[1:5]) for x in evs])

    per_ticket = rows / N_TICKETS
    rate_ticket = median_rate(scalar_ticket, len(scalar_tickets)) * per_ticket

    print(f"kernel registration -> due ({N_DUE:,} starts): {rate_due / 1e6:8.2f} M target deadlines/s   "
          f"before {rate_due_before / 1e6:.2f} M/s, x{rate_due / rate_due_before:.1f}")
    print(f"scalar response() loop (100,000):          {rate_resp / 1e6:8.2f} M/s   kernel x{rate_due / rate_resp:,.0f}")
    print(f"pandas CustomBusinessHour (2,000):         {rate_pandas / 1e6:8.4f} M/s   kernel x{rate_due / rate_pandas:,.0f}")
    print(f"kernel replay, pauses + priority changes ({N_TICKETS:,} tickets, {rows:,} target rows): "
          f"{rate_replay / 1e6:6.2f} M target rows/s; kernel answered {meta[b'kernel_tickets'].decode()} tickets, "
          f"scalar fallback {meta[b'fallback_tickets'].decode()}, refused {meta[b'failed_tickets'].decode()}")
    print(f"  before: {rate_replay_before / 1e6:6.2f} M target rows/s (x{rate_replay / rate_replay_before:.1f} now); "
          f"scalar fallback {meta_before[b'fallback_tickets'].decode()} tickets")
    print(f"scalar ticket() loop (5,000 tickets):      {rate_ticket / 1e6:8.3f} M target rows/s   kernel x{rate_replay / rate_ticket:,.1f}")


if __name__ == "__main__":
    main()
