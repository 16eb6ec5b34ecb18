"""The LALR(1) parser that runs `policy.lark`: Lark's tables, a small driver, Lark's trees.

`policy_lang.grammar` asks Lark (at generation time) for the LALR tables and the contextual lexer
of `grammar/policy.lark` and ships them as plain data. This module runs them. What it returns is
exactly what `lark.Lark(..., parser="lalr", lexer="contextual", propagate_positions=True)` returns
for the same text: the same `Tree`s (same shape, same `meta` positions, `container_*` included),
the same `Token`s, and the same exceptions with the same attributes on bad input
(`tests/lang/test_parser_artifact.py` compares both on the corpus and on 1,500 mutants).
The classes (`Tree`, `Token`, `Transformer`, the `Unexpected*` errors) are Lark's own, from
`policy_lang._lark_runtime`, the runtime part of Lark extracted by its standalone tool.

Why not Lark's runtime itself: importing `lark`, deserialising its objects and compiling one
regular expression per parser state cost ~65 ms of every `policyc check`, more than the checking.
Here the lexer tries, in Lark's order, only the terminals the state accepts that can start with
the next character (their first characters are computed from the regular expressions when the
tables are generated); the first that matches is Lark's match, since an alternative that cannot
start with that character never matches there. Each terminal's pattern is compiled once, keywords
and punctuation are plain prefix tests, and a run of whitespace and comments (terminals no other
can start like) is skipped in one match, counting lines as Lark does.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NoReturn

from ._lark_runtime import Meta, PatternRE, PatternStr, TerminalDef, Token, Tree, UnexpectedCharacters, UnexpectedToken

__all__ = ["Parser"]

# Token(...) without the deprecated-keyword check (Lark leaves it unannotated)
_new_token: Callable[..., Token] = Token._future_new

#: A terminal's matcher (a compiled pattern, or a plain prefix test) and the terminal's name
_Matcher = tuple["re.Pattern[str] | _Literal", str]


class _Literal:
    """A keyword or punctuation terminal: matches like its escaped regexp, without compiling one."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def match(self, text: str, pos: int) -> _Literal | None:
        return self if text.startswith(self.text, pos) else None

    def group(self) -> str:
        return self.text


class Parser:
    """Parses text with the plain-data tables produced by `policy_lang.grammar.tables_from_lark`."""

    def __init__(self, tables: dict[str, Any]):
        self.tables = tables
        self._states = tables["states"]
        self._rules = tables["rules"]
        self._start, self._end = tables["start_state"], tables["end_state"]
        self._patterns, self._literals = tables["patterns"], tables["literals"]
        self._newline = frozenset(tables["newline_types"])
        self._ignore = frozenset(tables["ignore"])
        self._char_class, self._classes = tables["char_class"], tables["classes"]
        self._skip = re.compile(tables["skip"]) if tables["skip"] else None
        self._skip_chars = frozenset(tables["skip_chars"] if tables["skip"] else ())
        self._lexer_of_state = tables["lexer_of_state"]
        # lexer id -> (terminals it accepts, {regexp terminal: {keyword text: keyword terminal}})
        self._lexers = [(frozenset(accepts), keywords)
                        for accepts, keywords in (*tables["lexers"], tables["root_lexer"])]
        self._root = len(self._lexers) - 1
        self._by_char: list[dict[str, tuple[_Matcher, ...]]] = [{} for _ in self._lexers]
        self._compiled: dict[str, re.Pattern[str] | _Literal] = {}
        self._terminals: list[TerminalDef] | None = None

    @property
    def terminals(self) -> list[TerminalDef]:
        """The grammar's terminals (name, pattern), as `lark.Lark.terminals` lists them."""
        if self._terminals is None:
            self._terminals = [
                TerminalDef(name, (PatternStr if kind == "str" else PatternRE)(value, frozenset(flags)), priority)
                for name, kind, value, flags, priority in self.tables["terminals"]]
        return self._terminals

    # -- lexer -----------------------------------------------------------------------------------
    def _matcher(self, lexer: int, char: str) -> tuple[_Matcher, ...]:
        """The terminals that `lexer` accepts and that can start with `char`, in the lexer's order,
        as (compiled pattern, terminal) pairs: the first that matches is Lark's match."""
        accepts = self._lexers[lexer][0]
        found: list[_Matcher] = []
        for t in self._classes[self._char_class.get(char, 0)]:
            if t in accepts:
                rx = self._compiled.get(t)
                if rx is None:
                    literal = self._literals.get(t)
                    rx = self._compiled[t] = re.compile(self._patterns[t]) if literal is None else _Literal(literal)
                found.append((rx, t))
        matchers = self._by_char[lexer][char] = tuple(found)
        return matchers

    def _lex_error(self, lexer: int, text: str, pos: int, line: int, line_start: int, last: Token | None
                   ) -> NoReturn:
        """Lark's contextual lexer: the characters fit no terminal of this state. If they are a
        terminal of another state, report the token (UnexpectedToken), else the characters."""
        allowed = set(self._lexers[lexer][0]) - self._ignore
        error = UnexpectedCharacters(  # type: ignore[no-untyped-call]  # Lark's constructor is unannotated
            text, pos, line, pos - line_start + 1, allowed=allowed or {"<END-OF-FILE>"},
            token_history=last and [last], state=None, terminals_by_name=None)
        root, n = self._root, len(text)
        while pos < n:
            char = text[pos]
            for rx, type_ in self._by_char[root].get(char) or self._matcher(root, char):  # noqa: B007 - used after
                m = rx.match(text, pos)
                if m is not None:
                    break
            else:
                raise error
            value = m.group()
            start, column, start_line = pos, pos - line_start + 1, line
            if type_ in self._newline and "\n" in value:
                line += value.count("\n")
                line_start = pos + value.rindex("\n") + 1
            pos += len(value)
            if type_ in self._ignore:
                continue
            keywords = self._lexers[root][1].get(type_)
            if keywords is not None:
                type_ = keywords.get(value, type_)
            token = _new_token(type_, value, start, start_line, column, line, pos - line_start + 1, pos)
            raise UnexpectedToken(  # type: ignore[no-untyped-call]
                token, error.allowed, state=None, token_history=[last], terminals_by_name=None)
        raise error

    # -- parser ----------------------------------------------------------------------------------
    def parse(self, text: str) -> Tree[Token]:
        states, rules, lexer_of_state, by_char, lexers = (
            self._states, self._rules, self._lexer_of_state, self._by_char, self._lexers)
        newline, ignore, build, new_token = self._newline, self._ignore, _build, _new_token
        skip, skip_chars = self._skip, self._skip_chars
        end_state = self._end
        state_stack = [self._start]
        value_stack: list[Any] = []  # Tokens and Trees
        pos, line, line_start, n = 0, 1, 0, len(text)
        last = None
        while True:
            if pos < n:  # next token, in the current state's lexer
                char = text[pos]
                if char in skip_chars:  # whitespace and comments: the same in every state
                    # skip_chars is empty without a skip pattern, which matches at each of them
                    end = skip.match(text, pos).end()  # type: ignore[union-attr]
                    if end > pos:
                        k = text.count("\n", pos, end)
                        if k:
                            line += k
                            line_start = text.rindex("\n", pos, end) + 1
                        pos = end
                        continue
                lexer = lexer_of_state[state_stack[-1]]
                found = by_char[lexer].get(char)
                if found is None:
                    found = self._matcher(lexer, char)
                for rx, type_ in found:  # noqa: B007 - the terminal that matched, used after the loop
                    m = rx.match(text, pos)
                    if m is not None:
                        break
                else:
                    self._lex_error(lexer, text, pos, line, line_start, last)
                value = m.group()
                start, column, start_line = pos, pos - line_start + 1, line
                if type_ in newline and "\n" in value:
                    line += value.count("\n")
                    line_start = pos + value.rindex("\n") + 1
                pos += len(value)
                if type_ in ignore:
                    continue
                keywords = lexers[lexer][1].get(type_)
                if keywords is not None:
                    type_ = keywords.get(value, type_)
                token = last = new_token(type_, value, start, start_line, column, line, pos - line_start + 1, pos)
                at_end = False
            else:
                token = (new_token("$END", "", last.start_pos, last.line, last.column, last.end_line,
                                   last.end_column, last.end_pos)
                         if last is not None else new_token("$END", "", 0, 1, 1))
                type_ = "$END"
                at_end = True
            while True:  # feed it: reduce as often as needed, then shift
                row = states[state_stack[-1]]
                action = row.get(type_)
                if action is None:
                    raise UnexpectedToken(  # type: ignore[no-untyped-call]
                        token, {s for s in row if s.isupper()}, state=None, interactive_parser=None)
                if action >= 0:
                    state_stack.append(action)
                    value_stack.append(token)
                    break
                origin, size, name, plan, expand1 = rules[~action]
                if size:
                    children = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    children = []
                value_stack.append(build(children, name, plan, expand1))
                state_stack.append(states[state_stack[-1]][origin])
                if at_end and state_stack[-1] == end_state:
                    tree: Tree[Token] = value_stack[-1]
                    return tree


def _build(children: list[Any], name: str, plan: tuple[tuple[int, bool], ...] | None, expand1: bool) -> Any:
    """Lark's tree builder for one rule: drop filtered tokens, inline `_rules` (and a single
    child of a `?rule`), then propagate positions (PropagatePositions) from the raw children."""
    if plan is None:
        kept = children
    else:
        kept = []
        for i, inline in plan:
            if inline:
                if kept:
                    kept += children[i].children
                else:
                    kept = children[i].children
            else:
                kept.append(children[i])
    meta: Any  # Lark's Meta, with the container_* positions PropagatePositions sets on it
    cm: Any
    if expand1 and len(kept) == 1:
        tree = kept[0]
        if type(tree) is not Tree:
            return tree
        meta = tree._meta
        fresh = not hasattr(meta, "line")
    else:
        meta = Meta()  # type: ignore[no-untyped-call]
        tree = Tree(name, kept, meta)
        fresh = True
    for c in children:
        if type(c) is Token:
            first = (c.line, c.column, c.start_pos)
            break
        if type(c) is Tree and not c._meta.empty:  # type: ignore[union-attr]  # our Trees all have a Meta
            cm = c._meta
            first = (cm.container_line, cm.container_column, cm.container_start_pos)
            break
    else:
        return tree
    for c in reversed(children):
        if type(c) is Token:
            last = (c.end_line, c.end_column, c.end_pos)
            break
        if type(c) is Tree and not c._meta.empty:  # type: ignore[union-attr]  # our Trees all have a Meta
            cm = c._meta
            last = (cm.container_end_line, cm.container_end_column, cm.container_end_pos)
            break
    if fresh:
        meta.line, meta.column, meta.start_pos = first
        meta.end_line, meta.end_column, meta.end_pos = last
        meta.empty = False
    meta.container_line, meta.container_column, meta.container_start_pos = first
    meta.container_end_line, meta.container_end_column, meta.container_end_pos = last
    return tree
