"""`policyc build` for CI: --only, --check kinds, config diagnostics, JSON, no-op builds,
all-or-nothing swaps, warnings and --strict, each error of a shared file once."""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from policy_lang.cli import main

REPO = Path(__file__).resolve().parents[2]


def invoke(*args: str):  # noqa: ANN201
    return CliRunner().invoke(main, list(args))


@pytest.fixture()
def policies(tmp_path: Path) -> Path:
    root = tmp_path / "policies"
    shutil.copytree(REPO / "policies" / "shared", root / "shared")
    for name in ("juniper_care_core.policy", "landesk_tam.policy", "annex.toml"):
        shutil.copy(REPO / "policies" / name, root / name)
    return root


def files(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def test_only_builds_the_kinds_asked_for(policies: Path, tmp_path: Path) -> None:
    out = tmp_path / "gen"
    res = invoke("build", str(policies), "--out", str(out), "--only", "python,md")
    assert res.exit_code == 0, res.output
    assert files(out) == [".manifest.json", "annex/juniper_care_core.md", "annex/landesk_tam.md",
                          "python/juniper_care_core.py", "python/landesk_tam.py"]
    assert invoke("build", "--check", str(policies), "--out", str(out), "--only", "python,md").exit_code == 0
    res = invoke("build", "--check", str(policies), "--out", str(out), "--only", "docx")
    assert res.exit_code == 1 and "missing:" in res.output and "--only docx" in res.output
    assert invoke("build", str(policies), "--out", str(out), "--only", "pyhton").exit_code == 2


def test_check_names_missing_stale_extra_and_stray(policies: Path, tmp_path: Path) -> None:
    out = tmp_path / "gen"
    assert invoke("build", str(policies), "--out", str(out), "--only", "python,md").exit_code == 0
    (out / "python" / "landesk_tam.py").unlink()
    (out / "annex" / "juniper_care_core.md").write_text("hand edit", encoding="utf-8")
    (out / "annex" / ".juniper_care_core.md.x1.tmp").write_text("half", encoding="utf-8")
    (out / "python" / "old_program.py").write_text("old", encoding="utf-8")
    res = invoke("build", "--check", str(policies), "--out", str(out), "--only", "python,md", "--format", "json")
    assert res.exit_code == 1
    report = json.loads(res.stdout)
    assert report["missing"] == ["python/landesk_tam.py"]
    assert report["stale"] == ["annex/juniper_care_core.md"]
    assert report["stray"] == ["annex/.juniper_care_core.md.x1.tmp"]
    assert report["fix"].startswith("policyc build")
    assert (out / "annex" / "juniper_care_core.md").read_text(encoding="utf-8") == "hand edit"  # nothing written
    # no build wrote the two hand-made files: a build refuses, naming them, and --force builds
    # anyway, repairing the outputs and leaving those files alone
    res = invoke("build", str(policies), "--out", str(out), "--only", "python,md")
    assert res.exit_code == 2 and "no build wrote" in res.output and "--force" in res.output
    assert "old_program.py" in res.output and "Traceback" not in res.output
    assert invoke("build", str(policies), "--out", str(out), "--only", "python,md", "--force").exit_code == 0
    assert (out / "python" / "landesk_tam.py").is_file()
    assert (out / "annex" / "juniper_care_core.md").read_text(encoding="utf-8") != "hand edit"
    assert (out / "annex" / ".juniper_care_core.md.x1.tmp").read_text(encoding="utf-8") == "half"
    assert (out / "python" / "old_program.py").read_text(encoding="utf-8") == "old"


def test_extra_outputs_are_reported_and_pruned(policies: Path, tmp_path: Path) -> None:
    """A program deleted from the policies leaves outputs the build wrote (its manifest lists them):
    `--check` names them and suggests --prune, which deletes them."""
    out = tmp_path / "gen"
    text = (policies / "juniper_care_core.policy").read_text(encoding="utf-8")
    (policies / "deleted_program.policy").write_text(
        text.replace("program juniper_care_core", "program deleted_program", 1), encoding="utf-8")
    assert invoke("build", str(policies), "--out", str(out)).exit_code == 0
    assert (out / "annex" / "deleted_program.md").is_file()
    (policies / "deleted_program.policy").unlink()
    res = invoke("build", "--check", str(policies), "--out", str(out))
    assert res.exit_code == 1 and "extra" in res.output and "--prune" in res.output
    res = invoke("build", str(policies), "--out", str(out))
    assert res.exit_code == 0 and "--prune" in res.output and (out / "annex" / "deleted_program.md").is_file()
    assert invoke("build", str(policies), "--out", str(out), "--prune").exit_code == 0
    assert not (out / "annex" / "deleted_program.md").exists()
    assert not (out / "python" / "deleted_program.py").exists()
    assert invoke("build", "--check", str(policies), "--out", str(out)).exit_code == 0


@pytest.mark.parametrize(("toml", "message", "line"), [
    ('[defaults]\nannex_numbr = "1"\n', "unknown key `annex_numbr`", 2),
    ('[defaults]\nannex_number = "1"\n[bogus]\nx = 1\n', "unknown section `bogus`", 3),
    ('[defaults]\nannex_number = \n', "not valid TOML", 2),
    ('[defaults]\ncontract_date = "tomorrow"\n', "contract_date", 2),
    ('[defaults]\ncustomer_org = "ООО \\u000b"\n', "control character", 2),
    ('[programs.no_such]\nannex_number = "1"\n', "no program `no_such`", 1),
])
def test_annex_config_errors_are_located(policies: Path, tmp_path: Path, toml: str, message: str, line: int) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(toml, encoding="utf-8")
    res = invoke("build", str(policies), "--out", str(tmp_path / "gen"), "--annex-config", str(cfg))
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert f"bad.toml:{line}:" in res.output and "error[P1001]" in res.output and message in res.output
    assert not (tmp_path / "gen").exists()


def test_missing_annex_config_and_bad_out(policies: Path, tmp_path: Path) -> None:
    res = invoke("build", str(policies), "--out", str(tmp_path / "gen"), "--annex-config", str(tmp_path / "nope.toml"))
    assert res.exit_code == 1 and "annex config file not found" in res.output
    a_file = tmp_path / "a_file"
    a_file.write_text("x", encoding="utf-8")
    res = invoke("build", str(policies), "--out", str(a_file))
    assert res.exit_code == 2 and "is a file" in res.output and "Traceback" not in res.output


def test_json_is_one_document_in_every_outcome(policies: Path, tmp_path: Path) -> None:
    out = tmp_path / "gen"
    for args in (["build", str(policies), "--out", str(out), "--only", "python", "--format", "json"],
                 ["build", str(policies), "--out", str(out), "--only", "python", "--format", "json"],
                 ["build", "--check", str(policies), "--out", str(out), "--only", "python", "--format", "json"]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout)["ok"] is True
    (policies / "juniper_care_core.policy").write_text("program broken {\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["build", str(policies), "--out", str(out), "--format", "json"])
    assert res.exit_code == 1 and json.loads(res.stdout)["diagnostics"][0]["code"].startswith("P")


def test_noop_build_renders_nothing(policies: Path, tmp_path: Path) -> None:
    out = tmp_path / "gen"
    assert invoke("build", str(policies), "--out", str(out), "--only", "python,md").exit_code == 0
    stamp = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    res = invoke("build", str(policies), "--out", str(out), "--only", "python,md")
    assert res.exit_code == 0 and "nothing changed" in res.output
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamp


def test_shared_file_errors_are_printed_once(policies: Path) -> None:
    shared = policies / "shared" / "ru_calendar.policy"
    shared.write_text(shared.read_text(encoding="utf-8").replace('zone   "Europe/Moscow"', 'zone   "Europe/Moskow"'),
                      encoding="utf-8")
    res = invoke("check", str(policies), "--format", "json")
    assert res.exit_code == 1
    codes = [d["code"] for d in json.loads(res.stdout)["diagnostics"]]
    assert codes.count("P0702") == 1  # both programs include the file: one error


def test_warnings_do_not_fail_unless_strict(policies: Path, monkeypatch) -> None:
    monkeypatch.setenv("POLICY_LANG_TODAY", "2027-10-01")  # the decree data ends in 91 days
    res = invoke("check", str(policies))
    assert res.exit_code == 0 and "warning[W0701]" in res.output
    res = invoke("check", str(policies), "--strict")
    assert res.exit_code == 1


def test_killed_builds_leave_one_consistent_set(policies: Path, tmp_path: Path) -> None:
    """SIGKILL a build at random moments: the outputs on disk always come from one build."""
    out = tmp_path / "gen"
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    cmd = [sys.executable, "-m", "policy_lang.cli", "build", str(policies), "--out", str(out), "--only", "python,md"]
    assert subprocess.run(cmd, env=env, capture_output=True).returncode == 0
    edition = policies / "landesk_tam.policy"
    rng = random.Random(8)
    for i in range(12):
        text = edition.read_text(encoding="utf-8")
        edition.write_text(text.replace(f'edition "', f'edition "r{i}-', 1), encoding="utf-8")
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if (out / ".journal.json").exists():
            # killed while publishing: the journal names the new set, the next build rolls it forward
            # and --check reports it meanwhile (tests/cli/test_build_safety.py)
            continue
        manifest = json.loads((out / ".manifest.json").read_text(encoding="utf-8"))
        import hashlib

        for name, digest in manifest["outputs"].items():
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, (i, name)
        assert not list(out.rglob("*.tmp"))
    assert subprocess.run(cmd, env=env, capture_output=True).returncode == 0


def test_colour_only_when_asked_or_on_a_terminal(policies: Path, monkeypatch) -> None:
    (policies / "juniper_care_core.policy").write_text('program broken {\n  title "a"\n}\n', encoding="utf-8")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = CliRunner().invoke(main, ["check", str(policies / "juniper_care_core.policy")], color=True)
    assert "\x1b[" in coloured.output and "error" in coloured.output
    monkeypatch.delenv("FORCE_COLOR")
    plain = CliRunner().invoke(main, ["check", str(policies / "juniper_care_core.policy")])  # not a TTY
    assert "\x1b[" not in plain.output and "error[P0102]" in plain.output
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" not in CliRunner().invoke(main, ["check", str(policies / "juniper_care_core.policy")],
                                             color=True).output


@pytest.mark.parametrize("args", [
    ["check", "--format", "json", "/nonexistent/policies"],
    ["build", "--format", "json", "/nonexistent/policies"],
    ["build", "--format", "json", "--only", "pyhton", str(REPO / "policies")],
    ["build", "--format", "json", "--out", str(REPO / "README.md"), str(REPO / "policies")],
])
def test_usage_errors_are_json_under_format_json(args) -> None:
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2
    assert json.loads(res.stdout)["error"]["kind"] == "usage"


def test_check_reads_what_build_reads(policies: Path, tmp_path: Path) -> None:
    """check ok means build works: the annex config and the contracts beside the policies are
    checked by `policyc check` with the same located diagnostics as `policyc build`."""
    assert invoke("check", str(policies)).exit_code == 0
    (policies / "annex.toml").write_text('[defaults]\nannex_numbr = "1"\n', encoding="utf-8")
    res = invoke("check", str(policies))
    assert res.exit_code == 1 and "annex.toml:2:" in res.output and "error[P1001]" in res.output
    shutil.copy(REPO / "policies" / "annex.toml", policies / "annex.toml")
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "romashka.toml").write_text(
        'program = "landesk_tam"\ntier = "gold"\nstart = 2026-12-01\nend = 2027-11-30\n', encoding="utf-8")
    for command in ("check", "build"):
        args = [command, str(policies)] + (["--out", str(tmp_path / "gen")] if command == "build" else [])
        res = invoke(*args)
        assert res.exit_code == 1 and "Traceback" not in res.output, (command, res.output)
        assert "romashka.toml:2:1: error[P1101]" in res.output and "`gold` is not a tier of landesk_tam" in res.output
