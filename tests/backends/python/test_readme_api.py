"""The ```python examples of the README (the evaluator API) run as written, from the repository root."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "README.md"


def blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.M | re.S)


def test_doc_has_examples() -> None:
    assert len(blocks()) >= 5


def test_doc_examples_run(capsys) -> None:
    namespace: dict[str, object] = {"__name__": "evaluator_doc"}
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        for i, block in enumerate(blocks()):  # one namespace: later blocks use earlier names
            exec(compile(block, f"{DOC.name}[python block {i}]", "exec"), namespace)
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert "Заявка принята" in out and "unknown tier 'gold'" in out
    assert "defines no vouchers" in out and "horizon" in out
