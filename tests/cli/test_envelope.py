"""Issue 17 item 4: under `--format json` every command prints one document, the envelope of
policy_lang/schemas/envelope.schema.json, in every outcome (ok, policy errors, stale outputs, usage
errors of ours and of click, query answers and refusals, internal errors)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from policy_lang import cli
from policy_lang.cli import main

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "policy_lang" / "schemas" / "envelope.schema.json").read_text(encoding="utf-8"))
JUNIPER = str(REPO / "policies" / "juniper_care_core.policy")
BAD = str(REPO / "tests" / "bad" / "P0001_cell_name.policy")


def envelope(args: list[str], code: int, command: str | None, stdin: str | None = None,
             env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run policyc, check the exit code, that stdout is one JSON document valid under the schema."""
    res = CliRunner().invoke(main, args, input=stdin, env=env)
    assert res.exit_code == code, (args, res.output)
    assert "Traceback" not in res.output
    doc = json.loads(res.stdout)  # the whole of stdout: one document
    jsonschema.validate(doc, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert doc["command"] == command and doc["exit_code"] == code and doc["ok"] is (code == 0)
    assert (doc["error"] is None) is (code == 0)
    return doc


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_check_ok_and_policy_errors() -> None:
    doc = envelope(["check", JUNIPER, "--format", "json"], 0, "check")
    assert doc["programs"] == ["juniper_care_core"] and doc["diagnostics"] == []
    doc = envelope(["check", BAD, "--format", "json"], 1, "check")
    assert doc["error"]["kind"] == "policy" and doc["programs"] == []
    assert doc["diagnostics"][0]["code"] == "P0001" and doc["files"] == [cli.printable_path(Path(BAD))]


def test_check_warnings_are_ok_and_errors_under_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_LANG_TODAY", "2027-10-01")  # the decree data ends within 120 days: W0701
    doc = envelope(["check", JUNIPER, "--format", "json"], 0, "check")
    assert [d["code"] for d in doc["diagnostics"]] == ["W0701"] and doc["diagnostics"][0]["severity"] == "warning"
    doc = envelope(["check", JUNIPER, "--format", "json", "--strict"], 1, "check")
    assert doc["error"]["kind"] == "policy"


@pytest.mark.parametrize("args", [
    ["check", "/nonexistent/policies", "--format", "json"],                 # ours
    ["check", "--format", "json", "--stdin-filename", "x.policy", JUNIPER],  # ours
    ["check", "--bogus-option", "--format", "json"],                        # click's: no such option
    ["check", "--format=json", "--strict=yes"],                             # click's: a flag with a value
    ["check", "--format", "json", "--color", "purple"],                     # click's: bad choice
])
def test_check_usage_errors(args: list[str]) -> None:
    doc = envelope(args, 2, "check")
    assert doc["error"]["kind"] == "usage" and doc["error"]["message"]


def test_unknown_command_has_no_command() -> None:
    doc = envelope(["nosuch", "--format", "json"], 2, None)
    assert "nosuch" in doc["error"]["message"]


@pytest.fixture()
def policies(tmp_path: Path) -> Path:
    root = tmp_path / "policies"
    shutil.copytree(REPO / "policies" / "shared", root / "shared")
    shutil.copy(REPO / "policies" / "juniper_care_core.policy", root / "juniper_care_core.policy")
    return root


def test_build_outcomes(policies: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "gen")
    base = ["build", str(policies), "--out", out, "--only", "python", "--format", "json"]
    doc = envelope(base, 0, "build")
    assert doc["programs"] == ["juniper_care_core"] and doc["kinds"] == ["python"] and doc["written"] >= 1
    doc = envelope(base, 0, "build")
    assert doc["written"] == 0
    doc = envelope([*base, "--check"], 0, "build")
    assert doc["missing"] == doc["stale"] == [] and doc["fix"] is None
    (tmp_path / "gen" / "python" / "juniper_care_core.py").write_text("# edited\n", encoding="utf-8")
    doc = envelope([*base, "--check"], 1, "build")
    assert doc["error"]["kind"] == "stale" and doc["stale"] == ["python/juniper_care_core.py"]
    assert doc["fix"] and doc["fix"] in doc["error"]["message"]
    (policies / "juniper_care_core.policy").write_text("program broken {\n", encoding="utf-8")
    doc = envelope(base, 1, "build")
    assert doc["error"]["kind"] == "policy" and doc["diagnostics"][0]["code"].startswith("P0")


@pytest.mark.parametrize("extra", [
    ["--only", "pfd"],         # ours (a click callback): with a did-you-mean
    ["--out", str(REPO / "README.md")],
    ["--nope"],                # click's
])
def test_build_usage_errors(policies: Path, extra: list[str]) -> None:
    doc = envelope(["build", str(policies), "--format", "json", *extra], 2, "build")
    assert doc["error"]["kind"] == "usage"


def test_query_answer_and_refusals() -> None:
    ask = ["query", "landesk_support", "response", "--tier", "professional", "--priority", "P1",
           "--channel", "portal", "--at", "2026-03-10T10:00+03:00", "--policies", str(REPO / "policies"),
           "--format", "json"]
    doc = envelope(ask, 0, "query")
    assert doc["program"] == "landesk_support" and doc["question"] == "response"
    assert doc["answer"]["deadline"] == "2026-03-11T17:00:00+03:00"
    doc = envelope([*ask[:-2], "--at", "2026-03-10T10:00", "--format", "json"], 2, "query")  # naive instant
    assert doc["answer"] is None and doc["error"]["kind"] == "query" and "UTC offset" in doc["error"]["message"]
    doc = envelope(["query", "landesk_suport", "tier", "--points", "1", "--policies", str(REPO / "policies"),
                    "--format", "json"], 2, "query")
    assert doc["error"]["kind"] == "usage" and "landesk_support" in doc["error"]["message"]
    doc = envelope(["query", "landesk_support", "bogus", "--format", "json"], 2, "query")  # click's Choice
    assert doc["error"]["kind"] == "usage"
    doc = envelope(["query", str(REPO / "policies" / "landesk_support.policy"), "vouchers", "--tier", "enterprise",
                    "--start", "2026-03-01", "--years", "2", "--format", "json"], 0, "query")
    assert isinstance(doc["answer"], list) and len(doc["answer"]) == 2


def test_query_policy_errors(tmp_path: Path) -> None:
    bad = tmp_path / "broken.policy"
    bad.write_text("program broken {\n", encoding="utf-8")
    doc = envelope(["query", str(bad), "tier", "--points", "1", "--format", "json"], 1, "query")
    assert doc["error"]["kind"] == "policy" and doc["diagnostics"][0]["code"] == "P0001"


def test_explain_and_init(tmp_path: Path) -> None:
    doc = envelope(["explain", "P0401", "--format", "json"], 0, "explain")
    assert (doc["code"], doc["severity"]) == ("P0401", "error") and "overlap" in doc["title"]
    doc = envelope(["explain", "P041", "--format", "json"], 2, "explain")
    assert "did you mean 'P0401'" in doc["error"]["message"]
    doc = envelope(["init", "acme", "--dir", str(tmp_path), "--format", "json"], 0, "init")
    assert Path(doc["path"]).is_file()
    doc = envelope(["init", "acme", "--dir", str(tmp_path), "--format", "json"], 2, "init")
    assert "already exists" in doc["error"]["message"]


def test_check_from_stdin(tmp_path: Path) -> None:
    text = Path(BAD).read_text(encoding="utf-8")
    doc = envelope(["check", "-", "--stdin-filename", "mine/cell.policy", "--format", "json"], 1, "check", stdin=text)
    assert doc["diagnostics"][0]["path"] == "mine/cell.policy" and doc["files"] == ["mine/cell.policy"]


def test_an_internal_error_is_an_envelope_too(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "_compile_all", boom)
    doc = envelope(["check", JUNIPER, "--format", "json"], cli.EXIT_INTERNAL, "check")
    assert doc["error"]["kind"] == "internal" and "boom" in doc["error"]["message"]


def test_console_script_prints_one_envelope_for_a_usage_error() -> None:
    res = subprocess.run([sys.executable, "-c", "from policy_lang.cli import main; main()", "check",
                          "--format", "json", "--bogus"], capture_output=True, text=True, timeout=60)
    doc = json.loads(res.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert res.returncode == 2 and doc["error"]["kind"] == "usage" and "Traceback" not in res.stderr
