"""The parser shipped in the package (`policy_lang/syntax/_lark_parser.py`, written by Lark's standalone
generator through `tools/gen_parser.py`) is current: generated from the current grammar by the
installed Lark, with the same tables Lark builds, parsing exactly as `lark.Lark` does; and checking
never imports Lark, unpickles or writes anything."""
from __future__ import annotations

import ast
import importlib.util
import random
import subprocess
import sys
from pathlib import Path

import lark
import pytest
from lark.grammar import Rule
from lark.lexer import TerminalDef

from policy_lang.syntax import _lark_parser as generated
from policy_lang.syntax import grammar

REPO = Path(__file__).resolve().parents[2]
CORPUS = sorted((REPO / "policies").rglob("*.policy")) + sorted((REPO / "tests" / "bad").glob("*.policy"))
TEXT = grammar.grammar_path().read_text(encoding="utf-8")
MODULE = grammar.PARSER_MODULE.read_text(encoding="utf-8")

META = ("line", "column", "start_pos", "end_line", "end_column", "end_pos", "empty", "container_line",
        "container_column", "container_start_pos", "container_end_line", "container_end_column",
        "container_end_pos")
TOKEN = ("type", "value", "start_pos", "line", "column", "end_line", "end_column", "end_pos")


def _tool():
    spec = importlib.util.spec_from_file_location("gen_parser", REPO / "tools" / "gen_parser.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def lark_parser() -> lark.Lark:
    """Lark's own parser for the grammar, built from scratch (no cache), as the tool builds it."""
    return lark.Lark(TEXT, **grammar.OPTIONS)


def shape(x: object) -> tuple:
    """A tree, token or parse error as plain data: everything the transformer and the
    diagnostics read, positions of every node (`container_*` too) included."""
    if isinstance(x, (lark.Tree, generated.Tree)):
        meta = x.meta
        return ("tree", x.data, tuple(getattr(meta, a, "-") for a in META), tuple(shape(c) for c in x.children))
    if isinstance(x, (lark.Token, generated.Token)):
        return ("token", *(getattr(x, a) for a in TOKEN))
    if isinstance(x, (lark.exceptions.UnexpectedInput, generated.UnexpectedInput)):
        token = getattr(x, "token", None)
        return ("error", type(x).__name__, x.line, x.column, x.pos_in_stream,
                sorted(getattr(x, "expected", None) or ()), sorted(getattr(x, "allowed", None) or ()),
                None if token is None else shape(token))
    raise AssertionError(f"unexpected value in a parse tree: {x!r}")


def outcome(parser, text: str) -> tuple:
    try:
        return shape(parser.parse(text))
    except (lark.exceptions.UnexpectedInput, generated.UnexpectedInput) as e:
        return shape(e)


def test_generated_from_the_current_grammar() -> None:
    """Fails after an edit of grammar/policy.lark: run `tools/gen_parser.py`."""
    assert MODULE.startswith(grammar.header(TEXT))


def test_the_code_is_what_the_installed_lark_generates() -> None:
    """Everything but the tables is the standalone generator's output for the installed Lark
    (fails after a Lark upgrade until the module is regenerated); `--check` agrees."""
    tool = _tool()
    assert tool.code_of(tool.generate(TEXT)) == tool.code_of(MODULE)
    res = subprocess.run([sys.executable, str(REPO / "tools" / "gen_parser.py"), "--check"],
                         capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stderr


def _canonical(data: dict, memo: dict) -> tuple:
    """The serialised parser with Lark's run-dependent numbering of states and symbols replaced
    by names and a breadth-first walk from the start state over the shifts."""
    frontend = data["parser"]
    table = frontend["parser"]
    name = table["tokens"]
    states = table["states"]
    (start,) = table["start_states"].values()
    number = {start: 0}
    walk = [start]
    for state in walk:
        for _symbol, (action, arg) in sorted(states[state].items(), key=lambda kv: name[kv[0]]):
            if action == 0 and arg not in number:  # a shift: arg is the next state
                number[arg] = len(walk)
                walk.append(arg)
    assert len(walk) == len(states)
    rows = tuple(tuple(sorted((name[symbol], action, number[arg] if action == 0 else repr(arg))
                              for symbol, (action, arg) in states[state].items()))
                 for state in walk)
    ends = {k: number[v] for k, v in table["end_states"].items()}
    rest = {k: v for k, v in data.items() if k != "parser"}
    return (repr(memo), repr(rest), repr({k: v for k, v in frontend.items() if k != "parser"}), rows, repr(ends))


def test_the_tables_are_those_lark_builds(lark_parser) -> None:
    """The shipped grammar tables (terminals, rules, LALR states, lexer and options) are equal to
    those of a parser Lark builds now, up to the numbering of states, which changes between runs."""
    fresh = lark_parser.memo_serialize([TerminalDef, Rule])
    assert _canonical(generated.DATA, generated.MEMO) == _canonical(*fresh)


def test_the_tables_are_plain_literals() -> None:
    """`DATA` and `MEMO` are Python literals (no pickle, no compression), and nothing in the
    package asks Lark for a cache or touches the temp directory."""
    tree = ast.parse(MODULE)
    assigned = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)}
    for table in ("DATA", "MEMO"):
        assert isinstance(ast.literal_eval(assigned[table]), dict)
    top_level = [node for node in tree.body if not isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    calls = {f"{n.func.value.id}.{n.func.attr}" for node in top_level for n in ast.walk(node)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)}
    assert not calls & {"pickle.loads", "pickle.load", "zlib.decompress"}  # what `--compress` would add
    (entry,) = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "Lark_StandAlone"]
    assert "_load_from_dict(DATA, MEMO" in ast.unparse(entry)  # builds from the literals, never from a cache
    assert "cache" not in grammar.OPTIONS
    for module in ("grammar.py", "parse.py"):
        source = (REPO / "policy_lang" / "syntax" / module).read_text(encoding="utf-8")
        for word in ("tempfile", "gettempdir", "mkdtemp", "mkstemp", "cache="):
            assert word not in source, (module, word)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_parser_parses_exactly_as_lark(path: Path, lark_parser) -> None:
    source = path.read_text(encoding="utf-8", errors="replace")
    assert outcome(grammar.parser(), source) == outcome(lark_parser, source)


def test_same_trees_and_errors_as_lark_on_mutated_policies(lark_parser) -> None:
    """Random edits of the corpus (inserted keywords, literals and punctuation, deletions, moved
    slices): the same tree, or the same error at the same place with the same expectations."""
    rnd = random.Random(8)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in CORPUS]
    pieces = list('{}()",.-:;*§#=+\n \t0123456789abxyz_') + [
        "program", "yes", "mon", "2024-01-01", "10:00", "1:10", "2h", '"""', "(1)", "(iv)", "..",
        "priority P1", "service x", "max(", "2.6 (4)", "5 business days", "***", "\u00a0", "\x0b"]
    parsed = errors = 0
    for _ in range(500):
        text = rnd.choice(texts)
        for _ in range(rnd.randint(1, 4)):
            i = rnd.randrange(len(text) + 1)
            op = rnd.random()
            if op < 0.4:
                text = text[:i] + rnd.choice(pieces) + text[i:]
            elif op < 0.8:
                text = text[:i] + text[i + rnd.randint(1, 8):]
            else:
                j = rnd.randrange(len(text) + 1)
                text = text[:i] + text[j:j + rnd.randint(1, 40)] + text[i:]
        expected = outcome(lark_parser, text)
        assert outcome(grammar.parser(), text) == expected, text
        errors += expected[0] == "error"
        parsed += expected[0] == "tree"
    assert parsed > 50 and errors > 50  # both paths were exercised


@pytest.mark.parametrize("text", ["", "   \n\t", "# only a comment", "@", "program", 'program p { title "x"',
                                  "program p {\n}\n}", '"unterminated', '"""never closed'])
def test_edge_inputs_as_lark(text: str, lark_parser) -> None:
    assert outcome(grammar.parser(), text) == outcome(lark_parser, text)


def test_a_stale_module_is_reported_by_the_tool(tmp_path: Path) -> None:
    """`--check` fails when the module's code is not what the generator writes now."""
    tool = _tool()
    assert tool.code_of(MODULE.replace(grammar.grammar_sha256(TEXT), "0" * 64)) != tool.code_of(tool.generate(TEXT))
    assert tool.code_of(tool.generate(TEXT + "\n// an edit\n")) != tool.code_of(MODULE)


def test_checking_does_not_import_lark() -> None:
    """The generated module is all `policyc check` needs (Lark only regenerates it)."""
    code = ("import sys; from policy_lang.frontend import compile_file; "
            "r = compile_file(sys.argv[1]); assert r.ok, r.diagnostics; "
            "print(sorted(m for m in sys.modules if m == 'lark' or m.startswith('lark.')))")
    out = subprocess.run([sys.executable, "-c", code, str(REPO / "policies" / "landesk_support.policy")],
                         capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"
