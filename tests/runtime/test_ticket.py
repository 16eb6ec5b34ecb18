"""ticket(): where a ticket stands, from its events: one row per case.

The program is written here (LAB), compiled three times, once per priority-change rule. The
business calendar is Mon-Fri 09:00-18:00 Moscow, so 2026-03-10 (a Tuesday) 10:00 + 8 working hours
is 10 March 18:00, + 9 is 11 March 10:00. Every expected instant below is worked out by hand from
that calendar, not read back from the evaluator.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import policy_lang
from policy_lang.runtime.ticket import (
    STATES,
    TicketEvent,
    TicketEventError,
    escalated,
    event,
    met,
    priority_changed,
    registered,
    resolved,
    status,
    update,
)

MSK = ZoneInfo("Europe/Moscow")
T0 = datetime(2026, 3, 10, 10, 0, tzinfo=MSK)  # a Tuesday, in working hours

LAB = """program ticket_lab {
    title   "Лаборатория заявок"
    vendor  "Тест"
    edition "1"
    source  "tests/runtime/test_ticket.py"
}

parties {
    vendor   "ИСПОЛНИТЕЛЬ" "служба поддержки"
    customer "ЗАКАЗЧИК"    "клиент"
}

calendar business "рабочие часы (пн–пт 09:00–18:00, Москва)" {
    zone   "Europe/Moscow"
    hours  mon-fri 09:00-18:00
}

calendar around_the_clock "круглосуточно" {
    zone   "Europe/Moscow"
    always
}

channel portal "портал" {
    available around_the_clock
}

channel phone "телефон" {
    available around_the_clock
}

tiers {
    standard "Стандарт" purchased
    premium  "Премиум" purchased
}

priorities "Приоритет" {
    default P3
    on change {rule}
    P1 "Критический"
    P2 "Высокий"
    P3 "Обычный"
}

status waiting_customer "ожидание информации от ЗАКАЗЧИКА"
status waiting_vendor   "ожидание ответа третьей стороны"

event solution_proposed "предложение решения"
event reopened          "повторное открытие заявки"

condition escalated_by_phone "эскалация заявки по телефону" when escalated via phone

response "Время реакции" on business {
    stop on solution_proposed
    priority  standard  premium
    P1        2h        1h
    P2        4h        2h
    P3        8h        4h
}

target resolution "Срок решения" on business {
    pause while waiting_customer, waiting_vendor
    stop on solution_proposed
    restart on reopened
    priority  standard  premium
    P1        8h        4h when escalated_by_phone 2h on around_the_clock
    P2        "по согласованию сторон"  24h
    P3        < 16h     12h
}

target updates "Информирование о ходе работ" on business {
    repeats after update
    stop on solution_proposed
    priority  standard  premium
    P1        2h        1h
    P2        4h        2h
    P3        8h        4h
}
"""


def h(hours: float, base: datetime = T0) -> datetime:
    return base + timedelta(hours=hours)


def msk(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MSK)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ModuleType]:
    out = {}
    for rule in ("recount", "keep", "restart"):
        path = tmp_path_factory.mktemp(rule) / "ticket_lab.policy"
        path.write_text(LAB.replace("{rule}", rule), encoding="utf-8")
        out[rule] = policy_lang.load(path)  # type: ignore[assignment]
    return out


# (case, tier, events, at, target, expected fields) — the recount program unless the case says otherwise
CASES: list[tuple[str, str, list[TicketEvent], datetime, str, dict[str, Any]]] = [
    ("running on working time", "standard", [registered(T0, "portal", "P1")], h(1), "resolution",
     {"state": "running", "due": msk("2026-03-10T18:00"), "elapsed": 3600, "remaining": 7 * 3600}),
    ("paused while waiting for the customer: no due, the time left frozen", "standard",
     [registered(T0, "portal", "P1"), status(h(1), "waiting_customer")], h(5), "resolution",
     {"state": "paused", "due": None, "elapsed": 3600, "remaining": 7 * 3600, "paused_since": h(1),
      "status": "waiting_customer", "status_title": "ожидание информации от ЗАКАЗЧИКА"}),
    ("resumed: the paused working hours are added", "standard",
     [registered(T0, "portal", "P1"), status(h(1), "waiting_customer"), status(h(3), None)], h(4), "resolution",
     {"state": "running", "due": msk("2026-03-11T11:00"), "elapsed": 2 * 3600, "remaining": 6 * 3600}),
    ("a pause overnight counts only its working hours", "standard",
     [registered(T0, "portal", "P1"), status(msk("2026-03-10T17:00"), "waiting_vendor"),
      status(msk("2026-03-11T10:00"), None)], msk("2026-03-11T10:00"), "resolution",
     {"state": "running", "due": msk("2026-03-11T11:00"), "elapsed": 7 * 3600}),
    ("a status that does not pause a target leaves it running", "standard",
     [registered(T0, "portal", "P1"), status(h(1), "waiting_customer")], h(1.5), "response",
     {"state": "running", "due": msk("2026-03-10T12:00")}),
    ("paused before the registration's hours: counting starts at the opening", "standard",
     [registered(msk("2026-03-10T07:00"), "portal", "P1"), status(msk("2026-03-10T08:00"), "waiting_customer"),
      status(msk("2026-03-10T10:00"), None)], msk("2026-03-10T10:00"), "resolution",
     {"state": "running", "due": msk("2026-03-10T18:00"), "elapsed": 0, "remaining": 8 * 3600}),
    ("a stop in time: met", "standard",
     [registered(T0, "portal", "P1"), event(h(1.5), "solution_proposed")], h(3), "response",
     {"state": "met", "met_at": h(1.5), "due": msk("2026-03-10T12:00"), "breached_at": None, "elapsed": 5400}),
    ("a stop after the due: breached, met late", "standard",
     [registered(T0, "portal", "P1"), event(h(3), "solution_proposed")], h(4), "response",
     {"state": "breached", "met_at": h(3), "breached_at": msk("2026-03-10T12:00"), "breaches": 1}),
    ("past due and not stopped: breached", "standard", [registered(T0, "portal", "P1")], h(2.5), "response",
     {"state": "breached", "met_at": None, "breached_at": msk("2026-03-10T12:00"), "remaining": 0}),
    ("met(target) stops one target only", "standard",
     [registered(T0, "portal", "P1"), met(h(1), "response")], h(1), "resolution", {"state": "running"}),
    ("resolved stops every clock", "standard",
     [registered(T0, "portal", "P1"), resolved(h(1))], h(9), "resolution", {"state": "met", "met_at": h(1)}),
    ("restart after a stop: a new cycle from the reopening", "standard",
     [registered(T0, "portal", "P1"), event(h(1), "solution_proposed"), event(msk("2026-03-12T10:00"), "reopened")],
     msk("2026-03-12T11:00"), "resolution",
     {"state": "running", "cycles": 2, "due": msk("2026-03-12T18:00"), "elapsed": 3600, "met_at": None}),
    ("a restart event before any stop does nothing", "standard",
     [registered(T0, "portal", "P1"), event(h(1), "reopened")], h(2), "resolution",
     {"state": "running", "cycles": 1, "due": msk("2026-03-10T18:00")}),
    ("recurring: updates in time open new cycles", "standard",
     [registered(T0, "portal", "P1"), update(h(1.5)), update(h(3))], h(4), "updates",
     {"state": "running", "cycles": 3, "breaches": 0, "due": h(5)}),
    ("recurring: a late update is a breached cycle, the next runs", "standard",
     [registered(T0, "portal", "P1"), update(h(1.5)), update(h(5))], h(5.5), "updates",
     {"state": "running", "cycles": 3, "breaches": 1, "breached_at": h(3.5), "due": h(7)}),
    ("recurring: the current cycle past due", "standard",
     [registered(T0, "portal", "P1"), update(h(1))], h(3.5), "updates",
     {"state": "breached", "cycles": 2, "breaches": 1, "breached_at": h(3)}),
    ("recurring: a stop ends the cycles", "standard",
     [registered(T0, "portal", "P1"), update(h(1)), event(h(2), "solution_proposed")], h(8), "updates",
     {"state": "met", "cycles": 2, "met_at": h(2)}),
    ("strict bound: met exactly at the due is breached", "standard",
     [registered(T0, "portal", "P3"), met(msk("2026-03-11T17:00"), "resolution")], msk("2026-03-12T10:00"),
     "resolution", {"state": "breached", "strict": True, "breached_at": msk("2026-03-11T17:00")}),
    ("strict bound: a second before the due is met", "standard",
     [registered(T0, "portal", "P3"), met(msk("2026-03-11T16:59:59"), "resolution")], msk("2026-03-12T10:00"),
     "resolution", {"state": "met", "strict": True}),
    ("non-strict bound: met exactly at the due is in time", "standard",
     [registered(T0, "portal", "P1"), met(h(2), "response")], h(3), "response", {"state": "met"}),
    ("words are never computed", "standard", [registered(T0, "portal", "P2")], h(1), "resolution",
     {"state": "as_written", "due": None, "text": "по согласованию сторон", "remaining": None}),
    ("no priority stated: the default priority", "standard", [registered(T0, "portal")], h(1), "response",
     {"state": "running", "due": msk("2026-03-10T18:00")}),
    ("escalation: the conditional cell on its own calendar, recounted from the registration", "premium",
     [registered(T0, "portal", "P1"), escalated(h(0.5), "phone")], h(1), "resolution",
     {"state": "running", "due": h(2), "reading": "clock"}),
    ("escalation through a channel no condition watches changes nothing", "premium",
     [registered(T0, "portal", "P1"), escalated(h(0.5), "portal")], h(1), "resolution",
     {"state": "running", "due": h(4)}),
    ("priority change, recount: from the start at the new value", "standard",
     [registered(T0, "portal", "P3"), priority_changed(h(2), "P1")], h(3), "response",
     {"state": "breached", "breached_at": h(2), "due": h(2)}),
    ("priority change, recount: a pause before it still counts", "standard",
     [registered(T0, "portal", "P3"), status(h(1), "waiting_customer"), status(h(2), None),
      priority_changed(h(3), "P1")], h(4), "resolution",
     {"state": "running", "due": msk("2026-03-10T19:00") + timedelta(hours=15), "elapsed": 3 * 3600}),
]
RULE_CASES = [
    ("keep: the time elapsed counts against the new value", "keep", "standard",
     [registered(T0, "portal", "P3"), priority_changed(h(1), "P1")], h(1.5), "response",
     {"state": "running", "due": h(2), "elapsed": 5400}),
    ("restart: the new value in full from the change", "restart", "standard",
     [registered(T0, "portal", "P3"), priority_changed(h(1), "P1")], h(1.5), "response",
     {"state": "running", "due": h(3), "elapsed": 1800}),
    ("recount", "recount", "standard",
     [registered(T0, "portal", "P3"), priority_changed(h(1), "P1")], h(1.5), "response",
     {"state": "running", "due": h(2), "elapsed": 5400}),
    ("restart keeps a pause in force", "restart", "standard",
     [registered(T0, "portal", "P3"), status(h(0.5), "waiting_customer"), priority_changed(h(1), "P1")], h(2),
     "resolution", {"state": "paused", "paused_since": h(0.5)}),
]


@pytest.mark.parametrize(("case", "tier", "events", "at", "target", "expected"), CASES, ids=[c[0] for c in CASES])
def test_case(lab: dict[str, ModuleType], case: str, tier: str, events: list[TicketEvent], at: datetime,
              target: str, expected: dict[str, Any]) -> None:
    _check(lab["recount"], tier, events, at, target, expected)


@pytest.mark.parametrize(("case", "rule", "tier", "events", "at", "target", "expected"), RULE_CASES,
                         ids=[c[0] for c in RULE_CASES])
def test_priority_change_rule(lab: dict[str, ModuleType], case: str, rule: str, tier: str,
                              events: list[TicketEvent], at: datetime, target: str, expected: dict[str, Any]) -> None:
    assert rule == lab[rule].PRIORITY_CHANGE
    _check(lab[rule], tier, events, at, target, expected)


def _check(m: ModuleType, tier: str, events: list[TicketEvent], at: datetime, target: str,
           expected: dict[str, Any]) -> None:
    answer = m.ticket(tier=tier, events=events, at=at)
    s = answer.target(target)
    got = {k: getattr(s, k) for k in expected}
    assert got == expected
    assert s.state in STATES
    assert s.reasons[0][0] in (*STATES, "met_late")
    assert s.explanation.startswith(s.title) and s.explanation.endswith(".")
    # the same events in another order (but the registration first) replay the same
    shuffled = [events[0], *reversed(events[1:])]
    assert m.ticket(tier=tier, events=shuffled, at=at).target(target) == s
    # and as JSON-like mappings
    rows = [{"at": e.at.isoformat(), "kind": e.kind, "value": e.value, "priority": e.priority} for e in events]
    assert m.ticket(tier=tier, events=rows, at=at).target(target) == s


def test_events_after_at_are_not_replayed(lab: dict[str, ModuleType]) -> None:
    m = lab["recount"]
    a = m.ticket(tier="standard", events=[registered(T0, "portal", "P1"), event(h(5), "solution_proposed")], at=h(1))
    assert a.target("response").state == "running"


def test_explanation_russian(lab: dict[str, ModuleType]) -> None:
    m = lab["recount"]
    a = m.ticket(tier="standard", events=[registered(T0, "portal", "P1"), status(h(0.5), "waiting_customer")],
                 at=h(1))
    text = a.explanation
    assert text.splitlines()[0] == "Заявка принята, приоритет Критический."
    assert ("Срок решения: отсчет срока приостановлен с 10\u00a0марта 2026\u00a0г., 10:30 (UTC+03:00) "
            "(статус «ожидание информации от ЗАКАЗЧИКА»); осталось 7\u00a0рабочих часов 30\u00a0минут.") in text
    a = m.ticket(tier="standard", events=[registered(T0, "portal", "P1")], at=h(7))
    assert "Срок решения: срок — до 10\u00a0марта 2026\u00a0г., 18:00 (UTC+03:00); остался 1\u00a0рабочий час." in a.explanation
    a = m.ticket(tier="premium", events=[registered(T0, "portal", "P1"), escalated(h(0.5), "phone")], at=h(1))
    assert "остался 1\u00a0час." in a.target("resolution").explanation  # clock time: not «рабочий»
    a = m.ticket(tier="standard", events=[registered(T0, "portal", "P2")], at=h(1))
    assert a.target("resolution").explanation == ("Срок решения: по согласованию сторон "
                                                  "(срок указан словами и не исчисляется).")


def test_refused_outside_hours_and_not_accepted() -> None:
    m = policy_lang.load(Path(__file__).resolve().parents[2] / "policies" / "landesk_support.policy")
    sat = datetime(2026, 3, 14, 12, 0, tzinfo=MSK)
    r = m.response(tier="professional", channel="phone", priority="P1", registered_at=sat)
    a = m.ticket(tier="professional", events=[registered(sat, "phone", "P1")], at=sat)
    assert a.accepted == r.accepted
    if not a.accepted:
        assert a.targets == () and a.explanation.startswith("Заявка не принимается.")


@pytest.mark.parametrize(("events", "message"), [
    ([], "first event is its registration"),
    ([status(T0, None)], "first event is its registration"),
    ([registered(T0, "portal", "P1"), registered(h(1), "portal", "P1")], "registered once"),
    ([registered(T0, "portal", "P1"), TicketEvent(h(1), "nosuch")], "valid: registered, priority, status"),
    ([registered(T0, "portal", "P1"), status(h(1), "waiting_custmer")], "did you mean 'waiting_customer'"),
    ([registered(T0, "portal", "P1"), event(h(1), "nosuch")], "valid: solution_proposed, reopened"),
    ([registered(T0, "portal", "P1"), escalated(h(1), "fax")], "valid: portal, phone"),
    ([registered(T0, "portal", "P1"), met(h(1), "nosuch")], "valid: response, resolution, updates"),
    ([registered(T0, "portal", "P1"), TicketEvent(datetime(2026, 3, 10, 11, 0), "update")], "naive"),
    ([registered(datetime(2026, 3, 10, 10, 0), "portal", "P1")], "naive"),
    ([registered(T0, "portal", "P1"), {"at": "2026-03-10T11:00+03:00", "kind": "update", "x": 1}], "unknown field 'x'"),
    ([registered(T0, "portal", "P1"), {"at": "yesterday", "kind": "update"}], "not an ISO 8601"),
    ([registered(T0, "portal", "P1"), status(h(9), "nosuch")], "unknown status"),  # after `at`: still checked
    ([registered(T0, "nosuch", "P1")], "unknown channel"),
    ([registered(T0, "portal", "P1"), priority_changed(h(1), "P9")], "unknown priority"),
])
def test_errors(lab: dict[str, ModuleType], events: list[Any], message: str) -> None:
    m = lab["recount"]
    with pytest.raises(ValueError, match=message) as info:
        m.ticket(tier="standard", events=events, at=h(2))
    assert isinstance(info.value, policy_lang.PolicyQueryError)


def test_errors_are_ticket_event_errors_naming_the_event(lab: dict[str, ModuleType]) -> None:
    m = lab["recount"]
    with pytest.raises(TicketEventError) as info:
        m.ticket(tier="standard", events=[registered(T0, "portal", "P1"), status(h(1), "nosuch")], at=h(2))
    assert info.value.details["event"] == 1 and str(info.value).startswith("event 2: ")
    assert info.value.kind == "events"
    with pytest.raises(policy_lang.PolicyQueryError, match="naive"):
        m.ticket(tier="standard", events=[registered(T0, "portal", "P1")], at=datetime(2026, 3, 10))
    with pytest.raises(TicketEventError, match="iterable"):
        m.ticket(tier="standard", events="registered", at=h(1))


def test_contract_bound_ticket_refuses_outside_the_term(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[2]
    c = policy_lang.contract(repo / "contracts" / "romashka_landesk.toml", repo / "policies")
    inside = datetime(2027, 3, 10, 10, 0, tzinfo=MSK)
    r = c.response(channel="phone", priority="P1", registered_at=inside)
    a = c.ticket(events=[registered(inside, "phone", "P1")], at=inside)
    assert (a.accepted, a.tier, [t.due for t in a.targets]) == (r.accepted, c.tier, [t.deadline for t in r.targets])
    outside = datetime(2026, 6, 10, 7, 0, tzinfo=UTC)  # before the term (2026-12-01..2027-11-30)
    a = c.ticket(events=[registered(outside, "phone", "P1")], at=outside)
    assert not a.accepted and "срока действия Договора" in a.explanation


def test_a_decision_kept_between_tickets_follows_the_hours_and_the_term() -> None:
    """ticket() keeps a decision no hour changes between tickets (not asking response() again): a
    channel with hours and a contract's term are still asked every time, in either order."""
    repo = Path(__file__).resolve().parents[2]
    m = policy_lang.load(repo / "policies" / "landesk_support.policy")
    tue, sat = datetime(2026, 3, 10, 10, 0, tzinfo=MSK), datetime(2026, 3, 14, 12, 0, tzinfo=MSK)
    for when in (tue, sat, tue, sat):
        for tier, channel, priority, request in list(m._DECISIONS)[:40]:
            r = m.response(tier=tier, channel=channel, priority=priority, request=request, registered_at=when)
            a = m.ticket(tier=tier, events=[registered(when, channel, priority, request)], at=when)
            assert (a.accepted, [t.due for t in a.targets]) == (r.accepted, [t.deadline for t in r.targets])
    c = policy_lang.contract(repo / "contracts" / "romashka_landesk.toml", repo / "policies")
    inside, outside = datetime(2027, 3, 10, 10, 0, tzinfo=MSK), datetime(2026, 6, 10, 10, 0, tzinfo=MSK)
    for when in (inside, outside, inside):
        a = c.ticket(events=[registered(when, "portal", "P1")], at=when)
        assert a.accepted == (when == inside) == c.response(channel="portal", priority="P1", registered_at=when).accepted


@pytest.mark.parametrize("kind", ["status", "event", "priority", "escalated", "condition", "met"])
@pytest.mark.parametrize("bad", [["waiting"], {"a": 1}, 5], ids=["list", "dict", "int"])
def test_an_event_value_that_is_not_a_string_is_a_clear_error(kind: str, bad: object) -> None:
    """A list or a number is no status, event, channel or priority: TicketEventError naming the event,
    never a TypeError from hashing it."""
    import policy_lang
    from policy_lang.runtime.ticket import TicketEvent, TicketEventError, registered

    m = policy_lang.load(Path(__file__).resolve().parents[2] / "policies" / "examples" / "secureco_service_support.policy")
    t = datetime(2026, 12, 7, 9, tzinfo=timezone(timedelta(hours=11)))
    with pytest.raises(TicketEventError, match=r"event 2: .*`value` must be a string or None"):
        m.ticket(tier="partner", events=[registered(t, "phone", priority="P1"), TicketEvent(t, kind, bad)], at=t)
