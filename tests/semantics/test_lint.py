"""Wording warnings: W0801 (a synonym of a defined term), W0802 (a word mixing scripts), located."""
from __future__ import annotations

from pathlib import Path

import pytest

from policy_lang.diagnostics import Diagnostic, render_text
from policy_lang.semantics.lint import inflects, lint, stem
from policy_lang.syntax import ast
from policy_lang.syntax.sources import Loader

POLICIES = Path(__file__).resolve().parents[2] / "policies"

HEAD = '''program demo {
    title  "Демо"
    vendor "Demo"
}

terms {
    "ЗАКАЗЧИК" instead_of "клиент"
}
'''


def run(tmp_path: Path, body: str, head: str = HEAD) -> tuple[list[Diagnostic], str, dict[str, str]]:
    path = tmp_path / "demo.policy"
    source = head + body
    path.write_text(source, encoding="utf-8")
    loader = Loader(tmp_path)
    items = loader.load(path)
    assert not loader.diagnostics, loader.diagnostics
    return lint(items, loader.sources), source, loader.sources


def where(source: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based line and column of the nth occurrence of needle in source."""
    at = -1
    for _ in range(nth + 1):
        at = source.index(needle, at + 1)
    line = source.count("\n", 0, at) + 1
    return line, at - (source.rfind("\n", 0, at) + 1) + 1


def test_synonym_on_third_line_of_long_string(tmp_path: Path) -> None:
    diags, source, sources = run(tmp_path, '''
clause intro "Вводные положения" § 1 {
    text """Первая строка текста.
        Вторая строка текста.
        Права клиента описаны ниже."""
}
''')
    assert len(diags) == 1, diags
    d = diags[0]
    assert (d.code, d.severity) == ("W0801", "warning")
    assert d.message == "«клиента» is a synonym of the defined term ЗАКАЗЧИК"
    assert d.help == "write «ЗАКАЗЧИК» (in the right case), or define the word in `terms`"
    s = d.span
    assert (s.line, s.column, s.end_line, s.end_column) == (13, 15, 13, 22)
    assert (s.line, s.column) == where(source, "клиента")
    lines = source.split("\n")
    assert lines[s.line - 1][s.column - 1:s.end_column - 1] == "клиента"
    # the secondary label shows where the term is defined
    assert [(lab.span.line, lab.span.column) for lab in d.secondary] == [where(source, '"ЗАКАЗЧИК"')]
    assert "^^^^^^^" in render_text(d, sources)


def test_kth_occurrence_maps_to_kth_in_source(tmp_path: Path) -> None:
    diags, source, _ = run(tmp_path, '''
clause a "А" {
    text """Клиенту — услуги; клиенту — отчёт.
        И снова клиенту.""" "\\nклиенту тоже"   # клиенту in a comment is not text
        "и клиентами"
}
''')
    got = [(d.span.line, d.span.column, d.message.split("»")[0][1:]) for d in diags]
    assert got == [
        (*where(source, "Клиенту"), "Клиенту"),
        (*where(source, "клиенту"), "клиенту"),
        (*where(source, "клиенту", 1), "клиенту"),
        (*where(source, "клиенту", 2), "клиенту"),
        (*where(source, "клиентами"), "клиентами"),
    ]


def test_mixed_script_word(tmp_path: Path) -> None:
    diags, source, _ = run(tmp_path, '''
clause p "Приоритеты" {
    text "Инциденты уровня Р1 и ТAM решаются P1 первыми."
}
''', head=HEAD.replace("клиент", "покупатель"))
    assert [(d.code, d.message, d.help) for d in diags] == [
        ("W0802", "«Р1» mixes Cyrillic and Latin letters", "write it in one script: «P1»"),
        ("W0802", "«ТAM» mixes Cyrillic and Latin letters", "write it in one script: «TAM»"),
    ]
    assert (diags[0].span.line, diags[0].span.column) == where(source, "Р1")
    assert diags[0].span.end_column - diags[0].span.column == 2
    assert all(d.severity == "warning" for d in diags)


def test_clean_policy_has_no_warnings(tmp_path: Path) -> None:
    diags, _, _ = run(tmp_path, '''
parties {
    executor "ИСПОЛНИТЕЛЬ" "организация, оказывающая услуги ЗАКАЗЧИКУ"
    customer "ЗАКАЗЧИК"    "клиент, приобретший услуги («клиент» в тексте Условий)"
}

clause a "Услуги" § 2.1 {
    text """ЗАКАЗЧИК получает услуги P1 и P2. Клиентская база и клиентский портал
        не являются синонимами, как и «клиент» в кавычках."""
}
''')
    assert diags == []


def test_order_is_by_path_line_column(tmp_path: Path) -> None:
    diags, _, _ = run(tmp_path, '''
clause b "Б" {
    text "клиенту Р2"
}

clause a "А" {
    text "клиентом"
}
''')
    keys = [(d.span.path, d.span.line, d.span.column) for d in diags]
    assert keys == sorted(keys) and len(keys) == 3
    assert [d.code for d in diags] == ["W0801", "W0802", "W0801"]


@pytest.mark.parametrize(("word", "form", "ok"), [
    ("клиент", "клиент", True), ("клиент", "клиента", True), ("клиент", "Клиенту", True),
    ("клиент", "клиентом", True), ("клиент", "клиентов", True), ("клиент", "клиентам", True),
    ("клиент", "клиентами", True), ("клиент", "клиентах", True), ("клиент", "клиенты", True),
    ("клиент", "клиенте", True), ("клиент", "КЛИЕНТА", True),
    ("клиент", "клиентский", False), ("клиент", "клиентка", False), ("клиент", "клиен", False),
    ("покупатель", "покупателя", True), ("покупатель", "покупателю", True),
    ("покупатель", "покупателем", True), ("покупатель", "покупателей", True),
    ("покупатель", "покупателями", True), ("покупатель", "покупательский", False),
    ("компания", "компании", True), ("компания", "компанию", True), ("компания", "компанией", True),
    ("компания", "компаний", True), ("компания", "компаниями", True), ("компания", "компаньон", False),
    ("пользователь", "пользователей", True), ("пользователь", "пользоваться", False),
])
def test_inflections(word: str, form: str, ok: bool) -> None:
    assert inflects(form, stem(word)) is ok


PROGRAMS = sorted(POLICIES.glob("*.policy"))
TERMS = ast.TermsDecl((ast.TermEntry(ast.Text("ЗАКАЗЧИК"),
                                     tuple(ast.Text(w) for w in ("клиент", "покупатель", "пользователь"))),))


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_seed_policies(path: Path) -> None:
    loader = Loader(POLICIES)
    items = loader.load(path)
    assert not loader.diagnostics
    plain = lint(items, loader.sources)
    with_terms = lint([*items, TERMS], loader.sources)
    assert all(d.severity == "warning" and d.code in ("W0801", "W0802") for d in with_terms)
    assert {(d.code, d.span) for d in plain} <= {(d.code, d.span) for d in with_terms}
    for d in with_terms:  # each label covers exactly the flagged word
        line = loader.sources[d.span.path].split("\n")[d.span.line - 1]
        assert line[d.span.column - 1:d.span.end_column - 1] == d.message[1:].split("»")[0], d
    w1 = sum(d.code == "W0801" for d in with_terms)
    w2 = sum(d.code == "W0802" for d in with_terms)
    print(f"\n{path.name}: {len(plain)} warnings as is; with terms: {w1} W0801, {w2} W0802")


def test_synonym_in_a_target_cell_of_words_is_located(tmp_path: Path) -> None:
    """A cell of words (`"по согласованию с клиентом"`) is printed as written: the lint reads it."""
    diags, source, _ = run(tmp_path, '''
calendar office "офис" {
    zone  "Europe/Moscow"
    hours mon-fri 09:00-18:00
}
tiers {
    base "Base" purchased
}
priorities {
    P1 "Критический"
}
target resolution "Срок решения" on office {
    priority base
    P1       "по согласованию с клиентом"
}
''')
    assert [(d.code, d.span.line, d.span.column) for d in diags] == [("W0801", *where(source, "клиентом"))]
    assert diags[0].message == "«клиентом» is a synonym of the defined term ЗАКАЗЧИК"
