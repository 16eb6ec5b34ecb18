"""VK Cloud «SLA технической поддержки» (policies/examples/vk_cloud_support.policy).

Every expected value is worked out by hand from the source text quoted in the policy's header; the
comment next to each case shows the arithmetic. All hours are astronomical, around the clock
(Europe/Moscow, +03:00): holidays and weekends do not stop the clock. Reaction 60 minutes;
resolution 2 / 12 / 24 / 48 hours by priority (95 % of tickets). «Отсчет времени реакции начинается
с момента уведомления Заказчика о регистрации обращения и присвоении идентификационного номера»:
both terms count from that notice (the resolution's start is the agreed reading), not from the
submission.
"""
from __future__ import annotations

import types
from datetime import datetime

import pytest
from _example_module import example_module

from policy_lang.runtime.ticket import event, met, registered

PID = "vk_cloud_support"


def module() -> types.ModuleType:
    return example_module(PID)


def t(s: str) -> datetime:
    return datetime.fromisoformat(s)


# (channel, priority or request type, submitted at, notice of registration at, target, due)
NOTICE_CASES = [
    # critical, submitted Sat 23:20, notice 23:30: reaction 60 min -> Sun 00:30
    ("portal", "critical", "2026-11-28T23:20+03:00", "2026-11-28T23:30+03:00", "response", "2026-11-29T00:30+03:00"),
    # critical: resolution 2 h from the notice 23:30 -> Sun 01:30
    ("portal", "critical", "2026-11-28T23:20+03:00", "2026-11-28T23:30+03:00", "resolution", "2026-11-29T01:30+03:00"),
    # Service Request = low, notice Fri 18:00: reaction -> 19:00
    ("email", "service_request", "2026-11-27T17:55+03:00", "2026-11-27T18:00+03:00", "response",
     "2026-11-27T19:00+03:00"),
    # low: 48 h, weekends count -> Sun 18:00
    ("email", "service_request", "2026-11-27T17:55+03:00", "2026-11-27T18:00+03:00", "resolution",
     "2026-11-29T18:00+03:00"),
    # high, notice Thu 31 Dec 20:00: 12 h through New Year's night -> Fri 1 Jan 08:00
    ("phone", "high", "2026-12-31T19:58+03:00", "2026-12-31T20:00+03:00", "resolution", "2027-01-01T08:00+03:00"),
    # RFI = low, notice on the 4 Nov holiday 10:00: 48 h, still astronomical -> Fri 6 Nov 10:00
    ("telegram", "request_for_information", "2026-11-04T09:00+03:00", "2026-11-04T10:00+03:00", "resolution",
     "2026-11-06T10:00+03:00"),
]


def _ticket(channel: str, row: str, submitted: str, notice: str, at: str, *more):
    kind = "request" if row in module().REQUESTS else "priority"
    events = [registered(t(submitted), channel, **{kind: row}), event(t(notice), "registration_notice"), *more]
    return module().ticket(tier="standard", events=events, at=t(at))


@pytest.mark.parametrize(("channel", "row", "submitted", "notice", "target", "due"), NOTICE_CASES,
                         ids=[f"{c[1]}:{c[4]}:{c[3]}" for c in NOTICE_CASES])
def test_terms_count_from_the_notice_of_registration(channel, row, submitted, notice, target, due) -> None:
    s = _ticket(channel, row, submitted, notice, notice).target(target)
    assert (s.state, s.due) == ("running", t(due))
    assert s.due.utcoffset() == t(due).utcoffset()


def test_before_the_notice_nothing_runs() -> None:
    m = module()
    # submitted Sat 23:20, no notice yet at 23:25: neither term has started
    a = m.ticket(tier="standard", events=[registered(t("2026-11-28T23:20+03:00"), "portal", priority="critical")],
                 at=t("2026-11-28T23:25+03:00"))
    assert [(x.id, x.state) for x in a.targets] == [("response", "not_started"), ("resolution", "not_started")]
    # response() knows no notice: it gives no deadline, and says the term is counted from an event
    r = m.response(tier="standard", channel="portal", registered_at=t("2026-11-28T23:20+03:00"), priority="critical")
    assert r.accepted and r.deadline is None
    assert [x.counted_from for x in r.decision.targets] == ["registration_notice", "registration_notice"]


def test_a_late_notice_moves_the_reaction_term() -> None:
    # critical submitted Mon 7 Dec 09:00, the notice only at 09:40: the reaction is due 10:40, so a
    # first answer at 10:20 (80 min after the submission) is in time; 2 h resolution -> 11:40
    a = _ticket("portal", "critical", "2026-12-07T09:00+03:00", "2026-12-07T09:40+03:00", "2026-12-07T11:00+03:00",
                met(t("2026-12-07T10:20+03:00"), "response"))
    r, s = a.target("response"), a.target("resolution")
    assert (r.state, r.due, r.met_at) == ("met", t("2026-12-07T10:40+03:00"), t("2026-12-07T10:20+03:00"))
    assert (s.state, s.due, s.elapsed, s.remaining) == ("running", t("2026-12-07T11:40+03:00"), 80 * 60, 40 * 60)
