"""Every `policy` example in docs/language.md checks clean after the documented program header."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from policy_lang.frontend import compile_file

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


TICKET = [b for b in BLOCKS if "status " in b and "pause while" in b]


@pytest.mark.parametrize("block", TICKET, ids=[f"ticket-{i}" for i in range(len(TICKET))])
def test_ticket_life_example_checks_and_says_what_the_docs_say(tmp_path: Path, block: str) -> None:
    """The documented program: statuses, every clock field, a default and a change rule, a conditional,
    a words and a strict cell, as the reference describes them."""
    shutil.copytree(ROOT / "policies" / "shared", tmp_path / "shared")
    f = tmp_path / "example.policy"
    f.write_text(HEADER + block, encoding="utf-8")
    c = compile_file(f)
    assert c.program is not None and not [d for d in c.diagnostics if d.severity == "error"], c.diagnostics
    p = c.program
    assert [s.id for s in p.statuses] == ["waiting_customer", "waiting_vendor"]
    assert (p.default_priority, p.priority_change) == ("P3", "keep")
    clocks = {t.id: t.clock for t in p.targets}
    assert clocks["restore"].pauses == ("waiting_customer", "waiting_vendor")
    assert (clocks["restore"].stops, clocks["restore"].restarts) == (("solution_proposed",), ("reopened",))
    assert clocks["updates"].repeats_after == ("update",)
    cells = {(t.id, x.row, x.tier): x for t in p.targets for x in t.cells}
    assert cells[("response", "P3", "standard")].strict
    assert cells[("restore", "P2", "standard")].term.reading == "as_written"
    assert [cond for cond, _ in cells[("response", "P1", "premium")].when] == ["escalated_by_phone"]
    assert [x.escalated_via for x in p.conditions] == ["phone"]
