"""Russian typography of the annex texts: one row per rule, idempotence, URLs left alone, seeds."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_lang.syntax import ast
from policy_lang.syntax.sources import Loader
from policy_lang.typography import NBSP, fix_lookalikes, mixed_script_words, protected_spans, typeset

POLICIES = Path(__file__).resolve().parents[2] / "policies"
N = NBSP

ROWS = [
    # no-break space after one-letter words, № and §
    ("в течение дня", f"в{N}течение дня"),
    ("и в ходе работ", f"и{N}в{N}ходе работ"),
    ("Клиент и поставщик", f"Клиент и{N}поставщик"),
    ("А также", f"А{N}также"),
    ("договор № 5", f"договор №{N}5"),
    ("см. § 2", f"см. §{N}2"),
    # a number and the next word or unit
    ("5 дней", f"5{N}дней"),
    ("в 2026 г.", f"в{N}2026{N}г."),
    ("100 %", f"100{N}%"),
    ("1500 RUB", f"1500{N}RUB"),
    # an abbreviation or a section word and its number
    ("п. 2.6", f"п.{N}2.6"),
    ("ст. 95", f"ст.{N}95"),
    ("указано в разделе 2.6.", f"указано в{N}разделе{N}2.6."),
    # dashes
    ("слово - слово", f"слово{N}— слово"),
    ("слово – слово", f"слово{N}— слово"),
    ("слово — слово", f"слово{N}— слово"),
    ("слово -- слово", f"слово{N}— слово"),
    ("ТАМ — Москва", f"ТАМ{N}— Москва"),
    ("с 8 – 17", f"с{N}8–17"),
    ("2024 - 2027", "2024–2027"),
    ("8–17", "8–17"),
    ("кто-то", "кто-то"),
    ("2026-11-01", "2026-11-01"),
    ("TAM-специалиста", "TAM-специалиста"),
    # quotes
    ('он сказал "привет"', "он сказал «привет»"),
    ("“hello”", "«hello»"),
    ('"Сказал "нет" вчера"', "«Сказал „нет“ вчера»"),
    ('«a "b" c»', "«a „b“ c»"),
    ("«a “b” c»", "«a „b“ c»"),
    ("«a „b“ c»", "«a „b“ c»"),
    ("«Приоритетный уровень»", "«Приоритетный уровень»"),
    ('ООО"Ромашка"', "ООО«Ромашка»"),
    # 24×7
    ("24x7", "24×7"),
    ("24X7", "24×7"),
    ("24х7", "24×7"),
    ("24Х7", "24×7"),
    ("24 X 7", "24×7"),
    ("24 Х 7", "24×7"),
    ("8x5", "8×5"),
    ("24x365", "24×365"),
    ("8x5x4", "8×5×4"),
    ("0x1F", "0x1F"),
    # full stops
    ("2026 г..", f"2026{N}г."),
    ("конец..", "конец."),
    ("и так далее...", f"и{N}так далее..."),
    ("и так далее…", f"и{N}так далее…"),
    # empty and plain text
    ("", ""),
    ("Service", "Service"),
]

URLS = [
    "http://www.landesk.com/ru/support/contact/",
    "https://example.com/a--b/24x7/c..d?q=\"x\"&r=1",
    "www.wavelink.com/customer-care/",
    "support@landesk.com",
    "http://example.com/a - b",  # the URL ends at the space; only the text after it changes
]


@pytest.mark.parametrize(("text", "expected"), ROWS, ids=[repr(r[0]) for r in ROWS])
def test_rule(text: str, expected: str) -> None:
    assert typeset(text) == expected


@pytest.mark.parametrize("text", [r[0] for r in ROWS] + [r[1] for r in ROWS], ids=repr)
def test_idempotent(text: str) -> None:
    once = typeset(text)
    assert typeset(once) == once


def test_idempotent_on_all_rows_together() -> None:
    text = "\n".join(r[0] for r in ROWS)
    once = typeset(text)
    assert typeset(once) == once
    assert once == "\n".join(r[1] for r in ROWS)


@pytest.mark.parametrize("url", URLS)
def test_urls_untouched(url: str) -> None:
    (start, end), = protected_spans(url)[:1]
    text = f"Подробнее - на {url}. И в 2026 г.. тоже"
    out = typeset(text)
    assert url[start:end] in out
    assert out.startswith(f"Подробнее{N}— на {url[start:end]}")


def test_url_in_quotes_and_trailing_punctuation() -> None:
    text = 'см. "http://www.landesk.com/services/technical-account-management/".'
    assert typeset(text) == "см. «http://www.landesk.com/services/technical-account-management/»."


def test_mixed_script_words() -> None:
    text = "Р1 и P1, ТAM и ТАМ, TAM, 1С, 24х7, http://ex.com/Рx"
    words = [w for _s, _e, w in mixed_script_words(text)]
    assert words == ["Р1", "ТAM"]
    for s, e, w in mixed_script_words(text):
        assert text[s:e] == w
    assert fix_lookalikes("Р1") == "P1"
    assert fix_lookalikes("ТAM") == "TAM"
    assert fix_lookalikes("ПРИОРИТЕТ") == "ПРИОРИТЕТ"
    assert fix_lookalikes("LANDESKом") is None


# --------------------------------------------------------------------------- the seed policies

def _texts(node: object) -> list[str]:
    """Every string a policy prints: Text values, matrix cell texts, holiday labels."""
    out: list[str] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Text):
            out.append(n.value)
        elif isinstance(n, (tuple, list)):
            stack.extend(n)
        elif hasattr(type(n), "__attrs_attrs__") and not isinstance(n, ast.Name):
            if isinstance(n, (ast.Cell, ast.DateItem)):
                out.append(n.text if isinstance(n, ast.Cell) else n.label or "")
            stack.extend(getattr(n, a.name) for a in type(n).__attrs_attrs__ if a.name != "span")
    return [t for t in out if t]


SEEDS = sorted(POLICIES.rglob("*.policy"))


@pytest.mark.parametrize("path", SEEDS, ids=[str(p.relative_to(POLICIES)) for p in SEEDS])
def test_seed_texts_typeset_cleanly(path: Path) -> None:
    loader = Loader(POLICIES)
    items = loader.load(path)
    assert not [d for d in loader.diagnostics if d.severity == "error"]
    texts = _texts(items)
    assert texts or path.parent.name == "shared"
    for text in texts:
        out = typeset(text)
        assert typeset(out) == out, text
        # a URL may hold `..`, ` - ` cannot be in one: drop URLs, then look at what is left
        spans = protected_spans(out)
        bare = "".join(ch for i, ch in enumerate(out) if not any(a <= i < b for a, b in spans))
        for line in bare.split("\n"):
            assert " - " not in line, line
            assert not re.search(r"(?<![.…])\.\.(?![.…])", line), line
            assert '"' not in line, line


# --------------------------------------------------------------------------- any text at all

_PIECES = ["в", "и", "к", "5", "24", "x", "х", "Х", " - ", "-", "--", "–", "—", '"', "“", "”", "«", "»", "„",
           ".", "..", "...", "…", "№", "§", "п.", "ст.", "разделе", "г.", "%", "(", ")", "\n", "\t", " ", " ",
           NBSP, "слово", "кто-то", "Р1", "http://a.ru/x..y", "www.b.ru", "c@d.ru"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=16).map("".join))
def test_idempotent_on_any_mix(text: str) -> None:
    once = typeset(text)
    assert typeset(once) == once
    assert '"' not in "".join(ch for i, ch in enumerate(once)
                              if not any(a <= i < b for a, b in protected_spans(once)))
