"""HiveMQ Support Hours and Response Times (policies/examples/hivemq_support.policy).

Every expected value is worked out by hand from the source text quoted in the policy's header; the
comment next to each case shows the arithmetic. Basic Support Hours: Monday to Friday 09:00-18:00
Europe/Berlin (CET +01:00 in winter, CEST +02:00 in summer), except Bavarian public holidays.
«1 day», «2 days» … within Support Hours: business days of that calendar, until 24:00 of the last
one (the registration day not counted). Extended Support, Priority 1: «When escalated via phone:
Extended Support Hours (24/7)».
"""
from __future__ import annotations

import types
from datetime import datetime

import pytest
from _example_module import example_module

from policy_lang.runtime.ticket import escalated, met, priority_changed, registered

PID = "hivemq_support"


def module() -> types.ModuleType:
    return example_module(PID)


def t(s: str) -> datetime:
    return datetime.fromisoformat(s)


# (tier, priority, registered at, escalated by phone, response due)
RESPONSE_CASES = [
    # Basic P1, Mon 7 Dec 10:00: 1 business day -> the end of Tue 8 Dec
    ("basic", "P1", "2026-12-07T10:00+01:00", False, "2026-12-08T23:59:59+01:00"),
    # Basic P1: a phone escalation changes nothing on Basic Support (its hours are Basic Support Hours)
    ("basic", "P1", "2026-12-07T10:00+01:00", True, "2026-12-08T23:59:59+01:00"),
    # Basic P2, Fri 4 Dec 15:00: 2 business days -> Mon 7, Tue 8 Dec
    ("basic", "P2", "2026-12-04T15:00+01:00", False, "2026-12-08T23:59:59+01:00"),
    # Basic P3, Wed 3 Jun 10:00: Thu 4 Jun is Fronleichnam -> Fri 5, Mon 8, Tue 9 Jun (CEST)
    ("basic", "P3", "2026-06-03T10:00+02:00", False, "2026-06-09T23:59:59+02:00"),
    # Basic P4, Mon 18 May: 5 business days -> 19, 20, 21, 22, (25 May Pfingstmontag) 26 May
    ("basic", "P4", "2026-05-18T10:00+02:00", False, "2026-05-26T23:59:59+02:00"),
    # Extended P1, Fri 4 Dec 16:00, no phone escalation: 4 support hours -> Fri 16-18 (2 h) + Mon 09-11
    ("extended", "P1", "2026-12-04T16:00+01:00", False, "2026-12-07T11:00+01:00"),
    # Extended P1 escalated via phone: 4 hours 24/7 -> Fri 20:00
    ("extended", "P1", "2026-12-04T16:00+01:00", True, "2026-12-04T20:00+01:00"),
    # Extended P2, Wed 2 Dec 15:00: 4 support hours -> Wed 15-18 (3 h) + Thu 09-10
    ("extended", "P2", "2026-12-02T15:00+01:00", False, "2026-12-03T10:00+01:00"),
    # Extended P2 escalated via phone: the 24/7 rule is for Priority 1 only -> the same Thu 10:00
    ("extended", "P2", "2026-12-02T15:00+01:00", True, "2026-12-03T10:00+01:00"),
    # Extended P3, Thu 24 Dec 10:00: 25, 26 Dec holidays, 27 Dec Sunday -> Mon 28 Dec
    ("extended", "P3", "2026-12-24T10:00+01:00", False, "2026-12-28T23:59:59+01:00"),
    # Extended P4, Wed 13 May: Thu 14 May is Christi Himmelfahrt -> Fri 15, Mon 18 May
    ("extended", "P4", "2026-05-13T10:00+02:00", False, "2026-05-18T23:59:59+02:00"),
]


@pytest.mark.parametrize(("tier", "priority", "at", "by_phone", "due"), RESPONSE_CASES,
                         ids=[f"{c[0]}:{c[1]}:{c[2]}:{'phone' if c[3] else 'ticket'}" for c in RESPONSE_CASES])
def test_response_time(tier, priority, at, by_phone, due) -> None:
    kwargs = {"escalated_by_phone": True} if by_phone else {}
    r = module().response(tier=tier, channel="ticket", registered_at=t(at), priority=priority, **kwargs)
    assert r.decision.accepted
    assert r.deadline == t(due)
    assert r.deadline.utcoffset() == t(due).utcoffset()


def test_phone_escalation_of_an_open_ticket_moves_p1_to_24x7() -> None:
    m = module()
    events = [registered(t("2026-12-04T16:00+01:00"), "ticket", priority="P1"),
              escalated(t("2026-12-04T17:00+01:00"), "phone")]
    # before the escalation: 4 support hours -> Mon 7 Dec 11:00; Fri 16:00-17:00 is 1 h of it
    before = m.ticket(tier="extended", events=events[:1], at=t("2026-12-04T17:00+01:00")).target("response")
    assert (before.state, before.due, before.elapsed, before.remaining) == (
        "running", t("2026-12-07T11:00+01:00"), 3600, 3 * 3600)
    # escalated at 17:00: counted again from the registration, 4 hours 24/7 -> Fri 20:00; at 19:00
    # 3 h have elapsed, 1 h is left
    now = m.ticket(tier="extended", events=events, at=t("2026-12-04T19:00+01:00")).target("response")
    assert (now.state, now.due, now.elapsed, now.remaining) == ("running", t("2026-12-04T20:00+01:00"), 3 * 3600, 3600)
    # answered at 19:30: met
    done = m.ticket(tier="extended", events=[*events, met(t("2026-12-04T19:30+01:00"), "response")],
                    at=t("2026-12-04T21:00+01:00")).target("response")
    assert (done.state, done.met_at, done.breached_at) == ("met", t("2026-12-04T19:30+01:00"), None)
    # not answered by 21:00: breached at 20:00 (without the escalation it would still run to Monday)
    late = m.ticket(tier="extended", events=events, at=t("2026-12-04T21:00+01:00")).target("response")
    assert (late.state, late.breached_at, late.remaining) == ("breached", t("2026-12-04T20:00+01:00"), 0)


def test_phone_escalation_on_basic_support_keeps_the_business_day() -> None:
    # Basic Support works Basic Support Hours whatever the channel: 1 business day -> the end of Mon 7 Dec
    a = module().ticket(tier="basic", events=[registered(t("2026-12-04T16:00+01:00"), "ticket", priority="P1"),
                                              escalated(t("2026-12-04T17:00+01:00"), "phone")],
                        at=t("2026-12-05T12:00+01:00")).target("response")
    assert (a.state, a.due) == ("running", t("2026-12-07T23:59:59+01:00"))


def test_a_priority_change_recounts_from_the_registration() -> None:
    # Extended P3 registered Wed 2 Dec 10:00 (1 business day -> end of Thu 3 Dec), raised to P2 at 12:00:
    # the source says nothing of a running clock, so the default `recount` applies: 4 support hours
    # from 10:00 -> 14:00; at 13:00 3 h are counted, 1 h is left
    m = module()
    events = [registered(t("2026-12-02T10:00+01:00"), "ticket", priority="P3"),
              priority_changed(t("2026-12-02T12:00+01:00"), "P2")]
    before = m.ticket(tier="extended", events=events[:1], at=t("2026-12-02T13:00+01:00"))
    assert before.target("response").due == t("2026-12-03T23:59:59+01:00")
    a = m.ticket(tier="extended", events=events, at=t("2026-12-02T13:00+01:00"))
    r = a.target("response")
    assert (a.priority, r.state, r.due, r.elapsed, r.remaining) == (
        "P2", "running", t("2026-12-02T14:00+01:00"), 3 * 3600, 3600)
    late = m.ticket(tier="extended", events=events, at=t("2026-12-02T15:00+01:00")).target("response")
    assert (late.state, late.breached_at) == ("breached", t("2026-12-02T14:00+01:00"))


def test_the_phone_condition_is_declared_for_the_channel() -> None:
    m = module()
    assert "escalated_by_phone" in m.CONDITIONS
    with pytest.raises(ValueError, match="phone"):
        m.ticket(tier="extended", events=[registered(t("2026-12-04T16:00+01:00"), "ticket", priority="P1"),
                                          escalated(t("2026-12-04T17:00+01:00"), "fax")],
                 at=t("2026-12-04T18:00+01:00"))
