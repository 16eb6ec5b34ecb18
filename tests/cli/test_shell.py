"""Issue 17 item 4: a CLI that fits the shell: completion (in a real bash), --color beside NO_COLOR
and FORCE_COLOR, -q, `check -` with --stdin-filename, did-you-mean for --only and explain, and
`query ID` finding ./ID.policy."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policy_lang.cli import main

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv")) / "bin"
POLICYC = shutil.which("policyc", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
JUNIPER = REPO / "policies" / "juniper_care_core.policy"
BAD = REPO / "tests" / "bad" / "P0001_cell_name.policy"


def invoke(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, input=stdin)


# -------------------------------------------------------------------------- completion

def _complete(*words: str) -> list[str]:
    """What bash offers after `words` (the last one being completed): the script policyc prints is
    sourced in a real bash and its completion function run as bash's `complete -F` would run it."""
    assert POLICYC is not None, "the policyc console script is not installed"
    script = (
        'eval "$(policyc completion bash)" || exit 9\n'
        'complete -p policyc >/dev/null || exit 8\n'
        'COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=()\n'
        '_policyc_completion policyc 2>/dev/null\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n')
    env = {**os.environ, "PATH": f"{Path(POLICYC).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    res = subprocess.run(["bash", "--norc", "--noprofile", "-c", script, "bash", *words],
                         capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 0, res.stderr
    return [w for w in res.stdout.splitlines() if w]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_commands_options_and_choices() -> None:
    assert _complete("policyc", "bu") == ["build"]
    assert _complete("policyc", "c") == ["check", "completion"]
    assert _complete("policyc", "check", "--format", "") == ["text", "json", "github", "sarif"]
    assert _complete("policyc", "check", "--col") == ["--color", "--colour"]
    assert _complete("policyc", "explain", "P040") == ["P0401", "P0402", "P0403"]
    assert _complete("policyc", "completion", "") == ["bash", "zsh", "fish"]


def test_paths_complete_as_files_and_directories() -> None:
    """click.Path: click answers `file` / `dir`, and the script lets bash complete file names."""
    assert POLICYC is not None
    def ask(words: str, cword: int) -> str:
        env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(cword), "_POLICYC_COMPLETE": "bash_complete"}
        return subprocess.run([POLICYC], capture_output=True, text=True, env=env, timeout=60).stdout

    assert ask("policyc check pol", 2).startswith("file,")
    assert ask("policyc build --out gen", 3).startswith("file,")
    assert ask("policyc check --root pol", 3).startswith("dir,")


@pytest.mark.parametrize(("shell", "marker"), [
    ("bash", "complete -o nosort -F _policyc_completion policyc"),
    ("zsh", "#compdef policyc"),
    ("fish", "complete --no-files --command policyc"),
])
def test_completion_scripts(shell: str, marker: str) -> None:
    res = invoke("completion", shell)
    assert res.exit_code == 0 and marker in res.output and "_POLICYC_COMPLETE" in res.output


def test_completion_of_an_unknown_shell_is_a_usage_error() -> None:
    res = invoke("completion", "tcsh")
    assert res.exit_code == 2 and "tcsh" in res.output


# ------------------------------------------------------------------------------ colour

@pytest.mark.parametrize(("flag", "env", "coloured"), [
    ([], {"FORCE_COLOR": "1"}, True),
    ([], {"NO_COLOR": "1"}, False),
    ([], {}, False),                                      # not a terminal
    (["--color", "always"], {"NO_COLOR": "1"}, True),    # the flag wins
    (["--color", "never"], {"FORCE_COLOR": "1"}, False),
    (["--colour", "always"], {}, True),
])
def test_color(flag: list[str], env: dict[str, str], coloured: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    res = invoke("check", str(BAD), *flag, env=env)
    assert res.exit_code == 1 and "error" in res.output
    assert ("\x1b[" in res.output) is coloured


def test_color_in_a_pipe_of_the_real_process(tmp_path: Path) -> None:
    """FORCE_COLOR / --color always colour a pipe too (click strips colour off a non-terminal)."""
    assert POLICYC is not None
    res = subprocess.run([POLICYC, "check", str(BAD), "--color", "always"], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "NO_COLOR": "1"})
    assert res.returncode == 1 and "\x1b[" in res.stderr


# ------------------------------------------------------------------------------- quiet

def test_quiet_prints_errors_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_LANG_TODAY", "2027-10-01")  # W0701 at the calendar's `official` line
    loud = invoke("check", str(JUNIPER))
    assert loud.exit_code == 0 and "warning[W0701]" in loud.output and "ok  " in loud.output
    quiet = invoke("check", str(JUNIPER), "-q")
    assert quiet.exit_code == 0 and quiet.output == ""
    assert invoke("check", str(JUNIPER), "--quiet", "--format", "github").output == ""
    strict = invoke("check", str(JUNIPER), "-q", "--strict")  # under --strict a warning is an error
    assert strict.exit_code == 1 and "W0701" in strict.output
    bad = invoke("check", str(BAD), "-q")
    assert bad.exit_code == 1 and "error[P0001]" in bad.output and "program(s)" not in bad.output


def test_quiet_build(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(REPO / "policies" / "shared", policies / "shared")
    shutil.copy(JUNIPER, policies / JUNIPER.name)
    res = invoke("build", str(policies), "--out", str(tmp_path / "gen"), "--only", "python", "-q")
    assert res.exit_code == 0 and res.output == "" and (tmp_path / "gen" / "python" / "juniper_care_core.py").is_file()


# ------------------------------------------------------------------------------- stdin

def test_check_stdin_with_a_name_resolves_includes_from_its_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    text = JUNIPER.read_text(encoding="utf-8")
    assert 'include "shared/' in text
    res = invoke("check", "-", "--stdin-filename", "policies/juniper_care_core.policy", stdin=text)
    assert res.exit_code == 0, res.output
    assert "ok  policies/juniper_care_core.policy  (juniper_care_core)" in res.output
    broken = text.replace('title', 'titel', 1)
    res = invoke("check", "-", "--stdin-filename", "policies/juniper_care_core.policy", stdin=broken)
    assert res.exit_code == 1 and res.output.startswith("policies/juniper_care_core.policy:")
    assert "no such file" not in res.output


def test_check_stdin_without_a_name_or_with_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    text = JUNIPER.read_text(encoding="utf-8")
    res = invoke("check", "-", stdin=text)  # includes from the working directory: not there
    assert res.exit_code == 1 and "<stdin>" in res.output and "P0603" in res.output
    res = invoke("check", "-", "--root", "policies", "--stdin-filename", "policies/x.policy", stdin=text)
    assert res.exit_code == 0, res.output


def test_check_stdin_through_a_real_pipe(tmp_path: Path) -> None:
    assert POLICYC is not None
    res = subprocess.run([POLICYC, "check", "-", "--stdin-filename", str(tmp_path / "bad.policy")],
                         input=BAD.read_bytes(), capture_output=True, timeout=60)
    assert res.returncode == 1 and b"bad.policy:" in res.stderr and b"Traceback" not in res.stderr
    res = subprocess.run([POLICYC, "check", "-"], input=b"\xff\xfe junk", capture_output=True, timeout=60)
    assert res.returncode == 1 and b"P0003" in res.stderr and b"not UTF-8" in res.stderr


@pytest.mark.parametrize("args", [
    ["check", "-", str(JUNIPER)],                               # `-` is the only path
    ["check", str(JUNIPER), "--stdin-filename", "x.policy"],    # a name without `-`
    ["check", "-", "--stdin-filename", str(REPO / "policies")],  # a directory
])
def test_check_stdin_usage_errors(args: list[str]) -> None:
    res = invoke(*args, stdin="")
    assert res.exit_code == 2 and "Traceback" not in res.output


# ------------------------------------------------------------------------ did you mean

def test_only_did_you_mean() -> None:
    res = invoke("build", "--only", "python,pfd", str(REPO / "policies"))
    assert res.exit_code == 2 and "did you mean 'pdf'?" in res.output
    res = invoke("build", "--only", "xyzzy", str(REPO / "policies"))
    assert res.exit_code == 2 and "did you mean" not in res.output and "python, md, html, docx, pdf" in res.output


def test_explain_did_you_mean() -> None:
    res = invoke("explain", "P041")
    assert res.exit_code == 2 and "did you mean 'P0401'?" in res.output
    res = invoke("explain", "p0410")
    assert res.exit_code == 2 and "P0401" in res.output
    assert invoke("explain", "p0401").exit_code == 0


# ---------------------------------------------------------------------------- query ID

def test_query_finds_id_policy_in_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", "acme").exit_code == 0
    ask = ["query", "acme", "response", "--tier", "standard", "--channel", "portal", "--priority", "P1",
           "--at", "2026-03-10T10:00+03:00"]
    res = invoke(*ask)
    assert res.exit_code == 0 and "10\u00a0марта 2026" in res.output, res.output
    # policies/acme.policy, when there is one, comes first
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "acme.policy").write_text("program broken {\n", encoding="utf-8")
    assert invoke(*ask).exit_code == 1
