"""Jabetto Severity Level (policies/examples/jabetto_severity_levels.policy).

Every expected value is worked out by hand from the source text quoted in the policy's header; the
comment next to each case shows the arithmetic. Hours of coverage: Monday to Friday 09:00-18:00 UTC
(9 h a day), no holidays (the policy's assumption). Severity 1 «Within 12 hours» and «Every 2 hours»
count around the clock. The response is the acknowledgement; «Resolution/Mitigation time … is
calculated since the issue is acknowledged until it is solved or mitigated»; updates recur from the
acknowledgement until the issue is mitigated.
"""
from __future__ import annotations

import types
from datetime import datetime

import pytest
from _example_module import example_module

from policy_lang.runtime.ticket import event, priority_changed, registered, update

PID = "jabetto_severity_levels"


def module() -> types.ModuleType:
    return example_module(PID)


def t(s: str) -> datetime:
    return datetime.fromisoformat(s)


# (severity, registered at, response due)
RESPONSE_CASES = [
    # Severity 1, Fri 4 Dec 17:30: 60 minutes of coverage -> Fri 17:30-18:00 + Mon 09:00-09:30
    ("sev1", "2026-12-04T17:30+00:00", "2026-12-07T09:30+00:00"),
    # Severity 2, Mon 7 Dec 10:00: 4 business hours -> 14:00
    ("sev2", "2026-12-07T10:00+00:00", "2026-12-07T14:00+00:00"),
    # Severity 3, Mon 7 Dec 09:00: 24 business hours -> Mon 9 + Tue 9 + Wed 09-15
    ("sev3", "2026-12-07T09:00+00:00", "2026-12-09T15:00+00:00"),
]


@pytest.mark.parametrize(("severity", "at", "due"), RESPONSE_CASES, ids=[c[0] for c in RESPONSE_CASES])
def test_response_time(severity, at, due) -> None:
    r = module().response(tier="support", channel="support", registered_at=t(at), priority=severity)
    assert r.deadline == t(due)


# (severity, registered at, acknowledged at, resolution due, first update due)
ACKNOWLEDGED_CASES = [
    # Severity 1 acknowledged Sat 5 Dec 12:00: 12 hours -> Sun 00:00; every 2 hours -> 14:00
    ("sev1", "2026-12-05T11:30+00:00", "2026-12-05T12:00+00:00", "2026-12-06T00:00+00:00", "2026-12-05T14:00+00:00"),
    # Severity 2 acknowledged Mon 7 Dec 11:00: 24 business hours -> Mon 11-18 (7) + Tue 9 + Wed 09-17;
    # 8 business hours -> Mon 11-18 (7) + Tue 09-10
    ("sev2", "2026-12-07T10:00+00:00", "2026-12-07T11:00+00:00", "2026-12-09T17:00+00:00", "2026-12-08T10:00+00:00"),
    # Severity 3 acknowledged Mon 7 Dec 09:00: 48 business hours -> 5 days x 9 h (to Fri 18:00) +
    # Mon 14 Dec 09-12; 24 business hours -> Wed 9 Dec 15:00
    ("sev3", "2026-12-07T09:00+00:00", "2026-12-07T09:00+00:00", "2026-12-14T12:00+00:00", "2026-12-09T15:00+00:00"),
]


@pytest.mark.parametrize(("severity", "at", "ack", "resolution_due", "update_due"), ACKNOWLEDGED_CASES,
                         ids=[c[0] for c in ACKNOWLEDGED_CASES])
def test_counted_from_the_acknowledgement(severity, at, ack, resolution_due, update_due) -> None:
    a = module().ticket(tier="support", events=[registered(t(at), "support", priority=severity),
                                                event(t(ack), "acknowledged")], at=t(ack))
    assert (a.target("response").state, a.target("response").met_at) == ("met", t(ack))
    assert a.target("resolution").due == t(resolution_due)
    assert a.target("updates").due == t(update_due)


def test_before_the_acknowledgement_only_the_response_runs() -> None:
    # Severity 2 registered Mon 7 Dec 10:00; at 10:30 30 min of the 4 h are counted
    a = module().ticket(tier="support", events=[registered(t("2026-12-07T10:00+00:00"), "support", priority="sev2")],
                        at=t("2026-12-07T10:30+00:00"))
    r = a.target("response")
    assert (r.state, r.due, r.elapsed, r.remaining) == ("running", t("2026-12-07T14:00+00:00"), 1800, 12600)
    assert [(x.state, x.due, x.cycles) for x in (a.target("resolution"), a.target("updates"))] == [
        ("not_started", None, 0), ("not_started", None, 0)]


def test_update_cycles_of_a_severity_2() -> None:
    # acknowledged Mon 7 Dec 11:00; an update Tue 09:30 (due Tue 10:00: on time) opens the second
    # interval: 8 business hours -> Tue 17:30. At Tue 12:00: 2 h 30 min counted, 5 h 30 min left;
    # the resolution has 7 h (Mon) + 3 h (Tue) = 10 h of its 24 h counted
    m = module()
    events = [registered(t("2026-12-07T10:00+00:00"), "support", priority="sev2"),
              event(t("2026-12-07T11:00+00:00"), "acknowledged"),
              update(t("2026-12-08T09:30+00:00"))]
    a = m.ticket(tier="support", events=events, at=t("2026-12-08T12:00+00:00"))
    u, res = a.target("updates"), a.target("resolution")
    assert (u.state, u.due, u.cycles, u.breaches, u.elapsed, u.remaining) == (
        "running", t("2026-12-08T17:30+00:00"), 2, 0, 9000, 19800)
    assert (res.state, res.due, res.elapsed, res.remaining) == ("running", t("2026-12-09T17:00+00:00"), 36000, 50400)
    # no update after Tue 09:30: at Wed 09:30 the interval due Tue 17:30 is breached
    late = m.ticket(tier="support", events=events, at=t("2026-12-09T09:30+00:00")).target("updates")
    assert (late.state, late.breached_at) == ("breached", t("2026-12-08T17:30+00:00"))
    # mitigated Wed 10:00: the resolution is met (due Wed 17:00); the updates stop with the late interval
    done = m.ticket(tier="support", events=[*events, event(t("2026-12-09T10:00+00:00"), "mitigated")],
                    at=t("2026-12-09T11:00+00:00"))
    assert (done.target("resolution").state, done.target("resolution").met_at) == ("met", t("2026-12-09T10:00+00:00"))
    assert (done.target("updates").state, done.target("updates").breached_at) == ("breached", t("2026-12-08T17:30+00:00"))


def test_a_raise_to_severity_1_recounts_from_the_acknowledgement() -> None:
    # Severity 3 registered Mon 7 Dec 09:00, acknowledged 09:30, raised to Severity 1 at 10:00:
    # the default `recount` counts the Severity 1 values from 09:30, around the clock: the resolution
    # -> 21:30, the first update -> 11:30 (at 11:00, 30 min left); the response stays met
    a = module().ticket(tier="support", events=[registered(t("2026-12-07T09:00+00:00"), "support", priority="sev3"),
                                                event(t("2026-12-07T09:30+00:00"), "acknowledged"),
                                                priority_changed(t("2026-12-07T10:00+00:00"), "sev1")],
                        at=t("2026-12-07T11:00+00:00"))
    assert a.priority == "sev1"
    assert (a.target("response").state, a.target("response").met_at) == ("met", t("2026-12-07T09:30+00:00"))
    assert a.target("resolution").due == t("2026-12-07T21:30+00:00")
    u = a.target("updates")
    assert (u.state, u.due, u.remaining) == ("running", t("2026-12-07T11:30+00:00"), 1800)
