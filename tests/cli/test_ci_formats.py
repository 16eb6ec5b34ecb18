"""Issue 17 item 4: `--format github` (workflow commands, escaped as actions/toolkit escapes them)
and `--format sarif` (SARIF 2.1.0: the structure GitHub code scanning and other readers require)."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from policy_lang import diagnostics, report
from policy_lang.cli import main
from policy_lang.diagnostics import Diagnostic, Label, Span

REPO = Path(__file__).resolve().parents[2]
JUNIPER = str(REPO / "policies" / "juniper_care_core.policy")
BAD = str(REPO / "tests" / "bad" / "P0001_cell_name.policy")
COMMAND = re.compile(r"^::(error|warning)( [^:]*)?::(.*)$")


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def _unescape(text: str) -> str:
    return text.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def _parse(line: str) -> tuple[str, dict[str, str], str]:
    m = COMMAND.match(line)
    assert m, line
    props = dict(p.split("=", 1) for p in (m.group(2) or "").strip().split(",") if p)
    for value in props.values():
        assert ":" not in value and "," not in value and "\n" not in value
    return m.group(1), {k: _unescape(v) for k, v in props.items()}, _unescape(m.group(3))


# ------------------------------------------------------------------------------ github

def test_github_escapes_data_and_properties() -> None:
    d = Diagnostic("P0401", "50% off,\r\nnext: line", Label(Span("dir,a/b:c%.policy", 3, 5, 3, 9)),
                   notes=("n1",), help="h")
    line = report.github([d])
    assert "\n" not in line and "\r" not in line
    assert line.startswith("::error file=dir%2Ca/b%3Ac%25.policy,line=3,col=5,endColumn=8,title=P0401::")
    # in the message `:` and `,` stay; a control character in the policy's own text is shown escaped
    # (as everywhere we print), the lines of notes and help are joined by an escaped LF
    assert "::50%25 off,\\x0d\\x0anext: line%0Anote: n1%0Ahelp: h" in line
    level, props, message = _parse(line)
    assert level == "error" and props["file"] == "dir,a/b:c%.policy" and props["title"] == "P0401"
    assert message == "50% off,\\x0d\\x0anext: line\nnote: n1\nhelp: h"
    assert report._gh_data("a%\r\nb:,") == "a%25%0D%0Ab:,"
    assert report._gh_property("a%\r\nb:,") == "a%25%0D%0Ab%3A%2C"


def test_github_multiline_spans_give_end_line_and_no_columns() -> None:
    d = Diagnostic("W0701", "soon", Label(Span("p.policy", 2, 1, 4, 3)), severity="warning")
    level, props, _ = _parse(report.github([d]))
    assert level == "warning" and props == {"file": "p.policy", "line": "2", "endLine": "4", "title": "W0701"}
    level, _, _ = _parse(report.github([d], strict=True))
    assert level == "error"


def test_github_terminal_controls_are_escaped() -> None:
    d = Diagnostic("P0005", "bad \x1b[31m", Label(Span("p.policy", 1, 1, 1, 2)))
    assert "\x1b" not in report.github([d])


def test_check_format_github() -> None:
    res = invoke("check", BAD, JUNIPER, "--format", "github")
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    assert lines and all(COMMAND.match(line) for line in lines), res.stdout
    level, props, _ = _parse(lines[0])
    assert level == "error" and props["title"] == "P0001" and props["file"].endswith("P0001_cell_name.policy")
    assert int(props["line"]) >= 1
    ok = invoke("check", JUNIPER, "--format", "github")
    assert ok.exit_code == 0 and "::" not in ok.stdout


def test_github_usage_error_is_an_annotation_and_exit_2() -> None:
    res = invoke("check", "/nonexistent", "--format", "github")
    assert res.exit_code == 2 and res.stdout.startswith("::error title=policyc check usage error::")
    res = invoke("check", "--bogus", "--format", "github")
    assert res.exit_code == 2 and res.stdout.startswith("::error ")


# ------------------------------------------------------------------------------- sarif

def _sarif(*args: str, code: int) -> dict[str, Any]:
    res = invoke(*args, "--format", "sarif")
    assert res.exit_code == code, res.output
    doc = json.loads(res.stdout)  # the whole of stdout
    _assert_sarif(doc)
    return doc


def _assert_sarif(doc: dict[str, Any]) -> None:
    """What SARIF 2.1.0 requires (sarif-schema-2.1.0.json: log, run, tool, toolComponent, result,
    location, region, invocation) and what we promise: rule ids, levels, code-point columns."""
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    assert isinstance(doc["runs"], list) and len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "policyc"
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert ids == list(diagnostics.CODES) and len(set(ids)) == len(ids)
    for r in rules:
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"]
        assert r["defaultConfiguration"]["level"] in ("error", "warning")
    assert run["columnKind"] == "unicodeCodePoints"
    for inv in run["invocations"]:
        assert isinstance(inv["executionSuccessful"], bool)
        for n in inv.get("toolExecutionNotifications", []):
            assert n["message"]["text"]
    for res in run["results"]:
        assert res["level"] in ("error", "warning", "note", "none")
        assert res["message"]["text"]
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        for loc in res["locations"] + res.get("relatedLocations", []):
            phys = loc["physicalLocation"]
            assert isinstance(phys["artifactLocation"]["uri"], str) and phys["artifactLocation"]["uri"]
            region = phys["region"]
            assert region["startLine"] >= 1 and region["startColumn"] >= 1
            assert region["endLine"] >= region["startLine"]
            if region["endLine"] == region["startLine"]:
                assert region["endColumn"] > region["startColumn"]  # exclusive, as SARIF's


def test_check_sarif_results() -> None:
    doc = _sarif("check", BAD, JUNIPER, code=1)
    run = doc["runs"][0]
    assert run["invocations"][0] == {"executionSuccessful": True, "exitCode": 1}
    first = run["results"][0]
    assert first["ruleId"] == "P0001" and first["level"] == "error"
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("P0001_cell_name.policy")
    clean = _sarif("check", JUNIPER, code=0)
    assert clean["runs"][0]["results"] == []


def test_sarif_relative_paths_are_relative_uris(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    doc = _sarif("check", "tests/bad/P0001_cell_name.policy", code=1)
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": "tests/bad/P0001_cell_name.policy", "uriBaseId": "%SRCROOT%"}


def test_sarif_usage_error_is_a_failed_invocation() -> None:
    doc = _sarif("check", "/nonexistent", code=2)
    inv = doc["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False and inv["exitCode"] == 2
    assert "/nonexistent" in inv["toolExecutionNotifications"][0]["message"]["text"]
    doc = _sarif("check", "--bogus", code=2)
    assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_sarif_secondary_labels_are_related_locations() -> None:
    d = Diagnostic("P0202", "duplicate", Label(Span("a.policy", 3, 5, 3, 9), "second"),
                   secondary=(Label(Span("/abs/b.policy", 1, 1, 1, 4), "first"),))
    doc = report.sarif([d], 1)
    _assert_sarif(doc)
    rel = doc["runs"][0]["results"][0]["relatedLocations"][0]
    assert rel["id"] == 0 and rel["message"]["text"] == "first"
    assert rel["physicalLocation"]["artifactLocation"]["uri"] == "file:///abs/b.policy"


def test_build_sarif_and_github(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(REPO / "policies" / "shared", policies / "shared")
    shutil.copy(JUNIPER, policies / "juniper_care_core.policy")
    out = str(tmp_path / "gen")
    doc = _sarif("build", str(policies), "--out", out, "--only", "python", code=0)
    assert doc["runs"][0]["results"] == []
    (policies / "juniper_care_core.policy").write_text("program broken {\n", encoding="utf-8")
    doc = _sarif("build", str(policies), "--out", out, "--only", "python", code=1)
    assert doc["runs"][0]["results"][0]["ruleId"] == "P0001"
    res = invoke("build", str(policies), "--out", out, "--only", "python", "--format", "github")
    assert res.exit_code == 1 and res.stdout.startswith("::error file=")


def test_build_check_github_annotates_each_stale_file(tmp_path: Path) -> None:
    """`build --check --format github` in CI: every stale or missing generated file is an `::error` on
    that file, with the command that fixes it (not only text on stderr)."""
    policies = tmp_path / "policies"
    shutil.copytree(REPO / "policies" / "shared", policies / "shared")
    shutil.copy(JUNIPER, policies / "juniper_care_core.policy")
    out = tmp_path / "gen"
    assert invoke("build", str(policies), "--out", str(out), "--only", "python,md").exit_code == 0
    res = invoke("build", "--check", str(policies), "--out", str(out), "--only", "python,md", "--format", "github")
    assert res.exit_code == 0 and "::error" not in res.stdout
    (out / "annex" / "juniper_care_core.md").write_text("edited by hand\n", encoding="utf-8")
    (out / "python" / "juniper_care_core.py").unlink()
    res = invoke("build", "--check", str(policies), "--out", str(out), "--only", "python,md", "--format", "github")
    assert res.exit_code == 1
    lines = [line for line in res.stdout.splitlines() if line.startswith("::error")]
    assert len(lines) == 2, res.stdout
    stale = next(line for line in lines if "juniper_care_core.md" in line)
    missing = next(line for line in lines if "juniper_care_core.py" in line)
    assert "title=policyc build --check%3A stale" in stale and "policyc build" in stale.split("::", 2)[2]
    assert "title=policyc build --check%3A missing" in missing
