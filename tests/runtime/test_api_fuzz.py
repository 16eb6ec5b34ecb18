"""Any argument to any public function of a generated evaluator, and to any public method of its
CAL_* calendars, raises only the documented exceptions (PolicyQueryError, CalendarHorizonError),
never OverflowError, TypeError, AttributeError, InvalidOperation ..."""
from __future__ import annotations

import inspect
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policy_lang
from policy_lang import CalendarHorizonError, PolicyQueryError
from policy_lang.runtime.calendar import BusinessCalendar
from policy_lang.runtime.errors import MAX_YEAR, MIN_YEAR

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


# -- every public function and every CAL_* method, whatever it is given ----------------------

HOSTILE = [None, "", " ", True, False, 0, 1, -1, 10**30, -10**30, 1.5, -0.5,
           float("inf"), float("-inf"), float("nan"), Decimal("NaN"), Decimal("1e999999"), [], [1], {},
           (), b"x", object(), "garbage", "2026-03-01", 20260301,
           datetime(2026, 3, 10, 10, 0), datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc),
           datetime(2026, 3, 10, 10, 0, tzinfo=NoOffset()),
           datetime(1, 1, 1, tzinfo=timezone.utc), datetime(9999, 12, 31, 23, 59, tzinfo=timezone.utc),
           datetime(1899, 12, 31, 23, 0, tzinfo=ZoneInfo("Europe/Moscow")),
           datetime(2201, 1, 1, tzinfo=ZoneInfo("Europe/Moscow")),
           date(1, 1, 1), date(1899, 12, 31), date(1900, 1, 1), date(2200, 12, 31), date(2201, 1, 1),
           date(9999, 12, 31), date(2026, 3, 1), date(2028, 2, 29)]
# Integers past sys.get_int_max_str_digits(): made by a map, as hypothesis reprs sampled elements.
huge = st.sampled_from([5000, -5000]).map(lambda e: 10 ** abs(e) if e > 0 else -(10 ** -e))
hostile = st.one_of(st.sampled_from(HOSTILE), huge, values)
good_instants = st.builds(lambda d, z: d.replace(tzinfo=z),
                          st.datetimes(min_value=datetime(2023, 6, 1), max_value=datetime(2031, 6, 1)),
                          st.sampled_from([timezone.utc, ZoneInfo("Europe/Moscow"), timezone(timedelta(hours=-5))]))
good_dates = st.dates(min_value=date(2023, 6, 1), max_value=date(2031, 6, 1))


def _public_functions(module):  # noqa: ANN001, ANN202
    return sorted(n for n, f in vars(module).items()
                  if not n.startswith("_") and inspect.isfunction(f) and f.__module__ == module.__name__)


def _calendars(module):  # noqa: ANN001, ANN202
    return sorted(n for n, v in vars(module).items() if n.startswith("CAL_") and isinstance(v, BusinessCalendar))


def _methods(cal: BusinessCalendar) -> list[str]:
    return sorted(n for n in dir(cal) if not n.startswith("_") and callable(getattr(cal, n)))


FUNCTIONS = [(pid, fn) for pid in PROGRAMS for fn in _public_functions(MODULES[pid])]
METHODS = [(pid, cal, meth) for pid in PROGRAMS for cal in _calendars(MODULES[pid])
           for meth in _methods(getattr(MODULES[pid], cal))]


def test_the_fuzz_covers_every_function_and_method() -> None:
    assert {fn for _pid, fn in FUNCTIONS} >= {
        "response", "entitlement", "attainment", "target_deadline", "target_due", "deadline", "due", "vouchers",
        "period_end",
        "renewal", "reinstatement", "tier_for_points", "incident_balance", "rma_eligibility", "rule_end"}
    assert {meth for _p, _c, meth in METHODS} >= {
        "add_business_days", "add_working_time", "always", "end_of_day", "is_open", "is_provisional",
        "is_working_day", "next_opening", "open_at", "provisional_years", "working_seconds_between"}


def _plausible(module, name: str):  # noqa: ANN001, ANN202
    """Values that get a call past its first checks, so that the later ones are reached too."""
    choices = {
        "tier": _names(module, "TIERS"), "channel": _names(module, "CHANNELS"),
        "priority": [*module.PRIORITIES, None], "request": [*_names(module, "REQUESTS"), None],
        "service": _names(module, "SERVICES"), "target": _names(module, "TARGETS"),
        "obligation": _names(module, "OBLIGATIONS"), "rma": _names(module, "RMAS"),
        "rule": _names(module, "RULES"), "kind": [*_names(module, "VOUCHER_RULES"), None],
        "period": [*_names(module, "PERIODS"), None], "points": [0, 3_000, 50_000],
        "years": [1, 2, 3], "renewals": [0, 1, 2], "purchased": [0, 10],
        "incidents": [["other", "defect"], []], "seconds": [0, 60, 3600, 8 * 3600],
        "n": [0, 1, 5, 20], "zone": ["Europe/Moscow", "Nowhere/Else"], "name": ["x"],
    }.get(name)
    if choices:
        return st.sampled_from(choices)
    if name in ("registered_at", "start", "end", "at", "a", "b", "done_at"):
        return st.one_of(good_instants, good_dates)
    return good_dates


def _arguments(data, module, params) -> tuple[list, dict]:  # noqa: ANN001
    args, kwargs = [], {}
    for p in params:
        if p.kind is p.VAR_KEYWORD:  # conditions or events
            names = [*_names(module, "CONDITIONS"),
                     *(w.start_event for w in getattr(module, "WARRANTIES", {}).values() if w.start_event)]
            for extra in data.draw(st.lists(st.one_of(st.sampled_from(names or ["x"]), st.text(max_size=4)),
                                            max_size=3)):
                kwargs[extra] = data.draw(st.one_of(st.booleans(), good_dates, hostile))
            continue
        if p.default is not p.empty and data.draw(st.booleans()):
            continue  # leave it out
        if p.name == "closed":
            r = module.response
            value = data.draw(st.one_of(hostile, st.lists(st.tuples(st.sampled_from([r]), hostile), max_size=2)))
            if value and isinstance(value, list) and isinstance(value[0], tuple) and value[0][0] is r:
                value = _closed_tickets(data, module)
        else:
            value = data.draw(st.one_of(_plausible(module, p.name), hostile))
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            args.append(value)
        else:
            kwargs[p.name] = value
    return args, kwargs


def _closed_tickets(data, module) -> list:  # noqa: ANN001
    tickets = []
    for _ in range(data.draw(st.integers(0, 2))):
        try:
            r = module.response(tier=data.draw(st.sampled_from(_names(module, "TIERS"))),
                                channel=data.draw(st.sampled_from(_names(module, "CHANNELS"))),
                                priority=data.draw(st.sampled_from([*module.PRIORITIES, None])),
                                registered_at=data.draw(good_instants))
        except PolicyQueryError:
            continue
        tickets.append((r, data.draw(st.one_of(good_instants, hostile))))
    return tickets


def _use(answer: object) -> None:
    """Read the answer the way a service would: every derived field, its text and its JSON."""
    for item in answer if isinstance(answer, tuple) and not hasattr(answer, "_fields") else (answer,):
        for attr in ("targets", "reasons", "clock_starts", "provisional", "share"):
            if hasattr(type(item), attr):
                getattr(item, attr)
        for method in ("explain", "as_dict"):
            if hasattr(item, method):
                getattr(item, method)()
        if isinstance(item, (date, datetime)):
            assert MIN_YEAR - 1 <= item.year <= MAX_YEAR + 1, item


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.sampled_from(FUNCTIONS), data=st.data())
def test_every_public_function_raises_only_policy_query_errors(which, data) -> None:
    pid, fn = which
    module = MODULES[pid]
    f = getattr(module, fn)
    args, kwargs = _arguments(data, module, inspect.signature(f).parameters.values())
    try:
        answer = f(*args, **kwargs)
    except PolicyQueryError:
        return
    _use(answer)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.sampled_from(METHODS), data=st.data())
def test_every_calendar_method_raises_only_policy_query_errors(which, data) -> None:
    pid, cal, meth = which
    module = MODULES[pid]
    f = getattr(getattr(module, cal), meth)
    args, kwargs = _arguments(data, module, inspect.signature(f).parameters.values())
    try:
        answer = f(*args, **kwargs)
    except PolicyQueryError:
        return
    _use(answer)


# (hypothesis hashes sampled elements, and a Broken datetime cannot be hashed: only here and in `instants`)
@pytest.mark.parametrize("value", [*HOSTILE, 10**5000, -10**5000, datetime(2026, 3, 10, 10, 0, tzinfo=Broken())],
                         ids=lambda v: type(v).__name__)
@pytest.mark.parametrize(("pid", "cal", "meth"), METHODS, ids=lambda x: str(x))
def test_each_calendar_method_with_each_hostile_value(pid, cal, meth, value) -> None:
    """Every argument of every method gets each hostile value, the others plausible ones."""
    f = getattr(getattr(MODULES[pid], cal), meth)
    params = list(inspect.signature(f).parameters.values())
    plain = {"start": datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Moscow")), "seconds": 3600,
             "n": 1, "d": date(2026, 3, 10), "a": datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc),
             "b": datetime(2026, 3, 11, 10, 0, tzinfo=timezone.utc), "name": "x", "zone": "Europe/Moscow",
             "at": datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc),
             "end": datetime(2028, 3, 11, 10, 0, tzinfo=timezone.utc)}
    for i, _p in enumerate(params):
        args = [value if j == i else plain[q.name] for j, q in enumerate(params)]
        try:
            _use(f(*args))
        except PolicyQueryError:
            pass
