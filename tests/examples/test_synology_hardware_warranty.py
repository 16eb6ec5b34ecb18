"""Synology Limited Product Warranty (policies/examples/synology_hardware_warranty.policy).

Every expected value is worked out by hand from the source text quoted in the policy's header, not
from the evaluator; the comment next to each case shows the arithmetic.

Source (Synology RX1211 User's Guide, Limited Product Warranty):
- 1 (h): the Warranty Period commences on the date the Product is purchased and ends five years
  after that date for Category I Products, three years after it for Category II Products;
- 2.4: «A Product issued a RMA number must be returned within fifteen (15) days after issuance of
  the applicable RMA number»;
- 2.5: a Replacement Product is «warranted for the remainder of the original Warranty Period or
  thirty (30) days after it is shipped to Customer, whichever period is longer».

A period that commences on the purchase date counts that date as its first day, so the evaluator's
warranty end (exclusive) is the anniversary of the purchase: a Product bought on 10 March 2026 is
covered up to and including 9 March 2029 (Category II).
"""
from __future__ import annotations

import types
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from _example_module import example_module

PID = "synology_hardware_warranty"
MSK = ZoneInfo("Europe/Moscow")


def module() -> types.ModuleType:
    return example_module(PID)


# (rma, purchased, asked on, eligible, warranty end (exclusive))
RMA_CASES = [
    # Category II: 3 years from 10 Mar 2026 -> 10 Mar 2029; 9 Mar 2029 is the last covered day
    ("category_ii_rma", date(2026, 3, 10), date(2029, 3, 9), True, date(2029, 3, 10)),
    # the third anniversary itself is outside: 2026-03-10 + 3 years = 2029-03-10
    ("category_ii_rma", date(2026, 3, 10), date(2029, 3, 10), False, date(2029, 3, 10)),
    # the same dates, Category I: 5 years -> 10 Mar 2031, so 1 Dec 2030 is covered ...
    ("category_i_rma", date(2026, 3, 10), date(2030, 12, 1), True, date(2031, 3, 10)),
    # ... while a Category II Product bought the same day is out of warranty since 10 Mar 2029
    ("category_ii_rma", date(2026, 3, 10), date(2030, 12, 1), False, date(2029, 3, 10)),
    # bought 29 Feb 2024: 2027 has no 29 Feb, a term in years ends on the last day of that month
    # (Civil Code art. 192) -> through 28 Feb 2027 (exclusive end 1 Mar 2027); 28 Feb is covered
    ("category_ii_rma", date(2024, 2, 29), date(2027, 2, 28), True, date(2027, 3, 1)),
]


@pytest.mark.parametrize(("rma", "purchased", "on", "eligible", "end"), RMA_CASES,
                         ids=[f"{c[0]}:{c[1]}:{c[2]}" for c in RMA_CASES])
def test_rma_eligibility(rma, purchased, on, eligible, end) -> None:
    d = module().rma_eligibility(rma=rma, delivered=purchased, on=on)
    assert (d.eligible, d.warranty_end, d.clause) == (eligible, end, "2.4")


# (rule, purchased, replacement shipped, end of the replacement's warranty)
RULE_CASES = [
    # Category II bought 10 Mar 2026, replacement shipped 1 Dec 2028:
    # remainder -> 10 Mar 2029; 30 days -> 1 Dec + 30 = 31 Dec 2028; the longer: 10 Mar 2029
    ("category_ii_replacement", date(2026, 3, 10), date(2028, 12, 1), date(2029, 3, 10)),
    # shipped 20 Feb 2029: 30 days -> 8 days to 28 Feb + 22 days = 22 Mar 2029;
    # remainder -> 10 Mar 2029; the longer: 22 Mar 2029
    ("category_ii_replacement", date(2026, 3, 10), date(2029, 2, 20), date(2029, 3, 22)),
    # Category I, same dates: remainder of 5 years -> 10 Mar 2031 beats 22 Mar 2029
    ("category_i_replacement", date(2026, 3, 10), date(2029, 2, 20), date(2031, 3, 10)),
    # Category II shipped 9 Mar 2029, the last covered day: remainder -> 10 Mar 2029 (one day);
    # 30 days -> 9 Mar + 30 = 8 Apr 2029; the longer: 8 Apr 2029
    ("category_ii_replacement", date(2026, 3, 10), date(2029, 3, 9), date(2029, 4, 8)),
]


@pytest.mark.parametrize(("rule", "purchased", "shipped", "end"), RULE_CASES,
                         ids=[f"{c[0]}:{c[2]}" for c in RULE_CASES])
def test_replacement_warranty(rule, purchased, shipped, end) -> None:
    assert module().rule_end(rule, at=shipped, purchase=purchased) == end


def test_rule_expressions() -> None:
    rules = module().RULES
    assert rules["category_i_replacement"] == ("max", ("duration", 30, "day"), ("remaining", "category_i_warranty"))
    assert rules["category_ii_replacement"] == ("max", ("duration", 30, "day"), ("remaining", "category_ii_warranty"))


# (RMA number issued at, the last moment to return the Product)
RETURN_CASES = [
    # issued Fri 25 Dec 2026 10:00 MSK; 15 days, the day of issuance not counted:
    # 26-31 Dec = 6 days, 1-9 Jan = 9 days -> 15th day is 9 Jan 2027, until its end (holidays count)
    (datetime(2026, 12, 25, 10, 0, tzinfo=MSK), datetime(2027, 1, 9, 23, 59, 59, tzinfo=MSK)),
    # issued 25 Dec 2026 22:30 UTC = 26 Dec 01:30 MSK: counted from 26 Dec (Moscow days, assumed)
    # -> 27 Dec .. 10 Jan = 15 days -> end of 10 Jan 2027 MSK
    (datetime(2026, 12, 25, 22, 30, tzinfo=UTC), datetime(2027, 1, 10, 23, 59, 59, tzinfo=MSK)),
    # issued Mon 1 Jun 2026 09:00 MSK: 2 Jun .. 16 Jun = 15 days -> end of 16 Jun 2026
    (datetime(2026, 6, 1, 9, 0, tzinfo=MSK), datetime(2026, 6, 16, 23, 59, 59, tzinfo=MSK)),
]


@pytest.mark.parametrize(("issued", "due"), RETURN_CASES, ids=[c[0].isoformat() for c in RETURN_CASES])
def test_rma_return_deadline(issued, due) -> None:
    m = module()
    got = m.deadline("rma_return", start=issued)
    assert got == due and got.utcoffset() == timedelta(hours=3), (got, due)
    assert m.OBLIGATIONS["rma_return"].party == "customer"
