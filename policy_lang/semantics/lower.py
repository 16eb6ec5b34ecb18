"""AST (already checked) -> the program model: resolve references, normalise units, order footnotes."""
from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from policy_lang.diagnostics import Span
from policy_lang.runtime import ru_text as ru
from policy_lang.runtime.sentences import CELL
from policy_lang.semantics import constructs, model, production_calendar
from policy_lang.semantics.constructs import Skip
from policy_lang.semantics.precedence import cell_calendar
from policy_lang.syntax import ast
from policy_lang.typography import typeset


def default_horizon() -> tuple[int, int]:
    """Years baked for a calendar that names no official production calendar: the packaged
    decree years plus a few computed ones, so that a contract signed today fits."""
    return (production_calendar.first_data_year(),
            production_calendar.last_decree_year() + production_calendar.DEFAULT_PROVISIONAL_YEARS)


T = TypeVar("T")


def duration(d: ast.Duration, *, business: bool = False) -> model.Duration:
    unit = d.unit
    if business and unit == "hour":
        unit = "business_hour"
    if business and unit == "minute":
        unit = "business_minute"
    amount = d.amount  # a fraction stays as written: `2.5h` is «2,5 часа»
    if d.parts:
        text = " ".join(ru.quantity(int(a), u.replace("business_", "")) for a, u in d.parts)
        if unit.startswith("business_"):
            text += " рабочего времени"
    elif unit == "business_minute":
        text = ru.any_quantity(amount, "minute") + " рабочего времени"
    else:
        text = ru.any_quantity(amount, unit)  # model units are ru_text unit keys
    return model.Duration(amount, unit, text, d.span)


_UNIT_SECONDS = {"minute": 60, "business_minute": 60, "hour": 3600, "business_hour": 3600}


def _day_minutes(cal: model.Calendar) -> int:
    """The length of the calendar's ordinary working day (the checker made them equal for fractions)."""
    per_day: dict[int, int] = {}
    for w in cal.windows:
        per_day[w.weekday] = per_day.get(w.weekday, 0) + (w.end - w.start)
    return max(per_day.values(), default=1440)


def term(value: object, cal: model.Calendar | None) -> model.Term:
    """The one reading of a target cell or an obligation's `within`, on its calendar.

    Hours and minutes count the calendar's working time (elapsed time on a 24x7 calendar or with
    no calendar); whole business days end with the last working day; days, weeks and months end
    with their last calendar day; a fraction of a business day is that share of a working day.
    """
    if isinstance(value, ast.TermNone):
        return model.Term("not_regulated", None, text="не регламентируется")
    if isinstance(value, ast.TermWords):
        return model.Term("as_written", None, text=value.text)
    if isinstance(value, ast.TermStrict):  # the checker admits a duration only after `<`
        assert isinstance(value.inner, ast.TermDuration)
        inner = term(value.inner, cal)
        return attrs.evolve(inner, text="менее " + _genitive(value.inner.duration, inner))
    if isinstance(value, ast.TermNextDay):
        base = "следующий рабочий день" if value.business else "следующий календарный день"
        if value.cutoff is not None:
            hhmm = f"{value.cutoff // 60:02d}:{value.cutoff % 60:02d}"
            base += (f"; заявка, поступившая после {hhmm}, считается поступившей в следующий "
                     + ("рабочий день" if value.business else "день"))
        return model.Term("next_business_day" if value.business else "next_calendar_day", None,
                          cutoff=value.cutoff, text=base)
    d = value.duration if isinstance(value, ast.TermDuration) else value
    assert isinstance(d, ast.Duration)
    always = cal is None or cal.always
    md = duration(d, business=not always)
    unit = md.unit
    if unit in _UNIT_SECONDS:
        seconds = int(md.amount * _UNIT_SECONDS[unit])
        return model.Term("clock" if always else "working_time", md, seconds=seconds, text=md.text)
    if unit == "business_day":
        if isinstance(md.amount, Decimal):
            assert cal is not None
            seconds = int(md.amount * _day_minutes(cal) * 60)
            hours = ru.any_quantity(Decimal(seconds) / 3600, "hour")
            return model.Term("working_time", md, seconds=seconds,
                              text=f"{md.text} ({hours} рабочего времени)")
        return model.Term("business_days", md, amount=int(md.amount), unit="business_day", text=md.text)
    unit = "day" if unit == "calendar_day" else unit
    return model.Term("calendar_days", md, amount=int(md.amount), unit=unit, text=md.text)


def _genitive(d: ast.Duration, tm: model.Term) -> str:
    """A term's duration after «менее» (genitive), as `duration` words it in the nominative:
    «4 часов», «1 рабочего дня», «2,5 рабочего дня (20 часов рабочего времени)», «17 часов 30 минут»."""
    md = tm.duration
    assert md is not None
    business = md.unit.startswith("business_")
    if d.parts:
        text = " ".join(ru.quantity(int(a), u.replace("business_", ""), "gen") for a, u in d.parts)
        return text + (" рабочего времени" if business else "")
    if md.unit == "business_minute":
        return ru.any_quantity(md.amount, "minute", "gen") + " рабочего времени"
    text = ru.any_quantity(md.amount, md.unit, "gen")
    if tm.reading == "working_time" and md.unit == "business_day":  # a fraction of a business day
        text += f" ({ru.any_quantity(Decimal(tm.seconds or 0) / 3600, 'hour')} рабочего времени)"
    return text


def _checked(x: T | None) -> T:
    """A field the grammar leaves optional and the checker requires (its absence is P0102)."""
    assert x is not None, "lowered a declaration the checker should have refused"
    return x


def _t(x: ast.Text | None) -> str | None:
    return None if x is None else x.value


def _n(x: ast.Name | None) -> str | None:
    return None if x is None else x.value


def _ref(x: ast.Ref | None) -> str | None:
    return None if x is None else x.value


def cell(c: ast.Cell, *, business: bool, labels: dict[str, str] | None = None) -> model.Cell:
    match c.kind:
        case "yes":
            return model.YesCell(True, None, None, None, "Да", c.span)
        case "no":
            return model.NoCell(False, None, None, None, "Нет", c.span)
        case "none":
            return model.NoneCell(False, None, None, None, "—", c.span)
        case "count":
            assert c.count is not None
            return model.CountCell(c.count > 0, c.count, None, None, ru.format_int(c.count), c.span)
        case "unlimited":
            return model.UnlimitedCell(True, None, None, None, "Неограниченное", c.span)
        case "only":
            ps = tuple(n.value for n in c.names)
            names = [(labels or {}).get(p, p) for p in ps]
            return model.OnlyCell(True, None, ps, None, "Только " + ru.join_ru(names, "или"), c.span)
        case "duration":
            assert c.duration is not None
            d = duration(c.duration, business=business)
            return model.DurationCell(True, None, None, d, d.text, c.span)
        case "ratio":
            return model.RatioCell(True, None, None, None, c.text or "", c.span)
        case "text":
            return model.TextCell(True, None, None, None, c.text or "", c.span)
        case "price":
            assert c.price is not None
            pr = c.price
            per = pr.per.value if pr.per else None
            price = model.Price(pr.amount, pr.currency, per, ru.price_ru(pr.amount, pr.currency, per))
            return model.PriceCell(False, None, None, None, price.text, c.span, price)
        case "on_request":
            return model.OnRequestCell(False, None, None, None, "по запросу", c.span)
    raise ValueError(f"unsupported cell kind {c.kind!r}")


def _expand(items: tuple[ast.DateItem, ...]) -> list[tuple[dt.date, str | None]]:
    out = []
    for it in items:
        if it.first is None:
            continue
        last = it.last or it.first
        d = it.first
        while d <= last:
            out.append((d, it.label))
            d += dt.timedelta(days=1)
    return out


def holiday_set(h: ast.HolidaysDecl) -> model.HolidaySet:
    non_working: set[dt.date] = set()
    working: set[dt.date] = set()
    shortened_official: set[dt.date] = set()
    first = last = provisional_from = None
    years: tuple[tuple[int, str | None], ...] = ()
    if h.official is not None:
        first, last = h.official.first_year, h.official.last_year
        official = production_calendar.official_years(first, last)
        for y in official:
            non_working |= y.non_working
            working |= y.working_weekends
            shortened_official |= y.shortened
        years = tuple((y.year, y.decree) for y in official)
        provisional_from = next((dt.date(y.year, 1, 1) for y in official if y.provisional), None)
    explicit = _expand(h.dates)
    non_working |= {d for d, _ in explicit if d.weekday() < 5}
    working |= {d for d, _ in _expand(h.working)}
    non_working -= working
    shortened = sorted(shortened_official | {d for d, _ in _expand(h.shortened)})
    return model.HolidaySet(h.id.value, h.title.value, _ref(h.ref), h.official.country.value if h.official else None,
                            first, last, tuple(sorted(non_working)), tuple(sorted(working)), tuple(shortened),
                            tuple(explicit), _t(h.source), h.span, years, provisional_from)


def calendar(c: ast.CalendarDecl, sets: dict[str, model.HolidaySet]) -> model.Calendar:
    windows = tuple(
        model.WeeklyWindow(day, w.start, w.end, w.span)
        for h in c.hours for day in range(h.first_day, h.last_day + 1) for w in h.windows)
    used = [sets[n.value] for n in c.excepts]
    non_working = sorted({d for s in used for d in s.non_working})
    working = sorted({d for s in used for d in s.working_weekends})
    shorten = 0
    if c.shorten is not None:
        amount = c.shorten.amount
        assert isinstance(amount, int)  # the checker refuses a fraction or a compound here (P0305)
        shorten = amount * (60 if c.shorten.unit == "hour" else 1)
    shortened = sorted({d for s in used for d in s.shortened}) if shorten else []
    first = last = provisional_from = None
    if not c.always:
        # an official set has both years, a set of explicit dates neither
        years = [(s.first_year, s.last_year) for s in used if s.first_year is not None and s.last_year is not None]
        default = default_horizon()
        lo = max([y[0] for y in years], default=default[0])
        hi = min([y[1] for y in years], default=default[1])
        first, last = dt.date(lo, 1, 1), dt.date(hi, 12, 31)
        provisional_from = min((s.provisional_from for s in used if s.provisional_from is not None),
                               default=None)
    zone = c.zone.value if c.zone is not None else "UTC"
    return model.Calendar(c.id.value, c.title.value, _ref(c.ref), zone, c.always, windows,
                          tuple(n.value for n in c.excepts), tuple(non_working), tuple(working), tuple(shortened),
                          shorten, first, last, _t(c.note), c.span, provisional_from)


def counted(tm: model.Term, cal: model.Calendar | None) -> str:
    """How a term is counted, in the words both the annex and the evaluator's reasons use."""
    title = ru.quote(cal.title) if cal is not None else ""
    match tm.reading:
        case "clock":
            return f"непрерывно ({cal.title})" if cal is not None else "непрерывно"
        case "working_time":
            return f"в рабочее время по календарю {title}"
        case "business_days":
            return f"до 24:00 последнего рабочего дня срока по календарю {title}"
        case "calendar_days":
            return "до 24:00 последнего дня срока"
        case "next_business_day":
            return f"до 24:00 следующего рабочего дня по календарю {title}"
        case "next_calendar_day":
            return "до 24:00 следующего дня"
    return ""


def target(t: ast.TargetDecl, cals: dict[str, model.Calendar], matrices: list[ast.MatrixDecl]) -> model.Target:
    """A target table: every cell resolved to its calendar (cell > row > column > table), reading and strength."""
    default = t.calendar.value if t.calendar else None
    row_cal = {n.value: q.calendar.value for q in t.on_for for n in q.names}
    efforts_all = any(not e.names for e in t.efforts)
    efforts_for = {n.value for e in t.efforts for n in e.names}
    pct_all = next((p for p in t.percentiles if not p.names), None)
    pct_for = {n.value: p for p in t.percentiles for n in p.names}
    title = _t(t.title) or ("Время реакции" if t.is_response else t.id.value)
    if t.from_service is not None:
        svc = t.from_service.value
        m = next(m for m in matrices for row in m.rows if row.label.value == svc)
        row = next(row for row in m.rows if row.label.value == svc)
        columns = tuple(c.value for c in m.columns)
        labelled: list[tuple[str | None, str, object, Span, ast.Name | None, bool, tuple[ast.CellWhen, ...]]] = [
            (None, tier, c.duration, c.span, None, False, ()) for tier, c in zip(columns, row.cells)]
        rows: tuple[str | None, ...] = (None,)
    else:
        columns = tuple(c.value for c in t.columns)
        rows = tuple(None if r.label.value == "any" else r.label.value for r in t.rows)
        labelled = [(None if r.label.value == "any" else r.label.value, tier, c.term, c.span, c.calendar, c.efforts,
                     c.when) for r in t.rows for tier, c in zip(columns, r.cells)]

    def one(row_id: str | None, tier: str, value: object, span: Span, cell_cal: ast.Name | None,
            efforts: bool) -> model.TargetCell:
        keys = (row_id or "any", tier)
        cal_id = cell_calendar(cell_cal.value if cell_cal else None, row_cal.get(keys[0]), row_cal.get(tier), default)
        cal = cals.get(cal_id) if cal_id else None
        v = value if not isinstance(value, ast.Duration) else ast.TermDuration(value, value.span)
        tm = term(v, cal)
        computed = tm.reading not in model.UNCOMPUTED_READINGS
        best = efforts or efforts_all or keys[0] in efforts_for or tier in efforts_for
        # a cell that promises nothing (or only words) is no effort either: `efforts` speaks of the cells with a term
        strong = "efforts" if best and computed else "guaranteed"
        pc = pct_for.get(keys[0]) or pct_for.get(tier) or pct_all
        pct = None if pc is None or not computed else model.Percentile(
            pc.percent, pc.per.value, ru.percentile_ru(pc.percent, pc.per.value))
        text = tm.text
        if cal is not None and cal_id != default and computed:
            text += (CELL["on_always"].format(calendar=cal.title) if cal.always
                     else CELL["on_calendar"].format(calendar=ru.quote(cal.title)))
        if strong == "efforts" and computed:
            text += CELL["efforts"]
        if pct is not None:
            text += CELL["percentile"].format(percentile=pct.text)
        text = typeset(text)  # the words the annex prints and the evaluator answers: typeset once, here
        return model.TargetCell(tier, row_id, tm, cal_id if computed else None, strong, pct, span,
                                counted(tm, cal) if computed else "", text, isinstance(v, ast.TermStrict))

    cells = []
    for row_id, tier, value, span, cell_cal, efforts, when in labelled:
        base = one(row_id, tier, value, span, cell_cal, efforts)
        # an alternative is the same cell while its condition holds: the cell's own `on` and `efforts`
        # carry over unless the alternative states its own
        alternatives = tuple((w.condition.value, one(row_id, tier, w.cell.term, w.cell.span,
                                                     w.cell.calendar or cell_cal, w.cell.efforts or efforts))
                             for w in when)
        cells.append(attrs.evolve(base, when=alternatives) if alternatives else base)
    clock = model.ClockRules(*(tuple(n.value for f in t.clock if f.kind == kind for n in f.names)
                               for kind in ("pause", "stop", "restart", "repeats")))
    return model.Target(t.id.value, title, _ref(t.ref), t.marks, _n(t.counted_from), tuple(n.value for n in t.via),
                        columns, rows, tuple(cells), default, _n(t.from_service), _t(t.text), _t(t.note), t.span,
                        clock)


def _footnote_key(f: model.Footnote) -> tuple[int, int, str]:
    inner = f.mark.strip("()")
    if inner.isdigit():
        return (0, int(inner), "")
    if set(f.mark) == {"*"}:
        return (1, len(f.mark), "")
    return (2, 0, f.mark)


class Lowering:
    """What lowering one declaration may need of the others: calendars, priority labels, matrices.

    Each declaration kind has one small method below; `lower` calls them in source order.
    """

    def __init__(self, items: list[object]) -> None:
        self.sets = {h.id.value: holiday_set(h) for h in items if isinstance(h, ast.HolidaysDecl)}
        self.cals = {c.id.value: calendar(c, self.sets) for c in items if isinstance(c, ast.CalendarDecl)}
        self.labels = {p.id.value: (_t(p.label) or p.title.value) for pd in items
                       if isinstance(pd, ast.PrioritiesDecl) for p in pd.priorities}
        self.matrix_decls = [m for m in items if isinstance(m, ast.MatrixDecl)]
        self.counts: dict[str, tuple[tuple[str, int], ...]] = {}
        for m in self.matrix_decls:
            for r in m.rows:
                self.counts.setdefault(r.label.value, tuple(
                    (t.value, c.count or 0) for t, c in zip(m.columns, r.cells)))

    def holidays(self, h: ast.HolidaysDecl) -> model.HolidaySet:
        return self.sets[h.id.value]  # lowered first, in __init__: calendars and targets refer to them

    def calendar(self, c: ast.CalendarDecl) -> model.Calendar:
        return self.cals[c.id.value]

    def event(self, e: ast.EventDecl) -> model.Event:
        return model.Event(e.id.value, e.title.value, e.span)

    def condition(self, c: ast.ConditionDecl) -> model.Condition:
        return model.Condition(c.id.value, c.title.value, c.span, _n(c.escalated_via))

    def status(self, s: ast.StatusDecl) -> model.Status:
        return model.Status(s.id.value, s.title.value, s.span)

    def agreed(self, a: ast.AgreedDecl) -> model.Agreement:
        return model.Agreement(a.id.value, _ref(a.ref), _t(a.text) or "", a.span)

    def performance(self, p: ast.PerformanceDecl) -> ast.PerformanceDecl:
        return p  # resolved against the parties once all are known (`_performance`)

    def terms(self, t: ast.TermsDecl) -> list[model.DefinedTerm]:
        return [model.DefinedTerm(e.term.value, tuple(a.value for a in e.avoid)) for e in t.entries]

    def parties(self, d: ast.PartiesDecl) -> list[model.Party]:
        return [model.Party(p.id.value, p.label.value, p.role.value, _n(p.plays), p.span) for p in d.parties]

    def channel(self, c: ast.ChannelDecl) -> model.Channel:
        return model.Channel(c.id.value, c.title.value, _ref(c.ref), _t(c.contact), _n(c.available),
                             _t(c.language), c.confirm.channel.value if c.confirm else None,
                             c.confirm.text.value if c.confirm else None, _t(c.note), c.span,
                             tuple((o.calendar.value, o.service.value, tuple(n.value for n in o.priorities))
                                   for o in c.open_with))

    def procedure(self, p: ast.ProcedureDecl) -> model.Procedure:
        return model.Procedure(p.id.value, p.title.value, _ref(p.ref), tuple(s.value for s in p.steps), p.span)

    def tiers(self, d: ast.TiersDecl) -> list[model.Tier]:
        return [model.Tier(t.id.value, t.title.value, t.low, t.high, t.purchased, t.marks, t.span) for t in d.tiers]

    def services(self, d: ast.ServicesDecl) -> list[model.Service]:
        return [model.Service(s.id.value, s.title.value, s.marks, _n(s.grants), _ref(d.ref), s.span)
                for s in d.services]

    def matrix(self, m: ast.MatrixDecl) -> model.Matrix:
        rows = tuple(model.MatrixRow(r.label.value, tuple(cell(c, business=False, labels=self.labels)
                                                          for c in r.cells), r.span) for r in m.rows)
        return model.Matrix(m.id.value, m.title.value, _ref(m.ref), m.marks, tuple(c.value for c in m.columns),
                            rows, m.span)

    def priorities(self, d: ast.PrioritiesDecl) -> list[model.Priority]:
        return [model.Priority(p.id.value, p.title.value, _t(p.definition), tuple(n.value for n in p.report_via),
                               _ref(d.ref), p.span, _t(p.short) or _t(p.label) or p.title.value,
                               _t(p.label) or p.title.value) for p in d.priorities]

    def requests(self, d: ast.RequestsDecl) -> list[model.RequestType]:
        return [model.RequestType(r.id.value, r.title.value, r.priority.value, _ref(d.ref), r.span)
                for r in d.requests]

    def target(self, t: ast.TargetDecl) -> model.Target:
        return target(t, self.cals, self.matrix_decls)

    def reclassification(self, r: ast.ReclassifyDecl) -> model.Reclassification:
        return model.Reclassification(r.id.value, _ref(r.ref), tuple(n.value for n in r.unless_via),
                                      _checked(r.becomes).value, _n(r.may_lower), _t(r.text), r.span,
                                      _n(r.when))

    def obligation(self, o: ast.ObligationDecl) -> model.Obligation:
        w = o.within
        return model.Obligation(
            o.id.value, o.title.value, _ref(o.ref), o.marks, _n(o.by), _n(o.from_event),
            duration(w.duration) if w else None, _n(w.calendar) if w else None,
            duration(o.before.duration) if o.before else None, o.before.period.value if o.before else None,
            _n(o.when), _t(o.note), _t(o.text), o.span,
            term(w.duration, self.cals[w.calendar.value] if w.calendar else None) if w else None,
            model.ClockRules(*(tuple(n.value for f in o.clock if f.kind == kind for n in f.names)
                               for kind in ("pause", "stop"))))

    def period(self, p: ast.PeriodDecl) -> model.Period:
        return model.Period(p.id.value, p.title.value, _ref(p.ref), _n(p.starts), duration(_checked(p.length)),
                            duration(p.renews) if p.renews else None, tuple(duration(d) for d in p.options),
                            _t(p.text), p.span)

    def vouchers(self, v: ast.VouchersDecl) -> model.Vouchers:
        service = _checked(v.count_from).value
        return model.Vouchers(v.id.value, v.title.value, _ref(v.ref), v.marks, service, self.counts.get(service, ()),
                              _n(v.valid_from), duration(v.expires_after) if v.expires_after else None,
                              _n(v.expires_with), duration(v.reissued) if v.reissued else None, _t(v.text), v.span)

    def exclusions(self, x: ast.ExclusionsDecl) -> model.ExclusionList:
        return model.ExclusionList(x.id.value, x.title.value, _ref(x.ref),
                                   tuple((e.mark, e.text.value) for e in x.items), x.span)

    def clause(self, c: ast.ClauseDecl) -> model.Clause:
        return model.Clause(c.id.value, c.title.value, _ref(c.ref), c.marks, _t(c.text),
                            tuple(t.value for t in c.items),
                            tuple(n.value for n in c.applies_tiers), tuple(n.value for n in c.applies_priorities),
                            c.span)

    def footnote(self, f: ast.FootnoteDecl) -> model.Footnote:
        return model.Footnote(f.mark, _ref(f.ref), f.text.value, f.span)

    def definition(self, d: ast.DefinitionDecl) -> model.Definition:
        return model.Definition(d.id.value, d.title.value, _ref(d.ref), d.text.value, d.span)

    def warranty(self, w: ast.WarrantyDecl) -> model.Warranty:
        return model.Warranty(w.id.value, w.title.value, _ref(w.ref), duration(_checked(w.length)), _n(w.from_event),
                              _t(w.text), w.span)

    def rma(self, r: ast.RmaDecl) -> model.Rma:
        return model.Rma(r.id.value, r.title.value, _ref(r.ref), _checked(r.during).value, _n(r.or_with), _t(r.text), r.span)

    def rule(self, r: ast.RuleDecl) -> model.Rule:
        return model.Rule(r.id.value, r.title.value, _ref(r.ref), self.expr(r.expr), _t(r.text), r.span)

    def expr(self, e: object) -> object:
        match e:
            case ast.MaxOf():
                return model.MaxOf(tuple(self.expr(a) for a in e.args))
            case ast.MinOf():
                return model.MinOf(tuple(self.expr(a) for a in e.args))
            case ast.Remaining():
                return model.Remaining(e.warranty.value)
        assert isinstance(e, ast.Duration)
        return duration(e)

    def incidents(self, i: ast.IncidentsDecl) -> model.IncidentAccounting:
        exemptions = tuple(model.IncidentExemption(kind.value, when.value) for kind, when in i.not_deducted)
        return model.IncidentAccounting(tuple(dict.fromkeys(t.value for t in i.tiers)), _ref(i.ref), i.marks,
                                        exemptions, _t(i.text), i.span)

    def reinstatement(self, r: ast.ReinstatementDecl) -> model.Reinstatement:
        return model.Reinstatement(_ref(r.ref), duration(_checked(r.pays)), _t(r.text), r.span)

    def coverage(self, c: ast.CoverageDecl) -> model.Coverage:
        return model.Coverage(c.id.value, _ref(c.ref), _t(c.text), c.span)


def lower(items: list[object], files: list[tuple[str, str]], main_path: str) -> model.Program:
    """Build the model from checked declarations; `files` are (relative path, sha256) in include order."""
    prog = next(i for i in items if isinstance(i, ast.ProgramDecl))
    lw = Lowering(items)
    out: dict[str, list[object]] = {}

    def add(field: str, *values: object) -> None:
        out.setdefault(field, []).extend(values)

    for item in items:
        c = constructs.of(item)  # a node no construct declares is an error, never skipped
        if isinstance(c.lower, Skip) or isinstance(c.field, Skip):
            continue
        made = getattr(lw, c.lower)(item)
        if isinstance(made, list):
            add(c.field, *made)
        else:
            add(c.field, made)
    tiers_decl = next((i for i in items if isinstance(i, ast.TiersDecl)), None)
    priorities_decl = next((i for i in items if isinstance(i, ast.PrioritiesDecl)), None)
    metric = None
    if tiers_decl is not None and tiers_decl.metric is not None:
        metric = model.TierMetric(tiers_decl.metric.value, _t(tiers_decl.metric_title) or "", _ref(tiers_decl.ref))

    def many(field: str) -> tuple[Any, ...]:
        return tuple(out.get(field, ()))

    def one(field: str) -> Any:
        return next(iter(out.get(field, ())), None)

    outline = []
    for i in items:
        kind, key = _outline_key(i)
        if kind:
            outline.append(model.OutlineItem(kind, key))

    digest = hashlib.sha256()
    for path, sha in files:
        digest.update(f"{path}\0{sha}\n".encode())

    return model.Program(
        id=prog.id.value, title=_t(prog.title) or "", vendor=_t(prog.vendor) or "", edition=_t(prog.edition),
        source_title=_t(prog.source), path=main_path, sha256=digest.hexdigest(),
        files=tuple(model.SourceFile(p, s) for p, s in files),
        parties=many("parties"), holiday_sets=many("holiday_sets"), calendars=many("calendars"),
        channels=many("channels"), procedures=many("procedures"),
        tier_metric=metric, tiers=many("tiers"), tiers_clause=_ref(tiers_decl.ref) if tiers_decl else None,
        services=many("services"), matrices=many("matrices"), targets=many("targets"),
        priorities=many("priorities"), requests=many("requests"),
        priorities_clause=_ref(priorities_decl.ref) if priorities_decl else None,
        priority_scale=_t(priorities_decl.title) if priorities_decl else None,
        reclassification=one("reclassification"),
        events=many("events"), conditions=many("conditions"), obligations=many("obligations"),
        periods=many("periods"), vouchers=many("vouchers"), exclusions=many("exclusions"),
        clauses=many("clauses"), footnotes=tuple(sorted(many("footnotes"), key=_footnote_key)),
        definitions=many("definitions"), warranties=many("warranties"), rmas=many("rmas"), rules=many("rules"),
        incident_accounting=one("incident_accounting"), reinstatement=one("reinstatement"),
        coverage=many("coverage"), outline=tuple(outline), span=prog.span,
        agreements=many("agreements"), defined_terms=many("defined_terms"),
        performance=_performance(one("performance"), many("parties")), statuses=many("statuses"),
        priority_change=_n(priorities_decl.on_change) or "recount" if priorities_decl else "recount",
        default_priority=_n(priorities_decl.default) if priorities_decl else None)


def _performance(d: ast.PerformanceDecl | None, parties: tuple[model.Party, ...]) -> model.Performance:
    """The policy's `performance` block, or the default: the party that `plays provider` owes the
    services and performs them through the one that `plays vendor`; the annex prevails."""
    provider, vendor = model.party_playing(parties, "provider"), model.party_playing(parties, "vendor")
    if d is None:
        return model.Performance(provider.id if provider else None, vendor.id if vendor else None, "annex", None, None)
    return model.Performance(_n(d.provider) or (provider.id if provider else None), _n(d.through),
                             _n(d.precedence) or "annex", _t(d.vendor_terms), _ref(d.ref))


#: node -> the Program field (and annex outline kind) it lowers into: every declaration with a field
_OUTLINE = {c.node: c.field for c in constructs.CONSTRUCTS if isinstance(c.field, str)}


def _outline_key(item: object) -> tuple[str | None, str]:
    kind = _OUTLINE.get(type(item))
    if kind is None:
        return None, ""
    if isinstance(item, ast.FootnoteDecl):
        return kind, item.mark
    ident = getattr(item, "id", None)
    return kind, ident.value if isinstance(ident, ast.Name) else ""


constructs.verify("lower", Lowering)
