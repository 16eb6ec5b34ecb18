"""The parser of `grammar/policy.lark`, shipped precomputed inside the package as plain data.

Building the LALR tables from the grammar takes ~130 ms, too much for every `policyc check`.
Lark's own cache is a pickle in a directory of our choosing, and the temp directory is shared:
another user could plant a file there that gets unpickled. So nothing is cached at run time.
`python -m policy_lang.grammar` asks Lark once for the tables and writes two files:

* `policy_lang/data/policy_parser.marshal`: the LALR tables, the contextual lexer's terminal
  sets and the tree-shaping rules as plain lists, dicts, strings and numbers (`marshal` form: no
  objects, no code; ~2 ms to load), with the SHA-256 of the grammar they were built from;
* `policy_lang/_lark_runtime.py`: Lark's runtime classes (`Tree`, `Token`, `Transformer`, the
  `Unexpected*` errors), extracted by Lark's standalone tool, so that `import lark` is not paid.

`policy_lang.lalr` runs the tables and returns exactly what Lark returns. At run time the
artifact is used only if its grammar hash is the current grammar's; otherwise (the grammar was
edited, the artifact not regenerated) the tables are computed in memory with Lark, and nothing
is written anywhere. `tests/lang/test_parser_artifact.py` fails until the artifact is regenerated.
"""
from __future__ import annotations

import functools
import hashlib
import marshal
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # both imported where used: a normal start needs neither Lark nor the tables' parser yet
    from lark import Lark
    from lark.lexer import TerminalDef

    from .lalr import Parser

_HERE = Path(__file__).resolve().parent
ARTIFACT = _HERE / "data" / "policy_parser.marshal"
RUNTIME = _HERE / "_lark_runtime.py"
#: Bump when the artifact's layout changes: older artifacts are then never read.
FORMAT = 4
_OPTIONS: dict[str, Any] = {"parser": "lalr", "lexer": "contextual", "propagate_positions": True,
                             "maybe_placeholders": False}
#: Files of Lark whose `###{standalone` sections make up `_lark_runtime.py` (see lark/tools/standalone.py).
_RUNTIME_SOURCES = ("exceptions.py", "utils.py", "tree.py", "visitors.py", "grammar.py", "lexer.py")


def grammar_path() -> Path:
    """The installed copy (`policy_lang/grammar/`), else the repository's `grammar/`."""
    for candidate in (_HERE / "grammar" / "policy.lark", _HERE.parent / "grammar" / "policy.lark"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("policy.lark not found next to the policy_lang package")


def grammar_sha256(text: str) -> str:
    """What the artifact is keyed by: the grammar text and the artifact's format."""
    return hashlib.sha256(f"policy_lang parser format {FORMAT}\n{text}".encode()).hexdigest()


@functools.cache
def parser() -> Parser:
    """The parser (a `policy_lang.lalr.Parser`), from the shipped tables when they fit the grammar."""
    from .lalr import Parser

    text = grammar_path().read_text(encoding="utf-8")
    return Parser(_load_artifact(text) or tables_from_lark(build_parser(text), text))


def _load_artifact(text: str) -> dict[str, Any] | None:
    try:
        tables = marshal.loads(ARTIFACT.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(tables, dict) or tables.get("grammar_sha256") != grammar_sha256(text):
        return None  # built from another grammar or in another layout: never trust it
    return tables


# -- generation (needs Lark; never runs on a normal start) -----------------------------------------
def build_parser(text: str) -> Lark:
    """Lark's own parser for the grammar (`lark.Lark`), built from scratch, no cache."""
    from lark import Lark

    return Lark(text, **_OPTIONS)


def tables_from_lark(lark_parser: Lark, text: str) -> dict[str, Any]:
    """Everything `policy_lang.lalr.Parser` needs, as plain data, read off a `lark.Lark` parser."""
    import re

    import lark
    from lark.lexer import PatternStr, _create_unless, _regexp_has_newline
    from lark.parsers.lalr_analysis import Shift

    s = sys.intern
    terminals = list(lark_parser.terminals)
    by_name = {t.name: t for t in terminals}
    ignore = [s(str(n)) for n in lark_parser.lexer_conf.ignore]

    def lark_order(t: TerminalDef) -> tuple[int, int, int, str]:  # lark.lexer.BasicLexer sorts its terminals so
        return (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name)

    order = [s(str(t.name)) for t in sorted(terminals, key=lark_order)]
    table = lark_parser.parser.parser.parser.parse_table
    (start,) = table.start_states
    # Lark numbers its states differently from run to run (hash seeds): number them in the order
    # a breadth-first walk from the start state meets them, so that the artifact is reproducible.
    number = {table.start_states[start]: 0}
    walk = [table.start_states[start]]
    for state in walk:
        for _symbol, (action, arg) in sorted(table.states[state].items()):
            if action is Shift and arg not in number:
                number[arg] = len(walk)
                walk.append(arg)
    assert len(walk) == len(table.states)
    rules = list(lark_parser.rules)
    rule_ids = {rule: i for i, rule in enumerate(rules)}
    states = []
    for state in walk:
        row = {}  # shift: the next state; reduce: ~rule
        for symbol, (action, arg) in sorted(table.states[state].items()):
            row[s(str(symbol))] = number[arg] if action is Shift else ~rule_ids[arg]
        states.append(row)

    def lexer(accepts: Iterable[str]) -> tuple[tuple[str, ...], dict[str, dict[str, str]]]:
        """lark.lexer.ContextualLexer/BasicLexer for one state: its terminals in order, keywords
        matched by a regexp terminal folded into it (`_create_unless`)."""
        terms = sorted((by_name[n] for n in set(accepts) | set(ignore) if n in by_name), key=lark_order)
        kept, callbacks = _create_unless(terms, 0, re, False)  # type: ignore[no-untyped-call]  # Lark's, unannotated
        keywords = {}
        for regexp_terminal, callback in sorted(callbacks.items()):
            words: dict[str, str] = {}
            for t in callback.scanner.terminals:
                assert isinstance(t.pattern, PatternStr) and not t.pattern.flags, t  # else not a plain lookup
                words.setdefault(s(t.pattern.value), s(str(t.name)))
            keywords[s(str(regexp_terminal))] = words
        return tuple(sorted(s(str(t.name)) for t in kept)), keywords

    lexers: list[tuple[tuple[str, ...], dict[str, dict[str, str]]]] = []
    lexer_of_state: list[int] = []
    seen: dict[frozenset[Any], int] = {}
    for state in walk:
        key = frozenset(table.states[state])
        if key not in seen:
            seen[key] = len(lexers)
            lexers.append(lexer(key))
        lexer_of_state.append(seen[key])

    out_rules = []
    for rule in rules:  # lark.parse_tree_builder, without placeholders or ambiguity
        assert not rule.options.keep_all_tokens
        keep = [(i, not sym.is_term and sym.name.startswith("_"))
                for i, sym in enumerate(rule.expansion)
                if not (sym.is_term and sym.filter_out)]  # type: ignore[attr-defined]  # a Terminal: is_term
        plan = tuple(keep) if len(keep) < len(rule.expansion) or any(inline for _, inline in keep) else None
        name = rule.alias or rule.options.template_source or rule.origin.name
        out_rules.append((s(str(rule.origin.name)), len(rule.expansion), s(str(name)), plan,
                          bool(rule.options.expand1 and not rule.alias)))

    patterns = {s(str(t.name)): t.pattern.to_regexp() for t in sorted(terminals, key=lambda t: t.name)}
    char_class, classes = _char_classes(patterns, order)
    newline_types = tuple(n for n, p in patterns.items() if _regexp_has_newline(p))
    # Characters with which only ignored terminals (whitespace, comments) can start, in any state:
    # a run of ignored tokens starting there is skipped in one match (the same tokens, one by one,
    # as Lark would lex them: each alternative is tried only where its class says it can start).
    skip_chars = "".join(ch for ch, k in char_class.items() if classes[k] and set(classes[k]) <= set(ignore))
    skipped = [n for n in order if n in ignore]
    skip = None
    if skip_chars and set(skipped) <= set(newline_types):
        chars = "".join(re.escape(ch) for ch in skip_chars)
        alternatives = "|".join(patterns[n] for n in skipped)
        skip = f"(?:(?=[{chars}])(?:{alternatives}))*"
    return {
        "grammar_sha256": grammar_sha256(text),
        "lark": lark.__version__,
        "terminals": [(s(str(t.name)), t.pattern.type, t.pattern.value, tuple(sorted(t.pattern.flags)), t.priority)
                      for t in terminals],
        "patterns": patterns,
        "literals": {s(str(t.name)): t.pattern.value for t in sorted(terminals, key=lambda t: t.name)
                     if isinstance(t.pattern, PatternStr) and not t.pattern.flags},
        "newline_types": newline_types,
        "ignore": tuple(sorted(ignore)),
        "skip": skip,
        "skip_chars": skip_chars,
        "char_class": char_class,
        "classes": classes,
        "states": states,
        "start_state": number[table.start_states[start]],
        "end_state": number[table.end_states[start]],
        "rules": out_rules,
        "lexers": lexers,
        "lexer_of_state": lexer_of_state,
        "root_lexer": lexer(by_name),
    }


def _char_classes(patterns: dict[str, str], order: list[str]) -> tuple[dict[str, int], list[tuple[str, ...]]]:
    """Characters grouped by the terminals that can start with them: {char: class}, and for each
    class those terminals in Lark's order. Class 0 is every other character (terminals that can
    start with anything)."""
    firsts = {name: first_chars(patterns[name]) for name in order}
    explicit = sorted(set().union(*(f for f in firsts.values() if f is not None)))
    classes = [tuple(n for n in order if firsts[n] is None)]
    index: dict[tuple[str, ...], int] = {}
    char_class = {}
    for char in explicit:
        members = tuple(n for n in order if (f := firsts[n]) is None or char in f)
        if members not in index:
            index[members] = len(classes)
            classes.append(members)
        char_class[sys.intern(char)] = index[members]
    return char_class, classes


def first_chars(regexp: str) -> frozenset[str] | None:
    """The characters a match of `regexp` can start with, or None if it could be anything.

    Over-approximated where unsure (negated or wide classes, case folding, back references:
    None), never under: leaving a terminal out of a character's class would change the lexing."""
    from re import _constants as c
    from re import _parser as sre_parse

    def seq(items: Any) -> tuple[set[str] | None, bool]:  # re._parser's SubPattern and items: untyped
        out: set[str] = set()
        for op, av in items:
            first, nullable = item(op, av)
            if first is None:
                return None, False
            out |= first
            if not nullable:
                return out, False
        return out, True

    def item(op: Any, av: Any) -> tuple[set[str] | None, bool]:
        if op is c.LITERAL:
            return {chr(av)}, False
        if op is c.IN:
            chars: set[str] = set()
            for iop, iav in av:
                if iop is c.LITERAL:
                    chars.add(chr(iav))
                elif iop is c.RANGE and iav[1] - iav[0] < 512:
                    chars.update(chr(x) for x in range(iav[0], iav[1] + 1))
                else:
                    return None, False
            return chars, False
        if op is c.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            return (None, False) if add_flags & c.SRE_FLAG_IGNORECASE else seq(sub)
        if op is c.BRANCH:
            out: set[str] = set()
            nullable = False
            for alternative in av[1]:
                first, n = seq(alternative)
                if first is None:
                    return None, False
                out |= first
                nullable = nullable or n
            return out, nullable
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, _high, sub = av
            first, n = seq(sub)
            return (None, False) if first is None else (first, n or low == 0)
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            return set(), True  # zero width: can only forbid a start, never add one
        return None, False  # ANY, NOT_LITERAL, CATEGORY, GROUPREF, ATOMIC_GROUP...

    parsed = sre_parse.parse(regexp)
    if parsed.state.flags & c.SRE_FLAG_IGNORECASE:
        return None
    first, nullable = seq(parsed)
    return None if first is None or nullable else frozenset(first)


def runtime_source() -> str:
    """`_lark_runtime.py`: the standalone sections of the installed Lark's runtime files."""
    import os
    from functools import partial

    import lark
    from lark.tools import standalone

    def section(name: str) -> str:
        with open(os.path.join(standalone._larkdir, name), encoding="utf-8") as f:
            sections: dict[str, str] = standalone.extract_sections(f)  # type: ignore[no-untyped-call]
            return sections["standalone"]

    parts = [f"# Lark {lark.__version__} runtime classes (Tree, Token, Transformer, errors), extracted by\n"
             "# `python -m policy_lang.grammar` with Lark's standalone tool. Generated: do not edit.\n",
             section("tools/standalone.py")]  # its licence header and the typing imports
    for name in _RUNTIME_SOURCES:
        code = section(name)
        parts.append(standalone.strip_docstrings(partial(next, iter(code.splitlines(True)))))  # type: ignore[no-untyped-call]
    return "\n".join(parts)


def artifact_bytes(text: str) -> bytes:
    return marshal.dumps(tables_from_lark(build_parser(text), text), 4)


def regenerate() -> list[Path]:
    """Rebuild the shipped tables and runtime from the current grammar and the installed Lark."""
    text = grammar_path().read_text(encoding="utf-8")
    written = []
    for path, data in ((RUNTIME, runtime_source().encode()), (ARTIFACT, artifact_bytes(text))):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".new")
        tmp.write_bytes(data)
        tmp.replace(path)
        written.append(path)
    return written


if __name__ == "__main__":  # python -m policy_lang.grammar
    for p in regenerate():
        print(f"wrote {p}")
