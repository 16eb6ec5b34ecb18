"""Fortinet FortiCare Service Level (policies/examples/fortinet_forticare.policy).

Every expected value is worked out by hand from the source text quoted in the policy's header; the
comment next to each case shows the arithmetic. TAC business hours: Monday to Friday 09:00-18:00
Europe/Moscow (+03:00), Russian production calendar (the policy's assumption). «Initial Response
Time … Less than 1 hour» (P1, P2, around the clock) is a strict bound: a first contact at the hour
itself is late. «Update Frequency»: P1 every 6 hours, P2 daily (24 hours), P3 every 3 business days;
the first interval from the first contact of a TAC representative, each next from the previous
update, until the ticket is closed.
"""
from __future__ import annotations

import types
from datetime import datetime

from _example_module import example_module

from policy_lang.runtime.ticket import event, priority_changed, registered, update

PID = "fortinet_forticare"


def module() -> types.ModuleType:
    return example_module(PID)


def t(s: str) -> datetime:
    return datetime.fromisoformat(s)


def test_less_than_one_hour_is_strict() -> None:
    m = module()
    reg = registered(t("2026-12-07T10:00+03:00"), "phone", priority="P1")
    r = m.response(tier="return_and_replace", channel="phone", registered_at=t("2026-12-07T10:00+03:00"),
                   priority="P1")
    assert r.deadline == t("2026-12-07T11:00+03:00") and r.decision.targets[0].strict
    # first contact at 10:59: before the hour -> met
    ok = m.ticket(tier="return_and_replace", events=[reg, event(t("2026-12-07T10:59+03:00"), "first_contact")],
                  at=t("2026-12-07T12:00+03:00")).target("response")
    assert (ok.state, ok.met_at) == ("met", t("2026-12-07T10:59+03:00"))
    # first contact at 11:00 exactly: «less than 1 hour» is not kept -> breached at 11:00
    late = m.ticket(tier="return_and_replace", events=[reg, event(t("2026-12-07T11:00+03:00"), "first_contact")],
                    at=t("2026-12-07T12:00+03:00")).target("response")
    assert (late.state, late.breached_at) == ("breached", t("2026-12-07T11:00+03:00"))


def test_updates_every_six_hours_after_the_first_contact() -> None:
    m = module()
    events = [registered(t("2026-12-07T10:00+03:00"), "phone", priority="P1")]
    # no first contact yet: the update clock has not started
    assert m.ticket(tier="return_and_replace", events=events,
                    at=t("2026-12-07T10:20+03:00")).target("updates").state == "not_started"
    # first contact 10:30 -> the first update is due 16:30; an update at 16:00 opens the next
    # interval, due 22:00; at 20:00 4 h of it are counted, 2 h left
    events += [event(t("2026-12-07T10:30+03:00"), "first_contact"), update(t("2026-12-07T16:00+03:00"))]
    u = m.ticket(tier="return_and_replace", events=events, at=t("2026-12-07T20:00+03:00")).target("updates")
    assert (u.state, u.due, u.cycles, u.breaches, u.elapsed, u.remaining) == (
        "running", t("2026-12-07T22:00+03:00"), 2, 0, 4 * 3600, 2 * 3600)
    # no update by 23:00: breached at 22:00
    late = m.ticket(tier="return_and_replace", events=events, at=t("2026-12-07T23:00+03:00")).target("updates")
    assert (late.state, late.breached_at) == ("breached", t("2026-12-07T22:00+03:00"))
    # an update at 21:30 and the ticket closed at 23:00: every interval kept
    done = m.ticket(tier="return_and_replace",
                    events=[*events, update(t("2026-12-07T21:30+03:00")), event(t("2026-12-07T23:00+03:00"),
                                                                                 "ticket_closed")],
                    at=t("2026-12-08T12:00+03:00")).target("updates")
    assert (done.state, done.cycles, done.breaches, done.met_at) == ("met", 3, 0, t("2026-12-07T23:00+03:00"))


def test_updates_every_three_business_days_for_p3() -> None:
    # P3 registered Fri 4 Dec 17:00: next business day -> the end of Mon 7 Dec. First contact Mon 7 Dec
    # 11:00: 3 business days -> Tue 8, Wed 9, Thu 10 Dec, until its end
    m = module()
    events = [registered(t("2026-12-04T17:00+03:00"), "portal", priority="P3"),
              event(t("2026-12-07T11:00+03:00"), "first_contact")]
    a = m.ticket(tier="advanced_replacement", events=events, at=t("2026-12-08T12:00+03:00"))
    assert (a.target("response").state, a.target("response").met_at) == ("met", t("2026-12-07T11:00+03:00"))
    assert (a.target("updates").state, a.target("updates").due) == ("running", t("2026-12-10T23:59:59+03:00"))


def test_a_workaround_lowers_p1_to_p2_and_the_update_interval_is_recounted() -> None:
    # P1 registered Mon 7 Dec 10:00, first contact 10:30 (first update due 16:30); a workaround is
    # accepted and the ticket lowered to P2 at 12:00: `recount` counts the P2 value (daily = 24 h) from
    # the interval's start, 10:30 -> Tue 8 Dec 10:30; at 13:00 2 h 30 min counted, 21 h 30 min left
    m = module()
    events = [registered(t("2026-12-07T10:00+03:00"), "phone", priority="P1"),
              event(t("2026-12-07T10:30+03:00"), "first_contact"),
              priority_changed(t("2026-12-07T12:00+03:00"), "P2")]
    a = m.ticket(tier="return_and_replace", events=events, at=t("2026-12-07T13:00+03:00"))
    u = a.target("updates")
    assert (a.priority, u.state, u.due, u.elapsed, u.remaining) == (
        "P2", "running", t("2026-12-08T10:30+03:00"), 9000, 77400)
