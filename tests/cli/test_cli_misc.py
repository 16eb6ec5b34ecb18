"""CLI odds and ends (probe M12, m1, m8, m12): `init` never writes through a link nor tracebacks,
click's own usage errors are JSON under `--format json`, POLICY_LANG_TODAY is checked, and the
console script turns an unexpected exception into one line."""
from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from policy_lang.cli import EXIT_INTERNAL, main
from policy_lang.semantics import production_calendar

REPO = Path(__file__).resolve().parents[2]
JUNIPER = str(REPO / "policies" / "juniper_care_core.policy")


def invoke(*args: str, env: dict[str, str] | None = None):  # noqa: ANN201
    return CliRunner().invoke(main, list(args), env=env)


def _one_json(output: str) -> dict:
    doc = json.loads(output)  # the whole output: one document, nothing else
    assert isinstance(doc, dict)
    return doc


# --------------------------------------------------------------------------- init

def test_init_dir_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    f = tmp_path / "FILE"
    f.write_text("x")
    for d in (f, f / "sub"):
        res = invoke("init", "acme", "--dir", str(d))
        assert res.exit_code == 2, res.output
        assert "Traceback" not in res.output and "--dir" in res.output
    assert f.read_text() == "x"


def test_init_into_an_unwritable_directory_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open

    def refusing(path, flags, *a, **k):  # type: ignore[no-untyped-def]
        if str(path).endswith("acme.policy"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *a, **k)

    monkeypatch.setattr(os, "open", refusing)  # as root, a read-only directory does not refuse
    res = invoke("init", "acme", "--dir", str(tmp_path))
    assert res.exit_code == 2 and "cannot write" in res.output and "Permission denied" in res.output
    assert "Traceback" not in res.output


@pytest.mark.skipif(os.geteuid() != 0 or sys.platform != "linux", reason="needs root to drop to nobody")
def test_init_into_a_read_only_directory_as_another_user() -> None:
    import tempfile

    ro = Path(tempfile.mkdtemp(prefix="policyc-ro-"))  # /tmp: a path `nobody` can reach
    ro.chmod(0o555)
    code = ("import sys; from policy_lang.cli import main; "
            f"sys.argv = ['policyc', 'init', 'acme', '--dir', {str(ro)!r}]; main()")
    res = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", code],
                         capture_output=True, text=True, cwd="/", env={**os.environ, "PYTHONPATH": str(REPO)},
                         check=False)
    if "Permission denied" in res.stderr and "python" in res.stderr.split("\n")[0]:
        pytest.skip("nobody cannot run this interpreter")
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and "cannot write" in res.stderr
    assert not (ro / "acme.policy").exists()
    ro.rmdir()


def test_init_does_not_write_through_a_dangling_symlink(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    (tmp_path / "acme.policy").symlink_to(victim)
    res = invoke("init", "acme", "--dir", str(tmp_path))
    assert res.exit_code == 2 and "already exists" in res.output
    assert not victim.exists() and (tmp_path / "acme.policy").is_symlink()


def test_init_writes_a_program_that_checks(tmp_path: Path) -> None:
    res = invoke("init", "acme", "--dir", str(tmp_path / "new" / "dir"))
    assert res.exit_code == 0, res.output
    target = tmp_path / "new" / "dir" / "acme.policy"
    assert target.is_file() and (target.stat().st_mode & 0o777) == 0o644 & ~_umask()
    assert invoke("check", str(target)).exit_code == 0
    again = invoke("init", "acme", "--dir", str(tmp_path / "new" / "dir"))
    assert again.exit_code == 2 and "already exists" in again.output


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------- click's usage errors as JSON

@pytest.mark.parametrize("args, needle", [
    (["check", "--bogus-option", "--format", "json"], "--bogus-option"),
    (["check", "--format=json", "--strict=yes"], "--strict"),
    (["build", "--format", "json", "--nope"], "--nope"),
    (["query", "landesk_support", "bogus", "--format", "json"], "bogus"),
    (["query", "landesk_support", "tier", "--points", "abc", "--format", "json",
      "--policies", str(REPO / "policies")], "abc"),
    (["check", "--format", "json", "--format", "xml"], "xml"),
    (["nosuch", "--format", "json"], "nosuch"),
])
def test_click_usage_errors_are_one_json_document(args: list[str], needle: str) -> None:
    res = invoke(*args)
    assert res.exit_code == 2, res.output
    doc = _one_json(res.stdout)
    assert doc["error"]["kind"] == "usage" and needle in doc["error"]["message"]
    assert "Traceback" not in res.output


def test_text_usage_errors_stay_text() -> None:
    res = invoke("check", "--bogus-option")
    assert res.exit_code == 2 and "No such option" in res.output and not res.stdout.startswith("{")


def test_json_commands_still_work_under_the_group() -> None:
    res = invoke("check", JUNIPER, "--format", "json")
    assert res.exit_code == 0, res.output
    assert isinstance(json.loads(res.stdout)["diagnostics"], list)  # valid JSON: the envelope
    assert invoke("check", "--help", "--format", "json").exit_code == 0


# --------------------------------------------------------------------------- POLICY_LANG_TODAY

@pytest.mark.parametrize("value", ["garbage", "2027-13-01", "2027-02-30", "20270101", "2027-W01-1", "2027-1-1",
                                   "\x1b[31m2027-01-01"])
def test_policy_lang_today_garbage_is_a_usage_error(value: str) -> None:
    res = invoke("check", JUNIPER, env={"POLICY_LANG_TODAY": value})
    assert res.exit_code == 2, res.output
    assert "POLICY_LANG_TODAY" in res.output and "YYYY-MM-DD" in res.output
    assert "\x1b" not in res.output
    res = invoke("check", JUNIPER, "--format", "json", env={"POLICY_LANG_TODAY": value})
    assert res.exit_code == 2
    assert "POLICY_LANG_TODAY" in _one_json(res.stdout)["error"]["message"]


def test_policy_lang_today_valid_or_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    monkeypatch.setenv("POLICY_LANG_TODAY", "2027-10-01")
    assert production_calendar.today() == dt.date(2027, 10, 1)
    assert invoke("check", JUNIPER).exit_code == 0
    monkeypatch.setenv("POLICY_LANG_TODAY", "")
    assert production_calendar.today() == dt.date.today()
    monkeypatch.setenv("POLICY_LANG_TODAY", "2027-02-30")
    with pytest.raises(ValueError, match="POLICY_LANG_TODAY"):
        production_calendar.today()


# --------------------------------------------------------------------------- the console script

def _console(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    code = "import sys; from policy_lang.cli import main; sys.argv = ['policyc', *sys.argv[1:]]; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, **(env or {})}, check=False)


def test_console_script_json_usage_error_and_exit_codes() -> None:
    res = _console("check", "--bogus-option", "--format", "json")
    assert res.returncode == 2 and _one_json(res.stdout)["error"]["kind"] == "usage" and "Traceback" not in res.stderr
    res = _console("explain", "P9999")
    assert res.returncode == 2 and "unknown code" in res.stderr
    res = _console("explain", "p1101")
    assert res.returncode == 0 and "contract" in res.stdout


def test_console_script_turns_a_bug_into_one_line(tmp_path: Path) -> None:
    # a sitecustomize breaks one function the command calls: the console script must not traceback
    (tmp_path / "sitecustomize.py").write_text(
        "import policy_lang.diagnostics as d\n"
        "def boom(*a, **k):\n    raise KeyError('simulated bug')\n"
        "d.explain = boom\n", encoding="utf-8")
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])}
    res = _console("explain", "P1101", env=env)
    assert res.returncode == EXIT_INTERNAL, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr and "internal error: KeyError" in res.stderr
    res = _console("explain", "P1101", env={**env, "POLICY_LANG_TRACEBACK": "1"})
    assert res.returncode == 1 and "Traceback" in res.stderr
