"""The project's standard, run by `make test`: `mypy --strict` and `ruff check` are clean on policy_lang.

Both read their settings from pyproject.toml ([tool.mypy], [tool.ruff]); Lark's generated standalone parser
(policy_lang/syntax/_lark_parser.py) is excluded there. Both tools are dev extras (`pip install -e '.[dev]'`):
a missing one fails here too, with its "No module named ..." printed.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", tool, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600, check=False)


def test_mypy_strict_is_clean() -> None:
    res = _run("mypy", "--strict", "policy_lang")
    assert res.returncode == 0, f"mypy --strict policy_lang:\n{res.stdout}{res.stderr}"


def test_ruff_is_clean() -> None:
    res = _run("ruff", "check", "policy_lang")
    assert res.returncode == 0, f"ruff check policy_lang:\n{res.stdout}{res.stderr}"
