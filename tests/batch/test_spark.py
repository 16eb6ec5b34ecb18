"""The batch kernel on Spark (policy_lang/batch/spark.py), in a local session: `replay_spark` collected
equals the scalar `ticket()` of every ticket, field by field, and `attainment_spark` equals a Python
count over those answers.

Random tickets (pauses, priority changes, events that stop and restart clocks, updates of recurring
targets, `met`, resolutions, events at one instant) over a seed program and two corpus programs with
clock rules; one Spark session for the module. Java is part of the test set-up: without it the
tests fail (they do not skip), naming `.ci/system-deps test`.
"""
from __future__ import annotations

import os
import random
import shutil
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow as pa
import pytest

import policy_lang
from policy_lang.runtime.errors import PolicyQueryError

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "policies" / "landesk_support.policy"  # a seed program: working hours, tiers by points
CLOCKS = ROOT / "policies" / "examples" / "secureco_service_support.policy"  # pause while 3 statuses
REPEATS = ROOT / "policies" / "examples" / "jabetto_severity_levels.policy"  # stop on, repeats after update
PERCENTILE = ROOT / "policies" / "examples" / "vk_cloud_support.policy"  # percentile 95% per month, from an event

EVENT_SCHEMA = pa.schema([("ticket", pa.string()), ("at", pa.timestamp("us", tz="UTC")), ("kind", pa.string()),
                          ("value", pa.string()), ("priority", pa.string()), ("request", pa.string()),
                          ("tier", pa.string())])


def _java() -> None:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.fail("no Java: the Spark tests need a JVM (Java 17+); install it with `.ci/system-deps test`",
                    pytrace=False)


@pytest.fixture(scope="module")
def spark() -> Any:
    _java()
    from pyspark.sql import SparkSession

    # the Python workers must be this interpreter (the one with pyarrow and policy_lang), not `python3`
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[1]").appName("policy_lang tests/batch/test_spark.py")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "3")
               # three partitions of a small log stay three (a ticket's events must meet in one of them)
               .config("spark.sql.adaptive.coalescePartitions.enabled", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               # small Arrow batches: tickets cut by a batch's end must be carried to the next one
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "50")
               .config("spark.driver.memory", "1g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


_MODULES: dict[Path, ModuleType] = {}


def module(path: Path) -> ModuleType:
    if path not in _MODULES:
        _MODULES[path] = policy_lang.load(path)
    return _MODULES[path]


# --------------------------------------------------------------------------- random tickets


def random_log(m: ModuleType, n: int, seed: int, *, tier_column: bool = True) -> list[dict[str, Any]]:
    """`n` tickets of random events over the program's own names, in time order per ticket (ties
    included); tickets interleaved, as a log is."""
    rnd = random.Random(seed)
    statuses, events, targets = list(m.STATUSES), list(m.EVENTS), list(m.TARGETS)
    priorities, requests, channels, tiers = list(m.PRIORITIES), list(m.REQUESTS), list(m.CHANNELS), list(m.TIERS)
    rows: list[dict[str, Any]] = []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for k in range(n):
        ticket = f"T{seed}-{k:04d}"
        t = (start + timedelta(minutes=rnd.randrange(0, 360 * 24 * 60)) if rnd.random() < 0.9 else
             AT - timedelta(minutes=rnd.randrange(1, 6 * 60)))  # some still running at AT
        reg: dict[str, Any] = {"ticket": ticket, "at": t, "kind": "registered", "value": rnd.choice(channels),
                               "priority": None, "request": None,
                               "tier": rnd.choice(tiers) if tier_column and rnd.random() < 0.8 else None}
        if requests and rnd.random() < 0.2:
            reg["request"] = rnd.choice(requests)
        else:
            reg["priority"] = rnd.choice(priorities)
        rows.append(reg)
        for _ in range(rnd.randrange(0, 7)):
            t += timedelta(minutes=0 if rnd.random() < 0.1 else rnd.randrange(1, 30 * 60))
            choice = rnd.random()
            row: dict[str, Any] = {"ticket": ticket, "at": t, "kind": "status", "value": None, "priority": None,
                                   "request": None, "tier": None}
            if choice < 0.3 and statuses:
                row["value"] = rnd.choice([*statuses, None])
            elif choice < 0.45:
                row["kind"], row["value"] = "priority", rnd.choice(priorities)
            elif choice < 0.7 and events:
                row["kind"], row["value"] = "event", rnd.choice(events)
            elif choice < 0.85:
                row["kind"] = "update"
            elif choice < 0.95:
                row["kind"], row["value"] = "met", rnd.choice(targets)
            else:
                continue
            rows.append(row)
        if rnd.random() < 0.6:
            t += timedelta(minutes=rnd.randrange(1, 48 * 60))
            rows.append({"ticket": ticket, "at": t, "kind": "resolved", "value": None, "priority": None,
                         "request": None, "tier": None})
    # interleave the tickets (stable: a ticket's own events keep their order)
    rows.sort(key=lambda r: r["at"])
    return rows


# --------------------------------------------------------------------------- the scalar answers


def scalar_rows(m: ModuleType, log: list[dict[str, Any]], at: datetime, tier: str,
                refused: list[str] | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    """(ticket, target) -> the result row the scalar `ticket()` answers, one ticket at a time (the
    tickets it refuses, an error, in `refused`)."""
    by_ticket: dict[str, list[dict[str, Any]]] = {}
    for r in log:
        by_ticket.setdefault(r["ticket"], []).append(r)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    fields = ("at", "kind", "value", "priority", "request")
    for ticket, rows in by_ticket.items():
        ticket_tier = rows[0]["tier"] or tier
        try:
            answer = m.ticket(tier=ticket_tier, events=[{f: r[f] for f in fields} for r in rows], at=at)
        except PolicyQueryError:
            if refused is None:
                raise
            refused.append(ticket)
            continue
        rules = {}
        if answer.accepted:
            resp = m.response(tier=answer.tier, channel=answer.channel, registered_at=answer.registered_at,
                              priority=answer.priority if answer.request is None else None, request=answer.request)
            rules = {t.id: t for t in resp.decision.targets}
        for t in answer.targets:
            rule = rules.get(t.id)
            breach = None
            if t.state == "breached" and t.breached_at is not None:
                # (in UTC: two datetimes of one ZoneInfo subtract as wall times, across a DST change too)
                end = _utc(t.met_at) or at
                breach = max(int((end - t.breached_at.astimezone(UTC)).total_seconds()), 0)
            out[(ticket, t.id)] = {
                "ticket": ticket, "tier": answer.tier, "channel": answer.channel, "priority": answer.priority,
                "target": t.id, "state": t.state, "due": _utc(t.due), "met_at": _utc(t.met_at),
                "breached_at": _utc(t.breached_at), "breach_seconds": breach, "elapsed": t.elapsed,
                "remaining": t.remaining, "provisional": t.provisional, "cycles": t.cycles, "breaches": t.breaches,
                "strength": t.strength, "clause": t.clause,
                "percentile": float(rule.percentile[0]) if rule is not None and rule.percentile else None,
                "percentile_window": rule.percentile[1] if rule is not None and rule.percentile else None,
                "registered_at": _utc(answer.registered_at)}
    return out


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def spark_rows(df: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """The DataFrame collected through Arrow (aware UTC timestamps), keyed (ticket, target)."""
    table = df.toArrow()
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for row in table.to_pylist():
        key = (row["ticket"], row["target"])
        assert key not in out, f"two rows for {key}"
        out[key] = row
    return out


def assert_same(got: dict[tuple[str, str], dict[str, Any]], want: dict[tuple[str, str], dict[str, Any]]) -> None:
    assert set(got) == set(want), (sorted(set(got) - set(want))[:5], sorted(set(want) - set(got))[:5])
    for key, row in want.items():
        for name, value in row.items():
            assert got[key][name] == value, (key, name, got[key][name], value)


def event_frame(spark: Any, log: list[dict[str, Any]]) -> Any:
    return spark.createDataFrame(pa.Table.from_pylist(log, schema=EVENT_SCHEMA))


# --------------------------------------------------------------------------- the tests


AT = datetime(2026, 12, 20, tzinfo=UTC)  # tickets of the last days run; those registered after AT are refused


@pytest.mark.parametrize(("program", "tier", "seed"), [(SEED, "professional", 1), (CLOCKS, "partner", 2),
                                                       (REPEATS, "support", 3)])
def test_replay_spark_equals_ticket(spark: Any, program: Path, tier: str, seed: int) -> None:
    from policy_lang.batch.spark import RESULT_SCHEMA, ReplayCounts, replay_spark

    m = module(program)
    log = random_log(m, 150, seed)
    counts = ReplayCounts(spark.sparkContext)
    df = replay_spark(event_frame(spark, log), program, at=AT, tier=tier, counts=counts)
    assert df.schema == RESULT_SCHEMA
    refused: list[str] = []
    want = scalar_rows(m, log, AT, tier, refused)
    assert len(want) >= 50  # (tiers and channels without a target give no rows)
    assert_same(spark_rows(df), want)
    assert counts.tickets == 150
    assert counts.kernel_tickets + counts.fallback_tickets + counts.failed_tickets == 150
    assert sorted(t for t, _ in counts.failures) == sorted(refused)
    states = Counter(r["state"] for r in want.values())
    assert {"met", "breached", "running"} <= set(states), states  # several states, not one


def test_end_of_log_is_the_whole_log(spark: Any, tmp_path: Path) -> None:
    """at=None: every ticket stands at the last event of the whole log (not of its partition). The
    program shipped as a generated module file (what `policyc build` writes), not compiled."""
    from policy_lang.batch.spark import replay_spark

    m = module(CLOCKS)
    built = tmp_path / "secureco_service_support.py"
    built.write_text(m.__source__, encoding="utf-8")
    log = random_log(m, 80, 4)
    last = max(r["at"] for r in log)
    df = replay_spark(event_frame(spark, log), CLOCKS, tier="partner", generated=tmp_path)
    want = scalar_rows(m, log, last, "partner", [])
    assert_same(spark_rows(df), want)
    # the tickets are spread over partitions whose own last events come earlier
    assert df.rdd.getNumPartitions() >= 2
    assert any(r["state"] == "running" for r in want.values())


def test_attainment_spark_equals_a_python_count(spark: Any) -> None:
    from policy_lang.batch.spark import ReplayCounts, attainment_spark, replay_spark

    m = module(PERCENTILE)
    log = random_log(m, 300, 5)
    results = replay_spark(event_frame(spark, log), PERCENTILE, at=AT, tier="standard",
                           counts=ReplayCounts(spark.sparkContext))
    got = {(r["period"], r["tier"], r["priority"], r["target"]): r
           for r in attainment_spark(results, period="month", program=m).toArrow().to_pylist()}
    want = python_attainment(m, scalar_rows(m, log, AT, "standard", []).values())
    assert got.keys() == want.keys()
    assert len(want) >= 10
    for key, (total, met, required) in want.items():
        row = got[key]
        assert (row["total"], row["met"], row["required"]) == (total, met, required), key
        assert row["share"] == pytest.approx(100 * met / total)
        assert row["attained"] == (100 * met >= required * total)
    # and the kernel's own attainment over the same results, on one machine
    from policy_lang.batch import kernel
    from policy_lang.batch.spark import target_zones

    table = results.toArrow()
    zones = target_zones(m)
    local = kernel.attainment(table, period="month", zones=[zones.get(t, "UTC") for t in table["target"].to_pylist()])
    assert {(r["period"], r["tier"], r["priority"], r["target"]): r for r in local.to_pylist()} == got


def python_attainment(m: ModuleType, rows: Any) -> dict[tuple[str, str, str, str], tuple[int, int, float]]:
    """A straightforward count: per month of the registration (in the target calendar's zone) x tier x
    priority x target with a percentile, the tickets whose target was met or breached, and those met."""
    zones = {}
    counts: dict[tuple[str, str, str, str], list[Any]] = {}
    for r in rows:
        if r["percentile"] is None or r["state"] not in ("met", "breached"):
            continue
        tz = zones.setdefault(r["target"], _zone(m, r))
        local = r["registered_at"].astimezone(tz)
        key = (f"{local.year}-{local.month:02d}", r["tier"], r["priority"], r["target"])
        c = counts.setdefault(key, [0, 0, r["percentile"]])
        c[0] += 1
        c[1] += r["state"] == "met"
    return {k: (v[0], v[1], v[2]) for k, v in counts.items()}


def _zone(m: ModuleType, row: dict[str, Any]) -> Any:
    resp = m.response(tier=row["tier"], channel=row["channel"], registered_at=row["registered_at"],
                      priority=row["priority"])
    rule = next(t for t in resp.decision.targets if t.id == row["target"])
    return rule.calendar.tz


def test_bad_event_logs_are_clear_errors(spark: Any) -> None:
    from pyspark.sql import functions as F

    from policy_lang.batch.spark import replay_spark

    log = random_log(module(CLOCKS), 3, 6)
    df = event_frame(spark, log)
    with pytest.raises(ValueError, match="no column kind"):
        replay_spark(df.drop("kind"), CLOCKS)
    with pytest.raises(ValueError, match="naive time"):
        replay_spark(df.withColumn("at", F.col("at").cast("timestamp_ntz")), CLOCKS)
    with pytest.raises(ValueError, match="must be a timestamp"):
        replay_spark(df.withColumn("at", F.col("at").cast("string")), CLOCKS)
    with pytest.raises(ValueError, match="aware datetime"):
        replay_spark(df, CLOCKS, at=datetime(2026, 1, 1))  # a naive time


def test_a_refused_ticket_stops_a_run_without_counts(spark: Any) -> None:
    """A ticket the kernel refuses is never dropped silently: counted (ReplayCounts), or the run fails
    naming it."""
    from policy_lang.batch.spark import ReplayCounts, replay_spark

    reg = datetime(2026, 3, 3, 1, tzinfo=UTC)
    log = [{"ticket": "good", "at": reg, "kind": "registered", "value": "email", "priority": "P1", "request": None,
            "tier": "partner"},
           {"ticket": "bad", "at": reg, "kind": "registered", "value": "email", "priority": "P1", "request": None,
            "tier": "partner"},
           {"ticket": "bad", "at": reg + timedelta(hours=1), "kind": "status", "value": "no_such_status",
            "priority": None, "request": None, "tier": None}]
    with pytest.raises(Exception, match=r"1 ticket\(s\) refused, the first: ticket bad: .*no_such_status"):
        replay_spark(event_frame(spark, log), CLOCKS, at=AT).collect()
    counts = ReplayCounts(spark.sparkContext)
    rows = replay_spark(event_frame(spark, log), CLOCKS, at=AT, counts=counts).collect()
    assert {r["ticket"] for r in rows} == {"good"}
    assert (counts.tickets, counts.failed_tickets) == (2, 1)
    assert [t for t, _ in counts.failures] == ["bad"]
