"""SecureCo Service Support Framework (policies/examples/secureco_service_support.policy).

Every expected value is worked out by hand from the source text quoted in the policy's header; the
comment next to each case shows the arithmetic. Hours and minutes count around the clock
(«Support Service Desk … available on a 24x7x365 basis»); business days are Monday to Friday,
Australia/Sydney (AEDT +11:00 in December), no holidays (the policy's assumption). «The timeframes
… will be paused if a ticket is changed to any of the following statuses: Waiting on Vendor, Waiting
on Partner, On Hold».
"""
from __future__ import annotations

import types
from datetime import datetime

import pytest
from _example_module import example_module

from policy_lang.runtime.ticket import met, priority_changed, registered, resolved, status

PID = "secureco_service_support"


def module() -> types.ModuleType:
    return example_module(PID)


def t(s: str) -> datetime:
    return datetime.fromisoformat(s)


# (priority, registered at, response due, resolution due)
CELL_CASES = [
    # P1, Mon 7 Dec 10:00: 30 minutes -> 10:30; 4 hours -> 14:00
    ("P1", "2026-12-07T10:00+11:00", "2026-12-07T10:30+11:00", "2026-12-07T14:00+11:00"),
    # P2, Sat 5 Dec 20:00 (the desk works 24x7x365): 1 hour -> 21:00; 8 hours -> Sun 04:00
    ("P2", "2026-12-05T20:00+11:00", "2026-12-05T21:00+11:00", "2026-12-06T04:00+11:00"),
    # P3, Thu 3 Dec 23:00: 2 hours -> Fri 01:00; 3 Business Days -> Fri 4, Mon 7, Tue 8 Dec
    ("P3", "2026-12-03T23:00+11:00", "2026-12-04T01:00+11:00", "2026-12-08T23:59:59+11:00"),
    # P4, Fri 4 Dec 15:00: Next Business Day -> Mon 7 Dec; 5 Business Days -> Mon 7 .. Fri 11 Dec
    ("P4", "2026-12-04T15:00+11:00", "2026-12-07T23:59:59+11:00", "2026-12-11T23:59:59+11:00"),
]


@pytest.mark.parametrize(("priority", "at", "response_due", "resolution_due"), CELL_CASES,
                         ids=[c[0] for c in CELL_CASES])
def test_response_and_resolution_targets(priority, at, response_due, resolution_due) -> None:
    m = module()
    r = m.response(tier="partner", channel="portal", registered_at=t(at), priority=priority)
    assert r.deadline == t(response_due)
    a = m.ticket(tier="partner", events=[registered(t(at), "portal", priority=priority)], at=t(at))
    assert a.target("response").due == t(response_due)
    assert a.target("resolution").due == t(resolution_due)


def test_waiting_on_partner_pauses_both_clocks() -> None:
    # P1 raised Mon 7 Dec 09:00 by phone, answered 09:20; Waiting on Partner 10:00-11:30 (1 h 30 min)
    m = module()
    events = [registered(t("2026-12-07T09:00+11:00"), "phone", priority="P1"),
              met(t("2026-12-07T09:20+11:00"), "response"),
              status(t("2026-12-07T10:00+11:00"), "waiting_partner"),
              status(t("2026-12-07T11:30+11:00"), None)]
    # at 10:30, waiting: the resolution clock stands still after 1 h counted; no due while it stands
    waiting = m.ticket(tier="partner", events=events, at=t("2026-12-07T10:30+11:00"))
    r = waiting.target("resolution")
    assert (r.state, r.due, r.elapsed, r.remaining) == ("paused", None, 3600, 3 * 3600)
    assert waiting.target("response").state == "met"  # met at 09:20, before the pause
    # back in work at 11:30: 4 h from 09:00 plus 1 h 30 min paused -> 14:30; at 12:00 3 h - 1 h 30 min
    # = 1 h 30 min counted, 2 h 30 min left
    now = m.ticket(tier="partner", events=events, at=t("2026-12-07T12:00+11:00")).target("resolution")
    assert (now.state, now.due, now.elapsed, now.remaining) == (
        "running", t("2026-12-07T14:30+11:00"), 5400, 9000)
    # resolved at 14:15: met (without the pause it would have been late: due 13:00)
    done = m.ticket(tier="partner", events=[*events, resolved(t("2026-12-07T14:15+11:00"))],
                    at=t("2026-12-07T15:00+11:00")).target("resolution")
    assert (done.state, done.met_at, done.breached_at) == ("met", t("2026-12-07T14:15+11:00"), None)


def test_waiting_on_vendor_then_late() -> None:
    # P2 raised Mon 7 Dec 09:00, Waiting on Vendor 10:00-12:00: 8 h + 2 h -> 19:00; unresolved at 19:30
    a = module().ticket(tier="partner", events=[registered(t("2026-12-07T09:00+11:00"), "email", priority="P2"),
                                                status(t("2026-12-07T10:00+11:00"), "waiting_vendor"),
                                                status(t("2026-12-07T12:00+11:00"), None)],
                        at=t("2026-12-07T19:30+11:00")).target("resolution")
    assert (a.state, a.due, a.breached_at, a.remaining) == (
        "breached", t("2026-12-07T19:00+11:00"), t("2026-12-07T19:00+11:00"), 0)


def test_an_undeclared_status_is_refused() -> None:
    # only the three statuses of the source are declared: any other is an error that names them
    with pytest.raises(ValueError, match="waiting_vendor, waiting_partner, on_hold"):
        module().ticket(tier="partner", events=[registered(t("2026-12-07T09:00+11:00"), "portal", priority="P3"),
                                                status(t("2026-12-07T09:30+11:00"), "in_progress")],
                        at=t("2026-12-07T10:00+11:00"))


def test_on_hold_over_the_weekend_moves_business_days() -> None:
    # P3 raised Thu 3 Dec 10:00: 3 Business Days -> the end of Tue 8 Dec. On Hold from Fri 4 Dec 00:00
    # to Mon 7 Dec 00:00: one business day (Friday) stood still -> the end of Wed 9 Dec
    a = module().ticket(tier="partner", events=[registered(t("2026-12-03T10:00+11:00"), "portal", priority="P3"),
                                                met(t("2026-12-03T11:00+11:00"), "response"),
                                                status(t("2026-12-04T00:00+11:00"), "on_hold"),
                                                status(t("2026-12-07T00:00+11:00"), None)],
                        at=t("2026-12-07T12:00+11:00")).target("resolution")
    assert (a.state, a.due) == ("running", t("2026-12-09T23:59:59+11:00"))


def test_a_priority_change_recounts_from_the_registration() -> None:
    # P3 raised Mon 7 Dec 09:00 (response 2 h -> 11:00), raised to P1 at 09:10: the default `recount`
    # counts 30 minutes from 09:00 -> 09:30, and 4 hours -> 13:00. At 09:20: 10 min and 3 h 40 min left
    m = module()
    events = [registered(t("2026-12-07T09:00+11:00"), "portal", priority="P3"),
              priority_changed(t("2026-12-07T09:10+11:00"), "P1")]
    a = m.ticket(tier="partner", events=events, at=t("2026-12-07T09:20+11:00"))
    r, s = a.target("response"), a.target("resolution")
    assert (a.priority, r.due, r.remaining, s.due, s.remaining) == (
        "P1", t("2026-12-07T09:30+11:00"), 600, t("2026-12-07T13:00+11:00"), 13200)
    # answered at 09:25: met; at 09:45 unanswered: breached at 09:30
    ok = m.ticket(tier="partner", events=[*events, met(t("2026-12-07T09:25+11:00"), "response")],
                  at=t("2026-12-07T09:45+11:00")).target("response")
    assert (ok.state, ok.met_at) == ("met", t("2026-12-07T09:25+11:00"))
    late = m.ticket(tier="partner", events=events, at=t("2026-12-07T09:45+11:00")).target("response")
    assert (late.state, late.breached_at) == ("breached", t("2026-12-07T09:30+11:00"))
