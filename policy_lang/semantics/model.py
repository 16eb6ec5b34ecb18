"""The checked program model: resolved names, normalised units; the only input of the backends."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import cached_property
from typing import ClassVar

from attrs import field

from policy_lang.diagnostics import Span
from policy_lang.records import frozen
from policy_lang.runtime import ru_text
from policy_lang.runtime.ticket import PRIORITY_CHANGE_RULES as PRIORITY_CHANGE_RULES  # Program.priority_change's choices
from policy_lang.semantics.precedence import PARTY_ROLES as PARTY_ROLES  # Party.plays's choices

_span = field(eq=False, repr=False, default=None)

#: a footnote mark at the end of a clause reference: "2.6 (4)" refers to footnote (4)
_TRAILING_MARK = re.compile(r"(\([0-9ivx]+\)|\*+)$")


def cite_clause(clause: str | None, marks: tuple[str, ...] = ()) -> str:
    """A clause reference with an item's footnote marks after it, each once: ("2.6", ("(3)",)) ->
    "2.6 (3)"; a clause already ending in the mark keeps it once. The one place this is joined."""
    marks = tuple(m for m in marks if not (clause or "").endswith(m))
    return " ".join(x for x in (clause, *marks) if x)


def clause_mark(clause: str | None) -> str | None:
    """The footnote mark a clause reference ends with ("2.6 (4)" -> "(4)"), if any."""
    m = _TRAILING_MARK.search(clause or "")
    return m.group(1) if m else None


#: Normalised duration units. `hour`/`minute` on a business calendar become `business_hour`/`business_minute`.
UNITS = ("minute", "business_minute", "hour", "business_hour", "day", "calendar_day",
         "business_day", "week", "month", "year")


@frozen
class Duration:
    """An amount of a unit, e.g. Duration(20, "business_day"); `text` is the Russian rendering.

    `amount` is a Decimal only for a fraction (`2.5 business days`), which only targets state.
    """

    amount: int | Decimal
    unit: str
    text: str  # "20 рабочих дней" (nominative, with a no-break space)
    span: Span = _span

    @property
    def whole(self) -> int:
        """`amount` where only a whole amount can stand: anywhere but a target (the checker's P0305)."""
        assert isinstance(self.amount, int), self
        return self.amount


@frozen
class Price:
    """A typed price: `1_500 RUB per hour` -> Price(Decimal("1500"), "RUB", "hour", "1 500 рублей за час")."""

    amount: Decimal
    currency: str  # ISO 4217: RUB, USD, EUR
    per: str | None  # hour, incident, month ... (None: a lump sum)
    text: str


@frozen
class SourceFile:
    path: str  # relative to the policies root, forward slashes
    sha256: str


@frozen
class Party:
    id: str
    label: str  # ИСПОЛНИТЕЛЬ
    role: str  # what the party does, as the annex describes it
    plays: str | None = None  # PARTY_ROLES: provider (owes the services), vendor (the manufacturer), customer
    span: Span = _span


def party_playing(parties: tuple[Party, ...], role: str) -> Party | None:
    """The party that plays `role` (declared by `plays`, never inferred from an id): the one rule."""
    return next((p for p in parties if p.plays == role), None)


@frozen
class HolidaySet:
    """Non-working days: an official production calendar and/or explicit dates."""

    id: str
    title: str
    clause: str | None
    official_country: str | None
    first_year: int | None
    last_year: int | None
    non_working: tuple[dt.date, ...]  # every non-working Mon-Fri date (official + explicit), sorted
    working_weekends: tuple[dt.date, ...]  # transferred working Saturdays/Sundays, sorted
    shortened: tuple[dt.date, ...]  # pre-holiday days one hour shorter (Labour Code art. 95)
    explicit: tuple[tuple[dt.date, str | None], ...]  # dates listed by hand with their labels
    source: str | None
    span: Span = _span
    #: (year, decree citation or None when the year is computed by Labour Code art. 112)
    years: tuple[tuple[int, str | None], ...] = ()
    provisional_from: dt.date | None = None  # first day computed without a decree

    @property
    def official_only(self) -> bool:
        """The set is the shipped official production calendar and nothing else (no dates added by
        hand): the annex names it by the calendar, its own title adds nothing."""
        return self.official_country is not None and not self.explicit


@frozen
class WeeklyWindow:
    weekday: int  # 0 = Monday
    start: int  # minutes from local midnight
    end: int  # minutes from local midnight, <= 1440
    span: Span = _span


@frozen
class Calendar:
    """A BusinessCalendar: when time counts. `always` means 24x7 and has no horizon."""

    id: str
    title: str
    clause: str | None
    zone: str  # IANA zone; "UTC" for an always-open calendar without zone
    always: bool
    windows: tuple[WeeklyWindow, ...]
    holiday_sets: tuple[str, ...]  # HolidaySet ids, in the order written
    non_working: tuple[dt.date, ...]  # union of the sets' non-working weekdays
    working_weekends: tuple[dt.date, ...]
    shortened: tuple[dt.date, ...]  # empty unless the calendar follows pre-holiday shortening
    shorten_minutes: int  # 0 = support hours do not shorten before holidays
    first: dt.date | None  # horizon covered by the baked intervals
    last: dt.date | None
    note: str | None
    span: Span = _span
    provisional_from: dt.date | None = None  # days from here on are computed, not decreed


@frozen
class Channel:
    id: str
    title: str
    clause: str | None
    contact: str | None
    calendar: str | None  # Calendar id: when the channel takes requests
    language: str | None
    confirm_by: str | None  # Channel id: after a request here, confirm through that channel
    confirm_text: str | None
    note: str | None
    span: Span = _span
    #: (calendar, service, priorities): tiers granted `service` reach the channel on `calendar`
    #: (for these priorities; () = any) instead of `calendar` above
    open_with: tuple[tuple[str, str, tuple[str, ...]], ...] = ()


@frozen
class Procedure:
    id: str
    title: str
    clause: str | None
    steps: tuple[str, ...]
    span: Span = _span


@frozen
class Tier:
    id: str
    title: str
    low: int | None  # support points, inclusive; None for a purchased tier
    high: int | None  # inclusive; None = open-ended
    purchased: bool
    marks: tuple[str, ...]
    span: Span = _span


@frozen
class TierMetric:
    id: str  # support_points
    title: str  # пункты поддержки
    clause: str | None


@frozen
class Service:
    id: str
    title: str
    marks: tuple[str, ...]
    grants_channel: str | None  # the channel this service opens
    clause: str | None
    span: Span = _span

    @property
    def cite(self) -> str:
        """The clause as cited, with the service's footnote marks: "2.6 (3)"."""
        return cite_clause(self.clause, self.marks)


@frozen
class Cell:
    """One cell of a tier x service matrix, with the Russian text the annex prints.

    A tagged variant: the class says what the cell is (YesCell, OnlyCell, PriceCell ...);
    `kind` is its tag as a string, for messages and JSON.
    """

    granted: bool  # included in the tier; a priced cell is not: it is bought at `price`
    count: int | None
    priorities: tuple[str, ...] | None  # ("P1",) for "only P1"
    duration: Duration | None
    text: str  # "Да", "Нет", "Только уровень критичности 1", "3", "Неограниченное", "2 часа", "1:10"
    span: Span = _span
    price: Price | None = None
    kind: ClassVar[str] = ""


@frozen
class YesCell(Cell):
    kind: ClassVar[str] = "yes"


@frozen
class NoCell(Cell):
    kind: ClassVar[str] = "no"


@frozen
class NoneCell(Cell):
    """`-`: the table says nothing for this tier."""

    kind: ClassVar[str] = "none"


@frozen
class CountCell(Cell):
    kind: ClassVar[str] = "count"


@frozen
class UnlimitedCell(Cell):
    kind: ClassVar[str] = "unlimited"


@frozen
class OnlyCell(Cell):
    """`only P1`: granted for these priorities only."""

    kind: ClassVar[str] = "only"


@frozen
class DurationCell(Cell):
    kind: ClassVar[str] = "duration"


@frozen
class RatioCell(Cell):
    kind: ClassVar[str] = "ratio"


@frozen
class TextCell(Cell):
    kind: ClassVar[str] = "text"


@frozen
class PriceCell(Cell):
    """A price: not included in the tier, bought at `price`."""

    kind: ClassVar[str] = "price"


@frozen
class OnRequestCell(Cell):
    """«по запросу»: available at a price agreed on request."""

    kind: ClassVar[str] = "on_request"


# -- service-level targets: one reading per cell -------------------------------------------

#: How a target's deadline is counted. Each reading is stated in the annex and computed by the
#: evaluator in exactly one way (see docs/language.md, "How a target is counted").
READINGS = ("clock", "working_time", "calendar_days", "business_days", "next_business_day",
            "next_calendar_day", "not_regulated", "as_written")
#: the readings with no deadline to compute: `-` (not regulated) and words (`"по согласованию сторон"`)
UNCOMPUTED_READINGS = ("not_regulated", "as_written")
#: the readings a sentence states as «в течение N …»
_WITHIN_READINGS = ("clock", "working_time", "business_days", "calendar_days")


@frozen
class Term:
    """What one target cell promises, reduced to its reading.

    clock: `seconds` of elapsed time; working_time: `seconds` of the calendar's working time;
    calendar_days / business_days: the end (23:59:59 local) of the `amount`-th day after the start
    day (weeks and months as calendar units); next_*_day: the end of the next (business) day after
    the start, a start after `cutoff` counting from the following day; not_regulated: no deadline;
    as_written: words instead of a duration ("по согласованию сторон"), not computed: `text` is
    the words as written, answered as such.
    """

    reading: str
    duration: Duration | None  # as written (None for next-day and not-regulated)
    seconds: int | None = None  # clock / working_time
    amount: int | None = None  # calendar_days / business_days: days (or weeks, months: `unit`)
    unit: str | None = None  # day | week | month | business_day
    cutoff: int | None = None  # minutes from local midnight
    text: str = ""  # the cell as the annex prints it: "2 рабочих часа", "следующий рабочий день"


@frozen
class Percentile:
    percent: Decimal
    per: str  # month | quarter | year
    text: str  # "95 % заявок за календарный месяц"


@frozen
class TargetCell:
    """One cell: the term for (row, tier), the calendar it is counted on and its strength."""

    tier: str
    row: str | None  # priority or request type id; None: any request
    term: Term
    calendar: str | None  # Calendar id (None only for a not-regulated cell)
    strength: str  # guaranteed | efforts
    percentile: Percentile | None
    span: Span = _span
    counted: str = ""  # how it is counted, in words: «в рабочее время по календарю «...»»
    text: str = ""  # the cell as the annex prints it and the evaluator answers: term, calendar, strength, share
    #: a strict bound (`< 4h`, «менее 4 часов»): met only strictly before the due time, breached at it
    strict: bool = False
    #: (condition id, the cell that applies while it holds), in the order written:
    #: `4h when escalated_by_phone 2h on around_the_clock`
    when: tuple[tuple[str, TargetCell], ...] = ()

    def holding(self, condition: str | None) -> TargetCell:
        """The cell that applies while `condition` holds: its alternative for it, else itself."""
        return next((c for k, c in self.when if k == condition), self) if condition is not None else self

    @property
    def within(self) -> str:
        """The cell as a sentence states it: «в течение 2 рабочих часов» when the cell is only a
        duration (no calendar, strength or share of its own), else the cell's text as is
        («менее 4 часов» for a strict bound, the words of a words cell)."""
        d = self.term.duration
        if d is None or self.strict or self.text != self.term.text or self.term.reading not in _WITHIN_READINGS:
            return self.text
        unit = "minute" if d.unit == "business_minute" else d.unit
        extra = " рабочего времени" if d.unit == "business_minute" else ""
        return f"в течение {ru_text.any_quantity(d.amount, unit, 'gen')}{extra}"

@frozen
class ClockRules:
    """How a target's clock runs over a ticket's life (status and event ids; `update` is built in).

    pauses: statuses in which time does not count (on the target's calendar); stops: events that
    stop it (met if by the due time, breached otherwise); restarts: events that start a stopped
    clock again; repeats_after: events that close a cycle of a recurring target and open the next
    (non-empty: the target recurs, until a stop event).
    """

    pauses: tuple[str, ...] = ()
    stops: tuple[str, ...] = ()
    restarts: tuple[str, ...] = ()
    repeats_after: tuple[str, ...] = ()

    @property
    def recurring(self) -> bool:
        return bool(self.repeats_after)

    @property
    def stated(self) -> bool:
        """The policy states some rule (else the clock runs from the start until the target is met)."""
        return bool(self.pauses or self.stops or self.restarts or self.repeats_after)


@frozen
class Target:
    """A service-level target: one metric (initial response, restore, resolution ...) by row x tier."""

    id: str  # `response` for the initial response
    title: str  # the metric's Russian name: «Время реакции»
    clause: str | None
    marks: tuple[str, ...]
    counted_from: str | None  # Event id; None: from the request's registration
    via: tuple[str, ...]  # applies only to requests through these channels; () = any channel
    tiers: tuple[str, ...]  # columns, in the order written
    rows: tuple[str | None, ...]  # rows, in the order written (None: `any`)
    cells: tuple[TargetCell, ...]
    calendar: str | None  # the table's default calendar
    from_service: str | None  # times taken from a matrix row (TAM table)
    text: str | None
    note: str | None
    span: Span = _span
    clock: ClockRules = ClockRules()  # how its clock runs over a ticket's life

    @property
    def conditions(self) -> tuple[str, ...]:
        """The conditions its cells take another value under, in the order first written."""
        return tuple(dict.fromkeys(k for c in self.cells for k, _ in c.when))

    @property
    def cite(self) -> str:
        """The clause as cited, with the table's footnote marks: "2.8 (4)"."""
        return cite_clause(self.clause, self.marks)

    def cell(self, tier: str, row: str | None) -> TargetCell | None:
        """The cell for a tier and row, falling back to the `any` row."""
        found = None
        for c in self.cells:
            if c.tier == tier and c.row == row:
                return c
            if c.tier == tier and c.row is None:
                found = c
        return found


@frozen
class MatrixRow:
    service: str
    cells: tuple[Cell, ...]  # one per Matrix.tiers
    span: Span = _span


@frozen
class Matrix:
    """Tiers x services; each row a service, each column a tier."""

    id: str
    title: str
    clause: str | None
    marks: tuple[str, ...]
    tiers: tuple[str, ...]
    rows: tuple[MatrixRow, ...]
    span: Span = _span


@frozen
class Priority:
    id: str
    title: str
    definition: str | None
    report_via: tuple[str, ...]  # channels by which it must be reported
    clause: str | None
    span: Span = _span
    short: str  = ""  # how table rows name it ("P1")
    label: str = ""  # how sentences name it ("уровень критичности 1")


@frozen
class RequestType:
    """A kind of request the contract maps onto a priority (service request -> P4)."""

    id: str
    title: str
    priority: str
    clause: str | None
    span: Span = _span


# -- decisions: computed once, before any backend ------------------------------------------

@frozen
class Reason:
    """Why a decision is what it is: a code with its arguments, the clause, and its Russian text."""

    code: str
    args: tuple[tuple[str, str], ...]
    clause: str | None
    text: str


@frozen
class AppliedTarget:
    """A target that applies to a decision: which table, which cell."""

    target: str  # Target id
    title: str
    clause: str | None
    cell: TargetCell
    counted_from: str | None  # Event id; None: registration


@frozen
class Decision:
    """The contract's answer for (tier, channel, reported priority or request type), at any time.

    `hours`: the channel's calendar when it takes requests only in its hours; a request outside
    them gets `closed_reasons` instead (not accepted).
    """

    tier: str
    channel: str
    reported: str | None  # the priority as reported
    request: str | None  # the request type, when the query names one
    accepted: bool
    priority: str | None  # effective, after reclassification / request type mapping
    party: str | None  # Party id of who acts on the request (the vendor or the executor)
    hours: str | None
    targets: tuple[AppliedTarget, ...]
    clauses: tuple[str, ...]
    reasons: tuple[Reason, ...]
    closed_reasons: tuple[Reason, ...]
    condition: str | None = None  # the answer while this condition holds (a `reclassify … when`)


@frozen
class IntakeCell:
    """One cell of an intake table: what the decision for (tier, channel, reported priority) says
    about taking the request in: whether, on which calendar, as which priority, in words."""

    reported: str | None  # the column: the priority as reported (None: any request)
    accepted: bool
    priority: str | None  # effective (a `reclassify` may lower it)
    hours: str | None  # Calendar id when it is taken only in that calendar's hours; None: at any time
    text: str  # «принимается круглосуточно», «принимается как P3 в часы по календарю «…»», «не принимается»


@frozen
class IntakeNote:
    """A sentence under an intake table: `channel` takes the requests of `reported` (every column it
    accepts, when `every`) only in the hours of `calendar`. True of every cell it speaks of."""

    channel: str
    calendar: str
    reported: tuple[str | None, ...]
    every: bool
    text: str


@frozen
class IntakeRow:
    channel: str
    cells: tuple[IntakeCell, ...]


@frozen
class IntakeTable:
    """Who may report what through which channel, for one tier: the decisions, as the annex prints them."""

    tier: str
    columns: tuple[str | None, ...]  # reported priorities (None: any request)
    rows: tuple[IntakeRow, ...]
    notes: tuple[IntakeNote, ...]


@frozen
class Reclassification:
    """A request reported other than via `unless_via` (any channel, when that is empty) and, with
    `when`, while that condition holds, becomes `becomes` (the vendor may lower it further)."""

    id: str
    clause: str | None
    unless_via: tuple[str, ...]
    becomes: str
    may_lower_to: str | None
    text: str | None
    span: Span = _span
    when: str | None = None  # a condition id


@frozen
class Event:
    id: str
    title: str
    span: Span = _span


@frozen
class Condition:
    id: str
    title: str
    span: Span = _span
    escalated_via: str | None = None  # a channel id: holds once the ticket is escalated through it


@frozen
class Status:
    """A ticket status (waiting for the customer ...): a target may pause while a ticket is in it."""

    id: str
    title: str
    span: Span = _span


@frozen
class Obligation:
    """Who must do what, from which event, within what duration on which calendar, when."""

    id: str
    title: str
    clause: str | None
    marks: tuple[str, ...]
    party: str | None  # Party id, or "either"
    start_event: str | None
    within: Duration | None
    calendar: str | None  # Calendar id for business units
    before: Duration | None  # at least this long before the end of `before_period`
    before_period: str | None
    condition: str | None
    note: str | None
    text: str | None
    span: Span = _span
    term: Term | None = None  # the one reading of `within`
    # over a ticket's life (`pause while`, `stop on`; never a restart or a recurrence): statuses in
    # which its term stands still, events that fulfil it
    clock: ClockRules = ClockRules()


@frozen
class Period:
    id: str
    title: str
    clause: str | None
    start_event: str | None
    length: Duration
    renews: Duration | None  # auto-renewal length
    options: tuple[Duration, ...]
    text: str | None
    span: Span = _span


@frozen
class Vouchers:
    id: str
    title: str
    clause: str | None
    marks: tuple[str, ...]
    service: str  # the matrix row giving the count per tier
    counts: tuple[tuple[str, int], ...]  # (tier, count)
    valid_from_event: str | None
    expires_after: Duration | None
    expires_with_period: str | None
    reissued_every: Duration | None
    text: str | None
    span: Span = _span


@frozen
class ExclusionList:
    id: str
    title: str
    clause: str | None
    items: tuple[tuple[str, str], ...]  # (mark, text)
    span: Span = _span


@frozen
class Clause:
    id: str
    title: str
    clause: str | None
    marks: tuple[str, ...]
    text: str | None
    items: tuple[str, ...]
    applies_tiers: tuple[str, ...]
    applies_priorities: tuple[str, ...]
    span: Span = _span


@frozen
class Footnote:
    mark: str  # "(1)" or "*"
    clause: str | None
    text: str
    span: Span = _span


@frozen
class Definition:
    id: str
    title: str
    clause: str | None
    text: str
    span: Span = _span


@frozen
class Warranty:
    id: str
    title: str
    clause: str | None
    length: Duration
    start_event: str | None
    text: str | None
    span: Span = _span


@frozen
class Rma:
    id: str
    title: str
    clause: str | None
    warranty: str  # Warranty id during which the RMA is possible
    or_condition: str | None  # ... or after it, when this Condition holds
    text: str | None
    span: Span = _span


@frozen
class MaxOf:
    args: tuple[object, ...]


@frozen
class MinOf:
    args: tuple[object, ...]


@frozen
class Remaining:
    """What is left of a warranty at the moment the rule is applied."""

    warranty: str


@frozen
class Rule:
    """A computed duration, e.g. max(90 days, remaining hardware)."""

    id: str
    title: str
    clause: str | None
    expr: object  # MaxOf | MinOf | Remaining | Duration
    text: str | None
    span: Span = _span


@frozen
class IncidentExemption:
    """A kind of incident that is not taken off the purchased count ("defect": caused by a defect)."""

    kind: str
    text: str


@frozen
class IncidentAccounting:
    tiers: tuple[str, ...]  # the packs it applies to
    clause: str | None
    marks: tuple[str, ...]
    exemptions: tuple[IncidentExemption, ...]  # kinds not deducted, in source order
    text: str | None
    span: Span = _span

    @property
    def not_deducted(self) -> str | None:
        """The first kind not deducted (most contracts name one)."""
        return self.exemptions[0].kind if self.exemptions else None

    @property
    def not_deducted_text(self) -> str | None:
        return "; ".join(e.text for e in self.exemptions) or None

    @property
    def not_deducted_kinds(self) -> tuple[str, ...]:
        return tuple(e.kind for e in self.exemptions)


@frozen
class Reinstatement:
    clause: str | None
    extra: Duration  # paid on top of the lapsed time
    text: str | None
    span: Span = _span


@frozen
class Coverage:
    id: str
    clause: str | None
    text: str | None
    span: Span = _span


@frozen
class Agreement:
    """A reading the parties agree on (the annex: «Стороны договорились, что ...»)."""

    id: str
    clause: str | None
    text: str
    span: Span = _span


@frozen
class Performance:
    """Who owes the services to the customer, through whom they are performed, what prevails.

    provider: the Party who owes them (and answers for `through` as for itself, Civil Code
    art. 313, 403); precedence: "annex" or "contract" prevails on a conflict.
    """

    provider: str | None
    through: str | None
    precedence: str
    vendor_terms: str | None
    clause: str | None


@frozen
class DefinedTerm:
    """A defined term and the words the text must not use for it (checked by the lint)."""

    term: str
    avoid: tuple[str, ...]


@frozen
class VoucherGrantFact:
    title: str
    count: int
    valid_from: dt.date
    expires: dt.date  # the first day it is no longer valid
    clause: str | None


@frozen
class Instance:
    """One customer's contract: what the instance annex states beyond the program (contracts/*.toml)."""

    id: str  # the contract file's stem
    tier: str
    points: int | None
    start: dt.date  # first day of the term
    end: dt.date  # last day of the term (inclusive)
    years: tuple[int, ...]  # the calendar years the term covers
    products: tuple[tuple[str, str], ...]  # (product, quantity as written: "1000 лицензий")
    incidents: int | None  # purchased incidents (an incident pack)
    options: tuple[str, ...]
    vouchers: tuple[VoucherGrantFact, ...]
    notice_deadline: dt.date | None  # the last day for a notice against renewal
    renewal_clause: str | None


@frozen
class OutlineItem:
    """One declaration in document order: `kind` names the Program field, `key` the item in it."""

    kind: str
    key: str


@frozen
class Program:
    """One checked support program."""

    id: str
    title: str
    vendor: str
    edition: str | None
    source_title: str | None
    path: str  # main file, relative to the policies root
    sha256: str  # over every file of the compilation, in include order
    files: tuple[SourceFile, ...]
    parties: tuple[Party, ...]
    holiday_sets: tuple[HolidaySet, ...]
    calendars: tuple[Calendar, ...]
    channels: tuple[Channel, ...]
    procedures: tuple[Procedure, ...]
    tier_metric: TierMetric | None
    tiers: tuple[Tier, ...]
    tiers_clause: str | None
    services: tuple[Service, ...]
    matrices: tuple[Matrix, ...]
    targets: tuple[Target, ...]
    priorities: tuple[Priority, ...]
    priorities_clause: str | None
    priority_scale: str | None  # the scale's name when the policy gives one ("Уровень серьёзности")
    reclassification: Reclassification | None
    events: tuple[Event, ...]
    conditions: tuple[Condition, ...]
    obligations: tuple[Obligation, ...]
    periods: tuple[Period, ...]
    vouchers: tuple[Vouchers, ...]
    exclusions: tuple[ExclusionList, ...]
    clauses: tuple[Clause, ...]
    footnotes: tuple[Footnote, ...]  # sorted by mark
    definitions: tuple[Definition, ...]
    warranties: tuple[Warranty, ...]
    rmas: tuple[Rma, ...]
    rules: tuple[Rule, ...]
    incident_accounting: IncidentAccounting | None
    reinstatement: Reinstatement | None
    coverage: tuple[Coverage, ...]
    outline: tuple[OutlineItem, ...]  # every declaration, in source order (includes expanded in place)
    span: Span = _span
    requests: tuple[RequestType, ...] = ()
    decisions: tuple[Decision, ...] = ()  # filled by `decide`, before any backend
    agreements: tuple[Agreement, ...] = ()
    performance: Performance | None = None
    defined_terms: tuple[DefinedTerm, ...] = ()
    instance: Instance | None = None  # set for one customer's annex (contract.instantiate)
    statuses: tuple[Status, ...] = ()
    priority_change: str = "recount"  # PRIORITY_CHANGE_RULES: what a priority change does to running clocks
    default_priority: str | None = None  # the priority of a request that states none (`default P3`)

    @cached_property
    def intake(self) -> tuple[IntakeTable, ...]:
        """The intake tables, one per tier: rendered from `decisions` only (see `decide.intake`),
        so a narrowed or changed program states what its own decisions say."""
        from policy_lang.semantics.decide import intake

        return intake(self)

    @cached_property
    def referenced_marks(self) -> frozenset[str]:
        """Footnote marks that something printed in the annex carries (a row, a column, a heading,
        a clause reference ending in the mark): the footnotes the annex prints."""
        marks: set[str] = set()
        for group in (self.services, self.tiers, self.matrices, self.targets, self.clauses, self.obligations,
                      self.vouchers):
            for item in group:
                marks.update(getattr(item, "marks", ()))
        if self.incident_accounting is not None:
            marks.update(self.incident_accounting.marks)
        for c in self.clauses + tuple(self.targets):  # a clause citing "§ 2.6 (4)" refers to footnote (4)
            mark = clause_mark(c.clause)
            if mark:
                marks.add(mark)
        return frozenset(marks)

    @property
    def output_id(self) -> str:
        """The annex file name: the program id, or `<program>--<contract>` for an instance."""
        return self.id if self.instance is None else f"{self.id}--{self.instance.id}"

    @property
    def response(self) -> Target | None:
        """The initial-response target, if the contract states one."""
        return next((t for t in self.targets if t.id == "response"), None)

    # lookups: tiny, pure, for backends and tests
    @cached_property
    def index(self) -> Index:
        """Every named item by id, built once: no backend looks a name up by scanning."""
        return Index(self)

    def calendar(self, ident: str) -> Calendar:
        return self.index.calendars[ident]

    def priority(self, ident: str) -> Priority:
        return self.index.priorities[ident]

    def tier(self, ident: str) -> Tier:
        return self.index.tiers[ident]

    def service(self, ident: str) -> Service:
        return self.index.services[ident]

    def cell(self, tier: str, service: str) -> Cell | None:
        return self.index.cells.get((tier, service))


class Index:
    """Dictionaries over a Program's items (the checker resolved every name; these find them)."""

    def __init__(self, p: Program) -> None:
        self.calendars = {c.id: c for c in p.calendars}
        self.priorities = {x.id: x for x in p.priorities}
        self.requests = {r.id: r for r in p.requests}
        self.tiers = {t.id: t for t in p.tiers}
        self.services = {s.id: s for s in p.services}
        self.channels = {c.id: c for c in p.channels}
        self.events = {e.id: e for e in p.events}
        self.conditions = {c.id: c for c in p.conditions}
        self.statuses = {s.id: s for s in p.statuses}
        self.warranties = {w.id: w for w in p.warranties}
        self.parties = {x.id: x for x in p.parties}
        self.periods = {x.id: x for x in p.periods}
        #: (tier, service) -> the matrix cell (one row per service across matrices: P0505)
        self.cells: dict[tuple[str, str], Cell] = {}
        for m in p.matrices:
            for row in m.rows:
                for tier, cell in zip(m.tiers, row.cells):
                    self.cells.setdefault((tier, row.service), cell)
        #: period id -> the obligation giving notice before its end
        self.notices = {o.before_period: o for o in p.obligations if o.before_period and o.before}
