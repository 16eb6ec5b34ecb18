"""Example policies (policies/examples/): real public support SLAs, with deadlines computed by hand.

Every case below was worked out from the source text quoted in the policy's header, not from the
evaluator; the comment next to it shows the arithmetic. Russian non-working days used here
(production calendar): 2026-05-01, 2026-05-11, 2026-11-04, 2026-12-31, 2027-01-01 .. 2027-01-10.
"""
from __future__ import annotations

import ast
import re
import types
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from policy_lang.backends.annex.render import AnnexConfig, render_markdown
from policy_lang.backends.annex.view import build_view
from policy_lang.backends.python.emit import emit_python
from policy_lang.frontend import compile_file
from policy_lang.typography import typeset

POLICIES = Path(__file__).resolve().parents[2] / "policies"
EXAMPLES = POLICIES / "examples"
EXAMPLE_IDS = tuple(sorted(p.stem for p in EXAMPLES.glob("*.policy")))


@cache
def compiled(pid: str):
    return compile_file(EXAMPLES / f"{pid}.policy", root=POLICIES)


@cache
def module(pid: str) -> types.ModuleType:
    prog = compiled(pid).program
    assert prog is not None, compiled(pid).diagnostics
    m = types.ModuleType(prog.id)
    exec(compile(emit_python(prog), prog.id, "exec"), m.__dict__)
    return m


def ask(pid: str, tier: str, channel: str, row: str, registered: str):
    m = module(pid)
    kind = "request" if row in getattr(m, "REQUESTS", {}) else "priority"
    return m.response(tier=tier, channel=channel, registered_at=datetime.fromisoformat(registered), **{kind: row})


def due(pid: str, tier: str, channel: str, row: str, registered: str, target: str) -> datetime | None:
    r = ask(pid, tier, channel, row, registered)
    assert r.accepted, f"{pid}: {tier}/{channel}/{row} refused"
    answer = {t.id: t for t in r.targets}[target]
    if target == "response":
        assert r.deadline == answer.deadline
    return answer.deadline


# (program, tier, channel, priority or request type, registered at, target, expected deadline)
CASES = [
    # --- 1С-Битрикс: Mon-Fri 10:00-19:00 MSK (9 h/day), RF holidays; 3 / 5 / 24 business hours ---
    ("bitrix_partner_support", "partner", "ticket_form", "urgent", "2026-11-27T17:30+03:00", "response",
     "2026-11-30T11:30+03:00"),  # Fri 17:30-19:00 = 1.5 h; 1.5 h left from Mon 10:00
    ("bitrix_partner_support", "partner", "ticket_form", "standard", "2026-12-01T08:15+03:00", "response",
     "2026-12-01T15:00+03:00"),  # before opening: 10:00 + 5 h
    ("bitrix_partner_support", "partner", "ticket_form", "standard", "2026-04-30T16:00+03:00", "response",
     "2026-05-04T12:00+03:00"),  # Thu 16-19 = 3 h; 1 May holiday, 2-3 May weekend; Mon 4 May 10:00 + 2 h
    ("bitrix_partner_support", "non_client", "ticket_form", "urgent", "2026-11-03T10:00+03:00", "response",
     "2026-11-06T16:00+03:00"),  # 24 h: Tue 9 h; 4 Nov holiday; Thu 9 h (18); Fri 10:00 + 6 h

    # --- GitHub: Premium 24x7 (UTC); Enterprise 24 h on 24x5 without U.S. holidays ---
    ("github_premium_support", "premium", "portal", "urgent", "2026-11-29T03:00+00:00", "response",
     "2026-11-29T03:30+00:00"),  # priority set Sun 03:00 + 30 min
    ("github_premium_support", "premium_plus", "portal", "high", "2026-11-27T22:00+00:00", "response",
     "2026-11-28T02:00+00:00"),  # Fri 22:00 + 4 h, 24x7 -> Sat 02:00
    ("github_premium_support", "enterprise", "portal", "normal", "2026-05-22T20:00+00:00", "response",
     "2026-05-26T20:00+00:00"),  # Fri 4 h; Sat-Sun off; Mon 25 May Memorial Day; Tue 00:00 + 20 h
    ("github_premium_support", "enterprise", "portal", "low", "2026-11-25T10:00+00:00", "response",
     "2026-11-30T10:00+00:00"),  # Wed 14 h; Thanksgiving 26 + 27 Nov, weekend; Mon 00:00 + 10 h
    ("github_premium_support", "enterprise", "portal", "urgent", "2026-11-25T10:00+00:00", "response",
     None),  # Enterprise urgent: no time stated -> not regulated

    # --- Cisco SNTC: TAC 1 h (S3/S4 on 8x5 09:00-17:00 MSK); RMA 2h/4h/4h(8x5)/NCD/NBD, cut-off 15:00 ---
    ("cisco_smart_net_total_care", "hw_8x5xnbd", "phone", "S1", "2026-11-28T10:00+03:00", "response",
     "2026-11-28T11:00+03:00"),  # S1 any time: within 1 h
    ("cisco_smart_net_total_care", "hw_8x5x4", "web", "S3", "2026-11-28T10:00+03:00", "response",
     "2026-11-30T10:00+03:00"),  # S3 Sat: counted from Mon 09:00 + 1 business hour
    ("cisco_smart_net_total_care", "hw_8x5x4", "web", "S3", "2026-11-28T10:00+03:00", "parts_delivery",
     "2026-11-30T13:00+03:00"),  # 8x5x4 Sat: Mon 09:00 + 4 business hours
    ("cisco_smart_net_total_care", "hw_8x5x4", "phone", "S1", "2026-11-27T12:00+03:00", "parts_delivery",
     "2026-11-27T16:00+03:00"),  # Fri 12:00 (before 13:00) + 4 h
    ("cisco_smart_net_total_care", "hw_24x7x4", "phone", "S1", "2026-11-28T23:00+03:00", "parts_delivery",
     "2026-11-29T03:00+03:00"),  # Sat 23:00 + 4 h around the clock
    ("cisco_smart_net_total_care", "hw_24x7x2", "phone", "S1", "2026-11-28T23:00+03:00", "parts_delivery",
     "2026-11-29T01:00+03:00"),  # Sat 23:00 + 2 h
    ("cisco_smart_net_total_care", "hw_8x5xnbd", "phone", "S2", "2026-11-03T14:00+03:00", "parts_delivery",
     "2026-11-05T23:59:59+03:00"),  # Tue 14:00 (before 15:00); 4 Nov holiday -> Thu end of day
    ("cisco_smart_net_total_care", "hw_8x5xnbd", "phone", "S2", "2026-12-01T15:30+03:00", "parts_delivery",
     "2026-12-03T23:59:59+03:00"),  # Tue 15:30, after cut-off: counts as Wed -> Thu
    ("cisco_smart_net_total_care", "hw_8x7xncd", "phone", "S2", "2026-12-01T14:30+03:00", "parts_delivery",
     "2026-12-02T23:59:59+03:00"),  # before 15:00 -> next calendar day Wed
    ("cisco_smart_net_total_care", "hw_8x7xncd", "phone", "S2", "2026-12-05T15:30+03:00", "parts_delivery",
     "2026-12-07T23:59:59+03:00"),  # Sat 15:30, after cut-off -> counts as Sun -> Mon (calendar days)

    # --- Yandex Cloud: 24x7; Бизнес critical 30 min, Премиум 15 min; Предложение 5 RF working days ---
    ("yandex_cloud_support", "business", "support_center", "critical", "2026-11-28T03:10+03:00", "response",
     "2026-11-28T03:40+03:00"),  # Sat 03:10 + 30 min
    ("yandex_cloud_support", "premium", "support_center", "important", "2026-11-29T22:00+03:00", "response",
     "2026-11-30T00:00+03:00"),  # Sun 22:00 + 2 h
    ("yandex_cloud_support", "base", "support_center", "important", "2026-11-29T22:00+03:00", "response",
     "2026-11-30T22:00+03:00"),  # Базовый: 24 h
    ("yandex_cloud_support", "business", "support_center", "quota", "2026-11-29T22:00+03:00", "response",
     "2026-11-30T22:00+03:00"),  # Квоты: 24 h on every plan
    ("yandex_cloud_support", "premium", "support_center", "proposal", "2026-04-30T15:00+03:00", "response",
     "2026-05-08T23:59:59+03:00"),  # working days 4,5,6,7,8 May (1 May holiday, 2-3 weekend)
    ("yandex_cloud_support", "base", "support_center", "proposal", "2026-12-30T12:00+03:00", "response",
     "2027-01-15T23:59:59+03:00"),  # 31 Dec, 1-10 Jan off -> 11,12,13,14,15 Jan
    ("yandex_cloud_support", "base", "email", "proposal", "2026-12-30T12:00+03:00", "email_response",
     "2026-12-31T12:00+03:00"),  # by e-mail 24 h whatever the request: Wed 12:00 -> Thu 12:00
    ("yandex_cloud_support", "business", "chat", "question", "2026-11-28T03:10+03:00", "chat_response",
     "2026-11-28T03:15+03:00"),  # chat on Бизнес: 5 min

    # --- TeamLead: Mon-Fri 10:00-18:00 MSK (8 h/day), RF holidays ---
    ("teamlead_atlassian_support", "sla2_standard", "service_desk", "P1", "2026-11-27T16:30+03:00", "response",
     "2026-11-30T12:30+03:00"),  # 4 h: Fri 1.5 h; Mon 10:00 + 2.5 h
    ("teamlead_atlassian_support", "sla3_premium", "service_desk", "P0", "2026-11-28T09:00+03:00", "response",
     "2026-11-30T11:00+03:00"),  # logged 24/7 on Sat; clock from Mon 10:00 + 1 h
    ("teamlead_atlassian_support", "sla2_standard", "phone", "P0", "2026-11-03T17:30+03:00", "response",
     "2026-11-05T11:30+03:00"),  # 2 h: Tue 0.5 h; 4 Nov holiday; Thu 10:00 + 1.5 h
    ("teamlead_atlassian_support", "sla1_lite", "service_desk", "P2", "2026-12-01T11:00+03:00", "response",
     "2026-12-03T11:00+03:00"),  # 16 h: Tue 7 h, Wed 8 h (15), Thu 10:00 + 1 h
    ("teamlead_atlassian_support", "sla3_premium", "service_desk", "P2", "2026-12-30T16:00+03:00", "response",
     "2027-01-11T12:00+03:00"),  # 4 h: Wed 2 h; 31 Dec .. 10 Jan off; Mon 11 Jan 10:00 + 2 h
    ("teamlead_atlassian_support", "sla0_free", "service_desk", "P0", "2026-12-01T11:00+03:00", "response",
     None),  # SLA 0 - Free: «не регламентировано»

    # --- Tyk: Enhanced 9x5 (09:00-18:00 MSK assumed); Premier/Signature 24x7; Standard best efforts ---
    ("tyk_support", "enhanced", "portal", "sev1", "2026-11-27T16:30+03:00", "response",
     "2026-11-30T11:30+03:00"),  # 4 h: Fri 1.5 h; Mon 09:00 + 2.5 h
    ("tyk_support", "signature", "portal", "sev2", "2026-11-28T23:00+03:00", "response",
     "2026-11-29T03:00+03:00"),  # 4 h around the clock
    ("tyk_support", "premier", "portal", "sev2", "2026-11-28T23:00+03:00", "response",
     "2026-11-29T07:00+03:00"),  # 8 h around the clock
    ("tyk_support", "enhanced", "portal", "sev3", "2026-12-01T14:00+03:00", "response",
     "2026-12-04T11:00+03:00"),  # 24 h: Tue 4, Wed 9 (13), Thu 9 (22), Fri 09:00 + 2
    ("tyk_support", "standard", "portal", "sev3", "2026-12-01T14:00+03:00", "response",
     "2026-12-15T23:59:59+03:00"),  # 14 days: a term in days ends at the end of its last day (1 + 14 = 15 Dec)
    ("tyk_support", "signature", "phone", "sev1", "2026-12-01T14:00+03:00", "response",
     "2026-12-01T15:00+03:00"),  # phone line for Severity 1: 1 h

    # --- GitLab: Emergency 30 min 24x7; others on 24x5 (Mon 00:00 - Fri 24:00 UTC assumed) ---
    ("gitlab_priority_support", "priority_support", "emergency_form", "sev1", "2026-11-28T02:00+00:00", "response",
     "2026-11-28T02:30+00:00"),  # Sat 02:00 + 30 min, 24x7
    ("gitlab_priority_support", "priority_support", "web_form", "sev2", "2026-11-27T22:00+00:00", "response",
     "2026-11-30T02:00+00:00"),  # 4 h: Fri 2 h; Mon 00:00 + 2 h
    ("gitlab_priority_support", "priority_support", "web_form", "sev4", "2026-12-02T10:00+00:00", "response",
     "2026-12-03T10:00+00:00"),  # 24 h inside the window: Wed 10:00 -> Thu 10:00
    ("gitlab_priority_support", "priority_support", "web_form", "sev3", "2026-11-28T10:00+00:00", "response",
     "2026-11-30T08:00+00:00"),  # Sat: from Mon 00:00 + 8 h
    ("gitlab_priority_support", "legacy_standard", "web_form", "sev3", "2026-11-27T12:00+00:00", "response",
     "2026-11-30T12:00+00:00"),  # 24 h: Fri 12 h + Mon 12 h

    # --- Quest: Standard on 09:00-18:00 MSK business hours (RF holidays, assumed); Sev 1 around the
    #     clock on 24x7 and Premier (assumed); Premier Sev 1 «within 1/2 hour» ---
    ("quest_support", "premier", "phone", "sev1", "2026-11-28T03:10+03:00", "response",
     "2026-11-28T03:40+03:00"),  # Sat 03:10 + 0.5 h around the clock
    ("quest_support", "standard", "phone", "sev1", "2026-11-28T10:00+03:00", "response",
     "2026-11-30T10:00+03:00"),  # Standard, Sat: from Mon 09:00 + 1 business hour
    ("quest_support", "standard", "portal", "sev4", "2026-11-27T15:00+03:00", "response",
     "2026-11-30T23:59:59+03:00"),  # 1 business day after Fri -> end of Mon
    ("quest_support", "premier", "portal", "sev4", "2026-11-03T16:00+03:00", "response",
     "2026-11-05T11:00+03:00"),  # 4 h: Tue 2 h; 4 Nov holiday; Thu 09:00 + 2 h
    ("quest_support", "support_24x7", "portal", "sev2", "2026-11-27T17:30+03:00", "response",
     "2026-11-30T10:30+03:00"),  # 2 h: Fri 0.5 h; Mon 09:00 + 1.5 h
    ("quest_support", "support_24x7", "phone", "sev1", "2026-12-31T23:30+03:00", "response",
     "2027-01-01T00:30+03:00"),  # 1 h around the clock through New Year's night

    # --- InQuest: Priority 1 around the clock; others on 09:00-17:00 America/New_York (assumed) ---
    ("inquest_support", "support", "portal", "P1", "2026-11-28T22:00-05:00", "response",
     "2026-11-29T02:00-05:00"),  # Sat 22:00 + 4 h around the clock
    ("inquest_support", "support", "phone", "P2", "2026-12-04T15:00-05:00", "response",
     "2026-12-07T13:00-05:00"),  # 6 h: Fri 2 h; Mon 09:00 + 4 h
    ("inquest_support", "support", "portal", "P2", "2026-03-06T16:00-05:00", "response",
     "2026-03-09T14:00-04:00"),  # Fri 1 h (EST); clocks go forward Sun 8 Mar; Mon 09:00 EDT + 5 h
    ("inquest_support", "support", "portal", "P3", "2026-12-09T10:00-05:00", "response",
     "2026-12-10T23:59:59-05:00"),  # 1 business day after Wed -> end of Thu
    ("inquest_support", "support", "portal", "P4", "2026-12-11T10:00-05:00", "response",
     "2026-12-15T23:59:59-05:00"),  # 2 business days after Fri: Mon, Tue -> end of Tue

    # --- Fortinet FortiCare: P1/P2 < 1 h 24x7; P3 next business day (09:00-18:00 MSK, RF holidays) ---
    ("fortinet_forticare", "return_and_replace", "phone", "P1", "2026-11-29T03:10+03:00", "response",
     "2026-11-29T04:10+03:00"),  # Sun 03:10 + 1 h
    ("fortinet_forticare", "advanced_replacement", "portal", "P2", "2026-12-31T23:30+03:00", "response",
     "2027-01-01T00:30+03:00"),  # 1 h around the clock, through the holiday
    ("fortinet_forticare", "advanced_replacement", "portal", "P3", "2026-11-27T17:00+03:00", "response",
     "2026-11-30T23:59:59+03:00"),  # Fri -> next business day Mon, end of day
    ("fortinet_forticare", "return_and_replace", "portal", "P3", "2026-11-03T10:00+03:00", "response",
     "2026-11-05T23:59:59+03:00"),  # Tue -> 4 Nov holiday -> Thu
    ("fortinet_forticare", "return_and_replace", "portal", "P4", "2026-11-03T10:00+03:00", "response",
     None),  # P4 figures cut off in the source -> not regulated
]


@pytest.mark.parametrize(("pid", "tier", "channel", "row", "registered", "target", "expected"), CASES,
                         ids=[f"{c[0]}:{c[1]}:{c[3]}:{c[5]}:{c[4]}" for c in CASES])
def test_hand_computed_deadline(pid, tier, channel, row, registered, target, expected) -> None:
    got = due(pid, tier, channel, row, registered, target)
    if expected is None:
        assert got is None
    else:
        want = datetime.fromisoformat(expected)
        assert got is not None and got == want and got.utcoffset() == want.utcoffset(), (got, want)


def _own_cases(pid: str) -> int:
    """Hand-computed cases in the example's own test file (tests/examples/test_<id>.py): the rows of
    its module-level ``*_CASES`` lists, for examples whose deadlines are not response targets."""
    own = Path(__file__).with_name(f"test_{pid}.py")
    if not own.exists():
        return 0
    rows = 0
    for node in ast.parse(own.read_text(encoding="utf-8")).body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.List)
                and any(isinstance(t, ast.Name) and t.id.endswith("_CASES") for t in node.targets)):
            rows += len(node.value.elts)
    return rows


def test_every_example_has_three_cases() -> None:
    counts = {pid: sum(1 for c in CASES if c[0] == pid and c[6] is not None) + _own_cases(pid)
              for pid in EXAMPLE_IDS}
    assert len(EXAMPLE_IDS) >= 8
    assert all(n >= 3 for n in counts.values()), counts


@pytest.mark.parametrize("pid", EXAMPLE_IDS)
def test_compiles_and_markdown_annex_renders(pid: str) -> None:
    c = compiled(pid)
    # W0701 only warns that the decree data of the production calendar ends soon (a date-dependent warning).
    assert [d for d in c.diagnostics if d.code != "W0701"] == []
    assert c.program is not None
    md = render_markdown(build_view(c.program, AnnexConfig()))
    assert typeset(c.program.title) in md
    for target in c.program.targets:
        assert typeset(target.title) in md, target.id
    module(pid)  # the generated evaluator loads


# --- strengths, channels, prices, percentile attainment ---

def test_strengths() -> None:
    gh = {t.id: t for t in ask("github_premium_support", "enterprise", "portal", "low", "2026-11-25T10:00+00:00").targets}
    assert gh["response"].strength == "efforts"  # «standard response time», not guaranteed
    gp = {t.id: t for t in ask("github_premium_support", "premium", "portal", "urgent", "2026-11-25T10:00+00:00").targets}
    assert gp["response"].strength == "guaranteed"
    ty = {t.id: t for t in ask("tyk_support", "standard", "portal", "sev1", "2026-12-01T14:00+03:00").targets}
    assert ty["response"].strength == "efforts"  # «Best Efforts»
    assert ty["response"].deadline == datetime.fromisoformat("2026-12-03T14:00+03:00")  # 48 h elapsed


def test_tier_dependent_channels() -> None:
    assert not ask("teamlead_atlassian_support", "sla1_lite", "phone", "P0", "2026-12-01T11:00+03:00").accepted
    assert not ask("teamlead_atlassian_support", "sla2_standard", "messenger", "P0", "2026-12-01T11:00+03:00").accepted
    assert not ask("tyk_support", "signature", "phone", "sev2", "2026-12-01T14:00+03:00").accepted  # Sev 1 only
    assert not ask("tyk_support", "free", "portal", "sev1", "2026-12-01T14:00+03:00").accepted
    assert not ask("gitlab_priority_support", "legacy_standard", "emergency_form", "sev1",
                   "2026-11-27T12:00+00:00").accepted


def test_quest_severity_1_only_by_phone() -> None:
    # «Severity Level 1 service requests cannot be logged through our portal and must be reported via telephone»
    r = ask("quest_support", "premier", "portal", "sev1", "2026-11-27T10:00+03:00")
    assert not r.accepted and r.deadline is None and r.targets == ()
    assert any("только через канал «телефон Support Center»" in x for x in r.reasons), r.reasons
    assert ask("quest_support", "premier", "phone", "sev1", "2026-11-27T10:00+03:00").accepted
    assert ask("quest_support", "premier", "portal", "sev2", "2026-11-27T10:00+03:00").accepted
    # with a `reclassify`, the same rule takes the incident in as a lower priority instead (LANDESK P1 -> P3)


def test_the_priority_scale_is_named_as_the_contract_names_it() -> None:
    md = render_markdown(build_view(compiled("quest_support").program, AnnexConfig()))
    assert "|Уровень серьёзности | Standard Support |" in md
    assert "Значения показателя «Уровень серьёзности» определяются следующим образом:" in md
    assert "Уровень критичности" not in md and "уровней критичности" not in md
    md = render_markdown(build_view(compiled("vk_cloud_support").program, AnnexConfig()))
    assert "Соответствие типов заявок значениям показателя «Приоритет»:" in md


def test_inquest_priority_1_without_a_round_the_clock_resource_is_priority_2() -> None:
    # «If Customer does not assign ... an around-the-clock resource ..., the case will automatically be
    # reclassified as a Priority 2 until such time as the necessary Customer resource will be available»
    at = "2026-11-28T22:00-05:00"  # Saturday night
    m = module("inquest_support")
    r = m.response(tier="support", channel="portal", priority="P1", registered_at=datetime.fromisoformat(at),
                   no_round_the_clock_resource=True)
    assert r.accepted and r.priority == "P2"
    # Priority 2: 6 business hours (09:00-17:00 New York) from Monday 09:00 -> Monday 15:00
    assert r.deadline == datetime.fromisoformat("2026-11-30T15:00-05:00")
    assert any("классифицируется как Priority 2" in x for x in r.reasons), r.reasons
    # with the resource (or no word of it), Priority 1 stays, around the clock: 22:00 + 4 h
    for kwargs in ({}, {"no_round_the_clock_resource": False}):
        r = m.response(tier="support", channel="portal", priority="P1", registered_at=datetime.fromisoformat(at),
                       **kwargs)
        assert r.priority == "P1" and r.deadline == datetime.fromisoformat("2026-11-29T02:00-05:00")
    # a lower priority is not raised; an unknown condition is named with the valid ones
    r = m.response(tier="support", channel="portal", priority="P3", registered_at=datetime.fromisoformat(at),
                   no_round_the_clock_resource=True)
    assert r.priority == "P3"
    with pytest.raises(ValueError, match="no_round_the_clock_resource"):
        m.response(tier="support", channel="portal", priority="P1", registered_at=datetime.fromisoformat(at),
                   no_resource=True)


def test_prices() -> None:
    p = module("teamlead_atlassian_support").entitlement(tier="sla3_premium", service="hour_rate").price
    assert (p.amount, p.currency, p.per) == (Decimal("2500"), "RUB", "hour")
    assert 3 * p.amount == Decimal("7500")  # 3 hours of work on SLA 3
    p = module("yandex_cloud_support").entitlement(tier="business", service="support_fee").price
    assert (p.amount, p.currency, p.per) == (Decimal("6000"), "RUB", "month")


def test_vk_cloud_percentile_attainment() -> None:
    # 95 % of critical tickets within 2 h, per calendar month (assumed window): 40 tickets, 2 late -> 38/40 = 95 %.
    # (The resolution counts from the notice of registration; here each notice is sent at the registration.)
    m = module("vk_cloud_support")

    def month(late: int):
        closed = []
        for i in range(40):
            r = ask("vk_cloud_support", "standard", "portal", "critical", f"2026-11-{1 + i % 28:02d}T10:00+03:00")
            done = "T13:00+03:00" if i < late else "T11:00+03:00"  # 3 h (late) or 1 h (in time)
            closed.append((r, datetime.fromisoformat(f"2026-11-{1 + i % 28:02d}{done}"), r.registered_at))
        return m.attainment(target="resolution", closed=closed)

    (ok,) = month(2)
    assert (ok.window, ok.row, ok.met, ok.total, ok.attained) == ("2026-11", "critical", 38, 40, True)
    (bad,) = month(3)
    assert (bad.met, bad.attained) == (37, False)


# --- constructs used by the corpus and deadlines of the obligations ---

def _constructs(prog) -> set[str]:
    kinds = {o.kind for o in prog.outline}
    used = {name for name, present in {
        "obligation": prog.obligations, "event": prog.events, "condition": prog.conditions,
        "warranty": prog.warranties, "rma": prog.rmas, "rule": prog.rules, "period": prog.periods,
        "vouchers": prog.vouchers, "incidents for": prog.incident_accounting,
        "reinstatement": prog.reinstatement, "coverage": prog.coverage, "exclusions": prog.exclusions,
        "procedure": prog.procedures, "define": prog.definitions, "reclassify": prog.reclassification,
        "agreed": prog.agreements, "terms": prog.defined_terms, "target": prog.targets,
        "requests": prog.requests,
    }.items() if present}
    if "performance" in kinds:  # a written `performance` block, not the default one
        used.add("performance")
    if any(p.label and p.label not in (p.title, p.short) for p in prog.priorities):
        used.add("priority label")
    if any(ch.open_with for ch in prog.channels):
        used.add("open with")
    return used


def test_corpus_constructs() -> None:
    per_program = {pid: _constructs(compiled(pid).program) for pid in EXAMPLE_IDS}
    used = set().union(*per_program.values())
    covered = {"obligation", "event", "condition", "procedure", "define", "agreed", "performance",
               "terms", "target", "requests", "priority label", "open with",
               "warranty", "rma", "rule", "exclusions", "period", "reinstatement", "coverage",
               "vouchers", "incidents for", "reclassify"}
    assert covered <= used, covered - used
    assert {"warranty", "rma", "rule", "exclusions", "obligation"} <= per_program["synology_hardware_warranty"]
    assert {"period", "reinstatement", "coverage"} <= per_program["computhink_software_maintenance"]
    assert {"vouchers", "incidents for"} <= per_program["ibm_helpware_incident_packs"]
    assert {"reclassify", "condition"} <= per_program["inquest_support"]
    assert {"obligation", "event", "procedure", "agreed"} <= per_program["cisco_smart_net_total_care"]
    assert {"obligation", "event", "condition"} <= per_program["github_premium_support"]
    assert {"define", "procedure"} <= per_program["fortinet_forticare"]
    assert {"performance", "terms", "define", "agreed", "priority label"} <= per_program["teamlead_atlassian_support"]
    assert "open with" in per_program["gitlab_priority_support"]
    perf = compiled("teamlead_atlassian_support").program.performance
    assert (perf.provider, perf.through) == ("executor", None)


#: Declarations no public SLA of the corpus has called for, with the seed program that uses each.
NOT_IN_CORPUS: dict[str, str] = {}


def test_every_declaration_of_the_grammar_is_used_by_an_example() -> None:
    """Read from grammar/policy.lark, so a new construct must come with an example (or a reason)."""
    grammar = (POLICIES.parent / "grammar" / "policy.lark").read_text(encoding="utf-8")
    items = re.search(r"^_item:(.*?)\n\n", grammar, re.S | re.M)
    assert items is not None
    keywords = {}
    for rule in re.findall(r"[a-z_]+", items.group(1)):
        kw = re.search(rf'^{rule}:\s*"([a-z_]+)"', grammar, re.M)
        assert kw is not None, rule
        keywords[rule] = kw.group(1)
    sources = [re.sub(r"#[^\n]*", "", p.read_text(encoding="utf-8")) for p in EXAMPLES.rglob("*.policy")]
    unused = {k for k in keywords.values() if not any(re.search(rf"^\s*{k}\b", s, re.M) for s in sources)}
    assert unused == set(NOT_IN_CORPUS), unused
    for keyword, seed in NOT_IN_CORPUS.items():
        assert re.search(rf"^{keyword}\b", (POLICIES.parent / seed).read_text(encoding="utf-8"), re.M), keyword


def test_cisco_part_return_deadline() -> None:
    m = module("cisco_smart_net_total_care")
    msk = datetime.fromisoformat("2026-11-27T10:00+03:00").tzinfo
    # part received Fri 27 Nov 10:00; 10 calendar days, the day of receipt not counted -> end of Mon 7 Dec
    got = m.deadline("part_return", start=datetime(2026, 11, 27, 10, 0, tzinfo=msk))
    assert got == datetime(2026, 12, 7, 23, 59, 59, tzinfo=msk) and got.utcoffset() == msk.utcoffset(None)
    assert m.OBLIGATIONS["part_return"].party == "customer"


def test_github_credit_claim_deadline() -> None:
    m = module("github_premium_support")
    utc = datetime.fromisoformat("2026-04-30T00:00+00:00").tzinfo
    # fiscal quarter ends 30 Apr; claim received by the end of the 30th day after it -> end of 30 May
    got = m.deadline("credit_claim", start=datetime(2026, 4, 30, 23, 59, 59, tzinfo=utc), missed_responses=True)
    assert got == datetime(2026, 5, 30, 23, 59, 59, tzinfo=utc)
    # quarter ending 31 Oct -> 30 Nov
    got = m.deadline("credit_claim", start=datetime(2026, 10, 31, 12, 0, tzinfo=utc), missed_responses=True)
    assert got == datetime(2026, 11, 30, 23, 59, 59, tzinfo=utc)
    assert m.OBLIGATIONS["credit_claim"].condition == "missed_responses"


def test_gitlab_emergency_form_open_24x7_for_sev1() -> None:
    # Sat: the emergency form is open around the clock for Priority Support Severity 1 only
    assert ask("gitlab_priority_support", "priority_support", "emergency_form", "sev1", "2026-11-28T02:00+00:00").accepted
    assert not ask("gitlab_priority_support", "priority_support", "emergency_form", "sev2",
                   "2026-11-28T02:00+00:00").accepted
