"""Where a ticket stands: every applicable target of a ticket's life, from its events (stdlib only).

`response()` answers "when is the response due for a request registered at t?". A help desk asks
"where does ticket #123 stand now?": which targets run, which stand still while the ticket waits
for the customer, which were met or breached and when, how much working time is left. `ticket()`
replays the ticket's events in time order over the same decisions and target cells `response()`
uses, so that a ticket with one registration event is answered exactly as `response()` answers it
(tests/backends/python/test_ticket_equals_response.py checks every decision of every program):

* the registration fixes the tier, channel and reported priority (or request type): the decision;
  a registration without a priority in a program with a `default` priority is that priority's;
* a status change pauses a target's clock while the status is one of the target's `pauses`, and
  resumes it when the ticket leaves that status. Time paused does not count, on the target's own
  calendar: working time for a working-time target, elapsed time for a clock target. A target
  counted in days moves its due date by the days the ticket stood paused: each day from the
  pause's day up to (not including) the resumption's day, working days for a term in working
  days, calendar days otherwise; the day its term starts is not one of its days (a term in days
  counts from the next), so a pause on that day does not count it;
* an event in a target's `stops` (or `met(target)`, or the resolution) stops its clock: met if it
  came by the due time (a strict bound, `< 4h`: strictly before it), breached otherwise; an event
  in its `restarts` starts a stopped clock again, a new cycle;
* a recurring target (`repeats after`) runs one cycle after another: each event in its `cycle`
  (an update sent) closes the current cycle (breached if past its due) and opens the next, until a
  stop;
* a priority change, an escalation (`condition X … when escalated via CHANNEL`) or a condition that
  starts to hold re-decides the ticket; what the running clocks do is the program's
  `priority_change` rule: `recount` (the default: from the cycle's start, at the new value, on the
  new cell's calendar), `keep` (the time elapsed so far counts against the new value) or `restart`
  (the new value in full from the change). A breach that already happened stays a breach. For a
  target counted in days `keep` is `recount` (days elapsed are days whichever the value);
* a cell written in words (`"по согласованию сторон"`) is never computed: state `as_written`;
* an obligation counted from an event (`obligation … { from EVENT  within …  pause while …  stop on … }`,
  e.g. a replacement part shipped within 20 working days of the faulty part's arrival) runs beside the
  targets, in `TicketAnswer.obligations` (TargetState too; not in `targets`, so that a ticket with one
  registration event is still answered as `response()` answers it): its term starts when the event
  first happens, stands still while the ticket is in one of its `pause while` statuses (the rule of
  targets: days terms move by the days paused), and is met by one of its `stop on` events or by
  `met(at, obligation)` — not by the resolution, which settles the ticket's targets, not what a party
  owes. The priority, escalations and conditions do not change it; an obligation that applies only
  `when CONDITION` is listed once the condition holds. Every such obligation is listed
  (`not_started` before its event); the explanation speaks of those whose term has started.
  `paused_deadline()` answers the same for a start and paused intervals (the module's
  `deadline(obligation, start=..., paused=[(from, to), ...])`).

Where a target stands (`TargetState.state`): running, paused, met, breached (the current cycle is
past due; a stopped target: any cycle was), not_regulated, as_written, not_started (counted from an
event that has not happened). Times are counted as UTC epoch seconds over the calendars' working
intervals (runtime/calendar.py); `reasons` and `explanation` are written only when read.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from itertools import pairwise
from typing import Any, NamedTuple

from policy_lang.runtime import sentences as _sentences
from policy_lang.runtime.calendar import _MIDNIGHTS, BusinessCalendar, _AlwaysOpen, instant
from policy_lang.runtime.errors import (
    _PLAIN_ZONES,
    MAX_YEAR,
    MIN_YEAR,
    CalendarHorizonError,
    PolicyQueryError,
    describe,
    require_aware,
    require_choice,
)
from policy_lang.runtime.evaluator import (
    WORKING_READINGS,
    Due,
    TargetRule,
    obligation_due,
    provisional_years,
    target_deadline,
)
from policy_lang.runtime.ru_text import cite, datetime_ru, duration_ru, provisional_ru

__all__ = ["EVENT_KINDS", "PRIORITY_CHANGE_RULES", "SENTENCES", "STATES", "ClockRule", "TargetState",
           "TicketAnswer", "TicketEvent", "TicketEventError", "escalated", "event", "met", "paused_deadline",
           "priority_changed", "registered", "resolved", "status", "ticket", "update"]

#: What a priority change does to the running clocks (the program states one; `recount` by default).
PRIORITY_CHANGE_RULES = ("recount", "keep", "restart")
#: Where a target stands.
STATES = ("running", "paused", "met", "breached", "not_regulated", "as_written", "not_started")
#: The kinds of ticket event `ticket()` reads.
EVENT_KINDS = ("registered", "priority", "status", "event", "update", "escalated", "condition", "met", "resolved")
#: The fields of a ticket event as a JSON object or a CSV row.
EVENT_FIELDS = ("at", "kind", "value", "priority", "request")

#: Every sentence ticket() writes (str.format templates; the fields arrive formatted).
#: the sentences ticket() writes: the "ticket" group of the one table (runtime/sentences.py)
SENTENCES = _sentences.TICKET

_TIME_READINGS = ("clock", "working_time")
_WORDS = "as_written"

# event kind -> code (ints compare and dispatch faster than strings)
_REG, _PRIO, _STATUS, _EVENT, _UPDATE, _ESC, _COND, _MET, _RESOLVED = range(9)
_KIND_CODE = {k: i for i, k in enumerate(EVENT_KINDS)}


class TicketEventError(PolicyQueryError):
    """A ticket's events cannot be read: no registration first, a second registration, an unknown
    kind, status, event, channel, condition or target, a field that is not an event's, an event
    before the registration, or a naive datetime. The message names the valid choices; `.details`
    has `event` (the event's position in the list given, from 0) when one event is at fault."""

    default_kind = "events"


def _bad(message: str, index: int | None = None, **details: Any) -> TicketEventError:
    where = f"event {index + 1}: " if index is not None else ""
    return TicketEventError(where + message, argument="events", event=index, **details)


def _choice(what: str, value: object, choices: Iterable[str], index: int | None) -> str:
    """`value` if one of `choices`, else a TicketEventError naming them (and the nearest)."""
    try:
        require_choice(what, value, tuple(choices))
    except PolicyQueryError as e:
        raise _bad(str(e), index, kind_of=what, value=value, choices=e.details.get("choices"),
                   suggestion=e.details.get("suggestion")) from None
    return str(value)


class ClockRule(NamedTuple):
    """How a target's clock runs over a ticket's life (generated from the target's clock rules)."""

    pauses: frozenset[str] = frozenset()  # statuses during which it stands still
    stops: frozenset[str] = frozenset()  # events that meet it (besides met(target) and the resolution)
    restarts: frozenset[str] = frozenset()  # events that start it again after a stop
    every: bool = False  # recurring: a new cycle after each event of `cycle`
    cycle: frozenset[str] = frozenset()  # events that close a cycle of a recurring target ("update": an update)


_NO_RULE = ClockRule()


class TicketEvent(NamedTuple):
    """One thing that happened to a ticket, at an aware datetime.

    kind: registered (value: the channel; priority or request), priority (value: the new priority),
    status (value: the status entered; None: back in work), event (value: a declared event id),
    update (an update sent to the customer), escalated (value: the channel it was escalated
    through), condition (value: a condition that holds from now on), met (value: the target or
    obligation met),
    resolved.
    """

    at: datetime
    kind: str
    value: str | None = None
    priority: str | None = None
    request: str | None = None

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any], index: int | None = None) -> TicketEvent:
        """From a JSON object or CSV row: {"at": ISO 8601 with offset, "kind": ..., "value": ...,
        "priority": ..., "request": ...}; an empty field is no value."""
        if not isinstance(row, Mapping):
            raise _bad(f"a ticket event is a TicketEvent or a mapping of {', '.join(EVENT_FIELDS)}, "
                       f"got {type(row).__name__} {describe(row)}", index)
        extra = sorted((str(k) for k in row if k not in EVENT_FIELDS), key=str)
        if extra:
            raise _bad(f"unknown field {extra[0]!r} of a ticket event (fields: {', '.join(EVENT_FIELDS)})", index)
        at = row.get("at")
        if isinstance(at, str):
            try:
                at = datetime.fromisoformat(at.strip())
            except ValueError:
                raise _bad(f"`at` is not an ISO 8601 date-time: {describe(at)}", index) from None
        values = []
        for k in ("value", "priority", "request"):
            v = row.get(k)
            if v is not None and not isinstance(v, str):
                raise _bad(f"`{k}` must be a string, got {describe(v)}", index)
            values.append(v.strip() or None if v is not None else None)
        kind = row.get("kind")
        if isinstance(kind, str):
            kind = kind.strip()
        return cls(at, kind, *values)  # type: ignore[arg-type]


def registered(at: datetime, channel: str, priority: str | None = None, request: str | None = None) -> TicketEvent:
    """The ticket is registered through `channel` with a reported priority (or request type)."""
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
    """Target (or obligation counted from an event) `target` is met at `at`."""
    return TicketEvent(at, "met", target)


def resolved(at: datetime) -> TicketEvent:
    return TicketEvent(at, "resolved")


# --------------------------------------------------------------------------- answers


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class TargetState(NamedTuple):
    """Where one target stands at `at` (`reasons` and `explanation` are written when read)."""

    id: str
    title: str
    state: str  # see STATES
    due: datetime | None  # the current cycle's due time (None: not computed, or paused before it fell due)
    elapsed: int | None  # seconds of the target's time (working or clock) counted in the current cycle
    remaining: int | None  # seconds of it left before `due` (0 once past; None: a term in days, or no term)
    met_at: datetime | None  # when it was stopped: met (or met late)
    breached_at: datetime | None  # the first due time that passed without the target met
    provisional: bool  # a year without a published decree decides `due`
    strength: str
    clause: str | None
    text: str  # the cell as the annex prints it
    cycles: int  # cycles begun (1 for a target that neither recurs nor restarted; 0: not started)
    breaches: int  # cycles breached (the current one included when it is past due)
    reading: str  # how the cell is counted (TargetRule.reading)
    strict: bool  # a strict bound: met only strictly before `due`
    paused_since: datetime | None  # paused: since when
    status: str | None  # paused: the status it stands still in
    status_title: str | None
    counted_from: str | None  # not_started: the event it is counted from
    counted_from_title: str | None

    @property
    def reasons(self) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
        """(code, ((name, value), ...)): why it stands so, as data (values as strings, ISO 8601)."""
        st = self.state
        args: tuple[tuple[str, str], ...]
        if st == "running":
            args = (("due", _iso(self.due) or ""),)
        elif st == "paused":
            args = (("since", _iso(self.paused_since) or ""), ("status", self.status or ""))
        elif st == "met":
            args = (("at", _iso(self.met_at) or ""), ("due", _iso(self.due) or ""))
        elif st == "breached":
            args = (("due", _iso(self.breached_at) or ""),)
            if self.met_at is not None:
                st, args = "met_late", (("at", _iso(self.met_at) or ""), *args)
        elif st == "as_written":
            args = (("text", self.text),)
        elif st == "not_started":
            args = (("event", self.counted_from or ""),)
        else:
            args = ()
        out = [(st, args)]
        if self.cycles > 1:
            out.append(("cycles", (("cycles", str(self.cycles)), ("breaches", str(self.breaches)))))
        if self.provisional:
            out.append(("provisional", (("due", _iso(self.due) or ""),)))
        return tuple(out)

    @property
    def explanation(self) -> str:
        """Where the target stands, in Russian."""
        s = SENTENCES
        st, title = self.state, self.title
        working = self.reading == "working_time"
        timed = self.remaining is not None
        if st == "running":
            assert self.due is not None
            text = (s["running"].format(target=title, due=datetime_ru(self.due), left=_left(self.remaining, working))
                    if timed else s["running_days"].format(target=title, due=datetime_ru(self.due)))
        elif st == "paused":
            since = datetime_ru(self.paused_since) if self.paused_since else ""
            text = (s["paused"].format(target=title, since=since, status=self.status_title or self.status,
                                       left=_left(self.remaining, working)) if timed else
                    s["paused_days"].format(target=title, since=since, status=self.status_title or self.status))
        elif st == "met":
            text = s["met"].format(target=title, at=_ru(self.met_at), due=_ru(self.due))
        elif st == "breached":
            if self.met_at is None:
                text = s["breached"].format(target=title, due=_ru(self.breached_at))
            elif self.cycles > 1:
                text = s["met_after_breach"].format(target=title, at=_ru(self.met_at), due=_ru(self.breached_at))
            else:
                text = s["met_late"].format(target=title, at=_ru(self.met_at), due=_ru(self.breached_at))
        elif st == "as_written":
            text = s["as_written"].format(target=title, text=self.text)
        elif st == "not_started":
            text = s["not_started"].format(target=title, event=self.counted_from_title or self.counted_from)
        else:
            text = s["not_regulated"].format(target=title)
        if self.cycles > 1:
            text += " " + s["cycles"].format(cycles=self.cycles, breaches=self.breaches)
        if self.provisional and self.due is not None:
            text += " " + provisional_ru((self.due.year,))
        return text

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON: datetimes in ISO 8601, reasons and the explanation included."""
        out: dict[str, Any] = {}
        for k, v in zip(self._fields, self):
            out[k] = v.isoformat() if isinstance(v, datetime) else v
        out["reasons"] = [[code, dict(args)] for code, args in self.reasons]
        out["explanation"] = self.explanation
        return out


def _ru(value: datetime | None) -> str:
    return datetime_ru(value) if value is not None else "—"


def _left(seconds: int | None, working: bool) -> str:
    """«осталось 2 рабочих часа 30 минут», «остался 1 час», «осталась 1 минута»: the verb agrees
    with the first quantity."""
    minutes = -(-(seconds or 0) // 60)  # a part of a minute left is a minute left
    return duration_ru(minutes * 60, working, verb=("остался", "осталась", "осталось"))


class TicketAnswer(NamedTuple):
    """Where a ticket stands at `at`: the decision in force and every applicable target."""

    at: datetime
    tier: str
    channel: str
    registered_at: datetime
    accepted: bool
    reported_priority: str | None
    priority: str | None
    request: str | None
    clauses: tuple[str, ...]
    decision_reasons: tuple[str, ...]  # the decision's own reasons (as Response.decision.reasons)
    targets: tuple[TargetState, ...]
    labels: Mapping[str, str]  # priority id -> how the contract names it
    # the obligations counted from an event (see the module docstring): each a TargetState whose
    # `counted_from` is that event, `text` the term as the annex prints it, `strength` "guaranteed"
    obligations: tuple[TargetState, ...] = ()

    def target(self, target_id: str) -> TargetState:
        """The state of target `target_id` (a PolicyQueryError naming the applicable ones if none)."""
        for t in self.targets:
            if t.id == target_id:
                return t
        raise PolicyQueryError(f"no target {target_id!r} applies to this ticket "
                               f"(applicable: {', '.join(t.id for t in self.targets) or 'none'})",
                               kind="choice", argument="target")

    def obligation(self, obligation_id: str) -> TargetState:
        """The state of obligation `obligation_id` (a PolicyQueryError naming the listed ones if none)."""
        for t in self.obligations:
            if t.id == obligation_id:
                return t
        raise PolicyQueryError(f"no obligation {obligation_id!r} is counted in this ticket "
                               f"(counted: {', '.join(t.id for t in self.obligations) or 'none'})",
                               kind="choice", argument="obligation")

    @property
    def provisional(self) -> bool:
        return any(t.provisional for t in self.targets) or any(t.provisional for t in self.obligations)

    @property
    def explanation(self) -> str:
        """The ticket in Russian: the decision, then one sentence per target, then the clauses."""
        s, labels = SENTENCES, self.labels
        if not self.accepted:
            lines = [s["refused"], *self.decision_reasons]
        elif self.priority is None:
            lines = [s["accepted"]]
        elif self.reported_priority is not None and self.reported_priority != self.priority:
            lines = [s["accepted_reported"].format(priority=labels.get(self.priority, self.priority),
                                                   reported=labels.get(self.reported_priority,
                                                                       self.reported_priority))]
        else:
            lines = [s["accepted_priority"].format(priority=labels.get(self.priority, self.priority))]
        lines += [t.explanation for t in self.targets]
        lines += [t.explanation for t in self.obligations if t.state != "not_started"]
        if self.clauses:
            lines.append(s["basis"].format(clauses=", ".join(cite(c) for c in self.clauses)))
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON: datetimes in ISO 8601."""
        return {"at": self.at.isoformat(), "tier": self.tier, "channel": self.channel,
                "registered_at": self.registered_at.isoformat(), "accepted": self.accepted,
                "reported_priority": self.reported_priority, "priority": self.priority, "request": self.request,
                "provisional": self.provisional, "clauses": list(self.clauses),
                "decision_reasons": list(self.decision_reasons),
                "targets": [t.as_dict() for t in self.targets],
                "obligations": [t.as_dict() for t in self.obligations], "explanation": self.explanation}


# --------------------------------------------------------------------------- the time of a target

_fromtimestamp = datetime.fromtimestamp
_new = tuple.__new__


def _worked(cal: BusinessCalendar, t: float) -> float:
    """Working seconds on `cal` from its horizon start to instant `t` (a UTC timestamp)."""
    if not cal._lo <= t <= cal._hi:
        raise CalendarHorizonError(f"{_fromtimestamp(t, cal._tz).isoformat()} is outside the {cal._span()}")
    i = bisect_right(cal._s, t) - 1
    if i < 0:
        return 0.0
    return cal._shift[i] + t if t < cal._e[i] else cal._cum[i + 1]


def _unworked(cal: BusinessCalendar, x: float) -> float:
    """The instant (a UTC timestamp) at which `x` working seconds from the horizon start are used
    up: as BusinessCalendar._add ends a count (at a window's closing when it uses the window up)."""
    cum = cal._cum
    j = bisect_left(cum, x)
    if j >= len(cum):
        raise CalendarHorizonError(f"a due time past the {cal._span()}")
    if j == 0:
        return cal._s[0]
    return x - cal._shift[j - 1]


def _same(x: float) -> float:
    return x


class _Plan:
    """What a target cell needs for replays, computed once per decision (see _plan()): `w` maps an
    instant to the target's own time (working seconds on its calendar, or clock seconds), `unw` back."""

    __slots__ = ("cal", "cell", "days", "fixed", "head", "limit", "none", "pcal", "reads", "rule", "strict", "t",
                 "timed", "tz", "unw", "w", "working")

    def __init__(self, t: Any, rule: ClockRule) -> None:
        self.t, self.rule = t, rule
        self.strict = bool(t.strict)
        reading = t.reading
        self.none = reading if reading in ("not_regulated", _WORDS) else None
        self.timed = reading in _TIME_READINGS and t.seconds is not None
        self.days = self.none is None and not self.timed
        cal = t.calendar
        self.working = reading == "working_time" and cal is not None and not isinstance(cal, _AlwaysOpen)
        self.cal = cal
        self.tz = cal.tz if cal is not None else None
        self.limit = int(t.seconds or 0)
        self.head = (t.id, t.title)
        self.cell = (t.strength, t.clause, t.text)
        self.reads = (reading, self.strict)
        # a target not computed stands so whatever happens: its state, made once
        self.fixed: TargetState | None = None
        if self.none is not None:
            self.fixed = _new(TargetState, (t.id, t.title, "as_written" if self.none == _WORDS else "not_regulated",
                                            None, None, None, None, None, False, t.strength, t.clause, t.text, 1, 0,
                                            reading, self.strict, None, None, None, None, None))
        # the calendar whose days without a decree make a due provisional (Response.targets' rule)
        self.pcal = (cal if cal is not None and reading in WORKING_READINGS and cal.provisional_from is not None
                     else None)
        self.w: Callable[[float], float] = _same
        self.unw: Callable[[float], float] = _same
        if self.working:
            self.w, self.unw = _own_time(cal)


def _own_time(cal: BusinessCalendar) -> tuple[Callable[[float], float], Callable[[float], float]]:
    """(worked, unworked) of a calendar: working seconds from its horizon start to an instant (a UTC
    timestamp), and the instant a number of them is used up, as BusinessCalendar._add ends a count
    (at a window's closing when it uses the window up). Closures over the calendar's arrays."""
    starts, ends, shift, cum, lo, hi = cal._s, cal._e, cal._shift, cal._cum, cal._lo, cal._hi
    n = len(cum)

    def worked(t: float) -> float:
        if not lo <= t <= hi:
            raise CalendarHorizonError(f"{_fromtimestamp(t, cal._tz).isoformat()} is outside the {cal._span()}")
        i = bisect_right(starts, t) - 1
        if i < 0:
            return 0.0
        return shift[i] + t if t < ends[i] else cum[i + 1]

    def unworked(x: float) -> float:
        j = bisect_left(cum, x)
        if j >= n:
            raise CalendarHorizonError(f"a due time past the {cal._span()}")
        return x - shift[j - 1] if j else starts[0]

    return worked, unworked


class _Group:
    """A decision's plans and, per kind of event, the plans it acts on (indices into `plans`)."""

    __slots__ = ("by_event", "counted", "pausing", "plans", "updates")

    def __init__(self, plans: tuple[_Plan, ...]) -> None:
        self.plans = plans
        computed = [k for k, p in enumerate(plans) if p.none is None]
        self.pausing = tuple(k for k in computed if plans[k].rule.pauses)
        self.updates = tuple(k for k in computed if plans[k].rule.every
                             and ("update" in plans[k].rule.cycle or not plans[k].rule.cycle))
        by_event: dict[str, list[tuple[int, int]]] = {}
        for k in computed:
            r = plans[k].rule
            for name in r.stops | r.restarts | (r.cycle if r.every else frozenset()):
                action = 0 if name in r.stops else 1 if name in r.restarts else 2
                by_event.setdefault(name, []).append((k, action))
        self.by_event = {name: tuple(v) for name, v in by_event.items()}
        self.counted = tuple(k for k in computed if plans[k].t.counted_from is not None)


_PLANS: dict[int, tuple[Any, _Group]] = {}


def _plan(decision: Any, clocks: Mapping[str, ClockRule]) -> _Group:
    """The plans of a decision's targets, kept per decision object (the module's decisions live as long
    as it does; the decision is kept with them, so a recycled id() never matches another one)."""
    key = id(decision)
    hit = _PLANS.get(key)
    if hit is not None and hit[0] is decision:
        return hit[1]
    group = _Group(tuple(_Plan(t, clocks.get(t.id, _NO_RULE)) for t in decision.targets))
    if len(_PLANS) > 10_000:
        _PLANS.clear()
    _PLANS[key] = (decision, group)
    return group


_NO_GROUP = _Group(())

#: The readings of an obligation's `within` a ticket runs (a notice, reading None, is counted back
#: from a period's end).
_DUTY_READINGS = frozenset(("clock", "working_time", "business_days", "calendar_days"))


def _duty_plan(ob: Any) -> _Plan:
    """The plan of an obligation counted from an event: its term as a target cell (one function
    counts both, target_deadline), its clock rules from `pauses` and `stops`."""
    rule = TargetRule(ob.id, ob.title, ob.reading, ob.seconds, ob.amount, ob.unit, None, ob.calendar, None,
                      "guaranteed", None, ob.clause, ob.term_text, ob.start_event)
    return _Plan(rule, ClockRule(pauses=frozenset(getattr(ob, "pauses", ())),
                                 stops=frozenset(getattr(ob, "stops", ()))))


def _runs(ob: Any) -> bool:
    """Whether a ticket runs obligation `ob`: a term `within`, counted from an event."""
    return ob.start_event is not None and ob.before_period is None and ob.reading in _DUTY_READINGS


_DUTIES: dict[int, tuple[Any, tuple[tuple[_Plan, str | None], ...]]] = {}


def _duties(obligations: Mapping[str, Any]) -> tuple[tuple[_Plan, str | None], ...]:
    """(plan, condition) of every obligation a ticket runs, kept per mapping (a module's OBLIGATIONS)."""
    key = id(obligations)
    hit = _DUTIES.get(key)
    if hit is not None and hit[0] is obligations:
        return hit[1]
    duties = tuple((_duty_plan(ob), ob.condition) for ob in obligations.values() if _runs(ob))
    if len(_DUTIES) > 1_000:
        _DUTIES.clear()
    _DUTIES[key] = (obligations, duties)
    return duties


class _Clock:
    """One target's clock over the ticket's life (mutable while the events are replayed).

    A timed target (clock or working time) keeps its own time: `used` seconds counted in the current
    cycle before the running segment, which began at own time `seg` (None: paused). Its due is the
    instant the limit is used up: unw(seg + limit - used). A target counted in days keeps its due
    instant and moves it by the days paused."""

    __slots__ = ("breach_ts", "breached", "breaches", "cycles", "due_ts", "met_ts", "p", "paused_ts",
                 "pauses", "seg", "start_ts", "status", "stopped", "used")
    start_ts: float
    used: float
    breached: bool
    paused_ts: float | None
    pauses: list[list[float]]
    seg: float | None
    due_ts: float | None

    def __init__(self, p: _Plan, start: float, tz: tzinfo | None) -> None:
        self.p = p
        self.cycles, self.breaches = 1, 0
        self.breach_ts: float | None = None
        self.met_ts: float | None = None
        self.stopped = False
        self.status: str | None = None
        if p.timed:  # begin(), inline: the common case
            self.start_ts, self.used, self.breached, self.paused_ts, self.pauses = start, 0.0, False, None, []
            self.seg = p.w(start)
            self.due_ts = p.unw(self.seg + p.limit)
        else:
            self.begin(start, tz)

    def begin(self, start: float, tz: tzinfo | None) -> None:
        """A new cycle (or run) from instant `start`, running."""
        p = self.p
        self.start_ts = start
        self.used = 0.0
        self.breached = False
        self.paused_ts = None
        self.pauses = []
        if p.timed:
            self.seg = p.w(start)
            self.due_ts = p.unw(self.seg + p.limit)
        else:
            self.seg = None
            t = p.t
            due = target_deadline(t.reading, t.seconds, t.amount, t.unit, t.cutoff, t.calendar,
                                  _fromtimestamp(start, p.tz or tz))
            self.due_ts = due.timestamp()

    def late(self, ts: float) -> bool:
        due = self.due_ts
        return due is not None and (ts >= due if self.p.strict else ts > due)

    def check(self, ts: float) -> None:
        """Record the breach of the current cycle if instant ts is past its due (a running clock)."""
        due = self.due_ts
        if (due is not None and (ts > due or (ts == due and self.p.strict)) and not self.breached
                and not self.stopped and self.paused_ts is None):
            self.breached = True
            self.breaches += 1
            if self.breach_ts is None:
                self.breach_ts = self.due_ts

    def pause(self, ts: float, status: str) -> None:
        if self.stopped or self.paused_ts is not None:
            return
        self.check(ts)
        self.paused_ts, self.status = ts, status
        self.pauses.append([ts, -1.0])
        if self.seg is not None:
            self.used += self.p.w(ts) - self.seg
            self.seg = None

    def resume(self, ts: float, tz: tzinfo | None) -> None:
        a = self.paused_ts
        if a is None:
            return
        self.paused_ts, self.status = None, None
        self.pauses[-1][1] = ts
        if self.stopped:
            return
        p = self.p
        if p.timed:
            self.seg = p.w(ts)
            if not self.breached:  # the due that passed stays the due
                self.due_ts = p.unw(self.seg + p.limit - self.used)
        elif self.due_ts is not None and not self.breached:
            self.due_ts = _move_days(p, self.due_ts, a, ts, tz, self.start_ts)

    def stop(self, ts: float, tz: tzinfo | None) -> None:
        if self.stopped:
            return
        self.resume(ts, tz)
        self.check(ts)
        if self.seg is not None:
            self.used += self.p.w(ts) - self.seg
        self.seg = None
        self.met_ts, self.stopped = ts, True

    def next_cycle(self, ts: float, tz: tzinfo | None) -> None:
        """A recurring target: the current cycle ends at ts (breached if past due), a new one starts."""
        if self.stopped:
            return
        status = self.status if self.paused_ts is not None else None
        self.resume(ts, tz)
        self.check(ts)
        self.cycles += 1
        self.begin(ts, tz)
        if status is not None:
            self.pause(ts, status)

    def restart(self, ts: float, tz: tzinfo | None) -> None:
        if self.stopped:
            self.stopped, self.met_ts = False, None
            self.cycles += 1
            self.begin(ts, tz)

    def elapsed(self, ts: float) -> float:
        if self.seg is None:
            return self.used
        return self.used + self.p.w(ts) - self.seg


def _move_days(p: _Plan, due_ts: float, a: float, b: float, tz: tzinfo | None, start: float) -> float:
    """A term in days paused from instant a to b: its due moves by the days from a's day up to
    (not including) b's day, working days of its calendar for a term in working days. The day the
    term starts (instant `start`) is not one of its days, so a pause on it does not count it."""
    if a >= due_ts:
        return due_ts
    zone = p.tz or tz
    first, last = _fromtimestamp(a, zone).date(), _fromtimestamp(b, zone).date()
    first = max(first, _fromtimestamp(start, zone).date() + timedelta(days=1))
    if last <= first:
        return due_ts
    cal = p.cal
    due = _fromtimestamp(due_ts, zone)
    if p.t.reading in ("business_days", "next_business_day") and cal is not None:
        n = sum(1 for k in range((last - first).days) if cal.is_working_day(first + timedelta(days=k)))
        if not n:
            return due_ts
        day = cal.add_business_days(due.date(), n)
    else:
        day = due.date() + timedelta(days=(last - first).days)
    moved = datetime(day.year, day.month, day.day, due.hour, due.minute, due.second, tzinfo=zone)
    return moved.timestamp()


# --------------------------------------------------------------------------- replay

_NO_HOLDS: dict[str, bool] = {}
#: (respond, tier, channel, priority, request, *conditions that hold) -> (decision, the instants its
#: response() answers without an error: a check of reg_ts)
_DECIDED: dict[tuple[Any, ...], tuple[Any, Callable[[float], bool]]] = {}
#: Past this instant a 24x7 count may end after MAX_YEAR (response() refuses it): no shortcut there.
_LAST_QUIET_TS = datetime(MAX_YEAR, 12, 30, tzinfo=UTC).timestamp()


def _decide(respond: Callable[..., Any], tier: str, channel: str, registered_at: datetime, reg_ts: float,
            priority: str | None, request: str | None, holds: Mapping[str, bool]) -> Any:
    """`respond(...).decision` for a ticket registered at `registered_at` (reg_ts) while `holds` hold.

    A decision that is accepted at every hour (no channel hours) depends on the registration time
    only through its response deadline, which ticket() does not read: it is kept per query and
    given again without calling respond(), where that deadline is sure to be computed without an
    error (inside the calendar's horizon), so that respond() would have answered the same decision.
    Only a generated module's response() is such a function of its arguments (_generated()); the
    key holds `respond` itself."""
    key: tuple[Any, ...] | None = None
    if type(tier) is str and type(channel) is str and (priority is None or type(priority) is str) and (
            request is None or type(request) is str):
        key = (respond, tier, channel, priority, request, *holds)
        hit = _DECIDED.get(key)
        if hit is not None and hit[1](reg_ts):
            return hit[0]
    decision = respond(tier=tier, channel=channel, registered_at=registered_at, priority=priority,
                       request=request, **holds).decision
    if key is not None and decision.accepted and decision.hours is None and _generated(respond):
        quiet = _quiet(decision)
        if quiet is not None:
            if len(_DECIDED) > 10_000:
                _DECIDED.clear()
            _DECIDED[key] = (decision, quiet)
    return decision


def _generated(respond: Callable[..., Any]) -> bool:
    """Whether `respond` is a generated module's own response() (a lookup in its _DECISIONS, then
    evaluator.respond()): the registration time changes its decision only through the channel's
    hours. Any other function (a contract's, bound to its term) is asked every time."""
    g = getattr(respond, "__globals__", None)
    return (getattr(respond, "__name__", None) == "response" and isinstance(g, dict)
            and g.get("response") is respond and "_DECISIONS" in g)


def _always(t: float) -> bool:
    return True


def _quiet(decision: Any) -> Callable[[float], bool] | None:
    """Whether evaluator.respond() computes `decision`'s response deadline without an error, as a
    check of the registration instant; None: not known here (respond() is asked every time)."""
    seconds = decision.seconds
    if seconds is None:
        return _always if decision.response_rule is None else None  # a term in days: asked every time
    cal = decision.calendar
    if type(seconds) is not int or seconds <= 0 or not isinstance(cal, BusinessCalendar):
        return None
    if isinstance(cal, _AlwaysOpen):
        return lambda t: t + seconds < _LAST_QUIET_TS
    starts, ends, shift, cum, lo, hi = cal._s, cal._e, cal._shift, cal._cum, cal._lo, cal._hi
    total = cum[-1]

    def quiet(t: float) -> bool:  # BusinessCalendar._add raises past these bounds
        if not lo <= t <= hi:
            return False
        i = bisect_right(starts, t) - 1
        worked = 0.0 if i < 0 else shift[i] + t if t < ends[i] else cum[i + 1]
        return worked + seconds <= total

    return quiet



def ticket(*, respond: Callable[..., Any], tier: str, events: Iterable[TicketEvent | Mapping[str, Any]],
           at: datetime, clocks: Mapping[str, ClockRule], statuses: Mapping[str, str],
           declared_events: Mapping[str, str], channels: Mapping[str, str], conditions: Mapping[str, str],
           escalations: Mapping[str, tuple[str, ...]] | None = None, priority_change: str = "recount",
           provisional: Callable[[Any, datetime, datetime | None], bool] | None = None,
           obligations: Mapping[str, Any] | None = None) -> TicketAnswer:
    """Replay a ticket's events up to `at` (see the module docstring).

    `obligations` (the module's OBLIGATIONS, runtime.evaluator.Obligation): those counted from an
    event are answered in `TicketAnswer.obligations`; `met(at, id)` names a target or one of them
    (a target first, where an obligation has a target's id).

    The generated module's `ticket(*, tier, events, at)` passes its own `response` (`respond`), clock
    rules, names and priority-change rule. Events after `at` are checked but not replayed; events at
    one instant are replayed in the order given. `provisional(rule, start, due)` says whether a due
    time rests on a year without a decree (default: the rule of Response.targets).
    """
    if type(at) is not datetime or type(at.tzinfo) not in _PLAIN_ZONES or not MIN_YEAR <= at.year <= MAX_YEAR:
        at = require_aware("at", at)
    at_ts = instant(at)
    if priority_change not in PRIORITY_CHANGE_RULES:
        require_choice("priority change rule", priority_change, PRIORITY_CHANGE_RULES)
    if (type(events) is not list and type(events) is not tuple
            and (isinstance(events, (str, bytes, Mapping)) or not isinstance(events, Iterable))):
        raise _bad(f"events must be an iterable of ticket events, got {type(events).__name__} {describe(events)}")
    rows: list[tuple[float, int, TicketEvent, int]] = []
    ordered = True
    last = float("-inf")
    kinds = _KIND_CODE
    midnights = _MIDNIGHTS
    zones = _PLAIN_ZONES
    day_tz: object = None  # the local day of the event before (events of a ticket often share one)
    day = 0
    midnight: int | None = None
    for i, e in enumerate(events):
        if type(e) is not TicketEvent:
            e = e if isinstance(e, TicketEvent) else TicketEvent.from_mapping(e, i)
        try:
            code = kinds[e.kind]
        except (KeyError, TypeError):
            _choice("event kind", e.kind, EVENT_KINDS, i)
            raise  # (unreachable: _choice raised)
        v, pr, rq = e.value, e.priority, e.request
        if (v is not None and type(v) is not str) or (pr is not None and type(pr) is not str) or (
                rq is not None and type(rq) is not str):  # a list or a number is no status, event or priority
            field = "value" if v is not None and type(v) is not str else "priority" if (
                pr is not None and type(pr) is not str) else "request"
            raise _bad(f"{e.kind}: `{field}` must be a string or None, not {describe(getattr(e, field))}", i)
        a = e.at
        if type(a) is not datetime or type(a.tzinfo) not in zones or not MIN_YEAR <= a.year <= MAX_YEAR:
            try:
                a = require_aware("at", a)
            except PolicyQueryError as err:
                raise _bad(f"{e.kind}: {err}", i) from None
            e = e._replace(at=a)
        # instant(a), inline: the offset of the local day, asked once per day and zone
        z, o = a.tzinfo, a.toordinal()
        if z is not day_tz or o != day:
            key = (z, o)
            if key not in midnights:
                instant(a)  # asks the zone and keeps the day's midnight
            day_tz, day, midnight = z, o, midnights.get(key)
        ts = (a.timestamp() if midnight is None else
              (midnight + ((a.hour * 60 + a.minute) * 60 + a.second) * 1_000_000 + a.microsecond) / 1e6)
        if ts < last:
            ordered = False
        last = ts
        rows.append((ts, code, e, i))
    if not ordered:
        rows.sort(key=lambda r: r[0])  # stable: events at one instant keep their given order
    if not rows or rows[0][1] != _REG:
        raise _bad("a ticket's first event is its registration: registered(at, channel, priority=... or "
                   "request=...)" + (f"; the first here is {rows[0][2].kind!r} (event {rows[0][3] + 1})" if rows else
                                     "; got no events"))
    reg_ts, _, first, _ = rows[0]
    registered_at = first.at
    channel = first.value
    if channel is None:
        raise _bad(f"registered: the channel is missing; valid: {', '.join(channels)}", 0)
    priority, request = first.priority, first.request
    decision = _decide(respond, tier, channel, registered_at, reg_ts, priority, request, _NO_HOLDS)
    tz = registered_at.tzinfo
    accepted = decision.accepted
    group = _plan(decision, clocks) if accepted else _NO_GROUP
    plans = group.plans
    # the clocks, by plan: None for a target not computed or not started
    cl: list[_Clock | None] = [_Clock(p, reg_ts, tz) if p.none is None and p.t.counted_from is None else None
                               for p in plans]
    holds: dict[str, bool] = {}
    happened: dict[str, float] = {}  # declared event -> when it first happened
    duties = _duties(obligations) if obligations and accepted else ()
    dc: list[_Clock | None] = [None] * len(duties)  # the obligations' clocks: None until their event
    dtz: list[tzinfo | None] = [tz] * len(duties)  # the zone of the event each is counted from
    current_status: str | None = None
    for ts, code, e, i in rows[1:] if len(rows) > 1 else ():
        if code == _REG:
            raise _bad("a ticket is registered once (a reopening is an `event`, or a new ticket)", i)
        if ts > at_ts or not accepted:  # checked, not replayed
            _check_later(e, code, i, statuses, declared_events, channels, conditions)
            continue
        if code == _STATUS:
            value = e.value
            if value is not None and value not in statuses:
                _choice("status", value, statuses, i)
            current_status = value
            for k in group.pausing:
                c = cl[k]
                if c is None:
                    continue
                if value is not None and value in c.p.rule.pauses:
                    if c.paused_ts is None:
                        c.pause(ts, value)
                    else:
                        c.status = value
                elif c.paused_ts is not None:
                    c.resume(ts, tz)
            for k, (p, _cond) in enumerate(duties):
                c = dc[k]
                if c is None or not p.rule.pauses:
                    continue
                if value is not None and value in p.rule.pauses:
                    if c.paused_ts is None:
                        c.pause(ts, value)
                    else:
                        c.status = value
                elif c.paused_ts is not None:
                    c.resume(ts, dtz[k])
        elif code == _UPDATE:
            for k in group.updates:
                c = cl[k]
                if c is not None:
                    c.next_cycle(ts, tz)
        elif code == _EVENT:
            value = e.value
            if value not in declared_events:
                _choice("event", value, declared_events, i)
            assert value is not None
            if value not in happened:
                happened[value] = ts
            for k in group.counted:  # targets counted from this event start now
                p = plans[k]
                if cl[k] is None and p.t.counted_from == value:
                    c = cl[k] = _Clock(p, ts, tz)
                    if current_status is not None and current_status in p.rule.pauses:
                        c.pause(ts, current_status)
            for k, action in group.by_event.get(value, ()):
                c = cl[k]
                if c is not None:
                    if action == 0:
                        c.stop(ts, tz)
                    elif action == 1:
                        c.restart(ts, tz)
                    else:
                        c.next_cycle(ts, tz)
            for k, (p, _cond) in enumerate(duties):  # obligations counted from this event start now
                c = dc[k]
                if c is None:
                    if p.t.counted_from == value:
                        z = dtz[k] = e.at.tzinfo
                        c = dc[k] = _Clock(p, ts, z)
                        if current_status is not None and current_status in p.rule.pauses:
                            c.pause(ts, current_status)
                elif value in p.rule.stops:
                    c.stop(ts, dtz[k])
        elif code == _MET:
            for k, p in enumerate(plans):
                c = cl[k]
                if p.t.id == e.value and c is not None:
                    c.stop(ts, tz)
                    break
            else:
                for k, (p, _cond) in enumerate(duties):
                    c = dc[k]
                    if p.t.id == e.value and c is not None:
                        c.stop(ts, dtz[k])
                        break
                else:
                    _choice("target or obligation", e.value,
                            [p.t.id for k, p in enumerate(plans) if cl[k] is not None]
                            + [p.t.id for k, (p, _c) in enumerate(duties) if dc[k] is not None], i)
        elif code == _RESOLVED:
            for c in cl:
                if c is not None:
                    c.stop(ts, tz)
        else:  # a priority change, an escalation, a condition: the ticket is decided again
            if code == _PRIO:
                if e.value is None:
                    raise _bad("priority: the new priority is missing", i)
                priority, request = e.value, None
            elif code == _ESC:
                if type(e.value) is not str or e.value not in channels:
                    _choice("channel", e.value, channels, i)
                for name in (escalations or {}).get(str(e.value), ()):  # `condition X … when escalated via CH`
                    holds[name] = True
            elif type(e.value) is str and e.value in conditions:
                holds[e.value] = True
            else:
                holds[_choice("condition", e.value, conditions, i)] = True
            try:
                new_decision = _decide(respond, tier, channel, registered_at, reg_ts, priority, request, holds)
            except TicketEventError:
                raise
            except PolicyQueryError as err:
                raise _bad(f"{e.kind}: {err}", i) from None
            if new_decision is not decision:
                decision = new_decision
                accepted = decision.accepted
                new = _plan(decision, clocks) if accepted else _NO_GROUP
                live = {p.t.id: c for p, c in zip(plans, cl) if c is not None}
                cl = _redecide(live, new.plans, ts, reg_ts, tz, priority_change, happened, current_status)
                group, plans = new, new.plans
    dts: dict[tuple[float, Any], datetime] = {}
    states = tuple([_state(p, c, at_ts, registered_at, tz, provisional, statuses, declared_events, dts)
                    for p, c in zip(plans, cl)])
    owed = tuple([_state(p, dc[k], at_ts, registered_at, dtz[k], provisional, statuses, declared_events, dts)
                  for k, (p, cond) in enumerate(duties) if cond is None or holds.get(cond)]) if accepted else ()
    return _new(TicketAnswer, (at, tier, channel, registered_at, accepted, decision.reported_priority,
                               decision.priority, decision.request, decision.clauses, decision.reasons, states,
                               decision.labels, owed))


def paused_deadline(ob: Any, start: object, paused: object, conditions: Mapping[str, object],
                    valid_conditions: Mapping[str, str]) -> Due[Any]:
    """obligation_due() of an obligation whose term stood still during `paused`: (from, to) pairs of
    aware datetimes, from <= to, at or after `start` (an aware datetime), not overlapping, in any
    order. The rule of ticket(): a pause moves a term in days by the days from its first day up to
    (not including) the day it ended (working days for a term in working days); a term in hours
    runs on by the time paused (working time for a working-time term); a pause that begins after
    the deadline moves nothing (the term was already missed). No pauses: obligation_due() as is.
    A notice (`at_least … before` a period's end) is refused: nothing pauses it."""
    if isinstance(paused, (str, bytes, Mapping)) or not isinstance(paused, Iterable):
        raise PolicyQueryError("paused must be an iterable of (from, to) pairs of aware datetimes, got "
                               f"{type(paused).__name__} {describe(paused)}", kind="type", argument="paused",
                               expected="iterable")
    pairs = list(paused)
    if not pairs:
        return obligation_due(ob, start, conditions, valid_conditions)
    if not _runs(ob):
        raise PolicyQueryError(f"obligation {ob.id!r} is a notice counted back from the end of "
                               f"{ob.before_period}: nothing pauses it (omit paused)", kind="unexpected",
                               argument="paused")
    obligation_due(ob, start, conditions, valid_conditions)  # the conditions and start, checked as without pauses
    begin = require_aware("start", start)
    spans: list[tuple[float, float, datetime]] = []
    for item in pairs:
        try:
            a, b = item
        except (TypeError, ValueError):
            raise PolicyQueryError(f"each pause is a (from, to) pair of aware datetimes, got {describe(item)}",
                                   kind="type", argument="paused") from None
        a, b = require_aware("paused from", a), require_aware("paused to", b)
        if b < a:
            raise PolicyQueryError(f"a pause ends ({b.isoformat()}) before it begins ({a.isoformat()})",
                                   kind="range", argument="paused")
        if a < begin:
            raise PolicyQueryError(f"a pause begins ({a.isoformat()}) before the term's start "
                                   f"({begin.isoformat()})", kind="range", argument="paused")
        spans.append((instant(a), instant(b), a))
    spans.sort(key=lambda x: x[0])
    for (_a0, b0, _x), (a1, _b1, x1) in pairwise(spans):
        if a1 < b0:
            raise PolicyQueryError(f"pauses overlap: one begins ({x1.isoformat()}) before the previous one ends",
                                   kind="range", argument="paused")
    p = _duty_plan(ob)
    tz = begin.tzinfo
    c = _Clock(p, instant(begin), tz)
    for a_ts, b_ts, _x in spans:
        c.pause(a_ts, "paused")
        c.resume(b_ts, tz)
    assert c.due_ts is not None
    due = _fromtimestamp(c.due_ts, p.tz or tz)
    return Due(due, provisional_years(ob.reading, ob.calendar, begin, due))


def _check_later(e: TicketEvent, code: int, i: int, statuses: Mapping[str, str], declared: Mapping[str, str],
                 channels: Mapping[str, str], conditions: Mapping[str, str]) -> None:
    """Check an event that is not replayed (after `at`, or on a refused ticket) all the same."""
    if code == _STATUS and e.value is not None:
        _choice("status", e.value, statuses, i)
    elif code == _EVENT:
        _choice("event", e.value, declared, i)
    elif code == _ESC:
        _choice("channel", e.value, channels, i)
    elif code == _COND:
        _choice("condition", e.value, conditions, i)
    elif code == _PRIO and e.value is None:
        raise _bad("priority: the new priority is missing", i)


def _redecide(live: dict[str, _Clock], plans: tuple[_Plan, ...], ts: float, reg_ts: float, tz: tzinfo | None,
              rule: str, happened: Mapping[str, float], current_status: str | None) -> list[_Clock | None]:
    """The clocks of `plans` once the ticket is decided again at ts (see the module docstring on the
    rules); `live`: the clocks that ran, by target."""
    out: list[_Clock | None] = []
    for p in plans:
        if p.none is not None:
            out.append(None)
            continue
        old = live.get(p.t.id)
        if old is None:  # a target the decision did not have: from its own start, or from the change
            natural = reg_ts if p.t.counted_from is None else happened.get(p.t.counted_from)
            if natural is None:
                out.append(None)  # counted from an event that has not happened
                continue
            c = _Clock(p, ts, tz) if rule != "recount" else _recounted(p, _Clock(p, natural, tz), natural, [], ts, tz)
        elif old.stopped or old.breached:  # a stopped clock stays stopped, a breach stays a breach
            c = old
        else:
            c = _Clock(p, ts, tz)
            c.cycles, c.breaches, c.breach_ts = old.cycles, old.breaches, old.breach_ts
            if rule == "keep" and p.timed and old.p.timed:  # the time elapsed counts against the new value
                c.used = old.elapsed(ts)
                c.due_ts = p.unw(c.seg + p.limit - c.used)  # type: ignore[operator]
                c.check(ts)
            elif rule != "restart":  # recount (and keep for a term in days): from the cycle's start
                c = _recounted(p, c, old.start_ts, old.pauses, ts, tz)
            if old.paused_ts is not None:
                if c.paused_ts is None and not c.breached:
                    c.pause(ts, old.status or "")
                    c.paused_ts = old.paused_ts
                c.status = old.status
        if current_status is not None and current_status in p.rule.pauses and c.paused_ts is None and not c.stopped:
            c.pause(ts, current_status)
        out.append(c)
    return out


def _recounted(p: _Plan, c: _Clock, start: float, pauses: list[list[float]], ts: float,
               tz: tzinfo | None) -> _Clock:
    """Clock `c` counted again on plan `p` from `start` to ts, standing still during `pauses`
    ([a, b], b < 0: still paused at ts); its breach recorded where the new value ran out."""
    c.begin(start, tz)
    c.pauses = [list(x) for x in pauses]
    if pauses and pauses[-1][1] < 0:
        c.paused_ts = pauses[-1][0]
    if not p.timed:
        due = c.due_ts
        for a, b in pauses:
            if due is not None:
                due = _move_days(p, due, a, b if b >= 0 else ts, tz, start)
        c.due_ts = due
        c.check(ts)
        return c
    runs, s0 = [], start  # the running segments: start..pause, resumption..pause, ..., last resumption..ts
    for a, b in pauses:
        runs.append((s0, a))
        s0 = b
    if s0 >= 0:
        runs.append((s0, ts))
    used = 0.0
    for s, e in runs:
        if e <= s:
            continue
        ws, we = p.w(s), p.w(e)
        if not c.breached and used + (we - ws) > p.limit:
            due = p.unw(ws + p.limit - used)
            if due < e or (p.strict and due <= e):
                c.due_ts, c.breached, c.breaches = due, True, c.breaches + 1
                if c.breach_ts is None:
                    c.breach_ts = due
        used += we - ws
    c.used = used
    if s0 >= 0:  # running at ts
        c.seg = p.w(ts)
        if not c.breached:
            c.due_ts = p.unw(c.seg + p.limit - used)
    else:  # still paused at ts
        c.seg = None
        c.paused_ts = pauses[-1][0]
    return c


def _state(p: _Plan, c: _Clock | None, at_ts: float, registered_at: datetime, tz: tzinfo | None,
           provisional: Callable[[Any, datetime, datetime | None], bool] | None, statuses: Mapping[str, str],
           declared: Mapping[str, str], dts: dict[tuple[float, Any], datetime]) -> TargetState:
    """Where `p`'s target stands at at_ts; `dts`: the datetimes made so far in this answer, by
    (instant, zone) (a due time is often the breach time, targets are often met by one event)."""
    fixed = p.fixed
    if fixed is not None:  # not computed: the same state whatever happened
        return fixed
    if c is None:  # counted from an event that has not happened
        ev = p.t.counted_from
        return _new(TargetState, (*p.head, "not_started", None, None, None, None, None, False, *p.cell, 0, 0,
                                  *p.reads, None, None, None, ev, declared.get(ev)))
    zone = p.tz or tz
    due_ts, stopped, breached, paused_ts = c.due_ts, c.stopped, c.breached, c.paused_ts
    # c.check(at_ts), inline: the breach of a running cycle past its due
    if (due_ts is not None and not breached and not stopped and paused_ts is None
            and (at_ts > due_ts or (at_ts == due_ts and p.strict))):
        c.breached = breached = True
        c.breaches += 1
        if c.breach_ts is None:
            c.breach_ts = due_ts
    if stopped:
        paused_ts = None
    # paused before it fell due: no due time until resumed
    due: datetime | None
    if due_ts is None or (paused_ts is not None and not breached):
        due = None
    else:
        due = dts.get((due_ts, zone))
        if due is None:
            due = dts[due_ts, zone] = _fromtimestamp(due_ts, zone)
    breaches = c.breaches
    if stopped:
        st = "breached" if breaches else "met"
    elif breached:
        st = "breached"
    elif paused_ts is not None:
        st = "paused"
    else:
        st = "running"
    elapsed: int | None
    remaining: int | None
    if p.timed:
        seg = c.seg
        elapsed = int(c.used if seg is None else c.used + p.w(at_ts) - seg)
        remaining = 0 if breached else max(p.limit - elapsed, 0)
    else:
        elapsed = remaining = None
    if due is None:
        prov = False
    elif provisional is None:  # Response.targets' rule, inline
        cal = p.pcal
        prov = cal is not None and due.year >= cal._prov_year and cal._provisional(due)
    else:
        prov = provisional(p.t, registered_at, due)
    breach_ts = c.breach_ts
    breached_at: datetime | None = None
    if breach_ts is not None:
        breached_at = dts.get((breach_ts, zone))
        if breached_at is None:
            breached_at = dts[breach_ts, zone] = _fromtimestamp(breach_ts, zone)
    if paused_ts is None:
        met_ts = c.met_ts
        met_at: datetime | None = None
        if met_ts is not None:
            met_at = dts.get((met_ts, zone))
            if met_at is None:
                met_at = dts[met_ts, zone] = _fromtimestamp(met_ts, zone)
        return _new(TargetState, (*p.head, st, due, elapsed, remaining, met_at, breached_at, prov, *p.cell,
                                  c.cycles, breaches, *p.reads, None, None, None, None, None))
    status_id = c.status
    return _new(TargetState, (*p.head, st, due, elapsed, remaining, None, breached_at, prov, *p.cell,
                              c.cycles, breaches, *p.reads, _fromtimestamp(paused_ts, zone), status_id,
                              statuses.get(status_id) if status_id else None, None, None))


