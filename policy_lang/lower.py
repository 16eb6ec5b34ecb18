"""AST (already checked) -> the program model: resolve references, normalise units, order footnotes."""
from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from . import ast, model
from .runtime import ru_text as ru
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
    amount = d.amount
    if isinstance(amount, Decimal) and unit in ("hour", "business_hour", "minute", "business_minute") \
            and (amount * (60 if "hour" in unit else 1)) == int(amount * (60 if "hour" in unit else 1)) \
            and not d.parts:
        pass  # `2.5h` stays as written: "2,5 часа"
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


def _t(x: ast.Text | None) -> str | None:
    return None if x is None else x.value


def _n(x: ast.Name | None) -> str | None:
    return None if x is None else x.value


def _ref(x: ast.Ref | None) -> str | None:
    return None if x is None else x.value


def cell(c: ast.Cell, *, business: bool, labels: dict[str, str] | None = None) -> model.Cell:
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
            names = [(labels or {}).get(p, p) for p in ps]
            return model.Cell("only", True, None, ps, None, "Только " + ru.join_ru(names, "или"), c.span)
        case "duration":
            assert c.duration is not None
            d = duration(c.duration, business=business)
            return model.Cell("duration", True, None, None, d, d.text, c.span)
        case "ratio" | "text":
            return model.Cell(c.kind, True, None, None, None, c.text or "", c.span)
        case "price":
            assert c.price is not None
            pr = c.price
            per = pr.per.value if pr.per else None
            price = model.Price(pr.amount, pr.currency, per, ru.price_ru(pr.amount, pr.currency, per))
            return model.Cell("price", False, None, None, None, price.text, c.span, price)
        case "on_request":
            return model.Cell("on_request", False, None, None, None, "по запросу", c.span)
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
        labelled: list[tuple[str | None, str, object, ast.Span | None, ast.Name | None, bool]] = [
            (None, tier, c.duration, c.span, None, False) for tier, c in zip(columns, row.cells)]
        rows: tuple[str | None, ...] = (None,)
    else:
        columns = tuple(c.value for c in t.columns)
        rows = tuple(None if r.label.value == "any" else r.label.value for r in t.rows)
        labelled = [(None if r.label.value == "any" else r.label.value, tier, c.term, c.span, c.calendar, c.efforts)
                    for r in t.rows for tier, c in zip(columns, r.cells)]
    cells = []
    for row_id, tier, value, span, cell_cal, efforts in labelled:
        keys = (row_id or "any", tier)
        cal_id = (cell_cal.value if cell_cal else None) or row_cal.get(keys[0]) or row_cal.get(tier) or default
        cal = cals.get(cal_id) if cal_id else None
        v = value if not isinstance(value, ast.Duration) else ast.TermDuration(value, value.span)
        tm = term(v, cal)
        strong = "efforts" if (efforts or efforts_all or keys[0] in efforts_for or tier in efforts_for) else "guaranteed"
        pc = pct_for.get(keys[0]) or pct_for.get(tier) or pct_all
        pct = None if pc is None or tm.reading == "not_regulated" else model.Percentile(
            pc.percent, pc.per.value, ru.percentile_ru(pc.percent, pc.per.value))
        text = tm.text
        if cal is not None and cal_id != default and tm.reading != "not_regulated":
            text += f" ({cal.title})" if cal.always else f" (по календарю {ru.quote(cal.title)})"
        if strong == "efforts" and tm.reading != "not_regulated":
            text += ", коммерчески оправданные усилия"
        if pct is not None:
            text += f", {pct.text}"
        cells.append(model.TargetCell(tier, row_id, tm, cal_id if tm.reading != "not_regulated" else None,
                                      strong, pct, span, counted(tm, cal), text))
    return model.Target(t.id.value, title, _ref(t.ref), t.marks, _n(t.counted_from), tuple(n.value for n in t.via),
                        columns, rows, tuple(cells), default, _n(t.from_service), _t(t.text), _t(t.note), t.span)


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
        ast.TargetDecl, ast.PrioritiesDecl, ast.RequestsDecl, ast.ReclassifyDecl, ast.EventDecl, ast.ConditionDecl,
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
    labels = {p.id.value: (_t(p.label) or p.title.value) for pd in decls[ast.PrioritiesDecl]
              for p in pd.priorities}  # type: ignore[attr-defined]
    matrices = tuple(
        model.Matrix(m.id.value, m.title.value, _ref(m.ref), m.marks, tuple(c.value for c in m.columns),
                     tuple(model.MatrixRow(r.label.value, tuple(cell(c, business=False, labels=labels)
                                                                for c in r.cells), r.span)
                           for r in m.rows), m.span)
        for m in decls[ast.MatrixDecl])  # type: ignore[attr-defined]
    priorities_decl = next(iter(decls[ast.PrioritiesDecl]), None)
    priorities = tuple(model.Priority(p.id.value, p.title.value, _t(p.definition),
                                      tuple(n.value for n in p.report_via), _ref(priorities_decl.ref), p.span,
                                      _t(p.short) or _t(p.label) or p.title.value,
                                      _t(p.label) or p.title.value)
                       for p in (priorities_decl.priorities if priorities_decl else ()))  # type: ignore[union-attr]
    requests_decl = next(iter(decls[ast.RequestsDecl]), None)
    requests = tuple(model.RequestType(r.id.value, r.title.value, r.priority.value, _ref(requests_decl.ref), r.span)
                     for r in (requests_decl.requests if requests_decl else ()))  # type: ignore[union-attr]

    targets = tuple(target(t, cals, decls[ast.MatrixDecl]) for t in decls[ast.TargetDecl])  # type: ignore[arg-type]

    rc = next(iter(decls[ast.ReclassifyDecl]), None)
    reclass = None if rc is None else model.Reclassification(
        rc.id.value, _ref(rc.ref), tuple(n.value for n in rc.unless_via), rc.becomes.value,  # type: ignore[attr-defined]
        _n(rc.may_lower), _t(rc.text), rc.span)  # type: ignore[attr-defined]

    obligations = tuple(
        model.Obligation(o.id.value, o.title.value, _ref(o.ref), o.marks, _n(o.by), _n(o.from_event),
                         duration(o.within.duration) if o.within else None,
                         _n(o.within.calendar) if o.within else None,
                         duration(o.before.duration) if o.before else None,
                         o.before.period.value if o.before else None, _n(o.when), _t(o.note), _t(o.text), o.span,
                         term(o.within.duration, cals[o.within.calendar.value] if o.within.calendar else None)
                         if o.within else None)
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
                                     c.confirm.text.value if c.confirm else None, _t(c.note), c.span,
                                     tuple((o.calendar.value, o.service.value, tuple(n.value for n in o.priorities))
                                           for o in c.open_with))
                       for c in decls[ast.ChannelDecl]),  # type: ignore[attr-defined]
        procedures=tuple(model.Procedure(p.id.value, p.title.value, _ref(p.ref), tuple(s.value for s in p.steps), p.span)
                         for p in decls[ast.ProcedureDecl]),  # type: ignore[attr-defined]
        tier_metric=metric, tiers=tiers, tiers_clause=_ref(tiers_decls[0].ref) if tiers_decls else None,
        services=services, matrices=matrices, targets=targets, priorities=priorities, requests=requests,
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
    ast.ServicesDecl: "services", ast.MatrixDecl: "matrices", ast.TargetDecl: "targets",
    ast.RequestsDecl: "requests",
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
