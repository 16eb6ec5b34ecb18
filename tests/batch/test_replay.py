"""`policyc replay`: a ticket event log (CSV, JSON lines, Parquet) through the command, compared with
the scalar `ticket()` of every ticket; every kind of bad row with its line and reason; the report and
its charts; the JSON envelope against its schema; the [batch] extra missing."""
from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from policy_lang import load
from policy_lang.cli import main

REPO = Path(__file__).resolve().parents[2]
PROGRAM = REPO / "policies" / "examples" / "secureco_service_support.policy"
CONTRACT = REPO / "contracts" / "romashka_landesk.toml"
SCHEMA = json.loads((REPO / "policy_lang" / "schemas" / "envelope.schema.json").read_text(encoding="utf-8"))
SYDNEY = ZoneInfo("Australia/Sydney")
FIELDS = ("ticket", "at", "kind", "value", "priority", "request", "tier")
COMPARED = ("state", "due", "met_at", "breached_at", "elapsed", "remaining", "provisional", "cycles", "breaches")


@pytest.fixture(scope="module")
def secureco() -> ModuleType:
    return load(PROGRAM)


def _log(n: int, seed: int) -> list[dict[str, Any]]:
    """n tickets of the SecureCo program: pauses (waiting statuses), priority changes, met, resolutions."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    start = datetime(2027, 1, 4, 9, 0, tzinfo=SYDNEY)
    for k in range(n):
        t = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 80))
        tid = f"T{k:04d}"
        rows.append({"ticket": tid, "at": t, "kind": "registered", "value": rng.choice(["portal", "email", "phone"]),
                     "priority": rng.choice(["P1", "P2", "P3", "P4"]), "tier": "partner"})
        for _ in range(rng.randrange(0, 5)):
            t += timedelta(minutes=rng.randrange(1, 600))
            what = rng.random()
            if what < 0.5:
                rows.append({"ticket": tid, "at": t, "kind": "status",
                             "value": rng.choice(["waiting_partner", "waiting_vendor", "on_hold", None])})
            elif what < 0.7:
                rows.append({"ticket": tid, "at": t, "kind": "priority", "value": rng.choice(["P1", "P2", "P3", "P4"])})
            elif what < 0.85:
                rows.append({"ticket": tid, "at": t, "kind": "met", "value": "response"})
            else:
                break
        if rng.random() < 0.8:
            t += timedelta(minutes=rng.randrange(1, 60 * 24 * 6))
            rows.append({"ticket": tid, "at": t, "kind": "resolved"})
    rng.shuffle(rows)  # a log is in no particular order: replay sorts each ticket by time
    return rows


def _text(v: Any) -> str:
    return "" if v is None else v.isoformat() if isinstance(v, datetime) else str(v)


def _write(rows: list[dict[str, Any]], path: Path) -> Path:
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(FIELDS)
            for r in rows:
                w.writerow([_text(r.get(f)) for f in FIELDS])
    elif path.suffix == ".jsonl":
        path.write_text("".join(json.dumps({f: _text(r[f]) if f == "at" else r.get(f) for f in FIELDS if f in r}) + "\n"
                                for r in rows), encoding="utf-8")
    else:
        cols: dict[str, Any] = {f: pa.array([r.get(f) for r in rows], pa.string()) for f in FIELDS if f != "at"}
        cols["at"] = pa.array([r["at"].astimezone(UTC) for r in rows], pa.timestamp("us", tz="UTC"))
        pq.write_table(pa.table({f: cols[f] for f in FIELDS}), path)
    return path


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, ["replay", *args], catch_exceptions=False)


def _expected(m: ModuleType, rows: list[dict[str, Any]], at: datetime) -> dict[tuple[str, str], dict[str, Any]]:
    """The scalar ticket() of every ticket: (ticket, target) -> the compared fields."""
    by: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by.setdefault(r["ticket"], []).append(r)
    out = {}
    for tid, evs in by.items():
        evs.sort(key=lambda r: r["at"])
        a = m.ticket(tier="partner", events=[{k: r.get(k) for k in ("at", "kind", "value", "priority", "request")}
                                             for r in evs], at=at)
        for s in a.targets:
            d = {f: getattr(s, f) for f in COMPARED}
            d["priority"] = a.priority
            out[(tid, s.id)] = d
    return out


def _got(out: Path) -> dict[tuple[str, str], dict[str, Any]]:
    t = pq.read_table(out / "targets.parquet").to_pylist()
    return {(r["ticket"], r["target"]): {f: r[f] for f in (*COMPARED, "priority")} for r in t}


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_replay_equals_scalar_ticket(secureco: ModuleType, tmp_path: Path, suffix: str) -> None:
    rows = _log(60, seed=7)
    log = _write(rows, tmp_path / f"events{suffix}")
    at = datetime(2027, 3, 1, 12, 0, tzinfo=SYDNEY)
    r = _run(str(PROGRAM), "--events", str(log), "--at", at.isoformat(), "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output + r.stderr
    got = _got(tmp_path / "out")
    want = _expected(secureco, rows, at)
    assert set(got) == set(want)
    for key in want:
        assert got[key] == want[key], key
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["tickets"] == summary["tickets_replayed"] == 60
    assert summary["bad_rows"] == 0 and summary["targets"] == len(want)
    # the outputs: CSV beside Parquet, attainment, no JSON unless asked
    assert (tmp_path / "out" / "targets.csv").read_text(encoding="utf-8").count("\n") == len(want) + 1
    assert pq.read_table(tmp_path / "out" / "attainment.parquet").column_names[:4] == ["period", "tier", "priority", "target"]
    assert not (tmp_path / "out" / "targets.json").exists()


def test_chunks_never_split_a_ticket(tmp_path: Path) -> None:
    rows = _log(40, seed=11)
    log = _write(rows, tmp_path / "events.parquet")
    at = "2027-03-01T12:00+11:00"
    assert _run(str(PROGRAM), "--events", str(log), "--at", at, "--out", str(tmp_path / "a")).exit_code == 0
    assert _run(str(PROGRAM), "--events", str(log), "--at", at, "--out", str(tmp_path / "b"), "--chunk", "7",
                "--json").exit_code == 0
    assert pq.read_table(tmp_path / "a" / "targets.parquet").equals(pq.read_table(tmp_path / "b" / "targets.parquet"))
    assert pq.read_table(tmp_path / "a" / "attainment.parquet").equals(pq.read_table(tmp_path / "b" / "attainment.parquet"))
    assert len(json.loads((tmp_path / "b" / "targets.json").read_text(encoding="utf-8"))) == \
        pq.read_table(tmp_path / "a" / "targets.parquet").num_rows


#: (line, reason) of every bad row of BAD_CSV; the header is line 1
BAD_CSV = """ticket,at,kind,value,priority,request,tier
G1,2027-01-04T10:00+10:00,registered,portal,P1,,partner
G1,2027-01-04T10:30+10:00,resolved,,,,
,2027-01-04T10:00+10:00,registered,portal,P1,,partner
B1,,registered,portal,P1,,partner
B2,yesterday,registered,portal,P1,,partner
B3,2027-01-04T10:00,registered,portal,P1,,partner
B4,2301-01-04T10:00+10:00,registered,portal,P1,,partner
B5,2027-01-04T10:00+10:00,registered,portal,P1,,partner
B5,2027-01-04T10:05+10:00,phoned,,,,
B6,2027-01-04T10:00+10:00,registered,,P1,,partner
B7,2027-01-04T10:00+10:00,registered,fax,P1,,partner
B8,2027-01-04T10:00+10:00,registered,portal,P9,,partner
B9,2027-01-04T10:00+10:00,registered,portal,,,partner
B10,2027-01-04T10:00+10:00,registered,portal,,bug,partner
B11,2027-01-04T10:00+10:00,registered,portal,P1,,gold
B12,2027-01-04T10:00+10:00,registered,portal,P1,,
B13,2027-01-04T10:00+10:00,registered,portal,P1,,partner
B13,2027-01-04T10:10+10:00,status,lunch,,,
B14,2027-01-04T10:00+10:00,registered,portal,P1,,partner
B14,2027-01-04T10:10+10:00,event,reopened,,,
B15,2027-01-04T10:00+10:00,registered,portal,P1,,partner
B15,2027-01-04T10:10+10:00,condition,vip,,,
B16,2027-01-04T10:00+10:00,registered,portal,P1,,partner
B16,2027-01-04T10:10+10:00,met,answer,,,
B17,2027-01-04T09:00+10:00,status,on_hold,,,
B17,2027-01-04T10:00+10:00,registered,portal,P1,,partner
B18,2027-01-04T10:00+10:00,registered,portal,P1,,partner
B18,2027-01-04T11:00+10:00,registered,portal,P2,,partner
B19,2027-01-04T10:00+10:00,registered,portal,P1,,partner
B19,2027-01-04T10:10+10:00,priority,P7,,,
B20,2027-01-04T10:00+10:00,registered,portal,P1,,partner
B20,2027-01-04T10:10+10:00,resolved,,,,
B20,2027-01-04T10:10+10:00,resolved,,,,
"""
BAD = [(4, "missing_ticket"), (5, "missing_time"), (6, "bad_time"), (7, "naive_time"), (8, "out_of_range"),
       (10, "unknown_kind"), (11, "missing_channel"), (12, "unknown_channel"), (13, "unknown_priority"),
       (14, "missing_priority"), (15, "unknown_request"), (16, "unknown_tier"), (17, "missing_tier"),
       (19, "unknown_status"), (21, "unknown_event"), (23, "unknown_condition"), (25, "unknown_target"),
       (26, "first_not_registration"), (29, "second_registration"), (31, "unknown_priority"), (34, "duplicate")]


def test_every_bad_row_is_reported_with_its_line_and_counted(tmp_path: Path) -> None:
    log = tmp_path / "bad.csv"
    log.write_text(BAD_CSV, encoding="utf-8")
    r = _run(str(PROGRAM), "--events", str(log), "--out", str(tmp_path / "out"), "--format", "json")
    assert r.exit_code == 1
    doc = json.loads(r.output)
    jsonschema.validate(doc, SCHEMA)
    assert [(b["line"], b["reason"]) for b in doc["bad_rows"]] == BAD
    summary = doc["summary"]
    by_reason: dict[str, int] = {}
    for _, reason in BAD:
        by_reason[reason] = by_reason.get(reason, 0) + 1
    assert summary["bad_rows_by_reason"] == by_reason and summary["bad_rows"] == len(BAD)
    # every ticket with a bad row is left out whole; the row without a ticket belongs to none
    assert summary["tickets_left_out"] == 20 and summary["tickets_replayed"] == 1
    assert {r["ticket"] for r in pq.read_table(tmp_path / "out" / "targets.parquet").to_pylist()} == {"G1"}
    with (tmp_path / "out" / "bad_rows.csv").open(encoding="utf-8", newline="") as fh:
        assert [(int(row["line"]), row["reason"]) for row in csv.DictReader(fh)] == BAD
    # the text form: one line per bad row, file:line: reason
    text = _run(str(PROGRAM), "--events", str(log), "--out", str(tmp_path / "out2"))
    assert text.exit_code == 1
    for line, reason in BAD:
        assert f"{log}:{line}: {reason}: " in text.stderr


def test_jsonl_lines_count_blank_lines(tmp_path: Path) -> None:
    log = tmp_path / "e.jsonl"
    log.write_text('{"ticket": "A", "at": "2027-01-04T10:00+10:00", "kind": "registered", "value": "portal", '
                   '"priority": "P1", "tier": "partner"}\n\n'
                   '{"ticket": "A", "at": "2027-01-04T10:30", "kind": "resolved"}\n', encoding="utf-8")
    doc = json.loads(_run(str(PROGRAM), "--events", str(log), "--out", str(tmp_path / "o"), "--format", "json").output)
    assert [(b["line"], b["reason"], b["ticket"]) for b in doc["bad_rows"]] == [(3, "naive_time", "A")]


def test_parquet_rows_are_numbered_from_one(tmp_path: Path) -> None:
    rows = [{"ticket": "A", "at": datetime(2027, 1, 4, 10, tzinfo=SYDNEY), "kind": "registered", "value": "portal",
             "priority": "P1", "tier": "partner"},
            {"ticket": "A", "at": datetime(2027, 1, 4, 11, tzinfo=SYDNEY), "kind": "status", "value": "lunch"}]
    log = _write(rows, tmp_path / "e.parquet")
    doc = json.loads(_run(str(PROGRAM), "--events", str(log), "--out", str(tmp_path / "o"), "--format", "json").output)
    assert [(b["line"], b["reason"]) for b in doc["bad_rows"]] == [(2, "unknown_status")]


def test_report_has_one_chart_per_target_and_is_deterministic(tmp_path: Path) -> None:
    log = _write(_log(80, seed=3), tmp_path / "events.parquet")
    for out in ("a", "b"):
        r = _run(str(PROGRAM), "--events", str(log), "--at", "2027-04-01T00:00+11:00", "--out", str(tmp_path / out))
        assert r.exit_code == 0, r.stderr
    a = tmp_path / "a"
    targets = sorted({r["target"] for r in pq.read_table(a / "targets.parquet").to_pylist()})
    assert targets == ["resolution", "response"]
    md = (a / "report.md").read_text(encoding="utf-8")
    page = (a / "report.html").read_text(encoding="utf-8")
    for t in targets:
        png = a / f"chart_{t}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"](chart_{t}.png)" in md and f'src="chart_{t}.png"' in page
        assert png.read_bytes() == (tmp_path / "b" / png.name).read_bytes()
    assert sorted(p.name for p in a.glob("*.png")) == [f"chart_{t}.png" for t in targets]
    assert md == (tmp_path / "b" / "report.md").read_text(encoding="utf-8")
    assert "Время реакции (Response Target)" in md and "В журнале 80\u00a0заявок" in md
    assert "Просрочка" in md  # some tickets breached, listed with how late


def test_contract_refuses_tickets_outside_its_term(tmp_path: Path) -> None:
    log = tmp_path / "c.csv"
    log.write_text("ticket,at,kind,value,priority\n"
                   "IN,2027-03-01T10:00+03:00,registered,phone,P1\n"
                   "IN,2027-03-01T12:00+03:00,resolved,,\n"
                   "OUT,2027-12-15T10:00+03:00,registered,phone,P2\n", encoding="utf-8")
    r = _run("--contract", str(CONTRACT), "--events", str(log), "--out", str(tmp_path / "o"), "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    jsonschema.validate(doc, SCHEMA)
    assert doc["summary"]["tickets_refused_outside_term"] == 1 and doc["summary"]["tickets_replayed"] == 1
    assert {x["ticket"] for x in pq.read_table(tmp_path / "o" / "targets.parquet").to_pylist()} == {"IN"}
    assert "№ 17/2026-ТП" in (tmp_path / "o" / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("args, needle", [
    (["--events", "nosuch.csv", "--out", "o"], "no such file"),
    (["--events", "x.txt", "--out", "o"], "*.csv, *.jsonl or *.parquet"),
    (["--events", "ok.csv", "--out", "o", "--at", "2027-01-01T10:00"], "UTC offset"),
    (["--events", "ok.csv", "--out", "."], "is the current directory"),
    (["--events", "ok.csv", "--out", "o", "--tier", "gold"], "unknown tier"),
])
def test_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], needle: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.txt").write_text("", encoding="utf-8")
    _write(_log(2, seed=1), tmp_path / "ok.csv")
    r = _run(str(PROGRAM), *args)
    assert r.exit_code == 2 and needle in r.stderr, r.stderr
    doc = json.loads(_run(str(PROGRAM), *args, "--format", "json").output)
    jsonschema.validate(doc, SCHEMA)
    assert doc["command"] == "replay" and doc["error"]["kind"] == "usage" and needle in doc["error"]["message"]
    assert not (tmp_path / "o").exists()


def test_missing_batch_extra_is_a_usage_error(tmp_path: Path) -> None:
    log = _write(_log(2, seed=1), tmp_path / "e.csv")
    code = ("import sys; sys.modules['duckdb'] = None\n"  # `import duckdb` raises ImportError, as when not installed
            "from policy_lang.cli import main\n"
            f"main(['replay', {str(PROGRAM)!r}, '--events', {str(log)!r}, '--out', {str(tmp_path / 'o')!r}])")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert p.returncode == 2, p.stderr
    assert "[batch] extra (duckdb is not installed)" in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "o").exists()
