"""Any argument to any public function of a generated evaluator raises only the documented
exceptions (PolicyQueryError, CalendarHorizonError), never OverflowError, TypeError, ..."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policy_lang
from policy_lang import CalendarHorizonError, PolicyQueryError

POLICIES = Path(__file__).resolve().parents[2] / "policies"
PROGRAMS = sorted(p.stem for p in POLICIES.glob("*.policy"))


class NoOffset(tzinfo):
    """A tzinfo whose utcoffset() is None: aware-looking but without an instant."""

    def utcoffset(self, dt):  # noqa: ANN001, ANN201
        return None

    def dst(self, dt):  # noqa: ANN001, ANN201
        return None


class Broken(tzinfo):
    def utcoffset(self, dt):  # noqa: ANN001, ANN201
        raise RuntimeError("broken tzinfo")


MODULES = {pid: policy_lang.load(POLICIES / f"{pid}.policy") for pid in PROGRAMS}

zones = st.sampled_from([timezone.utc, timezone(timedelta(hours=3)), timezone(timedelta(hours=-12)),
                         ZoneInfo("Europe/Moscow"), NoOffset(), Broken(), None])
instants = st.one_of(
    st.builds(lambda d, z: d.replace(tzinfo=z), st.datetimes(min_value=datetime(1, 1, 1),
                                                              max_value=datetime(9999, 12, 31, 23, 59)), zones),
    st.sampled_from([datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=3))),
                     datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-3))),
                     datetime(2026, 12, 31, 16, 30, tzinfo=ZoneInfo("Europe/Moscow"))]),
)
values = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
    st.sampled_from([10**30, -1, 0, 1, 2, 3, 50_000, float("nan"), 1.5, "", "P1", "enterprise",
                     "phone", "portal", "core", "premier", "dedicated", b"x", [], {}, object()]),
    st.text(max_size=8), st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)), instants,
)


def _names(module, attr):  # noqa: ANN001, ANN202
    return list(getattr(module, attr, {}) or ())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pid=st.sampled_from(PROGRAMS), fn=st.sampled_from([
    "response", "entitlement", "deadline", "tier_for_points", "vouchers", "period_end", "renewal",
    "reinstatement", "rma_eligibility", "rule_end", "incident_balance"]), data=st.data())
def test_only_documented_exceptions(pid, fn, data) -> None:
    m = MODULES[pid]
    pick = lambda *good: data.draw(st.one_of(st.sampled_from(good), values) if good else values)  # noqa: E731
    tiers, channels = _names(m, "TIERS"), _names(m, "CHANNELS")
    priorities = list(m.PRIORITIES) or [None]
    calls = {
        "response": lambda: m.response(tier=pick(*tiers), channel=pick(*channels),
                                       registered_at=data.draw(st.one_of(instants, values)),
                                       priority=pick(*priorities)),
        "entitlement": lambda: m.entitlement(tier=pick(*tiers), service=pick(*_names(m, "SERVICES"))),
        "deadline": lambda: m.deadline(pick(*_names(m, "OBLIGATIONS")) if _names(m, "OBLIGATIONS") else pick(),
                                       start=data.draw(st.one_of(instants, values)),
                                       **({c: pick(True, False) for c in _names(m, "CONDITIONS")})),
        "tier_for_points": lambda: m.tier_for_points(pick(0, 3_000, 10**30)),
        "vouchers": lambda: m.vouchers(tier=pick(*tiers), period_start=pick(date(2026, 3, 1)),
                                       years=pick(1, 2, 10**30)),
        "period_end": lambda: m.period_end(start=pick(date(2026, 3, 1)), renewals=pick(0, 1, 10**30)),
        "renewal": lambda: m.renewal(start=pick(date(2026, 3, 1)), notice_on=pick(None, date(2027, 1, 1))),
        "reinstatement": lambda: m.reinstatement(lapsed_on=pick(date(2026, 3, 1)),
                                                 reactivated_on=pick(date(2026, 6, 1))),
        "rma_eligibility": lambda: m.rma_eligibility(rma=pick(*_names(m, "RMAS")), delivered=pick(date(2025, 1, 1)),
                                                     on=pick(date(2026, 1, 1))),
        "rule_end": lambda: m.rule_end(pick(*_names(m, "RULES")), at=pick(date(2026, 1, 1))),
        "incident_balance": lambda: m.incident_balance(purchased=pick(10, 10**30),
                                                       incidents=pick(["other", "defect"])),
    }
    try:
        calls[fn]()
    except (PolicyQueryError, CalendarHorizonError):
        pass


@pytest.mark.parametrize("at", [
    datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=3))),
    datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=3))),
    datetime(2026, 3, 10, 10, 0, tzinfo=NoOffset()),
    datetime(2026, 3, 10, 10, 0, tzinfo=Broken()),
])
def test_extreme_instants_are_query_errors(at) -> None:
    with pytest.raises(PolicyQueryError):
        MODULES["landesk_support"].response(tier="enterprise", channel="phone", priority="P1",
                                            registered_at=at)
