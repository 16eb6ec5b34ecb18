"""Install what you use: the runtime wheel alone runs generated evaluators (stdlib + tzdata), the
compiler wheel gives a working `policyc` without WeasyPrint, and PDF asks for the [pdf] extra."""
from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import policy_lang
from policy_lang import runtime
from policy_lang.backends.python.emit import emit_python
from policy_lang.frontend import compile_file

from ._wheels import REPO, fresh_venv, installed, pip

POLICIES = REPO / "policies"

CLIENT = """\
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import landesk_support as m

r = m.response(tier="enterprise", channel="phone", priority="P1",
               registered_at=datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Moscow")))
print(r.accepted, r.priority, r.deadline.isoformat())
import policy_lang, policy_lang.runtime
print(policy_lang.runtime.RUNTIME_API, m.RUNTIME_API, getattr(policy_lang, "__file__", None))
try:
    import policy_lang.frontend
except ModuleNotFoundError:
    print("no compiler")
print(sorted(m for m in sys.modules
             if m.split(".")[0] not in sys.stdlib_module_names and not m.startswith(("_", "__main__"))))
"""


def _module_source(pid: str = "landesk_support") -> str:
    c = compile_file(POLICIES / f"{pid}.policy", root=POLICIES)
    assert c.program is not None, c.diagnostics
    return emit_python(c.program)


def _run(python: Path, *args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return subprocess.run([str(python), "-B", *args] if python.name.startswith("python") else [str(python), *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**clean, **(env or {})})


def test_versions_agree() -> None:
    """One release number for both distributions; the compiler's range admits the runtime beside it."""
    compiler = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    rt = tomllib.loads((REPO / "runtime" / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert compiler["version"] == rt["version"] == policy_lang.__version__ == runtime.__version__
    assert rt["dependencies"] == ["tzdata>=2024.1"]
    (req,) = [d for d in compiler["dependencies"] if d.startswith("policy-lang-runtime")]
    from packaging.requirements import Requirement

    assert Requirement(req).specifier.contains(rt["version"])
    assert not [d for d in compiler["dependencies"] if "==" in d]  # ranges, never pins
    assert all("weasyprint" not in d.lower() for d in compiler["dependencies"])
    assert compiler["optional-dependencies"]["pdf"][0].startswith("weasyprint")


def test_wheels_hold_each_file_once_with_licenses_and_py_typed(wheelhouse: Path) -> None:
    (rt,) = wheelhouse.glob("policy_lang_runtime-*.whl")
    (comp,) = wheelhouse.glob("policy_lang-*.whl")
    rt_names = set(zipfile.ZipFile(rt).namelist())
    comp_names = set(zipfile.ZipFile(comp).namelist())
    shipped = {n for n in rt_names | comp_names if not n.split("/")[0].endswith(".dist-info")}
    assert not {n for n in rt_names & comp_names if n in shipped}  # no file in both: uninstalls stay whole
    assert {n for n in rt_names if n in shipped} == {
        f"policy_lang/runtime/{p.name}" for p in (REPO / "policy_lang" / "runtime").iterdir() if p.is_file()}
    assert "policy_lang/__init__.py" not in rt_names and "policy_lang/runtime/py.typed" in rt_names
    assert "policy_lang/py.typed" in comp_names and "policy_lang/syntax/_lark_parser.py" in comp_names
    assert not [n for n in comp_names if n.startswith("policy_lang/runtime/")]
    for names in (rt_names, comp_names):
        licenses = {n.rsplit("/", 1)[1] for n in names if ".dist-info/licenses/" in n}
        assert licenses == {"LICENSE", "THIRD_PARTY_NOTICES"}
    notices = (REPO / "THIRD_PARTY_NOTICES").read_text(encoding="utf-8")
    assert "_lark_parser.py" in notices and "Mozilla Public" in notices and "№" not in notices
    assert "Apache License" in (REPO / "LICENSE").read_text(encoding="utf-8")


def test_runtime_alone_runs_a_generated_module(tmp_path: Path, wheelhouse: Path) -> None:
    """A service installs policy-lang-runtime: pip list is it and tzdata; a generated module imports and
    answers; nothing but the standard library and the runtime is loaded."""
    python = fresh_venv(tmp_path / "venv")
    pip("install", "-q", "--no-index", "--find-links", str(wheelhouse), "policy-lang-runtime", python=python)
    assert set(installed(python)) == {"policy-lang-runtime", "tzdata"}
    app = tmp_path / "app"
    app.mkdir()
    source = _module_source()
    (app / "landesk_support.py").write_text(source, encoding="utf-8")
    (app / "client.py").write_text(CLIENT, encoding="utf-8")
    res = _run(python, "-s", "client.py", cwd=app)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "True P1 2026-03-10T11:00:00+03:00"
    assert lines[1] == f"{runtime.RUNTIME_API} {runtime.RUNTIME_API} None"  # policy_lang: a namespace package
    assert lines[2] == "no compiler"
    loaded = eval(lines[3])
    assert "landesk_support" in loaded and "policy_lang.runtime.evaluator" in loaded
    assert all(m == "landesk_support" or m.split(".")[0] in ("policy_lang", "tzdata") for m in loaded), loaded
    assert not [m for m in loaded if m.startswith("policy_lang.") and not m.startswith("policy_lang.runtime")]
    # a module generated for a newer runtime API refuses to import, saying which runtime to install
    newer = source.replace(f"\nRUNTIME_API = {runtime.RUNTIME_API}\n", f"\nRUNTIME_API = {runtime.RUNTIME_API + 1}\n")
    assert newer != source
    (app / "landesk_support.py").write_text(newer, encoding="utf-8")
    res = _run(python, "-s", "client.py", cwd=app)
    assert res.returncode == 1
    last = res.stderr.strip().splitlines()[-1]
    assert last == (
        f"policy_lang.runtime.RuntimeVersionError: landesk_support was generated by policy_lang "
        f"{policy_lang.__version__} for runtime API {runtime.RUNTIME_API + 1}, but the installed "
        f"policy-lang-runtime {runtime.__version__} provides runtime API {runtime._span()}: upgrade the "
        f"runtime: pip install 'policy-lang-runtime=={policy_lang.__version__}'"), res.stderr


def test_compiler_wheel_checks_and_builds_without_the_pdf_extra(tmp_path: Path, wheelhouse: Path) -> None:
    python = fresh_venv(tmp_path / "venv")
    pip("install", "-q", "--no-index", "--find-links", str(wheelhouse), "policy_lang", python=python)
    have = installed(python)
    assert {"policy-lang", "policy-lang-runtime", "attrs", "jinja2", "click", "tzdata",
            "python-docx"} <= set(have)
    assert "lark" not in have  # the parser is Lark's standalone module: checking needs no Lark
    assert "weasyprint" not in have and "pillow" not in have and "fonttools" not in have
    policyc = python.parent / "policyc"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    res = _run(policyc, "check", str(POLICIES), cwd=elsewhere)
    assert res.returncode == 0, res.stderr
    assert sum(1 for x in res.stdout.splitlines() if x.startswith("ok  ")) == 6, res.stdout
    out = tmp_path / "out"
    res = _run(policyc, "build", str(POLICIES), "--out", str(out), "--only", "python,md,html", cwd=elsewhere)
    assert res.returncode == 0, res.stderr
    assert (out / "python" / "landesk_support.py").read_text(encoding="utf-8") == _module_source()
    # the runtime comes from its own distribution, beside the compiler
    res = _run(python, "-c", "import policy_lang, policy_lang.runtime as r; print(policy_lang.__file__); "
               "print(r.__file__)", cwd=elsewhere)
    site = str(tmp_path / "venv")
    assert res.returncode == 0 and all(x.startswith(site) for x in res.stdout.split()), res
    # PDF without the [pdf] extra: a usage error naming it, before anything is written
    res = _run(policyc, "build", str(POLICIES), "--out", str(tmp_path / "pdf"), "--only", "pdf", cwd=elsewhere)
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "pip install 'policy_lang[pdf]'" in res.stderr and "Traceback" not in res.stderr, res.stderr
    assert "--only python,md,html,docx" in res.stderr
    assert not (tmp_path / "pdf").exists()


def test_module_for_another_api_is_refused_in_process() -> None:
    source = _module_source("juniper_care_core")
    for api in (runtime.OLDEST_API - 1, runtime.RUNTIME_API + 1):
        bumped = source.replace(f"\nRUNTIME_API = {runtime.RUNTIME_API}\n", f"\nRUNTIME_API = {api}\n")
        try:
            exec(compile(bumped, "juniper_care_core", "exec"), {})
        except ImportError as e:
            assert isinstance(e, runtime.RuntimeVersionError) and e.name == "juniper_care_core"
            assert f"for runtime API {api}," in str(e) and "pip install 'policy-lang-runtime==" in str(e)
            assert ("regenerate" in str(e)) == (api < runtime.OLDEST_API)
        else:
            raise AssertionError(f"a module for API {api} imported")
    exec(compile(source, "juniper_care_core", "exec"), {})  # the API it was made for: fine


if sys.platform != "linux":  # venv layout (bin/) and the Debian PDF libraries are Linux's
    import pytest

    pytestmark = pytest.mark.skip(reason="the packaging tests build venvs with the Linux layout")
