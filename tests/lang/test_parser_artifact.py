"""The parser shipped in the package is the grammar's, parses exactly as Lark does, and nothing
is read from (or written to) shared temp space."""
from __future__ import annotations

import ast
import marshal
import random
import subprocess
import sys
from pathlib import Path

import lark
import pytest

from policy_lang import _lark_runtime as rt
from policy_lang import grammar

REPO = Path(__file__).resolve().parents[2]
CORPUS = sorted((REPO / "policies").rglob("*.policy")) + sorted((REPO / "tests" / "bad").glob("*.policy"))
TEXT = grammar.grammar_path().read_text(encoding="utf-8")

META = ("line", "column", "start_pos", "end_line", "end_column", "end_pos", "empty", "container_line",
        "container_column", "container_start_pos", "container_end_line", "container_end_column",
        "container_end_pos")
TOKEN = ("type", "value", "start_pos", "line", "column", "end_line", "end_column", "end_pos")


@pytest.fixture(scope="module")
def lark_parser() -> lark.Lark:
    return grammar.build_parser(TEXT)


def shape(x: object) -> tuple:
    """A tree, token or parse error as plain data: everything the transformer and the
    diagnostics read, positions of every node (`container_*` too) included."""
    if isinstance(x, (lark.Tree, rt.Tree)):
        meta = x._meta
        return ("tree", x.data, None if meta is None else tuple(getattr(meta, a, "-") for a in META),
                tuple(shape(c) for c in x.children))
    if isinstance(x, (lark.Token, rt.Token)):
        return ("token", *(getattr(x, a) for a in TOKEN))
    if isinstance(x, (lark.exceptions.UnexpectedInput, rt.UnexpectedInput)):
        token = getattr(x, "token", None)
        return ("error", type(x).__name__, x.line, x.column, x.pos_in_stream,
                sorted(getattr(x, "expected", None) or ()), sorted(getattr(x, "allowed", None) or ()),
                None if token is None else shape(token))
    raise AssertionError(f"unexpected value in a parse tree: {x!r}")


def outcome(parser, text: str) -> tuple:
    try:
        return shape(parser.parse(text))
    except (lark.exceptions.UnexpectedInput, rt.UnexpectedInput) as e:
        return shape(e)


def test_artifact_was_built_from_the_current_grammar() -> None:
    """Fails after an edit of grammar/policy.lark: run `python -m policy_lang.grammar`."""
    tables = marshal.loads(grammar.ARTIFACT.read_bytes())
    assert tables["grammar_sha256"] == grammar.grammar_sha256(TEXT)
    assert grammar._load_artifact(TEXT) is not None


def test_regenerating_gives_the_shipped_files() -> None:
    """The shipped files are what the installed Lark and the current grammar give. The tables are
    reproducible (Lark numbers its states differently from run to run: they are renumbered);
    compared as data, since marshal's sharing flags depend on the process, not on the data."""
    assert marshal.loads(grammar.artifact_bytes(TEXT)) == marshal.loads(grammar.ARTIFACT.read_bytes())
    assert grammar.runtime_source() == grammar.RUNTIME.read_text(encoding="utf-8")


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
    for _ in range(1500):
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
    assert parsed > 100 and errors > 100  # both paths were exercised


@pytest.mark.parametrize("text", ["", "   \n\t", "# only a comment", "@", "program", 'program p { title "x"',
                                  "program p {\n}\n}", '"unterminated', '"""never closed'])
def test_edge_inputs_as_lark(text: str, lark_parser) -> None:
    assert outcome(grammar.parser(), text) == outcome(lark_parser, text)


def test_tokens_start_with_a_character_their_terminal_can_start_with() -> None:
    """`first_chars` decides which terminals the lexer tries: it must never leave one out."""
    tables = grammar._load_artifact(TEXT)
    firsts = {name: grammar.first_chars(p) for name, p in tables["patterns"].items()}
    seen = set()

    def walk(x) -> None:
        if isinstance(x, rt.Tree):
            for c in x.children:
                walk(c)
        elif isinstance(x, rt.Token):
            seen.add(x.type)
            assert firsts[x.type] is None or x.value[0] in firsts[x.type], (x.type, x.value)

    for path in CORPUS:
        try:
            walk(grammar.parser().parse(path.read_text(encoding="utf-8", errors="replace")))
        except rt.UnexpectedInput:
            pass
    assert {"NAME", "STRING", "LONG_STRING", "DURATION", "DATE", "TIME", "MARK", "HEADER"} <= seen


@pytest.mark.parametrize(("regexp", "first"), [
    ("abc", "a"), ("[a-c]x", "abc"), ("a?b", "ab"), ("(x|yz)+", "xy"), (r"(?![0-9])[0-9a]", "0123456789a"),
    ("a*", None), ("(?i)abc", None), ("[^a]", None), (".", None), (r"\w", None), (r"(a)\1", "a"),
])
def test_first_chars(regexp: str, first: str | None) -> None:
    got = grammar.first_chars(regexp)
    assert got == (None if first is None else frozenset(first))


def test_a_stale_or_unreadable_artifact_is_never_used(tmp_path, monkeypatch) -> None:
    fake = tmp_path / "policy_parser.marshal"
    monkeypatch.setattr(grammar, "ARTIFACT", fake)
    assert grammar._load_artifact(TEXT) is None  # missing
    fake.write_bytes(marshal.dumps({**marshal.loads((grammar._HERE / "data" / "policy_parser.marshal").read_bytes()),
                                    "grammar_sha256": "0" * 64}))
    assert grammar._load_artifact(TEXT) is None  # another grammar
    fake.write_bytes(b"\x00garbage")
    assert grammar._load_artifact(TEXT) is None
    fake.write_bytes(marshal.dumps(["not", "a", "dict"]))
    assert grammar._load_artifact(TEXT) is None


def test_without_the_artifact_the_parser_is_built_in_memory(tmp_path, monkeypatch, lark_parser) -> None:
    monkeypatch.setattr(grammar, "ARTIFACT", tmp_path / "absent.marshal")
    grammar.parser.cache_clear()
    try:
        source = (REPO / "policies" / "landesk_support.policy").read_text(encoding="utf-8")
        assert outcome(grammar.parser(), source) == outcome(lark_parser, source)
        assert list(tmp_path.iterdir()) == []  # nothing written
    finally:
        grammar.parser.cache_clear()


def test_no_pickle_and_no_temp_directory() -> None:
    """Lark's cache is a pickle: the parser never gets a cache path, and no code of the parser
    imports pickle or touches the temp directory."""
    assert "cache" not in grammar._OPTIONS
    for module in ("grammar.py", "lalr.py", "parse.py", "_lark_runtime.py"):
        tree = ast.parse((grammar._HERE / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not {a.name.split(".")[0] for a in node.names} & {"pickle", "tempfile", "shelve"}, module
            elif isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] not in {"pickle", "tempfile", "shelve"}, module
            elif isinstance(node, ast.Attribute):
                assert node.attr not in {"gettempdir", "mkdtemp", "mkstemp", "gettempdirb"}, (module, node.attr)


def test_checking_does_not_import_lark() -> None:
    """The shipped tables and runtime are all `policyc check` needs (Lark only regenerates them)."""
    code = ("import sys; from policy_lang.compiler import compile_file; "
            "r = compile_file(sys.argv[1]); assert r.ok, r.diagnostics; "
            "print(sorted(m for m in sys.modules if m == 'lark' or m.startswith('lark.')))")
    out = subprocess.run([sys.executable, "-c", code, str(REPO / "policies" / "landesk_support.policy")],
                         capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"
