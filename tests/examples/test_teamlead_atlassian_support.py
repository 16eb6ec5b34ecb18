"""TeamLead «Уровни обслуживания (SLA)» (policies/examples/teamlead_atlassian_support.policy).

Every expected value is worked out by hand from the source text quoted in the policy's header; the
comment next to each case shows the arithmetic. Working time: Monday to Friday 10:00-18:00
Europe/Moscow (+03:00), Russian production calendar (the policy's assumption). «Время реакции
измеряется на протяжении всего жизненного цикла решения инцидента»: the reaction term stops at the
specialist's reaction and runs again, in full, from every new message of the customer.
"""
from __future__ import annotations

import types
from datetime import datetime

from _example_module import example_module

from policy_lang.runtime.ticket import event, registered

PID = "teamlead_atlassian_support"


def module() -> types.ModuleType:
    return example_module(PID)


def t(s: str) -> datetime:
    return datetime.fromisoformat(s)


REG = registered(t("2026-12-07T11:00+03:00"), "service_desk", priority="P1")


def test_the_reaction_term_runs_again_for_every_customer_message() -> None:
    m = module()
    # SLA 2, P1, Mon 7 Dec 11:00: 4 working hours -> 15:00; the specialist reacts at 12:00: met
    first = m.ticket(tier="sla2_standard", events=[REG, event(t("2026-12-07T12:00+03:00"), "specialist_reaction")],
                     at=t("2026-12-07T16:00+03:00")).target("response")
    assert (first.state, first.due, first.met_at) == ("met", t("2026-12-07T15:00+03:00"), t("2026-12-07T12:00+03:00"))
    # the customer writes again Tue 8 Dec 17:00: 4 working hours anew -> Tue 17-18 (1 h) + Wed 10-13;
    # at Wed 10:30 1 h 30 min counted, 2 h 30 min left, the second cycle
    events = [REG, event(t("2026-12-07T12:00+03:00"), "specialist_reaction"),
              event(t("2026-12-08T17:00+03:00"), "customer_message")]
    now = m.ticket(tier="sla2_standard", events=events, at=t("2026-12-09T10:30+03:00")).target("response")
    assert (now.state, now.due, now.cycles, now.elapsed, now.remaining) == (
        "running", t("2026-12-09T13:00+03:00"), 2, 5400, 9000)
    # no reaction by Wed 14:00: breached at 13:00
    late = m.ticket(tier="sla2_standard", events=events, at=t("2026-12-09T14:00+03:00")).target("response")
    assert (late.state, late.breached_at) == ("breached", t("2026-12-09T13:00+03:00"))
    # a reaction at Wed 12:30 keeps the second term as well
    ok = m.ticket(tier="sla2_standard", events=[*events, event(t("2026-12-09T12:30+03:00"), "specialist_reaction")],
                  at=t("2026-12-09T14:00+03:00")).target("response")
    assert (ok.state, ok.cycles, ok.breaches, ok.met_at) == ("met", 2, 0, t("2026-12-09T12:30+03:00"))


def test_a_message_before_the_reaction_does_not_extend_the_term() -> None:
    # the customer adds a message at 12:00, before any reaction: the running term stays due 15:00
    a = module().ticket(tier="sla2_standard", events=[REG, event(t("2026-12-07T12:00+03:00"), "customer_message")],
                        at=t("2026-12-07T13:00+03:00")).target("response")
    assert (a.state, a.due, a.cycles) == ("running", t("2026-12-07T15:00+03:00"), 1)


def test_sla_0_has_no_reaction_term() -> None:
    a = module().ticket(tier="sla0_free", events=[registered(t("2026-12-07T11:00+03:00"), "service_desk",
                                                             priority="P0")], at=t("2026-12-07T12:00+03:00"))
    assert a.target("response").state == "not_regulated"
