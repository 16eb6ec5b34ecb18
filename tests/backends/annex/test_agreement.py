"""The annex states what the decisions and the evaluator say, read back from its tables.

For every seed program, every example and every contract instance, the intake tables (tier x
channel x reported priority: accepted or not, as which priority, at any time or in which
calendar's hours), the notes under them, any other sentence on a channel's hours, and the target
tables (target x tier x row: value, reading, calendar, strength) are read back from the Markdown
and from the DOCX, and compared with `Program.decisions` and with the evaluator's answers at
moments inside and outside every calendar's hours. Mutations show that the comparison fails
when one decision or one template line changes.
"""
from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import jinja2
import pytest
from agreement_readback import Block, check_with_decisions, check_with_evaluator, docx_blocks, md_blocks, read_intake, sample_times

import policy_lang
from policy_lang import model
from policy_lang.backends.annex import render
from policy_lang.backends.annex.docx import render_docx
from policy_lang.backends.annex.render import AnnexConfig, environment, render_markdown
from policy_lang.backends.annex.view import build_view
from policy_lang.backends.python.emit import emit_python
from policy_lang.compiler import compile_file
from policy_lang.instances import annex_config, instantiate, read_contract

REPO = Path(__file__).resolve().parents[3]
POLICIES = REPO / "policies"
SEEDS = sorted(POLICIES.glob("*.policy"))
EXAMPLES = sorted((POLICIES / "examples").glob("*.policy"))
CONTRACTS = sorted((REPO / "contracts").glob("*.toml"))
YEAR = 2027


@dataclass
class Built:
    program: model.Program
    md: list[Block]
    docx: list[Block]
    ask: Any  # response(tier=, channel=, priority=, registered_at=)
    is_open: Any  # (calendar id, moment) -> the evaluator's hours
    times: list[datetime]


def _module(prog: model.Program) -> types.ModuleType:
    m = types.ModuleType(prog.id)
    exec(compile(emit_python(prog), prog.id, "exec"), m.__dict__)
    return m


def _opener(m: types.ModuleType) -> Any:
    return lambda cal, at: getattr(m, f"CAL_{cal.upper()}").is_open(at)


def _render(prog: model.Program, config: AnnexConfig, out: Path) -> tuple[list[Block], list[Block]]:
    view = build_view(prog, config)
    md = render_markdown(view)
    data = render_docx(view, environment("xml"))
    (out / f"{prog.output_id}.md").write_text(md, encoding="utf-8")
    (out / f"{prog.output_id}.docx").write_bytes(data)
    return md_blocks(md), docx_blocks(data)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """Every program and contract compiled, rendered (into a session directory) and read back once."""
    out = tmp_path_factory.mktemp("agreement")
    result: dict[str, Built] = {}
    seeds: dict[str, model.Program] = {}
    for path in SEEDS + EXAMPLES:
        c = compile_file(path, root=POLICIES if path.parent == POLICIES else path.parent)
        assert c.program is not None, c.diagnostics
        prog = c.program
        if path.parent == POLICIES:
            seeds[prog.id] = prog
        m = _module(prog)
        md, dx = _render(prog, AnnexConfig(), out)
        result[path.stem] = Built(prog, md, dx, m.response, _opener(m), sample_times(prog, YEAR))
    for path in CONTRACTS:
        cf, diags = read_contract(path, seeds)
        assert cf is not None, diags
        prog = instantiate(seeds[cf.program], cf)
        bound = policy_lang.contract(path, POLICIES)
        md, dx = _render(prog, annex_config(cf), out)

        def ask(*, tier: str, bound: Any = bound, **kw: Any) -> Any:
            assert tier == bound.tier
            return bound.response(**kw)

        result[prog.output_id] = Built(prog, md, dx, ask, _opener(bound.module),
                                       [t for t in sample_times(prog, YEAR, (cf.start, cf.end))
                                        if cf.start <= t.date() <= cf.end])
    return result


CASES = [p.stem for p in SEEDS + EXAMPLES] + ["landesk_support--romashka_landesk", "landesk_tam--vektor_tam"]


@pytest.mark.parametrize("name", CASES)
def test_annex_agrees_with_decisions_and_evaluator(built: dict[str, Built], name: str) -> None:
    b = built[name]
    for fmt, blocks in (("md", b.md), ("docx", b.docx)):
        assert check_with_decisions(b.program, blocks) == [], fmt
        assert check_with_evaluator(b.program, blocks, b.ask, b.is_open, b.times) == [], fmt
    cells, _, _ = read_intake(b.program, b.md)
    if b.program.response and b.program.channels:
        # every tier's table is there and read: the comparison above had something to compare
        assert {t for t, _, _ in cells} == {t.id for t in b.program.tiers}
        assert read_intake(b.program, b.docx)[0] == cells


def test_samples_fall_inside_and_outside_every_hours_calendar(built: dict[str, Built]) -> None:
    """Every calendar a decision takes requests in is open at some sampled moment and closed at another."""
    for name, b in built.items():
        for cal in {d.hours for d in b.program.decisions if d.hours and d.accepted}:
            states = {b.is_open(cal, t) for t in b.times}
            assert states == {True, False}, (name, cal)


# --------------------------------------------------------------------------- the LANDESK bug

LANDESK = ["landesk_support", "shavlik_support", "landesk_support--romashka_landesk"]


@pytest.mark.parametrize("name", LANDESK)
def test_phone_p1_on_a_24x7_tier_is_round_the_clock(built: dict[str, Built], name: str) -> None:
    b = built[name]
    saturday_night = datetime.fromisoformat(f"{YEAR}-03-13T03:00+03:00")
    cells, notes, _ = read_intake(b.program, b.md)
    round_the_clock = [t for t in b.program.tiers if b.ask(tier=t.id, channel="phone", priority="P1",
                                                            registered_at=saturday_night).accepted]
    assert round_the_clock, "no tier takes a P1 call on Saturday at 03:00: nothing to check"
    for tier in round_the_clock:
        assert cells[(tier.id, "phone", "P1")].accepted and cells[(tier.id, "phone", "P1")].hours is None
        for note in notes:  # no sentence says the phone takes that P1 call only in hours
            if (note.tier, note.channel) == (tier.id, "phone"):
                assert note.reported is not None and "P1" not in note.reported, note


def test_the_contract_annex_says_round_the_clock_where_the_contract_evaluator_accepts() -> None:
    bound = policy_lang.contract(REPO / "contracts" / "romashka_landesk.toml", POLICIES)
    r = bound.response(channel="phone", priority="P1", registered_at=datetime.fromisoformat("2027-03-13T03:00+03:00"))
    assert r.accepted


# --------------------------------------------------------------------------- mutations

def _md(prog: model.Program, env: jinja2.Environment | None = None) -> list[Block]:
    return md_blocks(render_markdown(build_view(prog, AnnexConfig()), env))


def test_one_changed_decision_is_caught(built: dict[str, Built]) -> None:
    b = built["landesk_support"]
    prog = b.program
    i, d = next((i, d) for i, d in enumerate(prog.decisions)
                if d.tier == "enterprise" and d.channel == "phone" and d.reported == "P2")
    assert d.accepted and d.hours == "support_hours"
    for change in ({"hours": None}, {"accepted": False}, {"priority": "P3"}):
        mutated = attrs.evolve(prog, decisions=prog.decisions[:i] + (attrs.evolve(d, **change),)
                               + prog.decisions[i + 1:])
        blocks = _md(mutated)
        # the annex renders the changed decision faithfully ...
        assert check_with_decisions(mutated, blocks) == [], change
        # ... and so no longer agrees with the program's decisions nor with the evaluator
        assert check_with_decisions(prog, blocks), change
        assert check_with_evaluator(prog, blocks, b.ask, b.is_open, b.times), change


def test_one_changed_target_cell_is_caught(built: dict[str, Built]) -> None:
    b = built["landesk_support"]
    prog = b.program
    t = prog.response
    assert t is not None
    cell = next(c for c in t.cells if c.tier == "enterprise" and c.row == "P1")
    other = next(c for c in t.cells if c.text != cell.text)
    changed = attrs.evolve(t, cells=tuple(attrs.evolve(c, text=other.text) if c is cell else c for c in t.cells))
    mutated = attrs.evolve(prog, targets=tuple(changed if x is t else x for x in prog.targets))
    blocks = _md(mutated)
    assert any("target response/enterprise/P1" in x for x in check_with_decisions(prog, blocks))
    assert any("target response/enterprise/P1" in x for x in check_with_evaluator(prog, blocks, b.ask, b.is_open,
                                                                                 b.times))


def _env_with(old: str, new: str, name: str = "blocks/decisions.j2") -> jinja2.Environment:
    """An "md" environment whose template `name` has one line changed."""
    env = render._environment("md", compiled=False)
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    assert source.count(old) == 1, old
    env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({name: source.replace(old, new)}), env.loader])
    return env


@pytest.mark.parametrize("old, new", [
    # the reviewer's bug: one note per channel, whatever its cells say
    ("{{ note }}", '{{ note|replace("заявки уровней P2, P3 и P4 ", "заявки ")|replace("заявка этих уровней", "заявка") }}'),
    # cells printed in another column order
    ("{% for c in r.cells %}{% call f.cell() %}{{ c }}{% endcall %}{% endfor %}{% endcall %}\n{% endfor %}{% endcall %}\n{%- for note",
     "{% for c in r.cells|reverse %}{% call f.cell() %}{{ c }}{% endcall %}{% endfor %}{% endcall %}\n{% endfor %}{% endcall %}\n{%- for note"),
], ids=["per-channel-note", "reversed-cells"])
def test_one_changed_template_line_is_caught(built: dict[str, Built], old: str, new: str) -> None:
    b = built["landesk_support"]
    unchanged = render._environment("md", compiled=False)
    assert check_with_decisions(b.program, _md(b.program, unchanged)) == []
    blocks = _md(b.program, _env_with(old, new))
    assert check_with_decisions(b.program, blocks)
