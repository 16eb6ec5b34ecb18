"""Kairos Technology support priorities (policies/examples/kairos_support_priorities.policy).

Every expected value is worked out by hand from the source text quoted in the policy's header; the
comment next to each case shows the arithmetic. Business hours: Monday to Friday 08:00-16:00
Europe/Oslo (CET +01:00 in December), no holidays (the policy's assumption); CRITICAL «<1 hour»
counts around the clock. «<» is a strict bound: a response at the due time itself is late.
"""
from __future__ import annotations

import types
from datetime import datetime

import pytest
from _example_module import example_module

from policy_lang.runtime.ticket import met, priority_changed, registered

PID = "kairos_support_priorities"


def module() -> types.ModuleType:
    return example_module(PID)


def t(s: str) -> datetime:
    return datetime.fromisoformat(s)


# (priority, registered at, due: the first moment that is already late)
RESPONSE_CASES = [
    # CRITICAL, Sat 5 Dec 22:30, around the clock: less than 1 hour -> 23:30
    ("critical", "2026-12-05T22:30+01:00", "2026-12-05T23:30+01:00"),
    # HIGH, Fri 4 Dec 14:00: less than 4 business hours -> Fri 14-16 (2 h) + Mon 08-10
    ("high", "2026-12-04T14:00+01:00", "2026-12-07T10:00+01:00"),
    # MEDIUM, Mon 7 Dec 08:00: less than 24 business hours = 3 days of 8 h -> Wed 9 Dec 16:00
    ("medium", "2026-12-07T08:00+01:00", "2026-12-09T16:00+01:00"),
    # LOW, Wed 2 Dec 12:00: 24 business hours -> Wed 4 + Thu 8 + Fri 8 + Mon 08-12
    ("low", "2026-12-02T12:00+01:00", "2026-12-07T12:00+01:00"),
]


@pytest.mark.parametrize(("priority", "at", "due"), RESPONSE_CASES, ids=[c[0] for c in RESPONSE_CASES])
def test_response_time(priority, at, due) -> None:
    r = module().response(tier="support", channel="ticket", registered_at=t(at), priority=priority)
    assert r.deadline == t(due)
    assert r.decision.targets[0].strict


def test_less_than_means_strictly_before() -> None:
    m = module()
    reg = registered(t("2026-12-04T14:00+01:00"), "ticket", priority="high")
    # answered Mon 7 Dec 09:59: met
    ok = m.ticket(tier="support", events=[reg, met(t("2026-12-07T09:59+01:00"), "response")],
                  at=t("2026-12-07T11:00+01:00")).target("response")
    assert (ok.state, ok.met_at) == ("met", t("2026-12-07T09:59+01:00"))
    # answered exactly at 10:00: not «less than 4 business hours» -> breached at 10:00
    at_due = m.ticket(tier="support", events=[reg, met(t("2026-12-07T10:00+01:00"), "response")],
                      at=t("2026-12-07T11:00+01:00")).target("response")
    assert (at_due.state, at_due.breached_at) == ("breached", t("2026-12-07T10:00+01:00"))


def test_a_priority_review_recounts_from_the_registration() -> None:
    # registered MEDIUM Mon 7 Dec 08:00 (due Wed 16:00); the customer asks for CRITICAL and it is
    # changed at 08:20: less than 1 hour from 08:00 -> 09:00; at 08:40 20 min are left
    m = module()
    events = [registered(t("2026-12-07T08:00+01:00"), "ticket", priority="medium"),
              priority_changed(t("2026-12-07T08:20+01:00"), "critical")]
    r = m.ticket(tier="support", events=events, at=t("2026-12-07T08:40+01:00")).target("response")
    assert (r.state, r.due, r.elapsed, r.remaining) == ("running", t("2026-12-07T09:00+01:00"), 2400, 1200)
    late = m.ticket(tier="support", events=[*events, met(t("2026-12-07T09:00+01:00"), "response")],
                    at=t("2026-12-07T09:30+01:00")).target("response")
    assert (late.state, late.breached_at) == ("breached", t("2026-12-07T09:00+01:00"))
