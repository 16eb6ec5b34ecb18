"""Contract instances: one customer's contract checked, bound to its evaluator and rendered."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import policy_lang
from policy_lang.backends.annex.render import render_markdown
from policy_lang.backends.annex.view import build_view
from policy_lang.diagnostics import PolicyError
from policy_lang.frontend import compile_file
from policy_lang.semantics.contracts import annex_config, instantiate, read_contract

REPO = Path(__file__).resolve().parents[2]
MSK = ZoneInfo("Europe/Moscow")


def programs() -> dict:
    out = {}
    for f in sorted((REPO / "policies").glob("*.policy")):
        p = compile_file(f, REPO / "policies").program
        out[p.id] = p
    return out


PROGRAMS = programs()


@pytest.mark.parametrize("name", ["romashka_landesk", "vektor_tam"])
def test_example_contracts_check_clean(name: str) -> None:
    c, diags = read_contract(REPO / "contracts" / f"{name}.toml", PROGRAMS)
    assert c is not None and diags == []


def test_instance_annex_shows_only_what_applies_to_the_customer() -> None:
    c, _ = read_contract(REPO / "contracts" / "romashka_landesk.toml", PROGRAMS)
    prog = instantiate(PROGRAMS["landesk_support"], c)
    md = render_markdown(build_view(prog, annex_config(c))).replace("\u00a0", " ")
    assert "Enterprise (ES)" in md
    for other in ("Professional (PS)", "Incident Pack |", "Enterprise Plus (EPS) |", "Прием заявок: Base"):
        assert other not in md, other
    assert "17/2026-ТП" in md and "«Ромашка»" in md and "LANDESK Management Suite — 1000 лицензий" in md
    assert "с 1 декабря 2026 г. по 30 ноября 2027 г. включительно" in md
    assert "2 шт., действуют с 1 декабря 2026 г." in md  # the enterprise ILO vouchers with their dates
    assert "2024 г.:" not in md and "2030 г" not in md and "2030 гг" not in md  # the term's years only


def test_instance_output_name_is_its_own() -> None:
    c, _ = read_contract(REPO / "contracts" / "vektor_tam.toml", PROGRAMS)
    assert instantiate(PROGRAMS["landesk_tam"], c).output_id == "landesk_tam--vektor_tam"
    assert (REPO / "generated" / "annex" / "landesk_tam--vektor_tam.md").is_file()


@pytest.mark.parametrize("body, message, line", [
    ('program = "landesk_support"\ntier = "gold"\nstart = 2026-12-01\nend = 2027-11-30\n', "not a tier", 2),
    ('program = "landesk_suport"\ntier = "base"\nstart = 2026-12-01\nend = 2027-11-30\n', "no program", 1),
    ('program = "landesk_support"\ntier = "base"\nstart = 2026-12-01\nend = 2026-11-30\n', "ends before", 4),
    ('program = "landesk_support"\ntier = "base"\nend = 2027-11-30\n', "start", 1),
    ('program = "landesk_support"\ntier = "base"\nstart = 2026-12-01\nend = 2027-11-30\ncolour = 1\n',
     "unknown key", 5),
    ('program = "landesk_support"\ntier = "base"\nstart = 2026-12-01\nyears = 11\n', "years", 4),
    ('program = "landesk_support"\ntier = "base"\nstart = 2026-12-01\nend = 2027-11-30\n[customer]\nnam = "x"\n',
     "unknown key", 6),
    ('program = "landesk_support"\ntier = \n', "not valid TOML", 2),
    ('program = "landesk_support"\npoints = 60_000\nstart = 2026-12-01\nyears = 1\ntier = "base"\n',
     "do not give the tier", 2),
])
def test_bad_contract_is_a_located_diagnostic(tmp_path: Path, body: str, message: str, line: int) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(body, encoding="utf-8")
    c, diags = read_contract(f, PROGRAMS)
    assert c is None and diags
    assert all(d.code == "P1101" for d in diags)
    assert any(message in d.message and d.span.line == line for d in diags), [(d.message, d.span.line) for d in diags]


def test_points_choose_the_tier(tmp_path: Path) -> None:
    f = tmp_path / "p.toml"
    f.write_text('program = "landesk_support"\npoints = 3_500\nstart = 2026-12-01\nyears = 1\n', encoding="utf-8")
    c, diags = read_contract(f, PROGRAMS)
    assert diags == [] and c is not None and c.tier == "professional" and c.end == date(2027, 11, 30)


def test_bound_evaluator_implies_the_tier_and_enforces_the_term() -> None:
    b = policy_lang.contract(REPO / "contracts" / "romashka_landesk.toml")
    inside = b.response(channel="phone", priority="P2", registered_at=datetime(2027, 3, 10, 10, tzinfo=MSK))
    assert inside.accepted and inside.tier == "enterprise"
    assert inside.deadline == datetime(2027, 3, 10, 14, tzinfo=MSK)  # Enterprise P2: 4 business hours
    before = b.response(channel="phone", priority="P2", registered_at=datetime(2026, 11, 30, 10, tzinfo=MSK))
    after = b.response(channel="phone", priority="P2", registered_at=datetime(2027, 12, 1, 10, tzinfo=MSK))
    for r in (before, after):
        assert not r.accepted and r.deadline is None and r.targets == ()
        assert "срока действия Договора № 17/2026-ТП" in r.reasons[0]


def test_bound_vouchers_and_renewal_follow_the_real_term() -> None:
    b = policy_lang.contract(REPO / "contracts" / "vektor_tam.toml")
    grants = b.vouchers()
    assert [(g.valid_from, g.expires, g.count) for g in grants] == [
        (date(2027, 1, 1), date(2028, 1, 1), 2), (date(2028, 1, 1), date(2029, 1, 1), 2)]
    r = b.renewal()
    assert r.renews and r.period_end == date(2029, 1, 1) and r.notice_deadline == date(2028, 11, 2)


def test_bad_contract_raises_policy_error_with_diagnostics(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text('program = "landesk_support"\ntier = "gold"\nstart = 2026-12-01\nyears = 1\n', encoding="utf-8")
    with pytest.raises(PolicyError) as e:
        policy_lang.contract(f, REPO / "policies")
    assert e.value.diagnostics[0].code == "P1101"
