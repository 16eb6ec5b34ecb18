"""IBM HelpWare incident packs (policies/examples/ibm_helpware_incident_packs.policy).

Every expected value is worked out by hand from the source text quoted in the policy's header, not
from the evaluator; the comment next to each case shows the arithmetic.

Source (IBM user's guide, «HelpWare support and services»):
- «The 3-incident pack expires one year from the date of purchase» (the same for 5 and 10);
- «Requests for assistance on multiple questions or problems will be considered as multiple
  incidents».
"""
from __future__ import annotations

import types
from datetime import date

import pytest
from _example_module import example_module

PID = "ibm_helpware_incident_packs"


def module() -> types.ModuleType:
    return example_module(PID)


# (pack, bought on, incidents in it, first day the pack no longer works)
PACK_CASES = [
    # 3-incident pack bought 10 Mar 2026: one year from the date of purchase -> 10 Mar 2027
    ("pack_3", date(2026, 3, 10), 3, date(2027, 3, 10)),
    # 5-incident pack bought 31 Dec 2026 -> 31 Dec 2027
    ("pack_5", date(2026, 12, 31), 5, date(2027, 12, 31)),
    # 10-incident pack bought 29 Feb 2028: 2029 has no 29 Feb -> valid through the last day of
    # February 2029 (art. 192), expires (exclusive) 1 Mar 2029
    ("pack_10", date(2028, 2, 29), 10, date(2029, 3, 1)),
]


@pytest.mark.parametrize(("pack", "bought", "count", "expires"), PACK_CASES, ids=[c[0] for c in PACK_CASES])
def test_pack_expires_one_year_after_purchase(pack, bought, count, expires) -> None:
    (grant,) = module().vouchers(tier=pack, period_start=bought)
    assert (grant.count, grant.valid_from, grant.expires) == (count, bought, expires)


def test_a_pack_is_not_reissued() -> None:
    # a pack is bought once; the source names no yearly re-issue
    with pytest.raises(ValueError, match="not re-issued"):
        module().vouchers(tier="pack_10", period_start=date(2026, 3, 10), years=2)


# (incidents reported, left of a 10-incident pack)
BALANCE_CASES = [
    # one call on two problems = two incidents; one more call on a third problem -> 3 used, 7 left
    (["problem"] * 3, 7),
    # ten problems use the pack up
    (["problem"] * 10, 0),
]


@pytest.mark.parametrize(("incidents", "left"), BALANCE_CASES, ids=[str(len(c[0])) for c in BALANCE_CASES])
def test_incident_balance(incidents, left) -> None:
    b = module().incident_balance(purchased=10, incidents=incidents)
    assert (b.deducted, b.not_deducted, b.remaining) == (len(incidents), 0, left)
