"""A term in days, weeks, months or years ends at the end of its last day (Civil Code art. 191-194),
as docs/language.md says: 23:59:59 local time of the obligation's calendar, else of the start."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import policy_lang
from policy_lang import PolicyQueryError

MSK = ZoneInfo("Europe/Moscow")
POLICY = Path(__file__).resolve().parent / "data" / "days_terms.policy"


@pytest.fixture(scope="module")
def ev():
    return policy_lang.load(POLICY)


@pytest.mark.parametrize(("obligation", "start", "deadline"), [
    # 10 days on the Moscow calendar: 23:30 UTC on 10 March is already 11 March in Moscow.
    ("report", datetime(2026, 3, 10, 23, 30, tzinfo=timezone.utc), datetime(2026, 3, 21, 23, 59, 59, tzinfo=MSK)),
    ("report", datetime(2026, 3, 10, 9, 0, tzinfo=MSK), datetime(2026, 3, 20, 23, 59, 59, tzinfo=MSK)),
    # 1 month from 31 January ends on the last day of February (art. 192), in the start's zone.
    ("review", datetime(2026, 1, 31, 10, 0, tzinfo=MSK), datetime(2026, 2, 28, 23, 59, 59, tzinfo=MSK)),
    ("review", datetime(2026, 1, 15, 10, 0, tzinfo=timezone(timedelta(hours=5))),
     datetime(2026, 2, 15, 23, 59, 59, tzinfo=timezone(timedelta(hours=5)))),
])
def test_term_ends_at_the_end_of_its_last_day(ev, obligation, start, deadline) -> None:
    got = ev.deadline(obligation, start=start)
    assert got == deadline and got.utcoffset() == deadline.utcoffset()


def test_far_dates_are_a_query_error(ev) -> None:
    with pytest.raises(PolicyQueryError):
        ev.deadline("review", start=datetime(9999, 12, 31, 10, 0, tzinfo=MSK))


def test_load_cannot_be_shadowed_by_its_module() -> None:
    """`import policy_lang.loading` (or any submodule) leaves `policy_lang.load` the function."""
    import importlib

    importlib.import_module("policy_lang.loading")
    assert callable(policy_lang.load) and policy_lang.load.__module__ == "policy_lang"
    assert policy_lang.load(POLICY).PROGRAM.id == "days_example"
