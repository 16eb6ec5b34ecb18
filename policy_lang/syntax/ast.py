"""Syntax tree of a policy file: frozen attrs nodes, each with its source span, no behaviour."""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any, Protocol

from attrs import field

from policy_lang.diagnostics import Span
from policy_lang.records import frozen

_span = field(eq=False, repr=False, default=None)


class Spanned(Protocol):
    """Any node: it knows where it was written."""

    @property
    def span(self) -> Span: ...


@frozen
class Name:
    """An identifier as written, where it was written."""

    value: str
    span: Span = _span


@frozen
class Text:
    value: str
    span: Span = _span


@frozen
class Ref:
    """A clause reference: `§ 2.6 (4)`, `§ "п. 7"`."""

    value: str
    span: Span = _span


@frozen
class Duration:
    """`2h`, `20 business days`, `2.5 business days`, `17h30min`: amount and a normalised unit.

    A compound (`17h30min`) is summed into its smallest unit; `parts` keeps it as written.
    A fraction (`2.5`) keeps a Decimal amount: the checker says where it may stand.
    """

    amount: int | Decimal
    unit: str
    span: Span = _span
    parts: tuple[tuple[int | Decimal, str], ...] = ()


@frozen
class Price:
    """`1_500 RUB per hour`: an amount of a currency, optionally per unit."""

    amount: Decimal
    currency: str
    per: Name | None
    span: Span = _span


@frozen
class Field:
    """A parsed field of a block before it is placed on its node (parse-internal)."""

    name: str
    value: Any  # whatever the rule method built: a Text, a Name, a Duration, a tuple ...
    span: Span = _span


@frozen
class Include:
    path: Text
    span: Span = _span


@frozen
class ProgramDecl:
    id: Name
    title: Text | None
    vendor: Text | None
    edition: Text | None
    source: Text | None
    span: Span = _span


@frozen
class Party:
    id: Name
    label: Text
    role: Text
    plays: Name | None = None  # `plays provider|vendor|customer`: which part of the annex it is
    span: Span = _span


@frozen
class PartiesDecl:
    ref: Ref | None
    parties: tuple[Party, ...]
    span: Span = _span


@frozen
class DateItem:
    first: _dt.date | None
    last: _dt.date | None
    label: str | None
    span: Span = _span


@frozen
class Official:
    country: Name
    first_year: int
    last_year: int
    span: Span = _span


@frozen
class HolidaysDecl:
    id: Name
    title: Text
    ref: Ref | None
    official: Official | None
    dates: tuple[DateItem, ...]
    working: tuple[DateItem, ...]
    shortened: tuple[DateItem, ...]
    source: Text | None
    span: Span = _span


@frozen
class Window:
    start: int  # minutes from local midnight
    end: int
    span: Span = _span


@frozen
class Hours:
    first_day: int  # 0 = Monday
    last_day: int
    windows: tuple[Window, ...]
    span: Span = _span


@frozen
class CalendarDecl:
    id: Name
    title: Text
    ref: Ref | None
    zone: Text | None
    always: bool
    hours: tuple[Hours, ...]
    excepts: tuple[Name, ...]
    shorten: Duration | None
    note: Text | None
    span: Span = _span


@frozen
class Confirm:
    channel: Name
    text: Text
    span: Span = _span


@frozen
class ChannelDecl:
    id: Name
    title: Text
    ref: Ref | None
    contact: Text | None
    available: Name | None
    language: Text | None
    confirm: Confirm | None
    note: Text | None
    span: Span = _span
    open_with: tuple[OpenWith, ...] = ()


@frozen
class OpenWith:
    """`open <calendar> with <service> [for P1, ...]`: the tiers granted that service reach the
    channel on `calendar` (for those priorities), instead of its `available` hours."""

    calendar: Name
    service: Name
    priorities: tuple[Name, ...]
    span: Span = _span


@frozen
class ProcedureDecl:
    id: Name
    title: Text
    ref: Ref | None
    steps: tuple[Text, ...]
    span: Span = _span


@frozen
class TierDecl:
    id: Name
    title: Text
    low: int | None
    high: int | None
    purchased: bool
    marks: tuple[str, ...]
    span: Span = _span
    points_span: Span | None = field(eq=False, repr=False, default=None)

    @property
    def range_span(self) -> Span:
        return self.points_span or self.span


@frozen
class TiersDecl:
    metric: Name | None
    metric_title: Text | None
    ref: Ref | None
    tiers: tuple[TierDecl, ...]
    span: Span = _span


@frozen
class ServiceDecl:
    id: Name
    title: Text
    marks: tuple[str, ...]
    grants: Name | None
    span: Span = _span


@frozen
class ServicesDecl:
    ref: Ref | None
    services: tuple[ServiceDecl, ...]
    span: Span = _span


@frozen
class Cell:
    """One matrix cell: kind in yes/no/count/unlimited/only/duration/ratio/text/none."""

    kind: str
    count: int | None = None
    names: tuple[Name, ...] = ()
    duration: Duration | None = None
    text: str | None = None
    span: Span = _span
    price: Price | None = None


@frozen
class Row:
    label: Name
    cells: tuple[Cell, ...]
    span: Span = _span


@frozen
class MatrixDecl:
    id: Name
    title: Text
    ref: Ref | None
    marks: tuple[str, ...]
    corner: Name
    columns: tuple[Name, ...]
    rows: tuple[Row, ...]
    span: Span = _span


@frozen
class TermDuration:
    """A target cell's duration: `4h`, `2 business days`, `2.5 business days`."""

    duration: Duration
    span: Span = _span


@frozen
class TermNextDay:
    """`next business day` / `next calendar day`, optionally `after 15:00` (the cut-off)."""

    business: bool
    cutoff: int | None  # minutes from local midnight
    span: Span = _span


@frozen
class TermBad:
    """A matrix-style value (`yes`, `3`) where a target needs a duration: reported by the checker."""

    span: Span = _span
    text: str | None = None  # the word as written (`3`), when it is one token


@frozen
class TermNone:
    """`-`: the contract does not regulate this cell."""

    span: Span = _span


@frozen
class TermWords:
    """`"по согласованию сторон"`: words instead of a duration; printed as written, not computed."""

    text: str
    span: Span = _span


@frozen
class TermStrict:
    """`< 4h`: a strict bound ("less than 4 hours"), met only strictly before the due time.
    `inner` is what follows the `<`: the checker admits a duration only."""

    inner: TermDuration | TermNextDay | TermNone | TermWords | TermBad
    span: Span = _span


Term = TermDuration | TermNextDay | TermNone | TermWords | TermStrict | TermBad


@frozen
class TargetCell:
    term: Term
    calendar: Name | None  # `on <calendar>` for this cell only
    efforts: bool  # `efforts`: reasonable efforts, not a guarantee
    span: Span = _span
    when: tuple[CellWhen, ...] = ()  # `4h when escalated_by_phone 2h on around_the_clock`


@frozen
class CellWhen:
    """`when <condition> <cell>`: the cell that applies while the condition holds."""

    condition: Name
    cell: TargetCell
    span: Span = _span


@frozen
class ClockField:
    """`pause while s1, s2` / `stop on e` / `restart on e` / `repeats after update`: how a target's
    clock runs over a ticket's life. kind: pause | stop | restart | repeats."""

    kind: str
    names: tuple[Name, ...]
    span: Span = _span


@frozen
class TargetRow:
    label: Name  # a priority or request type id, or `any`
    cells: tuple[TargetCell, ...]
    span: Span = _span


@frozen
class OnFor:
    """`on <calendar> for P1, P2`: rows (or columns) counted on another calendar."""

    calendar: Name
    names: tuple[Name, ...]
    span: Span = _span


@frozen
class EffortsFor:
    """`efforts` (the whole table) or `efforts for P3, P4`."""

    names: tuple[Name, ...]
    span: Span = _span


@frozen
class PercentileDecl:
    """`percentile 95% per month [for P1]`: the share of requests that must meet the target."""

    percent: Decimal
    per: Name
    names: tuple[Name, ...]
    span: Span = _span


@frozen
class TargetDecl:
    """A service-level target table: metric x (priority or request type) x tier.

    `response on <cal> {...}` is the target named `response`; `from_service` takes one
    time per tier from a matrix row.
    """

    id: Name
    title: Text | None
    calendar: Name | None  # the table's default calendar
    ref: Ref | None
    marks: tuple[str, ...]
    on_for: tuple[OnFor, ...]
    efforts: tuple[EffortsFor, ...]
    percentiles: tuple[PercentileDecl, ...]
    counted_from: Name | None  # an event; default: the request's registration
    via: tuple[Name, ...]  # only requests made through these channels
    text: Text | None
    note: Text | None
    corner: Name | None
    columns: tuple[Name, ...]
    rows: tuple[TargetRow, ...]
    from_service: Name | None
    is_response: bool
    span: Span = _span
    clock: tuple[ClockField, ...] = ()  # in the order written (one of each kind: P0101)


@frozen
class PriorityDecl:
    id: Name
    title: Text
    definition: Text | None
    report_via: tuple[Name, ...]
    span: Span = _span
    short: Text | None = None  # how tables name it ("P1"); default: the label
    label: Text | None = None  # how sentences name it ("уровень критичности 1"); default: the title


@frozen
class RequestDecl:
    """A request type mapped onto a priority: `service_request "Запрос на обслуживание" as P4`."""

    id: Name
    title: Text
    priority: Name
    span: Span = _span


@frozen
class RequestsDecl:
    ref: Ref | None
    requests: tuple[RequestDecl, ...]
    span: Span = _span


@frozen
class PrioritiesDecl:
    ref: Ref | None
    priorities: tuple[PriorityDecl, ...]
    span: Span = _span
    title: Text | None = None  # the scale's own name ("Уровень серьёзности", "Приоритет")
    default: Name | None = None  # `default P3`: the priority of a request that states none
    on_change: Name | None = None  # `on change keep`: recount | keep | restart


@frozen
class ReclassifyDecl:
    id: Name
    ref: Ref | None
    unless_via: tuple[Name, ...]
    becomes: Name | None
    may_lower: Name | None
    text: Text | None
    span: Span = _span
    when: Name | None = None  # a condition: reclassified only while it holds


@frozen
class EventDecl:
    id: Name
    title: Text
    span: Span = _span


@frozen
class ConditionDecl:
    id: Name
    title: Text
    span: Span = _span
    escalated_via: Name | None = None  # `when escalated via phone`: a channel
    depends_on: Name | None = None  # `when <name>`: only a cycle or a chain of conditions (P1205)


@frozen
class StatusDecl:
    """`status waiting_customer "ожидание информации от ЗАКАЗЧИКА"`: a ticket status."""

    id: Name
    title: Text
    span: Span = _span


@frozen
class Before:
    duration: Duration
    period: Name
    span: Span = _span


@frozen
class Within:
    duration: Duration
    calendar: Name | None
    span: Span = _span


@frozen
class ObligationDecl:
    id: Name
    title: Text
    ref: Ref | None
    marks: tuple[str, ...]
    by: Name | None
    from_event: Name | None
    within: Within | None
    before: Before | None
    when: Name | None
    note: Text | None
    text: Text | None
    span: Span = _span
    # `pause while` / `stop on`: its clock over a ticket's life, in the order written (one of each: P0101)
    clock: tuple[ClockField, ...] = ()


@frozen
class PeriodDecl:
    id: Name
    title: Text
    ref: Ref | None
    starts: Name | None
    length: Duration | None
    renews: Duration | None
    options: tuple[Duration, ...]
    text: Text | None
    span: Span = _span


@frozen
class VouchersDecl:
    id: Name
    title: Text
    ref: Ref | None
    marks: tuple[str, ...]
    count_from: Name | None
    valid_from: Name | None
    expires_after: Duration | None
    expires_with: Name | None
    reissued: Duration | None
    text: Text | None
    span: Span = _span


@frozen
class Exclusion:
    mark: str
    text: Text
    span: Span = _span


@frozen
class ExclusionsDecl:
    id: Name
    title: Text
    ref: Ref | None
    items: tuple[Exclusion, ...]
    span: Span = _span


@frozen
class ClauseDecl:
    id: Name
    title: Text
    ref: Ref | None
    marks: tuple[str, ...]
    text: Text | None
    items: tuple[Text, ...]
    applies_tiers: tuple[Name, ...]
    applies_priorities: tuple[Name, ...]
    span: Span = _span


@frozen
class FootnoteDecl:
    mark: str
    ref: Ref | None
    text: Text
    span: Span = _span


@frozen
class DefinitionDecl:
    id: Name
    title: Text
    ref: Ref | None
    text: Text
    span: Span = _span


@frozen
class WarrantyDecl:
    id: Name
    title: Text
    ref: Ref | None
    length: Duration | None
    from_event: Name | None
    text: Text | None
    span: Span = _span


@frozen
class RmaDecl:
    id: Name
    title: Text
    ref: Ref | None
    during: Name | None
    or_with: Name | None
    text: Text | None
    span: Span = _span


@frozen
class MaxOf:
    args: tuple[object, ...]
    span: Span = _span


@frozen
class MinOf:
    args: tuple[object, ...]
    span: Span = _span


@frozen
class Remaining:
    warranty: Name
    span: Span = _span


@frozen
class RuleDecl:
    id: Name
    title: Text
    ref: Ref | None
    expr: object
    text: Text | None
    span: Span = _span


@frozen
class IncidentsDecl:
    tiers: tuple[Name, ...]  # the packs the accounting applies to
    ref: Ref | None
    marks: tuple[str, ...]
    not_deducted: tuple[tuple[Name, Text], ...]  # (kind, when) for each `not_deducted`, in order
    text: Text | None
    span: Span = _span


@frozen
class ReinstatementDecl:
    ref: Ref | None
    pays: Duration | None
    text: Text | None
    span: Span = _span


@frozen
class CoverageDecl:
    id: Name
    ref: Ref | None
    text: Text | None
    span: Span = _span


@frozen
class TermEntry:
    """`"ЗАКАЗЧИК" instead_of "клиент", "покупатель"`: the defined term and the words to avoid."""

    term: Text
    avoid: tuple[Text, ...]
    span: Span = _span


@frozen
class TermsDecl:
    entries: tuple[TermEntry, ...]
    span: Span = _span


@frozen
class AgreedDecl:
    """A reading the parties agree on: printed «Стороны договорились, что ...»."""

    id: Name
    ref: Ref | None
    text: Text | None
    span: Span = _span


@frozen
class PerformanceDecl:
    """Who owes the services (`provider`), who performs them (`through`), which document prevails."""

    ref: Ref | None
    provider: Name | None
    through: Name | None
    precedence: Name | None
    vendor_terms: Text | None
    span: Span = _span


Decl = (
    Include | ProgramDecl | PartiesDecl | HolidaysDecl | CalendarDecl | ChannelDecl
    | ProcedureDecl | TiersDecl | ServicesDecl | MatrixDecl | TargetDecl | PrioritiesDecl
    | ReclassifyDecl | EventDecl | StatusDecl | ConditionDecl | ObligationDecl | PeriodDecl | VouchersDecl
    | ExclusionsDecl | ClauseDecl | FootnoteDecl | DefinitionDecl | WarrantyDecl | RmaDecl
    | RuleDecl | IncidentsDecl | ReinstatementDecl | CoverageDecl | RequestsDecl | TermsDecl
    | AgreedDecl | PerformanceDecl
)


@frozen
class PolicyFile:
    path: str
    items: tuple[object, ...]
    span: Span = _span


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def child_fields(cls: type) -> tuple[str, ...]:
    """The fields of an AST class that may hold nodes (not its spans), computed once per class:
    the generic walks (limits, lint) visit only these, in declaration order."""
    try:
        return _CHILD_FIELDS[cls]
    except KeyError:
        names = tuple(a.name for a in getattr(cls, "__attrs_attrs__", ()) if not a.name.endswith("span"))
        _CHILD_FIELDS[cls] = names
        return names
