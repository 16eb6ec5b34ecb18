"""The annex states what the decisions and the evaluator say, read back from its tables.

For every seed program, every example and every contract instance, the intake tables (tier x
channel x reported priority: accepted or not, as which priority, at any time or in which
calendar's hours), the notes under them, any other sentence on a channel's hours, and the target
tables (target x tier x row: value, reading, calendar, strength) are read back from the Markdown
and from the DOCX, and compared with `Program.decisions` and with the evaluator's answers at
moments inside and outside every calendar's hours. Mutations show that the comparison fails
when one decision or one template line changes.

A ticket's life (issue 19): every target's clock rules (pauses by status, stop and restart events,
recurring cycles), conditional cells, strict bounds, escalation conditions, the priority-change rule
and the default priority are read back from the sentences after each table and compared with the
model and with `ticket()`, for the five examples that state them and for a lab program written
here (once per priority-change rule).
"""
from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import jinja2
import pytest
from agreement_readback import (
    Block,
    check_life_with_evaluator,
    check_life_with_model,
    check_with_decisions,
    check_with_evaluator,
    docx_blocks,
    md_blocks,
    read_intake,
    read_life,
    read_targets,
    sample_times,
)

import policy_lang
from policy_lang.backends.annex import render
from policy_lang.backends.annex.docx import render_docx
from policy_lang.backends.annex.render import AnnexConfig, environment, render_markdown
from policy_lang.backends.annex.view import build_view
from policy_lang.backends.python.emit import emit_python
from policy_lang.frontend import compile_file
from policy_lang.semantics import model
from policy_lang.semantics.contracts import annex_config, instantiate, read_contract

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
    tick: Any = None  # ticket(tier=, events=, at=)


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
        result[path.stem] = Built(prog, md, dx, m.response, _opener(m), sample_times(prog, YEAR), m.ticket)
    for path in CONTRACTS:
        cf, diags = read_contract(path, seeds)
        assert cf is not None, diags
        prog = instantiate(seeds[cf.program], cf)
        bound = policy_lang.contract(path, POLICIES)
        md, dx = _render(prog, annex_config(cf), out)

        def ask(*, tier: str, bound: Any = bound, **kw: Any) -> Any:
            assert tier == bound.tier
            return bound.response(**kw)

        def tick(*, tier: str, events: Any, at: datetime, bound: Any = bound) -> Any:
            assert tier == bound.tier
            return bound.ticket(events=events, at=at)

        result[prog.output_id] = Built(prog, md, dx, ask, _opener(bound.module),
                                       [t for t in sample_times(prog, YEAR, (cf.start, cf.end))
                                        if cf.start <= t.date() <= cf.end], tick)
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


# --------------------------------------------------------------------------- a ticket's life

LIFE_EXAMPLES = ["hivemq_support", "secureco_service_support", "one_stop_support", "jabetto_severity_levels",
                 "kairos_support_priorities"]
RULES = ("recount", "keep", "restart")

#: every issue-19 construct at once: statuses, stops, a restart, a recurring target closed by an update
#: or an event, a term in days that pauses, a conditional cell on an escalation, a words cell, strict
#: bounds, a default priority and the priority-change rule `{rule}`
LAB = """program life_lab_{rule} {
    title   "Лаборатория жизни заявки"
    vendor  "Тест"
    edition "1"
    source  "tests/backends/annex/test_agreement.py"
}

parties {
    vendor   "ИСПОЛНИТЕЛЬ" "служба поддержки"
    customer "ЗАКАЗЧИК"    "клиент"
}

calendar business "рабочие часы (пн–пт 09:00–18:00, Москва)" {
    zone   "Europe/Moscow"
    hours  mon-fri 09:00-18:00
}

calendar around_the_clock "круглосуточно" {
    zone   "Europe/Moscow"
    always
}

channel portal "портал" {
    available around_the_clock
}

channel phone "телефон" {
    available around_the_clock
}

tiers {
    standard "Стандарт" purchased
    premium  "Премиум" purchased
}

priorities "Приоритет" {
    default P3
    on change {rule}
    P1 "Критический"
    P2 "Высокий"
    P3 "Обычный"
}

status waiting_customer "ожидание информации от ЗАКАЗЧИКА"
status waiting_vendor   "ожидание ответа третьей стороны"
status scheduled        "работы запланированы"

event solution_proposed "предложение решения"
event reopened          "повторное открытие заявки"
event call_held         "проведение созвона с ЗАКАЗЧИКОМ"

condition escalated_by_phone "эскалация заявки по телефону" when escalated via phone

response "Время реакции" on business {
    stop on solution_proposed
    priority  standard  premium
    P1        2h        < 1h
    P2        4h        2h
    P3        8h        4h
}

target resolution "Срок решения" on business {
    pause while waiting_customer, waiting_vendor
    stop on solution_proposed
    restart on reopened
    priority  standard  premium
    P1        8h        4h when escalated_by_phone 2h on around_the_clock
    P2        "по согласованию сторон"  24h
    P3        < 16h     12h
}

target fix "Срок устранения" on business {
    pause while waiting_customer
    stop on solution_proposed
    priority  standard         premium
    P1        2 business days  1 business day
    P2        5 business days  3 business days
    P3        10 business days 5 business days
}

target updates "Информирование о ходе работ" on business {
    repeats after update, call_held
    stop on solution_proposed
    priority  standard  premium
    P1        2h        1h
    P2        4h        2h
    P3        8h        4h
}
"""


@pytest.fixture(scope="session")
def labs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    out = tmp_path_factory.mktemp("life_lab")
    result = {}
    for rule in RULES:
        path = out / f"life_lab_{rule}.policy"
        path.write_text(LAB.replace("{rule}", rule), encoding="utf-8")
        c = compile_file(path, root=out)
        assert c.program is not None, c.diagnostics
        m = _module(c.program)
        md, dx = _render(c.program, AnnexConfig(), out)
        result[f"life_lab_{rule}"] = Built(c.program, md, dx, m.response, _opener(m), sample_times(c.program, YEAR),
                                           m.ticket)
    return result


def _working_moment(prog: model.Program) -> datetime:
    """A Wednesday 11:00 in the zone of the program's first calendar with hours: inside its hours."""
    cal = next((c for c in prog.calendars if not c.always), prog.calendars[0])
    return datetime(YEAR, 3, 10, 11, tzinfo=ZoneInfo(cal.zone))


@pytest.mark.parametrize("name", LIFE_EXAMPLES + [f"life_lab_{r}" for r in RULES])
def test_a_tickets_life_agrees_with_the_model_and_ticket(built: dict[str, Built], labs: dict[str, Built],
                                                         name: str) -> None:
    b = built.get(name) or labs[name]
    at = _working_moment(b.program)
    for fmt, blocks in (("md", b.md), ("docx", b.docx)):
        assert check_with_decisions(b.program, blocks) == [], fmt  # the tables, and check_life_with_model
        assert check_life_with_model(b.program, blocks) == [], fmt
        assert check_life_with_evaluator(b.program, blocks, b.ask, b.tick, at) == [], fmt
    # something was read: the rules the program states, its conditional and strict cells
    life, cells = read_life(b.program, b.md), read_targets(b.program, b.md)
    for t in b.program.targets:
        if t.clock.stated:
            assert t.id in life.clocks, t.id
    assert any(c.when for c in cells.values()) == any(c.when for t in b.program.targets for c in t.cells)
    assert any(c.strict for c in cells.values()) == any(c.strict for t in b.program.targets for c in t.cells)
    assert read_life(b.program, b.docx) == life


def test_the_lab_states_every_construct(labs: dict[str, Built]) -> None:
    """The lab program exercises what no example does: a restart, a cycle closed by an event, a term in
    days that pauses, words, a default priority and each priority-change rule."""
    for rule in RULES:
        b = labs[f"life_lab_{rule}"]
        life = read_life(b.program, b.md)
        assert life.clocks["resolution"].restarts == ("reopened",)
        assert life.clocks["updates"].repeats_after == ("update", "call_held")
        assert life.clocks["fix"].pauses == ("waiting_customer",)
        assert life.default == "P3"
        assert life.change == (rule, ("escalated_by_phone",))
        assert life.escalations == {"escalated_by_phone": "phone"}
        assert read_targets(b.program, b.md)[("resolution", "standard", "P2")].reading == "as_written"


def _life_md(prog: model.Program) -> list[Block]:
    return md_blocks(render_markdown(build_view(prog, AnnexConfig())))


def _with_target(prog: model.Program, target: str, **change: Any) -> model.Program:
    return attrs.evolve(prog, targets=tuple(attrs.evolve(t, **change) if t.id == target else t for t in prog.targets))


def test_a_dropped_pause_status_is_caught(built: dict[str, Built]) -> None:
    b = built["secureco_service_support"]
    prog = b.program
    t = next(t for t in prog.targets if t.id == "resolution")
    mutated = _with_target(prog, "resolution", clock=attrs.evolve(t.clock, pauses=t.clock.pauses[1:]))
    blocks = _life_md(mutated)
    assert check_with_decisions(mutated, blocks) == []  # the annex states the mutated model faithfully ...
    assert any("clock resolution" in x for x in check_with_decisions(prog, blocks))  # ... not the program's
    bad = check_life_with_evaluator(prog, blocks, b.ask, b.tick, _working_moment(prog))
    assert any(f"in status {t.clock.pauses[0]}" in x for x in bad), bad  # and ticket() still pauses in it


def test_a_dropped_stop_event_and_a_dropped_cycle_are_caught(built: dict[str, Built]) -> None:
    b = built["one_stop_support"]
    prog = b.program
    t = next(t for t in prog.targets if t.id == "updates")
    for clock in (attrs.evolve(t.clock, stops=()), attrs.evolve(t.clock, repeats_after=())):
        blocks = _life_md(_with_target(prog, "updates", clock=clock))
        assert any("clock updates" in x for x in check_with_decisions(prog, blocks)), clock
        assert check_life_with_evaluator(prog, blocks, b.ask, b.tick, _working_moment(prog)), clock


def test_a_dropped_conditional_cell_is_caught(built: dict[str, Built]) -> None:
    b = built["hivemq_support"]
    prog = b.program
    t = next(t for t in prog.targets if t.id == "response")
    plain = tuple(attrs.evolve(c, when=()) for c in t.cells)
    blocks = _life_md(_with_target(prog, "response", cells=plain))
    assert any("conditional response/extended/P1" in x for x in check_with_decisions(prog, blocks))
    # the escalation sentence goes with the cell; ticket() still answers the alternative while it holds
    assert any("escalation" in x for x in check_with_decisions(prog, blocks))


def test_a_lost_strict_bound_is_caught(built: dict[str, Built]) -> None:
    b = built["kairos_support_priorities"]
    prog = b.program
    t = next(t for t in prog.targets if t.id == "response")
    cells = tuple(attrs.evolve(c, strict=False, text=c.text.removeprefix("менее ")) for c in t.cells)
    blocks = _life_md(_with_target(prog, "response", cells=cells))
    assert any("strict response" in x for x in check_with_decisions(prog, blocks))
    bad = check_life_with_evaluator(prog, blocks, b.ask, b.tick, _working_moment(prog))
    assert any("met at its due time: the annex says met, ticket() breached" in x for x in bad), bad


@pytest.mark.parametrize("rule, printed", [("recount", "restart"), ("restart", "keep"), ("keep", "restart")])
def test_a_misstated_priority_change_rule_is_caught(labs: dict[str, Built], rule: str, printed: str) -> None:
    b = labs[f"life_lab_{rule}"]
    blocks = _life_md(attrs.evolve(b.program, priority_change=printed))
    assert any("priority change" in x for x in check_with_decisions(b.program, blocks))
    bad = check_life_with_evaluator(b.program, blocks, b.ask, b.tick, _working_moment(b.program))
    assert any(f"({printed})" in x for x in bad), bad
