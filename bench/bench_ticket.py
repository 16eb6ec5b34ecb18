"""Benchmark: ticket() with ten events beside response(), in one run, on one core (median of 7).

Run: .venv/bin/python bench/bench_ticket.py [--quick] [--generated DIR [--program ID]]

Without --generated, the program below (LAB: statuses that pause the resolution, a stop, a restart,
a recurring "updates" target, an escalation to a conditional cell) is compiled and emitted into a
temporary directory and imported from there, as a service imports a generated module. With
`--generated DIR` the module `--program ID` (default landesk_support) is imported from DIR, and the
ten events are made of what it declares (its statuses, events and targets).

Prints, side by side in one run: ticket() answers/s for a ticket of ten events with every target's
state and due time read (the headline: an honest answer, as a service showing where a ticket stands
reads it; the explanation is not read, it is written only when read), the same without reading
anything, ticket() for a ticket of one event (its registration), and response() calls/s for the same
registration; each ticket() figure beside the same call of the implementation before the speed work
(runtime/ticket.py as it was at a6e1633^, read from git by bench/_reference.py, given the same generated module's
decisions and clock rules). The bar (issue 19): ten events >= 100,000 answers/s, response() >= 500,000.
Rates are CPU time (time.process_time) so that other processes on a shared machine weigh less; the
variants take turns within each of the 7 rounds, so that a busy moment weighs on all of them.
"""

from __future__ import annotations

import importlib
import statistics
import sys
import tempfile
import time as _time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _reference import reference  # noqa: E402  (bench/, beside this file)

#: ticket() before its fast paths (the commit before a6e1633), read from git
before = reference("policy_lang/runtime/ticket.py", "a6e1633^", "_ticket_before")

from policy_lang.runtime.ticket import (  # noqa: E402
    TicketEvent,
    escalated,
    event,
    met,
    registered,
    resolved,
    status,
    update,
)

QUICK = "--quick" in sys.argv
REPEATS = 3 if QUICK else 7
CALLS = 2_000 if QUICK else 20_000
MSK = ZoneInfo("Europe/Moscow")
T0 = datetime(2026, 3, 10, 10, 0, tzinfo=MSK)  # a Tuesday, in working hours

LAB = """program ticket_lab {
    title   "Лаборатория заявок"
    vendor  "Тест"
    edition "1"
    source  "tests/runtime/test_ticket.py"
}

parties {
    vendor   "ИСПОЛНИТЕЛЬ" "служба поддержки"
    customer "ЗАКАЗЧИК"    "клиент"
}

calendar business "рабочие часы (пн–пт 09:00–18:00, Москва)" {
    zone   "Europe/Moscow"
    hours  mon-fri 09:00-18:00
}

calendar around_the_clock "круглосуточно" {
    zone   "Europe/Moscow"
    always
}

channel portal "портал" {
    available around_the_clock
}

channel phone "телефон" {
    available around_the_clock
}

tiers {
    standard "Стандарт" purchased
    premium  "Премиум" purchased
}

priorities "Приоритет" {
    default P3
    on change recount
    P1 "Критический"
    P2 "Высокий"
    P3 "Обычный"
}

status waiting_customer "ожидание информации от ЗАКАЗЧИКА"
status waiting_vendor   "ожидание ответа третьей стороны"

event solution_proposed "предложение решения"
event reopened          "повторное открытие заявки"

condition escalated_by_phone "эскалация заявки по телефону" when escalated via phone

response "Время реакции" on business {
    stop on solution_proposed
    priority  standard  premium
    P1        2h        1h
    P2        4h        2h
    P3        8h        4h
}

target resolution "Срок решения" on business {
    pause while waiting_customer, waiting_vendor
    stop on solution_proposed
    restart on reopened
    priority  standard  premium
    P1        8h        4h when escalated_by_phone 2h on around_the_clock
    P2        "по согласованию сторон"  24h
    P3        < 16h     12h
}

target updates "Информирование о ходе работ" on business {
    repeats after update
    stop on solution_proposed
    priority  standard  premium
    P1        2h        1h
    P2        4h        2h
    P3        8h        4h
}
"""


def _arg(name: str, default: str | None = None) -> str | None:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def module() -> ModuleType:
    generated = _arg("--generated")
    if generated is not None:
        sys.path.insert(0, str(Path(generated).resolve()))
        return importlib.import_module(_arg("--program", "landesk_support") or "landesk_support")
    from policy_lang.backends.python.emit import emit_python
    from policy_lang.frontend import compile_file

    tmp = Path(tempfile.mkdtemp(prefix="bench_ticket_"))
    (tmp / "ticket_lab.policy").write_text(LAB, encoding="utf-8")
    c = compile_file(tmp / "ticket_lab.policy")
    assert c.program is not None, c.diagnostics
    (tmp / "ticket_lab.py").write_text(emit_python(c.program), encoding="utf-8")
    sys.path.insert(0, str(tmp))
    return importlib.import_module("ticket_lab")


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def ticket_events(m: ModuleType) -> tuple[str, list[TicketEvent]]:
    """(tier, ten events) of a ticket registered at T0 through the program's first accepting channel."""
    found = next(((key, d) for key, d in m._DECISIONS.items()
                  if d.accepted and d.targets and (d.hours is None or d.hours.is_open(T0))), None)
    if found is None:
        raise SystemExit(f"{m.PROGRAM.id}: no decision accepts a request at {T0.isoformat()}")
    (tier, channel, priority, request), d = found
    events = [registered(T0, channel, priority, request)]
    statuses = list(m.STATUSES)
    if statuses:  # waiting for the customer, then for a third party
        events += [status(h(0.5), statuses[0]), status(h(1.5), None), status(h(2), statuses[-1]), status(h(3), None)]
    else:
        events += [update(h(0.5)), update(h(1.5)), update(h(2)), update(h(3))]
    events += [update(h(1)), update(h(2.5)), update(h(3.5))]
    if m.ESCALATIONS:
        events.append(escalated(h(4), next(iter(m.ESCALATIONS))))
    else:
        events.append(met(h(4), d.targets[0].id))
    stops = [e for e in m.EVENTS if any(e in r.stops for r in m.CLOCKS.values())]
    events.append(event(h(5), stops[0]) if stops else resolved(h(5)))
    assert len(events) == 10
    return tier, events


def rates(fns: dict[str, tuple[Callable[[int], object], int]]) -> dict[str, float]:
    """Median calls/s (CPU time) of each `fn(calls)` over REPEATS rounds; the variants take turns in
    every round."""
    runs: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(REPEATS):
        for name, (fn, calls) in fns.items():
            t0 = _time.process_time()
            fn(calls)
            runs[name].append(calls / (_time.process_time() - t0))
    return {name: statistics.median(r) for name, r in runs.items()}


def main() -> None:
    m = module()
    if not hasattr(m, "ticket"):
        raise SystemExit(f"{m.__file__} was generated before ticket() existed (RUNTIME_API {m.RUNTIME_API}): "
                         "rebuild it, e.g. policyc build policies --out /tmp/out, then --generated /tmp/out/python")
    tier, events = ticket_events(m)
    first = events[0]
    at = h(6)
    ticket, response = m.ticket, m.response
    common = {"respond": m.response, "clocks": m.CLOCKS, "statuses": m.STATUSES, "declared_events": m.EVENTS,
              "channels": m.CHANNELS, "conditions": m.CONDITIONS, "escalations": m.ESCALATIONS,
              "priority_change": m.PRIORITY_CHANGE, "obligations": getattr(m, "OBLIGATIONS", None)}
    old_events = [before.TicketEvent(*e) for e in events]  # its own event type

    def old_ticket(*, tier: str, events: list[before.TicketEvent], at: datetime) -> before.TicketAnswer:
        return before.ticket(tier=tier, events=events, at=at, **common)  # as the generated ticket() calls it

    one, old_one = events[:1], old_events[:1]

    def ten_read(n: int) -> None:
        for _ in range(n):
            for s in ticket(tier=tier, events=events, at=at).targets:
                s.state, s.due  # noqa: B018

    def ten_read_before(n: int) -> None:
        for _ in range(n):
            for s in old_ticket(tier=tier, events=old_events, at=at).targets:
                s.state, s.due  # noqa: B018

    def ten(n: int) -> None:
        for _ in range(n):
            ticket(tier=tier, events=events, at=at)

    def ten_before(n: int) -> None:
        for _ in range(n):
            old_ticket(tier=tier, events=old_events, at=at)

    def single(n: int) -> None:
        for _ in range(n):
            for s in ticket(tier=tier, events=one, at=first.at).targets:
                s.state, s.due  # noqa: B018

    def single_before(n: int) -> None:
        for _ in range(n):
            for s in old_ticket(tier=tier, events=old_one, at=first.at).targets:
                s.state, s.due  # noqa: B018

    def respond(n: int) -> None:
        for _ in range(n):
            response(tier=tier, channel=first.value, registered_at=first.at, priority=first.priority,
                     request=first.request)

    answer = ticket(tier=tier, events=events, at=at)
    if answer != old_ticket(tier=tier, events=old_events, at=at):
        raise SystemExit("ticket() and the implementation before answer this ticket differently")
    print(f"program {m.PROGRAM.id}, tier {tier}; {len(events)} events, {len(answer.targets)} targets: "
          + ", ".join(f"{s.id}={s.state}" for s in answer.targets))
    got = rates({
        "ticket(), 10 events, every state and due read": (ten_read, CALLS),
        "  before": (ten_read_before, CALLS),
        "ticket(), 10 events, nothing read": (ten, CALLS),
        "  before ": (ten_before, CALLS),
        "ticket(), registration only, states read": (single, CALLS),
        "  before  ": (single_before, CALLS),
        "response()": (respond, CALLS * 5),
    })
    width = max(len(name) for name in got)
    print(f"median of {REPEATS} rounds, CPU time")
    for name, value in got.items():
        print(f"{name:<{width}}  {value:>12,.0f} /s")
    headline, resp = got["ticket(), 10 events, every state and due read"], got["response()"]
    print(f"bar: ticket() 10 events >= 100,000/s: {'met' if headline >= 100_000 else 'NOT met'} "
          f"({headline / got['  before']:.2f}x before); response() >= 500,000/s: "
          f"{'met' if resp >= 500_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
