"""Where a ticket stands: every applicable target of a ticket's life, from its events.

`response()` answers "when is the response due for a request registered at t?". A help desk asks
"where does ticket #123 stand now?": which targets run, which stand still while the ticket waits
for the customer, which were met or breached and when, how much working time is left. `ticket()`
replays the ticket's events in time order over the same decisions and target cells `response()`
uses (so a ticket with one registration event is answered exactly as `response()` answers it):

* the registration fixes the tier, channel and reported priority (or request type): the decision;
* a status change pauses a target's clock while the status is one of the target's `pauses`, and
  resumes it when the ticket leaves that status; time paused does not count, on the target's own
  calendar (working time for a working-time target, elapsed time for a clock target);
* an event in a target's `stops` (or `met(target)`, or the resolution) stops its clock: met if it
  came by the due time, breached otherwise; an event in its `restarts` starts a stopped clock again;
* a recurring target (`every`) runs one cycle after another: each event in its `cycle` (an update
  sent) closes the current cycle and opens the next, until a stop;
* a priority change (or a condition that starts to hold) re-decides the ticket: what the running
  clocks do is the program's `priority_change` rule, `recount` (from the start, at the new value:
  the default), `keep` (the working time elapsed counts against the new value) or `restart`
  (the new value in full from the change).

Only the standard library: the generated module passes its own `response`, clock rules and titles.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from policy_lang.runtime.errors import PolicyQueryError, require_aware, require_choice

__all__ = ["PRIORITY_CHANGE_RULES", "STATES", "ClockRule", "TargetState", "TicketAnswer", "TicketEvent",
           "TicketEventError", "escalated", "event", "met", "priority_changed", "registered", "resolved",
           "status", "ticket", "update"]

#: What a priority change does to the running clocks (the program states one; `recount` by default).
PRIORITY_CHANGE_RULES = ("recount", "keep", "restart")
#: Where a target stands.
STATES = ("running", "paused", "met", "breached", "not_regulated")
#: The kinds of ticket event `ticket()` reads.
EVENT_KINDS = ("registered", "priority", "status", "event", "update", "escalated", "condition", "met", "resolved")

_TIME_READINGS = ("clock", "working_time")


class TicketEventError(PolicyQueryError):
    """A ticket's events cannot be read: no registration first, an unknown kind, status or event,
    an event before the registration, or a naive datetime. The message names the valid choices."""


class ClockRule(NamedTuple):
    """How a target's clock runs over a ticket's life (generated from the target's clock rules)."""

    pauses: frozenset[str] = frozenset()  # statuses during which it stands still
    stops: frozenset[str] = frozenset()  # events that meet it (besides met(target) and the resolution)
    restarts: frozenset[str] = frozenset()  # events that start it again after a stop
    every: bool = False  # recurring: a new cycle after each event of `cycle`
    cycle: frozenset[str] = frozenset()  # events that close a cycle of a recurring target


class TicketEvent(NamedTuple):
    """One thing that happened to a ticket, at an aware datetime.

    kind: registered (value: channel; priority, request), priority (value: the new priority),
    status (value: the status entered; None: back to work), event (value: a declared event id),
    update (an update sent to the customer), escalated (value: the channel), condition (value: a
    condition that holds from now on), met (value: the target met), resolved.
    """

    at: datetime
    kind: str
    value: str | None = None
    priority: str | None = None
    request: str | None = None

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> TicketEvent:
        """From a JSON object or CSV row: {"at": ISO 8601, "kind": ..., "value": ..., "priority": ...}."""
        at = row.get("at")
        if isinstance(at, str):
            try:
                at = datetime.fromisoformat(at)
            except ValueError:
                raise TicketEventError(f"`at` is not an ISO 8601 date-time: {at!r}") from None
        extra = sorted(set(row) - {"at", "kind", "value", "priority", "request"})
        if extra:
            raise TicketEventError(f"unknown field {extra[0]!r} of a ticket event "
                                   "(fields: at, kind, value, priority, request)")
        kind = row.get("kind")
        return cls(at, kind, *(row.get(k) or None for k in ("value", "priority", "request")))  # type: ignore[arg-type]


def registered(at: datetime, channel: str, priority: str | None = None, request: str | None = None) -> TicketEvent:
    return TicketEvent(at, "registered", channel, priority, request)


def priority_changed(at: datetime, priority: str) -> TicketEvent:
    return TicketEvent(at, "priority", priority)


def status(at: datetime, name: str | None) -> TicketEvent:
    """The ticket enters status `name` (None: back in work, no waiting status)."""
    return TicketEvent(at, "status", name)


def event(at: datetime, name: str) -> TicketEvent:
    return TicketEvent(at, "event", name)


def update(at: datetime) -> TicketEvent:
    return TicketEvent(at, "update")


def escalated(at: datetime, channel: str) -> TicketEvent:
    return TicketEvent(at, "escalated", channel)


def met(at: datetime, target: str) -> TicketEvent:
    return TicketEvent(at, "met", target)


def resolved(at: datetime) -> TicketEvent:
    return TicketEvent(at, "resolved")


class TargetState(NamedTuple):
    """Where one target stands at `at`."""

    id: str
    title: str
    state: str  # running | paused | met | breached | not_regulated
    due: datetime | None  # the current cycle's due time (None: not regulated, or paused with no due yet)
    elapsed: int | None  # seconds of the target's time (working time, or clock time) counted so far
    remaining: int | None  # seconds of it left before `due` (0 when breached; None: not regulated)
    met_at: datetime | None
    breached_at: datetime | None  # the due time that passed without the target met (first breach)
    provisional: bool  # a year without a published decree decides `due`
    strength: str
    clause: str | None
    text: str  # the cell as the annex prints it
    cycles: int  # cycles begun (1 for a target that does not recur)
    breaches: int  # cycles breached
    reasons: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # (code, args): why it stands so
    explanation: str  # the same, in Russian


class TicketAnswer(NamedTuple):
    """Where a ticket stands at `at`: the decision in force and every applicable target."""

    at: datetime
    tier: str
    channel: str
    accepted: bool
    priority: str | None
    clauses: tuple[str, ...]
    targets: tuple[TargetState, ...]
    explanation: str

    def target(self, target_id: str) -> TargetState:
        for t in self.targets:
            if t.id == target_id:
                return t
        raise PolicyQueryError(f"no target {target_id!r} applies to this ticket "
                               f"(applicable: {', '.join(t.id for t in self.targets) or 'none'})")


# --------------------------------------------------------------------------- replay


class _Clock:
    """One target's clock over the ticket's life (mutable while the events are replayed)."""

    __slots__ = ("base", "breach_at", "breaches", "cycles", "met_at", "paused", "pauses", "rule", "start",
                 "stopped", "target")

    def __init__(self, target: Any, rule: ClockRule, start: datetime) -> None:
        self.target, self.rule, self.start = target, rule, start
        self.pauses: list[tuple[datetime, datetime | None]] = []  # since `start`
        self.paused: datetime | None = None
        self.stopped = False
        self.met_at: datetime | None = None
        self.breach_at: datetime | None = None
        self.cycles, self.breaches = 1, 0
        self.base = 0  # seconds already counted against the value when the rule is `keep`

    # -- the target's own time ------------------------------------------------
    def _span(self, a: datetime, b: datetime) -> int:
        """Seconds of the target's time between a and b (working time on its calendar, else clock)."""
        if b <= a:
            return 0
        t = self.target
        if t.reading == "clock" or t.calendar is None:
            return int((b - a).total_seconds())
        return int(t.calendar.working_seconds_between(a, b))

    def _plus(self, a: datetime, seconds: int) -> datetime:
        t = self.target
        if t.reading == "clock" or t.calendar is None:
            tz = t.calendar.tz if t.calendar is not None else a.tzinfo
            return (a + timedelta(seconds=seconds)).astimezone(tz)
        return t.calendar.add_working_time(a, seconds)  # type: ignore[no-any-return]

    def due(self, deadline: Callable[[Any, datetime], datetime]) -> datetime | None:
        """The due time of the current cycle, with its pauses added; None while paused before it."""
        t = self.target
        if t.reading == "not_regulated":
            return None
        due = (self._plus(self.start, max(int(t.seconds or 0) - self.base, 0)) if t.reading in _TIME_READINGS
               else deadline(t, self.start))
        for a, b in self.pauses:
            if a >= due:
                break
            if b is None:
                return None  # standing still before it fell due: due again once resumed
            due = self._plus(due, self._span(a, b))
        return due

    def elapsed(self, at: datetime) -> int:
        stood = sum(self._span(a, min(b or at, at)) for a, b in self.pauses if a < at)
        return self.base + max(self._span(self.start, at) - stood, 0)

    # -- events ----------------------------------------------------------------
    def pause(self, at: datetime) -> None:
        if self.paused is None and not self.stopped:
            self.paused = at
            self.pauses.append((at, None))

    def resume(self, at: datetime) -> None:
        if self.paused is not None:
            self.pauses[-1] = (self.paused, at)
            self.paused = None

    def stop(self, at: datetime, deadline: Callable[[Any, datetime], datetime]) -> None:
        if self.stopped:
            return
        self.resume(at)
        due = self.due(deadline)
        if due is not None and at > due:
            self.breaches += 1
            self.breach_at = self.breach_at or due
        self.met_at, self.stopped = at, True

    def next_cycle(self, at: datetime, deadline: Callable[[Any, datetime], datetime]) -> None:
        """A recurring target: the current cycle ends at `at` (breached if past due), a new one starts."""
        if self.stopped:
            return
        due = self.due(deadline)
        if due is not None and at > due:
            self.breaches += 1
            self.breach_at = self.breach_at or due
        was_paused = self.paused is not None
        self.resume(at)
        self.start, self.pauses, self.base = at, [], 0
        self.cycles += 1
        if was_paused:
            self.pause(at)

    def restart(self, at: datetime) -> None:
        if self.stopped:
            self.start, self.pauses, self.base, self.stopped, self.met_at = at, [], 0, False, None
            self.cycles += 1


def ticket(*, respond: Callable[..., Any], deadline: Callable[[Any, datetime], datetime],
           provisional: Callable[[Any, datetime, datetime | None], bool],
           tier: str, events: Iterable[TicketEvent | Mapping[str, Any]], at: datetime,
           clocks: Mapping[str, ClockRule], statuses: Mapping[str, str], declared_events: Mapping[str, str],
           channels: Mapping[str, str], conditions: Mapping[str, str],
           escalations: Mapping[str, tuple[str, ...]] | None = None, priority_change: str = "recount",
           say: Callable[..., str]) -> TicketAnswer:
    """Replay a ticket's events up to `at` (see the module docstring); the generated module's
    `ticket(*, tier, events, at)` passes its own `response`, clock rules and names."""
    at = require_aware("at", at)
    escalations = escalations or {}
    require_choice("priority change rule", priority_change, PRIORITY_CHANGE_RULES)
    rows = [e if isinstance(e, TicketEvent) else TicketEvent.from_mapping(e) for e in events]
    for e in rows:
        require_choice("event kind", e.kind, EVENT_KINDS)
        require_aware("event at", e.at)
    rows.sort(key=lambda e: e.at)  # stable: events at one instant keep their given order
    if not rows or rows[0].kind != "registered":
        raise TicketEventError("a ticket's first event is its registration: "
                               "registered(at, channel, priority=... or request=...)")
    first = rows[0]
    if rows[1:] and any(e.kind == "registered" for e in rows[1:]):
        raise TicketEventError("a ticket is registered once (a reopening is an `event`, or a new ticket)")
    registered_at = first.at
    channel = first.value or ""
    priority, request = first.priority, first.request
    holds: dict[str, bool] = {}
    answer = respond(tier=tier, channel=channel, registered_at=registered_at, priority=priority, request=request)
    decision = answer.decision
    clocks_now: dict[str, _Clock] = {}

    def start_clocks(d: Any, since: datetime, previous: dict[str, _Clock]) -> dict[str, _Clock]:
        out: dict[str, _Clock] = {}
        for t in d.targets:
            rule = clocks.get(t.id, ClockRule())
            old = previous.get(t.id)
            if t.counted_from is not None and old is None:
                continue  # counted from an event: started when it happens
            if old is None or priority_change == "recount":
                c = _Clock(t, rule, old.start if old is not None else since)
                if old is not None:
                    c.pauses, c.paused, c.cycles, c.breaches = old.pauses, old.paused, old.cycles, old.breaches
                    c.stopped, c.met_at, c.breach_at = old.stopped, old.met_at, old.breach_at
            elif priority_change == "keep":
                c = _Clock(t, rule, since)
                c.base = old.elapsed(since) if not old.stopped else 0
                c.paused = old.paused
                if c.paused is not None:
                    c.pauses.append((since, None))
                c.cycles, c.breaches, c.stopped = old.cycles, old.breaches, old.stopped
                c.met_at, c.breach_at = old.met_at, old.breach_at
            else:  # restart: the new value in full from the change
                c = _Clock(t, rule, since)
                c.paused = old.paused
                if c.paused is not None:
                    c.pauses.append((since, None))
                c.cycles, c.breaches = old.cycles + 1, old.breaches
                c.stopped, c.met_at, c.breach_at = old.stopped, old.met_at, old.breach_at
            out[t.id] = c
        return out

    if decision.accepted:
        clocks_now = start_clocks(decision, registered_at, {})
    current_status: str | None = None
    for e in rows[1:]:
        if e.at < registered_at:
            raise TicketEventError(f"an event ({e.kind}) before the registration ({registered_at.isoformat()})")
        if e.at > at:
            break
        if not decision.accepted:
            continue
        kind = e.kind
        if kind == "status":
            if e.value is not None:
                require_choice("status", e.value, tuple(statuses))
            current_status = e.value
            for c in clocks_now.values():
                if current_status is not None and current_status in c.rule.pauses:
                    c.pause(e.at)
                else:
                    c.resume(e.at)
        elif kind in ("priority", "escalated", "condition"):
            if kind == "priority":
                priority, request = e.value, None
            elif kind == "escalated":
                require_choice("channel", e.value, tuple(channels))
                for name in escalations.get(str(e.value), ()):  # `condition X … when escalated via CHANNEL`
                    holds[name] = True
            else:
                require_choice("condition", e.value, tuple(conditions))
                holds[str(e.value)] = True
            known = {k: v for k, v in holds.items() if k in conditions}
            answer = respond(tier=tier, channel=channel, registered_at=registered_at, priority=priority,
                             request=request, **known)
            if answer.decision is not decision:
                decision = answer.decision
                clocks_now = start_clocks(decision, e.at, clocks_now)
                for c in clocks_now.values():  # a status entered earlier still pauses the new clocks
                    if current_status in c.rule.pauses and c.paused is None:
                        c.pause(e.at)
        elif kind == "event":
            require_choice("event", e.value, tuple(declared_events))
            for t in decision.targets:  # targets counted from this event start now
                if t.counted_from == e.value and t.id not in clocks_now:
                    clocks_now[t.id] = _Clock(t, clocks.get(t.id, ClockRule()), e.at)
            for c in clocks_now.values():
                if e.value in c.rule.stops:
                    c.stop(e.at, deadline)
                elif e.value in c.rule.restarts:
                    c.restart(e.at)
                elif c.rule.every and e.value in c.rule.cycle:
                    c.next_cycle(e.at, deadline)
        elif kind == "update":
            for c in clocks_now.values():
                if c.rule.every and ("update" in c.rule.cycle or not c.rule.cycle):
                    c.next_cycle(e.at, deadline)
        elif kind == "met":
            c_met = clocks_now.get(str(e.value))
            if c_met is None:
                require_choice("target", e.value, tuple(t.id for t in decision.targets))
            else:
                c_met.stop(e.at, deadline)
        elif kind == "resolved":
            for c in clocks_now.values():
                c.stop(e.at, deadline)

    states = tuple(_state(t, clocks_now.get(t.id), at, deadline, provisional, say) for t in decision.targets)
    return TicketAnswer(at, tier, channel, decision.accepted, decision.priority, decision.clauses, states,
                        " ".join(s.explanation for s in states))


def _state(t: Any, c: _Clock | None, at: datetime, deadline: Callable[[Any, datetime], datetime],
           provisional: Callable[[Any, datetime, datetime | None], bool], say: Callable[..., str]) -> TargetState:
    head = (t.id, t.title)
    tail = (t.strength, t.clause, t.text)
    if t.reading == "not_regulated":
        return TargetState(*head, "not_regulated", None, None, None, None, None, False, *tail, 1, 0,
                           (("not_regulated", ()),), say("ticket_not_regulated", target=t.title))
    if c is None:  # counted from an event that has not happened
        return TargetState(*head, "not_regulated", None, None, None, None, None, False, *tail, 0, 0,
                           (("not_started", (("event", t.counted_from),)),),
                           say("ticket_not_started", target=t.title))
    due = c.due(deadline)
    elapsed = c.elapsed(c.met_at or at)
    prov = due is not None and provisional(t, c.start, due)
    limit = int(t.seconds) if t.reading in _TIME_READINGS and t.seconds is not None else None
    remaining = None if limit is None else max(limit - elapsed, 0)
    if c.stopped:
        late = c.breaches > 0
        st = "breached" if late else "met"
        why = (("met_late" if late else "met"), (("at", (c.met_at or at).isoformat()),))
        text = say("ticket_met_late" if late else "ticket_met", target=t.title, at=c.met_at, due=c.breach_at or due)
        return TargetState(*head, st, due, elapsed, remaining, c.met_at, c.breach_at, prov, *tail, c.cycles,
                           c.breaches, (why,), text)
    if due is not None and at > due:
        breaches = c.breaches + 1
        return TargetState(*head, "breached", due, elapsed, 0 if remaining is not None else None, None,
                           c.breach_at or due, prov, *tail, c.cycles, breaches,
                           (("breached", (("due", due.isoformat()),)),), say("ticket_breached", target=t.title, due=due))
    if c.paused is not None:
        return TargetState(*head, "paused", due, elapsed, remaining, None, c.breach_at, prov, *tail, c.cycles,
                           c.breaches, (("paused", (("since", c.paused.isoformat()),)),),
                           say("ticket_paused", target=t.title, since=c.paused))
    return TargetState(*head, "running", due, elapsed, remaining, None, c.breach_at, prov, *tail, c.cycles,
                       c.breaches, (("running", (("due", due.isoformat() if due else ""),)),),
                       say("ticket_running", target=t.title, due=due))
