"""The checked program model: resolved names, normalised units; the only input of the backends."""
from __future__ import annotations

import datetime as dt

from attrs import field, frozen

from .diagnostics import Span

_span = field(eq=False, repr=False, default=None)

#: Normalised duration units. `hour`/`minute` on a business calendar become `business_hour`/`business_minute`.
UNITS = ("minute", "business_minute", "hour", "business_hour", "day", "calendar_day",
         "business_day", "week", "month", "year")


@frozen
class Duration:
    """An amount of a unit, e.g. Duration(20, "business_day"); `text` is the Russian rendering."""

    amount: int
    unit: str
    text: str  # "20 рабочих дней" (nominative, with a no-break space)
    span: Span = _span


@frozen
class SourceFile:
    path: str  # relative to the policies root, forward slashes
    sha256: str


@frozen
class Party:
    id: str  # executor / manufacturer / customer
    label: str  # ИСПОЛНИТЕЛЬ
    role: str
    span: Span = _span


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


@frozen
class Cell:
    """One cell of a tier x service matrix, with the Russian text the annex prints."""

    kind: str  # yes | no | count | unlimited | only | duration | ratio | text | none
    granted: bool
    count: int | None
    priorities: tuple[str, ...] | None  # ("P1",) for "only P1"
    duration: Duration | None
    text: str  # "Да", "Нет", "Только уровень критичности 1", "3", "Неограниченное", "2 часа", "1:10"
    span: Span = _span


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
class ResponseTime:
    tier: str
    priority: str | None  # None: the program has no priorities (one time for any request)
    duration: Duration
    span: Span = _span


@frozen
class ResponseMatrix:
    """Priority x tier -> response time, counted on `calendar`."""

    calendar: str
    business: bool  # counted in business time (the calendar is not 24x7)
    clause: str | None
    marks: tuple[str, ...]
    tiers: tuple[str, ...]  # columns, in the order written
    priorities: tuple[str | None, ...]  # rows, in the order written
    times: tuple[ResponseTime, ...]
    from_service: str | None  # taken from a matrix row (TAM table)
    span: Span = _span


@frozen
class Priority:
    id: str
    title: str
    definition: str | None
    report_via: tuple[str, ...]  # channels by which it must be reported
    clause: str | None
    span: Span = _span


@frozen
class Reclassification:
    """A request reported other than via `unless_via` becomes `becomes` (vendor may lower it)."""

    id: str
    clause: str | None
    unless_via: tuple[str, ...]
    becomes: str
    may_lower_to: str | None
    text: str | None
    span: Span = _span


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
class IncidentAccounting:
    tier: str
    clause: str | None
    marks: tuple[str, ...]
    not_deducted: str | None  # kind of incident not deducted, e.g. "defect"
    not_deducted_text: str | None
    text: str | None
    span: Span = _span


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
    response: ResponseMatrix | None
    priorities: tuple[Priority, ...]
    priorities_clause: str | None
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

    # lookups: tiny, pure, for backends and tests
    def calendar(self, ident: str) -> Calendar:
        return next(c for c in self.calendars if c.id == ident)

    def tier(self, ident: str) -> Tier:
        return next(t for t in self.tiers if t.id == ident)

    def service(self, ident: str) -> Service:
        return next(s for s in self.services if s.id == ident)

    def cell(self, tier: str, service: str) -> Cell | None:
        for m in self.matrices:
            if tier in m.tiers:
                for row in m.rows:
                    if row.service == service:
                        return row.cells[m.tiers.index(tier)]
        return None
