"""ticket() with one registration event answers exactly what response() answers, for EVERY decision of
every program in policies/ and policies/examples/: accepted, priority, and each target's due time
(the target's deadline), provisional, clause, strength and text; at registration times inside and
outside working hours, in two zones, in a year with a decree and in one without."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import policy_lang
from policy_lang import PolicyQueryError
from policy_lang.runtime.ticket import registered

ROOT = Path(__file__).resolve().parents[3]
PROGRAMS = sorted((ROOT / "policies").glob("*.policy")) + sorted((ROOT / "policies" / "examples").glob("*.policy"))
MSK = ZoneInfo("Europe/Moscow")
#: Tuesday mid-morning, Saturday night, a holiday, New Year's night, a late-year evening (no decree yet?),
#: and one instant in UTC: inside and outside every program's hours.
TIMES = (
    datetime(2026, 3, 10, 10, 0, tzinfo=MSK),
    datetime(2026, 3, 14, 23, 30, tzinfo=MSK),
    datetime(2026, 5, 1, 12, 0, tzinfo=MSK),
    datetime(2027, 1, 1, 0, 30, tzinfo=MSK),
    datetime(2027, 12, 29, 18, 45, tzinfo=MSK),
    datetime(2026, 7, 1, 6, 15, tzinfo=UTC),
)


@pytest.fixture(scope="module", params=PROGRAMS, ids=lambda p: p.stem)
def module(request: pytest.FixtureRequest) -> ModuleType:
    return policy_lang.load(request.param, ROOT / "policies")  # type: ignore[return-value]


def _queries(m: ModuleType) -> list[tuple[Any, ...]]:
    keys = list(m._DECISIONS)
    if not keys:
        assert not m.CHANNELS or not m.TARGETS, f"{m.PROGRAM.id}: channels and targets but no decisions"
        pytest.skip(f"{m.PROGRAM.id} decides no requests (no channels or no targets)")
    return keys


def test_every_decision(module: ModuleType) -> None:
    m = module
    checked = 0
    for tier, channel, priority, request in _queries(m):
        for t in TIMES:
            try:
                r = m.response(tier=tier, channel=channel, priority=priority, request=request, registered_at=t)
            except PolicyQueryError as e:  # a time outside a calendar's horizon: ticket() says the same
                with pytest.raises(type(e)):
                    m.ticket(tier=tier, events=[registered(t, channel, priority, request)], at=t)
                continue
            for at in (t, t + timedelta(minutes=1)):
                a = m.ticket(tier=tier, events=[registered(t, channel, priority, request)], at=at)
                where = (m.PROGRAM.id, tier, channel, priority, request, t.isoformat(), at.isoformat())
                assert a.accepted == r.accepted, where
                assert a.priority == r.priority, where
                assert a.reported_priority == r.reported_priority, where
                assert a.clauses == r.clauses, where
                answers = r.targets
                assert [s.id for s in a.targets] == [x.id for x in answers], where
                for s, x in zip(a.targets, answers):
                    assert s.due == x.deadline, (*where, s.id, s.state)
                    if s.due is not None:
                        assert s.due.utcoffset() == x.deadline.utcoffset(), (*where, s.id)
                    assert s.provisional == x.provisional, (*where, s.id)
                    assert (s.clause, s.strength, s.text, s.title) == (x.clause, x.strength, x.text, x.title), where
                    assert (s.state in ("running", "breached")) == (x.deadline is not None), (*where, s.id, s.state)
                    if s.state == "running":
                        assert at < s.due or (at == s.due and not s.strict)
                    if not x.regulated:
                        assert s.state in ("not_regulated", "as_written"), (*where, s.id)
                    assert s.explanation and a.explanation
                checked += 1
    assert checked > 0
