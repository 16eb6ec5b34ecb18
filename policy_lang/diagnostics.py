"""Diagnostics as data: codes, spans, labels, and their text and JSON renderings."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from attrs import field, frozen

#: Every diagnostic code, with its one-line title; `policyc explain CODE` prints the long text.
CODES: dict[str, tuple[str, str]] = {
    "P0001": ("syntax error", "The text does not follow the grammar of the policy language. The message says what was found and what the grammar expected at that point."),
    "P0002": ("unexpected character", "A character that cannot start any token of the language, such as a stray `@` or an unclosed string."),
    "P0003": ("unreadable source", "The path is missing, is a directory, a symbolic link that leads to itself (a symlink loop), is not UTF-8 text, has a file name that is not UTF-8, contains NUL bytes or is too large to be a policy."),
    "P0004": ("nesting too deep", "Blocks are nested deeper than any policy needs; the input is rejected before parsing."),
    "P0005": ("control character", "The file contains an invisible control character, e.g. U+000B or U+000C, which Word pastes for line and page breaks. It cannot be printed in the annex (a DOCX with it is invalid). Delete it; for line breaks inside a text use a triple-quoted string."),
    "P0006": ("line break in a one-line text", "Titles (the quoted words after an id), zones, labels, clause references and the program's title, vendor and edition are printed on one line: in headings, table headers and the footer of the annex, and in the answers of `policyc query`. A `\\n` (or an empty line inside a triple-quoted program title) would break them. Remove it; line breaks belong in texts such as `text`, `note`, `definition` or a table cell."),
    "P0101": ("duplicate field", "A block states the same field twice, e.g. two `zone` lines in one calendar, or states one thing in two ways, e.g. an obligation with both `within ...` and `at_least ... before ...`. Keep one."),
    "P0102": ("missing field", "A block lacks a field it needs, e.g. a calendar with neither `always` nor `hours`, or a program without `title`."),
    "P0201": ("undefined name", "A name is used but never declared, e.g. `available office_hours` without `calendar office_hours`."),
    "P0202": ("duplicate name", "Two declarations of the same kind share a name. Names must be unique within a program and its includes."),
    "P0203": ("wrong kind of name", "A name refers to a declaration of another kind, e.g. a channel where a calendar is expected."),
    "P0204": ("reserved name", "A name that reaches the generated Python evaluator is one of its reserved words (a Python keyword or soft keyword such as `match`, `class`, `None` or `_`) or starts with `__`. Two kinds have a few more: a condition cannot be called `obligation`, `start`, `paused`, `rma`, `delivered` or `on`, and an event cannot be called `rule` or `at`, because the evaluator's deadline(), rma_eligibility() and rule_end() take them by name beside their own arguments of those names; a program id cannot be the name of a standard Python module (`json`, `datetime`, `test` ...) or `policy_lang`, because generated/python/<id>.py would hide it. Choose another id."),
    "P0205": ("names differ only in case", "Two declarations of the same kind have names that differ only in upper/lower case, e.g. calendars `Office` and `office` (or `ß` and `ss`, `K` and the Kelvin sign `K`). The generated code names them without case, so one would silently replace the other. Rename one."),
    "P0206": ("names that look the same", "Two declarations of the same kind have ids that print the same but are different characters: a priority `\"Р1\"` typed with a Cyrillic Р (or a Greek Ρ) beside `P1`, a full-width `\"１\"` beside `\"1\"`, or an accented letter written as one character (é, NFC) beside the same letter and a combining accent (e + ◌́, NFD). The annex would show one name twice and a query for `P1` would miss the other's deadlines. Retype the id in Latin letters and digits, or rename one."),
    "P0207": ("id with invisible characters", "An id (a quoted priority id such as `\"P1\"`) is empty (`\"\"`), only spaces (`\" \"`), has spaces around it (`\"P1 \"`), a space other than an ordinary one (a no-break space), or an invisible or bidirectional character: a zero-width space U+200B, a zero-width joiner or non-joiner, a soft hyphen, a byte order mark, a right-to-left override U+202E or another bidi control. It would print like another id (or as nothing: the intake table would say «Любая заявка») while being a different key of the evaluator. Write the id in letters and digits with no spaces around it."),
    "P0301": ("wrong unit", "A value has the wrong unit or kind: a duration where a count is expected, business days on a 24x7 calendar, a response time in months."),
    "P0302": ("number too large", "A duration, count or point value is larger than any contract needs (e.g. `99999999999 years`); dates and deadlines could not be computed from it. The limits: 100 years, 1,200 months, 3,650 business days, 36,500 days, 100,000 hours or minutes, counts up to 1,000,000, points up to 10^12; no number may have more than 15 digits, and clause numbers and footnote marks no more than 6."),
    "P0303": ("too many declarations", "A program is larger than any contract needs, and than the generated evaluator can load quickly: more tiers (50), channels (20), priorities (10), calendars with working hours (20), request types (20) or targets (20); more than 12 working windows on one weekday of a calendar; a calendar baked to more than 30,000 working intervals (its windows over every day of its years), a program whose calendars bake more than 40,000 together, or more than 140 calendar-years (calendars with hours times the years each is baked for); more than 1,000 answers (tiers x channels x priorities and request types, doubled by a `reclassify ... when`) or 4,000 target cells (answers x targets). The evaluator holds one answer for every tier, channel and priority with every target, and bakes every calendar for years: the limits keep a build small and its module importing in well under a second. Split unrelated offerings into separate programs."),
    "P0304": ("percentage out of range", "A percentile target states the share of requests that must meet it: above 0 and at most 100 (`percentile 95% per month`)."),
    "P0305": ("fraction or compound where it has no reading", "Fractions (`2.5 business days`) and compounds (`17h30min`) may stand in target tables only, and only where they have one reading: a fraction of a business day needs a calendar whose working days are equally long, a compound sums hours and minutes, and calendar days are counted whole. Elsewhere (periods, warranties, notices) write a whole number of one unit."),
    "P0401": ("point ranges overlap", "Two tiers selected by points claim the same number of points."),
    "P0402": ("point ranges leave a gap", "Some number of points selects no tier: ranges must start at 0, follow one another without holes and end open (`200_000 ..`)."),
    "P0403": ("empty point range", "A point range whose lower bound is above its upper bound."),
    "P0501": ("matrix missing a cell", "A matrix row has fewer cells than the header has columns."),
    "P0502": ("matrix has an extra cell", "A matrix row has more cells than the header has columns."),
    "P0503": ("unknown matrix column", "A matrix header names a tier that the program does not declare."),
    "P0504": ("unknown matrix row", "A matrix row names a service or priority that the program does not declare."),
    "P0505": ("duplicate matrix row or column", "A matrix names the same row or column twice, or two matrices have a row for the same service: the evaluator answers `entitlement(tier, service)` from one cell, so the tables must not contradict each other."),
    "P0506": ("matrix missing a tier", "A services matrix must say something for every tier, or the entitlement of that tier is undefined."),
    "P0507": ("no matrix row", "A declaration takes its values from a matrix row (`response on cal from svc`, `vouchers ... count from svc`) but no matrix has a row for that service. Add the row."),
    "P0601": ("file outside the policies root", "An include may only name files inside the policies root directory; a program file (`policies/*.policy`) that is a symbolic link to a file outside the root is refused the same way, and is not read."),
    "P0602": ("include cycle", "Files include each other in a cycle."),
    "P0603": ("include not found", "An included file does not exist."),
    "P0701": ("invalid date or time", "A date that does not exist (2026-02-30), a time past 24:00, or a window that ends before it starts."),
    "P0702": ("unknown time zone", "A calendar zone must be an IANA time zone name such as `Europe/Moscow`."),
    "P0703": ("unsupported official calendar", "Official production calendars are known for `RU`, for the years the compiler has checked."),
    "P0704": ("date out of range", "A date outside the years a policy may name (2000..2100), or a range of dates longer than a year in one item. List each period of days off separately."),
    "P0705": ("shortened day is not a working day", "A pre-holiday (shortened) day must be a working day of the holiday set: not a Saturday or Sunday unless it is listed under `working`, and not one of the set's days off (Labour Code art. 95)."),
    "P0706": ("production calendar data error", "A production calendar data file (`--calendar-data FILE`, or `calendar-data` in policyc.toml) is validated as the packaged one: TOML of [[year]] blocks with the keys year, decree, working_days and optionally decree_number, decree_date, non_working, working_weekends, shortened; every date in its year, non-working days on Mon-Fri, transferred working days on Sat/Sun, shortened days on working days, the lists giving `working_days`, and no year missing between the packaged years and the file's. The project config policyc.toml knows the one key `calendar-data`."),
    "W0801": ("synonym of a defined term", "A text uses a word that the policy's `terms` block lists as a synonym to avoid for a defined term, e.g. «клиент» where the annex says ЗАКАЗЧИК. A contract names each party one way: write the defined term (in the right case), or define the word."),
    "W0802": ("mixed-script word", "A word mixes Cyrillic and Latin letters that look alike, e.g. a Cyrillic «Р» in «Р1» or a Latin «A» in «ТAM». Search and copy would miss it and the annex would show two spellings of one name: write it in one script."),
    "W0701": ("production calendar data ends soon", "The official production calendar packaged with the compiler is cited from the Government's transfer decrees up to its last year; later years are computed by Labour Code art. 112 and marked provisional. This warning comes when the decree-cited data ends within 120 days, or before a term the policy states ends. Put the next decree in a calendar data file of your own ([[year]] blocks in the format of the packaged policy_lang/data/ru_production_calendar.toml) and pass it with `--calendar-data FILE` to check, build and query, or name it once as `calendar-data = \"FILE\"` in policyc.toml beside the policies (README, Updating the production calendar); its years add to or override the packaged ones."),
    "P0801": ("no program declaration", "A program file must start with one `program` block that gives its id, title and vendor."),
    "P0802": ("more than one program", "A file (with its includes) may declare only one program."),
    "P0803": ("program id used twice", "Two program files of one `check` or `build` declare the same program id, or ids that differ only in case (`acme` and `Acme`). Each program is built to generated/python/<id>.py and generated/annex/<id>.*: one would replace the other (on a case-insensitive file system, such as Windows' or macOS', also when only the case differs). The second file is reported at its `program` id, naming the first. Give each program its own id."),
    "P0901": ("wrong cell value", "A matrix cell does not fit the matrix: a response time that is not a duration, `only` with a name that is not a priority."),
    "P1201": ("restart without a stop", "A target's clock `restart on` an event, but the target has no `stop on`: nothing stops the clock, so nothing can restart it. Add the event that stops it (`stop on solution_proposed`) or remove the restart."),
    "P1202": ("an event does two things to a clock", "A target or an obligation lists the same status twice in `pause while`, or the same event twice, or in two of `stop on`, `restart on` and `repeats after`: an event either stops the clock, restarts it after a stop or closes a cycle of a recurring target. An obligation's `stop on` may not name the event its term is counted from (`from`): the term would be fulfilled the moment it starts. List each status and event once, in the one field that says what it does."),
    "P1203": ("recurring target without a stop", "A target `repeats after` an event (a new cycle after each update sent) but has no `stop on`: it would recur for ever. Add the event that ends it, e.g. `stop on solution_proposed`."),
    "P1204": ("bad default priority or priority-change rule", "In a `priorities` block, `default` names a priority the block does not declare, or `on change` is not one of `recount` (the default: the clocks count from the registration at the new priority's value), `keep` (the time elapsed counts against the new value) or `restart` (the new value in full from the change)."),
    "P1205": ("condition depends on a condition", "A condition holds `when escalated via <channel>` (the ticket was escalated through that channel) or when the query states it; its `when` may not name itself or another condition, so that a conditional target cell always has one reading. Name the channel, or drop the `when`."),
    "P1206": ("clock rule on a term that does not run", "An obligation states `pause while` or `stop on`, but its term is not counted from an event: it is a notice `at_least ... before` the end of a period, counted back from a date, which no status of a ticket pauses and no event fulfils. Clock rules belong to an obligation `from EVENT` `within ...` (its term runs from the event over a ticket's life); remove them from the notice."),
    "P1101": ("contract instance error", "A contract instance (`contracts/*.toml`) is not valid TOML, names no known program or a tier the program does not have, lacks its term (`start` and `end` or `years`), has a term that ends before it starts or lasts over 10 years, or has an unknown key or a value of the wrong type. Keys: program, tier or points, start, end or years, contract_number, contract_date, annex_number, incidents, options, [customer] and [executor] with org, position, name, and [[products]] with name and quantity."),
    "P1001": ("annex config error", "The annex config (`policies/annex.toml` or `--annex-config`) is missing, not valid TOML, or has an unknown section or key, a value of the wrong type or a control character. It holds [defaults] and [programs.<program_id>] tables with the keys annex_number, contract_number, contract_date, executor_org, executor_position, executor_name, customer_org, customer_position, customer_name."),
}


@frozen
class Span:
    """Where a piece of source text is: 1-based line and column, end exclusive."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def from_meta(cls, meta: object, path: str) -> Span:
        # a parsed node's meta has all four; an empty one (nothing matched) has none
        return cls(path, getattr(meta, "line", 1), getattr(meta, "column", 1),
                   getattr(meta, "end_line", 1), getattr(meta, "end_column", 2))

    @classmethod
    def from_token(cls, tok: object, path: str) -> Span:
        line = getattr(tok, "line", None) or 1
        col = getattr(tok, "column", None) or 1
        end_line = getattr(tok, "end_line", None) or line
        end_col = getattr(tok, "end_column", None) or col + 1
        return cls(path, line, col, end_line, end_col)


@frozen
class Label:
    span: Span
    message: str = ""


def _labels(labels: Iterable[Label]) -> tuple[Label, ...]:
    return tuple(labels)


def _notes(notes: Iterable[str]) -> tuple[str, ...]:
    return tuple(notes)


@frozen
class Diagnostic:
    """One problem in a policy; rendered by `render_text` or `to_json`."""

    code: str
    message: str
    primary: Label
    secondary: tuple[Label, ...] = field(default=(), converter=_labels)
    notes: tuple[str, ...] = field(default=(), converter=_notes)
    help: str | None = None
    severity: str = "error"

    @property
    def span(self) -> Span:
        return self.primary.span


class PolicyError(Exception):
    """Raised when a policy has errors; carries all diagnostics found.

    `str()` names the first few, so a traceback or a log line says what is wrong and where.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        self.sources: dict[str, str] = {}  # display path -> text, to render the diagnostics with their lines
        shown = [f"{d.span.path}:{d.span.line}:{d.span.column}: {d.severity}[{d.code}]: {d.message}"
                 for d in self.diagnostics[:3]]
        more = len(self.diagnostics) - len(shown)
        if more > 0:
            shown.append(f"... and {more} more")
        n = len(self.diagnostics)
        super().__init__(f"{n} error{'s' if n != 1 else ''} in the policy:\n" + "\n".join(shown))


def _source_line(sources: dict[str, str], span: Span) -> str | None:
    text = sources.get(span.path)
    if text is None:
        return None
    lines = text.split("\n")
    if 1 <= span.line <= len(lines):
        return lines[span.line - 1].rstrip("\r")
    return None


#: What a terminal would obey rather than print: C0 controls (ESC starts colour and cursor
#: sequences), DEL, C1 controls (CSI), line and paragraph separators, bidirectional embeddings,
#: overrides, isolates and marks (they reorder the rest of the line).
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def _escape(m: re.Match[str]) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def safe(text: str) -> str:
    """Text as a terminal shows it, not obeys it: control characters become `\\x1b`, `\\u202e`."""
    return _TERMINAL_CONTROLS.sub(_escape, text)


def render_text(diag: Diagnostic, sources: dict[str, str]) -> str:
    """rustc-style text: `path:line:col: error[CODE]: message`, the line, a caret. Control
    characters from file names, policy and TOML text are escaped (`\\x1b`), the caret moved with them."""
    s = diag.primary.span
    out = [safe(f"{s.path}:{s.line}:{s.column}: {diag.severity}[{diag.code}]: {diag.message}")]
    out.extend(_snippet(sources, diag.primary))
    for lab in diag.secondary:
        out.append(safe(f"  --> {lab.span.path}:{lab.span.line}:{lab.span.column}"))
        out.extend(_snippet(sources, lab))
    for note in diag.notes:
        out.append(safe(f"   = note: {note}"))
    if diag.help:
        out.append(safe(f"   = help: {diag.help}"))
    return "\n".join(out)


def _snippet(sources: dict[str, str], label: Label) -> list[str]:
    s = label.span
    line = _source_line(sources, s)
    if line is None:
        return []
    line = line.replace("\t", " ")
    if len(line) > 200:  # keep huge one-line inputs readable
        start = max(0, s.column - 60)
        line = line[start:start + 200]
        col = s.column - start
    else:
        col = s.column
    width = (s.end_column - s.column) if s.end_line == s.line else len(line) - col + 1
    width = max(1, min(width, max(1, len(line) - col + 1)))
    if _TERMINAL_CONTROLS.search(line):
        # each escaped character takes the room of its escape: the caret stays under its text
        pieces = [safe(c) for c in line]
        first = max(col - 1, 0)
        col = 1 + sum(len(p) for p in pieces[:first])
        width = max(1, sum(len(p) for p in pieces[first:first + width]))
        line = "".join(pieces)
    gutter = str(s.line)
    pad = " " * len(gutter)
    caret = " " * (col - 1) + "^" * width
    if label.message:
        caret += " " + safe(label.message)
    return [f"{pad} |", f"{gutter} | {line}", f"{pad} | {caret}"]


def to_dicts(diags: Iterable[Diagnostic]) -> list[dict[str, object]]:
    """The diagnostics as JSON-able objects: the `diagnostics` of every `--format json` envelope."""
    items: list[dict[str, object]] = []
    for d in diags:
        s = d.primary.span
        items.append({
            "path": s.path, "line": s.line, "column": s.column,
            "end_line": s.end_line, "end_column": s.end_column,
            "severity": d.severity, "code": d.code, "message": d.message,
            "labels": [{"path": lab.span.path, "line": lab.span.line, "column": lab.span.column,
                        "message": lab.message} for lab in d.secondary],
            "notes": list(d.notes), "help": d.help,
        })
    return items


def to_json(diags: Iterable[Diagnostic]) -> str:
    """The same diagnostics as a JSON array (the envelope's `diagnostics`), for library callers."""
    return dumps(to_dicts(diags))


def dumps(document: object, indent: int | None = 2) -> str:
    """A JSON document the CLI prints: Russian text as it is, but DEL, C1 (CSI) and bidi controls
    escaped as JSON escapes C0 controls itself, so that a document printed to a terminal cannot
    drive it. Every JSON the commands print goes through here."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(document, ensure_ascii=False, indent=indent))


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def explain(code: str) -> str | None:
    """The long text of a code: what it means, a wrong example and how to fix it."""
    key = code.upper()
    entry = CODES.get(key)
    if entry is None:
        return None
    kind = "warning" if key.startswith("W") else "error"
    text = f"{key} ({kind}): {entry[0]}\n\n{entry[1]}"
    example = EXAMPLES.get(key)
    if example is not None:
        wrong, fix = example
        text += "\n\nFor example:\n\n" + "\n".join("    " + line for line in wrong.splitlines())
        text += f"\n\nFix: {fix}."
    return text


#: For `policyc explain`: a small wrong example and its fix, per code.
EXAMPLES: dict[str, tuple[str, str]] = {
    "P0001": ('calendar office "офис" {\n    zone "Europe/Moscow"\n    hours mon-fri 08:00-17:00\n',
              'close every block: add the missing `}` after the last field'),
    "P0002": ('channel phone "телефон" @ {', 'delete the stray character; strings need both quotes: "телефон"'),
    "P0003": ("policyc check policies/landesk_support.polcy", "name an existing UTF-8 text file (or a directory of *.policy)"),
    "P0004": ('rule r "R" = max(max(max(max(... 40 levels ...))))', "flatten the expression: max(a, b, c, d)"),
    "P0005": ('title "Программа\\u000bподдержки"   # a line break pasted from Word',
              'delete the invisible character; for several lines use """...""" '),
    "P0006": ('tiers {\n    gold "Gold\\nPlus" purchased\n}', 'write the title on one line: "Gold Plus"'),
    "P0101": ('calendar c "c" {\n    zone "Europe/Moscow"\n    zone "Europe/Samara"\n}', "keep one `zone` line"),
    "P0102": ('calendar c "c" {\n    zone "Europe/Moscow"\n}', "add `hours mon-fri 08:00-17:00` (or `always`)"),
    "P0201": ('channel phone "телефон" {\n    available office_hours\n}', 'declare `calendar office_hours "..." { ... }` or fix the name'),
    "P0202": ('tiers {\n    gold "Gold" purchased\n    gold "Gold+" purchased\n}', "rename one of them or remove the copy"),
    "P0203": ('channel phone "телефон" {\n    available portal   # portal is a channel\n}', "name a calendar there"),
    "P0204": ('tiers {\n    match "Match" purchased\n}', "choose another id, e.g. `match_tier`"),
    "P0205": ('calendar office "офис" { always }\ncalendar Office "офис 2" { always }', "rename one: `office_msk`"),
    "P0206": ('priorities {\n    P1   "Критический"\n    "Р1" "Критический (кириллица)"   # a Cyrillic Р\n}',
              "retype the id in Latin letters, or remove the copy"),
    "P0207": ('priorities {\n    "P1 " "Критический"   # a space after P1\n}', 'write the id without spaces: `P1`'),
    "P0301": ('response on support_hours {\n    priority gold\n    P1       2 months\n}', "use minutes or hours: `2h`"),
    "P0302": ('period term "Срок" {\n    length 99999 years\n}', "state the real term: `length 3 years`"),
    "P0303": ('channel ch1 "канал 1" { }\nchannel ch2 "канал 2" { }\n# ... 21 channels', "keep the channels of one contract; split other offerings into programs"),
    "P0304": ('target resolution "Время решения" on office {\n    percentile 105% per month\n    ...', "state a share of requests: `percentile 95% per month`"),
    "P0305": ('period term "Срок" {\n    length 1.5 years\n}', "write a whole number of one unit: `length 18 months`"),
    "P0401": ('base "Base" 0 .. 2_999\nprofessional "PS" 2_000 .. 49_999', "start the next range after the previous: `3_000 .. 49_999`"),
    "P0402": ('base "Base" 0 .. 2_999\nprofessional "PS" 4_000 ..', "close the gap: `3_000 ..`"),
    "P0403": ('gold "Gold" 5_000 .. 1_000', "swap the bounds: `1_000 .. 5_000`"),
    "P0501": ('matrix m "М" {\n    service gold silver\n    ilo     2\n}', "give every column a cell: `ilo 2 1`"),
    "P0502": ('matrix m "М" {\n    service gold\n    ilo     2 3\n}', "remove the extra cell or add a column"),
    "P0503": ('matrix m "М" {\n    service gold platinum\n}', "use declared tier ids in the header"),
    "P0504": ('matrix m "М" {\n    service gold\n    trainig 2\n}', "use a declared service id: `training`"),
    "P0505": ('matrix m "М" {\n    service gold\n    ilo 2\n    ilo 3\n}', "keep one row per service"),
    "P0506": ('tiers { gold "Gold" purchased  silver "Silver" purchased }\nmatrix m "М" {\n    service gold\n    ilo 2\n}',
              "add a column for `silver`"),
    "P0507": ("response on office from rt    # no matrix has a row rt", "add a row `rt 2h 4h` to a matrix"),
    "P0601": ('include "../../etc/other.policy"\n# or: policies/x.policy -> /etc/other.policy (a symbolic link)',
              "keep shared files under the policies root, e.g. shared/"),
    "P0602": ('# a.policy: include "b.policy"\n# b.policy: include "a.policy"', "move the shared part to a third file both include"),
    "P0603": ('include "shared/ru_calender.policy"', 'fix the path: "shared/ru_calendar.policy"'),
    "P0701": ('hours mon-fri 17:00-08:00', "write the window forwards; split a night shift at midnight"),
    "P0702": ('zone "Europe/Moskow"', 'use an IANA zone: "Europe/Moscow"'),
    "P0703": ('official RU years 2019 .. 2026', "state years the compiler has data for: `2024 .. 2030`"),
    "P0704": ('dates 0002-01-01 .. 9999-12-30', "list real periods of days off, each under a year"),
    "P0706": ('[[year]]\nyear = 2028\ndecree = "постановление ..."\nnon_working = [2028-01-03]\nworking_days = 250',
              "list every Mon-Fri day off of the year, so that the lists give the year's official working_days"),
    "P0705": ('shortened 2026-03-08    # a Sunday', "list the working day before the holiday: 2026-03-06"),
    "P0801": ('calendar c "c" { always }    # and nothing else', 'start with `program my_program { title "..." vendor "..." }`'),
    "P0802": ('program a { ... }\nprogram b { ... }', "one program per file; share sections with `include`"),
    "P0803": ('# policies/a.policy\nprogram acme_support { ... }\n# policies/b.policy\nprogram acme_support { ... }',
              "give the second program its own id, e.g. `acme_premium`"),
    "P0901": ('response on support_hours {\n    priority gold\n    P1       soon\n}', "write a duration: `4h`"),
    "W0801": ('terms { "ЗАКАЗЧИК" instead_of "клиент" }\nclause c "Условия" { text "Клиент сообщает об инциденте." }',
              'write the defined term: text "ЗАКАЗЧИК сообщает об инциденте."'),
    "W0802": ('clause c "Условия" { text "Инциденты Р1 сообщаются по телефону." }   # a Cyrillic Р',
              'retype it in Latin: "Инциденты P1 ..."'),
    "P1001": ('[defaults]\nannex_numbr = "7"', 'fix the key: annex_number = "7"'),
    "P1201": ('target resolution "Срок решения" on office {\n    restart on reopened    # and no `stop on`\n    ...',
              "add the event that stops the clock: `stop on solution_proposed`"),
    "P1202": ('target resolution "Срок решения" on office {\n    stop on solution_proposed\n'
              '    restart on solution_proposed\n    ...', "restart on another event: `restart on reopened`"),
    "P1203": ('target updates "Информирование" on office {\n    repeats after update    # and no `stop on`\n    ...',
              "add the event that ends it: `stop on solution_proposed`"),
    "P1204": ('priorities {\n    default P5    # no priority P5\n    on change recalc\n    P1 "Критический"\n}',
              "name a declared priority and a rule: `default P1`, `on change recount`"),
    "P1205": ('condition urgent "срочная заявка" when urgent', 'name a channel: `when escalated via phone`'),
    "P1206": ('obligation notice "Уведомление" {\n    at_least 60 days before term\n    pause while access_refused\n}',
              "pause an obligation counted from an event: `from faulty_part_received` + `within 20 business days ...`"),
    "P1101": ('program = "landesk_support"\ntier = "gold"\nstart = 2026-12-01\nend = 2027-11-30',
              'name a tier of the program: tier = "enterprise"'),
    "W0701": ("official RU years 2024 .. 2030    # checked in October 2027",
              'put the 2028 decree in calendar/ru_2028.toml ([[year]] year = 2028 ...) and run '
              '`policyc check --calendar-data calendar/ru_2028.toml`, or set calendar-data in policyc.toml'),
}


#: Words a contract manager glues to a number (`4hrs`), and the unit they mean.
_UNIT_GUESSES = {"h": ("hrs", "hr", "hour", "hours", "hs", "hh"), "min": ("mins", "mn", "m", "minute"),
                 "d": ("dy", "dys", "day"), " weeks": ("w", "wk", "wks"),
                 " months": ("mo", "mos", "mon", "mth", "mths"),
                 " years": ("yr", "yrs"), " business days": ("bd", "bds", "wd", "bday", "bdays"),
                 " business hours": ("bh", "bhr", "bhrs")}


def glued_duration(number: str, letters: str, span: Span) -> Diagnostic:
    """P0901 at a word such as `4hrs`: the lexer reads `4` and a name `hrs`, so the parser (or the
    checker, when `hrs` passes for the next row's label) stumbles after it; the word is what is wrong."""
    unit = next((u for u, words in _UNIT_GUESSES.items() if letters.lower() in words), None)
    if unit is None:
        import difflib  # only on this error path

        close = difflib.get_close_matches(letters.lower(), ["h", "min", "minutes", "hours", "days", "weeks", "months",
                                                            "years"], n=1, cutoff=0.5)
        unit = (close[0] if close[0] in ("h", "min") else " " + close[0]) if close else None
    word = number + letters
    suggestion = f"did you mean `{number}{unit}`?" if unit else "write a duration such as `4h` or `2 business days`"
    return Diagnostic("P0901", f"`{word}` is not a duration: {suggestion}",
                      Label(span, "not a duration, a number or a name"),
                      help="a duration is a number and a unit: `4h`, `30min`, `2 business days`, `1 month`")
