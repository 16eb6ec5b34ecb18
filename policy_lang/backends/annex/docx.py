"""DOCX writer: the annex built with python-docx on the reference template, zipped with fixed dates and order.

The wording comes from `_blocks.j2` like every other format: rendered with the DOCX format module
(`docx/_fmt.xml.j2`, through `docx/annex.xml.j2`) it gives a small intermediate XML (headings, paragraphs
with a style key, lists, tables, terms, footnotes, signatures; text in `<w:t>`, breaks and tabs as the
environment escapes them, see filters.xml_run). That XML is parsed with ElementTree and the document is
built with python-docx on `docx/reference.docx`, the house style: every paragraph, run and table gets a
named style of the template (STYLE, TABLE_STYLE below), so restyling the annex is editing that file in
Word or LibreOffice (see tools/make_reference.py). What python-docx has no API for (a numbering instance
per list, repeated header rows, fixed table widths, the footer's PAGE / NUMPAGES fields) is added as
elements of the document's DOM; no rendered XML is ever patched as text.
"""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

import docx
import jinja2
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.numbering import CT_Num
from docx.oxml.table import CT_Tbl
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Length
from docx.styles.style import BaseStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from policy_lang.backends.annex.filters import well_formed
from policy_lang.backends.annex.view import AnnexView
from policy_lang.typography import bind_short_words

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

#: paragraph style key of the intermediate XML -> paragraph style of reference.docx
STYLE = {
    "": "Normal",
    "cite": "Annex Basis",
    "caption": "Caption",
    "subhead": "Annex Subhead",
    "annex-ref": "Annex Reference",
    "title": "Title",
    "subtitle": "Subtitle",
    "party": "Annex Party",
    "sig-field": "Annex Signature Field",
    "sig-hint": "Annex Signature Hint",
    "footer": "Footer",
    "heading": "Heading {level}",  # levels 1-3; deeper sections use Heading 3
    "list": "List Bullet",
    "ordered-list": "List Number",
    "footnote": "Annex Note",
    "th": "Annex Table Heading",
    "td": "Annex Table Text",
    "term": "Annex Term",
    "term-value": "Annex Term Value",
    "after-table": "Annex After Table",
}
#: table kind -> table style of reference.docx (the grid's header row is shaded by the style itself)
TABLE_STYLE = {"grid": "Annex Grid", "plain": "Annex Plain"}
#: share of the text width taken by the first column: of a grid with more than two columns, of any other
_FIRST_COLUMN = (0.35, 0.5)
_TERM_COLUMN = 0.32


@cache
def reference_docx() -> bytes:
    """The reference template (house style) shipped in the package."""
    return resources.files("policy_lang").joinpath("templates", "annex", "docx", "reference.docx").read_bytes()


def _fixed_date(edition: str | None) -> datetime:
    """Core-property date: the first day of the edition's month ("2026-11"), else the zip epoch."""
    parts = (edition or "").split("-")
    if (len(parts) in (2, 3) and all(p.isascii() and p.isdigit() for p in parts)
            and len(parts[0]) == 4 and all(len(p) == 2 for p in parts[1:])):
        try:
            return datetime(int(parts[0]), int(parts[1]), int(parts[2]) if len(parts) == 3 else 1,
                            tzinfo=UTC)
        except ValueError:
            pass
    return datetime(1980, 1, 1, tzinfo=UTC)


def fixed_zip(data: bytes) -> bytes:
    """The package `data` rewritten with its members in a fixed order ([Content_Types].xml first, then by
    name) and dated 1980-01-01, so that two builds of the same annex are byte-identical."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist(), key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            dst.writestr(info, src.read(name))
    return out.getvalue()


def _stray(el: ET.Element) -> None:
    """Text between the blocks of the intermediate XML would be lost: it is a template error."""
    for text in (el.text, *(c.tail for c in el)):
        if text and text.strip():
            raise ValueError(f"text outside a paragraph in <{el.tag}>: {text.strip()[:60]!r}")


def _child(el: ET.Element, tag: str) -> ET.Element:
    """The `<tag>` child the intermediate XML must have: its absence is a template error."""
    child = el.find(tag)
    if child is None:
        raise ValueError(f"<{el.tag}> without <{tag}> in the annex")
    return child


class _Builder:
    """Builds the document in one pass, in time linear in its size.

    python-docx's conveniences each search the document: `Document.add_paragraph`/`add_table` find the
    body's `w:sectPr` among all its children (and `add_table` lists the sections, an XPath over the
    body), `paragraph.style = ...` looks the default style up among all styles, `row.cells` lists
    every cell of the table, `numbering.add_num` scans every numbering instance. Over a long annex
    (thousands of holiday dates or clauses) each of those made the build quadratic (M15). So the
    styles are looked up once each, blocks are inserted before the remembered `w:sectPr`, a row's
    cells are its own `w:tc`, and numbering ids are counted here; the XML is the same as before."""

    def __init__(self, document: docx.document.Document) -> None:
        self.doc = document
        section = document.sections[-1]
        self.width = Length((section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0))
        self.numbering = document.part.numbering_part.element
        self._run: tuple[Run, frozenset[str]] | None = None
        self._body = document.element.body
        self._sect_pr = self._body.find(qn("w:sectPr"))
        self._styles: dict[str, BaseStyle] = {}
        self._style_ids: dict[tuple[str, WD_STYLE_TYPE], str | None] = {}
        self._abstract: dict[str, int] = {}
        nums = [int(n) for n in self.numbering.xpath("./w:num/@w:numId")]
        self._next_num_id = max(nums, default=0) + 1
        self._num_tail = self.numbering.find(qn("w:numIdMacAtCleanup"))
        self._grid: list[Length | None] = []  # the column widths of the table being built

    # ------------------------------------------------------------------ styles and numbering

    def style(self, key: str, **fmt: object) -> BaseStyle:
        """The reference template's style for `key`; a KeyError if the template lacks it."""
        name = STYLE[key].format(**fmt)
        if name not in self._styles:
            self._styles[name] = self.doc.styles[name]
        return self._styles[name]

    def _style_id(self, style: BaseStyle, kind: WD_STYLE_TYPE) -> str | None:
        """What `paragraph.style = style` writes: the style's id, or None for the default style."""
        key = (style.name or "", kind)
        if key not in self._style_ids:
            self._style_ids[key] = self.doc.part.get_style_id(style, kind)  # type: ignore[no-untyped-call]
        return self._style_ids[key]

    def _abstract_num(self, style_key: str) -> int:
        """The abstract numbering that the list style of `style_key` refers to in the template."""
        if style_key not in self._abstract:
            num_pr = self.style(style_key).element.pPr.numPr
            self._abstract[style_key] = self.numbering.num_having_numId(num_pr.numId.val).abstractNumId.val
        return self._abstract[style_key]

    def new_list(self, ordered: bool) -> int:
        """A numbering instance of its own for one list; an ordered one restarts at 1."""
        num_id = self._next_num_id
        self._next_num_id += 1
        num = CT_Num.new(num_id, self._abstract_num("ordered-list" if ordered else "list"))  # type: ignore[no-untyped-call]
        if self._num_tail is not None:
            self._num_tail.addprevious(num)
        else:
            self.numbering.append(num)
        if ordered:
            num.add_lvlOverride(ilvl=0).add_startOverride(1)
        return num_id

    # ------------------------------------------------------------------ blocks of the body

    def _add_block(self, el: BaseOxmlElement) -> None:
        """Append a paragraph or table to the body: before its final `w:sectPr`, found once."""
        if self._sect_pr is not None:
            self._sect_pr.addprevious(el)
        else:
            self._body.append(el)

    def body_paragraph(self, style_key: str, **fmt: object) -> Paragraph:
        p = OxmlElement("w:p")
        self._add_block(p)
        par = Paragraph(p, self.doc._body)
        self.set_style(par, style_key, **fmt)
        return par

    def set_style(self, par: Paragraph, style_key: str, **fmt: object) -> None:
        par._p.style = self._style_id(self.style(style_key, **fmt), WD_STYLE_TYPE.PARAGRAPH)

    # ------------------------------------------------------------------ text

    def inline(self, par: Paragraph, nodes: Iterable[ET.Element], fmt: frozenset[str] = frozenset(),
               cell: bool = False) -> None:
        """Runs for text (<w:t>), breaks and tabs, bold / italic / superscript marks and fields."""
        for node in nodes:
            tag = node.tag
            if tag == f"{_W}t":
                if node.text:
                    self.run(par, fmt).add_text(node.text)
            elif tag == f"{_W}br":
                page = node.get(f"{_W}type") == "page" and not cell
                self.run(par, fmt).add_break(WD_BREAK.PAGE if page else WD_BREAK.LINE)
            elif tag == f"{_W}tab":
                self.run(par, fmt).add_tab()
            elif tag in ("b", "i", "sup"):
                _stray(node)
                self.inline(par, node, fmt | {tag}, cell)
            elif tag == "field":
                self.field(par, node.get("instr", ""))
            else:
                raise ValueError(f"<{tag}> inside a paragraph")

    def run(self, par: Paragraph, fmt: frozenset[str]) -> Run:
        """The paragraph's last run if it has the same marks, else a new one."""
        if self._run is not None and self._run[1] == fmt and self._run[0]._parent is par \
                and par._p[-1] is self._run[0]._r:
            return self._run[0]
        run = par.add_run()
        if "b" in fmt:
            run.bold = True
        if "i" in fmt:
            run.italic = True
        if "sup" in fmt:
            run.font.superscript = True
        self._run = (run, fmt)
        return run

    def field(self, par: Paragraph, instr: str) -> None:
        """A simple field (PAGE, NUMPAGES) showing "1" until the reader computes it."""
        fld = OxmlElement("w:fldSimple", {qn("w:instr"): instr})
        r = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = "1"
        r.append(t)
        fld.append(r)
        par._p.append(fld)

    def paragraph(self, container: Any, el: ET.Element, style_key: str, cell: bool = False, first: bool = False,
                  **fmt: object) -> Paragraph:
        """A paragraph of `el`'s inline content; `first`: the (empty) first paragraph of a new cell."""
        _stray(el)
        if container is self.doc:
            par = self.body_paragraph(style_key, **fmt)
        else:
            par = container.paragraphs[0] if first else container.add_paragraph()
            self.set_style(par, style_key, **fmt)
        self.inline(par, el, cell=cell)
        return par

    # ------------------------------------------------------------------ blocks

    def body(self, body: ET.Element) -> None:
        _stray(body)
        for el in body:
            block = getattr(self, f"b_{el.tag}", None)
            if block is None:
                raise ValueError(f"unknown block <{el.tag}> in the annex")
            block(el)

    def b_h(self, el: ET.Element) -> None:
        level = min(max(int(el.get("level", "1")), 1), 3)
        par = self.paragraph(self.doc, el, "heading", level=level)
        if el.get("page-break") == "1":
            par.paragraph_format.page_break_before = True

    def b_p(self, el: ET.Element) -> None:
        self.paragraph(self.doc, el, el.get("style", ""))

    def b_list(self, el: ET.Element) -> None:
        _stray(el)
        ordered = el.get("ordered") == "1"
        num_id = self.new_list(ordered)
        for li in el:
            if li.tag != "li":
                raise ValueError(f"<{li.tag}> in a list")
            par = self.paragraph(self.doc, li, "ordered-list" if ordered else "list")
            num_pr = par._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = 0
            num_pr.get_or_add_numId().val = num_id

    def _table(self, style: str, widths: list[int]) -> Table:
        tbl = CT_Tbl.new_tbl(0, len(widths), self.width)
        self._add_block(tbl)
        table = Table(tbl, self.doc._body)
        tbl.tblStyle_val = self._style_id(self.doc.styles[TABLE_STYLE[style]], WD_STYLE_TYPE.TABLE)
        table.autofit = False  # fixed layout: the widths below
        tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(sum(Length(w).twips for w in widths)))
        for col, w in zip(table.columns, widths):
            col.width = w
        # the grid's widths, read now: `table.add_row` reads them through `tbl.tblGrid`, and lxml's
        # `find` looks past the first match, through every row already added
        self._grid = [col.w for col in tbl.tblGrid.gridCol_lst]
        return table

    def _widths(self, ncols: int, first_share: float) -> list[int]:
        if ncols == 1:
            return [self.width]
        first = int(self.width * first_share)
        rest = (self.width - first) // (ncols - 1)
        return [first] + [rest] * (ncols - 1)

    def _row(self, table: Table, widths: list[int], header: bool = False) -> list[_Cell]:
        """A new last row's cells (its own `w:tc`: `row.cells` would list every cell of the table)."""
        tr = table._tbl.add_tr()  # what table.add_row() does, with the grid read once (see _table)
        for grid_w in self._grid:
            tc = tr.add_tc()
            if grid_w is not None:
                tc.width = grid_w
        tr_pr = tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if header:
            tr_pr.append(OxmlElement("w:tblHeader"))  # repeated on every page
        cells = [_Cell(tc, table) for tc in tr.tc_lst]
        for cell, w in zip(cells, widths):
            cell.width = Length(w)
        return cells

    def _after_table(self) -> None:
        """A small paragraph: ends the table (two tables in a row would merge) and spaces it."""
        self.body_paragraph("after-table")

    def b_table(self, el: ET.Element) -> None:
        _stray(el)
        ncols = int(el.get("cols", "1"))
        widths = self._widths(ncols, _FIRST_COLUMN[0] if ncols > 2 else _FIRST_COLUMN[1])
        table = self._table("grid", widths)
        for tr in el:
            _stray(tr)
            header = tr.get("header") == "1"
            cells = self._row(table, widths, header)
            if len(tr) != len(cells):
                raise ValueError(f"a row of {len(tr)} cells in a table of {len(cells)} columns")
            for cell, td in zip(cells, tr):
                self.paragraph(cell, td, "th" if header else "td", cell=True, first=True)
        self._after_table()

    def b_kv(self, el: ET.Element) -> None:
        _stray(el)
        widths = self._widths(2, _TERM_COLUMN)
        table = self._table("plain", widths)
        for row_el in el:
            _stray(row_el)
            label, value = _child(row_el, "label"), _child(row_el, "value")
            cells = self._row(table, widths)
            self.paragraph(cells[0], label, "term", cell=True, first=True)
            self.paragraph(cells[1], value, "term-value", cell=True, first=True)
        self._after_table()

    def b_footnote(self, el: ET.Element) -> None:
        _stray(el)
        par = self.body_paragraph("footnote")
        for node in el:
            if node.tag == "mark":
                _stray(node)
                self.inline(par, node, frozenset({"b"}))
                self.run(par, frozenset({"b"})).add_text(" ")
            else:
                self.inline(par, [node])

    def b_signatures(self, el: ET.Element) -> None:
        _stray(el)
        widths = self._widths(len(el), 1 / max(len(el), 1))
        table = self._table("plain", widths)
        cells = self._row(table, widths)
        for cell, party in zip(cells, el):
            _stray(party)
            for n, p in enumerate(party):
                self.paragraph(cell, p, p.get("style", ""), cell=True, first=n == 0)

    def footer(self, footer_el: ET.Element) -> None:
        """The first section's footer, rewritten: its paragraphs are the intermediate XML's."""
        _stray(footer_el)
        footer = self.doc.sections[0].footer
        footer.is_linked_to_previous = False
        ftr = footer._element
        for child in list(ftr):
            ftr.remove(child)
        for p in footer_el:
            self.paragraph(footer, p, p.get("style", "footer"), cell=True)

    def properties(self, props: ET.Element, edition: str | None) -> None:
        cp = self.doc.core_properties
        text = {el.tag: el.text or "" for el in props}
        cp.title = text.get("title", "")
        cp.subject = text.get("subject", "")
        cp.identifier = text.get("identifier", "")
        cp.keywords = text.get("keywords", "")
        cp.author = cp.last_modified_by = text.get("author", "")
        cp.language = text.get("language", "")
        cp.comments = ""
        cp.revision = 1
        cp.created = cp.modified = _fixed_date(edition)


def render_docx(view: AnnexView, env: jinja2.Environment) -> bytes:
    ir = bind_short_words(well_formed(env.get_template("docx/annex.xml.j2").render(v=view)))
    root = ET.fromstring(ir)
    document = docx.Document(io.BytesIO(reference_docx()))
    b = _Builder(document)
    b.properties(_child(root, "properties"), view.program.edition)
    b.body(_child(root, "body"))
    b.footer(_child(root, "footer"))
    raw = io.BytesIO()
    document.save(raw)
    return fixed_zip(raw.getvalue())
