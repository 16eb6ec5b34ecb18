"""The issue's contract manager, end to end: a new vendor's terms written from docs/language.md alone.

Silver = 9x5 Moscow time, «critical» answered in 2 business hours and «low» in 3 business days;
Gold = round the clock for «critical» only, plus a restore target and a status-update interval per
priority; 90 % of critical incidents restored within 6 hours; a failed part shipped next business
day (after 15:00: from the next business day). `policyc check` and `policyc build` run as a user runs
them, from another directory; the evaluator answers every target, and the annex states each one in
the words the evaluator returns. Deadlines are computed by hand in the comments.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import types
from datetime import datetime
from pathlib import Path

import pytest

from policy_lang.typography import typeset

POLICY = '''\
# ACME — условия технической поддержки.
program acme_support {
    title   "ACME: техническая поддержка"
    vendor  "ACME"
    source  "ACME Support Terms"
}

holidays ru "производственный календарь РФ" {
    official RU years 2024 .. 2030
}

calendar office "рабочее время (9x5, Москва)" {
    zone   "Europe/Moscow"
    hours  mon-fri 09:00-18:00
    except ru
}

calendar round "круглосуточно" {
    zone "Europe/Moscow"
    always
}

channel portal "портал поддержки" {
    available round
}

tiers § 1 {
    silver "Silver" purchased
    gold   "Gold"   purchased
}

priorities "Приоритет" § 2 {
    critical "Критический"
    high     "Высокий"
    low      "Низкий"
}

response "Время реакции" on office § 3 {
    priority  silver            gold
    critical  2h                30min on round
    high      4h                2h
    low       3 business days   1 business day
}

target restore "Время восстановления" on office § 4 {
    percentile 90% per month for critical
    priority  silver   gold
    critical  -        6h on round
    high      -        2 business days
    low       -        -
}

target update "Интервал информирования о статусе" on office § 5 {
    priority  silver   gold
    critical  4h       1h on round
    high      8h       4h
    low       -        1 business day efforts
}

target part_shipment "Отгрузка детали на замену" on office § 6 {
    priority  silver                           gold
    critical  next business day after 15:00    next business day after 15:00
    high      next business day after 15:00    next business day after 15:00
    low       -                                -
}
'''


def _policyc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policy_lang.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[types.ModuleType, str]:
    home = tmp_path_factory.mktemp("manager")
    (home / "terms").mkdir()
    (home / "terms" / "acme_support.policy").write_text(POLICY, encoding="utf-8")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    checked = _policyc("check", "--strict", str(home / "terms"), cwd=elsewhere)
    assert checked.returncode == 0, checked.stderr
    assert "ok" in checked.stdout and "Traceback" not in checked.stderr
    done = _policyc("build", str(home / "terms"), "--out", str(home / "out"), "--only", "python,md", cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    spec = importlib.util.spec_from_file_location("acme_support", home / "out" / "python" / "acme_support.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, (home / "out" / "annex" / "acme_support.md").read_text(encoding="utf-8")


# (tier, priority, registered at, target, deadline)
CASES = [
    # Silver critical, Fri 17:00: 1 business hour on Friday, 1 more from Mon 09:00
    ("silver", "critical", "2026-11-27T17:00+03:00", "response", "2026-11-30T10:00+03:00"),
    # the status update every 4 business hours: Fri 1 h, Mon 09:00 + 3 h
    ("silver", "critical", "2026-11-27T17:00+03:00", "update", "2026-11-30T12:00+03:00"),
    # after 15:00 the request counts from Monday; the next business day is Tuesday, until 24:00
    ("silver", "critical", "2026-11-27T17:00+03:00", "part_shipment", "2026-12-01T23:59:59+03:00"),
    ("silver", "critical", "2026-11-27T17:00+03:00", "restore", None),  # Silver: not regulated
    # Gold critical on Saturday night: round the clock
    ("gold", "critical", "2026-11-28T03:00+03:00", "response", "2026-11-28T03:30+03:00"),
    ("gold", "critical", "2026-11-28T03:00+03:00", "restore", "2026-11-28T09:00+03:00"),
    ("gold", "critical", "2026-11-28T03:00+03:00", "update", "2026-11-28T04:00+03:00"),
    # ... but Gold high stays on business hours: Fri 16:00 + 2 h = 18:00
    ("gold", "high", "2026-11-27T16:00+03:00", "response", "2026-11-27T18:00+03:00"),
    # 2 business days after Friday: Mon 30 Nov, Tue 1 Dec -> end of Tuesday
    ("gold", "high", "2026-11-27T16:00+03:00", "restore", "2026-12-01T23:59:59+03:00"),
    # Silver low, 3 business days from Thu 30 Apr: 1 May holiday, 2-3 weekend -> 4, 5, 6 May
    ("silver", "low", "2026-04-30T12:00+03:00", "response", "2026-05-06T23:59:59+03:00"),
]


@pytest.mark.parametrize(("tier", "priority", "at", "target", "due"), CASES,
                         ids=[f"{c[0]}:{c[1]}:{c[3]}:{c[2]}" for c in CASES])
def test_every_target_with_its_deadline(built, tier, priority, at, target, due) -> None:
    m, md = built
    r = m.response(tier=tier, channel="portal", registered_at=datetime.fromisoformat(at), priority=priority)
    assert r.accepted
    answer = {t.id: t for t in r.targets}[target]
    assert answer.deadline == (datetime.fromisoformat(due) if due else None)
    if target == "response":
        assert r.deadline == answer.deadline
    # the annex prints the very words of the answer, in the section the answer cites
    assert typeset(answer.text) in md
    assert f"## {answer.clause}. {typeset(answer.title)}" in md


def test_strength_and_percentile_reach_the_answer_and_the_annex(built) -> None:
    m, md = built
    r = m.response(tier="gold", channel="portal", registered_at=datetime.fromisoformat("2026-11-27T10:00+03:00"),
                   priority="low")
    update = {t.id: t for t in r.targets}["update"]
    assert update.strength == "efforts" and "коммерчески оправданные усилия" in update.text
    assert typeset("6 часов (круглосуточно), не менее 90 % заявок за календарный месяц") in md
    assert "|Приоритет | Silver | Gold |" in md


def test_restore_attainment_over_a_month(built) -> None:
    m, _md = built
    closed = []
    for day in range(1, 21):  # 20 critical incidents in November, 2 restored late (7 h instead of 6)
        at = datetime.fromisoformat(f"2026-11-{day:02d}T10:00+03:00")
        r = m.response(tier="gold", channel="portal", registered_at=at, priority="critical")
        closed.append((r, at.replace(hour=17 if day <= 2 else 15)))
    (month,) = m.attainment(target="restore", closed=closed)
    assert (month.window, month.met, month.total, month.attained) == ("2026-11", 18, 20, True)  # 90 %


def test_a_mistake_is_caught_where_it_is(tmp_path: Path) -> None:
    wrong = POLICY.replace("critical  2h                30min on round", "critical  2h                30min on rnd")
    (tmp_path / "acme_support.policy").write_text(wrong, encoding="utf-8")
    out = _policyc("check", "acme_support.policy", cwd=tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "acme_support.policy:40:42: error[P0201]" in out.stderr and "rnd" in out.stderr
