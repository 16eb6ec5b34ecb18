"""Computhink Software Product Maintenance (policies/examples/computhink_software_maintenance.policy).

Every expected value is worked out by hand from the source text quoted in the policy's header, not
from the evaluator; the comment next to each case shows the arithmetic.

Source (Computhink, Terms and Conditions for Ordering Software Maintenance):
- maintenance «is needed for each year past the initial year of purchase»; it is sold as
  «1 Year Annual Maintenance»;
- «Products which are not covered by maintenance are able to be reinstated by placing them under
  maintenance for at least one year (forward), and by paying maintenance charges retroactively for
  the period since maintenance was dropped»;
- «All seats of a licensed product in use must be covered by the same maintenance terms».

A period's end is the first day it no longer runs (exclusive): the anniversary of its start, or
the last day of the month when the anniversary has no such day (29 February; Civil Code art. 192).
"""
from __future__ import annotations

import types
from datetime import date

import pytest
from _example_module import example_module

PID = "computhink_software_maintenance"


def module() -> types.ModuleType:
    return example_module(PID)


# (period, starts, first day no longer covered)
PERIOD_CASES = [
    # licence bought 10 Mar 2026: the initial year runs to 9 Mar 2027 inclusive
    ("first_year", date(2026, 3, 10), date(2027, 3, 10)),
    # the first paid year ordered from 10 Mar 2027 -> up to 9 Mar 2028 inclusive
    ("annual_maintenance", date(2027, 3, 10), date(2028, 3, 10)),
    # a year ordered from 29 Feb 2028: its anniversary falls on the missing 29 Feb 2029, so it
    # ends on the last day of that month (art. 192), 28 Feb 2029: 1 Mar 2029 is the first day outside
    ("annual_maintenance", date(2028, 2, 29), date(2029, 3, 1)),
]


@pytest.mark.parametrize(("period", "start", "end"), PERIOD_CASES, ids=[f"{c[0]}:{c[1]}" for c in PERIOD_CASES])
def test_period_end(period, start, end) -> None:
    assert module().period_end(start=start, period=period) == end


def test_annual_maintenance_does_not_renew_by_itself() -> None:
    # each year is a separate order: the source names no automatic renewal
    r = module().renewal(start=date(2027, 3, 10), period="annual_maintenance")
    assert (r.renews, r.period_end, r.next_period_end) == (False, date(2028, 3, 10), None)


# (maintenance dropped on, reinstated on, charged from, charged until (exclusive))
REINSTATEMENT_CASES = [
    # dropped 10 Mar 2027, reinstated 15 Jan 2028: retroactively from 10 Mar 2027, plus one year
    # forward from 15 Jan 2028 -> up to 14 Jan 2029 inclusive
    (date(2027, 3, 10), date(2028, 1, 15), date(2027, 3, 10), date(2029, 1, 15)),
    # reinstated on 29 Feb 2028: the year ends on the last day of February 2029 (art. 192)
    (date(2027, 11, 30), date(2028, 2, 29), date(2027, 11, 30), date(2029, 3, 1)),
    # reinstated the day it lapsed: nothing retroactive, one year forward
    (date(2027, 3, 10), date(2027, 3, 10), date(2027, 3, 10), date(2028, 3, 10)),
]


@pytest.mark.parametrize(("lapsed", "back", "pay_from", "pay_until"), REINSTATEMENT_CASES,
                         ids=[f"{c[0]}->{c[1]}" for c in REINSTATEMENT_CASES])
def test_reinstatement(lapsed, back, pay_from, pay_until) -> None:
    r = module().reinstatement(lapsed_on=lapsed, reactivated_on=back)
    assert (r.pay_from, r.pay_until, r.clause) == (pay_from, pay_until, "3")


def test_reinstatement_before_the_lapse_is_refused() -> None:
    with pytest.raises(ValueError, match="before lapsed_on"):
        module().reinstatement(lapsed_on=date(2027, 3, 10), reactivated_on=date(2027, 3, 9))
