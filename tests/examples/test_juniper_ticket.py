"""Juniper Care Core, item 7 and footnote *** over a ticket's life (policies/juniper_care_core.policy).

Item 7 (1): the good part is shipped «в течение 20 рабочих дней с момента получения неисправного
оборудования на склад»; item 7 (2): with the customer's own address, delivery and customs clearance
take 21 working days (counted from the shipment: the agreed reading). Working days are those of the
Russian production calendar (2026: 4 November a holiday; Saturdays and Sundays off). A term in working
days ends at 23:59:59 of its last day, the start day not counted.

Footnote ***: «В случае отказа от организации удаленного доступа, или если не возможна организация
доступа по другим причинам, … заявленный уровень обслуживания не может быть достигнут.» Read
(policies/COVERAGE.md): while remote access is refused or impossible, the item 7 terms stand still and
run on once access is arranged. A pause moves the due date by the working days from the pause's day up
to (not including) the day access is arranged.

Every expected value is worked out by hand; the comment next to each case shows the arithmetic.
"""
from __future__ import annotations

import types
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest

from policy_lang import PolicyQueryError
from policy_lang.backends.python.emit import emit_python
from policy_lang.frontend import compile_file
from policy_lang.runtime.ticket import TicketEvent, event, met, registered, resolved, status

POLICIES = Path(__file__).resolve().parents[2] / "policies"


@cache
def module() -> types.ModuleType:
    c = compile_file(POLICIES / "juniper_care_core.policy", root=POLICIES)
    assert c.program is not None, c.diagnostics
    assert [d for d in c.diagnostics if d.code != "W0701"] == []
    m = types.ModuleType(c.program.id)
    exec(compile(emit_python(c.program), c.program.id, "exec"), m.__dict__)
    return m


def t(s: str) -> datetime:
    return datetime.fromisoformat(s)


REGISTERED = "2026-10-30T11:00+03:00"  # the request, Fri 30 Oct
RECEIVED = "2026-11-02T10:00+03:00"  # the faulty part reaches the warehouse, Mon 2 Nov
# 20 working days after Mon 2 Nov: 3 (1), [4 holiday], 5, 6 (3), 9-13 (8), 16-20 (13), 23-27 (18),
# 30 Nov (19), Tue 1 Dec (20)
PLAIN_DUE = "2026-12-01T23:59:59+03:00"
# three working days paused: the due moves by three working days, Dec 2, 3, Fri 4 Dec
PAUSED_DUE = "2026-12-04T23:59:59+03:00"


def _ticket(*more: TicketEvent, at: str, own_address: bool = False):
    events = [registered(t(REGISTERED), "phone"), event(t(RECEIVED), "faulty_part_received"), *more]
    if own_address:
        events.insert(1, TicketEvent(t(REGISTERED), "condition", "own_address"))
    return module().ticket(tier="core", events=events, at=t(at))


# (the pauses as (status, from, to), due)
PAUSE_CASES = [
    # no pause: the plain term
    ((), PLAIN_DUE),
    # refused Mon 9 Nov 12:00, access arranged Thu 12 Nov 12:00: Nov 9, 10, 11 -> 3 working days
    ((("remote_access_refused", "2026-11-09T12:00+03:00", "2026-11-12T12:00+03:00"),), PAUSED_DUE),
    # impossible Tue 3 Nov 15:00 to Mon 9 Nov 09:00: Nov 3, (4 holiday), 5, 6, (7, 8 weekend) -> 3 working days
    ((("remote_access_impossible", "2026-11-03T15:00+03:00", "2026-11-09T09:00+03:00"),), PAUSED_DUE),
    # the same day: refused Wed 18 Nov 09:00, arranged 17:00 -> no whole day paused, the plain term
    ((("remote_access_refused", "2026-11-18T09:00+03:00", "2026-11-18T17:00+03:00"),), PLAIN_DUE),
    # two pauses: Tue 10 Nov (1 day: 10) and Mon 23 - Wed 25 Nov (2 days: 23, 24) -> 3 working days
    ((("remote_access_refused", "2026-11-10T10:00+03:00", "2026-11-11T10:00+03:00"),
      ("remote_access_impossible", "2026-11-23T10:00+03:00", "2026-11-25T10:00+03:00")), PAUSED_DUE),
    # refused Sat 14 Nov to Mon 16 Nov: only weekend days paused -> the plain term
    ((("remote_access_refused", "2026-11-14T10:00+03:00", "2026-11-16T10:00+03:00"),), PLAIN_DUE),
]


def _pause_events(pauses) -> list[TicketEvent]:
    out = []
    for name, a, b in pauses:
        out += [status(t(a), name), status(t(b), None)]
    return out


@pytest.mark.parametrize(("pauses", "due"), PAUSE_CASES, ids=[f"{len(c[0])}-pauses:{c[1][:10]}" for c in PAUSE_CASES])
def test_the_shipment_due_date_moves_by_the_working_days_paused(pauses, due) -> None:
    s = _ticket(*_pause_events(pauses), at="2026-11-30T12:00+03:00").obligation("replacement_shipment")
    assert (s.state, s.due, s.counted_from, s.reading) == ("running", t(due), None, "business_days")
    assert s.due.utcoffset() == t(due).utcoffset()
    assert s.explanation == f"Отгрузка (shipment) исправного оборудования: срок — до {_ru(due)}."
    # deadline() with the same pauses says the same
    m = module()
    moved = m.deadline("replacement_shipment", start=t(RECEIVED), paused=[(t(a), t(b)) for _n, a, b in pauses])
    assert moved == t(due)
    assert m.due("replacement_shipment", start=t(RECEIVED), paused=[(t(a), t(b)) for _n, a, b in pauses]).deadline \
        == t(due)


def _ru(iso: str) -> str:
    day = t(iso)
    months = {11: "ноября", 12: "декабря"}
    return f"{day.day}\u00a0{months[day.month]} 2026\u00a0г., 23:59:59 (UTC+03:00)"


def test_without_a_pause_the_plain_deadline() -> None:
    m = module()
    assert m.deadline("replacement_shipment", start=t(RECEIVED)) == t(PLAIN_DUE)
    a = _ticket(at="2026-11-02T10:00+03:00")
    assert a.obligation("replacement_shipment").due == t(PLAIN_DUE)


def test_while_access_is_refused_the_term_stands_still() -> None:
    # refused Mon 9 Nov 12:00, still refused on Wed 11 Nov: paused, no due date until access is arranged
    a = _ticket(status(t("2026-11-09T12:00+03:00"), "remote_access_refused"), at="2026-11-11T15:00+03:00")
    s = a.obligation("replacement_shipment")
    assert (s.state, s.due, s.paused_since, s.status) == ("paused", None, t("2026-11-09T12:00+03:00"),
                                                          "remote_access_refused")
    assert s.status_title == "отказ ЗАКАЗЧИКА от организации удаленного доступа"
    assert s.explanation == ("Отгрузка (shipment) исправного оборудования: отсчет срока приостановлен с "
                             "9\u00a0ноября 2026\u00a0г., 12:00 (UTC+03:00) (статус «отказ ЗАКАЗЧИКА от "
                             "организации удаленного доступа»).")
    assert s.explanation in a.explanation.splitlines()
    # refused, then impossible for another reason, then arranged Thu 12 Nov: one pause of Nov 9, 10, 11
    a = _ticket(status(t("2026-11-09T12:00+03:00"), "remote_access_refused"),
                status(t("2026-11-10T12:00+03:00"), "remote_access_impossible"),
                status(t("2026-11-12T12:00+03:00"), None), at="2026-11-12T13:00+03:00")
    assert (a.obligation("replacement_shipment").state, a.obligation("replacement_shipment").due) == (
        "running", t(PAUSED_DUE))


def test_refused_before_the_part_arrives() -> None:
    # access refused Fri 30 Oct 12:00, before the part reaches the warehouse on Mon 2 Nov 10:00: the term
    # starts paused; access arranged Wed 4 Nov (a holiday) 10:00. The term's days begin on Tue 3 Nov (the
    # day of arrival is not one of them): Nov 3 paused, 1 working day -> Dec 1 moves to Wed 2 Dec
    events = [registered(t(REGISTERED), "phone"), status(t("2026-10-30T12:00+03:00"), "remote_access_refused"),
              event(t(RECEIVED), "faulty_part_received"), status(t("2026-11-04T10:00+03:00"), None)]
    m = module()
    s = m.ticket(tier="core", events=events, at=t("2026-11-03T10:00+03:00")).obligation("replacement_shipment")
    assert (s.state, s.paused_since) == ("paused", t(RECEIVED))
    s = m.ticket(tier="core", events=events, at=t("2026-11-05T10:00+03:00")).obligation("replacement_shipment")
    assert (s.state, s.due) == ("running", t("2026-12-02T23:59:59+03:00"))
    assert m.deadline("replacement_shipment", start=t(RECEIVED), paused=[
        (t(RECEIVED), t("2026-11-04T10:00+03:00"))]) == t("2026-12-02T23:59:59+03:00")
    # refused on the day of arrival, Mon 2 Nov 14:00, to Mon 9 Nov 09:00: Nov 3, 5, 6 (3 working days;
    # Nov 2 is not a day of the term) -> Fri 4 Dec
    assert m.deadline("replacement_shipment", start=t(RECEIVED), paused=[
        (t("2026-11-02T14:00+03:00"), t("2026-11-09T09:00+03:00"))]) == t(PAUSED_DUE)


# (the pauses, shipped at, state, met_at, breached_at)
MET_CASES = [
    # shipped Thu 26 Nov, before the plain due Tue 1 Dec: met
    ((), "2026-11-26T14:00+03:00", "met", None),
    # shipped on the last day, Tue 1 Dec 18:00: met
    ((), "2026-12-01T18:00+03:00", "met", None),
    # shipped Thu 3 Dec, no pause: late, the term ran out at the end of Tue 1 Dec
    ((), "2026-12-03T10:00+03:00", "breached", PLAIN_DUE),
    # shipped Thu 3 Dec after 3 days paused (due Fri 4 Dec): in time
    ((("remote_access_refused", "2026-11-09T12:00+03:00", "2026-11-12T12:00+03:00"),), "2026-12-03T10:00+03:00",
     "met", None),
    # shipped Mon 7 Dec after 3 days paused: late, the term ran out at the end of Fri 4 Dec
    ((("remote_access_refused", "2026-11-09T12:00+03:00", "2026-11-12T12:00+03:00"),), "2026-12-07T10:00+03:00",
     "breached", PAUSED_DUE),
]


@pytest.mark.parametrize(("pauses", "shipped", "state", "breached_at"), MET_CASES,
                         ids=[f"{len(c[0])}-pauses:{c[1][:10]}" for c in MET_CASES])
@pytest.mark.parametrize("how", ["stop_event", "met"])
def test_the_shipment_met_in_time_or_late(pauses, shipped, state, breached_at, how) -> None:
    done = (event(t(shipped), "replacement_shipped") if how == "stop_event"
            else met(t(shipped), "replacement_shipment"))
    s = _ticket(*_pause_events(pauses), done, at="2026-12-10T12:00+03:00").obligation("replacement_shipment")
    assert (s.state, s.met_at) == (state, t(shipped))
    assert s.breached_at == (t(breached_at) if breached_at else None)
    code = s.reasons[0][0]
    assert code == ("met" if state == "met" else "met_late")
    if state == "met":
        assert s.explanation.startswith("Отгрузка (shipment) исправного оборудования: выполнено в срок, ")
    else:
        assert s.explanation.startswith("Отгрузка (shipment) исправного оборудования: выполнено с нарушением "
                                        "срока, ")


def test_not_shipped_by_the_due_date_is_a_breach() -> None:
    # no shipment by Wed 2 Dec: breached at the end of Tue 1 Dec
    s = _ticket(at="2026-12-02T09:00+03:00").obligation("replacement_shipment")
    assert (s.state, s.breached_at, s.met_at) == ("breached", t(PLAIN_DUE), None)
    # a refusal that begins after the term ran out moves nothing: still breached on Dec 1
    s = _ticket(status(t("2026-12-02T10:00+03:00"), "remote_access_refused"),
                status(t("2026-12-07T10:00+03:00"), None), at="2026-12-08T09:00+03:00").obligation(
        "replacement_shipment")
    assert (s.state, s.breached_at) == ("breached", t(PLAIN_DUE))
    assert module().deadline("replacement_shipment", start=t(RECEIVED), paused=[
        (t("2026-12-02T10:00+03:00"), t("2026-12-07T10:00+03:00"))]) == t(PLAIN_DUE)


def test_the_resolution_does_not_fulfil_an_obligation() -> None:
    # the ticket resolved Mon 9 Nov: the response target stops, the shipment is still owed
    a = _ticket(resolved(t("2026-11-09T10:00+03:00")), at="2026-11-10T10:00+03:00")
    assert a.target("response").state in ("met", "breached")
    assert a.obligation("replacement_shipment").state == "running"


def test_delivery_and_customs_with_the_customers_own_address() -> None:
    # own address; shipped Thu 26 Nov 14:00: 21 working days from it, Nov 27 (1), 30 (2), Dec 1-4 (6),
    # 7-11 (11), 14-18 (16), 21-25 (21) -> Fri 25 Dec
    shipped = event(t("2026-11-26T14:00+03:00"), "replacement_shipped")
    a = _ticket(shipped, at="2026-11-27T10:00+03:00", own_address=True)
    assert [(s.id, s.state) for s in a.obligations] == [("replacement_shipment", "met"),
                                                        ("delivery_and_customs", "running")]
    assert a.obligation("delivery_and_customs").due == t("2026-12-25T23:59:59+03:00")
    # access refused Tue 1 Dec to Thu 3 Dec (1, 2 Dec: 2 working days) -> Mon 28, Tue 29 Dec
    a = _ticket(shipped, status(t("2026-12-01T10:00+03:00"), "remote_access_impossible"),
                status(t("2026-12-03T10:00+03:00"), None), met(t("2026-12-29T16:00+03:00"), "delivery_and_customs"),
                at="2026-12-30T10:00+03:00", own_address=True)
    s = a.obligation("delivery_and_customs")
    assert (s.state, s.due, s.met_at) == ("met", t("2026-12-29T23:59:59+03:00"), t("2026-12-29T16:00+03:00"))
    # without the customer's own address the obligation does not apply: not listed
    a = _ticket(shipped, at="2026-11-27T10:00+03:00")
    assert [s.id for s in a.obligations] == ["replacement_shipment"]
    with pytest.raises(PolicyQueryError, match="delivery_and_customs"):
        a.obligation("delivery_and_customs")


def test_before_the_part_arrives_nothing_runs_and_response_is_unchanged() -> None:
    m = module()
    at = t(REGISTERED)
    a = m.ticket(tier="core", events=[registered(at, "phone")], at=at)
    s = a.obligation("replacement_shipment")
    assert (s.state, s.counted_from, s.due) == ("not_started", "faulty_part_received", None)
    assert "Отгрузка" not in a.explanation  # an obligation not started is listed, not explained
    r = m.response(tier="core", channel="phone", registered_at=at)
    assert [(x.id, x.due) for x in a.targets] == [(x.id, x.deadline) for x in r.targets]
    assert a.as_dict()["obligations"][0]["state"] == "not_started"


def test_the_term_of_a_notice_or_bad_pauses_are_refused() -> None:
    m = module()
    start = t(RECEIVED)
    for bad in (5, "x", [(start,)], [(t("2026-11-05T10:00+03:00"), t("2026-11-04T10:00+03:00"))],
                [(t("2026-11-01T10:00+03:00"), t("2026-11-04T10:00+03:00"))],
                [(t("2026-11-05T10:00+03:00"), t("2026-11-09T10:00+03:00")),
                 (t("2026-11-06T10:00+03:00"), t("2026-11-10T10:00+03:00"))],
                [(datetime(2026, 11, 5, 10), datetime(2026, 11, 6, 10))]):
        with pytest.raises(PolicyQueryError):
            m.deadline("replacement_shipment", start=start, paused=bad)
    with pytest.raises(PolicyQueryError, match="own_address"):  # the condition is still required
        m.deadline("delivery_and_customs", start=start, paused=[(start, start)])
    assert m.deadline("delivery_and_customs", start=start, paused=[], own_address=True) == \
        m.deadline("delivery_and_customs", start=start, own_address=True)
    with pytest.raises(PolicyQueryError, match="replacement_shipment"):  # met names a target or obligation
        _ticket(met(t("2026-11-03T10:00+03:00"), "replacement_shipmnt"), at="2026-11-04T10:00+03:00")
