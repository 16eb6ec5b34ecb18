"""Calendar checks: the early warning on the production-calendar data, and the year limits."""
from __future__ import annotations

from pathlib import Path

import pytest

from policy_lang.semantics import production_calendar as pc
from policy_lang.semantics.check import check
from policy_lang.syntax.sources import Loader

POLICY = """program p {
    title  "Пример"
    vendor "Vendor"
}
holidays ru "праздники" {
    official RU years 2024 .. 2030
}
"""


def _diagnostics(tmp_path: Path, text: str):
    path = tmp_path / "p.policy"
    path.write_text(text, encoding="utf-8")
    loader = Loader(tmp_path)
    items = loader.load(path)
    assert not loader.diagnostics
    return check(items, str(path))[0]


@pytest.mark.parametrize(("today", "warned"), [
    ("2026-11-24", False),   # 402 days of decree data left
    ("2027-09-01", False),   # 121 days left
    ("2027-09-02", True),    # exactly 120 days left
    ("2028-02-01", True),    # the decree data has ended
])
def test_warning_when_decree_data_ends_within_120_days(tmp_path, monkeypatch, today, warned):
    monkeypatch.setenv("POLICY_LANG_TODAY", today)
    diags = _diagnostics(tmp_path, POLICY)
    assert [d.code for d in diags] == (["W0701"] if warned else [])
    if warned:
        d = diags[0]
        assert d.severity == "warning" and (d.span.line, d.span.column) == (6, 5)
        assert "--calendar-data FILE" in (d.help or "") and "policyc.toml" in (d.help or "")
        assert "site-packages" not in (d.help or "") and "[[year]]" in " ".join(d.notes)


def test_years_up_to_ten_after_the_last_decree_are_accepted(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICY_LANG_TODAY", "2026-11-24")
    last = pc.last_decree_year() + pc.MAX_PROVISIONAL_YEARS
    assert _diagnostics(tmp_path, POLICY.replace("2030", str(last))) == []
    codes = [d.code for d in _diagnostics(tmp_path, POLICY.replace("2030", str(last + 1)))]
    assert codes == ["P0703"]
