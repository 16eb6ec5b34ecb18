"""The typography and wording rules of a signable annex, over all generated text (issue 10).

Every committed annex (the offers and the customers' instance annexes) is read back as text —
Markdown, DOCX and PDF — and checked for what a Russian legal typist would not let through.
"""
from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

REPO = Path(__file__).resolve().parents[2]
ANNEX = REPO / "generated" / "annex"
STEMS = sorted(p.stem for p in ANNEX.glob("*.md"))
URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+")


@cache  # each committed annex read once per session: the callers only read the result
def texts(stem: str) -> dict[str, str]:
    md = (ANNEX / f"{stem}.md").read_text(encoding="utf-8")
    md = re.sub(r"<!--.*?-->", "", md, flags=re.S)
    d = docx.Document(io.BytesIO((ANNEX / f"{stem}.docx").read_bytes()))
    body = "\n".join([p.text for p in d.paragraphs]
                     + [c.text for t in d.tables for row in t.rows for c in row.cells])
    pdf = "\n".join(page.extract_text() for page in PdfReader(ANNEX / f"{stem}.pdf").pages)
    return {"md": md, "docx": body, "pdf": pdf}


def test_there_are_offers_and_instances() -> None:
    assert any("--" in s for s in STEMS) and any("--" not in s for s in STEMS)


@pytest.mark.parametrize("stem", STEMS)
def test_typography(stem: str) -> None:
    for fmt, text in texts(stem).items():
        if fmt == "pdf":
            continue  # PDF text extraction turns no-break spaces into spaces
        plain = URL.sub("", text)
        assert "Europe/" not in plain and "Asia/" not in plain, f"{fmt}: an IANA zone id in prose"
        assert not re.search(r"г\.\.(?!\.)", plain), f"{fmt}: a doubled full stop"
        assert not re.search(r"\b24\s*[xXхХ]\s*7\b", plain), f"{fmt}: 24x7 instead of 24×7"
        one_letter = re.findall(r"(?<![\w\-./])[вксоуиаяВКСОУИАЯ] [\w«(\d]", plain)
        assert not one_letter, f"{fmt}: a one-letter word before a breaking space: {one_letter[:5]}"
        assert not re.search(r"\w - \w", plain), f"{fmt}: a hyphen used as a dash"


@pytest.mark.parametrize("stem", STEMS)
def test_operative_clause_and_no_compiler_metadata(stem: str) -> None:
    for fmt, text in texts(stem).items():
        flat = re.sub(r"\s+", " ", text.replace("\u00a0", " "))
        if "ПРОИЗВОДИТЕЛ" in flat:
            assert "обеспечивает оказание ЗАКАЗЧИКУ услуг" in flat, fmt
            assert "как за свои собственные" in flat, fmt
        assert "Контрольная сумма SHA-256" not in flat and not re.search(r"\b[0-9a-f]{64}\b", flat), fmt


@pytest.mark.parametrize("stem", STEMS)
def test_every_printed_footnote_is_referenced(stem: str) -> None:
    md = texts(stem)["md"]
    notes = re.findall(r"^(\([0-9ivx]+\)|\\\*{1,3}) ", md, flags=re.M)
    for mark in notes:
        plain = mark.replace("\\", "")
        sup = f"<sup>{mark}</sup>"
        assert sup in md or md.count(plain) >= 2, f"footnote {plain} printed but nothing refers to it"


@pytest.mark.parametrize("stem", [s for s in STEMS if "--" in s])
def test_instance_fields_in_every_format(stem: str) -> None:
    contract = REPO / "contracts" / (stem.split("--")[1] + ".toml")
    import tomllib

    data = tomllib.loads(contract.read_text(encoding="utf-8"))
    for fmt, text in texts(stem).items():
        flat = re.sub(r"\s+", " ", text.replace("\u00a0", " "))
        assert data["contract_number"] in flat, fmt
        assert "срок оказания услуг" in flat, fmt
        for product in data.get("products", []):
            assert product["name"] in flat, fmt
