"""The DOCX annex as Word and LibreOffice see it: every annex converted to PDF by LibreOffice (headless),
one numbering instance per list, only the reference template's styles, no regex over XML in the writer.

LibreOffice is a system package (.ci/system-deps installs `libreoffice-writer-nogui`): when `soffice` is
missing these tests FAIL, they do not skip."""
from __future__ import annotations

import ast
import inspect
import io
import shutil
import subprocess
import zipfile
from functools import cache
from pathlib import Path

import attrs
import docx
import pytest
from conftest import PROGRAM_IDS, program, rendered
from docx.oxml.ns import qn
from pypdf import PdfReader

from policy_lang.backends.annex import docx as docx_writer
from policy_lang.backends.annex.render import AnnexConfig, render_annex

REPO = Path(__file__).resolve().parents[3]
SOFFICE_TIMEOUT = 120


def _soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.fail("LibreOffice (soffice) is not installed: run `bash .ci/system-deps`")
    return exe


def _to_pdf(docs: dict[str, bytes], tmp: Path) -> dict[str, PdfReader]:
    """Every DOCX converted by one headless LibreOffice with a private profile."""
    src = tmp / "docx"
    out = tmp / "pdf"
    src.mkdir()
    out.mkdir()
    for name, data in docs.items():
        (src / f"{name}.docx").write_bytes(data)
    res = subprocess.run(
        [_soffice(), f"-env:UserInstallation={(tmp / 'lo').as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(out), *sorted(str(p) for p in src.iterdir())],
        capture_output=True, text=True, timeout=SOFFICE_TIMEOUT)
    assert res.returncode == 0, res.stderr
    missing = [n for n in docs if not (out / f"{n}.pdf").is_file()]
    assert not missing, f"LibreOffice did not convert {missing}: {res.stdout} {res.stderr}"
    return {n: PdfReader(out / f"{n}.pdf") for n in docs}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PdfReader]:
    return _to_pdf({pid: rendered(pid)[f"{pid}.docx"] for pid in PROGRAM_IDS}, tmp_path_factory.mktemp("lo"))


def _flat(text: str) -> str:
    """Text with every run of whitespace (justified lines, no-break spaces, line ends) as one space."""
    return " ".join(text.split())


def _document(pid: str) -> docx.document.Document:
    return docx.Document(io.BytesIO(rendered(pid)[f"{pid}.docx"]))


@cache
def _reference() -> docx.document.Document:
    return docx.Document(io.BytesIO(docx_writer.reference_docx()))


# --------------------------------------------------------------------------- LibreOffice's rendering


def test_libreoffice_renders_the_annex(program_id: str, pdfs: dict[str, PdfReader]) -> None:
    reader = pdfs[program_id]
    pages = len(reader.pages)
    assert 2 <= pages <= 40, pages
    texts = [p.extract_text() for p in reader.pages]
    whole = _flat("\n".join(texts))
    d = _document(program_id)
    title = next(p.text for p in d.paragraphs if p.style.name == "Title")
    first_heading = next(p.text for p in d.paragraphs if p.style.name == "Heading 1")
    assert _flat(program(program_id).title) in _flat(title)
    assert _flat(title) in whole
    assert _flat(first_heading) in whole
    assert "Приложение" in _flat(texts[0]) and "Договору" in _flat(texts[0])
    # the footer on every page, its PAGE / NUMPAGES fields computed by LibreOffice
    for n, text in enumerate(texts, 1):
        assert f"стр. {n} из {pages}" in _flat(text), f"page {n}: no «стр. {n} из {pages}»"
    last = _flat(texts[-1])
    assert "ИСПОЛНИТЕЛЬ" in last and "ЗАКАЗЧИК" in last and "М.П." in last


# --------------------------------------------------------------------------- lists


def _lists(d: docx.document.Document) -> list[list]:
    """The body's lists: maximal runs of consecutive numbered paragraphs."""
    out: list[list] = []
    prev_numbered = False
    for el in d.element.body.iterchildren():
        numbered = el.tag == qn("w:p") and el.pPr is not None and el.pPr.numPr is not None
        if numbered:
            if not prev_numbered:
                out.append([])
            out[-1].append(el)
        prev_numbered = numbered
    return out


def _check_lists(d: docx.document.Document) -> int:
    """Each list has one numbering instance of its own; an ordered one restarts at 1. Returns the number
    of ordered lists."""
    numbering = d.part.numbering_part.element
    ids: list[int] = []
    ordered = 0
    for paras in _lists(d):
        styles = {p.pPr.pStyle.val for p in paras}
        num_ids = {p.pPr.numPr.numId.val for p in paras}
        assert len(styles) == 1 and styles <= {"ListBullet", "ListNumber"}, styles
        assert len(num_ids) == 1, f"one list, several numbering instances: {num_ids}"
        (num_id,) = num_ids
        ids.append(num_id)
        num = numbering.num_having_numId(num_id)
        if styles == {"ListNumber"}:
            ordered += 1
            starts = num.xpath("./w:lvlOverride[@w:ilvl='0']/w:startOverride/@w:val")
            assert starts == ["1"], "an ordered list must restart at 1"
    assert len(ids) == len(set(ids)), f"two lists share a numbering instance: {ids}"
    return ordered


def test_each_list_has_its_own_numbering(program_id: str) -> None:
    d = _document(program_id)
    _check_lists(d)
    with zipfile.ZipFile(io.BytesIO(rendered(program_id)[f"{program_id}.docx"])) as zf:
        document = zf.read("word/document.xml").decode()
    assert document.count("<w:numId ") == sum(len(x) for x in _lists(d))  # no list paragraph elsewhere


def test_two_ordered_lists_both_start_at_one(tmp_path: Path) -> None:
    """Two procedures in one annex: two ordered lists, each numbered from 1 in LibreOffice's rendering."""
    p = program("juniper_care_core")
    assert p.procedures, "juniper_care_core has an ordered procedure"
    first = p.procedures[0]
    second = attrs.evolve(first, id=f"{first.id}_again", title=f"{first.title} (повторно)",
                          steps=("Повторный шаг один.", "Повторный шаг два.", "Повторный шаг три."))
    at = next(i for i, o in enumerate(p.outline) if o.kind == "procedures" and o.key == first.id)
    outline = p.outline[:at + 1] + (attrs.evolve(p.outline[at], key=second.id),) + p.outline[at + 1:]
    files = render_annex(attrs.evolve(p, procedures=(first, second), outline=outline), AnnexConfig())
    data = files[f"{p.id}.docx"]
    d = docx.Document(io.BytesIO(data))
    assert _check_lists(d) >= 2
    text = _flat("\n".join(pg.extract_text() for pg in _to_pdf({"two": data}, tmp_path)["two"].pages))
    assert f"1. {_flat(first.steps[0])[:30]}" in text
    assert "1. Повторный шаг один." in text and "3. Повторный шаг три." in text
    assert "4. Повторный шаг один." not in text


# --------------------------------------------------------------------------- styles and the writer


def _style_ids(part_xml: bytes) -> set[tuple[str, str]]:
    from lxml import etree

    root = etree.fromstring(part_xml)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    used = set()
    for tag, kind in (("pStyle", "paragraph"), ("rStyle", "character"), ("tblStyle", "table")):
        used |= {(kind, el.get(f"{{{w}}}val")) for el in root.iter(f"{{{w}}}{tag}")}
    return used


def test_every_style_used_is_the_reference_templates(program_id: str) -> None:
    ref = _reference()
    defined = {(s.type.name.lower(), s.style_id) for s in ref.styles}
    with zipfile.ZipFile(io.BytesIO(rendered(program_id)[f"{program_id}.docx"])) as zf:
        used = _style_ids(zf.read("word/document.xml")) | _style_ids(zf.read("word/footer1.xml"))
    assert used, "no styles used"
    assert used <= defined, f"styles not in reference.docx: {used - defined}"
    d = _document(program_id)
    assert {p.style.name for p in d.paragraphs} >= {"Title", "Heading 1", "Annex Basis"}
    assert {t.style.name for t in d.tables} <= set(docx_writer.TABLE_STYLE.values())
    assert d.sections[0].footer.paragraphs[0].style.name == "Footer"


def test_writer_style_names_exist_in_the_reference_template() -> None:
    names = {s.name for s in _reference().styles}
    wanted = {v.format(level=n) for v in docx_writer.STYLE.values() for n in (1, 2, 3)}
    wanted |= set(docx_writer.TABLE_STYLE.values())
    assert wanted <= names, wanted - names
    section = _reference().sections[0]
    assert (section.page_width, section.page_height) == (7560310, 10692130)  # A4
    assert [round(x.cm, 2) for x in (section.top_margin, section.right_margin, section.bottom_margin,
                                     section.left_margin)] == [2.0, 1.5, 2.0, 3.0]
    assert _reference().paragraphs == []  # the body is empty: the annex is all the document holds


def test_make_reference_makes_a_complete_template() -> None:
    """reference.docx may be the script's output or a copy restyled and saved in Word/LibreOffice; either
    way the script still makes, byte for byte reproducibly, a template with every style the writer uses."""
    script = REPO / "tools" / "make_reference.py"
    ns: dict[str, object] = {"__name__": "make_reference", "__file__": str(script)}
    exec(compile(script.read_text(encoding="utf-8"), str(script), "exec"), ns)
    made = ns["build"]()  # type: ignore[operator]
    assert made == ns["build"]()  # type: ignore[operator]
    names = {s.name for s in docx.Document(io.BytesIO(made)).styles}
    assert set(ns["STYLES"]) <= names  # type: ignore[arg-type]
    wanted = {v.format(level=n) for v in docx_writer.STYLE.values() for n in (1, 2, 3)}
    assert wanted | set(docx_writer.TABLE_STYLE.values()) <= set(ns["STYLES"])  # type: ignore[arg-type]


def test_writer_builds_xml_with_a_dom_not_regex() -> None:
    source = inspect.getsource(docx_writer)
    assert "re.sub" not in source and "re.compile" not in source
    tree = ast.parse(source)
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert "re" not in imported and "regex" not in imported
    assert "docx.Document(" in source


def test_core_properties_and_fixed_zip() -> None:
    pid = PROGRAM_IDS[0]
    d = _document(pid)
    prog = program(pid)
    cp = d.core_properties
    assert cp.title == _flat(prog.title)
    assert cp.identifier == prog.id
    assert prog.id in cp.keywords and prog.sha256 in cp.keywords and (prog.edition or "") in cp.keywords
    assert cp.language == "ru-RU" and cp.author == "policyc"
    with zipfile.ZipFile(io.BytesIO(rendered(pid)[f"{pid}.docx"])) as zf:
        names = zf.namelist()
        assert names[0] == "[Content_Types].xml" and names[1:] == sorted(names[1:])
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_wheel_ships_the_reference_template(tmp_path: Path) -> None:
    import sys

    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path), str(REPO)], check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("policy_lang/templates/annex/docx/reference.docx") == docx_writer.reference_docx()
