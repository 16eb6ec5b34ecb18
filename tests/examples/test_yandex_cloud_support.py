"""Yandex Cloud technical support plans (policies/examples/yandex_cloud_support.policy).

Every expected value is worked out by hand from the source text quoted in the policy's header; the
comment next to each case shows the arithmetic. All terms count around the clock (Europe/Moscow,
+03:00) except «Предложение» (working days). The terms depend on the channel («Канал обращения»):
the main table for a request in the support centre; 30 minutes for a quota increase in the
console's «Квоты» section; 15 / 5 / 5 minutes in the chat; 24 hours by e-mail, on every plan.
"""
from __future__ import annotations

import types
from datetime import datetime

import pytest
from _example_module import example_module

from policy_lang.runtime.ticket import met, registered

PID = "yandex_cloud_support"


def module() -> types.ModuleType:
    return example_module(PID)


def t(s: str) -> datetime:
    return datetime.fromisoformat(s)


# (plan, channel, priority, registered at, {target: due})
CHANNEL_CASES = [
    # Бизнес, critical, Sat 28 Nov 03:10 via the support centre: 30 min -> 03:40
    ("business", "support_center", "critical", "2026-11-28T03:10+03:00", {"response": "2026-11-28T03:40+03:00"}),
    # the same in the chat: 5 min on Бизнес -> 03:15 (the support centre's table does not apply)
    ("business", "chat", "critical", "2026-11-28T03:10+03:00", {"chat_response": "2026-11-28T03:15+03:00"}),
    # Базовый in the chat: 15 min -> 03:25
    ("base", "chat", "critical", "2026-11-28T03:10+03:00", {"chat_response": "2026-11-28T03:25+03:00"}),
    # a quota increase in the console: 30 min -> 03:40 (in the support centre a quota request takes 24 h)
    ("premium", "console_quotas", "quota", "2026-11-28T03:10+03:00",
     {"quota_console_response": "2026-11-28T03:40+03:00"}),
    ("premium", "support_center", "quota", "2026-11-28T03:10+03:00", {"response": "2026-11-29T03:10+03:00"}),
    # the same by e-mail: 24 hours for every plan -> Sun 03:10, the table does not apply
    ("business", "email", "critical", "2026-11-28T03:10+03:00", {"email_response": "2026-11-29T03:10+03:00"}),
    # Премиум, important, by e-mail: still 24 hours (the table's 2 h are for the other channels)
    ("premium", "email", "important", "2026-11-29T22:00+03:00", {"email_response": "2026-11-30T22:00+03:00"}),
]


@pytest.mark.parametrize(("plan", "channel", "priority", "at", "dues"), CHANNEL_CASES,
                         ids=[f"{c[0]}:{c[1]}:{c[2]}" for c in CHANNEL_CASES])
def test_the_terms_depend_on_the_channel(plan, channel, priority, at, dues) -> None:
    kind = "request" if priority in module().REQUESTS else "priority"
    r = module().response(tier=plan, channel=channel, registered_at=t(at), **{kind: priority})
    assert r.accepted
    assert {x.id: x.deadline for x in r.targets} == {k: t(v) for k, v in dues.items()}


def test_an_email_ticket_is_answered_within_a_day() -> None:
    # Базовый, critical by e-mail Mon 7 Dec 10:00: due Tue 10:00; answered Tue 09:00 -> met;
    # unanswered at Tue 11:00 -> breached at 10:00
    m = module()
    reg = registered(t("2026-12-07T10:00+03:00"), "email", priority="critical")
    ok = m.ticket(tier="base", events=[reg, met(t("2026-12-08T09:00+03:00"), "email_response")],
                  at=t("2026-12-08T12:00+03:00"))
    assert [(x.id, x.state) for x in ok.targets] == [("email_response", "met")]
    late = m.ticket(tier="base", events=[reg], at=t("2026-12-08T11:00+03:00")).target("email_response")
    assert (late.state, late.breached_at, late.strength) == ("breached", t("2026-12-08T10:00+03:00"), "efforts")
