"""attainment() of a percentile target counted from an event (issue 19).

VK Cloud's resolution (policies/examples/vk_cloud_support.policy: 2 h around the clock for a critical
ticket, 95 % per calendar month) counts from the notice of registration (`from registration_notice`),
not from the submission. attainment() counts such a deadline from the event's time, given as the third
item of (response, done_at, start); a pair, which would silently count from the registration, is
refused. A target counted from the registration refuses a start.
"""
from __future__ import annotations

import types
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import pytest

import policy_lang
from policy_lang import PolicyQueryError

ROOT = Path(__file__).resolve().parents[2]

# a program with a percentile target counted from the registration: restore 4 h around the clock, 90 %
FROM_REGISTRATION = '''
program pct_example {
    title  "Пример"
    vendor "Vendor"
}
calendar round "круглосуточно" {
    zone "Europe/Moscow"
    always
}
channel portal "портал" {
    available round
}
tiers {
    gold "Gold" purchased
}
priorities {
    critical "Критический"
}
response on round {
    priority gold
    critical 1h
}
target restore "Время восстановления" on round {
    percentile 90% per month
    priority gold
    critical 4h
}
'''


@cache
def vk() -> types.ModuleType:
    return policy_lang.load(ROOT / "policies" / "examples" / "vk_cloud_support.policy", ROOT / "policies")  # type: ignore[return-value]


def t(s: str) -> datetime:
    return datetime.fromisoformat(s)


def _closed(late: int, n: int = 20) -> list[tuple[object, datetime, datetime]]:
    """n critical tickets in November, submitted 10:00, notice of registration 10:30 (due 12:30 from the
    notice; 12:00 from the submission), resolved 12:20 (in time from the notice, late from the
    submission); the first `late` resolved 12:40 (late either way)."""
    out = []
    for i in range(n):
        day = f"2026-11-{i + 1:02d}"
        r = vk().response(tier="standard", channel="portal", registered_at=t(f"{day}T10:00+03:00"),
                          priority="critical")
        done = t(f"{day}T12:40+03:00") if i < late else t(f"{day}T12:20+03:00")
        out.append((r, done, t(f"{day}T10:30+03:00")))
    return out


def test_counted_from_the_notice_not_from_the_submission() -> None:
    m = vk()
    # 19 of 20 in time from the notice: 95 % -> attained (counted from the submission it would be 0 of 20)
    (ok,) = m.attainment(target="resolution", closed=_closed(late=1))
    assert (ok.window, ok.row, ok.met, ok.total, ok.attained) == ("2026-11", "critical", 19, 20, True)
    (bad,) = m.attainment(target="resolution", closed=_closed(late=2))
    assert (bad.met, bad.total, bad.attained) == (18, 20, False)  # 90 % < 95 %


def test_due_at_the_notice_plus_two_hours_exactly() -> None:
    m = vk()
    r = m.response(tier="standard", channel="portal", registered_at=t("2026-11-10T10:00+03:00"), priority="critical")
    notice = t("2026-11-10T10:30+03:00")
    # done exactly at 12:30 (the notice + 2 h): in time; a second later: late
    (a,) = m.attainment(target="resolution", closed=[(r, notice + timedelta(hours=2), notice)])
    (b,) = m.attainment(target="resolution", closed=[(r, notice + timedelta(hours=2, seconds=1), notice)])
    assert (a.met, b.met) == (1, 0)
    # the start in another zone is the same instant: the same answer
    (c,) = m.attainment(target="resolution", closed=[(r, notice + timedelta(hours=2),
                                                      datetime.fromisoformat("2026-11-10T07:30+00:00"))])
    assert c.met == 1


def test_the_window_is_the_registrations_month() -> None:
    m = vk()
    # submitted Mon 30 Nov 23:50, notice Tue 1 Dec 00:10, resolved 01:30 (in time): counted in November
    r = m.response(tier="standard", channel="portal", registered_at=t("2026-11-30T23:50+03:00"), priority="critical")
    (w,) = m.attainment(target="resolution", closed=[(r, t("2026-12-01T01:30+03:00"), t("2026-12-01T00:10+03:00"))])
    assert (w.window, w.met, w.total) == ("2026-11", 1, 1)


def test_a_pair_or_no_start_is_refused_for_a_target_counted_from_an_event() -> None:
    m = vk()
    r, done, _start = _closed(late=0, n=1)[0]
    for item in ((r, done), (r, done, None)):
        with pytest.raises(PolicyQueryError, match="registration_notice") as e:
            m.attainment(target="resolution", closed=[item])
        assert (e.value.kind, e.value.argument, e.value.details["event"]) == ("missing", "closed",
                                                                              "registration_notice")
    with pytest.raises(PolicyQueryError) as e:  # the notice before the submission
        m.attainment(target="resolution", closed=[(r, done, t("2026-11-01T09:00+03:00"))])
    assert e.value.kind == "range"
    with pytest.raises(PolicyQueryError):  # a naive start
        m.attainment(target="resolution", closed=[(r, done, datetime(2026, 11, 1, 10, 30))])
    with pytest.raises(PolicyQueryError) as e:  # four items
        m.attainment(target="resolution", closed=[(r, done, done, done)])
    assert e.value.kind == "type"


def test_a_start_is_refused_for_a_target_counted_from_the_registration(tmp_path: Path) -> None:
    (tmp_path / "pct_example.policy").write_text(FROM_REGISTRATION, encoding="utf-8")
    m = policy_lang.load(tmp_path / "pct_example.policy", tmp_path)
    at = t("2026-11-10T10:00+03:00")
    r = m.response(tier="gold", channel="portal", registered_at=at, priority="critical")
    # pairs (and a None start) count from the registration: 4 h -> 14:00
    (a,) = m.attainment(target="restore", closed=[(r, t("2026-11-10T14:00+03:00")),
                                                  (r, t("2026-11-10T14:01+03:00"), None)])
    assert (a.met, a.total) == (1, 2)
    with pytest.raises(PolicyQueryError, match="counted from the registration") as e:
        m.attainment(target="restore", closed=[(r, t("2026-11-10T14:00+03:00"), t("2026-11-10T11:00+03:00"))])
    assert e.value.kind == "unexpected"
