"""Emit a stdlib-only Python evaluator module from a checked program model."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import jinja2

from ... import __version__, model
from ...calendars import working_intervals
from ...ru_format import join_ru, quote
from ...runtime.ru_text import cite
from .filters import pyrepr
from .names import check_ident, constant_name

__all__ = ["EmitError", "emit_python", "response_decisions"]

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "python"
_SECONDS = {"minute": 60, "business_minute": 60, "hour": 3600, "business_hour": 3600, "day": 86400}


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
        "conditions": [(c.id, c.title) for c in p.conditions],
        "entitlements": _entitlements(p, services),
        "decisions": [_decision_record(d, cal_ref) for d in response_decisions(p)],
        "obligations": [(o.id, _obligation(p, o, cal_ref)) for o in p.obligations],
        "periods": periods,
        "vouchers": [_vouchers(p, v) for v in p.vouchers],
        "warranties": [(w.id, _warranty(w)) for w in p.warranties],
        "rmas": [(r.id, _rma(p, r)) for r in p.rmas],
        "rules": [(r.id, pyrepr(_expr(r.expr)), r.clause) for r in p.rules],
        "incidents": p.incident_accounting,
        "reinstatement": p.reinstatement,
        "duration": _dur,
    }


def _all_idents(p: model.Program) -> Iterable[str]:
    for group in (p.tiers, p.services, p.channels, p.calendars, p.priorities, p.obligations,
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
    marks = tuple(m for m in marks if not (clause or "").endswith(m))
    return " ".join(x for x in (clause, *marks) if x)


def _dur(d: model.Duration | None) -> str:
    return pyrepr(None) if d is None else pyrepr((d.amount, d.unit))


def _entitlements(p: model.Program, services: dict[str, model.Service]) -> list[str]:
    rows = []
    for m in p.matrices:
        for row in m.rows:
            s = services[row.service]
            for tier, cell in zip(m.tiers, row.cells):
                rows.append((tier, row.service, s.title, cell.granted, cell.count,
                             cell.priorities, _clause(s.clause or m.clause, s.marks), cell.text))
    return [pyrepr(r) for r in rows]


def _obligation(p: model.Program, o: model.Obligation, cal_ref: dict[str, str]) -> Record:
    term = o.within or o.before
    if term is None:
        raise EmitError(f"obligation {o.id} has no term")
    if term.unit.startswith("business_") and (o.calendar is None or o.before is not None):
        raise EmitError(f"obligation {o.id}: business units need a calendar")
    condition_title = next((c.title for c in p.conditions if c.id == o.condition), None)
    return [
        ("id", pyrepr(o.id)), ("title", pyrepr(o.title)), ("clause", pyrepr(o.clause)),
        ("party", pyrepr(o.party)), ("start_event", pyrepr(o.start_event)),
        ("amount", pyrepr(term.amount)), ("unit", pyrepr(term.unit)),
        ("term_text", pyrepr(term.text)), ("before_period", pyrepr(o.before_period)),
        ("calendar", cal_ref[o.calendar] if o.calendar else "None"),
        ("condition", pyrepr(o.condition)), ("condition_title", pyrepr(condition_title)),
        ("text", pyrepr(o.text)), ("note", pyrepr(o.note)),
    ]


def _period(p: model.Program, x: model.Period) -> tuple[str, Record]:
    notice = next((o for o in p.obligations if o.before_period == x.id and o.before), None)
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
    title = next((c.title for c in p.conditions if c.id == r.or_condition), None)
    return [("id", pyrepr(r.id)), ("title", pyrepr(r.title)), ("clause", pyrepr(r.clause)),
            ("warranty", constant_name("WARRANTY", r.warranty)),
            ("or_condition", pyrepr(r.or_condition)), ("or_condition_title", pyrepr(title))]


def _expr(e: object) -> tuple:
    if isinstance(e, model.Duration):
        return ("duration", e.amount, e.unit)
    if isinstance(e, model.Remaining):
        return ("remaining", check_ident(e.warranty))
    if isinstance(e, (model.MaxOf, model.MinOf)):
        op = "max" if isinstance(e, model.MaxOf) else "min"
        return (op, *(_expr(a) for a in e.args))
    raise EmitError(f"unsupported rule expression {type(e).__name__}")


# -- the response decisions -----------------------------------------------------------------

class Decision:
    """A compile-time response decision: plain data for the template and for tests."""

    __slots__ = ("tier", "channel", "reported", "accepted", "priority", "seconds", "calendar",
                 "calendar_title", "clauses", "reasons")

    def __init__(self, **kw: object) -> None:
        for k, v in kw.items():
            setattr(self, k, v)


def _decision_record(d: Decision, cal_ref: dict[str, str]) -> tuple[str, Record]:
    key = pyrepr((d.tier, d.channel, d.reported))
    return key, [
        ("tier", pyrepr(d.tier)), ("channel", pyrepr(d.channel)),
        ("reported_priority", pyrepr(d.reported)), ("accepted", pyrepr(d.accepted)),
        ("priority", pyrepr(d.priority)), ("seconds", pyrepr(d.seconds)),
        ("calendar", cal_ref[d.calendar] if d.calendar else "None"),
        ("calendar_title", pyrepr(d.calendar_title)),
        ("clauses", pyrepr(d.clauses)), ("reasons", _tuple_lines(d.reasons, 8)),
    ]


def _tuple_lines(values: tuple[str, ...], indent: int) -> str:
    """A tuple literal with one item per line, for long Russian sentences."""
    if not values:
        return "()"
    pad = " " * (indent + 4)
    return "(\n" + "".join(f"{pad}{pyrepr(v)},\n" for v in values) + " " * indent + ")"


def response_decisions(p: model.Program) -> list[Decision]:
    """Every (tier, channel, reported priority) with the contract's answer, in policy order."""
    priorities: tuple[str | None, ...] = tuple(x.id for x in p.priorities) or (None,)
    return [_decide(p, t.id, c, pr) for t in p.tiers for c in p.channels for pr in priorities]


def _tier_title(p: model.Program, tier: str) -> str:
    return quote(p.tier(tier).title)


def _cell_for_channel(p: model.Program, tier: str, channel: str
                      ) -> tuple[model.Service | None, model.Cell | None]:
    granting = [s for s in p.services if s.grants_channel == channel]
    if not granting:
        return None, None
    s = granting[0]
    return s, p.cell(tier, s.id)


def _accepts(p: model.Program, tier: str, channel: str, priority: str | None) -> bool:
    s, cell = _cell_for_channel(p, tier, channel)
    if s is None:
        return True
    if cell is None or not cell.granted:
        return False
    return cell.kind != "only" or priority in (cell.priorities or ())


def _channel_clause(p: model.Program, ch: model.Channel, s: model.Service | None) -> str:
    if s is not None:
        return _clause(s.clause, s.marks)
    return _clause(ch.clause)


def _decide(p: model.Program, tier: str, channel: str | model.Channel,
            reported: str | None) -> Decision:
    ch = channel if isinstance(channel, model.Channel) else next(
        c for c in p.channels if c.id == channel)
    clauses: list[str] = []
    reasons: list[str] = []

    def add_clause(c: str | None) -> None:
        if c and c not in clauses:
            clauses.append(c)

    tier_t = _tier_title(p, tier)
    chan_t = quote(ch.title)
    s, cell = _cell_for_channel(p, tier, ch.id)
    here = _channel_clause(p, ch, s)
    add_clause(here)
    accepted = _accepts(p, tier, ch.id, reported)

    if s is None:
        reasons.append(f"Канал {chan_t} доступен при любом уровне поддержки ({cite(here)}).")
    elif accepted:
        reasons.append(f"Уровень поддержки {tier_t} даёт право на услугу {quote(s.title)}: "
                       f"{quote(cell.text)} ({cite(here)}).")  # type: ignore[union-attr]
    else:
        if cell is not None and cell.granted and cell.kind == "only":
            reasons.append(f"По каналу {chan_t} уровень поддержки {tier_t} принимает только "
                           f"заявки уровня {join_ru(cell.priorities or (), 'или')}: "
                           f"{quote(cell.text)} ({cite(here)}).")
        else:
            text = quote(cell.text) if cell is not None else "не предусмотрено"
            reasons.append(f"Уровень поддержки {tier_t} не даёт права на услугу "
                           f"{quote(s.title)}: {text} ({cite(here)}).")
        others = [c for c in p.channels if c.id != ch.id and _accepts(p, tier, c.id, reported)]
        what = f"Заявку уровня {reported}" if reported else "Заявку"
        if others:
            names = []
            for o in others:
                os_, _ = _cell_for_channel(p, tier, o.id)
                oc = _channel_clause(p, o, os_)
                add_clause(oc)
                names.append(f"{quote(o.title)} ({cite(oc)})")
            reasons.append(f"{what} можно подать через канал {join_ru(names, 'или')}.")
        else:
            reasons.append(f"{what} уровень поддержки {tier_t} не позволяет подать "
                           "ни по одному каналу.")

    priority = reported
    r = p.reclassification
    if accepted and r is not None and reported is not None and ch.id not in r.unless_via:
        order = [x.id for x in p.priorities]
        if order.index(reported) < order.index(r.becomes):
            priority = r.becomes
            add_clause(r.clause)
            via = join_ru([quote(c.title) for c in p.channels if c.id in r.unless_via], "или")
            lower = (f"; компания вправе по своему усмотрению понизить его до {r.may_lower_to}"
                     if r.may_lower_to else "")
            reasons.append(f"Об инциденте {reported} сообщено не через канал {via}, поэтому он "
                           f"классифицируется как {r.becomes}{lower} ({cite(r.clause)}).")

    if accepted and ch.confirm_by:
        confirm = next(c for c in p.channels if c.id == ch.confirm_by)
        text = f": {quote(ch.confirm_text)}" if ch.confirm_text else ""
        reasons.append(f"Заявку через канал {chan_t} необходимо подтвердить через канал "
                       f"{quote(confirm.title)}{text} ({cite(_clause(ch.clause))}).")
        add_clause(_clause(ch.clause))

    seconds = calendar = calendar_title = None
    rm = p.response
    if accepted and rm is not None:
        rclause = _clause(rm.clause, rm.marks)
        add_clause(rclause)
        rt = next((t for t in rm.times if t.tier == tier and t.priority == priority), None)
        level = f" и уровня {priority}" if priority else ""
        if rt is None:
            reasons.append(f"Срок реакции для уровня поддержки {tier_t}{level} не установлен "
                           f"({cite(rclause)}).")
        else:
            unit = rt.duration.unit
            if unit not in _SECONDS:
                raise EmitError(f"response time in {unit} is not supported")
            seconds = rt.duration.amount * _SECONDS[unit]
            cal = p.calendar(rm.calendar)
            calendar, calendar_title = cal.id, cal.title
            counted = (f"в рабочее время по календарю {quote(cal.title)}" if rm.business
                       else f"с момента регистрации, {cal.title}")
            reasons.append(f"Срок реакции для уровня поддержки {tier_t}{level}: "
                           f"{rt.duration.text}, {counted} ({cite(rclause)}).")
    elif not accepted:
        reasons.append("Срок реакции не устанавливается: заявка не принимается.")

    return Decision(tier=tier, channel=ch.id, reported=reported, accepted=accepted,
                    priority=priority, seconds=seconds, calendar=calendar,
                    calendar_title=calendar_title, clauses=tuple(clauses),
                    reasons=tuple(reasons))

