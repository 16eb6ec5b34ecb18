"""AST (already checked) -> the program model: resolve references, normalise units, order footnotes."""
from __future__ import annotations

import datetime as dt
import hashlib

from . import ast, model
from . import ru_format as ru
from . import production_calendar


def default_horizon() -> tuple[int, int]:
    """Years baked for a calendar that names no official production calendar: the packaged
    decree years plus a few computed ones, so that a contract signed today fits."""
    return (production_calendar.first_data_year(),
            production_calendar.last_decree_year() + production_calendar.DEFAULT_PROVISIONAL_YEARS)


def duration(d: ast.Duration, *, business: bool = False) -> model.Duration:
    unit = d.unit
    if business and unit == "hour":
        unit = "business_hour"
    if business and unit == "minute":
        unit = "business_minute"
    if unit == "business_minute":
        text = ru.quantity(d.amount, "minute") + " рабочего времени"
    else:
        text = ru.quantity(d.amount, unit)  # model units are ru_format unit keys
    return model.Duration(d.amount, unit, text, d.span)


def _t(x: ast.Text | None) -> str | None:
    return None if x is None else x.value


def _n(x: ast.Name | None) -> str | None:
    return None if x is None else x.value


def _ref(x: ast.Ref | None) -> str | None:
    return None if x is None else x.value


def _priority_number(p: str) -> str:
    return p.lstrip("Pp") or p


def cell(c: ast.Cell, *, business: bool) -> model.Cell:
    match c.kind:
        case "yes":
            return model.Cell("yes", True, None, None, None, "Да", c.span)
        case "no":
            return model.Cell("no", False, None, None, None, "Нет", c.span)
        case "none":
            return model.Cell("none", False, None, None, None, "—", c.span)
        case "count":
            assert c.count is not None
            return model.Cell("count", c.count > 0, c.count, None, None, ru.format_int(c.count), c.span)
        case "unlimited":
            return model.Cell("unlimited", True, None, None, None, "Неограниченное", c.span)
        case "only":
            ps = tuple(n.value for n in c.names)
            nums = [_priority_number(p) for p in ps]
            text = ("Только уровень критичности " + nums[0]) if len(nums) == 1 else (
                "Только уровни критичности " + ru.join_ru(nums))
            return model.Cell("only", True, None, ps, None, text, c.span)
        case "duration":
            assert c.duration is not None
            d = duration(c.duration, business=business)
            return model.Cell("duration", True, None, None, d, d.text, c.span)
        case "ratio" | "text":
            return model.Cell(c.kind, True, None, None, None, c.text or "", c.span)
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
        shorten = c.shorten.amount * (60 if c.shorten.unit == "hour" else 1)
    shortened = sorted({d for s in used for d in s.shortened}) if shorten else []
    first = last = provisional_from = None
    if not c.always:
        years = [(s.first_year, s.last_year) for s in used if s.first_year is not None]
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


def _footnote_key(f: model.Footnote) -> tuple[int, int, str]:
    inner = f.mark.strip("()")
    if inner.isdigit():
        return (0, int(inner), "")
    if set(f.mark) == {"*"}:
        return (1, len(f.mark), "")
    return (2, 0, f.mark)


def lower(items: list[object], files: list[tuple[str, str]], main_path: str) -> model.Program:
    """Build the model from checked declarations; `files` are (relative path, sha256) in include order."""
    prog = next(i for i in items if isinstance(i, ast.ProgramDecl))
    sets = {h.id.value: holiday_set(h) for h in items if isinstance(h, ast.HolidaysDecl)}
    cals = {c.id.value: calendar(c, sets) for c in items if isinstance(c, ast.CalendarDecl)}
    decls = {k: [i for i in items if isinstance(i, k)] for k in (
        ast.PartiesDecl, ast.ChannelDecl, ast.ProcedureDecl, ast.TiersDecl, ast.ServicesDecl, ast.MatrixDecl,
        ast.ResponseDecl, ast.PrioritiesDecl, ast.ReclassifyDecl, ast.EventDecl, ast.ConditionDecl,
        ast.ObligationDecl, ast.PeriodDecl, ast.VouchersDecl, ast.ExclusionsDecl, ast.ClauseDecl,
        ast.FootnoteDecl, ast.DefinitionDecl, ast.WarrantyDecl, ast.RmaDecl, ast.RuleDecl, ast.IncidentsDecl,
        ast.ReinstatementDecl, ast.CoverageDecl)}

    tiers_decls: list[ast.TiersDecl] = decls[ast.TiersDecl]  # type: ignore[assignment]
    metric = next((model.TierMetric(t.metric.value, _t(t.metric_title) or "", _ref(t.ref))
                   for t in tiers_decls if t.metric is not None), None)
    tiers = tuple(model.Tier(t.id.value, t.title.value, t.low, t.high, t.purchased, t.marks, t.span)
                  for td in tiers_decls for t in td.tiers)
    services = tuple(model.Service(s.id.value, s.title.value, s.marks, _n(s.grants), _ref(sd.ref), s.span)
                     for sd in decls[ast.ServicesDecl] for s in sd.services)  # type: ignore[attr-defined]
    matrices = tuple(
        model.Matrix(m.id.value, m.title.value, _ref(m.ref), m.marks, tuple(c.value for c in m.columns),
                     tuple(model.MatrixRow(r.label.value, tuple(cell(c, business=False) for c in r.cells), r.span)
                           for r in m.rows), m.span)
        for m in decls[ast.MatrixDecl])  # type: ignore[attr-defined]
    priorities_decl = next(iter(decls[ast.PrioritiesDecl]), None)
    priorities = tuple(model.Priority(p.id.value, p.title.value, _t(p.definition),
                                      tuple(n.value for n in p.report_via), _ref(priorities_decl.ref), p.span)
                       for p in (priorities_decl.priorities if priorities_decl else ()))  # type: ignore[union-attr]

    response = None
    r = next(iter(decls[ast.ResponseDecl]), None)
    if r is not None:
        cal = cals[r.calendar.value]  # type: ignore[attr-defined]
        business = not cal.always
        times: list[model.ResponseTime] = []
        if r.from_service is not None:  # type: ignore[attr-defined]
            svc = r.from_service.value  # type: ignore[attr-defined]
            m = next(m for m in decls[ast.MatrixDecl] for row in m.rows if row.label.value == svc)  # type: ignore[attr-defined]
            row = next(row for row in m.rows if row.label.value == svc)  # type: ignore[attr-defined]
            columns = tuple(c.value for c in m.columns)  # type: ignore[attr-defined]
            for tier, c in zip(columns, row.cells):
                times.append(model.ResponseTime(tier, None, duration(c.duration, business=business), c.span))
            rows_order: tuple[str | None, ...] = (None,)
        else:
            columns = tuple(c.value for c in r.columns)  # type: ignore[attr-defined]
            rows_order = tuple(None if row.label.value == "any" and not priorities else row.label.value
                               for row in r.rows)  # type: ignore[attr-defined]
            for row, prio in zip(r.rows, rows_order):  # type: ignore[attr-defined]
                for tier, c in zip(columns, row.cells):
                    times.append(model.ResponseTime(tier, prio, duration(c.duration, business=business), c.span))
        response = model.ResponseMatrix(cal.id, business, _ref(r.ref), r.marks, columns, rows_order,  # type: ignore[attr-defined]
                                        tuple(times), _n(r.from_service), r.span)  # type: ignore[attr-defined]

    rc = next(iter(decls[ast.ReclassifyDecl]), None)
    reclass = None if rc is None else model.Reclassification(
        rc.id.value, _ref(rc.ref), tuple(n.value for n in rc.unless_via), rc.becomes.value,  # type: ignore[attr-defined]
        _n(rc.may_lower), _t(rc.text), rc.span)  # type: ignore[attr-defined]

    obligations = tuple(
        model.Obligation(o.id.value, o.title.value, _ref(o.ref), o.marks, _n(o.by), _n(o.from_event),
                         duration(o.within.duration) if o.within else None,
                         _n(o.within.calendar) if o.within else None,
                         duration(o.before.duration) if o.before else None,
                         o.before.period.value if o.before else None, _n(o.when), _t(o.note), _t(o.text), o.span)
        for o in decls[ast.ObligationDecl])  # type: ignore[attr-defined]
    periods = tuple(
        model.Period(p.id.value, p.title.value, _ref(p.ref), _n(p.starts), duration(p.length),
                     duration(p.renews) if p.renews else None, tuple(duration(d) for d in p.options), _t(p.text), p.span)
        for p in decls[ast.PeriodDecl])  # type: ignore[attr-defined]

    def counts(service: str) -> tuple[tuple[str, int], ...]:
        for m in matrices:
            for row in m.rows:
                if row.service == service:
                    return tuple((t, c.count or 0) for t, c in zip(m.tiers, row.cells))
        return ()

    vouchers = tuple(
        model.Vouchers(v.id.value, v.title.value, _ref(v.ref), v.marks, v.count_from.value, counts(v.count_from.value),
                       _n(v.valid_from), duration(v.expires_after) if v.expires_after else None, _n(v.expires_with),
                       duration(v.reissued) if v.reissued else None, _t(v.text), v.span)
        for v in decls[ast.VouchersDecl])  # type: ignore[attr-defined]

    def expr(e: object) -> object:
        if isinstance(e, ast.MaxOf):
            return model.MaxOf(tuple(expr(a) for a in e.args))
        if isinstance(e, ast.MinOf):
            return model.MinOf(tuple(expr(a) for a in e.args))
        if isinstance(e, ast.Remaining):
            return model.Remaining(e.warranty.value)
        assert isinstance(e, ast.Duration)
        return duration(e)

    inc = next(iter(decls[ast.IncidentsDecl]), None)
    rein = next(iter(decls[ast.ReinstatementDecl]), None)
    footnotes = sorted((model.Footnote(f.mark, _ref(f.ref), f.text.value, f.span) for f in decls[ast.FootnoteDecl]),  # type: ignore[attr-defined]
                       key=_footnote_key)

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
        parties=tuple(model.Party(p.id.value, p.label.value, p.role.value, p.span)
                      for pd in decls[ast.PartiesDecl] for p in pd.parties),  # type: ignore[attr-defined]
        holiday_sets=tuple(sets.values()), calendars=tuple(cals.values()),
        channels=tuple(model.Channel(c.id.value, c.title.value, _ref(c.ref), _t(c.contact), _n(c.available),
                                     _t(c.language), c.confirm.channel.value if c.confirm else None,
                                     c.confirm.text.value if c.confirm else None, _t(c.note), c.span)
                       for c in decls[ast.ChannelDecl]),  # type: ignore[attr-defined]
        procedures=tuple(model.Procedure(p.id.value, p.title.value, _ref(p.ref), tuple(s.value for s in p.steps), p.span)
                         for p in decls[ast.ProcedureDecl]),  # type: ignore[attr-defined]
        tier_metric=metric, tiers=tiers, tiers_clause=_ref(tiers_decls[0].ref) if tiers_decls else None,
        services=services, matrices=matrices, response=response, priorities=priorities,
        priorities_clause=_ref(priorities_decl.ref) if priorities_decl else None, reclassification=reclass,
        events=tuple(model.Event(e.id.value, e.title.value, e.span) for e in decls[ast.EventDecl]),  # type: ignore[attr-defined]
        conditions=tuple(model.Condition(c.id.value, c.title.value, c.span) for c in decls[ast.ConditionDecl]),  # type: ignore[attr-defined]
        obligations=obligations, periods=periods, vouchers=vouchers,
        exclusions=tuple(model.ExclusionList(x.id.value, x.title.value, _ref(x.ref),
                                             tuple((e.mark, e.text.value) for e in x.items), x.span)
                         for x in decls[ast.ExclusionsDecl]),  # type: ignore[attr-defined]
        clauses=tuple(model.Clause(c.id.value, c.title.value, _ref(c.ref), c.marks, _t(c.text),
                                   tuple(t.value for t in c.items), tuple(n.value for n in c.applies_tiers),
                                   tuple(n.value for n in c.applies_priorities), c.span)
                      for c in decls[ast.ClauseDecl]),  # type: ignore[attr-defined]
        footnotes=tuple(footnotes),
        definitions=tuple(model.Definition(d.id.value, d.title.value, _ref(d.ref), d.text.value, d.span)
                          for d in decls[ast.DefinitionDecl]),  # type: ignore[attr-defined]
        warranties=tuple(model.Warranty(w.id.value, w.title.value, _ref(w.ref), duration(w.length), _n(w.from_event),
                                        _t(w.text), w.span) for w in decls[ast.WarrantyDecl]),  # type: ignore[attr-defined]
        rmas=tuple(model.Rma(r.id.value, r.title.value, _ref(r.ref), r.during.value, _n(r.or_with), _t(r.text), r.span)
                   for r in decls[ast.RmaDecl]),  # type: ignore[attr-defined]
        rules=tuple(model.Rule(r.id.value, r.title.value, _ref(r.ref), expr(r.expr), _t(r.text), r.span)
                    for r in decls[ast.RuleDecl]),  # type: ignore[attr-defined]
        incident_accounting=None if inc is None else model.IncidentAccounting(
            inc.tier.value, _ref(inc.ref), inc.marks, _n(inc.not_deducted), _t(inc.not_deducted_text),  # type: ignore[attr-defined]
            _t(inc.text), inc.span),  # type: ignore[attr-defined]
        reinstatement=None if rein is None else model.Reinstatement(
            _ref(rein.ref), duration(rein.pays), _t(rein.text), rein.span),  # type: ignore[attr-defined]
        coverage=tuple(model.Coverage(c.id.value, _ref(c.ref), _t(c.text), c.span) for c in decls[ast.CoverageDecl]),  # type: ignore[attr-defined]
        outline=tuple(outline), span=prog.span)


_OUTLINE = {
    ast.PartiesDecl: "parties", ast.HolidaysDecl: "holiday_sets", ast.CalendarDecl: "calendars",
    ast.ChannelDecl: "channels", ast.ProcedureDecl: "procedures", ast.TiersDecl: "tiers",
    ast.ServicesDecl: "services", ast.MatrixDecl: "matrices", ast.ResponseDecl: "response",
    ast.PrioritiesDecl: "priorities", ast.ReclassifyDecl: "reclassification", ast.EventDecl: "events",
    ast.ConditionDecl: "conditions", ast.ObligationDecl: "obligations", ast.PeriodDecl: "periods",
    ast.VouchersDecl: "vouchers", ast.ExclusionsDecl: "exclusions", ast.ClauseDecl: "clauses",
    ast.FootnoteDecl: "footnotes", ast.DefinitionDecl: "definitions", ast.WarrantyDecl: "warranties",
    ast.RmaDecl: "rmas", ast.RuleDecl: "rules", ast.IncidentsDecl: "incident_accounting",
    ast.ReinstatementDecl: "reinstatement", ast.CoverageDecl: "coverage",
}


def _outline_key(item: object) -> tuple[str | None, str]:
    kind = _OUTLINE.get(type(item))
    if kind is None:
        return None, ""
    if isinstance(item, ast.FootnoteDecl):
        return kind, item.mark
    ident = getattr(item, "id", None)
    return kind, ident.value if isinstance(ident, ast.Name) else ""
