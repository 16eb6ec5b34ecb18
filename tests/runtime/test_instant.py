"""`calendar.instant` is `datetime.timestamp()` bit for bit, including days a zone's offset changes."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from policy_lang.runtime.calendar import instant

ZONES = [ZoneInfo(z) for z in ("Europe/Moscow", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                               "Asia/Kolkata", "UTC")]
ZONES += [timezone.utc, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-3, seconds=17))]


@pytest.mark.parametrize("tz", ZONES, ids=str)
def test_instant_equals_timestamp(tz) -> None:
    rng = random.Random(str(tz))
    for _ in range(5_000):
        naive = datetime(1970, 1, 2) + timedelta(seconds=rng.randrange(230 * 365 * 86400),
                                                 microseconds=rng.randrange(1_000_000))
        at = naive.replace(tzinfo=tz, fold=rng.randrange(2))
        assert instant(at) == at.timestamp(), at


@pytest.mark.parametrize("wall", ["2026-03-29T02:30", "2026-03-29T01:59:59.999999", "2026-10-25T02:30",
                                  "2026-10-25T03:00"])
def test_instant_on_the_days_berlin_changes_its_offset(wall: str) -> None:
    for fold in (0, 1):
        at = datetime.fromisoformat(wall).replace(tzinfo=ZoneInfo("Europe/Berlin"), fold=fold)
        assert instant(at) == at.timestamp()
