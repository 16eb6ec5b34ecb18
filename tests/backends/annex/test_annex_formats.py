"""The four annex formats: snapshots, the DOCX tables cell by cell, the PDF pages, byte-identical builds."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest
from conftest import PROGRAM_IDS, program, rendered
from pypdf import PdfReader
from readback import docx_text

from policy_lang.backends.annex.render import AnnexConfig, render_annex

PDF_PAGES = {  # no forced page breaks; the signatures follow the last clause (issue 10)
    "juniper_care_core": 7,  # the item 7 obligations state how access refused stops their clock (issue 19)
    "landesk_cloud_appliance": 5,
    "landesk_support": 10,
    "landesk_tam": 7,
    "shavlik_support": 8,
    "wavelink_support": 7,
}


def test_files_per_program(program_id: str) -> None:
    assert sorted(rendered(program_id)) == sorted(f"{program_id}.{ext}" for ext in ("docx", "html", "md", "pdf"))


def test_markdown_snapshot(program_id: str, snapshot) -> None:
    assert rendered(program_id)[f"{program_id}.md"].decode() == snapshot


def test_html_snapshot(program_id: str, snapshot) -> None:
    assert rendered(program_id)[f"{program_id}.html"].decode() == snapshot


def test_docx_readback_snapshot(program_id: str, snapshot) -> None:
    assert docx_text(rendered(program_id)[f"{program_id}.docx"]) == snapshot


def _response_table(d: docx.document.Document) -> docx.table.Table:
    return next(t for t in d.tables if t.cell(0, 0).text in ("Уровень критичности", "Запрос"))


RESPONSE_CASES = [(pid, c.tier, c.row) for pid in PROGRAM_IDS if (r := program(pid).response) and len(r.cells) > 1
                  for c in r.cells]


@pytest.mark.parametrize(("pid", "tier", "priority"), RESPONSE_CASES,
                         ids=[f"{p}:{t}:{pr}" for p, t, pr in RESPONSE_CASES])
def test_docx_response_table_cell_by_cell(pid: str, tier: str, priority: str | None) -> None:
    prog = program(pid)
    r = prog.response
    assert r is not None
    table = _response_table(docx.Document(io.BytesIO(rendered(pid)[f"{pid}.docx"])))
    header = [c.text for c in table.rows[0].cells]
    assert header[1:] == [prog.tier(t).title for t in r.tiers]
    row = 1 + r.rows.index(priority)
    col = 1 + r.tiers.index(tier)
    assert table.cell(row, 0).text == (prog.priority(priority).short if priority else "Любой запрос")
    expected = next(c.text for c in r.cells if c.tier == tier and c.row == priority)
    assert table.cell(row, col).text == expected
    assert len(table.rows) == 1 + len(r.rows)


def test_docx_structure(program_id: str) -> None:
    data = rendered(program_id)[f"{program_id}.docx"]
    d = docx.Document(io.BytesIO(data))
    assert d.paragraphs[1].style.name == "Title"
    assert any(p.style.name == "Heading 1" for p in d.paragraphs)
    assert d.tables, "matrices must be real Word tables"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        footer = zf.read("word/footer1.xml").decode()
        assert 'w:instr=" PAGE "' in footer and 'w:instr=" NUMPAGES "' in footer
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert str(d.core_properties.created) == "2026-11-01 00:00:00+00:00"
    assert d.sections[0].page_width == 7560310  # A4


def test_pdf_pages_and_cyrillic_text(program_id: str) -> None:
    reader = PdfReader(io.BytesIO(rendered(program_id)[f"{program_id}.pdf"]))
    assert len(reader.pages) == PDF_PAGES[program_id]
    first = reader.pages[0].extract_text()
    assert "Приложение" in first and "Договору" in first
    last = reader.pages[-1].extract_text()
    assert "ИСПОЛНИТЕЛЬ" in last and "ЗАКАЗЧИК" in last and "М.П." in last
    assert f"стр. {len(reader.pages)} из {len(reader.pages)}" in last.replace("\u00a0", " ")
    fonts = {str(f["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert any("Liberation" in f or "DejaVu" in f for f in fonts), fonts


def test_two_builds_are_byte_identical(program_id: str) -> None:
    again = render_annex(program(program_id), AnnexConfig())
    first = rendered(program_id)
    assert again.keys() == first.keys()
    for name in first:
        assert again[name] == first[name], f"{name} differs between two builds"
