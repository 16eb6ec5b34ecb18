"""Semantic checks over the AST: names, kinds, units, point ranges, matrices. Collects every error."""
from __future__ import annotations

import datetime as dt
import itertools
import keyword
import sys
import unicodedata
import zoneinfo
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from policy_lang.diagnostics import Diagnostic, Label, Span
from policy_lang.runtime.ticket import PRIORITY_CHANGE_RULES
from policy_lang.semantics import constructs
from policy_lang.semantics.precedence import PARTY_ROLES, cell_calendar
from policy_lang.syntax import ast

if TYPE_CHECKING:
    from policy_lang.semantics import production_calendar as pc

#: Declaration kinds that own a name, and how a message calls them.
KIND_WORDS = {
    "party": "party", "holidays": "holiday set", "calendar": "calendar", "channel": "channel",
    "procedure": "procedure", "tier": "tier", "service": "service", "matrix": "matrix",
    "priority": "priority", "reclassify": "reclassification rule", "event": "event",
    "condition": "condition", "obligation": "obligation", "period": "period", "vouchers": "voucher kind",
    "exclusions": "exclusion list", "clause": "clause", "footnote": "footnote", "definition": "definition",
    "warranty": "warranty", "rma": "RMA rule", "rule": "rule", "coverage": "coverage rule",
    "target": "target", "request": "request type", "agreed": "agreed term", "status": "status",
}

#: node -> the symbol kind its own id declares (the construct table's `declares`)
_DECL_KIND = {c.node: c.declares for c in constructs.CONSTRUCTS if isinstance(c.declares, str)}

#: Dates a policy may name, and the longest range of days one item may span.
MIN_DATE, MAX_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
MAX_RANGE_DAYS = 366


def _a(word: str) -> str:
    """`a calendar`, `an event`."""
    return ("an " if word[:1].lower() in "aeiou" or word.startswith("RMA") else "a ") + word


def _today() -> dt.date:
    """Today, or POLICY_LANG_TODAY=YYYY-MM-DD (tests and reproducible CI runs); a malformed value is a
    ValueError naming the variable (the CLI reports it as a usage error before checking anything)."""
    from policy_lang.semantics import production_calendar

    return production_calendar.today()


#: The largest amount of each unit a policy may state, the largest count and point value.
MAX_AMOUNT = {"minute": 100_000, "hour": 100_000, "business_hour": 100_000, "day": 36_500,
              "calendar_day": 36_500, "business_day": 3_650, "week": 5_200, "month": 1_200, "year": 100}
MAX_COUNT = 1_000_000
MAX_POINTS = 10**12

#: Declarations that hold no duration, count or point value: `limits` skips them.
_NO_NUMBERS = frozenset({ast.ClauseDecl, ast.FootnoteDecl, ast.DefinitionDecl, ast.ExclusionsDecl, ast.ChannelDecl,
                         ast.ProcedureDecl, ast.PartiesDecl, ast.EventDecl, ast.ConditionDecl, ast.CoverageDecl,
                         ast.ProgramDecl, ast.HolidaysDecl, ast.ServicesDecl, ast.Include, ast.StatusDecl})

#: Kinds whose names become identifiers or dictionary keys of the generated evaluator.
_GENERATED_KINDS = frozenset({"tier", "service", "channel", "calendar", "priority", "obligation", "condition",
                              "event", "period", "vouchers", "warranty", "rma", "rule", "holidays",
                              "target", "request", "status"})
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CALENDAR_UNITS = ("day", "calendar_day", "week", "month", "year")
#: blocks a program has at most one of (a second is P0202): the construct table's `repeated`
SINGLETONS = {c.node: c.keyword for c in constructs.CONSTRUCTS if not c.repeated and c.node is not ast.ProgramDecl}

#: What each clock field does to a target, for messages.
_CLOCK_VERBS = {"pause": "pauses", "stop": "stops", "restart": "restarts", "repeats": "closes a cycle of"}
#: Each clock field as written.
_CLOCK_FIELDS = {"pause": "pause while", "stop": "stop on", "restart": "restart on", "repeats": "repeats after"}

#: Kinds declared as lines of a block rather than by their own keyword.
_DECLARED_IN = {"tier": "tiers", "service": "services", "priority": "priorities", "party": "parties",
                "request": "requests"}

#: Names the generated evaluator takes as keyword arguments beside its own parameters:
#: conditions (`deadline(obligation, start=..., NAME=True)`, `rma_eligibility(rma=..., delivered=...,
#: on=..., NAME=True)`, `response(tier=..., ..., NAME=True)`) and events (`rule_end(rule, at=..., NAME=date)`) may not take their names.
_ARGUMENT_NAMES = {
    "condition": ("deadline(), rma_eligibility() and response()",
                  frozenset({"obligation", "start", "paused", "rma", "delivered", "on", "tier", "channel",
                             "registered_at", "priority", "request"})),
    "event": ("rule_end()", frozenset({"rule", "at"})),
}
#: A program id names a Python module (generated/python/<id>.py): not one the evaluator imports.
_MODULE_NAMES = frozenset(sys.stdlib_module_names) | {"policy_lang", "generated"}

#: The most declarations of a kind a program may have. The response table of the generated
#: evaluator has one entry per tier, channel and priority (their product), and every calendar
#: with working hours is baked as years of intervals: no contract comes near these.
MAX_ITEMS = {"tier": 50, "channel": 20, "priority": 10, "calendar": 20, "request": 20, "target": 20}
#: The generated module's size is its answers (tier x channel x priority or request type), each
#: with every target, and its calendars' working intervals (windows over every day of the years
#: baked). Measured on this project's 2-core machine: an answer costs ~0.3 ms of import, a target
#: of an answer ~0.03 ms, an interval ~5 us; a program at all these limits (10 tiers x 10 channels
#: x 10 priorities x 4 targets, 38,355 intervals: tests/semantics/test_limits.py) is a 4.2 MB module
#: importing in ~0.5 s (0.65-0.76 s before its .pyc is cached).
#: The largest contract here has 54 answers, 108 target cells and 3,700 intervals.
MAX_ANSWERS = 1_000
MAX_TARGET_CELLS = 4_000
MAX_WINDOWS_PER_DAY = 12
MAX_CALENDAR_INTERVALS = 32_000
MAX_PROGRAM_INTERVALS = 40_000
MAX_CALENDAR_YEARS = 140  # calendars with hours x the years each is baked for
#: Units a target cell may state, by the kind of its calendar.
TARGET_UNITS_ALWAYS = ("minute", "hour", "day", "calendar_day", "week", "month")
TARGET_UNITS_HOURS = ("minute", "hour", "business_minute", "business_hour", "business_day", "day",
                      "calendar_day", "week", "month")
#: Windows over which a percentile target is measured.
PERCENTILE_WINDOWS = ("month", "quarter", "year")
#: Units a price may be quoted per (`1_500 RUB per hour`).
PRICE_UNITS = ("hour", "incident", "request", "day", "month", "year", "user", "device", "license", "visit")
MAX_PRICE = Decimal(10**12)

UNIT_WORDS = {
    "minute": "minutes", "hour": "hours", "business_hour": "business hours", "day": "days",
    "business_minute": "business minutes",
    "calendar_day": "calendar days", "business_day": "business days", "week": "weeks",
    "month": "months", "year": "years",
}


# -- ids: one spelling each --------------------------------------------------------------
#: Letters of other scripts that look like Latin ones (after casefold): an id typed with a
#: Cyrillic «Р» or a Greek «Ρ» reads as `P1` in the annex but is another key of the evaluator.
#: Full-width and other compatibility forms (`１`, `Ｐ`, the Kelvin sign) are folded by NFKC.
_LOOKALIKE = str.maketrans({
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "ë", "з": "3", "к": "k", "м": "m", "н": "h", "о": "o", "п": "n",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "ï", "ј": "j", "ԁ": "d",
    "һ": "h", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y", "ь": "b",
    # Greek
    "α": "a", "β": "b", "γ": "y", "ε": "e", "ζ": "z", "η": "h", "ι": "i", "κ": "k", "μ": "m", "ν": "n",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "y", "χ": "x", "ϲ": "c", "ϳ": "j",
    # Latin look-alikes of plain letters
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ʏ": "y",
})
#: Characters that cannot be seen, or that reorder what is seen, beside the format characters
#: (Unicode category Cf: soft hyphen, zero-width space, ZWJ, ZWNJ, word joiner, BOM, bidi controls).
_INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0")


def id_skeleton(name: str) -> str:
    """What an id looks like: names with one skeleton cannot be told apart on screen or paper
    (case, Unicode normalisation, full-width forms, look-alike letters of other scripts)."""
    if name.isascii():
        return name.lower()
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return folded.translate(_LOOKALIKE)


def shown_id(name: str) -> str:
    """An id as a message prints it: invisible and control characters as `\\u200b` escapes."""
    if name.isascii() and name.isprintable():
        return name
    return "".join(c if c.isprintable() and c not in _INVISIBLE else f"\\u{ord(c):04x}" for c in name)


def id_defect(name: str) -> str | None:
    """Why an id cannot be told from another by eye, or None: it is empty or blank, has spaces
    around it, a space other than U+0020 in it, or an invisible or bidirectional character."""
    if name.isascii() and name.isidentifier():
        return None  # the common case: a NAME token
    if not name:
        return "is empty"
    if not name.strip():
        return "is only spaces"
    if name != name.strip():
        return "has a space at its " + ("start" if name[0].isspace() else "end")
    for c in name:
        if c.isascii():
            if c.isprintable():
                continue
        elif unicodedata.category(c) not in ("Cf", "Cc", "Zs", "Zl", "Zp", "Co", "Cn") and c not in _INVISIBLE:
            continue
        kind = ("a bidirectional control" if unicodedata.bidirectional(c) in _BIDI_CONTROLS
                else "a space that is not an ordinary space" if c.isspace() else "an invisible character")
        return f"has {kind}, {_char(c)}"
    return None


_INVISIBLE_NOTE = ("invisible characters (zero-width spaces and joiners, soft hyphens, byte order marks) "
                   "and bidirectional controls change an id without changing how it looks")
_BIDI_CONTROLS = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})


def _char(c: str) -> str:
    """`U+200B ZERO WIDTH SPACE`: a character a message names."""
    name = unicodedata.name(c, "")
    return f"U+{ord(c):04X}" + (f" {name}" if name else "")


def _odd_letters(*names: str) -> str:
    """The characters outside ASCII of some ids, named: `«Р» U+0420 CYRILLIC CAPITAL LETTER ER`."""
    odd = [c for c in dict.fromkeys("".join(names)) if not c.isascii()]
    return ", ".join(f"«{c}» {_char(c)}" if c.isprintable() else _char(c) for c in odd[:4])

N = TypeVar("N")


class Symbols:
    """Every named declaration, by kind."""

    def __init__(self) -> None:
        self.by_kind: dict[str, dict[str, object]] = {k: {} for k in KIND_WORDS}
        self.spans: dict[tuple[str, str], Span] = {}
        self.folded: dict[tuple[str, str], str] = {}  # (kind, id_skeleton(name)) -> the name declared

    def get(self, kind: str, name: str, cls: type[N]) -> N:
        """The declaration `name` of `kind`, as the node class that kind is declared by."""
        node = self.by_kind[kind][name]
        assert isinstance(node, cls), (kind, name, type(node))
        return node

    def all(self, kind: str, cls: type[N]) -> list[N]:
        """Every declaration of `kind`, in declaration order."""
        return [n for n in self.by_kind[kind].values() if isinstance(n, cls)]

    def kind_of(self, name: str) -> str | None:
        for kind, table in self.by_kind.items():
            if name in table:
                return kind
        return None


class Checker:
    def __init__(self, items: list[object], path: str = "<input>"):
        self.items = items
        self.path = path
        self.diags: list[Diagnostic] = []
        self.sym = Symbols()
        self.service_rows: dict[str, tuple[str, Span]] = {}  # service -> (matrix id, its first row)

    # -- reporting -----------------------------------------------------------
    def error(self, code: str, message: str, span: Span, label: str = "", *, help: str | None = None,
              secondary: Iterable[Label] = (), notes: Iterable[str] = ()) -> None:
        self.diags.append(Diagnostic(code, message, Label(span, label), tuple(secondary), tuple(notes), help))

    def missing(self, node: ast.Spanned, what: str, kind: str, example: str) -> None:
        self.error("P0102", f"{kind} is missing `{what}`", node.span, f"no `{what}` in this {kind}",
                   help=f"add a line such as `{example}`")

    # -- declarations --------------------------------------------------------
    def declare(self, kind: str, name: ast.Name, node: object) -> None:
        table = self.sym.by_kind[kind]
        if name.value in table:
            first = self.sym.spans[(kind, name.value)]
            self.error("P0202", f"{KIND_WORDS[kind]} `{shown_id(name.value)}` is declared twice", name.span,
                       "declared again here",
                       secondary=[Label(first, "first declared here")], help="rename one of them or remove the copy")
            return
        defect = id_defect(name.value)
        if defect is not None:
            self.error("P0207", f"{KIND_WORDS[kind]} id `{shown_id(name.value)}` {defect}", name.span,
                       "this id", help="write the id in letters and digits, with no spaces around it; "
                       "the annex and the generated code would take it for another name",
                       notes=(_INVISIBLE_NOTE,))
        folded = (kind, id_skeleton(name.value))
        twin = self.sym.folded.get(folded)
        if twin is not None and kind in _GENERATED_KINDS:
            self.lookalike(kind, name, twin)
            return
        if kind in _GENERATED_KINDS:
            self.reserved(name, KIND_WORDS[kind], kind)
        table[name.value] = node
        self.sym.folded.setdefault(folded, name.value)
        self.sym.spans[(kind, name.value)] = name.span

    def lookalike(self, kind: str, name: ast.Name, twin: str) -> None:
        """`name` reads as the declared `twin`: P0205 when they differ only in case, else P0206."""
        v, shown, first = name.value, shown_id(name.value), self.sym.spans[(kind, twin)]
        secondary = [Label(first, "declared here")]
        if v.casefold() == twin.casefold():
            odd = _odd_letters(v, twin)
            self.error("P0205", f"{KIND_WORDS[kind]} `{shown}` differs from `{shown_id(twin)}` only in case"
                       + (f" ({odd})" if odd else ""), name.span,
                       "the generated code would confuse the two", secondary=secondary,
                       help="names are compared without case: rename one of them")
            return
        if unicodedata.normalize("NFC", v) == unicodedata.normalize("NFC", twin):
            how = "only in Unicode normalisation (a letter and its accent as one character or as two)"
        elif unicodedata.normalize("NFKC", v).casefold() == unicodedata.normalize("NFKC", twin).casefold():
            how = "only in full-width or other compatibility forms of its characters"
        else:
            odd = _odd_letters(v, twin)
            how = f"only in letters that look alike ({odd})" if odd else "only in letters that look alike"
        self.error("P0206", f"{KIND_WORDS[kind]} `{shown}` looks the same as `{shown_id(twin)}`: it differs {how}",
                   name.span, "reads as another id", secondary=secondary,
                   help="ids are told apart by eye in the annex and in queries: retype it in Latin letters "
                        "and digits, or rename one of them")

    def reserved(self, name: ast.Name, what: str, kind: str = "") -> None:
        """Names that reach generated Python must not be its keywords, dunder names, the names of
        its own arguments (for conditions and events) or of modules it imports (for a program)."""
        v = name.value
        suggestion = f"`{v.strip('_') or 'x'}_{what.split()[0]}`"
        if keyword.iskeyword(v) or keyword.issoftkeyword(v) or v.startswith("__") or v == "_":
            self.error("P0204", f"`{v}` cannot name {_a(what)}: it is a reserved word of the generated code",
                       name.span, "reserved name", help=f"choose another id, e.g. {suggestion}")
        elif kind in _ARGUMENT_NAMES and v in _ARGUMENT_NAMES[kind][1]:
            where, names = _ARGUMENT_NAMES[kind]
            verb = "take" if " and " in where else "takes"
            self.error("P0204", f"`{v}` cannot name {_a(what)}: {where} of the generated code already "
                       f"{verb} an argument `{v}`", name.span, "reserved name",
                       help=f"choose another id, e.g. {suggestion}; reserved for {what}s: "
                            + ", ".join(f"`{n}`" for n in sorted(names)))
        elif kind == "program" and v in _MODULE_NAMES:
            self.error("P0204", f"`{v}` cannot name a program: the generated module {v}.py would hide "
                       f"the Python module `{v}`", name.span, "reserved name",
                       help=f"choose another id, e.g. `{v}_support`")

    def matrix_row(self, service: str) -> ast.Row | None:
        """The (first) matrix row of `service`, or None."""
        for m in self.sym.by_kind["matrix"].values():
            assert isinstance(m, ast.MatrixDecl)
            for row in m.rows:
                if row.label.value == service:
                    return row
        return None

    def collect(self) -> list[ast.ProgramDecl]:
        programs: list[ast.ProgramDecl] = []
        seen_single: dict[str, Span] = {}
        for item in self.items:
            if isinstance(item, ast.ProgramDecl):
                programs.append(item)
                continue
            for cls, word in SINGLETONS.items():
                if isinstance(item, cls):
                    span: Span = getattr(item, "span")  # noqa: B009 - every declaration node has one
                    if word in seen_single:
                        self.error("P0202", f"a program has one `{word}` block", span, "second block",
                                   secondary=[Label(seen_single[word], "first block")],
                                   help=f"merge the two `{word}` blocks into one")
                    seen_single.setdefault(word, span)
            kind = _DECL_KIND.get(type(item))
            if kind is not None:
                self.declare(kind, getattr(item, "id"), item)  # noqa: B009 - declaring kinds have an id
            elif isinstance(item, ast.PartiesDecl):
                for p in item.parties:
                    self.declare("party", p.id, p)
            elif isinstance(item, ast.TiersDecl):
                for t in item.tiers:
                    self.declare("tier", t.id, t)
            elif isinstance(item, ast.ServicesDecl):
                for s in item.services:
                    self.declare("service", s.id, s)
            elif isinstance(item, ast.PrioritiesDecl):
                for prio in item.priorities:
                    self.declare("priority", prio.id, prio)
            elif isinstance(item, ast.RequestsDecl):
                for r in item.requests:
                    self.declare("request", r.id, r)
            elif isinstance(item, ast.FootnoteDecl):
                self.declare("footnote", ast.Name(item.mark, item.span), item)
        return programs

    # -- references ----------------------------------------------------------
    def resolve(self, name: ast.Name | None, kind: str, *, allow: tuple[str, ...] = ()) -> bool:
        if name is None or name.value in allow:
            return name is not None
        if name.value in self.sym.by_kind[kind]:
            return True
        other = self.sym.kind_of(name.value)
        if other is not None:
            self.error("P0203", f"`{name.value}` is {_a(KIND_WORDS[other])}, not {_a(KIND_WORDS[kind])}", name.span,
                       f"expected {_a(KIND_WORDS[kind])}",
                       secondary=[Label(self.sym.spans[(other, name.value)], f"{KIND_WORDS[other]} declared here")])
            return False
        known = sorted(self.sym.by_kind[kind]) + list(allow)
        import difflib  # only where a name is suggested: not paid by a clean check
        close = difflib.get_close_matches(name.value, known, n=1)
        block = _DECLARED_IN.get(kind)
        hint = self.looks_like(name.value, (kind,)) or (f"maybe you meant `{close[0]}`?" if close else (
            (f"add it to the `{block} {{ ... }}` block" if block else f"declare it with `{kind} {name.value} ...`")
            if not known else f"known: {', '.join(known[:12])}"))
        self.error("P0201", f"undefined {KIND_WORDS[kind]} `{shown_id(name.value)}`", name.span, f"no {KIND_WORDS[kind]} with this name",
                   help=hint)
        return False

    def looks_like(self, value: str, kinds: tuple[str, ...]) -> str | None:
        """A help for a name that is not declared but prints like one that is (`Р1` for `P1`)."""
        if value.isascii() and value.isidentifier():
            return None  # a misspelling, not a look-alike: difflib suggests
        skeleton = id_skeleton(value)
        for kind in kinds:
            twin = self.sym.folded.get((kind, skeleton))
            if twin is not None and twin != value:
                odd = _odd_letters(value)
                return (f"`{shown_id(value)}` looks like the {KIND_WORDS[kind]} `{shown_id(twin)}` but is other "
                        f"characters{f' ({odd})' if odd else ''}: write `{shown_id(twin)}`")
        return None

    def resolve_marks(self, marks: tuple[str, ...], span: Span) -> None:
        for m in marks:
            if m not in self.sym.by_kind["footnote"] and not m.strip("()").isalpha():
                self.error("P0201", f"undefined footnote `{m}`", span, "this declaration cites it",
                           help=f"add `footnote {m} \"...\"`")

    def unit(self, d: ast.Duration | None, allowed: tuple[str, ...], what: str, *,
             fractions: bool = False) -> bool:
        if d is not None and not fractions and (d.parts or isinstance(d.amount, Decimal)):
            self.error("P0305", f"{what} is a whole number of one unit", d.span,
                       "a fraction or a compound duration", help="fractions and compounds such as `2.5 business days` "
                       "or `17h30min` may stand in target tables; here write e.g. `20 business days`")
            return False
        if d is None or d.unit in allowed:
            return True
        allowed_words = ", ".join(UNIT_WORDS[u] for u in allowed)
        written = UNIT_WORDS.get(d.unit, d.unit) if d.amount != 1 else UNIT_WORDS[d.unit].removesuffix("s").replace("hours", "hour")
        self.error("P0301", f"{what} cannot be in {UNIT_WORDS[d.unit]}", d.span, f"{d.amount} {written}",
                   help=f"use one of: {allowed_words}")
        return False

    # -- the pass ------------------------------------------------------------
    def run(self) -> list[Diagnostic]:
        programs = self.collect()
        if not programs:
            first = next((getattr(i, "span", None) for i in self.items if getattr(i, "span", None)), None)
            self.error("P0801", "no `program` declaration", first or Span(self.path, 1, 1, 1, 2), "expected `program <id> { ... }`",
                       help="start the file with `program my_program { title \"...\" vendor \"...\" }`")
        for extra in programs[1:]:
            self.error("P0802", "more than one `program` declaration", extra.id.span, "second program",
                       secondary=[Label(programs[0].id.span, "first program")])
        for prog in programs[:1]:
            self.reserved(prog.id, "program", "program")
            if prog.title is None:
                self.missing(prog, "title", "program", 'title "Программа ..."')
            if prog.vendor is None:
                self.missing(prog, "vendor", "program", 'vendor "LANDESK"')
        self.counts()
        self.answers()
        self.calendar_sizes()
        for item in self.items:
            self.check_item(item)
            if type(item) not in _NO_NUMBERS:
                self.limits(item)
        return self.diags

    def check_item(self, item: object) -> None:
        """One declaration: the construct table names its checker (or says it has none)."""
        stage = constructs.of(item).check
        if isinstance(stage, str):
            getattr(self, stage)(item)

    def counts(self) -> None:
        """Declarations beyond MAX_ITEMS of a kind: one error, at the first one too many."""
        for kind, cap in MAX_ITEMS.items():
            names = [n for n, node in self.sym.by_kind[kind].items()
                     if not (kind == "calendar" and getattr(node, "always", False))]
            if len(names) > cap:
                what = "calendars with working hours" if kind == "calendar" else (
                    "priorities" if kind == "priority" else KIND_WORDS[kind] + "s")
                self.error("P0303", f"{len(names)} {what} are more than any contract needs (the limit is {cap})",
                           self.sym.spans[(kind, names[cap])], f"{what} beyond the limit start here",
                           help="a program describes one contract; split unrelated offerings into programs")

    def answers(self) -> None:
        """The evaluator's answers (tier x channel x reported priority or request type, and a request
        with no priority under a `default`; again for each condition of a `reclassify ... when` or a
        conditional target cell) and their target cells, within MAX_ANSWERS and MAX_TARGET_CELLS."""
        by = self.sym.by_kind
        tiers, channels = len(by["tier"]), len(by["channel"])
        defaulted = any(isinstance(i, ast.PrioritiesDecl) and i.default is not None and i.priorities
                        for i in self.items)
        reported = max(len(by["priority"]), 1) + len(by["request"]) + (1 if defaulted else 0)
        reclassify = {r.when.value for r in by["reclassify"].values()
                      if isinstance(r, ast.ReclassifyDecl) and r.when is not None}
        conditions = reclassify | {w.condition.value for t in by["target"].values() if isinstance(t, ast.TargetDecl)
                                   for row in t.rows for c in row.cells for w in c.when}
        answers = tiers * channels * reported * (1 + len(conditions))
        if not answers:
            return
        times = ("" if not conditions else " x 2 (`reclassify ... when`)" if conditions == reclassify
                 else f" x {1 + len(conditions)} (conditions of `reclassify ... when` and of target cells)")
        what = (f"{tiers} tiers x {channels} channels x {reported} "
                + ("priorities and request types" if by["request"] else "priorities")
                + (" (with a request of no priority)" if defaulted else "") + times)
        if answers > MAX_ANSWERS:
            block = next((i for i in self.items if isinstance(i, ast.TiersDecl)), None)
            span = block.span if block is not None else next(iter(self.sym.spans.values()))
            self.error("P0303", f"{what} make {answers:_} answers, more than any contract needs "
                       f"(the limit is {MAX_ANSWERS:_})", span, "the tiers multiply the channels and priorities",
                       help="the generated evaluator holds one answer for each tier, channel and priority: "
                            "split unrelated offerings into programs")
            return
        for k, name in enumerate(by["target"], start=1):
            if answers * k > MAX_TARGET_CELLS:
                self.error("P0303", f"{k} targets for {answers:_} answers ({what}) make {answers * k:_} "
                           f"target cells, more than any contract needs (the limit is {MAX_TARGET_CELLS:_})",
                           self.sym.spans[("target", name)], "targets beyond the limit start here",
                           help="each answer of the generated evaluator carries every target: "
                                "fewer targets, tiers or channels, or split the program")
                return

    def calendar_sizes(self) -> None:
        """Working intervals each calendar bakes (its windows over every day of its years), and
        all calendars together, within MAX_CALENDAR_INTERVALS, MAX_PROGRAM_INTERVALS, MAX_CALENDAR_YEARS."""
        from policy_lang.semantics import production_calendar as pc

        default = (pc.first_data_year(), pc.last_decree_year() + pc.DEFAULT_PROVISIONAL_YEARS)
        total = years_total = 0
        reported_total = reported_years = False
        for name, node in self.sym.by_kind["calendar"].items():
            c = node
            if not isinstance(c, ast.CalendarDecl) or c.always or not c.hours:
                continue
            per_day = [0] * 7
            for h in c.hours:
                for day in range(max(h.first_day, 0), min(h.last_day, 6) + 1):
                    per_day[day] += sum(1 for w in h.windows if w.end > w.start)
            if max(per_day) > MAX_WINDOWS_PER_DAY:
                continue  # reported by check_calendar; its size follows from it
            spans = []
            for n in c.excepts:
                hset = self.sym.by_kind["holidays"].get(n.value)
                o = getattr(hset, "official", None)
                if o is not None:
                    spans.append((o.first_year, o.last_year))
            lo = max((a for a, _ in spans), default=default[0])
            hi = min((b for _, b in spans), default=default[1])
            if not (MIN_DATE.year <= lo <= hi <= MAX_DATE.year):
                continue  # P0703 or P0704 says why
            first, days = dt.date(lo, 1, 1), (dt.date(hi, 12, 31) - dt.date(lo, 1, 1)).days + 1
            weeks, rest = divmod(days, 7)
            start = first.weekday()
            intervals = sum(per_day[d] * (weeks + (1 if (d - start) % 7 < rest else 0)) for d in range(7))
            span = self.sym.spans[("calendar", name)]
            if intervals > MAX_CALENDAR_INTERVALS:
                self.error("P0303", f"calendar `{name}` bakes {intervals:_} working intervals "
                           f"({sum(per_day)} windows a week over {lo}..{hi}), more than any contract needs "
                           f"(the limit is {MAX_CALENDAR_INTERVALS:_})", span, "too many working intervals",
                           help="the generated evaluator bakes every window of every day of the calendar's "
                                "years: merge windows that follow one another, or bake fewer years "
                                "(`official RU years` of its holiday sets)")
                continue
            total += intervals
            years_total += hi - lo + 1
            if years_total > MAX_CALENDAR_YEARS and not reported_years:
                reported_years = True
                self.error("P0303", f"calendars with working hours baked for {years_total} calendar-years "
                           f"together (calendars x their years), more than any contract needs "
                           f"(the limit is {MAX_CALENDAR_YEARS})", span, "calendars beyond the limit start here",
                           help="share one calendar between channels, or bake fewer years")
            elif total > MAX_PROGRAM_INTERVALS and not reported_total:
                reported_total = True
                self.error("P0303", f"the calendars bake {total:_} working intervals together, more than any "
                           f"contract needs (the limit is {MAX_PROGRAM_INTERVALS:_})", span,
                           "calendars beyond the limit start here",
                           help="share one calendar between channels, merge windows, or bake fewer years")

    def limits(self, node: object) -> None:
        """Numbers no contract needs and later stages cannot represent: located errors, not overflow."""
        stack = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, ast.Duration):
                cap = MAX_AMOUNT.get(n.unit, 100_000)
                if n.amount > cap:
                    self.error("P0302", f"{n.amount} {UNIT_WORDS.get(n.unit, n.unit)} is longer than any contract term "
                               f"(the limit is {cap:,})".replace(",", "_"), n.span, "too large")
                continue
            if isinstance(n, ast.Cell) and n.count is not None and n.count > MAX_COUNT:
                self.error("P0302", f"count {n.count} is larger than {MAX_COUNT:_}", n.span, "too large")
            if isinstance(n, ast.TierDecl):
                for v in (n.low, n.high):
                    if v is not None and v > MAX_POINTS:
                        self.error("P0302", f"{v} points is larger than {MAX_POINTS:_}", n.range_span, "too large")
                        break
            if isinstance(n, (tuple, list)):
                stack.extend(n)
            elif not isinstance(n, (ast.Name, Span, str, int, float)) and n is not None:
                for name in ast.child_fields(type(n)):
                    v = getattr(n, name)
                    if v is not None and not isinstance(v, (str, int)):
                        stack.append(v)

    def check_parties(self, d: ast.PartiesDecl) -> None:
        """`plays ROLE`: one of PARTY_ROLES, each played by one party at most."""
        seen: dict[str, ast.Party] = {}
        for p in d.parties:
            if p.plays is None:
                continue
            if p.plays.value not in PARTY_ROLES:
                self.error("P0301", f"a party plays {', '.join(PARTY_ROLES)}, not `{p.plays.value}`", p.plays.span,
                           "unknown role", help="`plays provider` (who owes the services: ИСПОЛНИТЕЛЬ), `plays vendor` "
                           "(the manufacturer), `plays customer`")
            elif p.plays.value in seen:
                self.error("P0202", f"two parties play `{p.plays.value}`", p.plays.span, "second one",
                           secondary=[Label(seen[p.plays.value].span, "first one")],
                           help="one party plays each role; the annex names it by its label")
            else:
                seen[p.plays.value] = p

    def check_holidays(self, h: ast.HolidaysDecl) -> None:
        official_years = None
        if h.official is not None:
            official_years = self._official_years(h.official)
        for item in (*h.dates, *h.working, *h.shortened):
            self._date_item(item)
        if h.official is None and not (h.dates or h.working or h.shortened):
            self.missing(h, "dates", "holiday set", "dates 2026-12-25")
        self._shortened_days(h, official_years)

    def _official_years(self, o: ast.Official) -> list[pc.YearCalendar] | None:
        """Check `official RU years A .. B`; the years' calendars when they are valid."""
        from policy_lang.semantics import production_calendar as pc

        if o.country.value != "RU":
            self.error("P0703", f"no official production calendar for `{o.country.value}`", o.country.span,
                       "unknown country", help="the compiler knows `RU`")
            return None
        first, last_decree = pc.first_data_year(), pc.last_decree_year()
        limit = last_decree + pc.MAX_PROVISIONAL_YEARS
        if not (first <= o.first_year <= o.last_year <= limit):
            why = ("the years run backwards" if o.last_year < o.first_year else
                   f"the packaged data starts in {first}" if o.first_year < first else
                   f"years after {last_decree} are computed by Labour Code art. 112, at most up to {limit}")
            self.error("P0703", f"official calendar years {o.first_year}..{o.last_year} cannot be baked", o.span,
                       why, help=f"state years within {first} .. {limit}",
                       notes=(f"decree data: {first}..{last_decree}{pc.active_origin()}; later years are "
                              f"provisional until their decree is added: {pc.HOW_TO_ADD}",))
            return None
        reason = pc.data_ends_soon(_today())
        if reason is not None:
            self.diags.append(Diagnostic("W0701", reason, Label(o.span, "cited data ends here"),
                                         help=pc.HOW_TO_ADD, notes=(pc.FORMAT_NOTE,), severity="warning"))
        return pc.official_years(o.first_year, o.last_year)

    def _date_item(self, item: ast.DateItem) -> None:
        if item.first is None:
            return
        last = item.last or item.first
        for d in (item.first, last):
            if not (MIN_DATE <= d <= MAX_DATE):
                self.error("P0704", f"date {d.isoformat()} is outside the supported years "
                           f"{MIN_DATE.year}..{MAX_DATE.year}", item.span, "out of range")
                return
        if last < item.first:
            self.error("P0701", "date range ends before it starts", item.span, "empty range")
        elif (last - item.first).days >= MAX_RANGE_DAYS:
            self.error("P0704", f"date range of {(last - item.first).days + 1} days is longer than "
                       f"{MAX_RANGE_DAYS} days", item.span, "too long",
                       help="list each period of days off separately")

    def _shortened_days(self, h: ast.HolidaysDecl, official: list[pc.YearCalendar] | None) -> None:
        """A shortened (pre-holiday) day must be a working day of this set (Labour Code art. 95)."""
        off: set[dt.date] = set()
        on: set[dt.date] = set()
        for y in official or ():
            off |= y.non_working
            on |= y.working_weekends
        for it in h.dates:
            if it.first and it.first <= (it.last or it.first) and ((it.last or it.first) - it.first).days < MAX_RANGE_DAYS:
                off |= {it.first + dt.timedelta(days=k) for k in range(((it.last or it.first) - it.first).days + 1)}
        for it in h.working:
            if it.first and it.first <= (it.last or it.first) and ((it.last or it.first) - it.first).days < MAX_RANGE_DAYS:
                on |= {it.first + dt.timedelta(days=k) for k in range(((it.last or it.first) - it.first).days + 1)}
        for it in h.shortened:
            if not it.first or (it.last or it.first) < it.first or ((it.last or it.first) - it.first).days >= MAX_RANGE_DAYS:
                continue
            for k in range(((it.last or it.first) - it.first).days + 1):
                d = it.first + dt.timedelta(days=k)
                working = d in on or (d.weekday() < 5 and d not in off)
                if not working:
                    what = "a Saturday or Sunday" if d.weekday() >= 5 else "a day off in this holiday set"
                    self.error("P0705", f"shortened day {d.isoformat()} is not a working day: it is {what}",
                               it.span, "cannot be shortened",
                               help="a pre-holiday day is the working day before a holiday; "
                                    "list a transferred working Saturday under `working` first")
                    break

    def check_calendar(self, c: ast.CalendarDecl) -> None:
        if not c.always and not c.hours:
            self.missing(c, "hours", "calendar", "hours mon-fri 08:00-17:00")
        if c.always and c.hours:
            self.error("P0301", "a calendar is either `always` open or has `hours`, not both", c.hours[0].span,
                       "hours on a 24x7 calendar")
        if c.zone is not None:
            try:
                zoneinfo.ZoneInfo(c.zone.value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
                import difflib  # only where a name is suggested: not paid by a clean check
                close = difflib.get_close_matches(c.zone.value, sorted(zoneinfo.available_timezones()), n=1)
                self.error("P0702", f"unknown time zone `{c.zone.value}`", c.zone.span, "not an IANA zone",
                           help=f"maybe you meant `{close[0]}`?" if close else "e.g. `Europe/Moscow`")
        elif c.hours:
            self.missing(c, "zone", "calendar", 'zone "Europe/Moscow"')
        by_day: dict[int, list[ast.Window]] = {}
        for h in c.hours:
            if h.last_day < h.first_day:
                self.error("P0701", "weekday range runs backwards", h.span, "e.g. write `mon-fri`")
            for w in h.windows:
                if w.end <= w.start:
                    self.error("P0701", "working window ends before it starts", w.span, "empty window")
                    continue
                for day in range(h.first_day, h.last_day + 1):
                    by_day.setdefault(day, []).append(w)
        for day, windows in sorted(by_day.items()):
            windows.sort(key=lambda w: w.start)
            if len(windows) > MAX_WINDOWS_PER_DAY:
                self.error("P0303", f"{len(windows)} working windows on {_WEEKDAYS[day]} are more than any "
                           f"contract needs (the limit is {MAX_WINDOWS_PER_DAY})", windows[MAX_WINDOWS_PER_DAY].span,
                           "windows beyond the limit start here",
                           help="a working day has a few windows (e.g. `09:00-13:00, 14:00-18:00`); "
                                "merge windows that follow one another")
                break
            for prev, cur in itertools.pairwise(windows):
                if cur.start < prev.end:
                    self.error("P0701", f"working windows overlap on {_WEEKDAYS[day]}", cur.span,
                               "overlaps another window of the same day", secondary=[Label(prev.span, "this one")],
                               help="merge them into one window, or make them follow one another")
                    break
        ranges = []
        for name in c.excepts:
            if self.resolve(name, "holidays"):
                o = self.sym.get("holidays", name.value, ast.HolidaysDecl).official
                if o is not None:
                    ranges.append((o.first_year, o.last_year, name))
        if ranges and max(r[0] for r in ranges) > min(r[1] for r in ranges):
            later = max(ranges, key=lambda r: r[0])
            self.error("P0703", "the official calendars of these holiday sets share no year", later[2].span,
                       f"covers {later[0]}..{later[1]}",
                       help="state overlapping years in their `official RU years` lines",
                       notes=("a calendar is baked for the years all of its official holiday sets cover",))
        if self.unit(c.shorten, ("minute", "hour"), "pre-holiday shortening") and c.shorten is not None and by_day:
            minutes = c.shorten.amount * (60 if c.shorten.unit == "hour" else 1)
            last_windows = [max(ws, key=lambda w: w.end) for ws in by_day.values()]
            shortest = min(w.end - w.start for w in last_windows)
            if minutes >= shortest:
                self.error("P0301", f"shortening a pre-holiday day by {c.shorten.amount} "
                           f"{UNIT_WORDS[c.shorten.unit]} leaves no working time", c.shorten.span,
                           f"the shortest last window is {shortest} minutes",
                           help="Labour Code art. 95 shortens the day by one hour: `shorten_pre_holiday 1h`")

    def check_channel(self, ch: ast.ChannelDecl) -> None:
        self.resolve(ch.available, "calendar")
        for o in ch.open_with:
            self.resolve(o.calendar, "calendar")
            self.resolve(o.service, "service")
            for n in o.priorities:
                self.resolve(n, "priority")
            if ch.available is None:
                self.error("P0102", "`open ... with` widens the channel's `available` hours, which are missing",
                           o.span, "open instead of what?", help="add `available <calendar>` to the channel")
        if ch.confirm is not None:
            self.resolve(ch.confirm.channel, "channel")

    def check_tiers(self, t: ast.TiersDecl) -> None:
        self.resolve_marks(tuple(m for tier in t.tiers for m in tier.marks), t.span)
        ranged = [x for x in t.tiers if not x.purchased]
        for x in ranged:
            if x.high is not None and x.low is not None and x.low > x.high:
                self.error("P0403", f"point range of `{x.id.value}` is empty", x.range_span,
                           f"{x.low} is above {x.high}")
        ranged = sorted((x for x in ranged if x.high is None or (x.low or 0) <= x.high), key=lambda x: x.low or 0)
        if not ranged:
            return
        if ranged[0].low:
            self.error("P0402", f"no tier for points 0 .. {ranged[0].low - 1}", ranged[0].range_span,
                       "the lowest range starts here", help="the lowest range should start at 0")
        for prev, cur in itertools.pairwise(ranged):
            low, high = (cur.low if cur.low is not None else 0), prev.high
            if high is None or low <= high:
                self.error("P0401", f"points of `{cur.id.value}` overlap `{prev.id.value}`", cur.range_span,
                           "overlapping range", secondary=[Label(prev.range_span, "overlaps this range")])
            elif low > high + 1:
                self.error("P0402", f"no tier for points {high + 1} .. {low - 1}", cur.range_span,
                           "gap before this range", secondary=[Label(prev.range_span, "previous range ends here")])
        last = ranged[-1]
        if last.high is not None:
            self.error("P0402", f"no tier for points above {last.high}", last.range_span, "highest range is closed",
                       help=f"end the highest range open: `{last.low} ..`")

    def check_services(self, s: ast.ServicesDecl) -> None:
        for svc in s.services:
            self.resolve_marks(svc.marks, svc.span)
            self.resolve(svc.grants, "channel")

    def _columns(self, columns: tuple[ast.Name, ...]) -> int:
        """Check a header's tier columns; the number of unknown ones."""
        unknown = 0
        seen: dict[str, Span] = {}
        for col in columns:
            if col.value in seen:
                self.error("P0505", f"column `{col.value}` appears twice", col.span, "repeated column",
                           secondary=[Label(seen[col.value], "first here")])
            seen[col.value] = col.span
            if col.value not in self.sym.by_kind["tier"]:
                unknown += 1
                known = sorted(self.sym.by_kind["tier"])
                import difflib  # only where a name is suggested: not paid by a clean check
                close = difflib.get_close_matches(col.value, known, n=1)
                self.error("P0503", f"unknown tier `{col.value}` in matrix header", col.span, "not a declared tier",
                           help=f"maybe you meant `{close[0]}`?" if close else f"tiers: {', '.join(known) or 'none declared'}")
        return unknown

    def _row_shape(self, row: ast.Row | ast.TargetRow, width: int) -> None:
        if len(row.cells) < width:
            end = row.span
            self.error("P0501", f"row `{row.label.value}` has {len(row.cells)} of {width} cells",
                       Span(end.path, end.end_line, end.end_column, end.end_line, end.end_column + 1),
                       f"missing {width - len(row.cells)} cell(s) here")
        for extra in row.cells[width:]:
            self.error("P0502", f"row `{row.label.value}` has more cells than columns", extra.span, "extra cell")

    def _rows(self, rows: tuple[ast.Row, ...], kind: str, allow: tuple[str, ...] = ()) -> None:
        seen: dict[str, Span] = {}
        for row in rows:
            if row.label.value in seen:
                self.error("P0505", f"row `{row.label.value}` appears twice", row.label.span, "repeated row",
                           secondary=[Label(seen[row.label.value], "first here")])
            seen[row.label.value] = row.label.span
            if row.label.value in allow:
                continue
            if row.label.value not in self.sym.by_kind[kind]:
                known = sorted(self.sym.by_kind[kind]) + list(allow)
                import difflib  # only where a name is suggested: not paid by a clean check
                close = difflib.get_close_matches(row.label.value, known, n=1)
                self.error("P0504", f"unknown {KIND_WORDS[kind]} `{row.label.value}` in matrix", row.label.span,
                           f"not a declared {KIND_WORDS[kind]}",
                           help=f"maybe you meant `{close[0]}`?" if close else f"known: {', '.join(known) or 'none'}")

    def _glued(self, rows: tuple[ast.Row, ...], width: int) -> tuple[tuple[ast.Row, ...], set[int]]:
        """Rows whose label sits on the line of a short previous row: a cell such as `2x` was
        read as `2` and a new row `x`. Report that one cell once, and drop the phantom row."""
        kept: list[ast.Row] = []
        reported: set[int] = set()
        for row in rows:
            prev = kept[-1] if kept else None
            if (prev is not None and len(prev.cells) < width and prev.cells
                    and row.label.span.line == prev.cells[-1].span.end_line):
                last = prev.cells[-1].span
                bad = Span(last.path, last.line, last.column, row.label.span.end_line, row.label.span.end_column)
                self.error("P0901", "this cell is not a value", bad, "not a number, duration, `yes`, `no` or text",
                           help="write the value with its unit, e.g. `2`, `4h`, `2 business days`, or quote it")
                reported.add(id(prev))
                continue
            kept.append(row)
        return tuple(kept), reported

    def check_matrix(self, m: ast.MatrixDecl) -> None:
        self.resolve_marks(m.marks, m.span)
        unknown = self._columns(m.columns)
        rows, reported = self._glued(m.rows, len(m.columns))
        self._rows(rows, "service")
        for row in rows:
            if id(row) not in reported:
                self._row_shape(row, len(m.columns))
            for cell in row.cells:
                for n in cell.names:
                    self.resolve(n, "priority")
                if cell.price is not None and cell.price.per is not None and cell.price.per.value not in PRICE_UNITS:
                    self.error("P0301", f"a price per `{cell.price.per.value}` is not a unit this language prices",
                               cell.price.per.span, "unknown unit", help="per " + ", ".join(PRICE_UNITS))
                if cell.price is not None and cell.price.amount > MAX_PRICE:
                    self.error("P0302", "a price larger than any contract states", cell.span, "too large")
                if cell.duration is not None:
                    self.unit(cell.duration, tuple(UNIT_WORDS), "a matrix cell",
                              fractions=self.sym.by_kind["target"].get("response") is not None
                              and (fs := self.sym.get("target", "response", ast.TargetDecl).from_service) is not None
                              and fs.value == row.label.value)
            # the evaluator answers entitlement(tier, service) from one cell: one row per service
            first = self.service_rows.setdefault(row.label.value, (m.id.value, row.label.span))
            if first[0] != m.id.value:
                self.error("P0505", f"service `{row.label.value}` already has a row in matrix `{first[0]}`",
                           row.label.span, "second row of this service",
                           secondary=[Label(first[1], "first row")],
                           help="keep one row per service across all matrices: the tables would contradict "
                                "each other")
        if unknown:
            return  # a misspelt column is the tier that seems missing: one error, not two
        present = {c.value for c in m.columns}
        for node in self.sym.all("tier", ast.TierDecl):
            if (tier := node.id.value) not in present:
                self.error("P0506", f"matrix `{m.id.value}` has no column for tier `{tier}`", m.id.span,
                           "every tier needs a column", secondary=[Label(node.span, "tier declared here")])

    def check_target(self, t: ast.TargetDecl) -> None:
        """A target table: its calendars, qualifiers, rows, columns and every cell's unit."""
        self.resolve_marks(t.marks, t.span)
        default_ok = t.calendar is not None and self.resolve(t.calendar, "calendar")
        self.resolve(t.counted_from, "event")
        for ch in t.via:
            self.resolve(ch, "channel")
        self._clock(t)
        if t.from_service is not None:
            self._target_from_service(t, default_ok)
            return
        self._columns(t.columns)
        if not t.rows:
            self.error("P0102", f"target `{t.id.value}` has no rows", t.id.span, "a table without rows",
                       help="add a row per priority: `P1  4h  2h`, or `any  4h  2h`")
        tiers = {c.value for c in t.columns}
        labels = {r.label.value for r in t.rows}
        rows_ok = self._target_rows(t)
        # qualifiers: `on CAL for X`, `efforts for X`, `percentile ... for X` name rows or columns
        row_cal: dict[str, str] = {}
        col_cal: dict[str, str] = {}
        for q in t.on_for:
            ok = self.resolve(q.calendar, "calendar")
            for n in q.names:
                if self._qualifier_name(n, tiers, labels) and ok:
                    (col_cal if n.value in tiers else row_cal)[n.value] = q.calendar.value
        for e in t.efforts:
            for n in e.names:
                self._qualifier_name(n, tiers, labels)
        for pc in t.percentiles:
            if not (Decimal(0) < pc.percent <= Decimal(100)):
                shown = f"{pc.percent:f}".rstrip("0").rstrip(".")
                self.error("P0304", f"a percentile of {shown}% is not a share of requests", pc.span,
                           "must be above 0 and at most 100", help="e.g. `percentile 95% per month`")
            if pc.per.value not in PERCENTILE_WINDOWS:
                self.error("P0301", f"a percentile is measured per {', '.join(PERCENTILE_WINDOWS)}, "
                           f"not per `{pc.per.value}`", pc.per.span, "unknown window",
                           help="e.g. `percentile 95% per month`")
            for n in pc.names:
                self._qualifier_name(n, tiers, labels)
        if not rows_ok:
            return
        for row in t.rows:
            self._row_shape(row, len(t.columns))
            for tier, cell in zip(t.columns, row.cells):
                own = None
                if cell.calendar is not None:
                    own = cell.calendar.value if self.resolve(cell.calendar, "calendar") else ""
                self._target_cell(t, cell, own, row_cal.get(row.label.value), col_cal.get(tier.value), default_ok)
                seen: dict[str, Span] = {}
                for w in cell.when:
                    if self.resolve(w.condition, "condition") and w.condition.value in seen:
                        self.error("P0101", f"the cell states `when {w.condition.value}` twice", w.condition.span,
                                   "stated again here", secondary=[Label(seen[w.condition.value], "first here")],
                                   help="keep one value for the cell while the condition holds")
                    seen.setdefault(w.condition.value, w.condition.span)
                    alt = own
                    if w.cell.calendar is not None:
                        alt = w.cell.calendar.value if self.resolve(w.cell.calendar, "calendar") else ""
                    self._target_cell(t, w.cell, alt, row_cal.get(row.label.value), col_cal.get(tier.value),
                                      default_ok)

    def _target_cell(self, t: ast.TargetDecl, cell: ast.TargetCell, own: str | None, row: str | None,
                     column: str | None, default_ok: bool) -> None:
        """One cell (or the alternative of a `when`): the calendar it counts on, and its term there.
        `own`: the cell's own `on` ("" when it names no calendar)."""
        cals = self.sym.by_kind["calendar"]
        name = cell_calendar(own, row, column, t.calendar.value if default_ok and t.calendar is not None else None)
        term = cell.term
        if isinstance(term, (ast.TermBad, ast.TermNone, ast.TermWords)) or (
                isinstance(term, ast.TermStrict) and not isinstance(term.inner, ast.TermDuration)):
            self._target_term(cell, None, "", t.is_response)  # counted on no calendar: its shape only
            return
        if name is None:
            if t.calendar is not None and not default_ok:
                return  # the table's calendar is undefined: P0201 said so
            self.error("P0102", "a target cell needs a calendar to be counted on", cell.span,
                       "counted on which calendar?",
                       help=f"add `on <calendar>` after `target {t.id.value} \"...\"`, "
                            "or after this cell")
            return
        if name in cals:
            self._target_term(cell, cals[name], name, t.is_response)

    def _clock(self, t: ast.TargetDecl) -> None:
        """`pause while` statuses, `stop on` / `restart on` / `repeats after` events (`update` is built
        in for `repeats after`): declared, each once, a restart or a recurrence with a stop (P1201-P1203)."""
        by_kind = self._clock_names(t.clock, f"target `{t.id.value}`")
        stop = by_kind.get("stop")
        verbs = _CLOCK_FIELDS
        for kind, code, what, example in (
                ("restart", "P1201", "restarts a clock that nothing stops", "the event that stops the clock"),
                ("repeats", "P1203", "recurs with no event to end it", "the event that ends the recurrence")):
            field = by_kind.get(kind)
            if field is not None and stop is None:
                self.error(code, f"target `{t.id.value}` {what}: `{verbs[kind]}` without `stop on`", field.span,
                           f"no `stop on` in target `{t.id.value}`",
                           help=f"add {example}, e.g. `stop on solution_proposed`")

    def _obligation_clock(self, o: ast.ObligationDecl) -> None:
        """An obligation's `pause while` statuses and `stop on` events (the target clock fields'
        rules, P0201/P0203/P1202): its term counted from an event, which does not also fulfil it
        (P1202); a notice counted back from a period's end has no clock (P1206)."""
        if not o.clock:
            return
        by_kind = self._clock_names(o.clock, f"obligation `{o.id.value}`")
        if o.within is None:
            f = o.clock[0]
            self.error("P1206", f"obligation `{o.id.value}` has no term counted from an event for "
                       f"`{_CLOCK_FIELDS[f.kind]}` to act on", f.span, "a clock rule of a term that does not run",
                       help="`pause while` and `stop on` apply to `from EVENT` + `within ...`; a notice "
                            "`at_least ... before` a period's end is counted back from a date, not run over a ticket")
            return
        stop = by_kind.get("stop")
        start = o.from_event
        if stop is not None and start is not None:
            for n in stop.names:
                if n.value == start.value:
                    self.error("P1202", f"`{n.value}` both starts and fulfils obligation `{o.id.value}`", n.span,
                               "stops the term it starts", secondary=[Label(start.span, "the term starts here")],
                               help="stop it on the event that fulfils the obligation, e.g. `stop on "
                                    "replacement_shipped`")

    def _clock_names(self, clock: tuple[ast.ClockField, ...], owner: str) -> dict[str, ast.ClockField]:
        """The statuses and events of clock fields resolved (P0201/P0203), each listed once (P1202);
        the fields by kind."""
        by_kind = {f.kind: f for f in clock}
        seen: dict[str, tuple[str, Span]] = {}
        verbs = _CLOCK_FIELDS
        for f in clock:
            for n in f.names:
                ok = (self.resolve(n, "status") if f.kind == "pause" else
                      self.resolve(n, "event", allow=("update",) if f.kind == "repeats" else ()))
                if not ok:
                    continue
                if n.value in seen:
                    first_kind, first = seen[n.value]
                    what = (f"`{n.value}` is listed twice in `{verbs[f.kind]}`" if first_kind == f.kind else
                            f"`{n.value}` both {_CLOCK_VERBS[first_kind]} and {_CLOCK_VERBS[f.kind]} {owner}")
                    self.error("P1202", what, n.span, "stated again here", secondary=[Label(first, "first here")],
                               help="list each status once" if f.kind == "pause" else
                               "an event does one thing to a target's clock: it stops it, restarts it after a "
                               "stop, or closes a cycle of a recurring target; list each event once")
                    continue
                seen[n.value] = (f.kind, n.span)
        return by_kind

    def _glued_to(self, prev: ast.TargetRow, row: ast.TargetRow) -> bool:
        """`P1  4hrs  2h`: the lexer reads `4` as the last cell of one row and `hrs` as the label of
        the next. A label that touches a bare number is that word, not a row: P0901 at it."""
        last = prev.cells[-1] if prev.cells else None
        if last is None or not isinstance(last.term, ast.TermBad) or last.term.text is None \
                or not last.term.text[:1].isdigit():
            return False
        s, lab = last.term.span, row.label.span
        if (s.end_line, s.end_column) != (lab.line, lab.column):
            return False
        from policy_lang.diagnostics import glued_duration

        self.diags.append(glued_duration(last.term.text, row.label.value,
                                         Span(s.path, s.line, s.column, lab.end_line, lab.end_column)))
        return True

    def _target_rows(self, t: ast.TargetDecl) -> bool:
        """Rows name priorities or request types (or `any`); duplicates and strays are errors."""
        seen: dict[str, Span] = {}
        ok = True
        for prev, row in zip((None, *t.rows), t.rows):
            if prev is not None and self._glued_to(prev, row):
                ok = False
                continue
            v = row.label.value
            if v in seen:
                self.error("P0505", f"row `{v}` appears twice", row.label.span, "repeated row",
                           secondary=[Label(seen[v], "first here")])
                ok = False
            seen[v] = row.label.span
            if v == "any" or v in self.sym.by_kind["priority"] or v in self.sym.by_kind["request"]:
                continue
            known = sorted(self.sym.by_kind["priority"]) + sorted(self.sym.by_kind["request"]) + ["any"]
            import difflib  # only where a name is suggested: not paid by a clean check
            close = difflib.get_close_matches(v, known, n=1)
            self.error("P0504", f"unknown priority or request type `{shown_id(v)}` in target `{t.id.value}`",
                       row.label.span, "not a declared priority or request type",
                       help=self.looks_like(v, ("priority", "request"))
                       or (f"maybe you meant `{close[0]}`?" if close else f"known: {', '.join(known)}"))
            ok = False
        return ok

    def _qualifier_name(self, n: ast.Name, tiers: set[str], labels: set[str]) -> bool:
        if n.value in tiers or n.value in labels:
            if n.value in tiers and n.value in labels:
                self.error("P0203", f"`{n.value}` is both a column (tier) and a row of this table", n.span,
                           "ambiguous", help="rename the tier or the priority")
                return False
            return True
        known = sorted(labels) + sorted(tiers)
        import difflib  # only where a name is suggested: not paid by a clean check
        close = difflib.get_close_matches(n.value, known, n=1)
        self.error("P0504", f"`{n.value}` is neither a row nor a column of this table", n.span,
                   "not in the table", help=f"maybe you meant `{close[0]}`?" if close else
                   f"rows and columns: {', '.join(known) or 'none'}")
        return False

    def _target_term(self, cell: ast.TargetCell, cal: object, name: str, response: bool = False) -> None:
        """The cell's unit must have one reading on its calendar."""
        always = bool(getattr(cal, "always", False))
        term = cell.term
        if isinstance(term, ast.TermWords):
            if not term.text.strip():
                self.error("P0901", "a target cell of words is empty", term.span, "no words",
                           help='write what the contract says, e.g. `"по согласованию сторон"`, or `-` when it '
                                "says nothing")
            return
        if isinstance(term, ast.TermStrict):
            if not isinstance(term.inner, ast.TermDuration):
                self.error("P0901", "a strict bound `<` stands before a duration", term.span, "not a duration",
                           help="write e.g. `< 4h` (less than 4 hours)")
                return
            term = term.inner
        if isinstance(term, ast.TermBad):
            self.error("P0901", "a target cell must be a duration, `next business day` or `-`", term.span,
                       "not a term", help="write the time with its unit: `30min`, `2h`, `3 business days`")
            return
        if isinstance(term, ast.TermDuration) and response and term.duration.unit == "month":
            # "within one week" is a response time some SLAs give (PromoTron Basic); a month is not
            self.error("P0301", f"a response time cannot be in {UNIT_WORDS[term.duration.unit]}", term.duration.span,
                       "too coarse for a response", help="use minutes, hours, (business) days or weeks")
            return
        if isinstance(term, ast.TermDuration):
            d = term.duration
            if d.parts and not all(u in ("hour", "minute", "business_hour", "business_minute") for _, u in d.parts):
                self.error("P0305", "a compound duration sums hours and minutes only", d.span,
                           "cannot be summed", help="write days and hours as two targets, or in hours: `36h`")
                return
            if d.parts and any(isinstance(a, Decimal) for a, _ in d.parts):
                self.error("P0305", "a compound duration has whole parts", d.span, "fraction in a compound",
                           help="write `2h30min` or `2.5h`")
                return
            allowed = TARGET_UNITS_ALWAYS if always else TARGET_UNITS_HOURS
            if d.unit.startswith("business_") and always:
                self.error("P0301", f"{UNIT_WORDS.get(d.unit, d.unit)} on the 24x7 calendar `{name}`", d.span,
                           "this calendar has no business time",
                           help="use hours or days, or count the cell on a calendar with `hours`")
                return
            if not self.unit(d, allowed, "a target", fractions=True):
                return
            if isinstance(d.amount, Decimal) and d.unit in ("day", "calendar_day", "week", "month"):
                self.error("P0305", f"a fraction of {UNIT_WORDS[d.unit]} has no single reading", d.span,
                           "calendar days are counted whole", help="write hours (`36h`) or whole days")
            elif isinstance(d.amount, Decimal) and d.unit == "business_day":
                lengths = {sum(w.end - w.start for w in h.windows) for h in getattr(cal, "hours", ())}
                if len(lengths) > 1:
                    self.error("P0305", f"a fraction of a business day on `{name}`, whose working days differ "
                               "in length", d.span, "how long is half a day?",
                               help="state the target in business hours, e.g. `20 business hours`")
        elif isinstance(term, ast.TermNextDay) and term.cutoff is not None and not (0 < term.cutoff < 1440):
            self.error("P0701", "a cut-off time must fall inside the day", term.span, "e.g. `after 15:00`")

    def _target_from_service(self, t: ast.TargetDecl, default_ok: bool) -> None:
        r = t
        if r.from_service is None:
            return
        always = default_ok and r.calendar is not None and self.sym.get("calendar", r.calendar.value, ast.CalendarDecl).always
        allowed = ("minute", "hour", "day") if always else ("minute", "hour", "business_hour")
        if self.resolve(r.from_service, "service") and self.matrix_row(r.from_service.value) is None:
            self.error("P0507", f"no matrix has a row `{r.from_service.value}` to take response times from",
                       r.from_service.span, "no such matrix row",
                       help=f"add a row `{r.from_service.value} <time per tier>` to a matrix")
        elif self.sym.by_kind["service"].get(r.from_service.value) is not None:
            for m in self.sym.all("matrix", ast.MatrixDecl):
                for row in m.rows:
                    if row.label.value == r.from_service.value:
                        for cell in row.cells:
                            if cell.kind != "duration":
                                self.error("P0901", "a response time must be a duration", cell.span,
                                           f"`{r.from_service.value}` row feeds the response times")
                            else:
                                self.unit(cell.duration, allowed, "a response time", fractions=True)

    def check_agreed(self, a: ast.AgreedDecl) -> None:
        if a.text is None:
            self.missing(a, "text", "agreed term", 'text "срок исчисляется по московскому времени"')

    def check_performance(self, p: ast.PerformanceDecl) -> None:
        self.resolve(p.provider, "party")
        self.resolve(p.through, "party")
        if p.precedence is not None and p.precedence.value not in ("annex", "contract"):
            self.error("P0301", f"`precedence {p.precedence.value}`: the annex or the contract prevails",
                       p.precedence.span, "expected `annex` or `contract`",
                       help="`precedence contract`: on a conflict the Contract prevails over this annex")

    def check_requests(self, r: ast.RequestsDecl) -> None:
        for req in r.requests:
            self.resolve(req.priority, "priority")

    def check_priorities(self, p: ast.PrioritiesDecl) -> None:
        for pr in p.priorities:
            for ch in pr.report_via:
                self.resolve(ch, "channel")
        declared = [pr.id.value for pr in p.priorities]
        if p.default is not None and p.default.value not in declared:
            import difflib  # only where a name is suggested: not paid by a clean check
            close = difflib.get_close_matches(p.default.value, declared, n=1)
            self.error("P1204", f"`default {shown_id(p.default.value)}`: no such priority in this block",
                       p.default.span, "not a declared priority",
                       help=f"maybe you meant `{close[0]}`?" if close else
                       f"name one of: {', '.join(declared) or 'none declared'}")
        if p.on_change is not None and p.on_change.value not in PRIORITY_CHANGE_RULES:
            self.error("P1204", f"`on change {p.on_change.value}`: a priority change either recounts, keeps or "
                       "restarts the running clocks", p.on_change.span,
                       "expected " + ", ".join(f"`{w}`" for w in PRIORITY_CHANGE_RULES),
                       help="`recount` (the default): from the registration, at the new priority's value; `keep`: "
                            "the time elapsed counts against the new value; `restart`: the new value in full "
                            "from the change")

    def check_condition(self, c: ast.ConditionDecl) -> None:
        """`when escalated via <channel>`; a condition cannot depend on a condition (P1205)."""
        self.resolve(c.escalated_via, "channel")
        n = c.depends_on
        if n is None:
            return
        if n.value in self.sym.by_kind["condition"]:
            whom = "itself" if n.value == c.id.value else f"condition `{n.value}`"
            self.error("P1205", f"condition `{c.id.value}` depends on {whom}: conditions cannot depend on "
                       "conditions", n.span, "a condition here",
                       secondary=[] if n.value == c.id.value else [Label(self.sym.spans[("condition", n.value)],
                                                                         "condition declared here")],
                       help="a condition holds `when escalated via <channel>`, or is stated by the query "
                            f"(`response(..., {c.id.value}=True)`)")
            return
        self.resolve(n, "condition")

    def check_reclassify(self, r: ast.ReclassifyDecl) -> None:
        for ch in r.unless_via:
            self.resolve(ch, "channel")
        self.resolve(r.when, "condition")
        if r.becomes is None:
            self.missing(r, "becomes", "reclassification", "becomes P3")
        self.resolve(r.becomes, "priority")
        self.resolve(r.may_lower, "priority")

    def check_obligation(self, o: ast.ObligationDecl) -> None:
        self.resolve_marks(o.marks, o.span)
        self.resolve(o.by, "party", allow=("either",))
        self.resolve(o.from_event, "event")
        self.resolve(o.when, "condition")
        self._obligation_clock(o)
        if o.within is None and o.before is None:
            self.missing(o, "within", "obligation", "within 20 business days on ru_business_days")
        if o.within is not None and o.before is not None:
            self.error("P0101", "an obligation states its term once: `within ...` or `at_least ... before ...`, "
                       "not both", o.before.span, "second term",
                       secondary=[Label(o.within.span, "first term")],
                       help="split it into two obligations, one per term")
        if o.within is not None:
            w = o.within
            if w.duration.unit in ("business_day", "business_hour"):
                if w.calendar is None:
                    self.error("P0102", f"{UNIT_WORDS[w.duration.unit]} need a calendar", w.duration.span,
                               "counted on which calendar?", help="add `on <calendar>`")
                elif self.resolve(w.calendar, "calendar") and self.sym.get("calendar", w.calendar.value, ast.CalendarDecl).always:
                    self.error("P0301", f"{UNIT_WORDS[w.duration.unit]} on a 24x7 calendar", w.calendar.span,
                               "this calendar has no business time", help="use days/hours, or a calendar with `hours`")
            else:
                self.resolve(w.calendar, "calendar")
            if o.from_event is None:
                self.missing(o, "from", "obligation", "from faulty_part_received")
        if o.before is not None:
            self.unit(o.before.duration, CALENDAR_UNITS, "a notice period")
            self.resolve(o.before.period, "period")

    def check_period(self, p: ast.PeriodDecl) -> None:
        self.resolve(p.starts, "event")
        if p.length is None:
            self.missing(p, "length", "period", "length 1 year")
        for d in (p.length, p.renews, *p.options):
            self.unit(d, CALENDAR_UNITS, "a period")

    def check_vouchers(self, v: ast.VouchersDecl) -> None:
        self.resolve_marks(v.marks, v.span)
        self.resolve(v.valid_from, "event")
        self.resolve(v.expires_with, "period")
        self.unit(v.expires_after, CALENDAR_UNITS, "a voucher validity")
        self.unit(v.reissued, CALENDAR_UNITS, "a re-issue interval")
        if v.count_from is None:
            self.missing(v, "count from", "vouchers", "count from ilo_training")
        elif self.resolve(v.count_from, "service") and self.matrix_row(v.count_from.value) is None:
            self.error("P0507", f"no matrix has a row `{v.count_from.value}` to count vouchers from",
                       v.count_from.span, "no such matrix row",
                       help=f"add a row `{v.count_from.value} <count per tier>` to a matrix")
        elif self.sym.by_kind["service"].get(v.count_from.value) is not None:
            for m in self.sym.all("matrix", ast.MatrixDecl):
                for row in m.rows:
                    if row.label.value == v.count_from.value:
                        for cell in row.cells:
                            if cell.kind not in ("count", "no"):
                                what = "a duration" if cell.kind == "duration" else f"`{cell.kind}`"
                                self.error("P0301", f"{what} where a voucher count is expected", cell.span,
                                           "not a count", help="write the number of vouchers, e.g. `2`")

    def check_clause(self, c: ast.ClauseDecl) -> None:
        self.resolve_marks(c.marks, c.span)
        for t in c.applies_tiers:
            self.resolve(t, "tier")
        for p in c.applies_priorities:
            self.resolve(p, "priority")
        if c.text is None and not c.items:
            self.missing(c, "text", "clause", 'text "..."')

    def check_warranty(self, w: ast.WarrantyDecl) -> None:
        if w.length is None:
            self.missing(w, "length", "warranty", "length 1 year")
        self.unit(w.length, CALENDAR_UNITS, "a warranty")
        self.resolve(w.from_event, "event")

    def check_rma(self, r: ast.RmaDecl) -> None:
        if r.during is None:
            self.missing(r, "during", "RMA rule", "during hardware")
        self.resolve(r.during, "warranty")
        self.resolve(r.or_with, "condition")

    def check_rule(self, r: ast.RuleDecl) -> None:
        self._expr(r.expr)

    def _expr(self, e: object) -> None:
        if isinstance(e, (ast.MaxOf, ast.MinOf)):
            for a in e.args:
                self._expr(a)
        elif isinstance(e, ast.Remaining):
            if self.resolve(e.warranty, "warranty"):
                w = self.sym.get("warranty", e.warranty.value, ast.WarrantyDecl)
                if w.from_event is None:
                    self.error("P0102", f"`remaining {e.warranty.value}` needs the warranty's start: "
                               f"warranty `{e.warranty.value}` has no `from`", e.warranty.span,
                               "counted from when?",
                               secondary=[Label(w.id.span, "warranty declared here")],
                               help="add `from delivery` (an event) to the warranty")
        elif isinstance(e, ast.Duration):
            self.unit(e, CALENDAR_UNITS, "a rule term")

    def check_incidents(self, i: ast.IncidentsDecl) -> None:
        self.resolve_marks(i.marks, i.span)
        for tier in i.tiers:
            self.resolve(tier, "tier")
        seen: dict[str, ast.Name] = {}
        for kind, _when in i.not_deducted:
            if kind.value in seen:
                self.error("P0202", f"incident kind `{kind.value}` is declared twice", kind.span,
                           "declared again here", secondary=[Label(seen[kind.value].span, "first declared here")],
                           help="name each kind of incident that is not deducted once")
            seen.setdefault(kind.value, kind)

    def check_reinstatement(self, r: ast.ReinstatementDecl) -> None:
        if r.pays is None:
            self.missing(r, "pays", "reinstatement", "pays lapsed + 1 year")
        self.unit(r.pays, CALENDAR_UNITS, "a reinstatement period")


def check(items: list[object], path: str = "<input>") -> tuple[list[Diagnostic], Symbols]:
    """All semantic diagnostics of a program's declarations; `path` locates file-level problems."""
    checker = Checker(items, path)
    diags = checker.run()
    diags.sort(key=lambda d: (d.span.path, d.span.line, d.span.column, d.code))
    return diags, checker.sym


constructs.verify("check", Checker)
