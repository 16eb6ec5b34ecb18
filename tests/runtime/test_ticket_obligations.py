"""ticket() answers every obligation counted from an event (issue 19), for every program.

An obligation `from EVENT within …` starts when the event first happens in a ticket's events; with no
pause its due is exactly what deadline(obligation, start=<the event's time>) gives, for every such
obligation of every program in policies/ and policies/examples/; its clock rules come from the policy
(`pause while`, `stop on`) through the generated OBLIGATIONS; a module generated before obligations had
clock rules (no `obligations=` passed to ticket(), Obligation literals without pauses) still runs.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest

import policy_lang
from policy_lang.frontend import compile_file
from policy_lang.runtime.ticket import TicketEvent, event, met, registered, status
from policy_lang.runtime.ticket import ticket as replay
from policy_lang.semantics import model

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = sorted((ROOT / "policies").glob("*.policy")) + sorted((ROOT / "policies" / "examples").glob("*.policy"))
MSK = ZoneInfo("Europe/Moscow")


def _first_request(m: ModuleType):
    keys = [k for k in m._DECISIONS if m._DECISIONS[k].accepted]
    return keys[0] if keys else None


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: p.stem)
def test_an_obligation_from_its_event_is_due_as_deadline_says(path: Path) -> None:
    m = policy_lang.load(path, ROOT / "policies")
    counted = [ob for ob in m.OBLIGATIONS.values() if ob.start_event is not None and ob.before_period is None]
    key = _first_request(m)
    if not counted or key is None:
        pytest.skip(f"{m.PROGRAM.id}: no obligation counted from an event, or no request it takes")
    tier, channel, priority, request = key
    reg = datetime(2026, 3, 2, 9, 30, tzinfo=MSK)  # Mon
    for ob in counted:
        for start in (reg + timedelta(hours=5), reg + timedelta(days=4, hours=13)):  # Mon 14:30, Fri 22:30
            events = [registered(reg, channel, priority, request), event(start, ob.start_event)]
            flags = {}
            if ob.condition is not None:
                events.append(TicketEvent(reg, "condition", ob.condition))
                flags[ob.condition] = True
            a = m.ticket(tier=tier, events=events, at=start)
            s = a.obligation(ob.id)
            expected = m.deadline(ob.id, start=start, **flags)
            assert (s.state, s.due, s.counted_from) == ("running", expected, None), (m.PROGRAM.id, ob.id, start)
            assert s.due.utcoffset() == expected.utcoffset()
            assert s.provisional == m.due(ob.id, start=start, **flags).provisional
            assert (s.title, s.clause, s.text) == (ob.title, ob.clause, ob.term_text)
            # before its event: listed as not started, and not explained
            before = m.ticket(tier=tier, events=events[:1] + events[2:], at=start)
            if ob.condition is None or any(e.kind == "condition" for e in events[2:]):
                assert before.obligation(ob.id).state == "not_started"
            # met by met(at, id), in time
            done = m.ticket(tier=tier, events=[*events, met(start + timedelta(minutes=1), ob.id)],
                            at=start + timedelta(days=1))
            assert (done.obligation(ob.id).state, done.obligation(ob.id).met_at) == (
                "met", start + timedelta(minutes=1))


def test_the_policy_clock_rules_reach_the_model_and_the_module() -> None:
    c = compile_file(ROOT / "policies" / "juniper_care_core.policy", root=ROOT / "policies")
    assert c.program is not None
    obs = {o.id: o for o in c.program.obligations}
    pauses = ("remote_access_refused", "remote_access_impossible")
    assert obs["replacement_shipment"].clock == model.ClockRules(pauses=pauses, stops=("replacement_shipped",))
    assert obs["delivery_and_customs"].clock == model.ClockRules(pauses=pauses)
    assert [s.id for s in c.program.statuses] == list(pauses)
    m = policy_lang.load(ROOT / "policies" / "juniper_care_core.policy", ROOT / "policies")
    assert m.OBLIGATIONS["replacement_shipment"].pauses == pauses
    assert m.OBLIGATIONS["replacement_shipment"].stops == ("replacement_shipped",)
    # an obligation without clock rules has none in its literal (defaults): cisco's part return
    m = policy_lang.load(ROOT / "policies" / "examples" / "cisco_smart_net_total_care.policy", ROOT / "policies")
    assert (m.OBLIGATIONS["part_return"].pauses, m.OBLIGATIONS["part_return"].stops) == ((), ())


def test_a_module_of_before_obligation_clocks_still_runs() -> None:
    """The generated ticket() of before this change passed no obligations: its answers have none; an
    Obligation literal without pauses or stops is run plainly."""
    m = policy_lang.load(ROOT / "policies" / "juniper_care_core.policy", ROOT / "policies")
    reg = datetime(2026, 11, 2, 9, 0, tzinfo=MSK)
    events = [registered(reg, "phone"), event(reg + timedelta(hours=1), "faulty_part_received"),
              status(reg + timedelta(days=1), "remote_access_refused")]
    at = reg + timedelta(days=3)
    common = {"respond": m.response, "tier": "core", "events": events, "at": at, "clocks": m.CLOCKS,
              "statuses": m.STATUSES, "declared_events": m.EVENTS, "channels": m.CHANNELS,
              "conditions": m.CONDITIONS, "escalations": m.ESCALATIONS, "priority_change": m.PRIORITY_CHANGE}
    old = replay(**common)
    assert old.obligations == () and old.targets == m.ticket(tier="core", events=events, at=at).targets
    plain = {k: ob._replace(pauses=(), stops=()) for k, ob in m.OBLIGATIONS.items()}
    s = replay(**common, obligations=plain).obligation("replacement_shipment")
    assert (s.state, s.due) == ("running", m.deadline("replacement_shipment", start=reg + timedelta(hours=1)))
    s = replay(**common, obligations=m.OBLIGATIONS).obligation("replacement_shipment")
    assert s.state == "paused"


def test_a_bound_evaluator_answers_obligations_and_pauses() -> None:
    from datetime import date

    from policy_lang.runtime.bound import BoundEvaluator

    m = policy_lang.load(ROOT / "policies" / "juniper_care_core.policy", ROOT / "policies")
    b = BoundEvaluator(m, contract_id="c1", tier="core", start=date(2026, 1, 1), end=date(2026, 12, 31))
    reg = datetime(2026, 11, 2, 9, 0, tzinfo=MSK)
    got = datetime(2026, 11, 2, 10, 0, tzinfo=MSK)
    a = b.ticket(events=[registered(reg, "phone"), event(got, "faulty_part_received")], at=got)
    assert a.obligation("replacement_shipment").due == b.deadline("replacement_shipment", start=got)
    paused = [(datetime(2026, 11, 9, 12, 0, tzinfo=MSK), datetime(2026, 11, 12, 12, 0, tzinfo=MSK))]
    assert b.deadline("replacement_shipment", start=got, paused=paused) == datetime(2026, 12, 4, 23, 59, 59,
                                                                                     tzinfo=MSK)
    assert b.due("replacement_shipment", start=got, paused=paused).deadline == datetime(2026, 12, 4, 23, 59, 59,
                                                                                         tzinfo=MSK)
