"""The generated evaluators against the contracts: every matrix cell, responses, obligations, helpers.

Expected values are spelled out here from the source contracts (/work/shared/seeds), not read
back from the model, so a change in a policy or in the backend shows up as a failing row.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import policy_lang
from policy_lang import CalendarHorizonError, PolicyQueryError
from policy_lang.frontend import compile_file

ROOT = Path(__file__).resolve().parents[3]
MSK = ZoneInfo("Europe/Moscow")
PROGRAMS = ("landesk_support", "landesk_tam", "landesk_cloud_appliance", "shavlik_support",
            "wavelink_support", "juniper_care_core")


@pytest.fixture(scope="session")
def ev() -> dict[str, object]:
    return {pid: policy_lang.load(ROOT / "policies" / f"{pid}.policy") for pid in PROGRAMS}


def msk(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=MSK)


# -- every matrix cell ----------------------------------------------------------------------
# A cell is written as in the contract: yes / no / P1 (only priority 1) / an integer / "text".

YES, NO = (True, None, None, "Да"), (False, None, None, "Нет")
ONLY_P1 = (True, None, ("P1",), "Только уровень критичности 1")


def n(k: int) -> tuple:
    return (k > 0, k, None, str(k))


def t(s: str) -> tuple:
    return (True, None, None, s)


MATRICES = {
    "landesk_support": (
        ("base", "professional", "enterprise", "enterprise_plus", "incident_pack"),
        {  # section 2.6
            "updates":         ("2.6 (1)", YES, YES, YES, YES, YES),
            "online_incident": ("2.6 (2)", NO, YES, YES, YES, YES),
            "standard_phone":  ("2.6 (3)", NO, ONLY_P1, YES, YES, ONLY_P1),
            "phone_24x7":      ("2.6 (4)", NO, NO, YES, YES, NO),
            "priority_phone":  ("2.6 (5)", NO, NO, NO, YES, NO),
            "tam":             ("2.6 (6)", NO, NO, NO, YES, NO),
            "ilo_training":    ("2.6 (7)", n(0), n(1), n(2), n(3), n(0)),
        }),
    "landesk_tam": (
        ("express", "advantage", "premier", "enterprise", "dedicated"),
        {  # section 3
            "vouchers":      ("3 (1)", n(0), n(0), n(2), n(4), n(8)),
            "client_ratio":  ("3 (2)", t("1:10"), t("1:14"), t("1:7"), t("1:3"), t("1:1")),
            "response_time": ("3 (3)", t("2\u00a0часа"), t("2\u00a0часа"), t("1\u00a0час"),
                              t("1\u00a0час"), t("30\u00a0минут")),
            "onsite_days":   ("3 (4)", n(0), n(0), n(8), n(16), n(32)),
            "assigned_tams": ("3 (5)", n(1), n(1), n(1), t("1 или 2"), n(1)),
            "sam":           ("3 (6)", NO, NO, YES, YES, YES),
            "health_checks": ("3 (7)", n(1), n(0), n(1), n(2), t("1 на приобретенный продукт")),
            "product_type":  ("3 (8)", t("LDMS/LDSS или LDSD"), t("LDMS"),
                              t("LDMS/LDSS, LDSD или LPM/ALM"), t("LDMS/LDSS, LDSD или LPM/ALM"),
                              t("LDMS/LDSS, LDSD или LPM/ALM")),
            "language":      ("3 (9)", NO, NO, YES, YES, YES),
            "contacts":      ("3 (10)", n(2), n(2), n(3), n(6), n(6)),
            "onsite_trips":  ("3 (4)", n(0), n(0), n(3), n(6), n(12)),
            "after_hours":   ("3 (3)", NO, NO, YES, YES, YES),
        }),
    "landesk_cloud_appliance": (
        ("appliance",),
        {  # section 4.1
            "hardware_warranty":    ("4.1", t("1 год")),
            "software_warranty":    ("4.1", t("90 дней")),
            "extended_maintenance": ("4.1", t("приобретается дополнительно")),
        }),
    "shavlik_support": (
        ("production", "basic"),
        {
            "service_period":   ("2.6", t("1, 2 или 3 года"), t("1, 2 или 3 года")),
            "updates":          ("2.6 (1)", YES, YES),
            "online_incident":  ("2.6 (2)", YES, YES),
            "standard_phone":   ("2.6 (3)", YES, ONLY_P1),
            "phone_24x7":       ("2.6 (4)", YES, YES),
            "forums":           ("2.6", YES, YES),
            "support_requests": ("2.6", t("Неограниченное"), t("Неограниченное")),
        }),
    "wavelink_support": (
        ("standard",),
        {
            "updates":             ("2.6 (1)", YES),
            "release_notices":     ("2.6", YES),
            "unlimited_incidents": ("2.6", YES),
            "online_incident":     ("2.6 (2)", YES),
            "standard_phone":      ("2.6 (3)", ONLY_P1),
        }),
    "juniper_care_core": (
        ("core",),
        {
            "request_intake":     ("Уровень оказываемого сервиса", YES),
            "portal_intake":      ("Уровень оказываемого сервиса", YES),
            "consultations":      ("Уровень оказываемого сервиса", YES),
            "remote_diagnostics": ("Уровень оказываемого сервиса", YES),
            "onsite_replacement": ("Уровень оказываемого сервиса **", NO),
            "parts_replacement":  ("Уровень оказываемого сервиса ***", YES),
            "software_updates":   ("Уровень оказываемого сервиса", YES),
            "online_resources":   ("Уровень оказываемого сервиса", YES),
        }),
}

CELLS = [(pid, tier, service, clause, cell)
         for pid, (tiers, rows) in MATRICES.items()
         for service, (clause, *cells) in rows.items()
         for tier, cell in zip(tiers, cells)]


@pytest.mark.parametrize("pid,tier,service,clause,cell", CELLS,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CELLS])
def test_matrix_cell(ev, pid, tier, service, clause, cell) -> None:
    e = ev[pid].entitlement(tier=tier, service=service)
    assert (e.granted, e.count, e.priorities, e.text) == cell
    assert e.clause == clause
    assert e.title == ev[pid].SERVICES[service]


@pytest.mark.parametrize("pid", PROGRAMS)
def test_the_table_covers_every_cell(ev, pid) -> None:
    program = compile_file(ROOT / "policies" / f"{pid}.policy").program
    cells = {(tier, row.service) for m in program.matrices for row in m.rows for tier in m.tiers}
    assert cells == {(c[1], c[2]) for c in CELLS if c[0] == pid}
    assert ev[pid].TIERS == MATRICES[pid][0]


# -- responses: tier x channel x reported priority, registered Tuesday 2026-03-10 10:00 MSK ----
# columns: tier, channel, reported, accepted, effective priority, deadline (MSK) or "-"

LANDESK = """
base            phone   P1  no   P1  -
base            phone   P2  no   P2  -
base            phone   P3  no   P3  -
base            phone   P4  no   P4  -
base            portal  P1  no   P1  -
base            portal  P2  no   P2  -
base            portal  P3  no   P3  -
base            portal  P4  no   P4  -
professional    phone   P1  yes  P1  2026-03-10T12:00
professional    phone   P2  no   P2  -
professional    phone   P3  no   P3  -
professional    phone   P4  no   P4  -
professional    portal  P1  yes  P3  2026-03-11T17:00
professional    portal  P2  yes  P3  2026-03-11T17:00
professional    portal  P3  yes  P3  2026-03-11T17:00
professional    portal  P4  yes  P4  -
enterprise      phone   P1  yes  P1  2026-03-10T11:00
enterprise      phone   P2  yes  P2  2026-03-10T14:00
enterprise      phone   P3  yes  P3  2026-03-11T09:00
enterprise      phone   P4  yes  P4  -
enterprise      portal  P1  yes  P3  2026-03-11T09:00
enterprise      portal  P2  yes  P3  2026-03-11T09:00
enterprise      portal  P3  yes  P3  2026-03-11T09:00
enterprise      portal  P4  yes  P4  -
enterprise_plus phone   P1  yes  P1  2026-03-10T11:00
enterprise_plus phone   P2  yes  P2  2026-03-10T14:00
enterprise_plus phone   P3  yes  P3  2026-03-11T09:00
enterprise_plus phone   P4  yes  P4  -
enterprise_plus portal  P1  yes  P3  2026-03-11T09:00
enterprise_plus portal  P2  yes  P3  2026-03-11T09:00
enterprise_plus portal  P3  yes  P3  2026-03-11T09:00
enterprise_plus portal  P4  yes  P4  -
incident_pack   phone   P1  yes  P1  2026-03-10T12:00
incident_pack   phone   P2  no   P2  -
incident_pack   phone   P3  no   P3  -
incident_pack   phone   P4  no   P4  -
incident_pack   portal  P1  yes  P3  2026-03-11T17:00
incident_pack   portal  P2  yes  P3  2026-03-11T17:00
incident_pack   portal  P3  yes  P3  2026-03-11T17:00
incident_pack   portal  P4  yes  P4  -
"""

# Shavlik reads Production as Enterprise, Basic as Professional; Wavelink as Professional.
OTHERS = """
shavlik_support  production phone  P2  yes  P2  2026-03-10T14:00
shavlik_support  production portal P1  yes  P3  2026-03-11T09:00
shavlik_support  basic      phone  P1  yes  P1  2026-03-10T12:00
shavlik_support  basic      phone  P3  no   P3  -
shavlik_support  basic      portal P2  yes  P3  2026-03-11T17:00
wavelink_support standard   phone  P1  yes  P1  2026-03-10T12:00
wavelink_support standard   phone  P2  no   P2  -
wavelink_support standard   portal P4  yes  P4  -
wavelink_support standard   portal P3  yes  P3  2026-03-11T17:00
landesk_tam      express    phone  -   yes  -   2026-03-10T12:00
landesk_tam      advantage  phone  -   yes  -   2026-03-10T12:00
landesk_tam      premier    phone  -   yes  -   2026-03-10T11:00
landesk_tam      enterprise phone  -   yes  -   2026-03-10T11:00
landesk_tam      dedicated  phone  -   yes  -   2026-03-10T10:30
landesk_tam      express    phone_24x7 - no -   -
landesk_tam      advantage  phone_24x7 - no -   -
landesk_tam      premier    phone_24x7 - yes -  2026-03-10T11:00
landesk_tam      dedicated  phone_24x7 - yes -  2026-03-10T10:30
juniper_care_core core      phone  -   yes  -   2026-03-10T11:00
juniper_care_core core      portal -   yes  -   2026-03-10T11:00
"""


def _rows(table: str, pid: str | None = None) -> list[tuple]:
    rows = []
    for line in table.strip().splitlines():
        cols = line.split()
        if pid is not None:
            cols.insert(0, pid)
        p, tier, channel, reported, accepted, effective, due = cols
        rows.append((p, tier, channel, None if reported == "-" else reported, accepted == "yes",
                     None if effective == "-" else effective, None if due == "-" else msk(due)))
    return rows


RESPONSES = _rows(LANDESK, "landesk_support") + _rows(OTHERS)


@pytest.mark.parametrize("pid,tier,channel,reported,accepted,effective,due", RESPONSES,
                         ids=[f"{r[0]}-{r[1]}-{r[2]}-{r[3]}" for r in RESPONSES])
def test_response_table(ev, pid, tier, channel, reported, accepted, effective, due) -> None:
    r = ev[pid].response(tier=tier, channel=channel, priority=reported,
                         registered_at=msk("2026-03-10T10:00"))
    assert (r.accepted, r.priority, r.deadline) == (accepted, effective, due)
    if due is not None:
        # in the calendar's zone: Moscow, or UTC for Juniper's zone-less 24x7 calendar
        zone = "Europe/Moscow"
        assert r.deadline.tzinfo.key == zone
        assert r.reasons[-1].startswith("Ответ должен поступить не позднее")
    assert r.clauses and all(c in r.explain() for c in r.clauses)


def test_every_landesk_decision_is_in_the_table() -> None:
    program = compile_file(ROOT / "policies" / "landesk_support.policy").program
    keys = {(d.tier, d.channel, d.reported) for d in program.decisions}
    assert keys == {(r[1], r[2], r[3]) for r in RESPONSES if r[0] == "landesk_support"}


def test_response_reasons_say_what_the_contract_says(ev) -> None:
    m = ev["landesk_support"]
    at = msk("2026-03-10T10:00")
    r = m.response(tier="professional", channel="phone", priority="P2", registered_at=at)
    assert not r.accepted and r.deadline is None
    assert "только заявки уровня P1" in r.reasons[0]
    assert "онлайн портал самообслуживания LANDESK" in r.reasons[1]  # the channel that would
    r = m.response(tier="base", channel="phone", priority="P1", registered_at=at)
    assert "не даёт права" in r.reasons[0] and "ни по одному каналу" in r.reasons[1]
    r = m.response(tier="enterprise", channel="portal", priority="P1", registered_at=at)
    assert r.reported_priority == "P1" and r.priority == "P3"
    assert any("понизить его до P4" in x and "п.\u00a02.8" in x for x in r.reasons)
    assert "приоритет P3 (заявлен P1)" in r.explain()
    r = m.response(tier="enterprise", channel="phone", priority="P4", registered_at=at)
    assert r.accepted and r.deadline is None
    assert any("не установлен" in x for x in r.reasons)
    j = ev["juniper_care_core"].response(tier="core", channel="portal", registered_at=at)
    assert any("подтвердить через канал «телефон JTAC»" in x and "для подтверждения получения"
               in x for x in j.reasons)


@pytest.mark.parametrize("registered,due", [
    ("2026-03-13T16:30", "2026-03-16T08:30"),  # Friday 16:30 + 1 business hour -> Monday 08:30
    ("2026-03-10T07:00", "2026-03-10T09:00"),  # before opening: counts from 08:00
    ("2026-01-05T10:00", "2026-01-12T09:00"),  # New Year holidays: counts from 2026-01-12 08:00
    ("2026-03-07T12:00", "2026-03-10T09:00"),  # Sat; Mon 2026-03-09 is a day off (8 March)
    ("2026-03-10T16:00", "2026-03-10T17:00"),  # ends exactly at closing: stays at 17:00
    ("2026-03-10T17:00", "2026-03-11T09:00"),  # at closing: counts from next opening
    ("2025-11-01T10:00", "2025-11-01T11:00"),  # Saturday 1 November 2025 is a working day
    ("2025-11-01T16:30", "2025-11-05T08:30"),  # ... and 3-4 November are days off
])
def test_enterprise_p1_phone_edges(ev, registered, due) -> None:
    r = ev["landesk_support"].response(tier="enterprise", channel="phone", priority="P1",
                                       registered_at=msk(registered))
    assert r.deadline == msk(due)


def test_clock_start_is_explained(ev) -> None:
    r = ev["landesk_support"].response(tier="enterprise", channel="phone", priority="P1",
                                       registered_at=msk("2026-01-05T10:00"))
    assert r.clock_starts == msk("2026-01-12T08:00")
    assert any("срок отсчитывается с 12\u00a0января 2026\u00a0г., 08:00" in x for x in r.reasons)


def test_professional_p1_friday_afternoon(ev) -> None:
    r = ev["landesk_support"].response(tier="professional", channel="phone", priority="P1",
                                       registered_at=msk("2026-03-13T16:30"))
    assert r.deadline == msk("2026-03-16T09:30")


def test_registered_at_in_another_zone(ev) -> None:
    r = ev["landesk_support"].response(tier="enterprise", channel="phone", priority="P1",
                                       registered_at=datetime(2026, 3, 10, 7, 0, tzinfo=timezone.utc))
    assert r.deadline == msk("2026-03-10T11:00") and r.deadline.tzinfo == MSK


def test_juniper_one_hour_around_the_clock(ev) -> None:
    j = ev["juniper_care_core"]
    r = j.response(tier="core", channel="phone", registered_at=msk("2026-03-14T23:30"))  # Sat
    assert r.deadline == msk("2026-03-15T00:30")
    r = j.response(tier="core", channel="phone", registered_at=msk("2026-01-01T03:00"))
    assert r.deadline == msk("2026-01-01T04:00")
    r = j.response(tier="core", channel="phone", registered_at=msk("2030-06-01T03:00"))
    assert r.deadline == msk("2030-06-01T04:00")  # 24x7 has no horizon


def test_tam_dedicated_thirty_business_minutes(ev) -> None:
    tam = ev["landesk_tam"]
    r = tam.response(tier="dedicated", channel="phone", registered_at=msk("2026-03-10T16:45"))
    assert r.deadline == msk("2026-03-11T08:15")
    r = tam.response(tier="express", channel="phone_24x7", registered_at=msk("2026-03-10T20:00"))
    assert not r.accepted and "телефон назначенного ТАМ" in r.reasons[1]


# -- obligations ----------------------------------------------------------------------------

def test_juniper_shipment_twenty_business_days_across_may_holidays(ev) -> None:
    j = ev["juniper_care_core"]
    # 2026-04-28 + 20 working days; 1 and 11 May 2026 are days off.
    assert j.deadline("replacement_shipment", start=msk("2026-04-28T15:00")) == \
        datetime(2026, 5, 28, 23, 59, 59, tzinfo=MSK)
    assert j.deadline("replacement_shipment", start=msk("2026-12-01T10:00")) == \
        datetime(2026, 12, 29, 23, 59, 59, tzinfo=MSK)


def test_juniper_delivery_to_own_address(ev) -> None:
    j = ev["juniper_care_core"]
    assert j.deadline("delivery_and_customs", start=msk("2026-04-28T15:00"), own_address=True) \
        == datetime(2026, 5, 29, 23, 59, 59, tzinfo=MSK)
    with pytest.raises(PolicyQueryError, match="applies only when own_address"):
        j.deadline("delivery_and_customs", start=msk("2026-04-28T15:00"))
    with pytest.raises(PolicyQueryError, match="applies only when own_address"):
        j.deadline("delivery_and_customs", start=msk("2026-04-28T15:00"), own_address=False)
    with pytest.raises(PolicyQueryError, match="valid: own_address"):
        j.deadline("delivery_and_customs", start=msk("2026-04-28T15:00"), own_adress=True)
    ob = j.OBLIGATIONS["delivery_and_customs"]
    assert (ob.clause, ob.amount, ob.unit, ob.condition) == ("7 (2)", 21, "business_day",
                                                             "own_address")
    assert ob.term_text == "21\u00a0рабочий день"


def test_tam_nonrenewal_notice(ev) -> None:
    tam = ev["landesk_tam"]
    end = tam.period_end(start=date(2026, 3, 1))
    assert end == date(2027, 3, 1)
    assert tam.deadline("nonrenewal_notice", start=end) == date(2026, 12, 31)
    assert tam.OBLIGATIONS["nonrenewal_notice"].party == "either"


def test_unknown_obligation_lists_valid(ev) -> None:
    with pytest.raises(PolicyQueryError, match="valid: replacement_shipment, delivery_and_customs"):
        ev["juniper_care_core"].deadline("shipment", start=msk("2026-04-28T15:00"))


def test_obligation_horizon(ev) -> None:
    with pytest.raises(CalendarHorizonError):
        ev["juniper_care_core"].deadline("replacement_shipment", start=msk("2030-12-20T10:00"))


# -- helpers --------------------------------------------------------------------------------

def test_tier_for_points(ev) -> None:
    m = ev["landesk_support"]
    assert [m.tier_for_points(p) for p in (0, 2_999, 3_000, 49_999, 50_000, 199_999, 200_000,
                                           10**9)] == ["base", "base", "professional",
                                                       "professional", "enterprise",
                                                       "enterprise", "enterprise_plus",
                                                       "enterprise_plus"]
    with pytest.raises(PolicyQueryError, match=">= 0"):
        m.tier_for_points(-1)
    with pytest.raises(PolicyQueryError, match="integer"):
        m.tier_for_points(1.5)
    with pytest.raises(PolicyQueryError, match="defines no point-based tiers"):
        ev["landesk_tam"].tier_for_points(10)


def test_ilo_vouchers_reissued_each_year(ev) -> None:
    grants = ev["landesk_support"].vouchers(tier="enterprise_plus", period_start=date(2026, 3, 1),
                                            years=3)
    assert [(g.year, g.count, g.valid_from, g.expires) for g in grants] == [
        (1, 3, date(2026, 3, 1), date(2027, 3, 1)),
        (2, 3, date(2027, 3, 1), date(2028, 3, 1)),
        (3, 3, date(2028, 3, 1), date(2029, 3, 1)),
    ]
    assert grants[0].clause == "2.6 (7)"
    assert ev["landesk_support"].vouchers(tier="base", period_start=date(2026, 3, 1))[0].count == 0


def test_tam_vouchers_expire_with_the_period(ev) -> None:
    (g,) = ev["landesk_tam"].vouchers(tier="dedicated", period_start=date(2024, 2, 29))
    # a year from 29 February lasts through 28 February (Civil Code art. 192): exclusive end 1 March
    assert (g.count, g.valid_from, g.expires) == (8, date(2024, 2, 29), date(2025, 3, 1))


def test_incident_pack_balance(ev) -> None:
    b = ev["landesk_support"].incident_balance(purchased=5,
                                               incidents=["other", "defect", "other", "defect"])
    assert (b.deducted, b.not_deducted, b.remaining, b.clause) == (2, 2, 3, "2.6 (9)")
    with pytest.raises(PolicyQueryError):
        ev["landesk_support"].incident_balance(purchased=5, incidents="defect")
    with pytest.raises(PolicyQueryError, match="defines no incident accounting"):
        ev["wavelink_support"].incident_balance(purchased=5, incidents=[])


def test_tam_renewal(ev) -> None:
    tam = ev["landesk_tam"]
    r = tam.renewal(start=date(2026, 3, 1))
    assert (r.renews, r.period_end, r.notice_deadline, r.next_period_end) == (
        True, date(2027, 3, 1), date(2026, 12, 31), date(2028, 3, 1))
    assert not tam.renewal(start=date(2026, 3, 1), notice_on=date(2026, 12, 31)).renews
    assert tam.renewal(start=date(2026, 3, 1), notice_on=date(2027, 1, 1)).renews
    assert tam.period_end(start=date(2026, 3, 1), renewals=2) == date(2029, 3, 1)
    with pytest.raises(PolicyQueryError, match="does not renew"):
        ev["landesk_support"].period_end(start=date(2026, 3, 1), renewals=1)


def test_reinstatement(ev) -> None:
    r = ev["shavlik_support"].reinstatement(lapsed_on=date(2025, 6, 1),
                                            reactivated_on=date(2026, 3, 1))
    assert (r.pay_from, r.pay_until, r.clause) == (date(2025, 6, 1), date(2027, 3, 1), "2.2")
    with pytest.raises(PolicyQueryError, match="defines no reinstatement"):
        ev["landesk_tam"].reinstatement(lapsed_on=date(2025, 6, 1), reactivated_on=date(2026, 3, 1))


def test_rma_and_returned_part_warranty(ev) -> None:
    a = ev["landesk_cloud_appliance"]
    hw = a.rma_eligibility(rma="hardware_rma", delivered=date(2025, 1, 10), on=date(2026, 1, 9))
    assert hw.eligible and hw.warranty_end == date(2026, 1, 10)
    assert not a.rma_eligibility(rma="hardware_rma", delivered=date(2025, 1, 10),
                                 on=date(2026, 1, 10)).eligible
    sw = a.rma_eligibility(rma="software_rma", delivered=date(2025, 1, 10), on=date(2025, 6, 1))
    assert not sw.eligible and "контракт на техобслуживание" in sw.reason
    assert a.rma_eligibility(rma="software_rma", delivered=date(2025, 1, 10), on=date(2025, 6, 1),
                             maintenance_contract=True).eligible
    # max(90 days, what is left of the 1-year hardware warranty)
    assert a.rule_end("returned_part_warranty", at=date(2025, 3, 1),
                      delivery=date(2025, 1, 10)) == date(2026, 1, 10)
    assert a.rule_end("returned_part_warranty", at=date(2025, 12, 1),
                      delivery=date(2025, 1, 10)) == date(2026, 3, 1)
    assert a.RULES["returned_part_warranty"] == ("max", ("duration", 90, "day"),
                                                 ("remaining", "hardware"))
    with pytest.raises(PolicyQueryError, match="valid: hardware_rma, software_rma"):
        a.rma_eligibility(rma="hw", delivered=date(2025, 1, 10), on=date(2025, 6, 1))


# -- errors ---------------------------------------------------------------------------------

def test_query_errors(ev) -> None:
    m = ev["landesk_support"]
    at = msk("2026-03-10T10:00")
    with pytest.raises(PolicyQueryError, match="unknown tier 'gold'; valid: base, professional, "
                                               "enterprise, enterprise_plus, incident_pack"):
        m.response(tier="gold", channel="phone", priority="P1", registered_at=at)
    with pytest.raises(PolicyQueryError, match="unknown channel 'fax'; valid: phone, portal"):
        m.response(tier="enterprise", channel="fax", priority="P1", registered_at=at)
    with pytest.raises(PolicyQueryError, match="unknown priority 'P5'; valid: P1, P2, P3, P4"):
        m.response(tier="enterprise", channel="phone", priority="P5", registered_at=at)
    with pytest.raises(PolicyQueryError, match="priority is required; valid: P1, P2, P3, P4"):
        m.response(tier="enterprise", channel="phone", registered_at=at)
    with pytest.raises(PolicyQueryError, match="naive"):
        m.response(tier="enterprise", channel="phone", priority="P1",
                   registered_at=datetime(2026, 3, 10, 10))
    with pytest.raises(PolicyQueryError, match="naive"):
        m.response(tier="base", channel="phone", priority="P1",
                   registered_at=datetime(2026, 3, 10, 10))
    with pytest.raises(PolicyQueryError, match="unknown service"):
        m.entitlement(tier="enterprise", service="coffee")
    with pytest.raises(PolicyQueryError, match="no priorities"):
        ev["juniper_care_core"].response(tier="core", channel="phone", priority="P1",
                                         registered_at=at)
    with pytest.raises(TypeError):
        m.response("enterprise", "phone", at, "P1")  # keyword-only
    assert issubclass(PolicyQueryError, ValueError)


def test_horizon(ev) -> None:
    with pytest.raises(CalendarHorizonError, match="horizon 2024-01-01..2030-12-31"):
        ev["landesk_support"].response(tier="enterprise", channel="phone", priority="P1",
                                       registered_at=msk("2031-01-13T10:00"))
    with pytest.raises(CalendarHorizonError, match="16 hours of working time"):  # ends after it
        ev["landesk_support"].response(tier="professional", channel="portal", priority="P3",
                                       registered_at=msk("2030-12-31T10:00"))


def test_new_year_2027_no_longer_runs_out(ev) -> None:
    """Issue 8: on 31 Dec 2026 (a day off) every business-hours response failed; now it counts
    from the first working hour of 2027, 11 Jan 08:00 (1-10 Jan 2027 are days off)."""
    r = ev["landesk_support"].response(tier="enterprise", channel="phone", priority="P1",
                                       registered_at=msk("2026-12-31T16:30"))
    assert r.deadline == msk("2027-01-11T09:00") and not r.provisional


@pytest.mark.parametrize(("at", "deadline", "provisional"), [
    ("2027-02-19T16:30", "2027-02-20T08:30", False),  # Sat 20 Feb 2027 is a working day
    ("2027-11-03T16:30", "2027-11-08T08:30", False),  # 4-5 Nov off, 6-7 weekend
    ("2027-12-30T16:30", "2028-01-10T08:30", True),   # 31 Dec off by the 2027 decree; 2028 computed
    ("2028-11-03T16:30", "2028-11-07T08:30", True),   # art. 112: Sat 4 Nov 2028 moves to Mon 6 Nov
])
def test_decree_2027_and_provisional_years(ev, at, deadline, provisional) -> None:
    r = ev["landesk_support"].response(tier="enterprise", channel="phone", priority="P1",
                                       registered_at=msk(at))
    assert (r.deadline, r.provisional) == (msk(deadline), provisional)
    assert r.as_dict()["provisional"] is provisional
    assert ("Срок предварительный" in r.explain()) is provisional


def test_metadata(ev) -> None:
    m = ev["landesk_support"]
    assert m.PROGRAM.id == "landesk_support" and m.PROGRAM.vendor == "LANDESK"
    assert len(m.PROGRAM.sha256) == 64 and m.PROGRAM.source == "landesk_support.policy"
    assert m.PRIORITIES == ("P1", "P2", "P3", "P4")
    assert ev["juniper_care_core"].PRIORITIES == ()
    assert ev["juniper_care_core"].CONDITIONS == {
        "own_address": "ЗАКАЗЧИК указывает собственный адрес доставки (а не адрес логистической "
                       "компании)"}
