"""Warnings about the wording of a policy's texts, located at the offending word.

* W0801: a word the `terms` block says to avoid (an inflected form of it), where the defined
  term should stand: `terms { "ЗАКАЗЧИК" instead_of "клиент" }` flags «клиента», «клиентом»...
* W0802: a word mixing Cyrillic and Latin letters (`ТAM` with a Latin A), or a Latin-looking
  code typed in Cyrillic (`Р1` with a Cyrillic Р): the annex would print it, search would miss it.

`lint(items, sources)` takes the declarations (includes expanded) and the sources by display
path, as `sources.Loader` gives them, and returns warnings sorted by path, line and column.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping

from policy_lang.diagnostics import Diagnostic, Label, Span
from policy_lang.syntax import ast
from policy_lang.typography import fix_lookalikes, is_cyrillic, is_latin, mixed_script_words

__all__ = ["inflects", "lint", "stem", "text_nodes"]

_WORD = re.compile(r"[^\W_]+")
#: Endings (up to three letters) that a Russian noun or adjective adds to its stem.
_ENDINGS = frozenset({
    "", "а", "я", "о", "е", "у", "ю", "ы", "и", "ь", "й",
    "ом", "ем", "ой", "ей", "ою", "ею", "ам", "ям", "ах", "ях", "ов", "ев",
    "ами", "ями", "ий", "ия", "ие", "ии", "ию", "ье", "ья", "ьи", "ью",
    "ый", "ая", "яя", "ое", "ее", "ые", "ого", "его", "ому", "ему", "ым", "им", "ыми", "ими",
    "ых", "их", "ую", "юю",
})
_ADJ_ENDINGS = ("ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие")
_MIN_STEM = 3
#: Quotes around a word make it a mention («клиент» в тексте Условий), not a use.
_OPEN_Q = "«„\"“'"
_CLOSE_Q = "»“\"”'"


def _norm(word: str) -> str:
    return word.lower().replace("ё", "е")


def stem(word: str) -> tuple[str, ...]:
    """The stems an inflected form of `word` starts with: `клиент` -> (клиент,),
    `покупатель` -> (покупател,), `компания` -> (компани,), `конечный` -> (конечны, конечн)."""
    w = _norm(word)
    stems = []
    if len(w) - 1 >= _MIN_STEM and w[-1] in "аяоеуюыиьй":
        stems.append(w[:-1])
    if len(w) - 2 >= _MIN_STEM and w.endswith(_ADJ_ENDINGS):
        stems.append(w[:-2])
    return tuple(stems) or (w,)


def inflects(form: str, stems: tuple[str, ...]) -> bool:
    """Is `form` the stem plus a plausible ending (case-insensitive)?"""
    f = _norm(form)
    for s in stems:
        if len(s) < _MIN_STEM:
            if f == s:
                return True
        elif f.startswith(s) and f[len(s):] in _ENDINGS:
            return True
    return False


# --------------------------------------------------------------------------- the texts

def text_nodes(items: list[object]) -> Iterator[tuple[str, Span, str]]:
    """(value, span of the literal, where) for every printed string reachable from the
    declarations: each `ast.Text`, a matrix or target cell's text, a holiday's label. `where` is
    "terms" inside a `terms` block, "role" for a party's explanation, else ""."""
    stack: list[tuple[object, str]] = [(n, "") for n in reversed(items)]
    while stack:
        n, where = stack.pop()
        if isinstance(n, ast.Text):
            if n.span is not None:
                yield n.value, n.span, where
            continue
        if isinstance(n, (tuple, list)):
            stack.extend((c, where) for c in reversed(n))
            continue
        fields = ast.child_fields(type(n))
        if not fields or isinstance(n, (ast.Name, ast.Ref)):
            continue
        if isinstance(n, ast.TermsDecl):
            where = "terms"
        if isinstance(n, ast.Cell) and n.text and n.span is not None:
            yield n.text, n.span, where
        if isinstance(n, ast.TermWords) and n.span is not None:  # a target cell of words is printed as written
            yield n.text, n.span, where
        if isinstance(n, ast.DateItem) and n.label and n.span is not None:
            yield n.label, n.span, where
        party = isinstance(n, ast.Party)
        for name in reversed(fields):
            v = getattr(n, name)
            if v is None or isinstance(v, (str, int, float)):
                continue
            stack.append((v, "role" if party and name == "role" else where))


# --------------------------------------------------------------------------- locating words

_LITERAL = re.compile(r'"""(?:.|\n)*?"""|"(?:[^"\\\n]|\\.)*"')


class _Locator:
    """Maps the k-th occurrence of a word in a Text's value to its line and column in the source."""

    def __init__(self, sources: Mapping[str, str]):
        self.sources = sources
        self._starts: dict[str, list[int]] = {}

    def _line_starts(self, path: str) -> list[int]:
        if path not in self._starts:
            text = self.sources[path]
            starts = [0]
            starts.extend(m.end() for m in re.finditer("\n", text))
            self._starts[path] = starts
        return self._starts[path]

    def _offset(self, path: str, line: int, column: int) -> int:
        starts = self._line_starts(path)
        line = min(max(line, 1), len(starts))
        return starts[line - 1] + column - 1

    def _position(self, path: str, offset: int) -> tuple[int, int]:
        starts = self._line_starts(path)
        lo, hi = 0, len(starts) - 1
        while lo < hi:  # the last line starting at or before offset
            mid = (lo + hi + 1) // 2
            if starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - starts[lo] + 1

    def locate(self, span: Span, word: str, k: int, length: int | None = None) -> Span:
        """The span of the k-th (0-based) whole-word occurrence of `word` inside the string
        literal(s) at `span`; the literal's start when it cannot be found. `length` (default:
        the word's) is how many characters the span covers, when that stays on one line."""
        fallback = Span(span.path, span.line, span.column, span.line, span.column + 1)
        if span.path not in self.sources:
            return fallback
        src = self.sources[span.path]
        start = self._offset(span.path, span.line, span.column)
        end = self._offset(span.path, span.end_line, span.end_column)
        if not 0 <= start < end <= len(src):
            return fallback
        raw = src[start:end]
        regions = [(m.start(), m.end()) for m in _LITERAL.finditer(raw)] or [(0, len(raw))]
        pattern = re.compile(r"(?:(?<=\\[nt])|(?<![^\W_]))" + re.escape(word) + r"(?![^\W_])")
        hits = [start + m.start() for a, b in regions for m in pattern.finditer(raw, a, b)]
        if k >= len(hits):
            return fallback
        at = hits[k]
        line, col = self._position(span.path, at)
        n = length if length is not None else len(word)
        if "\n" in src[at:at + n]:
            n = len(word)
        return Span(span.path, line, col, line, col + n)


# --------------------------------------------------------------------------- the checks

#: (term, an avoided word as written, the stems of each of its words, the term's span)
_Term = tuple[str, str, tuple[tuple[str, ...], ...], Span | None]
#: (term, the term normalised, the stems of each word of one of its avoided words, the term's span)
_Entry = tuple[str, str, tuple[tuple[str, ...], ...], Span | None]


def _terms(items: list[object]) -> list[_Term]:
    """(term, avoided word as written, stems of each of its words, the term's span)."""
    out: list[_Term] = []
    for item in items:
        if isinstance(item, ast.TermsDecl):
            for e in item.entries:
                for av in e.avoid:
                    words = _WORD.findall(av.value)
                    if words:
                        out.append((e.term.value, av.value, tuple(stem(w) for w in words), e.term.span))
    return out


def _by_first_letters(terms: list[_Term]) -> dict[str, list[_Entry]]:
    """The avoided words by the first letters of their first word's stems, in `terms` order: a word
    of a text is tried only against the terms whose first stem it can inflect (a stem shorter than
    `_MIN_STEM` must equal the word, so its key is the stem itself)."""
    index: dict[str, list[_Entry]] = {}
    for term, _avoid, stems, term_span in terms:
        entry = (term, _norm(term), stems, term_span)
        for key in dict.fromkeys(st[:_MIN_STEM] for st in stems[0]):
            index.setdefault(key, []).append(entry)
    return index


def _synonyms(value: str, span: Span, index: dict[str, list[_Entry]], loc: _Locator) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    words = list(_WORD.finditer(value))
    seen: dict[str, int] = {}
    for i, m in enumerate(words):
        w = m.group()
        k = seen.get(w, 0)
        seen[w] = k + 1
        candidates = index.get(_norm(w)[:_MIN_STEM])
        if not candidates:
            continue
        before = value[m.start() - 1] if m.start() else ""
        for term, norm_term, stems, term_span in candidates:
            if _norm(w) == norm_term or i + len(stems) > len(words):
                continue
            group = words[i:i + len(stems)]
            if not all(inflects(g.group(), s) for g, s in zip(group, stems)):
                continue
            if any(not value[a.end():b.start()].isspace() for a, b in itertools.pairwise(group)):
                continue  # the words of a phrase stand next to each other
            end = group[-1].end()
            after = value[end] if end < len(value) else ""
            if before and before in _OPEN_Q and after and after in _CLOSE_Q:
                continue  # «клиент» in quotes: the word is mentioned, not used
            phrase = value[m.start():end]
            where = loc.locate(span, w, k, len(phrase))
            secondary = (Label(term_span, "the defined term"),) if term_span is not None else ()
            out.append(Diagnostic(
                "W0801", f"«{phrase}» is a synonym of the defined term {term}",
                Label(where, f"write «{term}»"), secondary=secondary,
                help=f"write «{term}» (in the right case), or define the word in `terms`",
                severity="warning"))
            break
    return out


def _mixed(value: str, span: Span, loc: _Locator) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: dict[str, int] = {}
    flagged = {s for s, _e, _w in mixed_script_words(value)}
    if not flagged:
        return out
    for m in _WORD.finditer(value):
        w = m.group()
        k = seen.get(w, 0)
        seen[w] = k + 1
        if m.start() not in flagged:
            continue
        fixed = fix_lookalikes(w)
        to_latin = fixed is not None and not any(is_cyrillic(c) for c in fixed)
        odd = [c for c in w if (is_cyrillic(c) if to_latin else is_latin(c))] if fixed is not None else []
        label = (f"{'Cyrillic' if to_latin else 'Latin'} {', '.join(dict.fromkeys(odd))}" if odd
                 else "Cyrillic and Latin letters")
        out.append(Diagnostic(
            "W0802", f"«{w}» mixes Cyrillic and Latin letters", Label(loc.locate(span, w, k), label),
            help=(f"write it in one script: «{fixed}»" if fixed is not None
                  else "write it in one script, Cyrillic or Latin"),
            severity="warning"))
    return out


def lint(items: list[object], sources: Mapping[str, str]) -> list[Diagnostic]:
    """W0801 and W0802 warnings for the texts of `items`, sorted by path, line and column."""
    loc = _Locator(sources)
    index = _by_first_letters(_terms(items))
    diags: list[Diagnostic] = []
    for value, span, where in text_nodes(items):
        if index and where not in ("terms", "role"):
            diags.extend(_synonyms(value, span, index, loc))
        diags.extend(_mixed(value, span, loc))
    diags.sort(key=lambda d: (d.span.path, d.span.line, d.span.column, d.code, d.message))
    return diags
