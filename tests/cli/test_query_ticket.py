"""`policyc query PROGRAM ticket --events FILE`: JSON lines, CSV, stdin, a bad row with its line number
(exit 2, one JSON envelope that validates against the schema), the answer equal to ticket()'s."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import policy_lang
from policy_lang.cli import main
from policy_lang.runtime.ticket import TicketEvent

REPO = Path(__file__).resolve().parents[2]
PROGRAM = REPO / "policies" / "landesk_support.policy"
SCHEMA = json.loads((REPO / "policy_lang" / "schemas" / "envelope.schema.json").read_text(encoding="utf-8"))
AT = "2026-03-10T12:30+03:00"
ROWS = [
    {"at": "2026-03-10T10:00+03:00", "kind": "registered", "value": "phone", "priority": "P1"},
    {"at": "2026-03-10T10:40+03:00", "kind": "met", "value": "response"},
]


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, ["query", str(PROGRAM), "ticket", *args], input=stdin)
    return r.exit_code, r.stdout, r.stderr


def _jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    lines = ["at,kind,value,priority"] + [",".join(r.get(k, "") for k in ("at", "kind", "value", "priority"))
                                           for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _expected() -> dict[str, object]:
    m = policy_lang.load(PROGRAM)
    events = [TicketEvent.from_mapping(r) for r in ROWS]
    return m.ticket(tier="enterprise", events=events, at=datetime.fromisoformat(AT)).as_dict()


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_answer_as_json_equals_ticket(tmp_path: Path, kind: str) -> None:
    path = (_jsonl if kind == "jsonl" else _csv)(tmp_path / f"t.{kind}", ROWS)
    code, out, _ = _run("--tier", "enterprise", "--events", str(path), "--at", AT, "--format", "json")
    assert code == 0, out
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    assert doc["question"] == "ticket" and doc["answer"] == _expected()
    assert doc["answer"]["targets"][0]["state"] == "met"


def test_text_and_stdin(tmp_path: Path) -> None:
    text = "".join(json.dumps(r) + "\n" for r in ROWS)
    code, out, err = _run("--tier", "enterprise", "--events", "-", "--events-format", "jsonl", "--at", AT, stdin=text)
    assert code == 0, err
    assert out.startswith("Заявка принята, приоритет P1.\n")
    assert "выполнено в срок" in out
    code, out, err = _run("--tier", "enterprise", "--events", "-", "--at", AT, stdin=text)
    assert code == 2 and "--events-format" in err


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_bad_rows_are_reported_with_their_lines(tmp_path: Path, kind: str) -> None:
    rows = [ROWS[0], {"at": "yesterday", "kind": "update"}, ROWS[1], {"at": "2026-03-10T11:00+03:00", "kind": "update",
                                                                     "value": "x", "priority": "P1"}]
    path = (_jsonl if kind == "jsonl" else _csv)(tmp_path / f"t.{kind}", rows)
    if kind == "jsonl":  # and a line that is not JSON at all, after a blank line
        path.write_text(path.read_text(encoding="utf-8") + "\n{not json\n", encoding="utf-8")
    code, out, _ = _run("--tier", "enterprise", "--events", str(path), "--at", AT, "--format", "json")
    assert code == 2
    doc = json.loads(out)  # one envelope
    jsonschema.validate(doc, SCHEMA)
    assert doc["error"]["kind"] == "events" and doc["answer"] is None
    lines = [r["line"] for r in doc["bad_rows"]]
    assert lines == ([2, 6] if kind == "jsonl" else [3])
    assert "ISO 8601" in doc["bad_rows"][0]["message"]
    assert f"{len(lines)} bad row(s)" in doc["error"]["message"]
    code, out, err = _run("--tier", "enterprise", "--events", str(path), "--at", AT)
    assert code == 2 and f"{path}:{lines[0]}:" in err and "Traceback" not in err


def test_an_unknown_target_is_reported_at_its_line(tmp_path: Path) -> None:
    rows = [ROWS[0], {"at": "2026-03-10T10:40+03:00", "kind": "met", "value": "nosuch"}]
    path = _csv(tmp_path / "t.csv", rows)
    code, out, _ = _run("--tier", "enterprise", "--events", str(path), "--at", AT, "--format", "json")
    doc = json.loads(out)
    assert code == 2 and doc["bad_rows"][0]["line"] == 3 and "unknown target" in doc["bad_rows"][0]["message"]


def test_missing_events_and_contract(tmp_path: Path) -> None:
    code, out, _ = _run("--tier", "enterprise", "--at", AT, "--format", "json")
    assert code == 2 and "--events" in json.loads(out)["error"]["message"]
    path = _jsonl(tmp_path / "t.jsonl", [dict(ROWS[0], at="2027-03-10T10:00+03:00")])
    r = CliRunner().invoke(main, ["query", "-", "ticket", "--contract", str(REPO / "contracts" / "romashka_landesk.toml"),
                                  "--policies", str(REPO / "policies"), "--events", str(path),
                                  "--at", "2027-03-10T10:30+03:00", "--format", "json"])
    assert r.exit_code == 0, r.stdout
    answer = json.loads(r.stdout)["answer"]
    assert answer["tier"] == "enterprise" and answer["accepted"] is True
