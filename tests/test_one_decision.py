"""The evaluator and the annex cannot disagree: both render the model's decisions.

For every program (the seeds and the examples corpus) and every decision the model holds, the
generated evaluator's answer states each target with the same words, calendar, strength and clause
as the annex (Markdown and the DOCX read back), and accepts exactly what the annex's decision
table says it accepts.
"""
from __future__ import annotations

import io
import re
import random
import types
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest

from policy_lang.backends.annex.docx import render_docx
from policy_lang.backends.annex.render import AnnexConfig, environment, render_markdown
from policy_lang.backends.annex.view import build_view
from policy_lang.backends.python.emit import emit_python
from policy_lang.compiler import compile_file
from policy_lang.ru_format import quote
from policy_lang.runtime.ru_text import cite
from policy_lang.typography import typeset

ROOT = Path(__file__).resolve().parents[1] / "policies"
PROGRAMS = sorted(ROOT.glob("*.policy")) + sorted((ROOT / "examples").glob("*.policy"))
MSK = ZoneInfo("Europe/Moscow")


_MARKS = re.compile(r"(\s+(\([0-9ivxa-z]+\)|\*{1,3}))+$")


@cache
def compiled(path: Path):
    c = compile_file(path, root=ROOT if path.parent == ROOT else path.parent)
    assert c.program is not None, c.diagnostics
    prog = c.program
    m = types.ModuleType(prog.id)
    exec(compile(emit_python(prog), prog.id, "exec"), m.__dict__)
    view = build_view(prog, AnnexConfig())
    md = render_markdown(view).replace("\\", "")
    data = render_docx(view, environment("xml"))
    d = docx.Document(io.BytesIO(data))
    docx_text = "\n".join([p.text for p in d.paragraphs]
                          + [c.text for t in d.tables for row in t.rows for c in row.cells])
    return prog, m, md, docx_text


def _open_moment(cal, rng: random.Random) -> datetime:
    """A registration time at which `cal` (the channel's hours) is open, in 2026-2027."""
    for _ in range(500):
        at = datetime(2026, 1, 1, tzinfo=MSK) + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        if cal is None or cal.is_open(at):
            return at
    raise AssertionError("no open moment found")


CASES = [(p, i) for p in PROGRAMS for i in range(len(compiled(p)[0].decisions))]


@pytest.mark.parametrize("path, index", CASES, ids=[f"{p.stem}:{i}" for p, i in CASES])
def test_answer_and_annex_state_the_same_targets(path: Path, index: int) -> None:
    prog, m, md, docx_text = compiled(path)
    d = prog.decisions[index]
    rng = random.Random(f"{prog.id}:{index}")
    hours = getattr(m, f"CAL_{d.hours.upper()}") if d.hours else None
    at = _open_moment(hours, rng)
    asked = {"request": d.request} if d.request else {"priority": d.reported} if d.reported else {}
    if d.condition:  # the answer while a `reclassify … when` condition holds
        asked[d.condition] = True
    r = m.response(tier=d.tier, channel=d.channel, registered_at=at, **asked)
    assert r.accepted == d.accepted and r.priority == d.priority
    assert len(r.targets) == len(d.targets)
    for answer, applied in zip(r.targets, d.targets):
        cell = applied.cell
        assert (answer.id, answer.reading, answer.strength) == (applied.target, cell.term.reading, cell.strength)
        assert answer.calendar == cell.calendar
        # the annex prints the very words the evaluator answers, in the table the answer cites
        assert answer.text in md and answer.text in docx_text, answer.text
        assert typeset(applied.title) in md or typeset(quote(applied.title)) in md
        if answer.clause:
            # the clause without the footnote marks after it ("2.6 (4)" -> "2.6"; "уровни серьёзности" stays)
            assert cite(_MARKS.sub("", answer.clause)) in md
        if cell.calendar:
            assert typeset(quote(prog.calendar(cell.calendar).title)) in md
        if answer.strength == "efforts":
            assert "коммерчески оправданные усилия" in md
        if answer.regulated and answer.deadline is not None and applied.counted_from is None:
            assert answer.deadline > at or cell.term.seconds == 0
    if d.accepted and d.hours:
        # outside the channel's hours the same request is refused, as the annex says
        closed = None
        for _ in range(2000):
            t = datetime(2026, 1, 1, tzinfo=MSK) + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
            if not hours.is_open(t):
                closed = t
                break
        assert closed is not None
        r2 = m.response(tier=d.tier, channel=d.channel, registered_at=closed,
                        **({"request": d.request} if d.request else {"priority": d.reported} if d.reported else {}))
        assert not r2.accepted and r2.deadline is None
        assert typeset(quote(prog.calendar(d.hours).title)) in md


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_decision_table_in_the_annex_matches_the_model(path: Path) -> None:
    prog, _m, md, _docx = compiled(path)
    if not (prog.response and prog.channels):
        # no response target or no channel (a warranty, a maintenance plan): the annex prints no intake table
        assert "Прием заявок" not in md
        return
    for tier in prog.tiers:
        assert f"Прием заявок: {typeset(tier.title)}" in md
    labels = {p.id: p.short for p in prog.priorities}
    for d in prog.decisions:
        if d.condition:  # while a condition holds: stated by the reclassification, not the intake table
            assert typeset(f"классифицируется как {labels[d.priority]}") in md
        elif d.accepted and d.reported and d.priority != d.reported:
            assert f"принимается как {typeset(labels[d.priority])}" in md
