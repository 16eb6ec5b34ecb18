"""The evaluator answers what the model decided: every decision, request types and `reclassify … when`
included.

What the annex prints is compared with the decisions and the evaluator, table by table, in
tests/backends/annex/test_agreement.py (read back from the Markdown and the DOCX). This file
checks the other side for every decision of every program: the generated evaluator's answer
(accepted, effective priority, each target's cell, reading, calendar, strength, words and clause)
is the decision's, inside the channel's hours, and outside them the request is refused.
"""
from __future__ import annotations

import random
import types
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from policy_lang.backends.python.emit import emit_python
from policy_lang.frontend import compile_file
from policy_lang.semantics import model

ROOT = Path(__file__).resolve().parents[1] / "policies"
PROGRAMS = sorted(ROOT.glob("*.policy")) + sorted((ROOT / "examples").glob("*.policy"))
MSK = ZoneInfo("Europe/Moscow")


@cache
def compiled(path: Path) -> tuple[model.Program, types.ModuleType]:
    c = compile_file(path, root=ROOT if path.parent == ROOT else path.parent)
    assert c.program is not None, c.diagnostics
    prog = c.program
    m = types.ModuleType(prog.id)
    exec(compile(emit_python(prog), prog.id, "exec"), m.__dict__)
    return prog, m


def _moment(cal: object, rng: random.Random, open_: bool) -> datetime:
    """A registration time in 2026-2027 at which `cal` (the channel's hours) is open (or closed)."""
    for _ in range(5000):
        at = datetime(2026, 1, 1, tzinfo=MSK) + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        if cal is None or cal.is_open(at) == open_:  # type: ignore[attr-defined]
            return at
    raise AssertionError("no such moment found")


def _asked(d: model.Decision) -> dict[str, object]:
    asked: dict[str, object] = {"request": d.request} if d.request else {"priority": d.reported} if d.reported else {}
    if d.condition:  # the answer while a `reclassify … when` condition holds
        asked[d.condition] = True
    return asked


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_every_answer_is_its_decision(path: Path) -> None:
    prog, m = compiled(path)
    rng = random.Random(prog.id)
    for d in prog.decisions:
        hours = getattr(m, f"CAL_{d.hours.upper()}") if d.hours else None
        at = _moment(hours, rng, True)
        r = m.response(tier=d.tier, channel=d.channel, registered_at=at, **_asked(d))
        where = (d.tier, d.channel, d.reported, d.request, d.condition, at.isoformat())
        assert (r.accepted, r.priority) == (d.accepted, d.priority), where
        assert len(r.targets) == len(d.targets), where
        for answer, applied in zip(r.targets, d.targets):
            cell = applied.cell
            assert (answer.id, answer.reading, answer.strength, answer.calendar) == (
                applied.target, cell.term.reading, cell.strength, cell.calendar), where
            assert answer.text == cell.text, where  # the words the annex prints in that cell
            assert answer.clause == applied.clause, where
            if answer.regulated and answer.deadline is not None and applied.counted_from is None:
                assert answer.deadline > at or cell.term.seconds == 0, where
        if d.accepted and d.hours:
            # outside the channel's hours the same request is refused, and says why
            closed = _moment(hours, rng, False)
            r2 = m.response(tier=d.tier, channel=d.channel, registered_at=closed, **_asked(d))
            assert not r2.accepted and r2.deadline is None, where
            assert [x.code for x in d.closed_reasons if x.code == "channel_closed"], where
