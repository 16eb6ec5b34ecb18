"""Read an annex's intake and target tables back into structured rows, and compare them with the
model's decisions and with the evaluator's answers.

The readers know the program only to turn printed titles back into ids (a tier's, a channel's,
a calendar's title); what a cell says is parsed from its printed words. The checks return
mismatches as strings (empty: the annex agrees), so a test can also assert that a broken annex
is caught.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import docx

from policy_lang.semantics import model
from policy_lang.typography import typeset

#: a block of the annex body: ("p", text) or ("table", rows of cell texts)
Block = tuple[str, object]


def norm(text: str) -> str:
    """No-break and thin spaces as spaces, runs of whitespace as one, no soft hyphen."""
    text = text.replace("\u00ad", "")
    return re.sub(r"[\s\u00a0\u202f\u2009]+", " ", text).strip()


def key(text: str) -> str:
    return norm(typeset(text)).casefold()


# --------------------------------------------------------------------------- the two formats

def _md_cell(text: str) -> str:
    text = re.sub(r"<sup>.*?</sup>", "", text)
    return norm(re.sub(r"\\(.)", r"\1", text))


def md_blocks(md: str) -> list[Block]:
    """Paragraphs (emphasis markers dropped) and pipe tables (without the |---| rule)."""
    out: list[Block] = []
    table: list[list[str]] | None = None
    for line in md.splitlines():
        if line.startswith("|"):
            if table is None:
                table = []
                out.append(("table", table))
            if re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", line.strip()):
                continue
            cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
            table.append([_md_cell(c) for c in cells])
            continue
        table = None
        if line.strip():
            text = line.strip()
            if text.startswith("*") and text.endswith("*") and not text.startswith("**"):
                text = text[1:-1]
            out.append(("p", _md_cell(text.replace("**", ""))))
    return out


def docx_blocks(data: bytes) -> list[Block]:
    """The body in document order: paragraphs' text and tables' cell texts."""
    d = docx.Document(io.BytesIO(data))
    out: list[Block] = []
    for el in d.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = norm("".join(t.text or "" for t in el.iter("{*}t")))
            if text:
                out.append(("p", text))
        elif tag == "tbl":
            rows = [[norm("".join(t.text or "" for t in tc.iter("{*}t"))) for tc in tr.iterchildren("{*}tc")]
                    for tr in el.iter("{*}tr")]
            out.append(("table", rows))
    return out


# --------------------------------------------------------------------------- intake tables

@dataclass(frozen=True)
class IntakeRead:
    accepted: bool
    priority: str | None  # effective priority id (the column's when not "как …")
    hours: str | None  # calendar id; None: round the clock


@dataclass(frozen=True)
class NoteRead:
    tier: str
    channel: str
    calendar: str
    reported: tuple[str | None, ...] | None  # None: "заявки" with no level: every column it accepts


_CELL = re.compile(r"принимается(?: как (?P<as>.+?))?(?: (?P<always>круглосуточно)|"
                   r" в часы по календарю «(?P<cal>.+)»)")
_NOTE = re.compile(r"Канал «(?P<ch>.+?)» принимает заявки(?: (?:уровня|уровней) (?P<levels>.+?))? только в часы "
                   r"по календарю «(?P<cal>.+)»; заявка(?: этого уровня| этих уровней)?, поданная вне этого "
                   r"времени, не принимается\.")
#: any sentence of the annex that says when a channel takes requests
_ANY_HOURS_SENTENCE = re.compile(r"[Кк]анал «[^»]+» принимает заявки[^.]*только")


class Names:
    """Printed titles back to ids."""

    def __init__(self, p: model.Program) -> None:
        self.p = p
        self.tiers = {key(t.title): t.id for t in p.tiers}
        self.channels = {key(c.title): c.id for c in p.channels}
        self.calendars = {key(c.title): c.id for c in p.calendars}
        self.priorities = {key(x.short): x.id for x in p.priorities}
        self.requests = {key(r.title): r.id for r in p.requests}
        self.targets = {key(t.title): t.id for t in p.targets}
        self.statuses = {key(x.title): x.id for x in p.statuses}
        self.events = {key(x.title): x.id for x in p.events}
        self.conditions = {key(x.title): x.id for x in p.conditions}

    def titles(self, text: str, kind: dict[str, str]) -> tuple[str, ...]:
        """«A», «B» или «C» -> the ids of those titles (KeyError: a title the program does not declare)."""
        return tuple(kind[key(x)] for x in re.split(r"», «|» или «", text.strip().removeprefix("«").removesuffix("»")))

    def levels(self, text: str) -> tuple[str | None, ...]:
        parts = re.split(r", | и ", text)
        return tuple(self.priorities[key(x)] for x in parts)


def read_intake(p: model.Program, blocks: list[Block]
                ) -> tuple[dict[tuple[str, str, str | None], IntakeRead], list[NoteRead], list[str]]:
    """(tier, channel, reported) -> what the cell says; the notes under the tables; and every
    sentence of the annex on when a channel takes requests (wherever it is)."""
    n = Names(p)
    cells: dict[tuple[str, str, str | None], IntakeRead] = {}
    notes: list[NoteRead] = []
    sentences: list[str] = []
    tier: str | None = None
    for i, (kind, value) in enumerate(blocks):
        if kind == "p":
            text = str(value)
            sentences += [text for _ in _ANY_HOURS_SENTENCE.finditer(text)][:1]
            if text.startswith("Прием заявок: "):
                tier = n.tiers[key(text.removeprefix("Прием заявок: "))]
                continue
            m = _NOTE.fullmatch(text)
            if m and tier is not None:
                notes.append(NoteRead(tier, n.channels[key(m["ch"])], n.calendars[key(m["cal"])],
                                      n.levels(m["levels"]) if m["levels"] else None))
            continue
        rows = value
        assert isinstance(rows, list)
        if tier is None or not rows or rows[0][0] != "Канал" or i == 0 or blocks[i - 1][0] != "p" \
                or not str(blocks[i - 1][1]).startswith("Прием заявок: "):
            continue
        columns = [None if c == "Любая заявка" else n.priorities[key(c)] for c in rows[0][1:]]
        for row in rows[1:]:
            channel = n.channels[key(row[0])]
            for reported, cell in zip(columns, row[1:]):
                if cell == "не принимается":
                    cells[(tier, channel, reported)] = IntakeRead(False, None, None)
                    continue
                m = _CELL.fullmatch(cell)
                assert m is not None, f"unreadable intake cell {cell!r}"
                priority = n.priorities[key(m["as"])] if m["as"] else reported
                hours = n.calendars[key(m["cal"])] if m["cal"] else None
                cells[(tier, channel, reported)] = IntakeRead(True, priority, hours)
    return cells, notes, sentences


# --------------------------------------------------------------------------- target tables

@dataclass(frozen=True)
class TargetRead:
    text: str  # the cell as printed (its conditional alternatives apart)
    reading: str
    calendar: str | None  # calendar id (None: not regulated, or words)
    strength: str  # guaranteed | efforts
    strict: bool = False  # «менее 4 часов»
    #: (condition id, the cell while it holds): «4 рабочих часа; при выполнении условия «…» — 4 часа»
    when: tuple[tuple[str, TargetRead], ...] = ()


def reading_of(text: str) -> str:
    """The reading a cell's words state (its term, before a calendar or a strength)."""
    term = re.split(r" \(|, ", text, maxsplit=1)[0]
    if term == "не регламентируется":
        return "not_regulated"
    if not re.match(r"(менее )?\d", term) and not term.startswith("следующий"):
        return "as_written"  # words, printed as written: «по согласованию сторон»
    if term.startswith("следующий рабочий день"):
        return "next_business_day"
    if term.startswith("следующий календарный день"):
        return "next_calendar_day"
    if "рабоч" in term and ("час" in term or "минут" in term):
        return "working_time"
    if "рабоч" in term:
        return "business_days"
    if "час" in term or "минут" in term:
        return "clock"
    return "calendar_days"


_WHEN = "; при выполнении условия «"


def _cell_read(n: Names, text: str, default: str | None) -> TargetRead:
    text, *alternatives = text.split(_WHEN)
    when = []
    for alt in alternatives:
        m = re.fullmatch(r"(.+?)» — (.+)", alt)
        assert m is not None, f"unreadable conditional cell {alt!r}"
        when.append((n.conditions[key(m[1])], _cell_read(n, m[2], default)))
    reading = reading_of(text)
    calendar: str | None = default
    m = re.search(r"\(по календарю «(.+)»\)", text)
    if m:
        calendar = n.calendars[key(m[1])]
    else:
        for title, ident in n.calendars.items():
            if n.p.calendar(ident).always and f"({title})" in text.casefold():
                calendar = ident
    if reading in ("not_regulated", "as_written"):
        calendar = None
    strength = "efforts" if "коммерчески оправданные усилия" in text else "guaranteed"
    return TargetRead(text, reading, calendar, strength, text.startswith("менее "), tuple(when))


def read_targets(p: model.Program, blocks: list[Block]) -> dict[tuple[str, str, str | None], TargetRead]:
    """(target, tier, row) -> the cell as printed, for every target table (row None: «Любой запрос»)."""
    n = Names(p)
    out: dict[tuple[str, str, str | None], TargetRead] = {}
    default: str | None = None
    for i, (kind, value) in enumerate(blocks):
        if kind == "p":
            m = re.search(r"по календарю «(.+)», если в ячейке не указан иной календарь", str(value))
            if str(value).startswith("Значения показателя"):
                default = n.calendars[key(m[1])] if m else None
            continue
        caption = str(blocks[i - 1][1]) if i and blocks[i - 1][0] == "p" else ""
        m = re.fullmatch(r"Таблица «(.+)»", caption)
        if not m or key(m[1]) not in n.targets:
            continue
        target = n.targets[key(m[1])]
        rows = value
        assert isinstance(rows, list)
        tiers = [n.tiers[key(c)] for c in rows[0][1:]]
        for row in rows[1:]:
            head = key(row[0])
            ident = None if head == key("Любой запрос") else n.priorities.get(head) or n.requests[head]
            for tier, cell in zip(tiers, row[1:]):
                out[(target, tier, ident)] = _cell_read(n, cell, default)
    return out


# --------------------------------------------------------------------------- the checks

def _seen(text: str, reading: str, calendar: str | None, strength: str) -> tuple[str, str, str | None, str]:
    """What a printed cell can be compared on: a not-regulated cell states no calendar nor strength
    (the model may still carry `efforts` for it from a table-wide `efforts`)."""
    if reading in ("not_regulated", "as_written"):
        return norm(text), reading, None, "-"
    return norm(text), reading, calendar, strength


def check_with_decisions(p: model.Program, blocks: list[Block]) -> list[str]:
    """Where the annex's intake tables, notes and target tables differ from `p.decisions`."""
    bad: list[str] = []
    cells, notes, sentences = read_intake(p, blocks)
    targets = read_targets(p, blocks)
    # a request that states no priority, in a program with a default one: no column of the intake
    # tables, the default priority's sentence (check_life_with_model)
    base = [d for d in p.decisions if d.request is None and d.condition is None
            and not (d.reported is None and p.priorities and p.default_priority)]
    if p.response and p.channels and base:
        for d in base:
            got = cells.get((d.tier, d.channel, d.reported))
            want = IntakeRead(d.accepted, d.priority if d.accepted else None, d.hours if d.accepted else None)
            if got != want:
                bad.append(f"intake {d.tier}/{d.channel}/{d.reported}: annex {got}, decision {want}")
    by_key = {(d.tier, d.channel, d.reported): d for d in base}
    for note in notes:
        row = [d for (t, c, _), d in by_key.items() if (t, c) == (note.tier, note.channel)]
        named = [d for d in row if d.accepted and (note.reported is None or d.reported in note.reported)]
        if not named or any(d.hours != note.calendar for d in named):
            bad.append(f"note {note}: the decisions take {[(d.reported, d.hours) for d in named]}")
    if len(sentences) != len(notes):
        bad.append(f"{len(sentences)} sentence(s) on a channel's hours, {len(notes)} of them notes the "
                   f"decisions bear out: {sentences}")
    paragraphs = [str(v) for k, v in blocks if k == "p"]
    for t in p.targets:
        if len(t.tiers) == 1 and t.rows == (None,):  # printed as one sentence: «Время реакции: в течение 1 часа …»
            cell = t.cells[0]
            head = norm(typeset(t.title))
            said = [x for x in paragraphs if x.startswith(head) and norm(cell.within) in x]
            if not said:
                bad.append(f"target {t.id}: no sentence states {cell.within!r}")
        elif not any(k == t.id for k, _, _ in targets):
            bad.append(f"target {t.id}: no table read back")
    for d in base:
        if not d.accepted:
            continue
        for a in d.targets:
            got_t = targets.get((a.target, d.tier, a.cell.row))
            if got_t is None:
                continue  # a target printed as a sentence (checked above)
            want_t = TargetRead(a.cell.text, a.cell.term.reading, a.cell.calendar, a.cell.strength)
            if _seen(got_t.text, got_t.reading, got_t.calendar, got_t.strength) != _seen(
                    want_t.text, want_t.reading, want_t.calendar, want_t.strength):
                bad.append(f"target {a.target}/{d.tier}/{a.cell.row}: annex {got_t}, decision {want_t}")
    return bad + check_life_with_model(p, blocks)


# --------------------------------------------------------------------------- the evaluator

def sample_times(p: model.Program, year: int, within: tuple[date, date] | None = None) -> list[datetime]:
    """Registration moments inside and outside every calendar's hours: a weekday at 11:00 and at
    03:00, a Saturday at 03:00 and a public holiday at 11:00, in each calendar's zone."""
    out: list[datetime] = []
    first = date(year, 3, 10) if within is None else max(within[0], date(year, 3, 10))
    for cal in p.calendars:
        zone = ZoneInfo(cal.zone)
        wed = first + timedelta(days=(2 - first.weekday()) % 7)
        sat = wed + timedelta(days=3)
        days = [(wed, 11), (wed, 3), (sat, 3)]
        days += [(d, 11) for d in cal.non_working if d >= first and (within is None or d <= within[1])][:1]
        out += [datetime(d.year, d.month, d.day, h, tzinfo=zone) for d, h in days]
    return sorted(set(out))


def check_with_evaluator(p: model.Program, blocks: list[Block], ask: Callable[..., object],
                         is_open: Callable[[str, datetime], bool], times: Iterable[datetime]) -> list[str]:
    """Where the annex's intake and target tables differ from the evaluator's answers at `times`:
    `ask(tier=, channel=, priority=, registered_at=)` is response(); `is_open(calendar, at)` the
    evaluator's own hours."""
    bad: list[str] = []
    cells, _, _ = read_intake(p, blocks)
    targets = read_targets(p, blocks)
    times = list(times)
    for (tier, channel, reported), cell in sorted(cells.items(), key=repr):
        for at in times:
            r = ask(tier=tier, channel=channel, priority=reported, registered_at=at)
            want = cell.accepted and (cell.hours is None or is_open(cell.hours, at))
            if r.accepted != want:  # type: ignore[attr-defined]
                bad.append(f"{tier}/{channel}/{reported} at {at.isoformat()}: the annex says "
                           f"{'accepted' if want else 'refused'}, the evaluator {r.accepted}")  # type: ignore[attr-defined]
                continue
            if not want:
                continue
            if r.priority != cell.priority:  # type: ignore[attr-defined]
                bad.append(f"{tier}/{channel}/{reported}: annex as {cell.priority}, evaluator {r.priority}")  # type: ignore[attr-defined]
            for answer in r.targets:  # type: ignore[attr-defined]
                row = cell.priority if (answer.id, tier, cell.priority) in targets else None
                got = targets.get((answer.id, tier, row))
                if got is None:
                    continue  # printed as a sentence: checked by the model comparison's absence rule
                seen = _seen(answer.text, answer.reading, answer.calendar, answer.strength)
                if _seen(got.text, got.reading, got.calendar, got.strength) != seen:
                    bad.append(f"target {answer.id}/{tier}/{row}: annex {got}, evaluator {seen}")
    return bad


# --------------------------------------------------------------------------- a ticket's life

@dataclass(frozen=True)
class ClockRead:
    """A target's clock rules as the sentences after its table state them (ids)."""

    pauses: tuple[str, ...] = ()
    stops: tuple[str, ...] = ()
    restarts: tuple[str, ...] = ()
    repeats_after: tuple[str, ...] = ()  # "update": an update sent to the customer


@dataclass(frozen=True)
class LifeRead:
    clocks: dict[str, ClockRead]  # target id -> its rules (targets that state none: absent)
    escalations: dict[str, str]  # condition id -> the channel whose escalation makes it hold
    change: tuple[str, tuple[str, ...]] | None  # (rule, condition ids) of the priority-change sentence
    default: str | None  # the priority a request that states none is taken as
    strict_note: bool  # the note on «менее» is printed
    unread: list[str]  # sentences of these kinds that could not be attributed or parsed


_PAUSE = re.compile(r"Течение срока приостанавливается на время, в течение которого заявка находится в статусе "
                    r"(?P<s>«.+?»)\.")
_STOP = re.compile(r"Течение срок(?:а|ов) прекращается с наступлением события (?P<e>«.+?»); ")
_RESTART = re.compile(r"Если после прекращения течения срока наступает событие (?P<e>«.+?»), срок исчисляется заново")
_RECURRING = re.compile(r"Срок повторяется: первый срок исчисляется .+?, каждый следующий — с момента (?P<c>.+?)\. ")
_CYCLE_UPDATE = re.compile(r"направления \S+ очередного сообщения о ходе работ")
_CYCLE_EVENT = re.compile(r"наступления события («.+?»)(?= или |$)")
_ESCALATION = re.compile(r"Условие (?P<c>«.+?») считается выполненным с момента эскалации заявки через канал "
                         r"(?P<ch>«.+?»)\.")
_CHANGE = re.compile(r"При (?:изменении уровня критичности заявки(?:, а также при выполнении условия (?P<c1>«.+?»))?|"
                     r"выполнении условия (?P<c2>«.+?»)) срок (?P<rule>пересчитывается по новому значению|"
                     r"продолжает исчисляться по новому значению|исчисляется заново, с этого момента и в полном объеме)")
_CHANGE_RULES = {"пересчитывается по новому значению": "recount", "продолжает исчисляться по новому значению": "keep",
                 "исчисляется заново, с этого момента и в полном объеме": "restart"}
_DEFAULT = re.compile(r"Заявка, в которой уровень критичности не указан, рассматривается как заявка уровня (?P<p>.+?)\.")
_STRICT_NOTE = "Срок, перед которым указано слово «менее», считается соблюденным, только если"


def read_life(p: model.Program, blocks: list[Block]) -> LifeRead:
    """The clock-rule sentences of every target (after its table or its sentence, up to the next
    target), the escalation conditions, the priority-change rule and the default priority."""
    n = Names(p)
    rules: dict[str, dict[str, tuple[str, ...]]] = {}
    escalations: dict[str, str] = {}
    change: tuple[str, tuple[str, ...]] | None = None
    default: str | None = None
    strict_note = False
    unread: list[str] = []
    current: str | None = None
    for i, (kind, value) in enumerate(blocks):
        if kind == "table":
            caption = str(blocks[i - 1][1]) if i and blocks[i - 1][0] == "p" else ""
            m = re.fullmatch(r"Таблица «(.+)»", caption)
            current = n.targets.get(key(m[1])) if m else None
            continue
        text = str(value)
        if text.startswith(("Значения показателя", "Прием заявок")):
            current = None
            continue
        head = re.match(r"(.+?)(?: \(п\. [^)]*\))?: ", text)
        if head and key(head[1]) in n.targets:  # a target stated as one sentence
            current = n.targets[key(head[1])]
        strict_note = strict_note or text.startswith(_STRICT_NOTE)
        for regex, field, kind_ids in ((_PAUSE, "pauses", n.statuses), (_STOP, "stops", n.events),
                                       (_RESTART, "restarts", n.events)):
            m = regex.search(text)
            if m:
                if current is None:
                    unread.append(text)
                    continue
                rules.setdefault(current, {})[field] = n.titles(m[1], kind_ids)
        m = _RECURRING.search(text)
        if m:
            cycle = (("update",) if _CYCLE_UPDATE.search(m["c"]) else ()) + tuple(
                n.events[key(t.strip("«»"))] for t in _CYCLE_EVENT.findall(m["c"]))
            if current is None or not cycle:
                unread.append(text)
            else:
                rules.setdefault(current, {})["repeats_after"] = cycle
        m = _ESCALATION.search(text)
        if m:
            escalations[n.conditions[key(m["c"].strip("«»"))]] = n.channels[key(m["ch"].strip("«»"))]
        m = _CHANGE.search(text)
        if m:
            conditions = m["c1"] or m["c2"]
            change = (_CHANGE_RULES[m["rule"]], n.titles(conditions, n.conditions) if conditions else ())
        m = _DEFAULT.search(text)
        if m:
            default = n.priorities[key(m["p"])]
    clocks = {t: ClockRead(**r) for t, r in rules.items()}
    return LifeRead(clocks, escalations, change, default, strict_note, unread)


def _alt_seen(c: TargetRead) -> tuple[str, str, str | None, str]:
    return _seen(c.text, c.reading, c.calendar, c.strength)


def check_life_with_model(p: model.Program, blocks: list[Block]) -> list[str]:
    """Where the clock rules, conditional and strict cells, escalation conditions, priority-change rule
    and default priority the annex states differ from the model (`Target.clock`, `TargetCell.when`,
    `TargetCell.strict`, `Condition.escalated_via`, `Program.priority_change`, `default_priority`) and
    from the decisions taken while a condition holds."""
    bad: list[str] = []
    life = read_life(p, blocks)
    bad += [f"clock sentence not under a target: {x}" for x in life.unread]
    for t in p.targets:
        k = t.clock
        want = ClockRead(k.pauses, k.stops, k.restarts, k.repeats_after)
        got = life.clocks.get(t.id, ClockRead())
        if got != want:
            bad.append(f"clock {t.id}: annex {got}, model {want}")
    bad += [f"clock rules printed for {x}, which is no target" for x in set(life.clocks) - {t.id for t in p.targets}]
    used = {k for t in p.targets for k in t.conditions}
    want_esc = {c.id: c.escalated_via for c in p.conditions if c.id in used and c.escalated_via}
    if life.escalations != want_esc:
        bad.append(f"escalation conditions: annex {life.escalations}, model {want_esc}")
    if life.change is not None:
        rule, conditions = life.change
        if rule != p.priority_change:
            bad.append(f"priority change: annex {rule}, model {p.priority_change}")
        want_c = tuple(dict.fromkeys(k for t in p.targets for k in t.conditions))
        if conditions != want_c:
            bad.append(f"priority change under conditions: annex {conditions}, model {want_c}")
    elif p.priority_change != "recount" or used:
        bad.append(f"the priority-change rule {p.priority_change!r} is not stated")
    if life.default != p.default_priority:
        bad.append(f"default priority: annex {life.default}, model {p.default_priority}")
    targets = read_targets(p, blocks)
    strict = False
    for t in p.targets:
        for c in t.cells:
            strict = strict or c.strict or any(a.strict for _, a in c.when)
            got_t = targets.get((t.id, c.tier, c.row))
            if got_t is None:
                continue  # a target stated as one sentence
            if got_t.strict != c.strict:
                bad.append(f"strict {t.id}/{c.tier}/{c.row}: annex {got_t.strict}, model {c.strict}")
            want_w = [(k, _seen(a.text, a.term.reading, a.calendar, a.strength)) for k, a in c.when]
            got_w = [(k, _alt_seen(a)) for k, a in got_t.when]
            if got_w != want_w:
                bad.append(f"conditional {t.id}/{c.tier}/{c.row}: annex {got_w}, model {want_w}")
    if strict != life.strict_note:
        bad.append(f"the note on «менее»: printed {life.strict_note}, strict cells {strict}")
    for d in p.decisions:  # the decisions taken while a condition holds answer the printed alternative
        if d.condition is None or not d.accepted:
            continue
        for a in d.targets:
            got_t = targets.get((a.target, d.tier, a.cell.row))
            if got_t is None:
                continue
            alt = dict(got_t.when).get(d.condition, got_t)
            if _alt_seen(alt) != _seen(a.cell.text, a.cell.term.reading, a.cell.calendar, a.cell.strength):
                bad.append(f"target {a.target}/{d.tier}/{a.cell.row} while {d.condition}: annex {alt}, "
                           f"decision {a.cell.text!r}")
    return bad


def check_life_with_evaluator(p: model.Program, blocks: list[Block], ask: Callable[..., object],
                              tick: Callable[..., object], at: datetime) -> list[str]:
    """Where what the annex states of a ticket's life differs from what `ticket()` computes, for every
    printed cell of a target, the ticket registered at `at` (`tick(tier=, events=, at=)` is ticket()):
    a status the annex pauses in pauses it, any other does not; an event it stops on meets it, one it
    restarts on starts a stopped clock again, one it names as closing a cycle (or an update) opens the
    next cycle, any other leaves it running; a cell the annex prints with «менее» is breached when met
    at its due time exactly, any other is met; response() and ticket() answer a printed alternative
    while its condition holds (an escalation through the printed channel); and a priority change
    moves the due time as the printed rule says."""
    from policy_lang.runtime.ticket import escalated, event, met, registered, status, update

    bad: list[str] = []
    life = read_life(p, blocks)
    targets = read_targets(p, blocks)
    minute = timedelta(minutes=1)
    seen: set[tuple[str, str, str | None]] = set()
    base_decisions = [d for d in p.decisions if d.condition is None and d.accepted and d.request is None
                      and (d.reported is not None or not p.priorities)]
    for d in base_decisions:
        reg = registered(at, d.channel, priority=d.reported)
        for a in d.targets:
            cell_key = (a.target, d.tier, a.cell.row)
            printed = targets.get(cell_key)
            if printed is None or cell_key in seen or printed.reading in ("not_regulated", "as_written"):
                continue
            seen.add(cell_key)
            t = next(x for x in p.targets if x.id == a.target)
            k = life.clocks.get(a.target, ClockRead())
            pre = [event(at + minute, t.counted_from)] if t.counted_from else []
            t0 = at + 2 * minute
            where = f"{a.target}/{d.tier}/{a.cell.row}"

            def state(events: list[object], when: datetime, target: str = a.target, tier: str = d.tier,
                      first: tuple[object, ...] = (reg, *pre)) -> Any:
                return tick(tier=tier, events=[*first, *events], at=when).target(target)  # type: ignore[attr-defined]

            for s in p.statuses:
                got = state([status(t0, s.id)], t0 + minute).state
                want = "paused" if s.id in k.pauses else "running"
                if got != want:
                    bad.append(f"{where} in status {s.id}: the annex says {want}, ticket() {got}")
            for e in p.events:
                if e.id == t.counted_from:
                    continue
                st = state([event(t0, e.id)], t0 + minute)
                want = ("met", 1) if e.id in k.stops else ("running", 2 if e.id in k.repeats_after else 1)
                if (st.state, st.cycles) != want:
                    bad.append(f"{where} on event {e.id}: the annex says {want}, ticket() {(st.state, st.cycles)}")
            st = state([update(t0)], t0 + minute)
            want_cycles = 2 if "update" in k.repeats_after else 1
            if (st.state, st.cycles) != ("running", want_cycles):
                bad.append(f"{where} after an update: the annex says {want_cycles} cycle(s), ticket() "
                           f"{(st.state, st.cycles)}")
            for e_id in k.restarts:
                st = state([event(t0, k.stops[0]), event(t0 + minute, e_id)], t0 + 2 * minute)
                if (st.state, st.cycles) != ("running", 2):
                    bad.append(f"{where} restarted by {e_id}: ticket() {(st.state, st.cycles)}")
            due = state([], t0).due
            if due is not None:
                st = state([met(due, a.target)], due + minute)
                want_state = "breached" if printed.strict else "met"
                if st.state != want_state:
                    bad.append(f"{where} met at its due time: the annex says {want_state}, ticket() {st.state}")
            for cond, alt in printed.when:
                r = ask(tier=d.tier, channel=d.channel, priority=d.reported, registered_at=at, **{cond: True})
                answer = next(x for x in r.targets if x.id == a.target)  # type: ignore[attr-defined]
                if _seen(answer.text, answer.reading, answer.calendar, answer.strength) != _alt_seen(alt):
                    bad.append(f"{where} while {cond}: annex {alt.text!r}, response() {answer.text!r}")
                channel = life.escalations.get(cond)
                if channel is not None:
                    got_text = state([escalated(t0, channel)], t0 + minute).text
                    if norm(got_text) != norm(alt.text):
                        bad.append(f"{where} escalated via {channel}: annex {alt.text!r}, ticket() {got_text!r}")
    if life.default is not None:  # a request that states no priority is answered as the printed one's
        for d in base_decisions:
            if d.reported != life.default:
                continue
            r = ask(tier=d.tier, channel=d.channel, priority=None, registered_at=at)
            if (r.accepted, r.priority) != (True, life.default):  # type: ignore[attr-defined]
                bad.append(f"{d.tier}/{d.channel} with no priority: the annex says {life.default}, response() "
                           f"{(r.accepted, r.priority)}")  # type: ignore[attr-defined]
    if life.change is not None and p.priorities:
        bad += _check_change(p, life.change[0], base_decisions, ask, tick, at)
    return bad


def _check_change(p: model.Program, rule: str, decisions: list[model.Decision], ask: Callable[..., object],
                  tick: Callable[..., object], at: datetime) -> list[str]:
    """A priority change a minute after the registration: the due time ticket() reports is the new
    priority's due counted from the registration (recount; keep, on one calendar) or from the change
    (restart), for a target in hours and minutes that runs from the registration."""
    from policy_lang.runtime.ticket import priority_changed, registered

    bad: list[str] = []
    change_at = at + timedelta(minutes=1)
    by = {(d.tier, d.channel, d.reported): d for d in decisions}
    for d in decisions:
        if d.reported is None:
            continue
        for q in p.priorities:
            other = by.get((d.tier, d.channel, q.id))
            if q.id == d.reported or other is None or other.priority == d.priority:
                continue
            for a in d.targets:
                b = next((x for x in other.targets if x.target == a.target), None)
                t = next(x for x in p.targets if x.id == a.target)
                if (b is None or t.counted_from or a.cell.term.reading not in ("clock", "working_time")
                        or b.cell.term.reading not in ("clock", "working_time") or a.cell.calendar != b.cell.calendar):
                    continue
                start = change_at if rule == "restart" else at
                r = ask(tier=d.tier, channel=d.channel, priority=q.id, registered_at=start)
                want = next(x for x in r.targets if x.id == a.target).deadline  # type: ignore[attr-defined]
                if want is None or want <= change_at + timedelta(minutes=1):
                    continue
                got = tick(tier=d.tier, events=[registered(at, d.channel, priority=d.reported),
                                                priority_changed(change_at, q.id)],
                           at=change_at + timedelta(minutes=1)).target(a.target).due  # type: ignore[attr-defined]
                if got != want:
                    bad.append(f"{a.target}/{d.tier}/{d.reported}->{q.id} ({rule}): the annex's rule gives {want}, "
                               f"ticket() {got}")
                return bad  # one change per program is enough to tell the rules apart
    return bad
