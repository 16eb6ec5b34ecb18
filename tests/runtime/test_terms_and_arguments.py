"""Terms (Civil Code art. 192), a contract's term in the contract's zone, vouchers without expiry,
and arguments the evaluator refuses rather than answers (issue 16: C6, C7, M4, M17, m3)."""
from __future__ import annotations

import json
import types
from datetime import date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

import policy_lang
from policy_lang import PolicyQueryError
from policy_lang.backends.python.emit import emit_python
from policy_lang.frontend import compile_file
from policy_lang.query import query
from policy_lang.runtime.bound import DEFAULT_ZONE, BoundEvaluator
from policy_lang.runtime.calendar import BusinessCalendar, last_day_of_term, term_end, term_last_day
from policy_lang.runtime.errors import describe, shown

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"
CONTRACT = ROOT / "contracts" / "romashka_landesk.toml"
MSK = ZoneInfo("Europe/Moscow")
UTC = timezone.utc


@cache
def program(pid: str) -> types.ModuleType:
    return policy_lang.load(POLICIES / f"{pid}.policy")


@cache
def romashka() -> BoundEvaluator:
    return policy_lang.contract(CONTRACT, POLICIES)


def compiled(source: Path) -> types.ModuleType:
    c = compile_file(source, root=source.parent)
    assert c.program is not None, c.diagnostics
    m = types.ModuleType(c.program.id)
    exec(compile(emit_python(c.program), c.program.id, "exec"), m.__dict__)
    return m


# -- C7: one term rule -----------------------------------------------------------------------

@pytest.mark.parametrize(("first", "amount", "unit", "last"), [
    (date(2026, 12, 1), 1, "year", date(2027, 11, 30)),   # an ordinary start
    (date(2026, 3, 1), 2, "year", date(2028, 2, 29)),
    (date(2027, 3, 1), 1, "year", date(2028, 2, 29)),     # the year holds 29 Feb 2028
    (date(2028, 2, 29), 1, "year", date(2029, 2, 28)),    # no 29 Feb 2029: the month's last day
    (date(2028, 2, 29), 4, "year", date(2032, 2, 28)),
    (date(2028, 3, 1), 1, "year", date(2029, 2, 28)),
    (date(2027, 1, 31), 1, "month", date(2027, 2, 28)),   # month-end starts
    (date(2028, 1, 31), 1, "month", date(2028, 2, 29)),
    (date(2027, 1, 30), 1, "month", date(2027, 2, 28)),
    (date(2027, 1, 28), 1, "month", date(2027, 2, 27)),
    (date(2027, 8, 31), 1, "month", date(2027, 9, 30)),
    (date(2027, 5, 1), 1, "month", date(2027, 5, 31)),
    (date(2027, 12, 15), 1, "month", date(2028, 1, 14)),
    (date(2026, 3, 1), 90, "day", date(2026, 5, 29)),
    (date(2026, 3, 1), 2, "week", date(2026, 3, 14)),
])
def test_term_last_day(first, amount, unit, last) -> None:
    assert term_last_day(first, amount, unit) == last == last_day_of_term(first, amount, unit)
    assert term_end(first, amount, unit) == last + timedelta(days=1)


@pytest.mark.parametrize(("args", "kind"), [
    ((date(2026, 1, 1), 1, "hour"), "choice"), ((date(2026, 1, 1), -1, "day"), "range"),
    ((date(2026, 1, 1), 10**5000, "year"), "range"), ((date(2026, 1, 1), 1.5, "year"), "type"),
    ((date(1899, 12, 31), 1, "year"), "range"), ((date(2200, 6, 1), 1, "year"), "range"),
    (("2026-01-01", 1, "year"), "type"), ((date(2026, 1, 1), 10**9, "day"), "range"),
])
def test_term_refuses(args, kind) -> None:
    with pytest.raises(PolicyQueryError) as e:
        term_last_day(*args)
    assert e.value.kind == kind


def test_period_renewal_and_vouchers_use_the_term_rule() -> None:
    tam, landesk = program("landesk_tam"), program("landesk_support")
    assert tam.period_end(start=date(2028, 2, 29)) == date(2029, 3, 1)
    assert tam.period_end(start=date(2026, 3, 1), renewals=2) == date(2029, 3, 1)
    # each renewal is a term of its own: 2028-02-29 -> 2029-03-01 -> 2030-03-01
    assert tam.period_end(start=date(2028, 2, 29), renewals=1) == date(2030, 3, 1)
    r = tam.renewal(start=date(2028, 2, 29))
    assert (r.period_end, r.next_period_end) == (date(2029, 3, 1), date(2030, 3, 1))
    grants = landesk.vouchers(tier="enterprise", period_start=date(2028, 2, 29), years=2)
    assert [(g.valid_from, g.expires) for g in grants] == [
        (date(2028, 2, 29), date(2029, 3, 1)), (date(2029, 3, 1), date(2030, 3, 1))]
    ri = landesk.reinstatement(lapsed_on=date(2027, 6, 1), reactivated_on=date(2028, 2, 29))
    assert ri.pay_until == date(2029, 3, 1)


def test_contract_of_years_from_29_february(tmp_path) -> None:
    text = CONTRACT.read_text(encoding="utf-8").replace("start = 2026-12-01\nend = 2027-11-30",
                                                        "start = 2028-02-29\nyears = 1")
    assert "years = 1" in text
    path = tmp_path / "leap.toml"
    path.write_text(text, encoding="utf-8")
    b = policy_lang.contract(path, POLICIES)
    assert (b.start, b.end) == (date(2028, 2, 29), date(2029, 2, 28))
    kw = dict(channel="phone", priority="P2")
    assert b.response(registered_at=datetime(2029, 2, 28, 10, 0, tzinfo=MSK), **kw).accepted
    late = b.response(registered_at=datetime(2029, 3, 1, 10, 0, tzinfo=MSK), **kw)
    assert not late.accepted and "по 28 февраля 2029" in late.reasons[0].replace("\u00a0", " ")


# -- C6: the term in the contract's zone -----------------------------------------------------

def test_one_instant_one_answer() -> None:
    b = romashka()
    assert b.zone == "Europe/Moscow"
    kw = dict(channel="portal", priority="P3")
    utc = b.response(registered_at=datetime(2026, 11, 30, 22, 0, tzinfo=UTC), **kw)
    msk = b.response(registered_at=datetime(2026, 12, 1, 1, 0, tzinfo=timezone(timedelta(hours=3))), **kw)
    assert utc.accepted and msk.accepted
    assert utc.deadline == msk.deadline


@pytest.mark.parametrize(("at", "accepted", "when"), [
    (datetime(2026, 11, 30, 20, 59, 59, tzinfo=UTC), False, "до начала"),  # 23:59:59 MSK, 30 Nov
    (datetime(2026, 11, 30, 21, 0, tzinfo=UTC), True, None),               # 00:00 MSK, 1 Dec
    (datetime(2027, 11, 30, 20, 59, 59, tzinfo=UTC), True, None),          # 23:59:59 MSK, last day
    (datetime(2027, 11, 30, 21, 0, tzinfo=UTC), False, "после окончания"),  # 00:00 MSK, 1 Dec 2027
    (datetime(2027, 11, 30, 23, 0, tzinfo=timezone(timedelta(hours=-5))), False, "после окончания"),
])
def test_utc_stored_times_at_the_edges_of_the_term(at, accepted, when) -> None:
    b = romashka()
    r = b.response(channel="portal", priority="P3", registered_at=at)
    assert r.accepted is accepted
    assert b.in_term(at) is accepted
    if when is not None:
        assert r.reasons[0].startswith(f"Заявка зарегистрирована {when} срока")


def _fake(**calendars: BusinessCalendar) -> types.ModuleType:
    m = types.ModuleType("fake")
    m.__dict__.update(calendars)
    return m


def test_zone_of_a_program_without_calendars_or_with_several() -> None:
    term = dict(contract_id="x", tier="t", start=date(2026, 12, 1), end=date(2027, 11, 30))
    none = BoundEvaluator(_fake(), **term)
    assert none.zone == DEFAULT_ZONE and none.term_zone() == ZoneInfo(DEFAULT_ZONE)
    ny = BusinessCalendar.always("ny", "America/New_York")
    two = BoundEvaluator(_fake(CAL_MSK=BusinessCalendar.always("msk", "Europe/Moscow"), CAL_NY=ny), **term)
    assert two.zone is None
    assert two.term_zone() == ZoneInfo("Europe/Moscow")  # the first calendar, without a decision
    decision = program("landesk_support")._DECISIONS["enterprise", "phone", "P1", None]._replace(calendar=ny)
    assert two.term_zone(decision) == ZoneInfo("America/New_York")
    at = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 1 Dec in Moscow, still 30 Nov in New York
    assert two.in_term(at) and not two.in_term(at, decision)


# -- M4: vouchers without `expires after` ----------------------------------------------------

def test_vouchers_without_expiry(tmp_path) -> None:
    source = (POLICIES / "examples" / "ibm_helpware_incident_packs.policy").read_text(encoding="utf-8")
    assert "    expires  after 1 year\n" in source
    path = tmp_path / "no_expiry.policy"
    path.write_text(source.replace("    expires  after 1 year\n", ""), encoding="utf-8")
    m = compiled(path)
    (g,) = m.vouchers(tier="pack_3", period_start=date(2026, 3, 1))
    assert (g.count, g.valid_from, g.expires) == (3, date(2026, 3, 1), None)
    r = CliRunner().invoke(query, [str(path), "vouchers", "--tier", "pack_3", "--start", "2026-03-01"])
    assert r.exit_code == 0, r.output
    assert "без ограничения срока" in r.output
    r = CliRunner().invoke(query, [str(path), "vouchers", "--tier", "pack_3", "--start", "2026-03-01",
                                   "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.output)["answer"][0]["expires"] is None


# -- M17 / m3: only PolicyQueryError, and no silent answer to a bad value -----------------------

def test_shown_never_spells_a_huge_int() -> None:
    assert shown is describe
    assert shown(10**5000) == "<an integer of 4983+ digits>"
    assert shown(-10**5000).startswith("<a negative integer")
    assert len(shown("x" * 10_000)) < 80 and len(shown(list(range(10_000)))) < 80


HUGE = 10**5000
D = date(2026, 3, 1)


@pytest.mark.parametrize("call", [
    lambda: program("landesk_support").attainment(target="response", closed=None),
    lambda: program("landesk_support").attainment(target="response", closed=5),
    lambda: program("landesk_support").attainment(target="response", closed=[5]),
    lambda: program("landesk_support").response(tier="enterprise", channel="phone", priority=HUGE,
                                                registered_at=datetime(2026, 3, 10, 10, tzinfo=MSK)),
    lambda: program("landesk_support").response(tier="enterprise", channel="phone", request=HUGE,
                                                registered_at=datetime(2026, 3, 10, 10, tzinfo=MSK)),
    lambda: program("landesk_support").response(tier="enterprise", channel="phone", priority="P1",
                                                registered_at=datetime(2026, 3, 10, 10, tzinfo=MSK),
                                                **{next(iter(program("landesk_support").CONDITIONS), "x"): HUGE}),
    lambda: program("juniper_care_core").response(tier="core", channel="phone", priority=HUGE,
                                                  registered_at=datetime(2026, 3, 10, 10, tzinfo=MSK)),
    lambda: program("landesk_tam").period_end(start=D, renewals=HUGE),
    lambda: program("landesk_tam").period_end(start=D, renewals=-HUGE),
    lambda: program("landesk_support").tier_for_points(-HUGE),
    lambda: program("landesk_support").vouchers(tier="enterprise", period_start=D, years=HUGE),
    lambda: program("landesk_support").incident_balance(purchased=-HUGE, incidents=[]),
    lambda: program("landesk_support").incident_balance(purchased=1, incidents=[HUGE]),
    # m3: refused even where the answer would not need them
    lambda: program("landesk_support").renewal(start=D, notice_on="garbage"),
    lambda: program("landesk_support").renewal(start=D, notice_on=20260301),
    lambda: program("landesk_support").renewal(start=D, notice_on=datetime(2026, 3, 1)),
    lambda: program("landesk_support").vouchers(tier="base", period_start="anything"),
    lambda: program("landesk_support").vouchers(tier="base", period_start=D, years=0),
    lambda: program("landesk_support").vouchers(tier="enterprise", period_start=D, years=10**9),
    lambda: program("landesk_tam").deadline("nonrenewal_notice", start=date(1900, 1, 1)),
    lambda: program("landesk_cloud_appliance").rule_end("returned_part_warranty", at=D, delivery=D,
                                                        bogus=D),
    lambda: program("landesk_cloud_appliance").rule_end("returned_part_warranty", at=D, delivery="x"),
    lambda: program("landesk_cloud_appliance").rma_eligibility(rma="hardware_rma", delivered=D, on=D,
                                                               maintenance_contract="yes"),
    lambda: program("juniper_care_core").deadline("delivery_and_customs", own_address=1,
                                                  start=datetime(2026, 4, 28, 15, tzinfo=MSK)),
    lambda: romashka().renewal(notice_on="garbage"),
])
def test_refused_with_a_policy_query_error(call) -> None:
    with pytest.raises(PolicyQueryError) as e:
        call()
    assert len(str(e.value)) < 1000


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1899, 12, 31), date(2201, 1, 1), date(9999, 12, 31)])
@pytest.mark.parametrize("call", [
    lambda m, d: m["landesk_tam"].period_end(start=d),
    lambda m, d: m["landesk_tam"].renewal(start=D, notice_on=d),
    lambda m, d: m["landesk_support"].renewal(start=d),
    lambda m, d: m["landesk_support"].vouchers(tier="enterprise", period_start=d),
    lambda m, d: m["landesk_support"].reinstatement(lapsed_on=d, reactivated_on=date(2026, 3, 1)),
    lambda m, d: m["landesk_support"].reinstatement(lapsed_on=date(2026, 3, 1), reactivated_on=d),
    lambda m, d: m["landesk_cloud_appliance"].rma_eligibility(rma="hardware_rma", delivered=d, on=D),
    lambda m, d: m["landesk_cloud_appliance"].rma_eligibility(rma="hardware_rma", delivered=D, on=d),
    lambda m, d: m["landesk_cloud_appliance"].rule_end("returned_part_warranty", at=d, delivery=D),
    lambda m, d: m["landesk_cloud_appliance"].rule_end("returned_part_warranty", at=D, delivery=d),
    lambda m, d: m["landesk_tam"].deadline("nonrenewal_notice", start=d),
    lambda m, d: m["landesk_support"].CAL_SUPPORT_HOURS.end_of_day(d),
    lambda m, d: m["juniper_care_core"].CAL_JTAC_24X7.add_business_days(d, 1),
])
def test_dates_outside_the_years_are_refused(call, day) -> None:
    modules = {pid: program(pid) for pid in ("landesk_tam", "landesk_support", "landesk_cloud_appliance",
                                            "juniper_care_core")}
    with pytest.raises(PolicyQueryError) as e:
        call(modules, day)
    assert e.value.kind in ("range", "horizon")


# -- the CLI: every refusal is a usage error (exit 2), JSON with --format json ----------------

@pytest.mark.parametrize("args", [
    ["landesk_tam", "deadline", "--obligation", "nonrenewal_notice", "--start", "1900-01-01"],
    ["landesk_tam", "deadline", "--obligation", "nonrenewal_notice", "--start", "9999-01-01"],
    ["landesk_tam", "renewal", "--start", "2026-03-01", "--notice-on", "garbage"],
    ["landesk_support", "renewal", "--start", "2026-03-01", "--notice-on", "2026-13-01"],
    ["landesk_support", "renewal", "--start", "2026-03-01", "--notice-on", "2201-01-01"],
    ["landesk_support", "vouchers", "--tier", "base", "--start", "anything"],
    ["landesk_support", "vouchers", "--tier", "enterprise", "--start", "2026-03-01", "--years", "1000000000"],
    ["landesk_support", "vouchers", "--tier", "enterprise", "--start", "2026-03-01", "--years", "0"],
    ["landesk_support", "tier", "--points", "-" + "9" * 4000],
    ["landesk_support", "response", "--tier", "enterprise", "--priority", "9" * 5000, "--channel", "phone",
     "--at", "2026-03-10T10:00+03:00"],
    ["landesk_support", "response", "--tier", "enterprise", "--priority", "P1", "--channel", "phone",
     "--at", "2026-03-10T10:00"],
    ["landesk_support", "response", "--tier", "enterprise", "--priority", "P1", "--channel", "phone",
     "--at", "1899-12-31T10:00+03:00"],
])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_cli_refuses_with_exit_2(args, fmt) -> None:
    r = CliRunner().invoke(query, [*args, "--policies", str(POLICIES), "--format", fmt])
    assert r.exit_code == 2, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    if fmt == "json":
        error = json.loads(r.stdout)["error"]
        assert error["message"] and len(error["message"]) < 1000
    else:
        assert r.stderr.startswith("error: ") or r.output.startswith("Usage"), r.output


def test_cli_contract_same_instant_same_answer() -> None:
    common = ["-", "response", "--contract", str(CONTRACT), "--policies", str(POLICIES),
              "--channel", "portal", "--priority", "P3", "--format", "json"]
    a = CliRunner().invoke(query, [*common, "--at", "2026-11-30T22:00+00:00"])
    b = CliRunner().invoke(query, [*common, "--at", "2026-12-01T01:00+03:00"])
    assert a.exit_code == b.exit_code == 0, (a.output, b.output)
    assert json.loads(a.stdout)["answer"]["accepted"] and json.loads(b.stdout)["answer"]["accepted"]
    assert json.loads(a.stdout)["answer"]["deadline"] == json.loads(b.stdout)["answer"]["deadline"]
