"""The checked models of the seven programs say what the contracts say: one row per table cell."""
from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest

from policy_lang.frontend import compile_file
from policy_lang.semantics import model

POLICIES = Path(__file__).resolve().parents[2] / "policies"
NB = "\u00a0"


@cache
def program(pid: str) -> model.Program:
    result = compile_file(POLICIES / f"{pid}.policy", root=POLICIES)
    assert result.program is not None, result.diagnostics
    return result.program


def cell(pid: str, tier: str, service: str) -> model.Cell:
    c = program(pid).cell(tier, service)
    assert c is not None, (pid, tier, service)
    return c


def test_every_program_checks_clean() -> None:
    ids = sorted(p.stem for p in POLICIES.glob("*.policy"))
    assert ids == ["juniper_care_core", "landesk_cloud_appliance", "landesk_support", "landesk_tam",
                   "shavlik_support", "wavelink_support"]
    for pid in ids:
        assert program(pid).id == pid


@pytest.mark.parametrize("pid, tiers", [
    ("juniper_care_core", ("core",)),
    ("landesk_support", ("base", "professional", "enterprise", "enterprise_plus", "incident_pack")),
    ("wavelink_support", ("standard",)),
    ("shavlik_support", ("production", "basic")),
    ("landesk_tam", ("express", "advantage", "premier", "enterprise", "dedicated")),
    ("landesk_cloud_appliance", ("appliance",)),
])
def test_tier_ids_in_policy_order(pid: str, tiers: tuple[str, ...]) -> None:
    assert tuple(t.id for t in program(pid).tiers) == tiers


@pytest.mark.parametrize("tier, low, high", [
    ("base", 0, 2_999), ("professional", 3_000, 49_999),
    ("enterprise", 50_000, 199_999), ("enterprise_plus", 200_000, None),
])
def test_landesk_support_point_thresholds(tier: str, low: int, high: int | None) -> None:  # 2.6
    t = program("landesk_support").tier(tier)
    assert (t.low, t.high, t.purchased) == (low, high, False)


def test_incident_pack_is_bought_directly_with_footnote_9() -> None:
    t = program("landesk_support").tier("incident_pack")
    assert t.purchased and t.low is None and t.marks == ("(9)",)


# 2.6 services matrix: (service, base, professional, enterprise, enterprise_plus, incident_pack)
LANDESK_MATRIX = [
    ("updates", "Да", "Да", "Да", "Да", "Да"),
    ("online_incident", "Нет", "Да", "Да", "Да", "Да"),
    ("standard_phone", "Нет", "Только уровень критичности 1", "Да", "Да", "Только уровень критичности 1"),
    ("phone_24x7", "Нет", "Нет", "Да", "Да", "Нет"),
    ("priority_phone", "Нет", "Нет", "Нет", "Да", "Нет"),
    ("tam", "Нет", "Нет", "Нет", "Да", "Нет"),
    ("ilo_training", "0", "1", "2", "3", "0"),
]
LANDESK_TIERS = ("base", "professional", "enterprise", "enterprise_plus", "incident_pack")


@pytest.mark.parametrize("service, tier, text", [
    (row[0], tier, text) for row in LANDESK_MATRIX for tier, text in zip(LANDESK_TIERS, row[1:])],
    ids=lambda v: str(v))
def test_landesk_services_matrix_cell(service: str, tier: str, text: str) -> None:
    c = cell("landesk_support", tier, service)
    assert c.text == text
    assert c.granted == (text not in ("Нет", "0"))
    if service == "ilo_training":
        assert c.count == int(text)
    if text.startswith("Только"):
        assert c.priorities == ("P1",)


@pytest.mark.parametrize("service, text", [
    ("updates", "Да"), ("release_notices", "Да"), ("unlimited_incidents", "Да"), ("online_incident", "Да"),
    ("standard_phone", "Только уровень критичности 1"),
])
def test_wavelink_matrix_cell(service: str, text: str) -> None:
    assert cell("wavelink_support", "standard", service).text == text


@pytest.mark.parametrize("service, production, basic", [
    ("service_period", "1, 2 или 3 года", "1, 2 или 3 года"),
    ("updates", "Да", "Да"), ("online_incident", "Да", "Да"),
    ("standard_phone", "Да", "Только уровень критичности 1"),
    ("phone_24x7", "Да", "Да"), ("forums", "Да", "Да"),
    ("support_requests", "Неограниченное", "Неограниченное"),
])
def test_shavlik_matrix_cell(service: str, production: str, basic: str) -> None:
    assert cell("shavlik_support", "production", service).text == production
    assert cell("shavlik_support", "basic", service).text == basic


TAM_TIERS = ("express", "advantage", "premier", "enterprise", "dedicated")
TAM_TABLE = [  # section 3, row by row, as in the source
    ("vouchers", ("0", "0", "2", "4", "8")),
    ("client_ratio", ("1:10", "1:14", "1:7", "1:3", "1:1")),
    ("response_time", (f"2{NB}часа", f"2{NB}часа", f"1{NB}час", f"1{NB}час", f"30{NB}минут")),
    ("onsite_days", ("0", "0", "8", "16", "32")),
    ("assigned_tams", ("1", "1", "1", "1 или 2", "1")),
    ("sam", ("Нет", "Нет", "Да", "Да", "Да")),
    ("health_checks", ("1", "0", "1", "2", "1 на приобретенный продукт")),
    ("product_type", ("LDMS/LDSS или LDSD", "LDMS", "LDMS/LDSS, LDSD или LPM/ALM",
                      "LDMS/LDSS, LDSD или LPM/ALM", "LDMS/LDSS, LDSD или LPM/ALM")),
    ("language", ("Нет", "Нет", "Да", "Да", "Да")),
    ("contacts", ("2", "2", "3", "6", "6")),
    ("onsite_trips", ("0", "0", "3", "6", "12")),  # footnote (4)
]


@pytest.mark.parametrize("service, tier, text", [
    (s, t, x) for s, row in TAM_TABLE for t, x in zip(TAM_TIERS, row)], ids=lambda v: str(v))
def test_tam_table_cell(service: str, tier: str, text: str) -> None:
    assert cell("landesk_tam", tier, service).text == text


@pytest.mark.parametrize("priority, tier, hours", [
    (p, t, h) for p, row in (("P1", (2, 2, 1, 1)), ("P2", (8, 8, 4, 4)), ("P3", (16, 16, 8, 8)))
    for t, h in zip(("professional", "incident_pack", "enterprise", "enterprise_plus"), row)])
def test_landesk_response_matrix_cell(priority: str, tier: str, hours: int) -> None:  # 2.8
    r = program("landesk_support").response
    assert r is not None and r.calendar == "support_hours" and r.clause == "2.8"
    (t,) = [x for x in r.cells if x.tier == tier and x.row == priority]
    assert t.term.reading == "working_time" and t.strength == "guaranteed" and t.calendar == "support_hours"
    assert (t.term.duration.amount, t.term.duration.unit, t.term.seconds) == (hours, "business_hour", hours * 3600)


def test_landesk_response_has_no_time_for_base_or_p4() -> None:
    r = program("landesk_support").response
    assert r is not None
    assert "base" not in r.tiers and "P4" not in r.rows


@pytest.mark.parametrize("tier, amount, unit", [
    ("express", 2, "business_hour"), ("advantage", 2, "business_hour"), ("premier", 1, "business_hour"),
    ("enterprise", 1, "business_hour"), ("dedicated", 30, "business_minute")])
def test_tam_response_times_come_from_the_table(tier: str, amount: int, unit: str) -> None:
    r = program("landesk_tam").response
    assert r is not None and r.calendar == "tam_hours" and r.from_service == "response_time"
    (t,) = [x for x in r.cells if x.tier == tier]
    assert (t.row, t.term.duration.amount, t.term.duration.unit) == (None, amount, unit)
    assert t.strength == "efforts"  # footnote (3): commercially reasonable efforts, not a guarantee


def test_juniper_responds_within_one_hour_around_the_clock() -> None:
    p = program("juniper_care_core")
    assert p.response is not None
    (t,) = p.response.cells
    assert (t.tier, t.row, t.term.duration.amount, t.term.duration.unit) == ("core", None, 1, "hour")
    assert t.term.reading == "clock" and t.term.seconds == 3600
    assert p.calendar(p.response.calendar).always
    assert p.priorities == ()


def test_juniper_channels_and_portal_confirmation() -> None:
    p = program("juniper_care_core")
    chans = {c.id: c for c in p.channels}
    assert set(chans) == {"phone", "portal"}
    assert "8-800-700-0314" in (chans["phone"].contact or "")
    assert chans["phone"].language == "английский"
    assert chans["portal"].confirm_by == "phone"
    assert "tools.online.juniper.net/cm/index.jsp" in (chans["portal"].contact or "")


@pytest.mark.parametrize("oid, amount, unit, start, condition", [
    ("replacement_shipment", 20, "business_day", "faulty_part_received", None),
    ("delivery_and_customs", 21, "business_day", "replacement_shipped", "own_address"),
])
def test_juniper_logistics_obligations(oid: str, amount: int, unit: str, start: str, condition: str | None) -> None:
    o = next(o for o in program("juniper_care_core").obligations if o.id == oid)
    assert o.within is not None and (o.within.amount, o.within.unit) == (amount, unit)
    assert (o.start_event, o.condition, o.party, o.calendar) == (start, condition, "manufacturer", "ru_business_days")


def test_tam_term_renews_unless_notice_sixty_days_before_end() -> None:
    p = program("landesk_tam")
    term = next(x for x in p.periods if x.id == "tam_term")
    assert (term.length.amount, term.length.unit) == (1, "year")
    assert term.renews is not None and (term.renews.amount, term.renews.unit) == (1, "year")
    notice = next(o for o in p.obligations if o.id == "nonrenewal_notice")
    assert notice.before is not None and (notice.before.amount, notice.before.unit) == (60, "day")
    assert (notice.before_period, notice.party, notice.clause) == ("tam_term", "either", "3.1")


def test_ilo_vouchers() -> None:
    v = program("landesk_support").vouchers[0]
    assert v.counts == (("base", 0), ("professional", 1), ("enterprise", 2), ("enterprise_plus", 3),
                        ("incident_pack", 0))
    assert v.valid_from_event == "period_start" and v.clause == "2.6 (7)"
    assert v.expires_after is not None and (v.expires_after.amount, v.expires_after.unit) == (1, "year")
    assert v.reissued_every is not None and v.reissued_every.amount == 1


def test_tam_vouchers_expire_with_the_tam_period() -> None:
    v = program("landesk_tam").vouchers[0]
    assert v.expires_with_period == "tam_term"
    assert dict(v.counts) == {"express": 0, "advantage": 0, "premier": 2, "enterprise": 4, "dedicated": 8}


def test_cloud_appliance_warranty_and_rma() -> None:
    p = program("landesk_cloud_appliance")
    w = {x.id: x for x in p.warranties}
    assert (w["hardware"].length.amount, w["hardware"].length.unit) == (1, "year")
    assert (w["software"].length.amount, w["software"].length.unit) == (90, "day")
    rule = p.rules[0]
    assert isinstance(rule.expr, model.MaxOf)
    first, second = rule.expr.args
    assert isinstance(first, model.Duration) and (first.amount, first.unit) == (90, "day")
    assert second == model.Remaining("hardware")
    rmas = {r.id: r for r in p.rmas}
    assert (rmas["hardware_rma"].warranty, rmas["hardware_rma"].or_condition) == ("hardware", None)
    assert (rmas["software_rma"].warranty, rmas["software_rma"].or_condition) == ("software", "maintenance_contract")


def test_landesk_common_sections() -> None:
    p = program("landesk_support")
    assert [x for x in p.exclusions[0].items if x[0] == "(iii)"]
    assert [m for m, _ in p.exclusions[0].items] == ["(i)", "(ii)", "(iii)", "(iv)"]
    assert [f.mark for f in p.footnotes] == [f"({i})" for i in range(1, 10)]
    assert p.reinstatement is not None and p.reinstatement.extra.unit == "year"
    assert p.coverage[0].id == "no_partial_support"
    assert p.incident_accounting is not None and p.incident_accounting.not_deducted == "defect"
    rc = p.reclassification
    assert rc is not None and (rc.unless_via, rc.becomes, rc.may_lower_to) == (("phone",), "P3", "P4")
    assert [x.id for x in p.priorities] == ["P1", "P2", "P3", "P4"]
    assert [x.report_via for x in p.priorities] == [("phone",), ("phone",), (), ()]


def test_support_hours_calendar() -> None:
    cal = program("landesk_support").calendar("support_hours")
    assert cal.zone == "Europe/Moscow" and not cal.always
    assert {(w.weekday, w.start, w.end) for w in cal.windows} == {(d, 480, 1020) for d in range(5)}
    assert cal.holiday_sets == ("ru_production",)
    assert (cal.first, cal.last) == (dt.date(2024, 1, 1), dt.date(2030, 12, 31))
    assert cal.provisional_from == dt.date(2028, 1, 1)  # no transfer decree for 2028 yet
    assert dt.date(2025, 11, 1) in cal.working_weekends  # a transferred working Saturday
    assert dt.date(2026, 1, 9) in cal.non_working and dt.date(2025, 2, 24) not in cal.non_working
    assert cal.shorten_minutes == 0 and cal.shortened == ()


def test_every_rule_cites_its_clause() -> None:
    for pid in ("landesk_support", "landesk_tam", "juniper_care_core", "landesk_cloud_appliance"):
        p = program(pid)
        for group in (p.obligations, p.periods, p.vouchers, p.clauses, p.warranties, p.rmas, p.rules):
            for item in group:
                assert item.clause, (pid, item)
