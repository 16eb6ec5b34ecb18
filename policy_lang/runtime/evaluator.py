"""Query logic shared by the generated evaluators: answers, explanations and date rules (stdlib only).

A generated module holds the contract as literal tables (what each tier may use, which channel
takes which request, each obligation's term) and thin named functions that look an answer up
and call the helpers here for the arithmetic.  Every answer is an immutable named tuple (cheap to define: import time matters) that carries
the clauses it rests on and Russian reasons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Generic, NamedTuple, TypeVar

from policy_lang.runtime.calendar import (
    BusinessCalendar,
    add_days,
    add_months,
    instant,
    last_day_of_term,
    term_end,
    term_last_day,
)
from policy_lang.runtime.errors import (
    _PLAIN_ZONES,
    MAX_YEAR,
    MIN_YEAR,
    PolicyQueryError,
    describe,
    require_aware,
    require_bool,
    require_choice,
    require_date,
    require_int,
)
from policy_lang.runtime.ru_text import cite, date_ru, datetime_ru, provisional_ru

__all__ = [
    "Attainment",
    "Decision",
    "Due",
    "Entitlement",
    "IncidentBalance",
    "Obligation",
    "PeriodTerm",
    "Price",
    "ProgramInfo",
    "Reinstatement",
    "Renewal",
    "Response",
    "RmaDecision",
    "RmaRule",
    "TargetAnswer",
    "TargetRule",
    "VoucherGrant",
    "VoucherRule",
    "WarrantyTerm",
    "apply_rule",
    "as_date",
    "attainment",
    "bad_response_query",
    "cell_due",
    "incident_balance",
    "lacks",
    "last_day_of_term",
    "obligation_deadline",
    "obligation_due",
    "period_end",
    "provisional_years",
    "reinstatement",
    "renewal",
    "renewal_at",
    "respond",
    "rma_eligibility",
    "shift",
    "target_deadline",
    "term_end",
    "term_last_day",
    "tier_for_points",
    "voucher_grants",
]

_SECONDS = {"minute": 60, "business_minute": 60, "hour": 3600, "business_hour": 3600}

#: The readings whose deadline is counted over the production calendar's working days: only these
#: can rest on a year without a decree.  Clock time and calendar days are what they are whatever
#: a decree moves (a 24x7 calendar has no provisional days either).
WORKING_READINGS = frozenset(("working_time", "business_days", "next_business_day"))


# -- answers --------------------------------------------------------------------------------

class ProgramInfo(NamedTuple):
    id: str
    title: str
    vendor: str
    edition: str | None
    source: str  # the main policy file, relative to the policies root
    sha256: str  # over every source file of the compilation


class Price(NamedTuple):
    """A typed price: amount and ISO currency, per unit (None: a lump sum); `text` as the annex prints it."""

    amount: Decimal
    currency: str
    per: str | None
    text: str


class Entitlement(NamedTuple):
    """One cell of a tier x service matrix; a priced cell is not granted: it is bought at `price`."""

    tier: str
    service: str
    title: str  # the service's Russian title
    granted: bool
    count: int | None  # type: ignore[assignment]  # vouchers, contacts, days ... (shadows tuple.count)
    priorities: tuple[str, ...] | None  # ("P1",) for "only priority 1"
    clause: str
    text: str  # the cell as the contract prints it: "Да", "Только уровень критичности 1", "3"
    price: Price | None = None


class TargetRule(NamedTuple):
    """One applicable target cell, as the compiler decided it: how its deadline is counted."""

    id: str  # the target: response, resolution, restore ...
    title: str  # its Russian name
    reading: str  # clock | working_time | calendar_days | business_days | next_*_day | not_regulated
    seconds: int | None
    amount: int | None
    unit: str | None
    cutoff: int | None  # minutes from local midnight
    calendar: BusinessCalendar | None
    calendar_title: str | None
    strength: str  # guaranteed | efforts
    percentile: tuple[Decimal, str] | None  # (95, "month")
    clause: str | None
    text: str  # the cell as the annex prints it (for `as_written`: the words, never computed)
    counted_from: str | None  # an event id; None: the registration
    strict: bool = False  # a strict bound (`< 4h`): met only strictly before the deadline


#: The readings that give no deadline: no term, or a term in words (`"по согласованию сторон"`).
UNCOMPUTED = frozenset(("not_regulated", "as_written"))


class TargetAnswer(NamedTuple):
    """A target's deadline for one request (the deadline last: the rest is fixed per decision)."""

    id: str
    title: str
    reading: str
    calendar: str | None
    strength: str
    percentile: tuple[Decimal, str] | None
    clause: str | None
    text: str
    regulated: bool  # False: not regulated, or a term in words (`text`, reading `as_written`)
    deadline: datetime | None  # None: not computed (not regulated, words), or counted from an event
    provisional: bool = False  # the deadline's working days cross a year without a decree (Due)


_T = TypeVar("_T", bound=date)  # datetime for a target, datetime | date for an obligation


class Due(NamedTuple, Generic[_T]):
    """A deadline and the years without a published transfer decree its count crossed.

    `provisional_years` is computed, not guessed: the years (from the production calendar's
    `provisional_from` on) of the working days a working-time or working-day count went through;
    empty for clock time, calendar days and 24x7 calendars, which no decree changes.
    """

    deadline: _T
    provisional_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        """True when a year without a decree decides the deadline (see provisional_years)."""
        return bool(self.provisional_years)

    @property
    def note(self) -> str | None:
        """The Russian sentence saying the deadline is provisional (None: it is not)."""
        return provisional_ru(self.provisional_years) if self.provisional_years else None


def provisional_years(reading: str | None, cal: BusinessCalendar | None, start: date | datetime,
                      deadline: date | datetime | None) -> tuple[int, ...]:
    """The years without a decree a count read as `reading` on `cal` from `start` to `deadline`
    crossed (the one rule for every deadline the evaluator returns); () when none did."""
    if deadline is None or cal is None or reading not in WORKING_READINGS:
        return ()
    return cal.provisional_years(start, deadline)


class Decision(NamedTuple):
    """What the contract says for one (tier, channel, reported priority), whatever the time."""

    tier: str
    channel: str
    reported_priority: str | None
    accepted: bool
    priority: str | None  # effective, after reclassification
    # Response time in clock or working seconds of `calendar`; None: none, or counted in days
    # (`response_rule`).  Filled by prepare() from `targets`, with whether there is a deadline at all.
    seconds: int | None = None
    calendar: BusinessCalendar | None = None  # the response target's calendar
    calendar_title: str | None = None
    clauses: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    request: str | None = None
    hours: BusinessCalendar | None = None  # the channel takes requests only when this is open
    closed: Decision | None = None  # the answer outside `hours`
    targets: tuple[TargetRule, ...] = ()
    party: str | None = None  # who acts on the request
    heads: tuple[tuple[Any, ...], ...] = ()  # per target, the TargetAnswer fields but the deadline (prepare())
    only_response: bool = False  # the one target is the response: Response.targets reuses .deadline
    response_head: tuple[Any, ...] | None = None  # heads[0] when only_response (prepare())
    labels: Mapping[str, str] = {}  # priority id -> how the contract names it ("P1", "Критический")
    working_days: BusinessCalendar | None = None  # the response deadline's count rests on its working days (prepare())
    response_rule: TargetRule | None = None  # the response target, when it has a deadline from the registration (prepare())


def from_registration(t: TargetRule) -> bool:
    """Whether a target's deadline is counted from the registration, so that an answer carries it:
    the one rule for "has this request a computable deadline" (a not-regulated cell has none; one
    counted from an event has it from target_deadline() with that event as `start`)."""
    return t.reading not in UNCOMPUTED and t.counted_from is None


def prepare(decisions: dict[Any, Decision], labels: Mapping[str, str] | None = None) -> dict[Any, Decision]:
    """Fill each Decision's `heads` once, at import, so that Response.targets only adds deadlines."""
    out = {}
    for key, d in decisions.items():
        heads = tuple((t.id, t.title, t.reading, t.calendar.name if t.calendar else None, t.strength,
                       t.percentile, t.clause, t.text, t.reading not in UNCOMPUTED) for t in d.targets)
        closed = d.closed._replace(labels=labels or {}) if d.closed is not None else None
        only = len(d.targets) == 1 and d.targets[0].id == "response"
        rule = next((t for t in d.targets if t.id == "response" and from_registration(t)), None)
        reading: str | None
        if d.targets:  # the response deadline, from the response target (if any)
            seconds = rule.seconds if rule is not None and rule.reading in ("clock", "working_time") else None
            reading = rule.reading if rule is not None else None
        else:  # a Decision written by hand: `seconds` of working time on `calendar`
            seconds, reading = d.seconds, "working_time" if d.seconds is not None else None
        cal = rule.calendar if rule is not None else d.calendar
        # the calendar whose working days the response deadline is counted over, when it has
        # days without a decree (None: no deadline, clock time, calendar days, a 24x7 calendar)
        days = cal if reading in WORKING_READINGS and cal is not None and cal.provisional_from is not None else None
        out[key] = d._replace(heads=heads, closed=closed, only_response=only, labels=labels or {},
                              response_head=heads[0] if only else None, seconds=seconds, working_days=days,
                              response_rule=rule)
    return out


def while_conditions(decision: Decision, answers: Mapping[tuple[Any, ...], Decision], key: tuple[Any, ...],
                     conditions: Mapping[str, object], valid_conditions: Mapping[str, str]) -> Decision:
    """The answer while the conditions passed as True hold (a `reclassify … when`), else `decision`."""
    for name, value in conditions.items():
        require_choice("condition", name, tuple(valid_conditions))
        require_bool(f"condition {name!r}", value)
    for name, value in conditions.items():
        if value and (*key, name) in answers:
            return answers[(*key, name)]
    return decision


_new = tuple.__new__


class Response(NamedTuple):
    """The answer to "is this request accepted, at what priority, and by when?"."""

    decision: Decision
    registered_at: datetime
    deadline: datetime | None  # aware, in the calendar's zone

    @property
    def accepted(self) -> bool:
        return self.decision.accepted

    @property
    def tier(self) -> str:
        return self.decision.tier

    @property
    def channel(self) -> str:
        return self.decision.channel

    @property
    def reported_priority(self) -> str | None:
        return self.decision.reported_priority

    @property
    def priority(self) -> str | None:
        return self.decision.priority

    @property
    def clauses(self) -> tuple[str, ...]:
        return self.decision.clauses

    @property
    def request(self) -> str | None:
        return self.decision.request

    @property
    def targets(self) -> tuple[TargetAnswer, ...]:
        """Every applicable target with its deadline, calendar, strength and clause."""
        d = self[0]
        head = d.response_head
        deadline = self[2]
        cal = d.working_days
        # (the year test inline: a deadline before the calendar's first year without a decree
        # is the common case, and a method call would cost it a tenth of the answer)
        provisional = (cal is not None and deadline is not None and deadline.year >= cal._prov_year
                       and cal._provisional(deadline))
        if head is not None:  # the common case, kept cheap: the deadline respond() computed
            return (_new(TargetAnswer, head + (deadline, provisional)),)
        at = self[1]
        out = []
        for t, h in zip(d.targets, d.heads):
            if t.id == "response":  # computed once, by respond()
                out.append(_new(TargetAnswer, h + (deadline, provisional)))
            else:
                due = _due(t, at)
                out.append(_new(TargetAnswer, h + due if due is not None else h + (None, False)))
        return tuple(out)

    @property
    def clock_starts(self) -> datetime | None:
        """When the response time starts to run: registration, or the next opening."""
        d = self.decision
        if self.deadline is None or d.calendar is None:
            return None
        return d.calendar.next_opening(self.registered_at)

    @property
    def provisional(self) -> bool:
        """True when the response deadline's working days cross a year whose production calendar is
        computed by Labour Code art. 112 because the Government's transfer decree is not yet
        published (each target answer says so of its own deadline: TargetAnswer.provisional)."""
        cal, deadline = self[0].working_days, self[2]
        return cal is not None and deadline is not None and cal._provisional(deadline)

    @property
    def reasons(self) -> tuple[str, ...]:
        d = self.decision
        if self.deadline is None:
            return d.reasons
        extra = []
        starts = self.clock_starts
        if starts is not None and starts.timestamp() != self.registered_at.timestamp():
            extra.append(f"Заявка зарегистрирована вне рабочего времени (календарь "
                         f"«{d.calendar_title}»): срок отсчитывается с {datetime_ru(starts)}.")
        extra.append(f"Ответ должен поступить не позднее {datetime_ru(self.deadline)}.")
        note = self._provisional_note()
        if note is not None:
            extra.append(note)
        return d.reasons + tuple(extra)

    def _provisional_note(self) -> str | None:
        """The one provisional sentence of the answer: of its one deadline, or naming the targets
        whose deadlines are provisional when it has several (None: none is)."""
        d, at, deadline = self[0], self[1], self[2]
        answers = self.targets
        rules = d.targets or ()
        dated = sum(1 for t in answers if t.deadline is not None) or (1 if deadline is not None else 0)
        years: set[int] = set()
        titles = []
        if not rules and self.provisional:  # a Decision without targets: its response deadline
            years.update(provisional_years("working_time", d.working_days, at, deadline))
        for rule, t in zip(rules, answers):
            if t.provisional:
                years.update(provisional_years(rule.reading, rule.calendar, at, t.deadline))
                titles.append(t.title)
        if not years:
            return None
        return provisional_ru(years, titles if dated > 1 else ())

    def explain(self) -> str:
        """A short Russian explanation citing the clauses."""
        d = self.decision
        head = "Заявка принята" if d.accepted else "Заявка не принимается"
        labels = d.labels
        if d.priority is not None:
            head += f", приоритет {labels.get(d.priority, d.priority)}"
            if d.reported_priority is not None and d.reported_priority != d.priority:
                head += f" (заявлен {labels.get(d.reported_priority, d.reported_priority)})"
        if self.deadline is not None:
            head += f", срок реакции — до {datetime_ru(self.deadline)}"
        lines = [head + "."]
        for t in self.targets:
            if t.id == "response":
                continue
            if t.reading == "as_written":
                lines.append(f"{t.title}: {t.text} (срок не исчисляется{', ' + cite(t.clause) if t.clause else ''}).")
                continue
            when = f"до {datetime_ru(t.deadline)}" if t.deadline is not None else (
                "не регламентируется" if not t.regulated else "от события, указанного в договоре")
            lines.append(f"{t.title}: {when} ({t.text}{', ' + cite(t.clause) if t.clause else ''}).")
        lines += [f"— {r}" for r in self.reasons]
        if d.clauses:
            lines.append("Основание: " + ", ".join(cite(c) for c in d.clauses) + ".")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON: datetimes in ISO 8601."""
        return {
            "accepted": self.accepted, "tier": self.tier, "channel": self.channel,
            "reported_priority": self.reported_priority, "priority": self.priority,
            "request": self.request,
            "registered_at": self.registered_at.isoformat(),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "provisional": self.provisional,
            "targets": [{
                "id": t.id, "title": t.title, "deadline": t.deadline.isoformat() if t.deadline else None,
                "reading": t.reading, "calendar": t.calendar, "strength": t.strength,
                "percentile": [str(t.percentile[0]), t.percentile[1]] if t.percentile else None,
                "clause": t.clause, "text": t.text, "regulated": t.regulated, "provisional": t.provisional,
            } for t in self.targets],
            "clauses": list(self.clauses), "reasons": list(self.reasons),
        }


def _due(t: TargetRule, registered_at: datetime) -> tuple[datetime, bool] | None:
    """(deadline, provisional) of a target counted from the registration; None: not regulated or
    counted from an event."""
    if not from_registration(t):
        return None
    at = target_deadline(t.reading, t.seconds, t.amount, t.unit, t.cutoff, t.calendar, registered_at)
    return at, bool(provisional_years(t.reading, t.calendar, registered_at, at))


def target_deadline(reading: str, seconds: int | None, amount: int | None, unit: str | None,
                    cutoff: int | None, cal: BusinessCalendar | None, start: datetime) -> datetime:
    """The deadline of a term counted from `start`: one function for targets and obligations.

    clock: elapsed seconds; working_time: the calendar's working seconds; business_days: 23:59:59
    of the n-th working day after the start day; calendar_days: 23:59:59 of the last day (weeks and
    months as calendar units); next_business_day / next_calendar_day: 23:59:59 of the next
    (working) day, a start after `cutoff` counting as made on the following (working) day.
    """
    # the compiler gives each reading what it needs: seconds (and a calendar) for time, an amount for days
    if reading == "working_time":
        assert cal is not None and seconds is not None
        return cal.add_working_time(start, seconds)
    if reading == "clock":
        assert seconds is not None
        tz = cal.tz if cal is not None else start.tzinfo
        return datetime.fromtimestamp(start.timestamp() + seconds, tz)
    if reading == "business_days":
        assert cal is not None and amount is not None
        return cal.end_of_day(cal.add_business_days(start, amount))
    tz = cal.tz if cal is not None else start.tzinfo
    local = start.astimezone(tz)
    if reading == "calendar_days":
        assert amount is not None
        last = shift(local.date(), amount, unit or "day")
        return datetime(last.year, last.month, last.day, 23, 59, 59, tzinfo=tz)
    # "after 15:00": 15:00:00 itself is in time, 15:00:01 is late
    late = cutoff is not None and (local.hour * 60 + local.minute) * 60 + local.second > cutoff * 60
    if reading == "next_business_day":
        assert cal is not None
        day = local.date()
        if cutoff is not None and (late or not cal.is_working_day(day)):
            day = cal.add_business_days(day, 1)  # received on the next working day
        return cal.end_of_day(cal.add_business_days(day, 1))
    if reading == "next_calendar_day":
        last = local.date() + timedelta(days=2 if late else 1)
        return datetime.combine(last, time(23, 59, 59), tz)
    raise PolicyQueryError(f"a term read as {reading!r} has no deadline")


def cell_deadline(cells: Mapping[tuple[Any, ...], TargetRule], targets: Mapping[str, str], tiers: tuple[str, ...],
                  priorities: tuple[str, ...], requests: Mapping[str, tuple[str, str]], target: object,
                  tier: object, start: object, priority: object, request: object) -> datetime | None:
    """target_deadline() of a generated evaluator: cell_due()'s deadline alone."""
    due = cell_due(cells, targets, tiers, priorities, requests, target, tier, start, priority, request)
    return due.deadline if due is not None else None


def cell_due(cells: Mapping[tuple[Any, ...], TargetRule], targets: Mapping[str, str], tiers: tuple[str, ...],
             priorities: tuple[str, ...], requests: Mapping[str, tuple[str, str]], target: object,
             tier: object, start: object, priority: object, request: object) -> Due[datetime] | None:
    """target_due() of a generated evaluator: find the cell (request row, priority row, `any`),
    count its term from `start` and say which years without a decree the count crossed."""
    require_choice("target", target, tuple(targets))
    require_choice("tier", tier, tuple(tiers))
    if request is not None:
        require_choice("request", request, tuple(requests))
        if priority is None:
            priority = requests[request][1]  # type: ignore[index]
    if priority is not None:
        require_choice("priority", priority, tuple(priorities))
    at = require_aware("start", start)
    rule = (cells.get((target, tier, request)) if request is not None else None) \
        or cells.get((target, tier, priority)) or cells.get((target, tier, None))
    if rule is None:
        raise PolicyQueryError(f"target {target!r} states nothing for tier {tier!r}"
                               + (f" and {priority!r}" if priority else ""), argument="tier")
    if rule.reading in UNCOMPUTED:
        return None
    end = target_deadline(rule.reading, rule.seconds, rule.amount, rule.unit, rule.cutoff, rule.calendar, at)
    return Due(end, provisional_years(rule.reading, rule.calendar, at, end))


class Attainment(NamedTuple):
    """How a percentile target was met in one window (a calendar month, quarter or year)."""

    target: str
    window: str  # "2026-11", "2026-Q4", "2026"
    row: str | None  # the priority or request type
    required: Decimal  # percent
    met: int
    total: int
    attained: bool

    @property
    def share(self) -> Decimal:
        return Decimal(100) * self.met / self.total if self.total else Decimal(0)


def attainment(target: str, closed: Iterable[tuple[Response, object] | tuple[Response, object, object]]
               ) -> tuple[Attainment, ...]:
    """Attainment of a percentile target over closed tickets: (Response, done_at) pairs, or
    (Response, done_at, start) triples.

    A ticket meets the target when done_at is at or before its deadline (strictly before, for a
    strict bound). The deadline counts from the registration (`resp.registered_at`), or, for a
    target counted from an event (`from EVENT`: TargetRule.counted_from), from `start`, the aware
    datetime that event happened at: such a target needs triples, and a pair, or a start of None,
    is refused (PolicyQueryError, kind "missing") rather than counted from the registration; a
    start before the registration is refused too (kind "range"). For a target counted from the
    registration the third item must be None (or left out): a start is refused (kind
    "unexpected"). Windows follow the registration's local date in the target calendar's zone.
    Tickets the target does not apply to (refused, other tiers, no percentile) are skipped.
    """
    if isinstance(closed, (str, bytes)) or not isinstance(closed, Iterable):
        raise PolicyQueryError("closed must be an iterable of (Response, done_at) pairs or (Response, done_at, "
                               f"start) triples, got {type(closed).__name__} {describe(closed)}", kind="type",
                               argument="closed", expected="iterable")
    groups: dict[tuple[str, str | None, Decimal], list[bool]] = {}
    for item in closed:
        try:
            resp, done_at, *rest = item
            if len(rest) > 1:
                raise ValueError
        except (TypeError, ValueError):
            raise PolicyQueryError("each closed ticket is a (Response, done_at) pair or a (Response, done_at, "
                                   f"start) triple, got {describe(item)}", kind="type", argument="closed") from None
        if not isinstance(resp, Response):
            raise PolicyQueryError(f"expected a Response from response(), got {type(resp).__name__}",
                                   kind="type", argument="closed")
        start: object = rest[0] if rest else None
        done = require_aware("done_at", done_at)
        rule = next((t for t in resp.decision.targets if t.id == target), None)
        if rule is None or rule.percentile is None or rule.reading in UNCOMPUTED:
            if start is not None:
                require_aware("start", start)
            continue
        begin = resp.registered_at
        if rule.counted_from is not None:
            if start is None:
                raise PolicyQueryError(
                    f"target {target!r} is counted from the event {rule.counted_from!r}, not from the "
                    f"registration: give each ticket as (response, done_at, start), start the time "
                    f"{rule.counted_from} happened", kind="missing", argument="closed", event=rule.counted_from)
            begin = require_aware("start", start)
            if begin < resp.registered_at:
                raise PolicyQueryError(f"start {begin.isoformat()} ({rule.counted_from}) is before the registration "
                                       f"{resp.registered_at.isoformat()}", kind="range", argument="closed")
        elif start is not None:
            raise PolicyQueryError(f"target {target!r} is counted from the registration: give (response, done_at) "
                                   f"pairs, or None as start (got {describe(start)})", kind="unexpected",
                                   argument="closed")
        due = target_deadline(rule.reading, rule.seconds, rule.amount, rule.unit, rule.cutoff, rule.calendar, begin)
        local = resp.registered_at.astimezone(rule.calendar.tz if rule.calendar else resp.registered_at.tzinfo)
        per = rule.percentile[1]
        window = (f"{local.year}-{local.month:02d}" if per == "month" else
                  f"{local.year}-Q{(local.month - 1) // 3 + 1}" if per == "quarter" else f"{local.year}")
        row = resp.decision.request or resp.priority
        groups.setdefault((window, row, rule.percentile[0]), []).append(done < due if rule.strict else done <= due)
    out = []
    for (window, row, required), hits in sorted(groups.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        met = sum(hits)
        out.append(Attainment(target, window, row, required, met, len(hits),
                              Decimal(100) * met >= required * len(hits)))
    return tuple(out)


def respond(decision: Decision, registered_at: datetime) -> Response:  # hot path
    """The Response for a looked-up decision: the deadline is the only thing time changes."""
    if (type(registered_at) is not datetime or type(registered_at.tzinfo) not in _PLAIN_ZONES
            or not MIN_YEAR <= registered_at.year <= MAX_YEAR):
        # the slow path explains what is wrong, or pins an exotic tzinfo to its UTC offset
        registered_at = require_aware("registered_at", registered_at)
    t = instant(registered_at)
    hours = decision.hours
    if hours is not None and not hours._open(registered_at, t):
        return _new(Response, (decision.closed, registered_at, None))
    seconds = decision.seconds
    if seconds:  # the common case: working seconds on the decision's calendar
        return _new(Response, (decision, registered_at, decision.calendar._add(registered_at, seconds, t)))  # type: ignore[union-attr]
    if seconds is None:
        rule = decision.response_rule  # a response target counted in days: the general path
        if rule is not None:
            return Response(decision, registered_at, target_deadline(
                rule.reading, rule.seconds, rule.amount, rule.unit, rule.cutoff, rule.calendar, registered_at))
        return _new(Response, (decision, registered_at, None))
    return _new(Response, (decision, registered_at,
                           decision.calendar.add_working_time(registered_at, seconds)))  # type: ignore[union-attr]


def bad_response_query(tiers: Iterable[str], channels: Iterable[str],
                       priorities: Iterable[str], tier: object, channel: object,
                       priority: object, requests: Iterable[str] = (),
                       request: object = None) -> PolicyQueryError:
    """The error for a response() query that matched no decision: says which argument is wrong."""
    require_choice("tier", tier, tuple(tiers))
    require_choice("channel", channel, tuple(channels))
    requests = tuple(requests)
    if request is not None:
        if not requests:
            return PolicyQueryError(f"this program defines no request types: omit request (got "
                                    f"{describe(request)})", kind="unexpected", argument="request")
        try:
            require_choice("request", request, requests)
        except PolicyQueryError as e:
            return e
        return PolicyQueryError(f"give either priority or request, not both (got {describe(priority)} "
                                f"and {describe(request)})", kind="unexpected", argument="priority")
    priorities = tuple(priorities)
    if not priorities:
        return PolicyQueryError(
            f"this program defines no priorities: omit priority (got {describe(priority)})",
            kind="unexpected", argument="priority")
    if priority is None:
        return PolicyQueryError(f"priority is required; valid: {', '.join(priorities)}",
                                kind="missing", argument="priority")
    try:
        require_choice("priority", priority, priorities)
    except PolicyQueryError as e:
        return e
    return PolicyQueryError(f"no decision for {tier!r}, {channel!r}, {describe(priority)}")


def lacks(program: str, what: str) -> PolicyQueryError:
    """The error for a helper the program has nothing for, e.g. vouchers in Juniper Care Core."""
    return PolicyQueryError(f"program {program!r} defines no {what}", kind="lacks")


# -- points ---------------------------------------------------------------------------------

def tier_for_points(points: object, bands: tuple[tuple[str, int, int | None], ...]) -> str:
    """The tier whose [low, high] band holds `points`; high None is open-ended."""
    points = require_int("points", points, 0)
    for tier, low, high in bands:
        if low <= points and (high is None or points <= high):
            return tier
    raise PolicyQueryError(f"no tier for {describe(points)} points", kind="range", argument="points")


# -- dates ----------------------------------------------------------------------------------

def as_date(name: str, value: object) -> date:
    """A date within MIN_YEAR..MAX_YEAR; an aware datetime gives its own local date, a naive one
    is refused."""
    return require_date(name, value)


def shift(value: date | datetime, amount: int, unit: str) -> Any:
    """`value` moved by `amount` calendar units (negative: back); months clip (Civil Code 192).

    A date moved, e.g. the last day of a notice before a period's end or a term counted from an
    event; the end of a term from its first day is term_end().  An answer outside
    MIN_YEAR..MAX_YEAR is refused like a question outside them.
    """
    try:
        out = _shift(value, amount, unit)
    except (OverflowError, ValueError, OSError) as e:
        if isinstance(e, PolicyQueryError):
            raise
        out = None
    if out is None or not MIN_YEAR <= out.year <= MAX_YEAR:
        raise PolicyQueryError(f"{value.isoformat()} moved by {describe(amount)} {unit}(s) is outside "
                               f"the years {MIN_YEAR}..{MAX_YEAR} this evaluator answers for",
                               kind="range", low=MIN_YEAR, high=MAX_YEAR)
    return out


def _shift(value: date | datetime, amount: int, unit: str) -> Any:
    if unit in ("day", "calendar_day"):
        return add_days(value, amount)
    if unit == "week":
        return add_days(value, 7 * amount)
    if unit == "month":
        return add_months(value, amount)
    if unit == "year":
        return add_months(value, 12 * amount)
    if unit in ("minute", "hour"):
        start = require_aware("start", value)
        return datetime.fromtimestamp(start.timestamp() + amount * _SECONDS[unit], start.tzinfo)
    raise PolicyQueryError(f"cannot move a date by {unit}")


# -- obligations ----------------------------------------------------------------------------

class Obligation(NamedTuple):
    """A timed obligation: `within` a term from `start_event`, or `before` the end of a period."""

    id: str
    title: str
    clause: str | None
    party: str | None
    start_event: str | None
    amount: int
    unit: str  # business_day, business_hour, day, month, year ...
    term_text: str  # "20 рабочих дней"
    before_period: str | None  # set for "at least N before the end of <period>"
    calendar: BusinessCalendar | None
    condition: str | None
    condition_title: str | None
    text: str | None
    note: str | None
    reading: str | None = None  # how `within` is counted (see target_deadline); None: a notice
    seconds: int | None = None
    # over a ticket's life (runtime.ticket): statuses in which the term stands still (`pause while`)
    # and events that fulfil it (`stop on`); appended, empty by default: older modules' literals stay valid
    pauses: tuple[str, ...] = ()
    stops: tuple[str, ...] = ()


def obligation_deadline(ob: Obligation, start: object, conditions: Mapping[str, object],
                        valid_conditions: Mapping[str, str]) -> Any:
    """The last moment to fulfil `ob` (for a notice: the last moment to give it)."""
    for name, value in conditions.items():
        require_choice("condition", name, tuple(valid_conditions))
        require_bool(f"condition {name!r}", value)
    if ob.condition is not None and conditions.get(ob.condition) is not True:
        raise PolicyQueryError(
            f"obligation {ob.id!r} applies only when {ob.condition} "
            f"({ob.condition_title}); pass {ob.condition}=True",
            kind="condition", argument=ob.condition)
    if ob.before_period is not None:  # start = the end of the period
        if not isinstance(start, date):
            raise PolicyQueryError(f"start must be the end of {ob.before_period}: a date or an "
                                   f"aware datetime, got {type(start).__name__} {describe(start)}",
                                   kind="type", argument="start", expected="date")
        checked = require_aware("start", start) if isinstance(start, datetime) else require_date("start", start)
        return shift(checked, -ob.amount, ob.unit)
    if ob.reading in ("working_time", "business_days") or (ob.reading == "clock" and isinstance(start, datetime)):
        start = require_aware("start", start)
        return target_deadline(ob.reading, ob.seconds, ob.amount, ob.unit, None, ob.calendar, start)
    if isinstance(start, datetime):
        start = require_aware("start", start)
        if ob.unit in ("minute", "hour"):
            return shift(start, ob.amount, ob.unit)
        # A term in days, weeks, months or years ends at the end of its last day (Civil Code
        # art. 191-194), local time of the obligation's calendar, else of `start`.
        tz = ob.calendar.tz if ob.calendar is not None else start.tzinfo
        local = start.astimezone(tz)
        last_day = shift(local.date(), ob.amount, ob.unit)
        return datetime(last_day.year, last_day.month, last_day.day, 23, 59, 59, tzinfo=tz)
    if not isinstance(start, date):
        raise PolicyQueryError(f"start must be an aware datetime, got {type(start).__name__} "
                               f"{describe(start)}", kind="type", argument="start", expected="datetime")
    return shift(require_date("start", start), ob.amount, ob.unit)


def obligation_due(ob: Obligation, start: object, conditions: Mapping[str, object],
                   valid_conditions: Mapping[str, str]) -> Due[datetime | date]:
    """obligation_deadline() and the years without a decree it rests on: only a term in working
    time or working days (`reading`) on the obligation's calendar can; a term in calendar units,
    or one counted back from a period's end, never does."""
    end = obligation_deadline(ob, start, conditions, valid_conditions)
    if ob.before_period is not None or not isinstance(start, date):
        return Due(end)
    return Due(end, provisional_years(ob.reading, ob.calendar, start, end))


# -- periods, renewal, reinstatement --------------------------------------------------------

class PeriodTerm(NamedTuple):
    id: str
    title: str
    clause: str | None
    length: tuple[int, str]
    renews: tuple[int, str] | None
    notice: tuple[int, str] | None  # notice against renewal: at least this long before the end
    notice_clause: str | None


#: More renewals than MIN_YEAR..MAX_YEAR can hold of the shortest renewal a policy states.
_MAX_TERMS = (MAX_YEAR - MIN_YEAR + 1) * 366


def period_end(p: PeriodTerm, start: object, renewals: object) -> date:
    """The day the period (and `renewals` automatic renewals) ends: exclusive, term_end() of its
    length from `start`; each renewal is a new term from the day the previous one ended.

    Never provisional: a term in calendar days, weeks, months or years (Civil Code art. 190-192)
    ends where it ends whatever a transfer decree moves (so are renewal(), reinstatement(),
    voucher_grants() and the warranty ends of rma_eligibility() and apply_rule())."""
    first = as_date("start", start)
    count = require_int("renewals", renewals, 0, _MAX_TERMS)
    end = term_end(first, *p.length)
    if count:
        if p.renews is None:
            raise PolicyQueryError(f"period {p.id!r} does not renew automatically",
                                   kind="range", argument="renewals")
        end = terms_end(end, count, p.renews)
    return end


def terms_end(first_day: date, count: int, term: tuple[int, str]) -> date:
    """The exclusive end of `count` consecutive terms, the first starting on `first_day`."""
    amount, unit = term
    if unit not in ("month", "year"):  # days add up exactly
        return term_end(first_day, amount * count, unit)
    end = first_day
    for _ in range(count):  # months clip at a month's end: each term is counted on its own
        end = term_end(end, amount, unit)
    return end


class Renewal(NamedTuple):
    renews: bool
    period_end: date
    notice_deadline: date | None  # the last day a notice against renewal may be given
    next_period_end: date | None
    clauses: tuple[str, ...]
    reason: str


def renewal(p: PeriodTerm, start: object, notice_on: object | None) -> Renewal:
    """Whether the period starting `start` renews, given a notice against renewal (or none)."""
    return renewal_at(p, period_end(p, start, 0), notice_on)


def renewal_at(p: PeriodTerm, end: date, notice_on: object | None, what: str = "период") -> Renewal:
    """renewal() for a term that ends (exclusive) on `end`: a contract's own term, for one."""
    given = as_date("notice_on", notice_on) if notice_on is not None else None  # checked either way
    clauses = tuple(dict.fromkeys(c for c in (p.clause, p.notice_clause) if c))
    if p.renews is None:
        return Renewal(False, end, None, None, clauses,
                       f"Период «{p.title}» не продлевается автоматически.")
    nxt = term_end(end, *p.renews)
    deadline = shift(end, -p.notice[0], p.notice[1]) if p.notice else None
    if given is None:
        return Renewal(True, end, deadline, nxt, clauses,
                       f"Уведомление об отказе не направлено: {what} продлевается до {date_ru(nxt)}")
    if deadline is None or given <= deadline:
        return Renewal(False, end, deadline, None, clauses,
                       f"Уведомление от {date_ru(given)} направлено своевременно: {what} "
                       f"заканчивается {date_ru(end)} без продления.")
    return Renewal(True, end, deadline, nxt, clauses,
                   f"Уведомление от {date_ru(given)} направлено позже {date_ru(deadline)}: "
                   f"{what} продлевается до {date_ru(nxt)}")


class Reinstatement(NamedTuple):
    pay_from: date  # the lapse
    pay_until: date  # reactivation + one following period (exclusive)
    clause: str | None
    reason: str


def reinstatement(extra: tuple[int, str], clause: str | None, lapsed_on: object,
                  reactivated_on: object) -> Reinstatement:
    lapse = as_date("lapsed_on", lapsed_on)
    back = as_date("reactivated_on", reactivated_on)
    if back < lapse:
        raise PolicyQueryError(f"reactivated_on {back} is before lapsed_on {lapse}", kind="range",
                               argument="reactivated_on")
    until = term_end(back, *extra)
    return Reinstatement(lapse, until, clause,
                         f"Оплачивается время с {date_ru(lapse)} до повторной активации "
                         f"{date_ru(back)} и следующий период до {date_ru(until)} (не включая).")


# -- vouchers -------------------------------------------------------------------------------

class VoucherRule(NamedTuple):
    id: str
    title: str
    clause: str | None
    counts: tuple[tuple[str, int], ...]  # (tier, count per grant)
    expires_after: tuple[int, str] | None
    expires_with: PeriodTerm | None
    reissued_every: tuple[int, str] | None


class VoucherGrant(NamedTuple):
    """One issue of vouchers; its dates are calendar terms (term_end()), never provisional."""

    vouchers: str
    tier: str
    count: int  # type: ignore[assignment]  # (shadows tuple.count)
    year: int  # 1 for the first year of the support period
    valid_from: date
    expires: date | None  # valid before this date (exclusive); None: the policy states no expiry
    clause: str | None


def _reissue_interval(rule: VoucherRule) -> tuple[int, str] | None:
    """How often new vouchers are issued: `reissued every`, else each renewed period; None: once."""
    return rule.reissued_every or (rule.expires_with.length if rule.expires_with else None)


def voucher_grants(rule: VoucherRule, tier: object, period_start: object,
                   years: object) -> tuple[VoucherGrant, ...]:
    """One grant per year of the support period (re-issued each year, or each renewed period)."""
    counts = dict(rule.counts)
    require_choice("tier", tier, tuple(counts))
    start, n = _grant_args(period_start, years)
    every = _reissue_interval(rule)
    if n > 1 and every is None:
        raise PolicyQueryError(f"vouchers {rule.id!r} are not re-issued: years must be 1",
                               kind="range", argument="years", low=1, high=1)
    life = rule.expires_after or (rule.expires_with.length if rule.expires_with else None)
    grants = []
    valid_from = start
    for k in range(n):
        if k:  # the next issue: the first day after the previous interval (a term of its own)
            valid_from = term_end(valid_from, *every)  # type: ignore[misc]
        expires = term_end(valid_from, *life) if life else None
        grants.append(VoucherGrant(rule.id, str(tier), counts[str(tier)], k + 1,
                                   valid_from, expires, rule.clause))
    return tuple(grants)


def _grant_args(period_start: object, years: object) -> tuple[date, int]:
    """period_start and years of a vouchers() question, checked."""
    return as_date("period_start", period_start), require_int("years", years, 1, MAX_YEAR - MIN_YEAR + 1)


def voucher_grants_all(rules: tuple[VoucherRule, ...], tier: object, period_start: object,
                       years: object) -> tuple[VoucherGrant, ...]:
    """The grants of every kind of vouchers `tier` has (none: an empty tuple); a kind that is not
    re-issued is granted once."""
    tiers = tuple(dict.fromkeys(t for r in rules for t, _n in r.counts))
    require_choice("tier", tier, tiers)
    _grant_args(period_start, years)  # checked even when the tier has no vouchers
    grants: list[VoucherGrant] = []
    for rule in rules:
        if dict(rule.counts).get(str(tier)):
            grants.extend(voucher_grants(rule, tier, period_start, years if _reissue_interval(rule) else 1))
    return tuple(grants)


# -- incidents ------------------------------------------------------------------------------

class IncidentBalance(NamedTuple):
    purchased: int
    deducted: int
    not_deducted: int  # e.g. incidents caused by a product defect
    remaining: int  # negative: more incidents than purchased
    clause: str | None


def incident_balance(purchased: object, incidents: object, not_deducted_kinds: tuple[str, ...] | str | None,
                     clause: str | None) -> IncidentBalance:
    """`incidents` are kinds ("other", "defect"); those of `not_deducted_kinds` are not deducted."""
    exempt = (not_deducted_kinds,) if isinstance(not_deducted_kinds, str) else tuple(not_deducted_kinds or ())
    purchased = require_int("purchased", purchased, 0)
    if isinstance(incidents, (str, bytes)) or not isinstance(incidents, Iterable):
        raise PolicyQueryError("incidents must be an iterable of incident kinds, e.g. "
                               f"{['other', *exempt]!r}", kind="type", argument="incidents")
    kinds = list(incidents)
    for k in kinds:
        if not isinstance(k, str):
            raise PolicyQueryError(f"an incident kind must be a string, got {describe(k)}",
                                   kind="type", argument="incidents")
    free = sum(1 for k in kinds if k in exempt)
    used = len(kinds) - free
    return IncidentBalance(purchased, used, free, purchased - used, clause)


# -- warranties and RMA ---------------------------------------------------------------------

class WarrantyTerm(NamedTuple):
    id: str
    title: str
    clause: str | None
    length: tuple[int, str]
    start_event: str | None


class RmaRule(NamedTuple):
    id: str
    title: str
    clause: str | None
    warranty: WarrantyTerm
    or_condition: str | None
    or_condition_title: str | None


class RmaDecision(NamedTuple):
    """Whether an RMA is possible; the warranty is a calendar term, never provisional."""

    eligible: bool
    warranty_end: date  # exclusive
    clause: str | None
    reason: str


def rma_eligibility(rule: RmaRule, delivered: object, on: object,
                    conditions: Mapping[str, object],
                    valid_conditions: Mapping[str, str]) -> RmaDecision:
    for name, value in conditions.items():
        require_choice("condition", name, tuple(valid_conditions))
        require_bool(f"condition {name!r}", value)
    start, day = as_date("delivered", delivered), as_date("on", on)
    end = term_end(start, *rule.warranty.length)
    if start <= day < end:
        return RmaDecision(True, end, rule.clause,
                           f"{date_ru(day)} — в течение гарантийного периода "
                           f"«{rule.warranty.title}» (до {date_ru(end)}).")
    if day < start:
        raise PolicyQueryError(f"on {day} is before delivered {start}", kind="range", argument="on")
    if rule.or_condition is not None and conditions.get(rule.or_condition) is True:
        return RmaDecision(True, end, rule.clause,
                           f"Гарантийный период истёк {date_ru(end)}, но {rule.or_condition_title}.")
    why = f"Гарантийный период истёк {date_ru(end)}"
    if rule.or_condition is not None:
        why += f", а условие не выполнено: {rule.or_condition_title}"
    return RmaDecision(False, end, rule.clause, why + ".")


def apply_rule(expr: tuple[Any, ...], at: date, events: Mapping[str, object],
               warranties: Mapping[str, WarrantyTerm]) -> date:
    """Evaluate a rule's expression tree to an end date counted from `at`.

    ("duration", n, unit) -> at + n unit; ("remaining", warranty) -> the warranty's end, or `at`
    if it is over; ("max", *args) / ("min", *args) -> the later / earlier of the args' ends.
    """
    rule_events(events, warranties)
    op = expr[0]
    if op == "duration":
        return term_end(at, expr[1], expr[2])
    if op == "remaining":
        w = warranties[expr[1]]
        event = w.start_event
        if event is None or event not in events:
            raise PolicyQueryError(f"pass {event}=<date>: the start of warranty {w.id!r}",
                                   kind="missing", argument=event)
        return max(at, term_end(as_date(event, events[event]), *w.length))
    if op in ("max", "min"):
        ends = [apply_rule(a, at, events, warranties) for a in expr[1:]]
        return max(ends) if op == "max" else min(ends)
    raise PolicyQueryError(f"unknown rule operator {describe(op)}")


def rule_events(events: Mapping[str, object], warranties: Mapping[str, WarrantyTerm]) -> None:
    """Check a rule_end() question's events: each a warranty's start event, each a date."""
    valid = tuple(dict.fromkeys(w.start_event for w in warranties.values() if w.start_event))
    for name, value in events.items():
        require_choice("event", name, valid)
        as_date(name, value)
