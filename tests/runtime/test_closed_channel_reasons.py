"""A request outside a channel's hours gets one reason for the refusal (issue 17): the channel is
closed now; not "the channel is open to every tier" before it, nor "the tier allows no channel"
after it. Another channel open around the clock is named; none, and nothing more is said."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import policy_lang
from policy_lang.frontend import compile_file

REPO = Path(__file__).resolve().parents[2]
MSK = dt.timezone(dt.timedelta(hours=3))
SATURDAY_NIGHT = dt.datetime(2027, 3, 13, 3, 0, tzinfo=MSK)

POLICY = """program closed {{
    title  "Пример"
    vendor "Vendor"
}}
holidays ru "праздники" {{
    official RU years 2024 .. 2030
}}
calendar office "рабочее время" {{
    zone   "Europe/Moscow"
    hours  mon-fri 09:00-18:00
    except ru
}}
calendar always "круглосуточно" {{
    zone   "Europe/Moscow"
    always
}}
channel portal "портал" {{
    available office
}}
channel phone "телефон" {{
    available {phone}
}}
tiers {{
    standard  "Стандартный"  purchased
}}
priorities {{
    P1 "Критический" {{ definition "Система недоступна." }}
    P2 "Обычный"     {{ definition "Прочие обращения." }}
}}
response on office {{
    priority  standard
    P1        4h
    P2        8h
}}
"""

CONTRADICTIONS = ("доступен при любом уровне", "ни по одному каналу", "даёт право")


def _load(tmp_path: Path, phone: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "closed.policy"
    path.write_text(POLICY.format(phone=phone), encoding="utf-8")
    return policy_lang.load(path)


def test_a_closed_channel_open_to_every_tier_gets_one_reason(tmp_path: Path) -> None:
    m = _load(tmp_path, "office")
    r = m.response(tier="standard", priority="P2", channel="portal", registered_at=SATURDAY_NIGHT)
    assert not r.accepted and r.deadline is None
    assert r.reasons == (
        "Канал «портал» принимает заявки только в часы по календарю «рабочее время»; заявка, поданная "
        "вне этого времени, не принимается.",
        "Срок реакции не устанавливается: заявка не принимается.")
    # within the hours the same request is accepted, with the channel's own reason
    monday = m.response(tier="standard", priority="P2", channel="portal",
                        registered_at=dt.datetime(2027, 3, 15, 10, 0, tzinfo=MSK))
    assert monday.accepted and any("доступен при любом уровне" in x for x in monday.reasons)


def test_a_closed_channel_names_the_channel_open_around_the_clock(tmp_path: Path) -> None:
    m = _load(tmp_path, "always")
    r = m.response(tier="standard", priority="P2", channel="portal", registered_at=SATURDAY_NIGHT)
    assert not r.accepted
    assert [x for x in r.reasons if "принимает заявки только" in x] == [r.reasons[0]]
    assert r.reasons[1] == "Заявку уровня Обычный можно подать через канал «телефон»."
    assert not any(c in x for x in r.reasons for c in CONTRADICTIONS)


@pytest.mark.parametrize("path", sorted([*(REPO / "policies").glob("*.policy"),
                                         *(REPO / "policies" / "examples").glob("*.policy")]),
                         ids=lambda p: p.stem)
def test_every_closed_answer_of_the_shipped_policies_is_one_consistent_reason(path: Path) -> None:
    c = compile_file(path)
    assert c.program is not None
    closed = [d for d in c.program.decisions if d.closed_reasons]
    for d in closed:
        codes = [r.code for r in d.closed_reasons]
        assert codes.count("channel_closed") == 1, codes
        assert not {"channel_open_to_all", "service_granted", "no_channel", "service_not_granted"} & set(codes)
        assert codes[-1] == "no_target_refused"
