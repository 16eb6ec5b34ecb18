"""Emit a stdlib-only Python evaluator module from a checked program model."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import jinja2

from policy_lang import __version__
from policy_lang.backends.python.filters import pyrepr
from policy_lang.backends.python.names import check_ident, constant_name
from policy_lang.runtime import RUNTIME_API
from policy_lang.semantics import model
from policy_lang.semantics.calendars import working_intervals

__all__ = ["EmitError", "emit_python"]

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "python"


class EmitError(ValueError):
    """The program uses something this backend cannot express; nothing is emitted."""


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pyrepr"] = pyrepr
    env.filters["wrap_ints"] = _wrap_ints
    return env


def emit_python(program: model.Program) -> str:
    """Render the evaluator module for `program`; compile() it so a bad render never escapes."""
    source = _env().get_template("evaluator.py.j2").render(**_context(program))
    try:
        compile(source, f"<generated {program.id}>", "exec", dont_inherit=True)
    except SyntaxError as e:  # a bug in the backend, never in the policy
        raise EmitError(f"generated code for {program.id} does not compile: {e}") from e
    return source


# -- context --------------------------------------------------------------------------------

Record = list[tuple[str, str]]  # (field, Python code): code comes from pyrepr or constant_name


def _context(p: model.Program) -> dict[str, object]:
    check_ident(p.id)
    for ident in _all_idents(p):
        check_ident(ident)
    calendars = {c.id: _calendar(c) for c in p.calendars}
    services = {s.id: s for s in p.services}
    priorities = tuple(x.id for x in p.priorities)
    cal_ref = {c.id: constant_name("CAL", c.id) for c in p.calendars}
    periods = [_period(p, x) for x in p.periods]
    return {
        "version": __version__,
        "runtime_api": RUNTIME_API,
        "program": p,
        "program_record": [("id", pyrepr(p.id)), ("title", pyrepr(p.title)),
                           ("vendor", pyrepr(p.vendor)), ("edition", pyrepr(p.edition)),
                           ("source", pyrepr(p.path)), ("sha256", pyrepr(p.sha256))],
        "tiers": tuple(t.id for t in p.tiers),
        "bands": tuple((t.id, t.low, t.high) for t in p.tiers if t.low is not None),
        "calendars": list(calendars.values()),
        "services": [(s.id, s.title) for s in p.services],
        "channels": [(c.id, c.title) for c in p.channels],
        "priorities": priorities,
        "requests": [(r.id, r.title, r.priority) for r in p.requests],
        "priority_labels": [(x.id, x.short) for x in p.priorities],
        "target_titles": [(t.id, t.title) for t in p.targets],
        "conditions": [(c.id, c.title) for c in p.conditions],
        "statuses": [(x.id, x.title) for x in p.statuses],
        "events": [(e.id, e.title) for e in p.events],
        "clocks": [(t.id, _clock(t)) for t in p.targets if _clock(t) is not None],
        "priority_change": p.priority_change,
        "default_priority": p.default_priority,
        "escalations": _escalations(p),
        "entitlements": _entitlements(p, services),
        "decisions": [_decision_record(d, p, cal_ref) for d in p.decisions if d.condition is None],
        "conditional_decisions": [(pyrepr((d.tier, d.channel, d.reported, d.request, d.condition)),
                                   _decision_record(d, p, cal_ref)[1]) for d in p.decisions if d.condition],
        "target_cells": _target_cells(p, cal_ref),
        "obligations": [(o.id, _obligation(p, o, cal_ref)) for o in p.obligations],
        "periods": periods,
        "vouchers": [(v.id, _vouchers(p, v)) for v in p.vouchers],
        "warranties": [(w.id, _warranty(w)) for w in p.warranties],
        "rmas": [(r.id, _rma(p, r)) for r in p.rmas],
        "rules": [(r.id, pyrepr(_expr(r.expr)), r.clause) for r in p.rules],
        "incidents": p.incident_accounting,
        "reinstatement": p.reinstatement,
        "duration": _dur,
    }


def _clock(t: model.Target) -> str | None:
    """A ClockRule literal for a target's clock rules (None: it has none; ticket() runs it plainly)."""
    rules = t.clock
    pauses, stops = tuple(rules.pauses), tuple(rules.stops)
    restarts, repeats = tuple(rules.restarts), tuple(rules.repeats_after)
    if not (pauses or stops or restarts or repeats):
        return None
    fields = [("pauses", pauses), ("stops", stops), ("restarts", restarts)]
    args = [f"{name}={_frozenset(values)}" for name, values in fields if values]
    if repeats:
        args += ["every=True", f"cycle={_frozenset(repeats)}"]
    return f"ClockRule({', '.join(args)})"


def _frozenset(values: tuple[str, ...]) -> str:
    """A frozenset literal written in a fixed order (the generated text is deterministic)."""
    return f"frozenset({pyrepr(tuple(sorted(set(values))))})"


def _escalations(p: model.Program) -> list[tuple[str, tuple[str, ...]]]:
    """channel -> the conditions an escalation through it makes hold (`when escalated via CH`)."""
    out: dict[str, list[str]] = {}
    for c in p.conditions:
        via = c.escalated_via
        if via is not None:
            out.setdefault(via, []).append(c.id)
    return [(ch, tuple(ids)) for ch, ids in out.items()]


def _all_idents(p: model.Program) -> Iterable[str]:
    for group in (p.tiers, p.services, p.channels, p.calendars, p.obligations,
                  p.conditions, p.events, p.periods, p.vouchers, p.warranties, p.rmas, p.rules):
        for item in group:
            yield item.id


def _calendar(c: model.Calendar) -> dict[str, object]:
    name = constant_name("CAL", c.id)
    if c.always:
        return {"name": name, "id": c.id, "zone": c.zone, "always": True, "title": c.title}
    weekly: dict[int, list[tuple[int, int]]] = {}
    for w in c.windows:
        weekly.setdefault(w.weekday, []).append((w.start, w.end))
    if c.first is None or c.last is None:
        raise EmitError(f"calendar {c.id} has no horizon")
    starts, ends = working_intervals(
        zone=c.zone, weekly={k: tuple(sorted(v)) for k, v in sorted(weekly.items())},
        first=c.first, last=c.last, non_working=c.non_working,
        working_weekends=c.working_weekends, shortened=c.shortened,
        shorten_minutes=c.shorten_minutes)
    return {"name": name, "id": c.id, "zone": c.zone, "always": False, "title": c.title,
            "starts": starts, "ends": ends,
            "horizon": (c.first.isoformat(), c.last.isoformat()),
            "provisional_from": c.provisional_from.isoformat() if c.provisional_from else None}


def _wrap_ints(values: tuple[int, ...], indent: int = 8, per_line: int = 6) -> str:
    pad = " " * indent
    lines = []
    for i in range(0, len(values), per_line):
        lines.append(pad + ", ".join(str(int(v)) for v in values[i:i + per_line]) + ",")
    return "\n".join(lines)


def _clause(clause: str | None, marks: Iterable[str] = ()) -> str:
    """A clause and its marks ("2.6 (3)", "*") as one citation: a copy of decide._clause, which
    the model should expose as a field of each item (see _entitlement_clause)."""
    marks = tuple(m for m in marks if not (clause or "").endswith(m))
    return " ".join(x for x in (clause, *marks) if x)


def _entitlement_clause(m: model.Matrix, s: model.Service) -> str:
    """What an entitlement of service `s` in matrix `m` cites: the service's own clause, else the
    matrix's, with the service's marks.  The one place this is decided in the Python backend;
    the model has no field for it yet (it belongs on model.MatrixRow, computed with the decisions,
    so that decide's channel reasons cite the same)."""
    return _clause(s.clause or m.clause, s.marks)


def _dur(d: model.Duration | None) -> str:
    return pyrepr(None) if d is None else pyrepr((d.amount, d.unit))


def _entitlements(p: model.Program, services: dict[str, model.Service]) -> list[str]:
    rows = []
    for m in p.matrices:
        for row in m.rows:
            s = services[row.service]
            for tier, cell in zip(m.tiers, row.cells):
                price = cell.price
                rows.append(pyrepr((tier, row.service, s.title, cell.granted, cell.count,
                                    cell.priorities, _entitlement_clause(m, s), cell.text))[:-1]
                            + (f", Price({pyrepr(price.amount)}, {pyrepr(price.currency)}, {pyrepr(price.per)}, "
                               f"{pyrepr(price.text)}))" if price else ", None)"))
    return rows


def _obligation(p: model.Program, o: model.Obligation, cal_ref: dict[str, str]) -> Record:
    term = o.within or o.before
    if term is None:
        raise EmitError(f"obligation {o.id} has no term")
    if term.unit.startswith("business_") and (o.calendar is None or o.before is not None):
        raise EmitError(f"obligation {o.id}: business units need a calendar")
    condition_title = p.index.conditions[o.condition].title if o.condition else None
    # its clock over a ticket's life, only when stated (appended fields, empty by default)
    clock: Record = [(name, pyrepr(values)) for name, values in (("pauses", o.clock.pauses), ("stops", o.clock.stops))
                     if values]
    return [
        ("id", pyrepr(o.id)), ("title", pyrepr(o.title)), ("clause", pyrepr(o.clause)),
        ("party", pyrepr(o.party)), ("start_event", pyrepr(o.start_event)),
        ("amount", pyrepr(term.amount)), ("unit", pyrepr(term.unit)),
        ("term_text", pyrepr(term.text)), ("before_period", pyrepr(o.before_period)),
        ("calendar", cal_ref[o.calendar] if o.calendar else "None"),
        ("condition", pyrepr(o.condition)), ("condition_title", pyrepr(condition_title)),
        ("text", pyrepr(o.text)), ("note", pyrepr(o.note)),
        ("reading", pyrepr(o.term.reading if o.term else None)),
        ("seconds", pyrepr(o.term.seconds if o.term else None)),
        *clock,
    ]


def _period(p: model.Program, x: model.Period) -> tuple[str, Record]:
    notice = p.index.notices.get(x.id)
    return (x.id, [
        ("id", pyrepr(x.id)), ("title", pyrepr(x.title)), ("clause", pyrepr(x.clause)),
        ("length", _dur(x.length)), ("renews", _dur(x.renews)),
        ("notice", _dur(notice.before if notice else None)),
        ("notice_clause", pyrepr(notice.clause if notice else None)),
    ])


def _vouchers(p: model.Program, v: model.Vouchers) -> Record:
    period = constant_name("PERIOD", v.expires_with_period) if v.expires_with_period else "None"
    return [
        ("id", pyrepr(v.id)), ("title", pyrepr(v.title)), ("clause", pyrepr(v.clause)),
        ("counts", pyrepr(tuple(v.counts))), ("expires_after", _dur(v.expires_after)),
        ("expires_with", period), ("reissued_every", _dur(v.reissued_every)),
    ]


def _warranty(w: model.Warranty) -> Record:
    return [("id", pyrepr(w.id)), ("title", pyrepr(w.title)), ("clause", pyrepr(w.clause)),
            ("length", _dur(w.length)), ("start_event", pyrepr(w.start_event))]


def _rma(p: model.Program, r: model.Rma) -> Record:
    title = p.index.conditions[r.or_condition].title if r.or_condition else None
    return [("id", pyrepr(r.id)), ("title", pyrepr(r.title)), ("clause", pyrepr(r.clause)),
            ("warranty", constant_name("WARRANTY", r.warranty)),
            ("or_condition", pyrepr(r.or_condition)), ("or_condition_title", pyrepr(title))]


def _expr(e: object) -> tuple[object, ...]:
    if isinstance(e, model.Duration):
        return ("duration", e.amount, e.unit)
    if isinstance(e, model.Remaining):
        return ("remaining", check_ident(e.warranty))
    if isinstance(e, (model.MaxOf, model.MinOf)):
        op = "max" if isinstance(e, model.MaxOf) else "min"
        return (op, *(_expr(a) for a in e.args))
    raise EmitError(f"unsupported rule expression {type(e).__name__}")


# -- the response decisions: rendered from the model's decisions, never re-derived ------------

def _decision_record(d: model.Decision, p: model.Program, cal_ref: dict[str, str]) -> tuple[str, Record]:
    """A Decision literal: the model's decision as is.  Whether the request has a deadline, and
    its seconds, are not decided here: the runtime's prepare() reads them off the response target
    (`from_registration()`, the one rule, shared with every target's answer)."""
    key = pyrepr((d.tier, d.channel, d.reported, d.request))
    response = next((t for t in d.targets if t.target == "response"), None)
    calendar = response.cell.calendar if response is not None else None
    fields: Record = [
        ("tier", pyrepr(d.tier)), ("channel", pyrepr(d.channel)),
        ("reported_priority", pyrepr(d.reported)), ("accepted", pyrepr(d.accepted)),
        ("priority", pyrepr(d.priority)),
        ("calendar", cal_ref[calendar] if calendar else "None"),
        ("calendar_title", pyrepr(p.calendar(calendar).title if calendar else None)),
        ("clauses", pyrepr(d.clauses)), ("reasons", _tuple_lines(tuple(r.text for r in d.reasons), 8)),
        ("request", pyrepr(d.request)),
        ("hours", cal_ref[d.hours] if d.hours else "None"),
        ("closed", _closed(d) if d.hours else "None"),
        ("targets", _targets(d, p, cal_ref)),
        ("party", pyrepr(d.party)),
    ]
    return key, fields


def _closed(d: model.Decision) -> str:
    """The answer outside the channel's hours: a Decision literal on a few lines."""
    fields = [("tier", pyrepr(d.tier)), ("channel", pyrepr(d.channel)), ("reported_priority", pyrepr(d.reported)),
              ("accepted", "False"), ("priority", pyrepr(d.priority)), ("clauses", pyrepr(d.clauses)),
              ("reasons", _tuple_lines(tuple(r.text for r in d.closed_reasons), 12)), ("request", pyrepr(d.request))]
    body = "".join(f"            {k}={v},\n" for k, v in fields)
    return "Decision(\n" + body + "        )"


def _targets(d: model.Decision, p: model.Program, cal_ref: dict[str, str]) -> str:
    if not d.targets:
        return "()"
    out = [f"            {_rule(a.target, a.title, a.clause, a.cell, a.counted_from, p, cal_ref)},\n"
           for a in d.targets]
    return "(\n" + "".join(out) + "        )"


def _rule(target: str, title: str, clause: str | None, c: model.TargetCell, counted_from: str | None,
          p: model.Program, cal_ref: dict[str, str]) -> str:
    """A TargetRule literal for one target cell."""
    t = c.term
    cal = cal_ref[c.calendar] if c.calendar else "None"
    cal_title = p.calendar(c.calendar).title if c.calendar else None
    pct = (c.percentile.percent, c.percentile.per) if c.percentile else None
    args = ", ".join((pyrepr(target), pyrepr(title), pyrepr(t.reading), pyrepr(t.seconds), pyrepr(t.amount),
                      pyrepr(t.unit), pyrepr(t.cutoff), cal, pyrepr(cal_title), pyrepr(c.strength), pyrepr(pct),
                      pyrepr(clause), pyrepr(c.text), pyrepr(counted_from)))
    if c.strict:  # appended, default False: older runtimes' literals stay valid
        args += ", True"
    return f"TargetRule({args})"


def _target_cells(p: model.Program, cal_ref: dict[str, str]) -> list[tuple[str, str]]:
    """(key literal, TargetRule literal) for every target cell: target_deadline() looks them up."""
    out = []
    for t in p.targets:
        clause = _target_clause(p, t)
        for c in t.cells:
            out.append((pyrepr((t.id, c.tier, c.row)), _rule(t.id, t.title, clause or None, c, t.counted_from, p,
                                                              cal_ref)))
    return out


def _target_clause(p: model.Program, t: model.Target) -> str:
    """A target's citation as the decisions give it (AppliedTarget.clause); a target no decision
    applies merges its clause and marks as decide does."""
    applied = next((a.clause for d in p.decisions for a in d.targets if a.target == t.id), None)
    return applied if applied is not None else _clause(t.clause, t.marks)


def _tuple_lines(values: tuple[str, ...], indent: int) -> str:
    """A tuple literal with one item per line, for long Russian sentences."""
    if not values:
        return "()"
    pad = " " * (indent + 4)
    return "(\n" + "".join(f"{pad}{pyrepr(v)},\n" for v in values) + " " * indent + ")"
