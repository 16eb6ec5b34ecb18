"""Presentation model of an annex: numbered sections, blocks and tables, derived from the checked model only.

Logic lives here, wording in the templates: nothing below builds a Russian sentence.
"""
from __future__ import annotations

import datetime as dt
import re
from itertools import groupby

from attrs import frozen

from policy_lang.backends.annex.config import AnnexConfig
from policy_lang.runtime.sentences import ROLE_LABELS
from policy_lang.semantics import model
from policy_lang.semantics.constructs import CONSTRUCTS, Skip

_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?(?:\s*(\(.+\)))?$")

#: kinds whose blocks go elsewhere than their clause's section
_DEFINITIONS_KINDS = ("calendars", "holiday_sets")
#: kinds not printed as blocks: their titles are printed where they are used
_REFERENCED_ONLY = ("events", "conditions", "services")
#: kinds whose annex stage is `Skip` in the construct table (stated elsewhere, or not printed)
_NOT_PRINTED = frozenset(c.field for c in CONSTRUCTS if isinstance(c.annex, Skip) and isinstance(c.field, str))
#: order of blocks inside a section (stable by source order within a rank)
_RANK = {
    "clauses": 0, "coverage": 0, "reinstatement": 0, "periods": 1, "exclusions": 1, "tiers": 2,
    "matrices": 3, "targets": 4, "decisions": 4, "priorities": 5, "requests": 5, "reclassification": 6,
    "definitions": 7,
    "channels": 8, "procedures": 8, "obligations": 9, "vouchers": 9, "incident_accounting": 9,
    "warranties": 9, "rules": 9, "rmas": 9, "agreements": 10, "performance": 0, "footnotes": 20,
}
#: kinds whose model title may head a section (first in source order wins)
_HEADING_KINDS = ("clauses", "matrices", "periods", "exclusions", "procedures", "warranties")


@frozen
class Block:
    kind: str  # the Program field: clauses, matrices, response, ...
    item: object  # the model object (or a view below)
    cite: str | None  # the item's own clause when it is finer than its section's ("2.6 (3)")


@frozen
class Section:
    key: str  # "2.6", "preamble", "definitions", "notes" or the source's own heading
    number: str | None  # "2.6" for a numbered clause of the source
    title: str | None  # the model's title for the heading; None: the template names it by `title_kind`
    title_kind: str
    level: int  # 1 for "2", 2 for "2.6", ...
    page_break: bool
    blocks: tuple[Block, ...]


@frozen
class Row:
    head: str | None
    marks: tuple[str, ...]
    cells: tuple[str, ...]
    #: per cell, (condition title, the cell's text while it holds) for a conditional target cell
    #: (`TargetCell.when`); empty: no cell of the row is conditional
    when: tuple[tuple[tuple[str, str], ...], ...] = ()


@frozen
class Table:
    """A matrix as the annex prints it: column headers (tiers) and rows."""

    title: str
    clause: str | None
    marks: tuple[str, ...]
    columns: tuple[str, ...]
    column_marks: tuple[tuple[str, ...], ...]
    rows: tuple[Row, ...]


@frozen
class ClockView:
    """A target's clock rules (`Target.clock`) as printed: titles, and which kinds of term they apply to."""

    pauses: tuple[str, ...]  # the titles of the statuses it stands still in
    stops: tuple[str, ...]  # the titles of the events that stop it
    restarts: tuple[str, ...]  # the titles of the events that start it again
    cycle_update: bool  # an update sent to the customer closes a cycle (`repeats after update`)
    cycle_events: tuple[str, ...]  # the titles of the declared events that close a cycle
    timed: bool  # some cell is a term in hours and minutes (its paused time is not counted)
    days: bool  # some cell is a term in days (its due date moves by the days paused)
    working_days: bool  # some cell is a term in working days (moved by working days)

    @property
    def recurring(self) -> bool:
        return self.cycle_update or bool(self.cycle_events)


@frozen
class ChangeView:
    """What a priority change (or a condition a target cell depends on) does to the running terms:
    the program's `priority_change` rule, printed once."""

    rule: str  # model.PRIORITY_CHANGE_RULES
    priorities: bool  # the program has priorities: a ticket's priority may change
    conditions: tuple[str, ...]  # the titles of the conditions target cells take another value under
    paused: bool  # some target pauses (the recount leaves the time paused out)
    target: str | None  # None: printed with the priorities; else after this target (no priorities block)


@frozen
class TargetView:
    """A target table as printed, with the rules of reading its cells that apply to it."""

    target: model.Target
    calendar: model.Calendar | None  # the table's default calendar
    table: Table
    single: model.TargetCell | None  # one tier and one row: printed as a sentence
    service_title: str | None
    readings: tuple[str, ...]  # the readings its cells use, in model.READINGS order
    efforts: bool  # some cell is a reasonable-efforts commitment
    percentile: bool
    event: str | None  # the event the term is counted from (title)
    via: tuple[str, ...]  # channel titles
    strict: bool = False  # some cell is a strict bound («менее 4 часов»)
    clock: ClockView | None = None  # its clock rules, when the target states any
    #: (condition title, channel title) of the conditions its cells use that hold once the ticket is
    #: escalated through a channel (stated at the first target that uses them)
    escalations: tuple[tuple[str, str], ...] = ()


@frozen
class DecisionTable:
    """Who may report what through which channel, for one tier: rendered from Program.decisions."""

    tier: str  # title
    columns: tuple[str, ...]  # priority labels (or "Любая заявка")
    rows: tuple[Row, ...]  # one per channel: head = channel title, cells = the decision per priority
    notes: tuple[str, ...]  # the model's sentences on when a channel takes requests (IntakeNote.text)


@frozen
class Span:
    """Consecutive weekdays with the same hours."""

    first: int
    last: int
    start: int
    end: int
    full_day: bool


@frozen
class MonthDays:
    year: int
    month: int
    days: tuple[int, ...]


@frozen
class HolidayView:
    hs: model.HolidaySet
    non_working: tuple[MonthDays, ...]
    working_weekends: tuple[MonthDays, ...]
    shortened: tuple[MonthDays, ...]
    decrees: tuple[tuple[int, str], ...] = ()  # (year, decree) for the years a decree settles
    provisional_years: tuple[int, ...] = ()  # years computed by Labour Code art. 112
    first_year: int | None = None  # the years printed: the set's, or a contract term's
    last_year: int | None = None


@frozen
class CalendarView:
    cal: model.Calendar
    spans: tuple[Span, ...]
    holidays: tuple[HolidayView, ...]
    moscow: bool


@frozen
class Expr:
    op: str  # max | min | remaining | duration
    args: tuple[Expr, ...] = ()
    duration: model.Duration | None = None
    warranty: str | None = None  # warranty title


@frozen
class Names:
    """Titles by id, for items the templates print by reference."""

    parties: dict[str, str]
    tiers: dict[str, str]
    services: dict[str, str]
    channels: dict[str, str]
    calendars: dict[str, str]
    events: dict[str, str]
    statuses: dict[str, str]
    conditions: dict[str, str]
    priorities: dict[str, str]
    priority_labels: dict[str, str]
    periods: dict[str, str]
    warranties: dict[str, str]


@frozen
class Labels:
    """What the annex calls the party of each role (nominative; the templates decline it with the
    `case` filter): the label of the program's party that plays it, else the Договор's own designation
    (runtime.sentences.ROLE_LABELS), which is what the annex is attached to."""

    provider: str  # who provides the services: ИСПОЛНИТЕЛЬ
    customer: str  # who receives them: ЗАКАЗЧИК
    vendor: str  # whose terms the annex states: ПРОИЗВОДИТЕЛЬ


@frozen
class AnnexView:
    program: model.Program
    config: AnnexConfig
    names: Names
    sections: tuple[Section, ...]
    calendars: tuple[CalendarView, ...]
    executor: model.Party | None  # the provider's party, if the program declares one
    customer: model.Party | None
    sha_short: str
    labels: Labels
    change: ChangeView | None = None  # the priority-change rule, when the annex states it


# --------------------------------------------------------------------------- items

def _resolve(prog: model.Program, kind: str, key: str) -> object:
    value = getattr(prog, kind)
    if not isinstance(value, tuple):
        return value
    if not key:
        return value
    if kind == "requests":
        return value
    if kind == "footnotes":
        return next(f for f in value if f.mark == key)
    return next(v for v in value if getattr(v, "id", None) == key)


def _clause_of(kind: str, item: object, prog: model.Program) -> str | None:
    if kind == "requests":
        return prog.requests[0].clause if prog.requests else None
    if kind == "tiers":
        return prog.tiers_clause
    if kind == "priorities":
        return prog.priorities_clause
    if kind == "parties":
        return "преамбула"
    return getattr(item, "clause", None)


def _split(clause: str) -> tuple[str, str | None]:
    m = _NUMBERED.match(clause.strip())
    return (m.group(1), m.group(2)) if m else (clause.strip(), None)


def _num_key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split("."))


def _is_numbered(key: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:\.\d+)*", key))


# --------------------------------------------------------------------------- tables

def _matrix_table(prog: model.Program, m: model.Matrix) -> Table:
    tiers = [prog.tier(t) for t in m.tiers]
    rows = tuple(Row(prog.service(r.service).title, prog.service(r.service).marks,
                     tuple(c.text for c in r.cells)) for r in m.rows)
    return Table(m.title, m.clause, m.marks, tuple(t.title for t in tiers), tuple(t.marks for t in tiers), rows)


def _row_label(prog: model.Program, row: str | None) -> str | None:
    if row is None:
        return None
    for p in prog.priorities:
        if p.id == row:
            return p.short
    req = prog.index.requests.get(row)
    return req.title if req is not None else row


#: readings of a term in hours and minutes, and of a term in days (runtime/ticket.py: paused time is not
#: counted in the first, the due date moves by the days paused in the second, working days for a term in
#: working days)
_TIMED_READINGS = ("clock", "working_time")
_DAY_READINGS = ("calendar_days", "business_days", "next_business_day", "next_calendar_day")
_WORKING_DAY_READINGS = ("business_days", "next_business_day")


def _clock_view(prog: model.Program, t: model.Target) -> ClockView | None:
    k = t.clock
    if not k.stated:
        return None
    ix = prog.index
    used = {c.term.reading for cell in t.cells for c in (cell, *(a for _, a in cell.when))}
    return ClockView(tuple(ix.statuses[s].title for s in k.pauses), tuple(ix.events[e].title for e in k.stops),
                     tuple(ix.events[e].title for e in k.restarts), "update" in k.repeats_after,
                     tuple(ix.events[e].title for e in k.repeats_after if e != "update"),
                     bool(used & set(_TIMED_READINGS)), bool(used & set(_DAY_READINGS)),
                     bool(used & set(_WORKING_DAY_READINGS)))


def change_view(prog: model.Program) -> ChangeView | None:
    """The priority-change rule, when the annex states it: the program declares a rule other than the
    default `recount`, or some target has clock rules or a conditional cell (what the evaluator does on
    a change matters to a ticket's life). None otherwise."""
    conditions = tuple(dict.fromkeys(k for t in prog.targets for k in t.conditions))
    if not prog.priorities and not conditions:
        return None
    if prog.priority_change == "recount" and not conditions and not any(t.clock.stated for t in prog.targets):
        return None
    printed_with_priorities = bool(prog.priorities) and any(o.kind == "priorities" for o in prog.outline)
    target = None if printed_with_priorities else next(
        (t.id for t in prog.targets if t.conditions or t.clock.stated), None)
    return ChangeView(prog.priority_change, bool(prog.priorities),
                      tuple(prog.index.conditions[k].title for k in conditions),
                      any(t.clock.pauses for t in prog.targets), target)


def _escalations(prog: model.Program, t: model.Target) -> tuple[tuple[str, str], ...]:
    """The escalation conditions first used by target `t` (each is stated once, where first used)."""
    earlier = {k for x in prog.targets[:prog.targets.index(t)] for k in x.conditions} if t in prog.targets else set()
    out = []
    for k in t.conditions:
        c = prog.index.conditions[k]
        if k not in earlier and c.escalated_via is not None:
            out.append((c.title, prog.index.channels[c.escalated_via].title))
    return tuple(out)


def _target_view(prog: model.Program, t: model.Target) -> TargetView:
    tiers = [prog.tier(x) for x in t.tiers]
    cells = {(c.row, c.tier): c for c in t.cells}
    titles = prog.index.conditions

    def when(c: model.TargetCell) -> tuple[tuple[str, str], ...]:
        return tuple((titles[k].title, a.text) for k, a in c.when)

    conditional = any(c.when for c in t.cells)
    rows = tuple(Row(_row_label(prog, r), (), tuple(cells[(r, x)].text for x in t.tiers),
                     tuple(when(cells[(r, x)]) for x in t.tiers) if conditional else ()) for r in t.rows)
    table = Table(t.title, t.clause, t.marks, tuple(x.title for x in tiers), tuple(x.marks for x in tiers), rows)
    single = cells[(None, t.tiers[0])] if len(t.tiers) == 1 and t.rows == (None,) else None
    service = prog.service(t.from_service).title if t.from_service else None
    every = [c for cell in t.cells for c in (cell, *(a for _, a in cell.when))]  # the alternatives too
    used = {c.term.reading for c in every}
    event = prog.index.events[t.counted_from].title if t.counted_from else None
    via = tuple(c.title for c in prog.channels if c.id in t.via)
    return TargetView(t, prog.calendar(t.calendar) if t.calendar else None, table, single, service,
                      tuple(r for r in model.READINGS if r in used), any(c.strength == "efforts" for c in every),
                      any(c.percentile is not None for c in every), event, via, any(c.strict for c in every),
                      _clock_view(prog, t), _escalations(prog, t))


def decision_tables(prog: model.Program) -> tuple[DecisionTable, ...]:
    """The model's intake tables (`Program.intake`, from the decisions) with titles for the headers."""
    labels = {p.id: p.short for p in prog.priorities}
    return tuple(
        DecisionTable(prog.tier(t.tier).title, tuple(labels.get(c, "Любая заявка") if c else "Любая заявка"
                                                     for c in t.columns),
                      tuple(Row(prog.index.channels[r.channel].title, (), tuple(c.text for c in r.cells))
                            for r in t.rows),
                      tuple(n.text for n in t.notes))
        for t in prog.intake)


def _expr(prog: model.Program, e: object) -> Expr:
    if isinstance(e, model.MaxOf | model.MinOf):
        return Expr("max" if isinstance(e, model.MaxOf) else "min", tuple(_expr(prog, a) for a in e.args))
    if isinstance(e, model.Remaining):
        return Expr("remaining", warranty=prog.index.warranties[e.warranty].title)
    if isinstance(e, model.Duration):
        return Expr("duration", duration=e)
    raise ValueError(f"unsupported rule expression {type(e).__name__}")


# --------------------------------------------------------------------------- calendars

def _spans(cal: model.Calendar) -> tuple[Span, ...]:
    out: list[Span] = []
    for w in sorted(cal.windows, key=lambda w: (w.weekday, w.start)):
        last = out[-1] if out else None
        if last and last.last == w.weekday - 1 and (last.start, last.end) == (w.start, w.end):
            out[-1] = Span(last.first, w.weekday, w.start, w.end, last.full_day)
        else:
            out.append(Span(w.weekday, w.weekday, w.start, w.end, w.start == 0 and w.end == 1440))
    return tuple(out)


def _months(dates: tuple[dt.date, ...]) -> tuple[MonthDays, ...]:
    return tuple(MonthDays(y, m, tuple(d.day for d in ds))
                 for (y, m), ds in groupby(sorted(dates), key=lambda d: (d.year, d.month)))


def _holiday_view(hs: model.HolidaySet, years: tuple[int, ...] | None = None) -> HolidayView:
    """The days off to print; for a customer's contract only the years its term covers."""
    def keep(dates: tuple[dt.date, ...]) -> tuple[dt.date, ...]:
        return dates if years is None else tuple(d for d in dates if d.year in years)

    listed = [(y, d) for y, d in hs.years if years is None or y in years]
    shown = [y for y, _ in listed]
    return HolidayView(hs, _months(keep(hs.non_working)), _months(keep(hs.working_weekends)),
                       _months(keep(hs.shortened)), tuple((y, d) for y, d in listed if d),
                       tuple(y for y, d in listed if not d), min(shown, default=hs.first_year),
                       max(shown, default=hs.last_year))


def _calendar_view(prog: model.Program, cal: model.Calendar) -> CalendarView:
    sets = {h.id: h for h in prog.holiday_sets}
    years = prog.instance.years if prog.instance else None
    hols = tuple(_holiday_view(sets[h], years) for h in cal.holiday_sets)
    return CalendarView(cal, _spans(cal), hols, cal.zone == "Europe/Moscow")


# --------------------------------------------------------------------------- sections

def _block(prog: model.Program, kind: str, item: object, cite: str | None) -> Block:
    if kind == "matrices":
        assert isinstance(item, model.Matrix)
        return Block(kind, _matrix_table(prog, item), cite)
    if kind == "targets":
        assert isinstance(item, model.Target)
        return Block(kind, _target_view(prog, item), cite)
    if kind == "rules":
        assert isinstance(item, model.Rule)
        return Block(kind, (item, _expr(prog, item.expr)), cite)
    return Block(kind, item, cite)


def _title(blocks: list[Block]) -> tuple[str | None, str]:
    for b in blocks:
        if b.kind in _HEADING_KINDS and b.cite is None:
            title = getattr(b.item, "title", None)  # every heading kind (clause, matrix, period ...) has one
            return (title if isinstance(title, str) else None), b.kind
    targets = [b for b in blocks if b.kind == "targets"]
    if len(targets) == 1 and targets[0].cite is None:  # a section that states one target is named by it
        item = targets[0].item
        assert isinstance(item, TargetView)
        return item.target.title, "targets"
    ranked = sorted(blocks, key=lambda b: _RANK.get(b.kind, 50))
    return None, (ranked[0].kind if ranked else "")


def referenced_marks(prog: model.Program) -> set[str]:
    """Footnote marks that something printed in the annex carries: the model's `referenced_marks`."""
    return set(prog.referenced_marks)


def build_sections(prog: model.Program) -> tuple[Section, ...]:
    groups: dict[str, list[tuple[int, Block]]] = {}
    first_seen: dict[str, int] = {}
    source_order: dict[str, list[Block]] = {}
    footnote_rank = {f.mark: i for i, f in enumerate(prog.footnotes)}  # the model's order: (1), (2) ... then *, **
    referenced = prog.referenced_marks
    for index, o in enumerate(prog.outline):
        if o.kind in _REFERENCED_ONLY or o.kind in _DEFINITIONS_KINDS or o.kind in _NOT_PRINTED:
            continue
        if o.kind == "footnotes" and o.key not in referenced:
            continue  # a footnote nothing in this annex refers to is not printed
        item = _resolve(prog, o.kind, o.key)
        clause = _clause_of(o.kind, item, prog)
        if clause is None:
            key, sub = ("notes" if o.kind == "footnotes" else "preamble"), None
        else:
            key, sub = _split(clause)
            if key == "преамбула":
                key = "preamble"
        cite = clause if sub is not None else None
        block = _block(prog, o.kind, item, cite)
        position = len(prog.outline) + footnote_rank[o.key] if o.kind == "footnotes" else index
        groups.setdefault(key, []).append((position, block))
        source_order.setdefault(key, []).append(block)
        first_seen.setdefault(key, index)
        if o.kind == "targets" and o.key == "response" and prog.channels and prog.decisions:
            # who may report what, by channel: the model's decisions, next to the response target
            groups[key].append((position, Block("decisions", decision_tables(prog), None)))

    numbered = sorted((k for k in groups if _is_numbered(k)), key=_num_key)
    last_numbered_at = max((first_seen[k] for k in numbered), default=-1)
    named = [k for k in sorted(groups, key=first_seen.__getitem__)
             if not _is_numbered(k) and k not in ("preamble", "notes")]
    front = [k for k in named if first_seen[k] < last_numbered_at]
    back = [k for k in named if k not in front]

    order = (["preamble"] if "preamble" in groups else []) + front + numbered
    order += (["notes"] if "notes" in groups else []) + back
    sections: list[Section] = []
    for key in order:
        blocks = [b for _, b in sorted(groups[key], key=lambda ib: (_RANK.get(ib[1].kind, 50), ib[0]))]
        title, title_kind = _title(source_order[key])
        if key in ("preamble", "notes"):
            title, title_kind = None, key
        elif not _is_numbered(key):
            title, title_kind = key, "named"
        number = key if _is_numbered(key) else None
        # no forced page breaks: a break before each top-level section left pages two-thirds blank
        page_break = False
        sections.append(Section(key, number, title, title_kind, 1 + (number.count(".") if number else 0),
                                page_break, tuple(blocks)))
    return tuple(sections)


#: until the grammar declares a party's role (`party … role provider|vendor|customer`): the party id
#: that plays each role


def _party_by_role(prog: model.Program, role: str) -> model.Party | None:
    """The program's party that plays `role` (provider, vendor, customer), if it declares one: the one
    place that decides it."""
    return model.party_playing(prog.parties, role)  # declared with `plays`, never inferred from an id


def _labels(prog: model.Program) -> Labels:
    def label(role: str) -> str:
        p = _party_by_role(prog, role)
        return p.label if p is not None else ROLE_LABELS[role]

    return Labels(provider=label("provider"), customer=label("customer"), vendor=label("vendor"))


def build_view(prog: model.Program, config: AnnexConfig) -> AnnexView:
    names = Names(
        parties={p.id: p.label for p in prog.parties},
        tiers={t.id: t.title for t in prog.tiers},
        services={s.id: s.title for s in prog.services},
        channels={c.id: c.title for c in prog.channels},
        calendars={c.id: c.title for c in prog.calendars},
        events={e.id: e.title for e in prog.events},
        statuses={s.id: s.title for s in prog.statuses},
        conditions={c.id: c.title for c in prog.conditions},
        priorities={p.id: p.title for p in prog.priorities},
        priority_labels={p.id: p.short for p in prog.priorities},
        periods={p.id: p.title for p in prog.periods},
        warranties={w.id: w.title for w in prog.warranties},
    )
    calendars = tuple(_calendar_view(prog, c) for c in prog.calendars)
    sections = list(build_sections(prog))
    at = 1 if sections and sections[0].key == "preamble" else 0
    holidays = tuple(_holiday_view(h, prog.instance.years if prog.instance else None) for h in prog.holiday_sets)
    definitions = Section("definitions", None, None, "definitions", 1, False,
                          tuple(Block("calendars", c, c.cal.clause) for c in calendars)
                          + tuple(Block("holiday_sets", h, h.hs.clause) for h in holidays))
    if definitions.blocks:  # a program with no calendar (a warranty, a maintenance plan) has no such section
        sections.insert(at, definitions)
    return AnnexView(
        program=prog,
        config=config,
        names=names,
        sections=tuple(sections),
        calendars=calendars,
        executor=_party_by_role(prog, "provider"),
        customer=_party_by_role(prog, "customer"),
        sha_short=prog.sha256[:16],
        labels=_labels(prog),
        change=change_view(prog),
    )
