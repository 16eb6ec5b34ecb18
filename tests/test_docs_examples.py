"""Every `policy` example in docs/language.md checks clean after the documented program header."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from policy_lang.compiler import compile_file

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
HEADER = 'program example {\n    title  "Программа технической поддержки (пример)"\n    vendor "LANDESK"\n}\n'
BLOCKS = re.findall(r"```policy\n(.*?)```", DOC, re.S)
TARGETS = [b for b in BLOCKS if "target " in b or "requests {" in b]


@pytest.mark.parametrize("block", TARGETS, ids=[f"targets-{i}" for i in range(len(TARGETS))])
def test_target_examples_check(tmp_path: Path, block: str) -> None:
    shutil.copytree(ROOT / "policies" / "shared", tmp_path / "shared")
    f = tmp_path / "example.policy"
    f.write_text(HEADER + block, encoding="utf-8")
    c = compile_file(f)
    errors = [d for d in c.diagnostics if d.severity == "error"]
    assert c.program is not None and not errors, errors
    assert {t.id for t in c.program.targets} >= {"response", "restore"}


PERFORMANCE = [b for b in BLOCKS if "performance {" in b]


@pytest.mark.parametrize("block", PERFORMANCE, ids=[f"performance-{i}" for i in range(len(PERFORMANCE))])
def test_performance_agreed_terms_example_checks(tmp_path: Path, block: str) -> None:
    f = tmp_path / "example.policy"
    f.write_text(HEADER + block, encoding="utf-8")
    c = compile_file(f)
    assert c.program is not None and not [d for d in c.diagnostics if d.severity == "error"], c.diagnostics
    assert c.program.performance.precedence == "contract" and c.program.agreements
    assert c.program.defined_terms[0].term == "ЗАКАЗЧИК"
