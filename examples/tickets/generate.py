"""A year of ticket events for three programs, deterministic (a fixed seed): the sample `policyc replay` reads.

* `romashka_landesk.parquet`: the seed contract contracts/romashka_landesk.toml (LANDESK support,
  tier enterprise), its term 2026-12-01 .. 2027-11-30 (the contract's year; a few tickets registered
  after it show the refusal outside the term);
* `secureco_service_support.parquet`: the corpus program policies/examples/secureco_service_support.policy
  (tier partner), 2027-01-01 .. 2027-12-31, Sydney: waiting-for-partner and waiting-for-vendor
  pauses, On Hold, priority changes, reopenings (back in work after a wait that followed the answer);
* `vk_cloud_support.parquet`: the corpus program policies/examples/vk_cloud_support.policy (tier
  standard, around the clock, Moscow), 2027-01-01 .. 2027-12-31: its resolution target is a
  percentile one (95 % of a month's tickets resolved in time, counted from the `registration_notice`
  event, sent a few minutes after the registration); the share resolved late differs by month
  (VK_LATE), so that some months reach 95 % and some do not. The program declares no status: no pauses.

Response and resolution times are drawn around each ticket's own due time (the program's
`target_deadline()`), with a long tail, so that most targets are met and some are breached.

    python examples/tickets/generate.py [--tickets N] [--only NAME] [--out DIR]

N tickets per program (default 50 000 for the first two, 30 000 for VK Cloud); the files are Parquet
(zstd), one row per event, columns ticket, at (timestamp, UTC), kind, value, priority, request, tier.
`write_streamed()` writes a larger log chunk by chunk in bounded memory (bench/bench_replay.py).
"""
from __future__ import annotations

import argparse
import functools
import random
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from policy_lang import load  # noqa: E402
from policy_lang.runtime.errors import PolicyQueryError  # noqa: E402

SEED = 2027
FIELDS = ("ticket", "at", "kind", "value", "priority", "request", "tier")

#: the share of VK Cloud resolutions drawn late, by month of registration (2027): the months at 2-3.5 %
#: mostly reach the 95 % target, those at 5 % and more mostly do not (critical tickets are late 1.2 times as often)
VK_LATE = {1: 0.03, 2: 0.025, 3: 0.075, 4: 0.03, 5: 0.035, 6: 0.02, 7: 0.065, 8: 0.05, 9: 0.03, 10: 0.025,
           11: 0.04, 12: 0.09}


@functools.cache
def _module(relative: str) -> Any:
    """The loaded program (once per process: write_streamed() calls the generators once per chunk)."""
    return load(REPO / relative)


def _registration(rng: random.Random, first: datetime, days: int, tz: ZoneInfo) -> datetime:
    """A registration instant: mostly in working hours on weekdays, some at night and on weekends."""
    day = first + timedelta(days=rng.randrange(days))
    if rng.random() < 0.75:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        minute = rng.randrange(9 * 60, 18 * 60)
    else:
        minute = rng.randrange(24 * 60)
    local = datetime(day.year, day.month, day.day, tzinfo=tz) + timedelta(minutes=minute, seconds=rng.randrange(60))
    return local.astimezone(tz)


def _delay(rng: random.Random, allowed: timedelta, late_share: float) -> timedelta:
    """A time to meet a target allowed `allowed`: within it, but late in about `late_share` of draws."""
    if rng.random() < late_share:
        return allowed * (1 + rng.expovariate(1.5)) + timedelta(minutes=1)
    return allowed * rng.uniform(0.05, 0.97)


def _due(m: Any, target: str, tier: str, start: datetime, priority: str) -> timedelta | None:
    try:
        due = m.target_deadline(target, tier=tier, start=start, priority=priority)
    except PolicyQueryError:  # no term for this cell (LANDESK's P4): nothing to meet in time
        return None
    return None if due is None else due - start


def romashka(n: int, rng: random.Random, start: int = 0) -> list[dict[str, Any]]:
    """Tickets R-<start + 1> .. R-<start + n> of LANDESK support (the romashka contract's program)."""
    m = _module("policies/landesk_support.policy")
    tz = ZoneInfo("Europe/Moscow")
    first = datetime(2026, 12, 1, tzinfo=tz)
    rows: list[dict[str, Any]] = []
    for k in range(start, start + n):
        tid = f"R-{k + 1:06d}"
        days = 365 if rng.random() < 0.995 else 396  # a few after the term: refused, counted
        reg = _registration(rng, first, days, tz)
        prio = rng.choices(["P1", "P2", "P3", "P4"], [4, 16, 45, 35])[0]
        channel = "phone" if prio == "P1" and rng.random() < 0.7 else rng.choice(["phone", "portal"])
        rows.append({"ticket": tid, "at": reg, "kind": "registered", "value": channel, "priority": prio})
        t = reg
        if rng.random() < 0.08:  # the executor re-assesses the priority
            t = reg + timedelta(minutes=rng.randrange(5, 90))
            prio = rng.choice([p for p in ("P1", "P2", "P3", "P4") if p != prio])
            rows.append({"ticket": tid, "at": t, "kind": "priority", "value": prio})
        allowed = _due(m, "response", "enterprise", reg, prio)
        if allowed is not None and rng.random() < 0.97:
            met = max(reg + _delay(rng, allowed, 0.07), t + timedelta(seconds=1))
            rows.append({"ticket": tid, "at": met, "kind": "met", "value": "response"})
            t = met
        if rng.random() < 0.9:
            rows.append({"ticket": tid, "at": t + timedelta(hours=rng.expovariate(1 / 30)), "kind": "resolved"})
    return rows


def secureco(n: int, rng: random.Random, start: int = 0) -> list[dict[str, Any]]:
    """Tickets S-<start + 1> .. S-<start + n> of the SecureCo program (tier partner)."""
    m = _module("policies/examples/secureco_service_support.policy")
    tz = ZoneInfo("Australia/Sydney")
    first = datetime(2027, 1, 1, tzinfo=tz)
    waits = ["waiting_partner", "waiting_partner", "waiting_vendor", "on_hold"]
    rows: list[dict[str, Any]] = []
    for k in range(start, start + n):
        tid = f"S-{k + 1:06d}"
        reg = _registration(rng, first, 365, tz)
        prio = rng.choices(["P1", "P2", "P3", "P4"], [5, 20, 45, 30])[0]
        rows.append({"ticket": tid, "at": reg, "kind": "registered", "value": rng.choice(["portal", "email", "phone"]),
                     "priority": prio, "tier": "partner"})
        t = reg
        if rng.random() < 0.1:
            t = reg + timedelta(minutes=rng.randrange(3, 60))
            prio = rng.choice([p for p in ("P1", "P2", "P3", "P4") if p != prio])
            rows.append({"ticket": tid, "at": t, "kind": "priority", "value": prio})
        allowed = _due(m, "response", "partner", reg, prio)
        if allowed is not None:
            t = max(reg + _delay(rng, allowed, 0.06), t + timedelta(seconds=1))
            rows.append({"ticket": tid, "at": t, "kind": "met", "value": "response"})
        paused = timedelta()
        allowed = _due(m, "resolution", "partner", reg, prio)
        for _ in range(rng.choices([0, 1, 2, 3], [50, 30, 15, 5])[0]):  # waits: the clocks stand still
            t += (allowed or timedelta(hours=8)) * rng.uniform(0.02, 0.15)  # work, then a wait
            rows.append({"ticket": tid, "at": t, "kind": "status", "value": rng.choice(waits)})
            wait = timedelta(minutes=rng.randrange(30, 3 * 24 * 60))
            t += wait
            paused += wait
            rows.append({"ticket": tid, "at": t, "kind": "status", "value": None})  # back in work (a reopening)
        if allowed is not None and rng.random() < 0.93:
            done = max(reg + paused + _delay(rng, allowed, 0.1), t + timedelta(seconds=1))
            rows.append({"ticket": tid, "at": done, "kind": "resolved"})
    return rows


def vk_cloud(n: int, rng: random.Random, start: int = 0) -> list[dict[str, Any]]:
    """Tickets V-<start + 1> .. V-<start + n> of VK Cloud support (tier standard): a registration, the
    registration notice 1-10 minutes later (both targets count from it), a priority change in 8 %,
    the response, and the resolution drawn late in VK_LATE[month] of tickets."""
    m = _module("policies/examples/vk_cloud_support.policy")
    tz = ZoneInfo("Europe/Moscow")
    first = datetime(2027, 1, 1, tzinfo=tz)
    priorities = ["critical", "high", "medium", "low"]
    rows: list[dict[str, Any]] = []
    for k in range(start, start + n):
        tid = f"V-{k + 1:06d}"
        reg = _registration(rng, first, 365, tz)
        prio = rng.choices(priorities, [5, 15, 40, 40])[0]
        channel = rng.choices(["portal", "telegram", "email", "phone"], [50, 20, 20, 10])[0]
        rows.append({"ticket": tid, "at": reg, "kind": "registered", "value": channel, "priority": prio,
                     "tier": "standard"})
        notice = reg + timedelta(seconds=rng.randrange(60, 600))  # the customer is told the ticket's number
        rows.append({"ticket": tid, "at": notice, "kind": "event", "value": "registration_notice"})
        t = notice
        if rng.random() < 0.08:  # the engineer re-assesses the priority (the terms are counted again)
            t = notice + timedelta(minutes=rng.randrange(2, 45))
            prio = rng.choice([p for p in priorities if p != prio])
            rows.append({"ticket": tid, "at": t, "kind": "priority", "value": prio})
        allowed = _due(m, "response", "standard", notice, prio)
        if allowed is not None:
            t = max(notice + _delay(rng, allowed, 0.04), t + timedelta(seconds=1))
            rows.append({"ticket": tid, "at": t, "kind": "met", "value": "response"})
        allowed = _due(m, "resolution", "standard", notice, prio)
        late = VK_LATE[reg.month] * (1.2 if prio == "critical" else 1.0)
        if allowed is not None:
            done = max(notice + _delay(rng, allowed, late), t + timedelta(seconds=1))
            rows.append({"ticket": tid, "at": done, "kind": "resolved"})
    return rows


Generator = Callable[[int, random.Random, int], list[dict[str, Any]]]
#: log name -> (generator, default number of tickets)
PROGRAMS: dict[str, tuple[Generator, int]] = {
    "romashka_landesk": (romashka, 50_000),
    "secureco_service_support": (secureco, 50_000),
    "vk_cloud_support": (vk_cloud, 30_000),
}


def _table(rows: list[dict[str, Any]]) -> pa.Table:
    rows.sort(key=lambda r: (r["at"].astimezone(UTC), r["ticket"]))  # a log in time order, as a help desk exports it
    cols: dict[str, Any] = {f: pa.array([r.get(f) for r in rows], pa.string()) for f in FIELDS if f != "at"}
    cols["at"] = pa.array([r["at"].astimezone(UTC).replace(microsecond=0) for r in rows], pa.timestamp("us", tz="UTC"))
    return pa.table({f: cols[f] for f in FIELDS})


def write_streamed(name: str, n: int, path: Path, *, chunk: int = 50_000) -> tuple[int, int]:
    """A log of `n` tickets of program `name` (a key of PROGRAMS) written chunk by chunk (`chunk` tickets,
    each chunk in time order; the same tickets as one call would draw), in memory bounded by the chunk.
    Returns (tickets, events)."""
    make = PROGRAMS[name][0]
    rng = random.Random(f"{SEED}-{name}")
    writer: pq.ParquetWriter | None = None
    events = 0
    try:
        for start in range(0, n, chunk):
            table = _table(make(min(chunk, n - start), rng, start))
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd", use_dictionary=True)
            writer.write_table(table)
            events += table.num_rows
    finally:
        if writer is not None:
            writer.close()
    return n, events


def write(rows: list[dict[str, Any]], path: Path) -> None:
    table = _table(rows)
    pq.write_table(table, path, compression="zstd", compression_level=19, use_dictionary=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, help="tickets per program (default 50 000; VK Cloud 30 000)")
    ap.add_argument("--only", choices=sorted(PROGRAMS), action="append", help="only this log (repeatable)")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="where to write the files")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.tickets is not None and args.tickets < 1:
        ap.error("--tickets: give a positive number")
    for name, (make, default) in PROGRAMS.items():
        if args.only and name not in args.only:
            continue
        rows = make(args.tickets or default, random.Random(f"{SEED}-{name}"), 0)
        path = args.out / f"{name}.parquet"
        write(rows, path)
        print(f"{path}: {len({r['ticket'] for r in rows})} tickets, {len(rows)} events, {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
