"""The decision pass: every (tier, channel, reported priority or request type) answered once.

Runs after `lower` and before any backend. It decides who may report what through which
channel, the effective priority (request types, reclassification), every target that applies
with its calendar, reading and strength, the channel's hours, and why, as `model.Reason`s.
The Python evaluator and the annex only render `Program.decisions`.
"""
from __future__ import annotations

from collections.abc import Callable

import attrs

from policy_lang.runtime.ru_text import cite, join_ru, quote
from policy_lang.runtime.sentences import REASON_PARTS as PARTS
from policy_lang.runtime.sentences import ROLE_LABELS
from policy_lang.semantics import model
from policy_lang.semantics.reasons import INTAKE, reason

__all__ = ["decide", "decisions", "intake"]


def decide(p: model.Program) -> model.Program:
    """The program with its decisions filled in."""
    return attrs.evolve(p, decisions=decisions(p))


def decisions(p: model.Program) -> tuple[model.Decision, ...]:
    """In policy order: tiers, then channels, then priorities (None when there are none, or, with a
    `default`, a request that states none), then request types; then, for each condition (of a
    `reclassify … when`, then of the target cells, in the order written), the answers that change
    while it holds."""
    ctx = _Context(p)
    reported: list[tuple[str | None, str | None]] = [(x.id, None) for x in p.priorities] or [(None, None)]
    if p.priorities and p.default_priority is not None:
        reported.append((None, None))  # registered as the default priority
    reported += [(None, r.id) for r in p.requests]
    base = tuple(ctx.decide(t.id, c, pr, rq) for t in p.tiers for c in p.channels for pr, rq in reported)
    r = p.reclassification
    conditions = [r.when] if r is not None and r.when is not None else []
    conditions += [k for t in p.targets for k in t.conditions]
    holds = []
    for condition in dict.fromkeys(conditions):
        for d in base:
            alt = ctx.decide(d.tier, ctx.channels[d.channel], d.reported, d.request, holds=condition)
            if (alt.accepted, alt.priority, alt.targets) != (d.accepted, d.priority, d.targets):
                holds.append(attrs.evolve(alt, condition=condition))
    return base + tuple(holds)


_clause = model.cite_clause


def intake(p: model.Program) -> tuple[model.IntakeTable, ...]:
    """One table per tier of `p`: each (channel, reported priority) cell is the decision's answer
    (accepted or not, as which priority, at any time or only in a calendar's hours), and a note
    per channel and calendar that is true of every cell it names. Reads `p.decisions` only."""
    columns: tuple[str | None, ...] = tuple(x.id for x in p.priorities) or (None,)
    ix = p.index
    by_key = {(d.tier, d.channel, d.reported): d for d in p.decisions if d.request is None and d.condition is None}
    out = []
    for t in p.tiers:
        rows, notes = [], []
        for ch in p.channels:
            cells = []
            for pr in columns:
                d = by_key.get((t.id, ch.id, pr))
                cells.append(_intake_cell(p, pr, d))
            rows.append(model.IntakeRow(ch.id, tuple(cells)))
            accepted = [c.reported for c in cells if c.accepted]
            for cal in dict.fromkeys(c.hours for c in cells if c.hours is not None):
                named = tuple(c.reported for c in cells if c.hours == cal)
                every = list(named) == accepted
                args = {"channel": quote(ch.title), "calendar": quote(ix.calendars[cal].title),
                        "levels": join_ru([ix.priorities[x].short for x in named if x in ix.priorities], "и")}
                code = "note_every" if every or None in named else "note_one" if len(named) == 1 else "note_some"
                notes.append(model.IntakeNote(ch.id, cal, named, every, INTAKE[code].format(**args)))
        out.append(model.IntakeTable(t.id, columns, tuple(rows), tuple(notes)))
    return tuple(out)


def _intake_cell(p: model.Program, reported: str | None, d: model.Decision | None) -> model.IntakeCell:
    if d is None or not d.accepted:
        return model.IntakeCell(reported, False, None, None, INTAKE["refused"])
    ix = p.index
    as_priority = ""
    if d.priority != reported and d.priority in ix.priorities:
        as_priority = INTAKE["as_priority"].format(priority=ix.priorities[d.priority].short)
    # no hours of its own (an always-open calendar, or none): taken in whatever the hour
    when = INTAKE["hours"].format(calendar=quote(ix.calendars[d.hours].title)) if d.hours else INTAKE["always"]
    return model.IntakeCell(reported, True, d.priority, d.hours,
                            INTAKE["accepted"].format(as_priority=as_priority, when=when))


class _Context:
    """Lookups resolved once per program (no backend scans the model again)."""

    def __init__(self, p: model.Program) -> None:
        self.p = p
        ix = p.index
        self.channels, self.calendars, self.tiers = ix.channels, ix.calendars, ix.tiers
        self.priorities, self.requests, self.cells = ix.priorities, ix.requests, ix.cells
        self.order = [x.id for x in p.priorities]
        self.events = {e.id: e.title for e in p.events}
        self.conditions = {c.id: c.title for c in p.conditions}
        self.granting: dict[str, model.Service] = {}
        for s in p.services:
            if s.grants_channel and s.grants_channel not in self.granting:
                self.granting[s.grants_channel] = s
        provider = model.party_playing(p.parties, "provider")
        self.executor = provider.id if provider is not None else None
        # who "прилагает коммерчески оправданные усилия": the party that plays provider, else the Договор's designation
        self.provider_label = provider.label if provider is not None else ROLE_LABELS["provider"]

    def label(self, priority: str | None) -> str:
        return self.priorities[priority].short if priority in self.priorities else str(priority)

    def cell_for_channel(self, tier: str, channel: str) -> tuple[model.Service | None, model.Cell | None]:
        s = self.granting.get(channel)
        return (None, None) if s is None else (s, self.cells.get((tier, s.id)))

    def reclassifies(self, channel: str, priority: str | None, holds: str | None = None) -> bool:
        """Does the `reclassify` take a request of `priority` on `channel` down to its `becomes`
        (with `when`: only while that condition, `holds`, holds)?"""
        r = self.p.reclassification
        return (r is not None and channel not in r.unless_via and (r.when is None or r.when == holds)
                and priority in self.order and r.becomes in self.order
                and self.order.index(priority) < self.order.index(r.becomes))

    def wrong_channel(self, channel: str, priority: str | None, holds: str | None = None) -> model.Priority | None:
        """The priority, when it must be reported through other channels and no `reclassify`
        takes it in through this one (a Quest Severity 1 "cannot be logged through our portal")."""
        pr = self.priorities.get(priority) if priority is not None else None
        if pr is None or not pr.report_via or channel in pr.report_via:
            return None
        if self.reclassifies(channel, priority, holds):
            return None  # reported the wrong way, yet taken in as a lower priority
        return pr

    def accepts(self, tier: str, channel: str, priority: str | None, holds: str | None = None) -> bool:
        if self.wrong_channel(channel, priority, holds) is not None:
            return False
        s, cell = self.cell_for_channel(tier, channel)
        if s is None:
            return True
        if cell is None or not cell.granted:
            return False
        return not isinstance(cell, model.OnlyCell) or priority in (cell.priorities or ())

    def channel_clause(self, ch: model.Channel, s: model.Service | None) -> str:
        return s.cite if s is not None else _clause(ch.clause)

    def decide(self, tier: str, channel: model.Channel, reported: str | None,
               request: str | None, holds: str | None = None) -> model.Decision:
        """`holds`: the condition taken to hold, of a `reclassify … when` or a conditional target cell
        (None: none holds)."""
        p, ch = self.p, channel
        clauses: list[str] = []
        reasons: list[model.Reason] = []

        def add_clause(c: str | None) -> None:
            if c and c not in clauses:
                clauses.append(c)

        tier_t = quote(self.tiers[tier].title)
        chan_t = quote(ch.title)
        effective = reported
        if reported is None and request is None and p.default_priority in self.priorities:
            effective = p.default_priority  # a request that states no priority (`default` in `priorities`)
            add_clause(p.priorities_clause)
            reasons.append(reason("default_priority", p.priorities_clause, priority=self.label(p.default_priority)))
        if request is not None:
            rq = self.requests[request]
            effective = rq.priority
            add_clause(rq.clause)
            reasons.append(reason("request_type", rq.clause, request=quote(rq.title),
                                  priority=self.label(rq.priority)))
        s, cell = self.cell_for_channel(tier, ch.id)
        here = self.channel_clause(ch, s)
        add_clause(here)
        accepted = self.accepts(tier, ch.id, effective, holds)
        what = f"Заявку уровня {self.label(effective)}" if effective else "Заявку"
        must = self.wrong_channel(ch.id, effective, holds)
        if must is not None:
            add_clause(must.clause)
            reasons.append(reason("report_via", must.clause, level=self.label(effective),
                                  channels=join_ru([quote(self.channels[c].title) for c in must.report_via
                                                    if c in self.channels], "или"), channel=chan_t))
            reasons.append(self.alternatives(tier, ch, effective, what, add_clause, tier_t))
        elif s is None:
            reasons.append(reason("channel_open_to_all", here, channel=chan_t))
        elif accepted:
            assert cell is not None  # accepts(): a granting service takes a request only through its granted cell
            reasons.append(reason("service_granted", here, tier=tier_t, service=quote(s.title), cell=quote(cell.text)))
        else:
            if isinstance(cell, model.OnlyCell):
                reasons.append(reason("only_priorities", here, channel=chan_t, tier=tier_t,
                                      priorities=join_ru([self.label(x) for x in cell.priorities or ()], "или"),
                                      cell=quote(cell.text)))
            else:
                reasons.append(reason("service_not_granted", here, tier=tier_t, service=quote(s.title),
                                      cell=quote(cell.text) if cell is not None else "не предусмотрено"))
            reasons.append(self.alternatives(tier, ch, effective, what, add_clause, tier_t))

        priority = effective
        r = p.reclassification
        if accepted and r is not None and effective is not None and self.reclassifies(ch.id, effective, holds):
            priority = r.becomes
            add_clause(r.clause)
            via = join_ru([quote(self.channels[c].title) for c in r.unless_via if c in self.channels], "или")
            playing = model.party_playing(p.parties, "vendor")
            vendor = playing.label if playing is not None else "исполнитель"
            lower = (f"; {vendor} вправе по своему усмотрению понизить его до {self.label(r.may_lower_to)}"
                     if r.may_lower_to else "")
            args = {"reported": self.label(effective), "becomes": self.label(r.becomes), "lower": lower}
            if r.when is None:
                reasons.append(reason("reclassified", r.clause, via=via, **args))
            elif r.unless_via:
                reasons.append(reason("reclassified_via_when", r.clause, via=via,
                                      condition=quote(self.conditions.get(r.when, r.when)), **args))
            else:
                reasons.append(reason("reclassified_when", r.clause,
                                      condition=quote(self.conditions.get(r.when, r.when)), **args))

        if accepted and ch.confirm_by:
            confirm = self.channels[ch.confirm_by]
            text = f": {quote(ch.confirm_text)}" if ch.confirm_text else ""
            reasons.append(reason("confirm", _clause(ch.clause), channel=chan_t, confirm=quote(confirm.title),
                                  text=text))
            add_clause(_clause(ch.clause))

        applied: list[model.AppliedTarget] = []
        if accepted:
            for t in p.targets:
                if t.via and ch.id not in t.via:
                    continue
                if tier not in t.tiers:
                    continue
                tclause = t.cite
                add_clause(tclause)
                c = t.cell(tier, request) if request is not None and any(x == request for x in t.rows) else None
                c = c or t.cell(tier, priority)
                level = PARTS["level"].format(level=self.label(priority)) if priority else ""
                if c is not None and c.holding(holds) is not c:  # a conditional cell, while its condition holds
                    c = c.holding(holds)
                    level += PARTS["while_condition"].format(condition=quote(self.conditions.get(str(holds), str(holds))))
                name = t.title
                if c is None:
                    if t.id == "response":
                        reasons.append(reason("target_missing", tclause, target=quote(name), tier=tier_t,
                                              level=level))
                    continue
                if c.term.reading == "not_regulated":
                    reasons.append(reason("target_not_regulated", tclause, target=name, tier=tier_t, level=level))
                elif c.term.reading == "as_written":  # words, not a duration: stated as written, not computed
                    reasons.append(reason("target", tclause, target=name, tier=tier_t, level=level,
                                          term=quote(c.term.text),
                                          counted=PARTS["as_written"],
                                          strength="", percentile=""))
                else:
                    strength = PARTS["efforts"].format(provider=self.provider_label) if c.strength == "efforts" else ""
                    pct = PARTS["percentile"].format(percentile=c.percentile.text) if c.percentile else ""
                    counted = c.counted
                    if t.counted_from and t.counted_from in self.events:
                        counted = PARTS["from_event"].format(event=quote(self.events[t.counted_from]), counted=counted)
                    elif c.term.reading == "clock":
                        counted = (PARTS["from_registration_on"].format(calendar=self.calendars[c.calendar].title)
                                   if c.calendar in self.calendars else PARTS["from_registration"])
                    reasons.append(reason("target", tclause, target=name, tier=tier_t, level=level,
                                          term=c.term.text, counted=counted, strength=strength, percentile=pct))
                applied.append(model.AppliedTarget(t.id, t.title, tclause, c, t.counted_from))
        else:
            reasons.append(reason("no_target_refused"))

        hours = None
        closed: tuple[model.Reason, ...] = ()
        open_on = ch.calendar
        for cal_id, service, prios in ch.open_with:  # a tier with that service reaches it on another calendar
            via_cell = self.cells.get((tier, service))
            if via_cell is not None and via_cell.granted \
                    and (not isinstance(via_cell, model.OnlyCell) or effective in (via_cell.priorities or ())) \
                    and (not prios or effective in prios):
                open_on = cal_id
                break
        if accepted and open_on and open_on in self.calendars and not self.calendars[open_on].always:
            hours = open_on
            cal = self.calendars[open_on]
            # One reason for the refusal: the channel is closed at this hour. Not "the channel is open to
            # every tier" before it, and no "the tier allows no channel" after it when no other channel is
            # open around the clock (the tier's channels do take the request, in their hours).
            closed_reasons = [r for r in reasons if r.code == "request_type"]
            closed_reasons.append(reason("channel_closed", _clause(ch.clause), channel=chan_t,
                                         hours=PARTS["hours"].format(calendar=quote(cal.title))))
            other = self.alternatives(tier, ch, effective, what, add_clause, tier_t, always_open=True)
            if other.code != "no_channel":
                closed_reasons.append(other)
            closed_reasons.append(reason("no_target_refused"))
            closed = tuple(closed_reasons)
            add_clause(_clause(ch.clause))

        return model.Decision(tier, ch.id, reported, request, accepted, priority, self.executor, hours,
                              tuple(applied), tuple(clauses), tuple(reasons), closed)

    def alternatives(self, tier: str, ch: model.Channel, priority: str | None, what: str,
                     add_clause: Callable[[str | None], None], tier_t: str, always_open: bool = False
                     ) -> model.Reason:
        """Where else the request may go (for a closed channel: those open around the clock)."""
        others = [c for c in self.p.channels if c.id != ch.id and self.accepts(tier, c.id, priority)
                  and (not always_open or c.calendar is None
                       or (c.calendar in self.calendars and self.calendars[c.calendar].always))]
        if not others:
            return reason("no_channel", what=what, tier=tier_t)
        names = []
        for o in others:
            os_, _ = self.cell_for_channel(tier, o.id)
            oc = self.channel_clause(o, os_)
            if not always_open:
                add_clause(oc)
            names.append(f"{quote(o.title)} ({cite(oc)})" if oc else quote(o.title))
        return reason("use_other_channel", what=what, channels=join_ru(names, "или"))

