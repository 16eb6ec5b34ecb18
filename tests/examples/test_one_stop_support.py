"""1-Stop customer service support goals (policies/examples/one_stop_support.policy).

Every expected value is worked out by hand from the source text quoted in the policy's header; the
comment next to each case shows the arithmetic. Business hours: Monday to Friday 09:00-17:00
Australia/Melbourne (AEDT +11:00 in December), no holidays (the policy's assumption); the first row
(«4 hrs», «every 30 mins») counts around the clock. «Expected Update Time Interval»: an update every
N minutes, each interval from the previous update (the first from the registration), until the
solution is provided.
"""
from __future__ import annotations

import types
from datetime import datetime

import pytest
from _example_module import example_module

from policy_lang.runtime.ticket import event, priority_changed, registered, update

PID = "one_stop_support"


def module() -> types.ModuleType:
    return example_module(PID)


def t(s: str) -> datetime:
    return datetime.fromisoformat(s)


# (level, registered at, resolution due, first update due)
CELL_CASES = [
    # P1, Sat 5 Dec 10:00, around the clock: 4 hrs -> 14:00; every 30 mins -> 10:30
    ("P1", "2026-12-05T10:00+11:00", "2026-12-05T14:00+11:00", "2026-12-05T10:30+11:00"),
    # P2, Fri 4 Dec 14:00: 8 business hrs -> Fri 14-17 (3 h) + Mon 09-14; 120 mins -> Fri 16:00
    ("P2", "2026-12-04T14:00+11:00", "2026-12-07T14:00+11:00", "2026-12-04T16:00+11:00"),
    # P3, Wed 2 Dec 13:00: 24 business hrs -> Wed 4 + Thu 8 + Fri 8 + Mon 09-13; 360 mins (6 h) ->
    # Wed 13-17 (4 h) + Thu 09-11
    ("P3", "2026-12-02T13:00+11:00", "2026-12-07T13:00+11:00", "2026-12-03T11:00+11:00"),
    # P4, Mon 7 Dec 09:00: 80 business hrs = 10 working days of 8 h -> Fri 18 Dec 17:00;
    # 1200 mins (20 h) -> Mon 8 + Tue 8 + Wed 09-13
    ("P4", "2026-12-07T09:00+11:00", "2026-12-18T17:00+11:00", "2026-12-09T13:00+11:00"),
]


@pytest.mark.parametrize(("level", "at", "resolution_due", "update_due"), CELL_CASES, ids=[c[0] for c in CELL_CASES])
def test_resolution_target_and_first_update(level, at, resolution_due, update_due) -> None:
    a = module().ticket(tier="customer", events=[registered(t(at), "support", priority=level)], at=t(at))
    res, upd = a.target("resolution"), a.target("updates")
    assert (res.state, res.due, res.strength) == ("running", t(resolution_due), "efforts")
    assert (upd.state, upd.due, upd.cycles) == ("running", t(update_due), 1)


def test_updates_every_120_business_minutes_one_late() -> None:
    # P2 registered Mon 7 Dec 09:00. Update 10:30 (due 11:00: met), next due 12:30; update 12:45
    # (late: the first breach is 12:30), next due 14:45. At 13:00: third interval, 15 min counted,
    # 1 h 45 min left
    m = module()
    events = [registered(t("2026-12-07T09:00+11:00"), "support", priority="P2"),
              update(t("2026-12-07T10:30+11:00")), update(t("2026-12-07T12:45+11:00"))]
    u = m.ticket(tier="customer", events=events, at=t("2026-12-07T13:00+11:00")).target("updates")
    assert (u.state, u.due, u.cycles, u.breaches, u.breached_at, u.elapsed, u.remaining) == (
        "running", t("2026-12-07T14:45+11:00"), 3, 1, t("2026-12-07T12:30+11:00"), 900, 6300)
    # the solution at 14:00 stops both: the resolution (due 17:00) is met; the updates stop with the
    # one late interval on record
    a = m.ticket(tier="customer", events=[*events, event(t("2026-12-07T14:00+11:00"), "solution_provided")],
                 at=t("2026-12-07T15:00+11:00"))
    res, upd = a.target("resolution"), a.target("updates")
    assert (res.state, res.due, res.met_at) == ("met", t("2026-12-07T17:00+11:00"), t("2026-12-07T14:00+11:00"))
    assert (upd.state, upd.met_at, upd.breaches, upd.breached_at) == (
        "breached", t("2026-12-07T14:00+11:00"), 1, t("2026-12-07T12:30+11:00"))


def test_updates_every_30_minutes_all_on_time() -> None:
    # P1 registered Sat 5 Dec 10:00 (around the clock). Updates 10:25 and 10:50 -> the next is due
    # 11:20; at 11:00 10 min of it counted, 20 min left; the solution at 11:10 meets everything
    m = module()
    events = [registered(t("2026-12-05T10:00+11:00"), "support", priority="P1"),
              update(t("2026-12-05T10:25+11:00")), update(t("2026-12-05T10:50+11:00"))]
    u = m.ticket(tier="customer", events=events, at=t("2026-12-05T11:00+11:00")).target("updates")
    assert (u.state, u.due, u.cycles, u.breaches, u.elapsed, u.remaining) == (
        "running", t("2026-12-05T11:20+11:00"), 3, 0, 600, 1200)
    a = m.ticket(tier="customer", events=[*events, event(t("2026-12-05T11:10+11:00"), "solution_provided")],
                 at=t("2026-12-05T12:00+11:00"))
    assert [(x.id, x.state, x.met_at, x.breaches) for x in a.targets] == [
        ("resolution", "met", t("2026-12-05T11:10+11:00"), 0),
        ("updates", "met", t("2026-12-05T11:10+11:00"), 0)]


def test_updates_lapse_without_an_update() -> None:
    # P3 registered Wed 2 Dec 13:00: the first update is due Thu 3 Dec 11:00; none sent by 12:00
    u = module().ticket(tier="customer", events=[registered(t("2026-12-02T13:00+11:00"), "support", priority="P3")],
                        at=t("2026-12-03T12:00+11:00")).target("updates")
    assert (u.state, u.breached_at, u.remaining) == ("breached", t("2026-12-03T11:00+11:00"), 0)


def test_a_raise_to_p1_recounts_from_the_registration() -> None:
    # P3 registered Mon 7 Dec 09:00 (first update due 15:00), raised to P1 at 10:00: the default
    # `recount` counts the P1 values from 09:00 around the clock: the first update was due 09:30
    # (already late), the resolution is due 13:00
    m = module()
    events = [registered(t("2026-12-07T09:00+11:00"), "support", priority="P3"),
              priority_changed(t("2026-12-07T10:00+11:00"), "P1")]
    a = m.ticket(tier="customer", events=events, at=t("2026-12-07T10:02+11:00"))
    assert a.priority == "P1"
    assert (a.target("updates").state, a.target("updates").breached_at) == ("breached", t("2026-12-07T09:30+11:00"))
    assert a.target("resolution").due == t("2026-12-07T13:00+11:00")
    # an update at 10:05 closes the late interval; the next is due 10:35: at 10:10, 25 min left
    u = m.ticket(tier="customer", events=[*events, update(t("2026-12-07T10:05+11:00"))],
                 at=t("2026-12-07T10:10+11:00")).target("updates")
    assert (u.state, u.due, u.cycles, u.breaches, u.breached_at, u.remaining) == (
        "running", t("2026-12-07T10:35+11:00"), 2, 1, t("2026-12-07T09:30+11:00"), 1500)
