"""response() answers for every day of 2024-2030 (2028-2030 provisional), for every decision of
every program: the calendars no longer run out at the end of 2026."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import policy_lang

POLICIES = Path(__file__).resolve().parents[2] / "policies"
MSK = ZoneInfo("Europe/Moscow")


@pytest.mark.parametrize("pid", sorted(p.stem for p in POLICIES.glob("*.policy")))
def test_response_every_day_2024_to_2030(pid: str) -> None:
    m = policy_lang.load(POLICIES / f"{pid}.policy")
    keys = [(t, c, p) for t in m.TIERS for c in m.CHANNELS for p in (m.PRIORITIES or (None,))]
    day, last = date(2024, 1, 1), date(2030, 12, 20)
    answered = provisional = 0
    while day <= last:
        for hour in (3, 10, 16):
            at = datetime(day.year, day.month, day.day, hour, 30, tzinfo=MSK)
            for tier, channel, priority in keys:
                r = m.response(tier=tier, channel=channel, priority=priority, registered_at=at)
                if r.deadline is not None:
                    assert r.deadline >= at
                    assert r.provisional == (r.deadline.year >= 2028 and r.decision.calendar.horizon is not None)
                    answered += 1
                    provisional += r.provisional
        day += timedelta(days=1)
    assert answered > 0 or not any(d.seconds for d in m._DECISIONS.values())
