"""GitLab Priority Support (policies/examples/gitlab_priority_support.policy).

Every expected value is worked out by hand from the source text quoted in the policy's header; the
comment next to each case shows the arithmetic. 24x5: Monday 00:00 to Friday 24:00 UTC, no holidays
(the policy's assumption); emergencies (Severity 1 through the emergency form on Priority Support):
30 minutes 24x7. An existing ticket that becomes an emergency is filed anew through the emergency
form with the ticket's number: a new request, counted from the form, the old ticket unchanged.
"""
from __future__ import annotations

import types
from datetime import datetime

from _example_module import example_module

from policy_lang.runtime.ticket import met, registered

PID = "gitlab_priority_support"


def module() -> types.ModuleType:
    return example_module(PID)


def t(s: str) -> datetime:
    return datetime.fromisoformat(s)


def test_an_existing_ticket_that_becomes_an_emergency_is_filed_anew() -> None:
    m = module()
    # Severity 2 through the web form, Fri 4 Dec 22:00 UTC: 4 hours of 24x5 -> Fri 22-24 (2 h) +
    # Mon 7 Dec 00:00-02:00
    old = [registered(t("2026-12-04T22:00+00:00"), "web_form", priority="sev2")]
    # Sat 5 Dec 03:00 it becomes an emergency: the emergency form, Severity 1, 30 min 24x7 -> 03:30
    new = [registered(t("2026-12-05T03:00+00:00"), "emergency_form", priority="sev1")]
    a = m.ticket(tier="priority_support", events=new, at=t("2026-12-05T03:10+00:00")).target("response")
    assert (a.state, a.due, a.remaining) == ("running", t("2026-12-05T03:30+00:00"), 20 * 60)
    answered = m.ticket(tier="priority_support", events=[*new, met(t("2026-12-05T03:25+00:00"), "response")],
                        at=t("2026-12-05T04:00+00:00")).target("response")
    assert (answered.state, answered.met_at) == ("met", t("2026-12-05T03:25+00:00"))
    # the original ticket keeps its own 24x5 term, standing still over the weekend
    o = m.ticket(tier="priority_support", events=old, at=t("2026-12-05T03:10+00:00")).target("response")
    assert (o.state, o.due, o.elapsed, o.remaining) == ("running", t("2026-12-07T02:00+00:00"), 2 * 3600, 2 * 3600)


def test_the_emergency_form_is_for_priority_support_severity_1() -> None:
    # Standard Support (Legacy) has no emergency support: its emergency form takes nothing
    m = module()
    legacy = m.ticket(tier="legacy_standard", events=[registered(t("2026-12-05T03:00+00:00"), "emergency_form",
                                                                 priority="sev1")], at=t("2026-12-05T03:10+00:00"))
    assert not legacy.accepted
