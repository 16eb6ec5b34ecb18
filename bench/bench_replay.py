"""Benchmark: `policyc replay` end to end (read Parquet, validate, compute, aggregate, write the outputs
and the Russian report) on a generated log of 1 000 000 tickets, beside the scalar `ticket()` loop.

Run: .venv/bin/python bench/bench_replay.py [--tickets N] [--scale K] [--program NAME ...] [--keep DIR]

In one run, for each program (default: the seed contract romashka_landesk and the SecureCo program):
  * the log: N tickets (default 1 000 000) drawn by examples/tickets/generate.py's generators
    (`write_streamed`, the same draws as the committed samples, more of them), Parquet, in a temp dir;
  * `policyc replay` on it as a subprocess (`python -m policy_lang.cli replay ... -q`): its wall time
    (process start to exit: imports, DuckDB reading and checking the rows, the kernel, attainment, the
    Parquet/CSV outputs and the report) and its peak resident memory (`os.wait4`'s ru_maxrss of that
    child, the same figure as getrusage(RUSAGE_CHILDREN) for one child);
  * the scalar `module.ticket()` loop over the first 10 000 tickets of the same log (median of 3), and
    that time EXTRAPOLATED linearly to N tickets (computing only: no reading, aggregating or writing);
  * with --scale K > 1 (default 2): a log of K x N tickets (the N-ticket log K times over, ticket ids
    prefixed by the copy, built by DuckDB), replayed the same way: its events and peak memory, for the
    aim "50 M events without exceeding 2 GB resident" (the figure says how many events were measured).

Aims (issue 20): 1 M tickets end to end under 30 s on this machine; 50 M events under 2 GB resident.
DuckDB's memory limit is policyc replay's default (1 GB, POLICYC_REPLAY_MEMORY); it uses both cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples" / "tickets"))

import generate  # noqa: E402

from policy_lang import load  # noqa: E402
from policy_lang.runtime.errors import PolicyQueryError  # noqa: E402

#: program -> (policyc replay arguments before --events, the program's file, tier, --at)
RUNS: dict[str, tuple[list[str], str, str, str]] = {
    "romashka_landesk": (["--contract", "contracts/romashka_landesk.toml"], "policies/landesk_support.policy",
                         "enterprise", "2027-12-01T00:00+03:00"),
    "secureco_service_support": (["policies/examples/secureco_service_support.policy"],
                                 "policies/examples/secureco_service_support.policy", "partner",
                                 "2028-01-01T00:00+11:00"),
    "vk_cloud_support": (["policies/examples/vk_cloud_support.policy"], "policies/examples/vk_cloud_support.policy",
                         "standard", "2028-01-01T00:00+03:00"),
}
SAMPLE = 10_000


def replay(name: str, events: Path, out: Path) -> dict[str, Any]:
    """policyc replay as a child process: wall seconds, peak RSS (MB), its exit code."""
    args, _, _, at = RUNS[name]
    cmd = [sys.executable, "-m", "policy_lang.cli", "replay", *args, "--events", str(events), "--at", at,
           "--out", str(out), "-q"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # reaped by wait4: Popen must not wait again
    if code not in (0, 1):  # 1: bad rows (the LANDESK log has none; refused tickets are not bad rows)
        raise SystemExit(f"policyc replay failed ({code}):\n{err}")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {"wall": wall, "rss_mb": usage.ru_maxrss / 1024, "code": code, "summary": summary}


def scalar(name: str, events: Path, n_total: int) -> tuple[float, int, int]:
    """The scalar ticket() loop over the first SAMPLE tickets of the log: median seconds, tickets, refused."""
    _, program, tier, at_text = RUNS[name]
    from datetime import datetime

    m = load(ROOT / program)
    at = datetime.fromisoformat(at_text)
    prefix = {"romashka_landesk": "R-", "secureco_service_support": "S-", "vk_cloud_support": "V-"}[name]
    wanted = {f"{prefix}{k + 1:06d}" for k in range(min(SAMPLE, n_total))}
    table = pq.read_table(events)
    table = table.filter(pc.is_in(table.column("ticket"), value_set=pa.array(sorted(wanted))))
    by_ticket: dict[str, list[dict[str, Any]]] = {}
    for row in table.to_pylist():
        ev = {k: v for k, v in row.items() if v is not None and k not in ("ticket", "tier")}
        if row["kind"] == "status" and row["value"] is None:
            ev["value"] = None  # back in work
        by_ticket.setdefault(row["ticket"], []).append(ev)
    for evs in by_ticket.values():
        evs.sort(key=lambda e: e["at"])
    times = []
    refused = 0
    for _ in range(3):
        refused = 0
        t0 = time.perf_counter()
        for evs in by_ticket.values():
            try:
                m.ticket(tier=tier, events=evs, at=at)
            except PolicyQueryError:  # the evaluator refuses the ticket: counted
                refused += 1
        times.append(time.perf_counter() - t0)
    return statistics.median(times), len(by_ticket), refused


def scaled(src: Path, dst: Path, k: int) -> int:
    """`src` K times over, ticket ids prefixed by the copy number (c0-, c1-, ...); the events written."""
    con = duckdb.connect()
    s = "'" + str(src).replace("'", "''") + "'"
    parts = " UNION ALL ".join(f"SELECT 'c{i}-' || ticket AS ticket, \"at\", kind, value, priority, request, tier "
                               f"FROM read_parquet({s})" for i in range(k))
    con.execute(f"COPY ({parts}) TO '{dst}' (FORMAT parquet, COMPRESSION zstd)")
    got = con.execute(f"SELECT count(*) FROM read_parquet('{dst}')").fetchone()
    con.close()
    return int(got[0]) if got else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--scale", type=int, default=2, help="also replay the log K times over (memory); 1: no")
    ap.add_argument("--program", action="append", choices=sorted(RUNS),
                    help="default: romashka_landesk and secureco_service_support")
    ap.add_argument("--keep", type=Path, help="keep the logs and outputs here instead of a temp dir")
    args = ap.parse_args()
    programs = args.program or ["romashka_landesk", "secureco_service_support"]
    tmp = Path(tempfile.mkdtemp(prefix="bench-replay-")) if args.keep is None else args.keep
    tmp.mkdir(parents=True, exist_ok=True)
    print(f"bench_replay: {args.tickets:,} tickets per program, {os.cpu_count()} cores, in {tmp}")
    try:
        for name in programs:
            log = tmp / f"{name}.parquet"
            t0 = time.perf_counter()
            n, events = generate.write_streamed(name, args.tickets, log)
            print(f"\n{name}: generated {n:,} tickets, {events:,} events, {log.stat().st_size / 1e6:.0f} MB "
                  f"in {time.perf_counter() - t0:.0f} s (not timed below)")
            r = replay(name, log, tmp / f"{name}_out")
            s = r["summary"]
            print(f"  policyc replay end to end     {r['wall']:7.1f} s wall  ({s['seconds']:.1f} s in replay_file, "
                  f"the rest imports and the report)  peak RSS {r['rss_mb']:6.0f} MB")
            print(f"    {s['tickets_replayed']:,} tickets replayed, {s['targets']:,} target rows, "
                  f"{s['fallback_tickets']:,} by the scalar ticket() ({100 * s['fallback_tickets'] / max(n, 1):.0f} %), "
                  f"{s['tickets_refused_outside_term']:,} refused outside the term, {s['bad_rows']} bad rows; "
                  f"{n / r['wall']:,.0f} tickets/s")
            secs, sample, refused = scalar(name, log, n)
            print(f"  scalar ticket() loop          {secs * n / sample:7.1f} s EXTRAPOLATED from {sample:,} tickets "
                  f"({secs:.2f} s, median of 3; computing only; {refused} refused)"
                  f"  -> {secs * n / sample / r['wall']:.2f}x replay's wall time")
            print(f"  aim: 1 M tickets under 30 s: {'met' if r['wall'] < 30 * n / 1e6 else 'NOT met'} "
                  f"({r['wall'] * 1e6 / n:.1f} s per million tickets)")
            if args.scale > 1:
                big = tmp / f"{name}_x{args.scale}.parquet"
                n_big = scaled(log, big, args.scale)
                log.unlink()
                rb = replay(name, big, tmp / f"{name}_x{args.scale}_out")
                print(f"  x{args.scale}: {n * args.scale:,} tickets, {n_big:,} events: {rb['wall']:7.1f} s wall, "
                      f"peak RSS {rb['rss_mb']:6.0f} MB (aim: 50 M events under 2 GB; measured at {n_big / 1e6:.1f} M)")
                big.unlink()
                shutil.rmtree(tmp / f"{name}_x{args.scale}_out", ignore_errors=True)
        print(f"\nall children: peak RSS {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
