"""Make `reference.docx`, the house style of the DOCX annex, from python-docx's default template.

The DOCX writer (policy_lang/backends/annex/docx.py) opens `reference.docx` and adds the annex to it:
every paragraph, run and table it writes uses a *named style* of this file, and the page set-up (A4,
margins, the footer's distance) is this file's. Changing the house style is therefore editing this file:

* **legal / the editors:** open `reference.docx` in Word or LibreOffice Writer, change the styles
  (Format > Styles: "Normal", "Heading 1"-"Heading 3", "Title", "Subtitle", "Caption", "List Bullet",
  "List Number", "Footer", the "Annex ..." paragraph styles and the "Annex Grid" / "Annex Plain" table
  styles), the margins (Layout > Margins) or the paper, and save it as .docx under the same name. Do
  not rename or delete a style the writer uses (`STYLES` below lists them; a test checks that every
  one exists). Leave the body empty: whatever it holds is kept before the annex. The footer's
  content is rewritten by the writer (annex reference, edition, checksum, «стр. N из M»); its look
  is the "Footer" style. The next `policyc build` uses the file as saved.
* **or** change this script and run it once::

      .venv/bin/python tools/make_reference.py

  which overwrites `reference.docx` (the result is byte-identical for the same python-docx).

Only what python-docx has no API for (theme fonts, the document language, table-style borders, the list
definitions' bullets and indents) is set on the styles' XML elements, as a DOM.
"""
from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt, Twips

from policy_lang.backends.annex.docx import fixed_zip

#: the template the DOCX writer opens, in the package (this developer tool lives outside it, in tools/)
HERE = Path(__file__).resolve().parents[1] / "policy_lang" / "templates" / "annex" / "docx"
FONT = "Times New Roman"  # LibreOffice shows the metric-compatible Liberation Serif where it is missing

#: every style name the writer uses (paragraph, then table styles); the test checks they all exist
PARAGRAPH_STYLES = (
    "Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Caption", "List Bullet",
    "List Number", "Footer", "Annex Reference", "Annex Basis", "Annex Subhead", "Annex Note",
    "Annex Table Text", "Annex Table Heading", "Annex Term", "Annex Term Value", "Annex After Table",
    "Annex Party", "Annex Signature Field", "Annex Signature Hint",
)
TABLE_STYLES = ("Annex Grid", "Annex Plain")
STYLES = PARAGRAPH_STYLES + TABLE_STYLES


# The XML elements below are lxml elements of python-docx's oxml classes, reached by find() and
# attribute chains its annotations do not follow: typed Any.

def _explicit_fonts(rpr: Any) -> None:
    """Replace theme fonts (Calibri/Cambria in the default template) by the house font, for all scripts."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(a), None)
    for a in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(a), FONT)


def _black(style: Any) -> None:
    rpr = style.element.get_or_add_rPr()
    for tag in ("w:color", "w:spacing", "w:kern"):
        for el in rpr.findall(qn(tag)):
            rpr.remove(el)
    style.font.color.rgb = None


def _para(doc: Document, name: str, *, base: str = "Normal", size: float | None = None, bold: bool | None = None,
          italic: bool | None = None, align: WD_ALIGN_PARAGRAPH | None = None, before: float | None = None,
          after: float | None = None, keep_next: bool | None = None, left: Length | None = None,
          line: float | Length | None = None) -> Any:
    styles = doc.styles
    try:
        st = styles[name]
    except KeyError:
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.quick_style = True
    if name != "Normal":
        st.base_style = styles[base]
    _black(st)
    rpr = st.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None:  # inherit the house font from the document defaults
        rpr.remove(fonts)
    f, pf = st.font, st.paragraph_format
    if size is not None:
        f.size = Pt(size)
    f.bold, f.italic = bold, italic
    if align is not None:
        pf.alignment = align
    if before is not None:
        pf.space_before = Pt(before)
    if after is not None:
        pf.space_after = Pt(after)
    if keep_next is not None:
        pf.keep_with_next = keep_next
    if left is not None:
        pf.left_indent = left
    if line is not None:
        pf.line_spacing = line
    return st


def _borders(tbl_pr: Any, val: str) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{side}")
        b.set(qn("w:val"), val)
        if val != "nil":
            b.set(qn("w:sz"), "4")
            b.set(qn("w:space"), "0")
            b.set(qn("w:color"), "000000")
        borders.append(b)
    tbl_pr.append(borders)


def _cell_margins(tbl_pr: Any, top: int, left: int, bottom: int, right: int) -> None:
    mar = OxmlElement("w:tblCellMar")
    for side, w in (("top", top), ("left", left), ("bottom", bottom), ("right", right)):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), str(w))
        m.set(qn("w:type"), "dxa")
        mar.append(m)
    tbl_pr.append(mar)


def _table_style(doc: Document, name: str, *, borders: bool, header_fill: str | None) -> Any:
    st = doc.styles.add_style(name, WD_STYLE_TYPE.TABLE)
    st.base_style = doc.styles["Normal Table"]
    el = st.element
    tbl_pr = OxmlElement("w:tblPr")
    _borders(tbl_pr, "single" if borders else "nil")
    if borders:
        _cell_margins(tbl_pr, 28, 85, 28, 85)
    else:
        _cell_margins(tbl_pr, 0, 0, 0, 113)
    el.append(tbl_pr)
    if header_fill:  # the first row (the header row, repeated on every page): grey
        cond = OxmlElement("w:tblStylePr")
        cond.set(qn("w:type"), "firstRow")
        tc_pr = OxmlElement("w:tcPr")
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), header_fill)
        tc_pr.append(shd)
        cond.append(tc_pr)
        el.append(cond)
    return st


def _list_definition(doc: Document, style_name: str, bullet: bool) -> None:
    """The list style's numbering: a plain bullet (no Symbol font) or "1.", indented 1 cm."""
    style = doc.styles[style_name].element
    num_id = style.pPr.numPr.numId.val
    numbering = doc.part.numbering_part.element
    num = next(n for n in numbering.num_lst if n.numId == num_id)
    abstract_id = num.abstractNumId.val
    abstract = next(a for a in numbering.findall(qn("w:abstractNum"))
                    if a.get(qn("w:abstractNumId")) == str(abstract_id))
    lvl = abstract.find(qn("w:lvl"))
    if bullet:
        lvl.find(qn("w:lvlText")).set(qn("w:val"), "•")
        rpr = lvl.find(qn("w:rPr"))
        if rpr is not None:
            lvl.remove(rpr)
    ppr = lvl.find(qn("w:pPr"))
    for child in list(ppr):
        ppr.remove(child)
    ind = OxmlElement("w:ind")
    ind.set(qn("w:left"), "567")
    ind.set(qn("w:hanging"), "283")
    ppr.append(ind)


def build() -> bytes:
    doc = docx.Document()
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    # the default template's thumbnail is a picture of someone else's page
    pkg_rels = doc.part.package.rels
    for r_id in [k for k, r in pkg_rels.items() if r.reltype == RT.THUMBNAIL]:
        pkg_rels.pop(r_id)
    # Word 2010's copy of the default styles: it would disagree with the styles below
    doc_rels = doc.part.rels
    for r_id in [k for k, r in doc_rels.items() if r.reltype.endswith("/stylesWithEffects")]:
        doc_rels.pop(r_id)

    # --- document defaults: Times New Roman 12 pt, Russian
    styles_el = doc.styles.element
    rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _explicit_fonts(rpr_default)
    for tag, val in (("w:sz", "24"), ("w:szCs", "24")):
        rpr_default.find(qn(tag)).set(qn("w:val"), val)
    lang = rpr_default.find(qn("w:lang"))
    for a in ("w:val", "w:eastAsia"):
        lang.set(qn(a), "ru-RU")
    ppr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr_default.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    theme_lang = OxmlElement("w:themeFontLang")
    theme_lang.set(qn("w:val"), "ru-RU")
    doc.settings.element.append(theme_lang)

    # --- paragraph styles
    _para(doc, "Normal", size=12, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=5, line=1.1)
    left = WD_ALIGN_PARAGRAPH.LEFT
    _para(doc, "Title", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=12, after=3)
    title = doc.styles["Title"].element.pPr
    title.remove(title.find(qn("w:pBdr")))  # the default's blue rule
    _para(doc, "Subtitle", size=12, bold=True, italic=False, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    sub = doc.styles["Subtitle"].element.pPr
    sub.remove(sub.find(qn("w:numPr")))
    for level, size, italic, before, after in ((1, 13, None, 12, 6), (2, 12, None, 10, 4), (3, 12, True, 8, 3)):
        _para(doc, f"Heading {level}", size=size, bold=True, italic=italic, align=left, before=before,
              after=after, keep_next=True)
    _para(doc, "Caption", size=12, bold=True, align=left, before=6, after=3, keep_next=True)
    _para(doc, "Annex Reference", align=WD_ALIGN_PARAGRAPH.RIGHT, left=Cm(8.5))
    _para(doc, "Annex Basis", size=9, italic=True, align=left)
    _para(doc, "Annex Subhead", align=left, before=6, after=3, keep_next=True)
    _para(doc, "Annex Note", size=9)
    for name in ("List Bullet", "List Number"):
        _para(doc, name, after=3)
    _list_definition(doc, "List Bullet", bullet=True)
    _list_definition(doc, "List Number", bullet=False)
    _para(doc, "Annex Table Text", size=10, align=left, after=0, line=1.0)
    _para(doc, "Annex Table Heading", size=10, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0,
          keep_next=True, line=1.0)
    _para(doc, "Annex Term", italic=True, align=left, after=2)
    _para(doc, "Annex Term Value", align=left, after=2)
    _para(doc, "Annex After Table", size=4, after=3, line=Pt(6))
    _para(doc, "Annex Party", bold=True, align=left, before=6)
    _para(doc, "Annex Signature Field", size=11, align=left, before=10, after=0)
    _para(doc, "Annex Signature Hint", size=8, align=left, after=0)
    footer_style = _para(doc, "Footer", size=8, align=left, after=0, line=1.0)
    tabs = footer_style.paragraph_format.tab_stops
    tabs.clear_all()
    section = doc.sections[0]
    section.page_width, section.page_height = Twips(11906), Twips(16838)  # A4
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.header_distance, section.footer_distance = Cm(1), Cm(1)
    tabs.add_tab_stop(section.page_width - section.left_margin - section.right_margin, WD_TAB_ALIGNMENT.RIGHT)

    # --- table styles: a ruled grid for the matrices, a borderless one for terms and signatures
    _table_style(doc, "Annex Grid", borders=True, header_fill="E8E8E8")
    _table_style(doc, "Annex Plain", borders=False, header_fill=None)

    # --- a footer the writer fills in (its look: the "Footer" style)
    footer = section.footer
    footer.is_linked_to_previous = False
    footer.paragraphs[0].style = doc.styles["Footer"]
    footer.paragraphs[0].text = "Приложение № … к Договору № …\tстр. N из M"

    cp = doc.core_properties
    cp.author = cp.last_modified_by = "policyc"
    cp.title, cp.subject, cp.comments = "", "Приложение к Договору", "policy_lang annex house style"
    cp.language = "ru-RU"
    cp.revision = 1
    cp.created = cp.modified = datetime(1980, 1, 1, tzinfo=UTC)

    for name in STYLES:  # every style the writer uses exists
        doc.styles[name]
    raw = io.BytesIO()
    doc.save(raw)
    return fixed_zip(raw.getvalue())


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "reference.docx"
    target.write_bytes(build())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
