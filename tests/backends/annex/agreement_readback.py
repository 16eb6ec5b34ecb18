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
from zoneinfo import ZoneInfo

import docx

from policy_lang import model
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
    text: str  # the cell as printed
    reading: str
    calendar: str | None  # calendar id (None: not regulated)
    strength: str  # guaranteed | efforts


def reading_of(text: str) -> str:
    """The reading a cell's words state (its term, before a calendar or a strength)."""
    term = re.split(r" \(|, ", text, maxsplit=1)[0]
    if term == "не регламентируется":
        return "not_regulated"
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


def _cell_read(n: Names, text: str, default: str | None) -> TargetRead:
    reading = reading_of(text)
    calendar: str | None = default
    m = re.search(r"\(по календарю «(.+)»\)", text)
    if m:
        calendar = n.calendars[key(m[1])]
    else:
        for title, ident in n.calendars.items():
            if n.p.calendar(ident).always and f"({title})" in text.casefold():
                calendar = ident
    if reading == "not_regulated":
        calendar = None
    strength = "efforts" if "коммерчески оправданные усилия" in text else "guaranteed"
    return TargetRead(text, reading, calendar, strength)


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
    if reading == "not_regulated":
        return norm(text), reading, None, "-"
    return norm(text), reading, calendar, strength


def check_with_decisions(p: model.Program, blocks: list[Block]) -> list[str]:
    """Where the annex's intake tables, notes and target tables differ from `p.decisions`."""
    bad: list[str] = []
    cells, notes, sentences = read_intake(p, blocks)
    targets = read_targets(p, blocks)
    base = [d for d in p.decisions if d.request is None and d.condition is None]
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
    return bad


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
