"""A year of ticket events for two programs, deterministic (a fixed seed): the sample `policyc replay` reads.

* `romashka_landesk.parquet`: the seed contract contracts/romashka_landesk.toml (LANDESK support,
  tier enterprise), its term 2026-12-01 .. 2027-11-30 (the contract's year; a few tickets registered
  after it show the refusal outside the term);
* `secureco_service_support.parquet`: the corpus program policies/examples/secureco_service_support.policy
  (tier partner), 2027-01-01 .. 2027-12-31, Sydney: waiting-for-partner and waiting-for-vendor
  pauses, On Hold, priority changes, reopenings (back in work after a wait that followed the answer).

Response and resolution times are drawn around each ticket's own due time (the program's
`target_deadline()`), with a long tail, so that most targets are met and some are breached.

    python examples/tickets/generate.py [--tickets N] [--out DIR]

N tickets per program (default 50 000: ~100 000 in all); the files are Parquet (zstd), one row per
event, columns ticket, at (timestamp, UTC), kind, value, priority, request, tier.
"""
from __future__ import annotations

import argparse
import random
import sys
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


def romashka(n: int, rng: random.Random) -> list[dict[str, Any]]:
    m = load(REPO / "policies" / "landesk_support.policy")
    tz = ZoneInfo("Europe/Moscow")
    first = datetime(2026, 12, 1, tzinfo=tz)
    rows: list[dict[str, Any]] = []
    for k in range(n):
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


def secureco(n: int, rng: random.Random) -> list[dict[str, Any]]:
    m = load(REPO / "policies" / "examples" / "secureco_service_support.policy")
    tz = ZoneInfo("Australia/Sydney")
    first = datetime(2027, 1, 1, tzinfo=tz)
    waits = ["waiting_partner", "waiting_partner", "waiting_vendor", "on_hold"]
    rows: list[dict[str, Any]] = []
    for k in range(n):
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


def write(rows: list[dict[str, Any]], path: Path) -> None:
    rows.sort(key=lambda r: (r["at"].astimezone(UTC), r["ticket"]))  # a log in time order, as a help desk exports it
    cols: dict[str, Any] = {f: pa.array([r.get(f) for r in rows], pa.string()) for f in FIELDS if f != "at"}
    cols["at"] = pa.array([r["at"].astimezone(UTC).replace(microsecond=0) for r in rows], pa.timestamp("us", tz="UTC"))
    table = pa.table({f: cols[f] for f in FIELDS})
    pq.write_table(table, path, compression="zstd", compression_level=19, use_dictionary=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=50_000, help="tickets per program (default 50 000)")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="where to write the files")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, make in (("romashka_landesk", romashka), ("secureco_service_support", secureco)):
        rows = make(args.tickets, random.Random(f"{SEED}-{name}"))
        path = args.out / f"{name}.parquet"
        write(rows, path)
        print(f"{path}: {len({r['ticket'] for r in rows})} tickets, {len(rows)} events, {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
