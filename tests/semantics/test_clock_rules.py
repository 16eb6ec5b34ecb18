"""Issue 19 in the language: ticket statuses, a target's clock rules, what a priority change does,
the default priority, conditional cells (a condition escalated via a channel), cells of words and
strict bounds, parsed, checked and lowered into the model and the decisions. One row per case:
a small program and what its model must say."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from policy_lang.frontend import compile_file
from policy_lang.semantics import model

NB = "\u00a0"

HEAD = '''program clocks {
    title  "Часы"
    vendor "Vendor"
}
calendar business "рабочие часы" {
    zone  "Europe/Moscow"
    hours mon-fri 09:00-18:00
}
calendar around_the_clock "круглосуточно" {
    zone "Europe/Moscow"
    always
}
channel portal "портал" { available around_the_clock }
channel phone  "телефон" { available around_the_clock }
status waiting_customer "ожидание информации от ЗАКАЗЧИКА"
status waiting_vendor   "ожидание ответа третьей стороны"
event solution_proposed "предложение решения"
event reopened          "повторное открытие заявки"
condition escalated_by_phone "эскалация заявки по телефону" when escalated via phone
tiers {
    standard "Standard" purchased
    premium  "Premium"  purchased
}
'''

PRIORITIES = '''priorities {
    P1 "Критический"
    P2 "Высокий"
    P3 "Средний"
}
'''

RESPONSE = '''response on business {
    priority standard premium
    P1       4h       2h
    P2       8h       4h
    P3       16h      8h
}
'''


def compiled(tmp_path: Path, text: str) -> model.Program:
    path = tmp_path / "clocks.policy"
    result = compile_file(path, root=tmp_path, text=text.encode("utf-8"))
    assert result.program is not None, [(d.code, d.message, d.span.line) for d in result.diagnostics]
    assert not result.diagnostics, [(d.code, d.message) for d in result.diagnostics]
    return result.program


def target(p: model.Program, ident: str) -> model.Target:
    return next(t for t in p.targets if t.id == ident)


def cell(p: model.Program, ident: str, tier: str, row: str | None) -> model.TargetCell:
    c = target(p, ident).cell(tier, row)
    assert c is not None
    return c


def decision(p: model.Program, tier: str, channel: str, reported: str | None,
             condition: str | None = None) -> model.Decision:
    found = [d for d in p.decisions if (d.tier, d.channel, d.reported, d.request, d.condition)
             == (tier, channel, reported, None, condition)]
    assert len(found) == 1, (tier, channel, reported, condition, len(found))
    return found[0]


def applied(d: model.Decision, ident: str) -> model.TargetCell:
    return next(a.cell for a in d.targets if a.target == ident)


# -- the expectations, one per case ----------------------------------------------------------

def statuses_declared_once(p: model.Program) -> None:
    assert [(s.id, s.title) for s in p.statuses] == [
        ("waiting_customer", "ожидание информации от ЗАКАЗЧИКА"), ("waiting_vendor", "ожидание ответа третьей стороны")]
    assert set(p.index.statuses) == {"waiting_customer", "waiting_vendor"}
    assert [e.id for e in p.events] == ["solution_proposed", "reopened"]  # statuses are not events


def clock_of_resolution(p: model.Program) -> None:
    clock = target(p, "resolution").clock
    assert clock == model.ClockRules(pauses=("waiting_customer", "waiting_vendor"), stops=("solution_proposed",),
                                     restarts=("reopened",))
    assert not clock.recurring and clock.stated
    assert target(p, "response").clock == model.ClockRules(pauses=("waiting_customer",))


def recurring_updates(p: model.Program) -> None:
    clock = target(p, "updates").clock
    assert clock.repeats_after == ("update", "reopened") and clock.stops == ("solution_proposed",)
    assert clock.recurring
    assert not target(p, "response").clock.stated  # a table with no rules: ClockRules()


def change_rule(expected: str) -> Callable[[model.Program], None]:
    def check(p: model.Program) -> None:
        assert p.priority_change == expected
        assert p.priority_change in model.PRIORITY_CHANGE_RULES
    return check


def default_priority_answers_no_priority(p: model.Program) -> None:
    assert p.default_priority == "P3"
    for tier in ("standard", "premium"):
        for ch in ("portal", "phone"):
            d, as_p3 = decision(p, tier, ch, None), decision(p, tier, ch, "P3")
            assert (d.reported, d.priority, d.accepted) == (None, "P3", True)
            assert d.targets == as_p3.targets
    none_first = [d.reported for d in p.decisions if (d.tier, d.channel) == ("standard", "portal")]
    assert none_first == ["P1", "P2", "P3", None]  # after the priorities, in policy order


def no_default_no_answer_for_none(p: model.Program) -> None:
    assert p.default_priority is None
    assert all(d.reported is not None for d in p.decisions)


def escalated_condition(p: model.Program) -> None:
    assert [(c.id, c.escalated_via) for c in p.conditions] == [("escalated_by_phone", "phone")]


def conditional_cell(p: model.Program) -> None:
    c = cell(p, "resolution", "premium", "P1")
    assert c.term.text == f"4{NB}рабочих часа" and c.calendar == "business"
    [(cond, alt)] = c.when
    assert cond == "escalated_by_phone"
    assert (alt.tier, alt.row, alt.calendar, alt.term.reading, alt.term.seconds) == (
        "premium", "P1", "around_the_clock", "clock", 2 * 3600)
    assert alt.text == f"2{NB}часа (круглосуточно)" and alt.when == ()
    assert c.holding("escalated_by_phone") is alt and c.holding(None) is c and c.holding("other") is c
    assert target(p, "resolution").conditions == ("escalated_by_phone",)
    # the alternative decisions: only where a cell changes while the condition holds
    alts = [d for d in p.decisions if d.condition == "escalated_by_phone"]
    assert {(d.tier, d.channel, d.reported) for d in alts} == {("premium", "portal", "P1"), ("premium", "phone", "P1")}
    for ch in ("portal", "phone"):
        base, held = decision(p, "premium", ch, "P1"), decision(p, "premium", ch, "P1", "escalated_by_phone")
        assert applied(base, "resolution") is c or applied(base, "resolution") == c
        assert applied(held, "resolution") == alt
        assert applied(held, "response") == applied(base, "response")  # other targets as they are
        assert any("при выполнении условия «эскалация заявки по телефону»: 2" in r.text for r in held.reasons)


def alternative_keeps_the_cell_s_calendar(p: model.Program) -> None:
    c = cell(p, "resolution", "standard", "P1")
    assert c.calendar == "around_the_clock" and c.strength == "efforts"
    [(_, alt)] = c.when
    # the cell's own `on` and `efforts` carry over to its alternative, which states neither
    assert (alt.calendar, alt.term.reading, alt.term.seconds, alt.strength) == ("around_the_clock", "clock", 3600,
                                                                                "efforts")


def reclassify_and_cell_conditions(p: model.Program) -> None:
    conditions = [d.condition for d in p.decisions if d.condition is not None]
    assert set(conditions) == {"no_contact", "escalated_by_phone"}
    assert conditions.index("no_contact") < conditions.index("escalated_by_phone")  # reclassify first
    held = decision(p, "premium", "portal", "P1", "no_contact")
    assert held.priority == "P2"
    assert applied(held, "resolution") == cell(p, "resolution", "premium", "P2")


def words_cell(p: model.Program) -> None:
    c = cell(p, "resolution", "standard", "P2")
    assert (c.term.reading, c.term.duration, c.term.seconds) == ("as_written", None, None)
    assert c.text == c.term.text == "по согласованию сторон" and c.within == c.text
    assert (c.calendar, c.strength, c.percentile, c.strict) == (None, "guaranteed", None, False)
    assert "as_written" in model.READINGS and "as_written" in model.UNCOMPUTED_READINGS
    d = decision(p, "standard", "portal", "P2")
    assert applied(d, "resolution") == c
    [text] = [r.text for r in d.reasons if "Срок решения" in r.text]
    assert "«по согласованию сторон»" in text and "не устанавливается" in text


def strict_cell(text: str, reading: str, seconds: int | None) -> Callable[[model.Program], None]:
    def check(p: model.Program) -> None:
        c = cell(p, "resolution", "standard", "P3")
        assert c.strict and (c.term.reading, c.term.seconds) == (reading, seconds)
        assert c.text == c.within == text and text.startswith(c.term.text) and c.term.text.startswith("менее ")
        other = cell(p, "resolution", "premium", "P3")
        assert not other.strict and not other.text.startswith("менее")
    return check


def quoted_rows_and_words(p: model.Program) -> None:
    t = target(p, "resolution")
    assert t.rows == ("1", "2", "3")
    assert cell(p, "resolution", "standard", "2").term.reading == "as_written"
    assert cell(p, "resolution", "premium", "2").term.seconds == 8 * 3600
    assert cell(p, "resolution", "premium", "3").text == "по дополнительному соглашению"


RESOLUTION = '''target resolution "Срок решения" on business {{
{fields}    priority standard premium
    P1       {p1}
    P2       8h       4h
    P3       {p3}
}}
'''


def resolution(fields: str = "", p1: str = "8h 4h", p3: str = "16h 8h") -> str:
    return RESOLUTION.format(fields="".join(f"    {f}\n" for f in fields.split(";") if f), p1=p1, p3=p3)


CASES: dict[str, tuple[str, Callable[[model.Program], None]]] = {
    "statuses": (PRIORITIES + RESPONSE, statuses_declared_once),
    "clock_rules": (PRIORITIES + RESPONSE.replace("{\n", "{\n    pause while waiting_customer\n", 1) + resolution(
        "pause while waiting_customer, waiting_vendor;stop on solution_proposed;restart on reopened"),
        clock_of_resolution),
    "recurring": (PRIORITIES + RESPONSE + resolution("repeats after update, reopened;stop on solution_proposed")
                  .replace("target resolution", "target updates"), recurring_updates),
    "priority_change_default": (PRIORITIES + RESPONSE, change_rule("recount")),
    "priority_change_keep": (PRIORITIES.replace("{\n", "{\n    on change keep\n", 1) + RESPONSE, change_rule("keep")),
    "priority_change_restart": (PRIORITIES.replace("{\n", "{\n    on change restart\n", 1) + RESPONSE,
                                change_rule("restart")),
    "default_priority": (PRIORITIES.replace("{\n", "{\n    default P3\n    on change recount\n", 1) + RESPONSE
                         + resolution(), default_priority_answers_no_priority),
    "no_default_priority": (PRIORITIES + RESPONSE, no_default_no_answer_for_none),
    "escalated_via": (PRIORITIES + RESPONSE, escalated_condition),
    "conditional_cell": (PRIORITIES + RESPONSE + resolution(p1="8h 4h when escalated_by_phone 2h on around_the_clock"),
                         conditional_cell),
    "conditional_cell_keeps_on": (PRIORITIES + RESPONSE + resolution(
        p1="4h on around_the_clock efforts when escalated_by_phone 1h  4h"), alternative_keeps_the_cell_s_calendar),
    "reclassify_and_cell_conditions": (
        PRIORITIES + RESPONSE + resolution(p1="8h 4h when escalated_by_phone 2h on around_the_clock")
        + 'condition no_contact "ЗАКАЗЧИК не указал контакт"\n'
          'reclassify without_contact {\n    when    no_contact\n    becomes P2\n}\n',
        reclassify_and_cell_conditions),
    "words_cell": (PRIORITIES + RESPONSE + resolution().replace('P2       8h', 'P2       "по согласованию сторон"'),
                   words_cell),
    "strict_working_hours": (PRIORITIES + RESPONSE + resolution(p3="< 4h 3h"),
                             strict_cell(f"менее 4{NB}рабочих часов", "working_time", 4 * 3600)),
    "strict_one_hour": (PRIORITIES + RESPONSE + resolution(p3="< 1h 3h"),
                        strict_cell(f"менее 1{NB}рабочего часа", "working_time", 3600)),
    "strict_twenty_one_hours_24x7": (PRIORITIES + RESPONSE + resolution(p3="< 21h on around_the_clock 3h"),
                                     strict_cell(f"менее 21{NB}часа (круглосуточно)", "clock", 21 * 3600)),
    "strict_compound_24x7": (PRIORITIES + RESPONSE + resolution(p3="< 17h30min on around_the_clock 3h"),
                             strict_cell(f"менее 17{NB}часов 30{NB}минут (круглосуточно)", "clock", 1050 * 60)),
    "strict_business_days": (PRIORITIES + RESPONSE + resolution(p3="< 2 business days 3h"),
                             strict_cell(f"менее 2{NB}рабочих дней", "business_days", None)),
    "quoted_rows_and_words": (
        'priorities {\n    "1" "Критический"\n    "2" "Высокий"\n    "3" "Средний"\n}\n'
        'target resolution "Срок решения" on business {\n    priority standard premium\n'
        '    "1" 4h 2h\n    "2" "по согласованию сторон" 8h\n    "3" 16h "по дополнительному соглашению"\n}\n',
        quoted_rows_and_words),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_clock_rules_in_the_model(tmp_path: Path, case: str) -> None:
    text, expect = CASES[case]
    expect(compiled(tmp_path, HEAD + text))
