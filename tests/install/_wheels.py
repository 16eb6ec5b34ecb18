"""Real wheels of both distributions and a wheelhouse of their dependencies, built once per session.

The wheels are built from this checkout with `pip wheel --no-build-isolation --no-deps` (hatchling is
in the dev extras); the dependencies are downloaded once at the versions of constraints/pins.txt into
a wheelhouse, so every venv the tests make installs with `--no-index --find-links` (offline after the
first download; PIP_FIND_LINKS may point at a local wheelhouse instead of the index).
"""
from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PINS = REPO / "constraints" / "pins.txt"


def pip(*args: str, python: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """This venv's pip, acting on `python`'s environment when given (`pip --python`)."""
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    if python is not None:
        cmd += ["--python", str(python)]
    res = subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, f"pip {' '.join(args)}\n{res.stdout}\n{res.stderr}"
    return res


def build_wheels(out: Path) -> dict[str, Path]:
    """{"runtime": policy_lang_runtime-*.whl, "compiler": policy_lang-*.whl} built from the checkout."""
    for project in (REPO / "runtime", REPO):
        pip("wheel", "--no-build-isolation", "--no-deps", "-q", "-w", str(out), str(project))
    (runtime,) = out.glob("policy_lang_runtime-*.whl")
    (compiler,) = out.glob("policy_lang-*.whl")
    return {"runtime": runtime, "compiler": compiler}


def download_dependencies(out: Path) -> None:
    """The compiler's dependencies (without the [pdf] extra) at their pinned versions, into `out`."""
    pip("download", "-q", "-d", str(out), "-c", str(PINS), "--only-binary", ":all:",
        "lark", "attrs", "jinja2", "click", "tzdata", "python-docx")


def fresh_venv(path: Path) -> Path:
    """A new venv without pip (pip list is then exactly what we installed); its python."""
    venv.EnvBuilder(with_pip=False, clear=True, symlinks=True).create(path)
    return path / "bin" / "python"


def installed(python: Path) -> dict[str, str]:
    """{normalized name: version} of every distribution in `python`'s environment, as pip lists them."""
    res = pip("list", "--format", "json", python=python)
    return {d["name"].lower().replace("_", "-"): d["version"] for d in json.loads(res.stdout)}
