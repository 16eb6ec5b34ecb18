"""PromoTron Support Pricing (policies/examples/promotron_support.policy).

Every expected value is worked out by hand from the source text quoted in the policy's header; the
comment next to each case shows the arithmetic. Working days: Monday to Friday, Europe/Prague, no
holidays (the policy's stated assumption).

Source («Support Pricing»): Reaction Time — Basic «one week», Standard «no later than 3 business
days», Premium «no later than 24 hours», Prepaid = Standard, Bug-fixing «no later than 24 hours»;
Hour limit — Basic 1 hour/month, Prepaid 2 hours, expiring every (calendar) month; Onboarding
Assistance 5 hours of Premium Support, expiring 3 months after the Trial Start; Fee — Standard
EUR 39/hour, Premium EUR 49/hour, Onboarding EUR 199/hour.
"""
from __future__ import annotations

import types
from datetime import date, datetime
from decimal import Decimal

import pytest
from _example_module import example_module

PID = "promotron_support"


def module() -> types.ModuleType:
    return example_module(PID)


# (regime, registered at, reaction deadline or None)
REACTION_CASES = [
    # Basic, Mon 23 Nov 10:00: one week, the day of registration not counted -> end of Mon 30 Nov
    ("basic", "2026-11-23T10:00+01:00", "2026-11-30T23:59:59+01:00"),
    # Standard, Thu 26 Nov: 3 business days -> Fri 27, Mon 30, Tue 1 Dec, until its end
    ("standard", "2026-11-26T10:00+01:00", "2026-12-01T23:59:59+01:00"),
    # Prepaid = Standard, Fri 4 Dec 23:30: Mon 7, Tue 8, Wed 9 Dec
    ("prepaid", "2026-12-04T23:30+01:00", "2026-12-09T23:59:59+01:00"),
    # Premium, Sat 28 Nov 10:00: 24 hours around the clock -> Sun 10:00
    ("premium", "2026-11-28T10:00+01:00", "2026-11-29T10:00+01:00"),
    # Bug-fixing, Sat 28 Mar 12:00 CET: clocks go forward on Sun 29 Mar at 02:00, so 24 elapsed
    # hours end at 13:00 CEST
    ("bug_fixing", "2026-03-28T12:00+01:00", "2026-03-29T13:00+02:00"),
    # Onboarding Assistance: «as per the selected regime» -> no deadline of its own
    ("onboarding", "2026-11-23T10:00+01:00", None),
]


@pytest.mark.parametrize(("regime", "at", "due"), REACTION_CASES, ids=[f"{c[0]}:{c[1]}" for c in REACTION_CASES])
def test_reaction_time(regime, at, due) -> None:
    r = module().response(tier=regime, channel="helpdesk", registered_at=datetime.fromisoformat(at))
    assert r.accepted
    want = datetime.fromisoformat(due) if due else None
    assert r.deadline == want
    if want is not None:
        assert r.deadline.utcoffset() == want.utcoffset()


# (regime, kind, period start, grants, [(valid from, expires)], hours each)
HOUR_LIMIT_CASES = [
    # Basic: 1 hour a month, re-issued monthly from 1 Nov: Nov, Dec, Jan
    ("basic", "monthly_hours", date(2026, 11, 1), 3,
     [(date(2026, 11, 1), date(2026, 12, 1)), (date(2026, 12, 1), date(2027, 1, 1)),
      (date(2027, 1, 1), date(2027, 2, 1))], 1),
    # Prepaid: 2 hours every calendar month from 1 Feb: Feb, Mar
    ("prepaid", "monthly_hours", date(2026, 2, 1), 2,
     [(date(2026, 2, 1), date(2026, 3, 1)), (date(2026, 3, 1), date(2026, 4, 1))], 2),
    # Onboarding: 5 hours from the Trial Start 10 Nov 2026, lapsing 3 months later (10 Feb 2027)
    ("onboarding", "onboarding_hours", date(2026, 11, 10), 1, [(date(2026, 11, 10), date(2027, 2, 10))], 5),
]


@pytest.mark.parametrize(("regime", "kind", "start", "n", "windows", "hours"), HOUR_LIMIT_CASES,
                         ids=[c[0] for c in HOUR_LIMIT_CASES])
def test_hour_limits_lapse(regime, kind, start, n, windows, hours) -> None:
    grants = module().vouchers(tier=regime, period_start=start, years=n, kind=kind)
    assert [(g.valid_from, g.expires) for g in grants] == windows
    assert {g.count for g in grants} == {hours}


def test_every_kind_of_hours_a_regime_has() -> None:
    m = module()
    # without `kind`: every kind the regime has; onboarding hours are granted once, whatever `years`
    (once,) = m.vouchers(tier="onboarding", period_start=date(2026, 11, 10), years=3)
    assert (once.vouchers, once.count, once.expires) == ("onboarding_hours", 5, date(2027, 2, 10))
    assert len(m.vouchers(tier="basic", period_start=date(2026, 11, 1), years=2)) == 2
    assert m.vouchers(tier="standard", period_start=date(2026, 11, 1)) == ()  # Standard has no hour limit
    with pytest.raises(ValueError, match="valid: basic, standard, premium, prepaid, onboarding, bug_fixing"):
        m.vouchers(tier="gold", period_start=date(2026, 11, 1))
    with pytest.raises(ValueError, match="monthly_hours, onboarding_hours"):
        m.vouchers(tier="basic", period_start=date(2026, 11, 1), kind="hours")


def test_hourly_rates() -> None:
    m = module()
    for regime, amount in (("standard", "39"), ("premium", "49"), ("onboarding", "199")):
        price = m.entitlement(tier=regime, service="fee").price
        assert (price.amount, price.currency, price.per) == (Decimal(amount), "EUR", "hour")
    assert 2.25 * float(m.entitlement(tier="standard", service="fee").price.amount) == 87.75  # 2 h 15 min
