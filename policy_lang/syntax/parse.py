"""Parse policy text into the AST; Lark errors become located diagnostics."""
from __future__ import annotations

import datetime as dt
import gc
import re
import textwrap
from decimal import Decimal
from typing import Any, TypeVar

from policy_lang.diagnostics import Diagnostic, Label, Span, glued_duration
from policy_lang.syntax import ast
from policy_lang.syntax._lark_parser import (  # Lark's classes, from the generated parser (see grammar.py)
    Meta,
    Token,
    Transformer,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    v_args,
)
from policy_lang.syntax.grammar import parser

_T = TypeVar("_T")

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_UNITS = [
    (r"business\s+hours?|bh", "business_hour"),
    (r"business\s+days?|bd", "business_day"),
    (r"calendar\s+days?", "calendar_day"),
    (r"minutes?|min", "minute"),
    (r"hours?|h", "hour"),
    (r"days?|d", "day"),
    (r"weeks?", "week"),
    (r"months?", "month"),
    (r"years?|y", "year"),
]
_DURATION = re.compile(r"([0-9_]+(?:\.[0-9]+)?)\s*(.*)", re.S)
_PART = re.compile(r"([0-9_]+(?:\.[0-9]+)?)[ \t]*([A-Za-z]+(?:[ \t]+[A-Za-z]+)?)")
#: The unit words of the part of a compound after the first: `17h30min`.
_COMPOUND_SPLIT = re.compile(r"(?<=[A-Za-z])(?=[0-9])")
#: The longest number a policy may write (digits). Every limit of the checker is far below it,
#: and Python refuses to convert numbers of more than 4300 digits at all.
MAX_DIGITS = 15
_TOO_LARGE: int = 10 ** MAX_DIGITS  # what an over-long number stands for after its P0302
#: The longest run of digits in a clause reference or footnote mark: `§ 2.6 (4)`, `(12)`.
MAX_REF_DIGITS = 6
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}

#: Human names of terminals for "expected ..." messages.
_TERMINAL_NAMES = {
    "NAME": "a name", "INT": "a number", "DATE": "a date (YYYY-MM-DD)", "TIME": "a time (HH:MM)",
    "RATIO": "a ratio (1:10)", "DURATION": "a duration (e.g. `2h`, `20 business days`)",
    "PRICE": "a price (e.g. `1_500 RUB`)", "PERCENT": "a percentage (e.g. `95%`)",
    "CLAUSE": "a clause number (e.g. `2.6 (4)`)", "MARK": "a mark (e.g. `(1)`, `(iv)`, `(a)`, `*`)",
    "WEEKDAY": "a weekday (`mon`..`sun`)", "HEADER": "a header row (`service ...` or `priority ...`)",
    "STRING": "a string", "LONG_STRING": 'a """long string"""', "$END": "end of file",
}


def unescape(raw: str) -> str:
    body = raw[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def long_string(raw: str) -> str:
    """A triple-quoted string: dedented; wrapped lines join with a space, a blank line starts a paragraph."""
    body = raw[3:-3]
    lines = body.split("\n")
    first, rest = lines[0].strip(), textwrap.dedent("\n".join(lines[1:]))
    text = (first + "\n" + rest) if first else rest
    paragraphs = re.split(r"\n[ \t]*\n", text.strip())
    return "\n\n".join(" ".join(line.strip() for line in p.split("\n") if line.strip()) for p in paragraphs)


def duration_parts(text: str) -> list[tuple[str, str]]:
    """`17h30min` -> [("17", "hour"), ("30", "minute")]; `2.5 business days` -> [("2.5", "business_day")]."""
    out = []
    for chunk in _COMPOUND_SPLIT.split(text.strip()):
        m = _DURATION.match(chunk)
        assert m is not None
        word = " ".join(m.group(2).split())
        for pattern, unit in _UNITS:
            if re.fullmatch(pattern, word):
                out.append((m.group(1), unit))
                break
        else:
            raise ValueError(word)  # unreachable: the DURATION terminal admits only these words
    return out


#: Compound durations sum into their smallest unit; these are the units that may be summed.
_COMPOUND_MINUTES = {"hour": 60, "minute": 1, "business_hour": 60, "business_minute": 1}
#: A target's clock fields (`pause while`, `stop on`, `restart on`, `repeats after`): one of each.
_CLOCK_FIELDS = ("pause while", "stop on", "restart on", "repeats after")


class _RowLabel:
    """A row id of a target table before the rows are regrouped by the header's width (parse-internal)."""

    __slots__ = ("name",)

    def __init__(self, name: ast.Name) -> None:
        self.name = name


@v_args(meta=True)
class ToAst(Transformer[Token, ast.PolicyFile]):
    """Parse tree -> `ast` nodes. Field duplicates become diagnostics, not exceptions.

    A Lark `Transformer`: each rule's method takes `(meta, children)` (`v_args(meta=True)`);
    tokens pass through unchanged.
    """

    def __init__(self, path: str):
        super().__init__(visit_tokens=False)
        self.path = path
        self.diagnostics: list[Diagnostic] = []

    # -- helpers -------------------------------------------------------------
    def sp(self, meta: Meta) -> Span:
        return Span.from_meta(meta, self.path)

    def tsp(self, tok: Token) -> Span:
        return Span.from_token(tok, self.path)

    def name(self, tok: Token) -> ast.Name:
        return ast.Name(str(tok), self.tsp(tok))

    def fields(self, children: list[Any], kind: str) -> dict[str, Any]:
        """The fields among `children` by name; their values are whatever the rule methods built."""
        out: dict[str, Any] = {}
        for ch in children:
            if isinstance(ch, ast.Field):
                if ch.name in ("open", "not_deducted"):
                    continue  # repeatable: collected by the channel / the incident accounting
                if ch.name in out and ch.name not in ("hours", "date_items"):
                    self.diagnostics.append(Diagnostic(
                        "P0101", f"duplicate field `{ch.name}` in {kind}",
                        Label(ch.span, "stated again here"), help="keep one of them"))
                    continue
                if ch.name == "hours":
                    out.setdefault("hours", [])
                    out["hours"].append(ch.value)
                else:
                    out[ch.name] = ch.value
        return out

    @staticmethod
    def pick(children: list[Any], cls: type[_T]) -> _T | None:
        for ch in children:
            if isinstance(ch, cls):
                return ch
        return None

    @staticmethod
    def marks_of(children: list[Any]) -> tuple[str, ...]:
        for ch in children:
            if isinstance(ch, tuple) and ch and ch[0] == "__marks__":
                marks: tuple[str, ...] = ch[1]
                return marks
        return ()

    def head(self, children: list[Any]) -> tuple[ast.Name, ast.Text]:
        return self.name(children[0]), children[1]

    def field(self, name: str, meta: Meta, value: object) -> ast.Field:
        return ast.Field(name, value, self.sp(meta))

    def number(self, digits: str, tok: Token) -> int:
        """An integer literal; one of absurd length is a located P0302, not an exception."""
        digits = digits.replace("_", "").lstrip("0") or "0"
        if len(digits) > MAX_DIGITS:
            self.diagnostics.append(Diagnostic(
                "P0302", f"a number of {len(digits)} digits is larger than any contract needs",
                Label(self.tsp(tok), "too large"), help="write the real amount"))
            return _TOO_LARGE
        return int(digits)

    def one_line(self, tok: Token) -> ast.Text:
        """A title-like string (the words after an id, a zone, a label): one line of text."""
        text = ast.Text(unescape(str(tok)), self.tsp(tok))
        if "\n" in text.value:
            self._line_break(text.span, str(tok))
        return text

    def _line_break(self, span: Span, raw: str | None = None) -> None:
        line, col, end, label = span.line, span.column, span.column + 1, "this text breaks the line"
        if raw is not None:
            for m in re.finditer(r"\\(.)", raw):
                if m.group(1) == "n":
                    col += m.start()
                    end, label = col + 2, "`\\n` here"
                    break
        self.diagnostics.append(Diagnostic(
            "P0006", "a line break in a one-line text", Label(Span(self.path, line, col, line, end), label),
            help="titles, names and labels are printed on one line (headings, table headers, the footer): "
                 "remove the `\\n`; line breaks belong in texts such as `text`, `note` or a table cell"))

    def ref_digits(self, value: str, span: Span) -> None:
        """Clause numbers and marks are sorted as numbers in the annex: keep them short."""
        if any(len(run) > MAX_REF_DIGITS for run in re.findall(r"[0-9]+", value)):
            self.diagnostics.append(Diagnostic(
                "P0302", f"a clause number or mark with more than {MAX_REF_DIGITS} digits",
                Label(span, "too long"), help="cite the clause as the contract numbers it, e.g. `§ 2.6 (4)`"))

    # -- shared pieces -------------------------------------------------------
    def start(self, meta: Meta, children: list[Any]) -> ast.PolicyFile:
        return ast.PolicyFile(self.path, tuple(children), self.sp(meta))

    def ref(self, meta: Meta, children: list[Any]) -> ast.Ref:
        tok = children[0]
        value = self.one_line(tok).value if tok.type == "STRING" else " ".join(str(tok).split())
        self.ref_digits(value, self.tsp(tok))
        return ast.Ref(value, self.tsp(tok))

    def text(self, meta: Meta, children: list[Any]) -> ast.Text:
        parts = [unescape(str(t)) if t.type == "STRING" else long_string(str(t)) for t in children]
        return ast.Text("".join(parts), self.sp(meta))

    def title(self, meta: Meta, children: list[Any]) -> ast.Text:
        return self.one_line(children[0])

    def names(self, meta: Meta, children: list[Any]) -> tuple[ast.Name, ...]:
        return tuple(self.name(t) for t in children)

    def pid(self, meta: Meta, children: list[Any]) -> ast.Name:
        """A priority id: `P1`, `critical`, or quoted, `"1"`."""
        tok = children[0]
        if tok.type == "STRING":
            return ast.Name(self.one_line(tok).value, self.tsp(tok))
        return self.name(tok)

    def pnames(self, meta: Meta, children: list[Any]) -> tuple[ast.Name, ...]:
        return tuple(children)

    def marks(self, meta: Meta, children: list[Any]) -> tuple[str, tuple[str, ...]]:
        return ("__marks__", tuple(self.mark(t) for t in children))

    def mark(self, tok: Token) -> str:
        self.ref_digits(str(tok), self.tsp(tok))
        return str(tok)

    def include(self, meta: Meta, children: list[Any]) -> ast.Include:
        return ast.Include(self.one_line(children[0]), self.sp(meta))

    # -- program -------------------------------------------------------------
    def program(self, meta: Meta, children: list[Any]) -> ast.ProgramDecl:
        f = self.fields(children[1:], "program")
        return ast.ProgramDecl(self.name(children[0]), f.get("title"), f.get("vendor"),
                               f.get("edition"), f.get("source"), self.sp(meta))

    def program_title(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("title", meta, self.single(ch[0]))

    def vendor(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("vendor", meta, self.single(ch[0]))

    def edition(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("edition", meta, self.single(ch[0]))

    def single(self, text: ast.Text) -> ast.Text:
        """The program's title, vendor and edition head every page of the annex: one line."""
        if "\n" in text.value:
            self._line_break(text.span)
        return text

    def source(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("source", meta, ch[0])

    def parties(self, meta: Meta, children: list[Any]) -> ast.PartiesDecl:
        return ast.PartiesDecl(self.pick(children, ast.Ref),
                               tuple(c for c in children if isinstance(c, ast.Party)), self.sp(meta))

    def party(self, meta: Meta, ch: list[Any]) -> ast.Party:
        plays = ch[3] if len(ch) > 3 else None
        return ast.Party(self.name(ch[0]), self.one_line(ch[1]), ch[2], plays, self.sp(meta))

    def plays(self, meta: Meta, ch: list[Any]) -> ast.Name:
        return self.name(ch[0])

    # -- calendars -----------------------------------------------------------
    def holidays(self, meta: Meta, children: list[Any]) -> ast.HolidaysDecl:
        ident, title = self.head(children)
        f = self.fields(children[2:], "holidays")
        return ast.HolidaysDecl(ident, title, self.pick(children, ast.Ref), f.get("official"),
                                tuple(f.get("dates", ())), tuple(f.get("working", ())),
                                tuple(f.get("shortened", ())), f.get("source"), self.sp(meta))

    def official(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("official", meta, ast.Official(
            self.name(ch[0]), self.number(str(ch[1]), ch[1]), self.number(str(ch[2]), ch[2]), self.sp(meta)))

    def dates(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("dates", meta, ch[0])

    def working(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("working", meta, ch[0])

    def shortened(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("shortened", meta, ch[0])

    def date_list(self, meta: Meta, ch: list[Any]) -> tuple[ast.DateItem, ...]:
        return tuple(ch)

    def date_item(self, meta: Meta, ch: list[Any]) -> ast.DateItem:
        dates = [t for t in ch if t.type == "DATE"]
        label = next((self.one_line(t).value for t in ch if t.type == "STRING"), None)
        first = self.date(dates[0])
        last = self.date(dates[1]) if len(dates) > 1 else None
        return ast.DateItem(first, last, label, self.sp(meta))

    def date(self, tok: Token) -> dt.date | None:
        try:
            return dt.date.fromisoformat(str(tok))
        except ValueError:
            self.diagnostics.append(Diagnostic("P0701", f"`{tok}` is not a date", Label(self.tsp(tok), "no such day")))
            return None

    def calendar(self, meta: Meta, children: list[Any]) -> ast.CalendarDecl:
        ident, title = self.head(children)
        f = self.fields(children[2:], "calendar")
        return ast.CalendarDecl(ident, title, self.pick(children, ast.Ref), f.get("zone"),
                                bool(f.get("always", False)), tuple(f.get("hours", ())),
                                tuple(f.get("except", ())), f.get("shorten"), f.get("note"), self.sp(meta))

    def zone(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("zone", meta, self.one_line(ch[0]))

    def always(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("always", meta, True)

    def hours(self, meta: Meta, ch: list[Any]) -> ast.Field:
        days = [t for t in ch if isinstance(t, Token) and t.type == "WEEKDAY"]
        windows = tuple(w for w in ch if isinstance(w, ast.Window))
        first = WEEKDAYS.index(str(days[0]))
        last = WEEKDAYS.index(str(days[-1]))
        return self.field("hours", meta, ast.Hours(first, last, windows, self.sp(meta)))

    def window(self, meta: Meta, ch: list[Any]) -> ast.Window:
        return ast.Window(self.minutes(ch[0]), self.minutes(ch[1]), self.sp(meta))

    def minutes(self, tok: Token) -> int:
        h, m = (int(x) for x in str(tok).split(":"))
        if m >= 60 or h > 24 or (h == 24 and m):
            self.diagnostics.append(Diagnostic("P0701", f"`{tok}` is not a time of day",
                                               Label(self.tsp(tok), "hours run from 00:00 to 24:00")))
            return 0
        return h * 60 + m

    def except_(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("except", meta, ch[0])

    def shorten(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("shorten", meta, self.duration(ch[0]))

    def note(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("note", meta, ch[0])

    def duration(self, tok: Token) -> ast.Duration:
        parts = [(self.amount(digits, tok), unit) for digits, unit in duration_parts(str(tok))]
        span = self.tsp(tok)
        if len(parts) == 1:
            return ast.Duration(parts[0][0], parts[0][1], span)
        business = any(u.startswith("business_") for _, u in parts)
        if all(u in _COMPOUND_MINUTES for _, u in parts) and all(isinstance(a, int) for a, _ in parts):
            minutes = sum(a * _COMPOUND_MINUTES[u] for a, u in parts)
            hours, rest = divmod(minutes, 60)
            if rest:
                amount, unit = minutes, "business_minute" if business else "minute"
            else:
                amount, unit = hours, "business_hour" if business else "hour"
            return ast.Duration(amount, unit, span, tuple(parts))
        # the checker reports a compound it cannot sum (days with hours, fractions in a compound)
        return ast.Duration(parts[0][0], parts[0][1], span, tuple(parts))

    def amount(self, digits: str, tok: Token) -> int | Decimal:
        """An amount: an int, or a Decimal for `2.5` (the checker decides where a fraction may stand)."""
        whole, _, frac = digits.partition(".")
        n = self.number(whole, tok)
        if frac.strip("0"):
            if len(frac) > 3:
                self.diagnostics.append(Diagnostic(
                    "P0302", "a fraction with more than three decimal places", Label(self.tsp(tok), "too precise"),
                    help="write at most three decimals, e.g. `2.5 business days`"))
                frac = frac[:3]
            return Decimal(f"{n}.{frac}")
        return n

    # -- channels ------------------------------------------------------------
    def channel(self, meta: Meta, children: list[Any]) -> ast.ChannelDecl:
        ident, title = self.head(children)
        f = self.fields(children[2:], "channel")
        return ast.ChannelDecl(ident, title, self.pick(children, ast.Ref), f.get("contact"),
                               f.get("available"), f.get("language"), f.get("confirm"), f.get("note"),
                               self.sp(meta), tuple(c.value for c in children if isinstance(c, ast.Field)
                                                    and c.name == "open"))

    def contact(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("contact", meta, ch[0])

    def available(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("available", meta, self.name(ch[0]))

    def open_with(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("open", meta, ast.OpenWith(self.name(ch[0]), self.name(ch[1]),
                                                     ch[2] if len(ch) > 2 else (), self.sp(meta)))

    def language(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("language", meta, ch[0])

    def confirm(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("confirm", meta, ast.Confirm(self.name(ch[0]), ch[1], self.sp(meta)))

    def procedure(self, meta: Meta, children: list[Any]) -> ast.ProcedureDecl:
        ident, title = self.head(children)
        steps = tuple(c.value for c in children[2:] if isinstance(c, ast.Field))
        return ast.ProcedureDecl(ident, title, self.pick(children, ast.Ref), steps, self.sp(meta))

    def step(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("step", meta, ch[0])

    # -- tiers, services, matrices --------------------------------------------
    def tiers(self, meta: Meta, children: list[Any]) -> ast.TiersDecl:
        metric = self.pick(children, tuple)
        m_name = m_title = None
        if metric and metric[0] == "__metric__":
            m_name, m_title = metric[1], metric[2]
        return ast.TiersDecl(m_name, m_title, self.pick(children, ast.Ref),
                             tuple(c for c in children if isinstance(c, ast.TierDecl)), self.sp(meta))

    def metric(self, meta: Meta, ch: list[Any]) -> tuple[str, ast.Name, ast.Text]:
        return ("__metric__", self.name(ch[0]), self.one_line(ch[1]))

    def tier(self, meta: Meta, ch: list[Any]) -> ast.TierDecl:
        basis = ch[2]
        if basis == "purchased":
            low, high, purchased, pspan = None, None, True, None
        else:
            low, high, pspan = basis
            purchased = False
        return ast.TierDecl(self.name(ch[0]), self.one_line(ch[1]),
                            low, high, purchased, self.marks_of(ch), self.sp(meta), pspan)

    def points(self, meta: Meta, ch: list[Any]) -> tuple[int, int | None, Span]:
        nums = [self.number(str(t), t) for t in ch]
        return (nums[0], nums[1] if len(nums) > 1 else None, self.sp(meta))

    def purchased(self, meta: Meta, ch: list[Any]) -> str:
        return "purchased"

    def services(self, meta: Meta, children: list[Any]) -> ast.ServicesDecl:
        return ast.ServicesDecl(self.pick(children, ast.Ref),
                                tuple(c for c in children if isinstance(c, ast.ServiceDecl)), self.sp(meta))

    def service(self, meta: Meta, ch: list[Any]) -> ast.ServiceDecl:
        grants = next((c for c in ch if isinstance(c, ast.Name)), None)
        return ast.ServiceDecl(self.name(ch[0]), self.one_line(ch[1]),
                               self.marks_of(ch), grants, self.sp(meta))

    def grants(self, meta: Meta, ch: list[Any]) -> ast.Name:
        return self.name(ch[0])

    def header(self, tok: Token) -> tuple[ast.Name, tuple[ast.Name, ...]]:
        names: list[ast.Name] = []
        assert tok.line is not None and tok.column is not None  # a lexed token has its position
        for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*", str(tok)):
            col = tok.column + m.start()
            names.append(ast.Name(m.group(), Span(self.path, tok.line, col, tok.line, col + len(m.group()))))
        return names[0], tuple(names[1:])

    def matrix(self, meta: Meta, children: list[Any]) -> ast.MatrixDecl:
        ident, title = self.head(children)
        htok = next(c for c in children if isinstance(c, Token) and c.type == "HEADER")
        corner, columns = self.header(htok)
        return ast.MatrixDecl(ident, title, self.pick(children, ast.Ref), self.marks_of(children), corner,
                              columns, tuple(c for c in children if isinstance(c, ast.Row)), self.sp(meta))

    def row(self, meta: Meta, ch: list[Any]) -> ast.Row:
        return ast.Row(self.name(ch[0]), tuple(ch[1:]), self.sp(meta))

    def cell_yes(self, meta: Meta, ch: list[Any]) -> ast.Cell:
        return ast.Cell("yes", span=self.sp(meta))

    def cell_no(self, meta: Meta, ch: list[Any]) -> ast.Cell:
        return ast.Cell("no", span=self.sp(meta))

    def cell_none(self, meta: Meta, ch: list[Any]) -> ast.Cell:
        return ast.Cell("none", span=self.sp(meta))

    def cell_unlimited(self, meta: Meta, ch: list[Any]) -> ast.Cell:
        return ast.Cell("unlimited", span=self.sp(meta))

    def cell_count(self, meta: Meta, ch: list[Any]) -> ast.Cell:
        return ast.Cell("count", count=self.number(str(ch[0]), ch[0]), span=self.tsp(ch[0]))

    def cell_only(self, meta: Meta, ch: list[Any]) -> ast.Cell:
        return ast.Cell("only", names=ch[0], span=self.sp(meta))

    def cell_duration(self, meta: Meta, ch: list[Any]) -> ast.Cell:
        d = self.duration(ch[0])
        return ast.Cell("duration", duration=d, span=d.span)

    def cell_ratio(self, meta: Meta, ch: list[Any]) -> ast.Cell:
        return ast.Cell("ratio", text=str(ch[0]), span=self.tsp(ch[0]))

    def cell_text(self, meta: Meta, ch: list[Any]) -> ast.Cell:
        return ast.Cell("text", text=unescape(str(ch[0])), span=self.tsp(ch[0]))

    def cell_price(self, meta: Meta, ch: list[Any]) -> ast.Cell:
        tok = ch[0]
        m = re.fullmatch(r"([0-9_]+(?:\.[0-9]+)?)[ \t]*([A-Z]+)", str(tok))
        assert m is not None
        whole, _, frac = m.group(1).partition(".")
        amount = Decimal(f"{self.number(whole, tok)}.{frac or '0'}")
        per = self.name(ch[1]) if len(ch) > 1 else None
        price = ast.Price(amount, m.group(2), per, self.sp(meta))
        return ast.Cell("price", price=price, span=self.sp(meta))

    def cell_on_request(self, meta: Meta, ch: list[Any]) -> ast.Cell:
        return ast.Cell("on_request", span=self.sp(meta))

    def _target(self, meta: Meta, children: list[Any], ident: ast.Name, is_response: bool) -> ast.TargetDecl:
        title = next((c for c in children if isinstance(c, ast.Text)), None)
        toks = [c for c in children if isinstance(c, Token)]
        names = [c for c in toks if c.type == "NAME"]
        htok = next((c for c in toks if c.type == "HEADER"), None)
        corner, columns = self.header(htok) if htok is not None else (None, ())
        fields = [c for c in children if isinstance(c, ast.Field)]
        f = self.fields([c for c in fields if c.name in ("text", "note", "from", "via", *_CLOCK_FIELDS)], "target")
        calendar = self.name(names[0]) if names else None
        from_service = self.name(names[1]) if is_response and len(names) > 1 else None
        efforts = tuple(c.value for c in fields if c.name == "efforts")
        efforts += tuple(ast.EffortsFor((), self.tsp(c)) for c in toks if c.type == "EFFORTS")
        return ast.TargetDecl(
            ident, title, calendar, self.pick(children, ast.Ref), self.marks_of(children),
            tuple(c.value for c in fields if c.name == "on_for"),
            efforts,
            tuple(c.value for c in fields if c.name == "percentile"),
            f.get("from"), tuple(f.get("via", ())), f.get("text"), f.get("note"), corner, columns,
            self.rows(children, len(columns)), from_service, is_response, self.sp(meta),
            tuple(f[k] for k in _CLOCK_FIELDS if k in f))

    def rows(self, children: list[Any], width: int) -> tuple[ast.TargetRow, ...]:
        """The table's rows from the flat sequence of row ids and cells after its header: a name
        starts a row; so does a quoted id (a lone cell of words, with no `on`, `efforts` or `when`)
        where the row before it is complete or there is none; a cell with no row is a P0001."""
        rows: list[tuple[ast.Name, list[ast.TargetCell]]] = []
        for item in children:
            if isinstance(item, _RowLabel):
                rows.append((item.name, []))
            elif isinstance(item, ast.TargetCell):
                words = isinstance(item.term, ast.TermWords) and item.calendar is None and not item.efforts \
                    and not item.when
                if words and (not rows or len(rows[-1][1]) >= width):
                    assert isinstance(item.term, ast.TermWords)
                    rows.append((ast.Name(item.term.text, item.span), []))
                elif not rows:
                    self.diagnostics.append(Diagnostic(
                        "P0001", "a row of a target table starts with its priority or request type",
                        Label(item.span, "a cell before any row id"),
                        help="start the row with its id: `P1  4h  2h`, or `any  4h  2h`"))
                else:
                    rows[-1][1].append(item)
        out = []
        for label, cells in rows:
            end = cells[-1].span if cells else label.span
            span = Span(self.path, label.span.line, label.span.column, end.end_line, end.end_column)
            out.append(ast.TargetRow(label, tuple(cells), span))
        return tuple(out)

    def response_table(self, meta: Meta, children: list[Any]) -> ast.TargetDecl:
        return self._target(meta, children, ast.Name("response", self.sp(meta)), True)

    def response_row(self, meta: Meta, children: list[Any]) -> ast.TargetDecl:
        return self._target(meta, children, ast.Name("response", self.sp(meta)), True)

    def target(self, meta: Meta, children: list[Any]) -> ast.TargetDecl:
        return self._target(meta, children[1:], self.name(children[0]), False)

    def on_for(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("on_for", meta, ast.OnFor(self.name(ch[0]), ch[1], self.sp(meta)))

    def efforts_for(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("efforts", meta, ast.EffortsFor(ch[0] if ch else (), self.sp(meta)))

    def percentile(self, meta: Meta, ch: list[Any]) -> ast.Field:
        tok = ch[0]
        raw = str(tok).rstrip("%").strip()
        whole, _, frac = raw.partition(".")
        value = Decimal(f"{self.number(whole, tok)}.{frac or '0'}")
        return self.field("percentile", meta, ast.PercentileDecl(value, self.name(ch[1]),
                                                                 ch[2] if len(ch) > 2 else (), self.sp(meta)))

    def counted_from(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("from", meta, self.name(ch[0]))

    def via(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("via", meta, ch[0])

    def via_names(self, meta: Meta, ch: list[Any]) -> tuple[ast.Name, ...]:
        head = ch[0] if isinstance(ch[0], tuple) else (self.name(ch[0]),)
        return head + tuple(self.name(t) for t in ch[1:] if isinstance(t, Token))

    def trow_label(self, meta: Meta, ch: list[Any]) -> _RowLabel:
        return _RowLabel(self.name(ch[0]))

    def tcell(self, meta: Meta, ch: list[Any]) -> ast.TargetCell:
        term = ch[0]
        cal = next((self.name(c) for c in ch[1:] if isinstance(c, Token) and c.type == "NAME"), None)
        efforts = any(isinstance(c, Token) and c.type == "EFFORTS" for c in ch[1:])
        when = tuple(c for c in ch[1:] if isinstance(c, ast.CellWhen))
        span = self.sp(meta)
        if when:  # the cell itself ends where its first `when` begins
            own = [c for c in ch if not isinstance(c, ast.CellWhen)]
            last = self.tsp(own[-1]) if isinstance(own[-1], Token) else own[-1].span
            span = Span(self.path, span.line, span.column, last.end_line, last.end_column)
        return ast.TargetCell(term, cal, efforts, span, when)

    def tcond(self, meta: Meta, ch: list[Any]) -> ast.CellWhen:
        term = ch[1]
        cal = next((self.name(c) for c in ch[2:] if isinstance(c, Token) and c.type == "NAME"), None)
        efforts = any(isinstance(c, Token) and c.type == "EFFORTS" for c in ch[2:])
        span = self.sp(meta)
        cell_start = term.span
        cell = ast.TargetCell(term, cal, efforts, Span(self.path, cell_start.line, cell_start.column,
                                                        span.end_line, span.end_column))
        return ast.CellWhen(self.name(ch[0]), cell, span)

    def term_strict(self, meta: Meta, ch: list[Any]) -> ast.TermStrict:
        return ast.TermStrict(ch[0], self.sp(meta))

    def term_words(self, meta: Meta, ch: list[Any]) -> ast.TermWords:
        return ast.TermWords(self.one_line(ch[0]).value, self.tsp(ch[0]))

    def pause_while(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("pause while", meta, ast.ClockField("pause", ch[0], self.sp(meta)))

    def stop_on(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("stop on", meta, ast.ClockField("stop", ch[0], self.sp(meta)))

    def restart_on(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("restart on", meta, ast.ClockField("restart", ch[0], self.sp(meta)))

    def repeats_after(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("repeats after", meta, ast.ClockField("repeats", ch[0], self.sp(meta)))

    def term_duration(self, meta: Meta, ch: list[Any]) -> ast.TermDuration:
        d = self.duration(ch[0])
        return ast.TermDuration(d, d.span)

    def term_bad(self, meta: Meta, ch: list[Any]) -> ast.TermBad:
        word = ch[0] if ch and isinstance(ch[0], Token) else None
        return ast.TermBad(self.sp(meta), str(word) if word is not None else None)

    def term_none(self, meta: Meta, ch: list[Any]) -> ast.TermNone:
        return ast.TermNone(self.sp(meta))

    def term_next_business_day(self, meta: Meta, ch: list[Any]) -> ast.TermNextDay:
        return ast.TermNextDay(True, self.minutes(ch[0]) if ch else None, self.sp(meta))

    def term_next_calendar_day(self, meta: Meta, ch: list[Any]) -> ast.TermNextDay:
        return ast.TermNextDay(False, self.minutes(ch[0]) if ch else None, self.sp(meta))

    def requests(self, meta: Meta, children: list[Any]) -> ast.RequestsDecl:
        return ast.RequestsDecl(self.pick(children, ast.Ref),
                                tuple(c for c in children if isinstance(c, ast.RequestDecl)), self.sp(meta))

    def request(self, meta: Meta, ch: list[Any]) -> ast.RequestDecl:
        return ast.RequestDecl(self.name(ch[0]), self.one_line(ch[1]), ch[2], self.sp(meta))

    # -- priorities ----------------------------------------------------------
    def priorities(self, meta: Meta, children: list[Any]) -> ast.PrioritiesDecl:
        titled = [c for c in children if isinstance(c, ast.Text)]
        f = self.fields(children, "priorities")
        return ast.PrioritiesDecl(self.pick(children, ast.Ref),
                                  tuple(c for c in children if isinstance(c, ast.PriorityDecl)), self.sp(meta),
                                  titled[0] if titled else None, f.get("default"), f.get("on_change"))

    def default_priority(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("default", meta, ch[0])

    def priority_change(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("on_change", meta, self.name(ch[0]))

    def priority(self, meta: Meta, ch: list[Any]) -> ast.PriorityDecl:
        f = self.fields(ch[2:], "priority")
        return ast.PriorityDecl(ch[0], self.one_line(ch[1]),
                                f.get("definition"), tuple(f.get("report_via", ())), self.sp(meta),
                                f.get("short"), f.get("label"))

    def short(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("short", meta, self.one_line(ch[0]))

    def label(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("label", meta, self.one_line(ch[0]))

    def definition_text(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("definition", meta, ch[0])

    def report_via(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("report_via", meta, ch[0])

    def reclassify(self, meta: Meta, ch: list[Any]) -> ast.ReclassifyDecl:
        f = self.fields(ch[1:], "reclassify")
        return ast.ReclassifyDecl(self.name(ch[0]), self.pick(ch, ast.Ref), tuple(f.get("unless_via", ())),
                                  f.get("becomes"), f.get("may_lower"), f.get("text"), self.sp(meta),
                                  f.get("when"))

    def unless_via(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("unless_via", meta, ch[0])

    def becomes(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("becomes", meta, ch[0])

    def may_lower(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("may_lower", meta, ch[0])

    def text_field(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("text", meta, ch[0])

    # -- events, obligations, periods ----------------------------------------
    def event(self, meta: Meta, ch: list[Any]) -> ast.EventDecl:
        return ast.EventDecl(self.name(ch[0]), self.one_line(ch[1]), self.sp(meta))

    def status(self, meta: Meta, ch: list[Any]) -> ast.StatusDecl:
        return ast.StatusDecl(self.name(ch[0]), self.one_line(ch[1]), self.sp(meta))

    def condition(self, meta: Meta, ch: list[Any]) -> ast.ConditionDecl:
        f = self.fields(ch[2:], "condition")
        return ast.ConditionDecl(self.name(ch[0]), self.one_line(ch[1]), self.sp(meta),
                                 f.get("escalated_via"), f.get("depends_on"))

    def escalated_via(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("escalated_via", meta, self.name(ch[0]))

    def condition_on(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("depends_on", meta, self.name(ch[0]))

    def obligation(self, meta: Meta, ch: list[Any]) -> ast.ObligationDecl:
        ident, title = self.head(ch)
        f = self.fields(ch[2:], "obligation")
        return ast.ObligationDecl(ident, title, self.pick(ch, ast.Ref), self.marks_of(ch), f.get("by"),
                                  f.get("from"), f.get("within"), f.get("before"), f.get("when"),
                                  f.get("note"), f.get("text"), self.sp(meta),
                                  tuple(f[k] for k in _CLOCK_FIELDS if k in f))

    def by_party(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("by", meta, self.name(ch[0]))

    def from_event(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("from", meta, self.name(ch[0]))

    def within(self, meta: Meta, ch: list[Any]) -> ast.Field:
        cal = self.name(ch[1]) if len(ch) > 1 else None
        return self.field("within", meta, ast.Within(self.duration(ch[0]), cal, self.sp(meta)))

    def before(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("before", meta, ast.Before(self.duration(ch[0]), self.name(ch[1]), self.sp(meta)))

    def when(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("when", meta, self.name(ch[0]))

    def period(self, meta: Meta, ch: list[Any]) -> ast.PeriodDecl:
        ident, title = self.head(ch)
        f = self.fields(ch[2:], "period")
        return ast.PeriodDecl(ident, title, self.pick(ch, ast.Ref), f.get("starts"), f.get("length"),
                              f.get("renews"), tuple(f.get("options", ())), f.get("text"), self.sp(meta))

    def starts(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("starts", meta, self.name(ch[0]))

    def length(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("length", meta, self.duration(ch[0]))

    def renews(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("renews", meta, self.duration(ch[0]))

    def options(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("options", meta, tuple(self.duration(t) for t in ch))

    def vouchers(self, meta: Meta, ch: list[Any]) -> ast.VouchersDecl:
        ident, title = self.head(ch)
        f = self.fields(ch[2:], "vouchers")
        exp = f.get("expires")
        return ast.VouchersDecl(ident, title, self.pick(ch, ast.Ref), self.marks_of(ch), f.get("count_from"),
                                f.get("valid_from"), exp if isinstance(exp, ast.Duration) else None,
                                exp if isinstance(exp, ast.Name) else None, f.get("reissued"), f.get("text"),
                                self.sp(meta))

    def count_from(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("count_from", meta, self.name(ch[0]))

    def valid_from(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("valid_from", meta, self.name(ch[0]))

    def expires(self, meta: Meta, ch: list[Any]) -> ast.Field:
        tok = ch[0]
        return self.field("expires", meta, self.duration(tok) if tok.type == "DURATION" else self.name(tok))

    def reissued(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("reissued", meta, self.duration(ch[0]))

    # -- lists and texts -----------------------------------------------------
    def exclusions(self, meta: Meta, ch: list[Any]) -> ast.ExclusionsDecl:
        ident, title = self.head(ch)
        return ast.ExclusionsDecl(ident, title, self.pick(ch, ast.Ref),
                                  tuple(c for c in ch if isinstance(c, ast.Exclusion)), self.sp(meta))

    def exclusion(self, meta: Meta, ch: list[Any]) -> ast.Exclusion:
        return ast.Exclusion(self.mark(ch[0]), ch[1], self.sp(meta))

    def clause(self, meta: Meta, ch: list[Any]) -> ast.ClauseDecl:
        ident, title = self.head(ch)
        items = tuple(c.value for c in ch if isinstance(c, ast.Field) and c.name == "item")
        f = self.fields([c for c in ch[2:] if not (isinstance(c, ast.Field) and c.name == "item")], "clause")
        applies = f.get("applies", ((), ()))
        return ast.ClauseDecl(ident, title, self.pick(ch, ast.Ref), self.marks_of(ch), f.get("text"), items,
                              applies[0], applies[1], self.sp(meta))

    def item(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("item", meta, ch[0])

    def applies(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("applies", meta, (ch[0], ch[1] if len(ch) > 1 else ()))

    def footnote(self, meta: Meta, ch: list[Any]) -> ast.FootnoteDecl:
        return ast.FootnoteDecl(self.mark(ch[0]), self.pick(ch, ast.Ref), ch[-1], self.sp(meta))

    def definition(self, meta: Meta, ch: list[Any]) -> ast.DefinitionDecl:
        ident, title = self.head(ch)
        return ast.DefinitionDecl(ident, title, self.pick(ch, ast.Ref), ch[-1], self.sp(meta))

    # -- hardware, rules -----------------------------------------------------
    def warranty(self, meta: Meta, ch: list[Any]) -> ast.WarrantyDecl:
        ident, title = self.head(ch)
        f = self.fields(ch[2:], "warranty")
        return ast.WarrantyDecl(ident, title, self.pick(ch, ast.Ref), f.get("length"), f.get("from"),
                                f.get("text"), self.sp(meta))

    def rma(self, meta: Meta, ch: list[Any]) -> ast.RmaDecl:
        ident, title = self.head(ch)
        f = self.fields(ch[2:], "rma")
        return ast.RmaDecl(ident, title, self.pick(ch, ast.Ref), f.get("during"), f.get("or_with"),
                           f.get("text"), self.sp(meta))

    def during(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("during", meta, self.name(ch[0]))

    def or_with(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("or_with", meta, self.name(ch[0]))

    def rule(self, meta: Meta, ch: list[Any]) -> ast.RuleDecl:
        ident, title = self.head(ch)
        expr = next(c for c in ch[2:] if isinstance(c, (ast.MaxOf, ast.MinOf, ast.Remaining, ast.Duration)))
        text = ch[-1] if isinstance(ch[-1], ast.Text) and ch[-1] is not title else None
        return ast.RuleDecl(ident, title, self.pick(ch, ast.Ref), expr, text, self.sp(meta))

    def max_of(self, meta: Meta, ch: list[Any]) -> ast.MaxOf:
        return ast.MaxOf(tuple(ch), self.sp(meta))

    def min_of(self, meta: Meta, ch: list[Any]) -> ast.MinOf:
        return ast.MinOf(tuple(ch), self.sp(meta))

    def remaining(self, meta: Meta, ch: list[Any]) -> ast.Remaining:
        return ast.Remaining(self.name(ch[0]), self.sp(meta))

    def duration_literal(self, meta: Meta, ch: list[Any]) -> ast.Duration:
        return self.duration(ch[0])

    def incidents(self, meta: Meta, ch: list[Any]) -> ast.IncidentsDecl:
        f = self.fields(ch[1:], "incidents")
        exempt = tuple(c.value for c in ch[1:] if isinstance(c, ast.Field) and c.name == "not_deducted")
        return ast.IncidentsDecl(tuple(ch[0]), self.pick(ch, ast.Ref), self.marks_of(ch), exempt,
                                 f.get("text"), self.sp(meta))

    def not_deducted(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("not_deducted", meta, (self.name(ch[0]), self.one_line(ch[1])))

    def reinstatement(self, meta: Meta, ch: list[Any]) -> ast.ReinstatementDecl:
        f = self.fields(ch, "reinstatement")
        return ast.ReinstatementDecl(self.pick(ch, ast.Ref), f.get("pays"), f.get("text"), self.sp(meta))

    def pays(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("pays", meta, self.duration(ch[0]))

    def terms(self, meta: Meta, ch: list[Any]) -> ast.TermsDecl:
        return ast.TermsDecl(tuple(c for c in ch if isinstance(c, ast.TermEntry)), self.sp(meta))

    def term_entry(self, meta: Meta, ch: list[Any]) -> ast.TermEntry:
        texts = [self.one_line(t) for t in ch]
        return ast.TermEntry(texts[0], tuple(texts[1:]), self.sp(meta))

    def agreed(self, meta: Meta, ch: list[Any]) -> ast.AgreedDecl:
        f = self.fields(ch[1:], "agreed")
        return ast.AgreedDecl(self.name(ch[0]), self.pick(ch, ast.Ref), f.get("text"), self.sp(meta))

    def performance(self, meta: Meta, ch: list[Any]) -> ast.PerformanceDecl:
        f = self.fields(ch, "performance")
        return ast.PerformanceDecl(self.pick(ch, ast.Ref), f.get("provider"), f.get("through"), f.get("precedence"),
                                   f.get("vendor_terms"), self.sp(meta))

    def provider(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("provider", meta, self.name(ch[0]))

    def through(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("through", meta, self.name(ch[0]))

    def precedence(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("precedence", meta, self.name(ch[0]))

    def vendor_terms(self, meta: Meta, ch: list[Any]) -> ast.Field:
        return self.field("vendor_terms", meta, ch[0])

    def coverage(self, meta: Meta, ch: list[Any]) -> ast.CoverageDecl:
        f = self.fields(ch[1:], "coverage")
        return ast.CoverageDecl(self.name(ch[0]), self.pick(ch, ast.Ref), f.get("text"), self.sp(meta))


def _expected(exc: UnexpectedInput) -> list[str]:
    names = sorted(getattr(exc, "expected", None) or getattr(exc, "allowed", None) or ())
    terms = {t.name: t for t in parser().terminals}
    out = []
    for n in names:
        if n in _TERMINAL_NAMES:
            out.append(_TERMINAL_NAMES[n])
        elif n in terms and terms[n].pattern.type == "str":
            out.append(f"`{terms[n].pattern.value}`")
        elif n not in ("COMMENT", "WS"):
            out.append(n.lower())
    return sorted(set(out), key=lambda s: (not s.startswith("`"), s))


def _describe(tok: Token) -> str:
    if tok.type == "$END":
        return "end of file"
    text = str(tok)
    if len(text) > 30:
        text = text[:27] + "..."
    return f"`{text}`"


def syntax_diagnostic(exc: UnexpectedInput, path: str, text: str) -> Diagnostic:
    expected = _expected(exc)
    exp = ", ".join(expected[:12]) + (", ..." if len(expected) > 12 else "")
    if isinstance(exc, UnexpectedCharacters):
        line, col = exc.line, exc.column
        pos = exc.pos_in_stream
        ch = text[pos] if pos is not None and 0 <= pos < len(text) else "?"
        what = "unterminated string" if ch == '"' else f"unexpected character `{ch}`"
        return Diagnostic("P0002", what, Label(Span(path, line, col, line, col + 1), "here"),
                          notes=(f"expected {exp}",) if exp else ())
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        lines = text.split("\n")
        line = len(lines)
        col = len(lines[-1]) + 1
        return Diagnostic("P0001", "unexpected end of file",
                          Label(Span(path, line, col, line, col + 1), "file ends here"),
                          notes=(f"expected {exp}",) if exp else ())
    assert isinstance(exc, UnexpectedToken)
    tok = exc.token
    glued = _glued_cell(text, path, tok.start_pos)
    if glued is not None:
        return glued
    span = Span.from_token(tok, path)
    return Diagnostic("P0001", f"unexpected {_describe(tok)}",
                      Label(span, f"expected {exp}" if exp else "not expected here"))


#: A number glued to letters (`4hrs`): the lexer reads `4` and a name `hrs`, so the parser stumbles
#: on the next token; the word itself is what is wrong.
_GLUED = re.compile(r"(?<![\w.])(\d+(?:_\d+)*(?:\.\d+)?)([A-Za-z][A-Za-z0-9_]*)")


def _glued_cell(text: str, path: str, error_pos: int | None) -> Diagnostic | None:
    """P0901 at a word such as `4hrs` on the line of the unexpected token or the line before it
    (outside strings and comments), which no terminal reads as one word; else None."""
    if error_pos is None:
        return None
    line_start = text.rfind("\n", 0, error_pos) + 1
    start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1 if text[line_start:error_pos].strip() == "" else line_start
    duration = next((t.pattern.value for t in parser().terminals if t.name == "DURATION"), None)
    found = None
    for m in _GLUED.finditer(text, start, error_pos):
        before = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
        if before.count('"') % 2 or "#" in before or (duration and re.fullmatch(duration, m.group())):
            continue
        found = m
    if found is None:
        return None
    line = text.count("\n", 0, found.start()) + 1
    col = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    return glued_duration(found.group(1), found.group(2), Span(path, line, col, line, col + len(found.group())))


def parse_text(text: str, path: str) -> tuple[ast.PolicyFile | None, list[Diagnostic]]:
    """Parse one file. Returns the AST (None on a syntax error) and its diagnostics."""
    was_enabled = gc.isenabled()
    gc.disable()  # a large parse tree makes the collector dominate; nothing here is cyclic garbage
    try:
        try:
            tree = parser().parse(text)
        except UnexpectedInput as exc:
            return None, [syntax_diagnostic(exc, path, text)]
        transformer = ToAst(path)
        result = transformer.transform(tree)
        return result, transformer.diagnostics
    finally:
        if was_enabled:
            gc.enable()
