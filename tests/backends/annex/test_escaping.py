"""Hostile text through every annex format: well-formed output, and the exact text read back, escaped once.

A small program whose every string field holds markup of every format (`<b>&amp;"'|*_[x](y)`, `{{ }}`,
backslashes, Cyrillic) is compiled, then control characters are added to the model (U+000B and U+000C,
what Word pastes for line and page breaks, CR LF, a tab, U+2028, U+0001): `check` rejects those in a
policy, but the annex must stay well-formed whatever reaches it (annex config values, future inputs).
Each format is then read back the way its reader sees it: Markdown by its rules (below), HTML with
html.parser, DOCX with python-docx after parsing every part as XML, PDF with pypdf.
"""
from __future__ import annotations

import html
import io
import re
import string
import xml.dom.minidom
import zipfile
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import attrs
import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from policy_lang import ru_format
from policy_lang.backends.annex import filters
from policy_lang.backends.annex.config import AnnexConfig, load_annex_config
from policy_lang.backends.annex.docx import render_docx
from policy_lang.backends.annex.pdf import render_pdf
from policy_lang.backends.annex.render import environment, render_html, render_markdown
from policy_lang.backends.annex.view import AnnexView, build_view
from policy_lang.frontend import compile_file
from policy_lang.semantics import model

#: what a policy string can hold (written into the source below with the language's escapes)
HOSTILE = '<b>&amp;"\'|*_[x](y) {{ }} \\ \\\\ Кириллица'
#: added to the compiled model: control characters, line and page breaks, a tab
CONTROLS = "\x0bстрока\x0cлист\x01\r\nабзац\tтаб\u2028конец"
#: ... and how they read back: U+000B, CR LF and U+2028 a line break, U+000C a page break ("\f"),
#: U+0001 nothing, the tab a tab
CONTROLS_READ = "\nстрока\fлист\nабзац\tтаб\nконец"

POLICY = """
program hostile {
    title   "@01@"
    vendor  "@02@"
    edition "@03@"
    source  "@04@"
}
parties {
    executor  "@05@"  "@06@"
    customer  "@07@"  "@08@"
}
holidays hol "@09@" § 1 {
    dates 2026-01-05 "@10@"
    source "@11@"
}
calendar office "@12@" § 1 {
    zone   "Europe/Moscow"
    hours  mon-fri 09:00-18:00
    except hol
    note   "@13@"
}
channel phone "@14@" § 2 {
    contact   "@15@"
    available office
    language  "@16@"
    note      "@17@"
}
clause intro "@18@" § 2 {
    text "@19@"
    item "@20@"
    item "@21@"
}
tiers § 3 {
    basic  "@22@"  purchased (1)
    pro    "@23@"  purchased
}
services § 3 {
    svc_text   "@24@"  (1)  grants phone
    svc_flag   "@25@"
}
matrix offer "@26@" § 3 {
    service    basic    pro
    svc_text   "@27@"   "@28@"
    svc_flag   yes      no
}
response on office § 4 {
    priority  basic  pro
    P1        2h     1h
    P2        8h     4h
}
priorities § 4 {
    P1 "@29@" {
        definition "@30@"
        report via phone
    }
    P2 "@31@" {
        definition "@32@"
    }
}
footnote (1) § 3 "@33@"
exclusions excl "@34@" § 5 {
    (i)   "@35@"
    (ii)  "@36@"
}
event start "@37@"
period term "@38@" § 6 {
    starts start
    length 1 year
    text   "@39@"
}
obligation notice "@40@" § 6 {
    by     customer
    from   start
    within 2 days
    text   "@41@"
    note   "@42@"
}
define word "@43@" § 7 "@44@"
procedure intake "@45@" § "@46@" {
    step "@47@"
    step "@48@"
}
"""
FIELDS = range(1, 49)
NOT_PRINTED = {2}  # the vendor: the annex names the source document, not the vendor
CONFIG_KEYS = ("annex_number", "contract_number", "executor_org", "executor_position", "executor_name",
               "customer_org", "customer_position", "customer_name")


def field_text(n: int) -> str:
    return f"{HOSTILE} №{n:02d}{CONTROLS}"


def config_text(key: str) -> str:
    return f"{HOSTILE} </style></title>--> {key}{CONTROLS}"


def _policy_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _swap(obj: object, marker: re.Pattern[str]) -> object:
    """`obj` with every `@NN@` in its strings replaced by the control-character tail of field NN."""
    if isinstance(obj, str):
        return marker.sub(lambda m: f"№{m.group(1)}{CONTROLS}", obj)
    if isinstance(obj, tuple):
        return tuple(_swap(x, marker) for x in obj)
    if isinstance(obj, dict):
        return {k: _swap(v, marker) for k, v in obj.items()}
    if attrs.has(type(obj)):
        return attrs.evolve(obj, **{f.name: _swap(getattr(obj, f.name), marker)  # type: ignore[misc]
                                    for f in attrs.fields(type(obj)) if f.init})
    return obj


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> model.Program:
    path = tmp_path_factory.mktemp("hostile") / "hostile.policy"
    source = re.sub(r'"@(\d\d)@"', lambda m: _policy_string(f"{HOSTILE} @{m.group(1)}@"), POLICY)
    path.write_text(source, encoding="utf-8")
    compiled = compile_file(path)
    assert compiled.program is not None, compiled.diagnostics
    prog = _swap(compiled.program, re.compile(r"@(\d\d)@"))
    assert isinstance(prog, model.Program) and prog.title == field_text(1)
    return prog


CONFIG = AnnexConfig(**{k: config_text(k) for k in CONFIG_KEYS})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def view(program: model.Program) -> AnnexView:
    return build_view(program, CONFIG)


def _expected(text: str) -> tuple[str, ...]:
    """What a field may read back as: itself or, where the annex quotes it («…»), its quoted form."""
    return tuple(_read(t) for t in (text, ru_format.quote(text)))


def _read(text: str) -> str:
    """`text` as a reader should get it back (see CONTROLS_READ), page breaks still "\\f"."""
    return text.replace(CONTROLS, CONTROLS_READ)


@pytest.fixture(autouse=True)
def _no_typography(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests check escaping: hostile text must come back exactly once. Typography (quotes,
    dashes, no-break spaces) is tested on its own (tests/annex/test_typography.py)."""
    from policy_lang.backends.annex import docx as docx_backend
    from policy_lang.backends.annex import render

    monkeypatch.setattr(render, "typeset", lambda text: text)
    monkeypatch.setattr(render, "bind_short_words", lambda text: text)
    monkeypatch.setattr(docx_backend, "bind_short_words", lambda text: text)


def _as_line(text: str) -> str:
    return text.replace("\f", "\n")


def _flat(text: str) -> str:
    return re.sub("[\n\f\t]", " ", text)


def _annex_ref(config: AnnexConfig) -> str:
    nbsp = ru_format.NBSP
    return (f"Приложение №{nbsp}{config.annex_number} к Договору №{nbsp}{config.contract_number}"
            f" от «___»{nbsp}__________ 20__{nbsp}г.")


def _footer_text(prog: model.Program, config: AnnexConfig) -> str:
    nbsp = ru_format.NBSP
    return (f"Приложение №{nbsp}{config.annex_number} к Договору №{nbsp}{config.contract_number}"
            f" · ред. {prog.edition} · sha256 {prog.sha256[:16]}")


def _all_texts(prog: model.Program) -> list[tuple[str, tuple[str, ...]]]:
    out = [(f"field {n}", _expected(field_text(n))) for n in FIELDS if n not in NOT_PRINTED]
    assert prog.title == field_text(1)
    return out + [(k, _expected(config_text(k))) for k in CONFIG_KEYS]


# --------------------------------------------------------------------------- the text functions

@pytest.mark.parametrize(("raw", "clean"), [
    ("a\x0bb", "a\nb"),  # Word's line break (Shift+Enter)
    ("a\x0cb", "a\fb"),  # Word's page break (Ctrl+Enter): kept, each format decides
    ("a\r\nb\rc\nd", "a\nb\nc\nd"),
    ("a\u2028b\u2029c\x85d", "a\nb\nc\nd"),
    ("a\x00\x01\x08\x0e\x1f\x7f\x9fb", "ab"),  # invisible controls
    ("a\ud800\ufffe\uffffb", "ab"),  # not XML, not UTF-8
    ("a\tb «в» ё", "a\tb «в» ё"),
])
def test_clean(raw: str, clean: str) -> None:
    assert filters.clean(raw) == clean


def test_markdown_escapes_every_special_once() -> None:
    assert filters.md('<b>&amp;"\'|*_[x](y) {{ }} \\ # ` ~ $') == \
        '\\<b\\>\\&amp;"\'\\|\\*\\_\\[x\\](y) {{ }} \\\\ \\# \\` \\~ \\$'
    assert filters.md("a\nb\x0bc\x0cd") == "a<br>b<br>c<br>d"
    assert filters.md("- пункт") == "\\- пункт" and filters.md("12. пункт") == "12\\. пункт"
    assert filters.md("---") == "\\---" and filters.md("+") == "\\+" and filters.md("1)") == "1\\)"
    assert filters.md("2.6 (3)") == "2.6 (3)" and filters.md("a - b") == "a - b" and filters.md("-5") == "-5"


def test_markdown_emphasis_closes_whatever_the_text() -> None:
    """`**text **` is not bold in Markdown: emphasised text is trimmed (and escaped once)."""
    tpl = environment("md").from_string('{% import "md/_fmt.md.j2" as f %}{{ f.b(t) }} {{ f.i(t) }}')
    assert tpl.render(t=" a*b \n") == "**a\\*b** *a\\*b*"


def test_html_text_and_plain() -> None:
    assert filters.html('<b>&"\'\n\x0c\x01') == "&lt;b&gt;&amp;&#34;&#39;<br><br>"
    assert filters.html_plain(filters.html("a&b\nc")) == "a&amp;b c"  # macro output: not escaped twice


def test_css_string_is_text_once_and_cannot_end_the_style() -> None:
    css = filters.css_string(filters.html('A&B "q" \'s\' \\ </style>\nx'))
    assert "&amp;" not in css and "</" not in css and "\n" not in css
    assert _css_unescape(css) == 'A&B "q" \'s\' \\ </style> x'


def test_docx_run_breaks() -> None:
    run = filters.xml_run("a&b\x0bc\x0cd\te")
    assert run == ('a&amp;b</w:t><w:br/><w:t xml:space="preserve">c</w:t><w:br w:type="page"/>'
                   '<w:t xml:space="preserve">d</w:t><w:tab/><w:t xml:space="preserve">e')
    assert filters.xml_line_breaks(run).count('w:type="page"') == 0


def test_placeholders_in_text_are_not_markup(view: AnnexView) -> None:
    """Text that looks like a template's internal placeholder stays text."""
    md = environment("md")
    xml = environment("xml")
    tpl = '{% import "FMT" as f %}{% call f.list(True) %}{% call f.li() %}{{ t }}{% endcall %}{% endcall %}'
    for env, fmt in ((md, "md/_fmt.md.j2"), (xml, "docx/_fmt.xml.j2")):
        out = env.from_string(tpl.replace("FMT", fmt)).render(t="@@NUM@@ @@TH@@ \x00")
        assert "@@NUM@@ @@TH@@" in out and "\x00" not in out


# --------------------------------------------------------------------------- Markdown


def _md_inline(s: str) -> str:
    """The text a CommonMark/GFM renderer shows for one line of the annex's Markdown: backslash escapes
    give the character, `<br>` a line break, raw HTML tags and emphasis, code, strikethrough and math
    delimiters show nothing, entity references are decoded, a link shows its text."""
    out: list[str] = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s) and s[i + 1] in string.punctuation:
            out.append(s[i + 1])
            i += 2
        elif s.startswith("<br>", i):
            out.append("\n")
            i += 4
        elif m := re.compile(r"</?[A-Za-z][^<>]*>|<!--.*?-->").match(s, i):
            i = m.end()
        elif m := re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z]+);").match(s, i):
            out.append(html.unescape(m.group()))
            i = m.end()
        elif m := re.compile(r"\[([^\]]*)\]\(([^)]*)\)").match(s, i):
            out.append(_md_inline(m.group(1)))
            i = m.end()
        elif c in "*_~`$":
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _md_cells(line: str) -> list[str]:
    """A GFM table row split at its unescaped pipes."""
    cells, cur, i = [], "", 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line):
            cur += line[i:i + 2]
            i += 2
        elif line[i] == "|":
            cells.append(cur)
            cur = ""
            i += 1
        else:
            cur += line[i]
            i += 1
    cells.append(cur)
    return [c.strip() for c in cells[1:-1]]


def md_readback(text: str) -> list[str]:
    """Every text block (paragraph, heading, list item, table cell) of the Markdown as a reader sees it.
    Checks the table structure on the way: every row of a table has the header's number of cells."""
    out: list[str] = []
    width = None
    for line in text.split("\n"):
        if line.startswith("|"):
            cells = _md_cells(line)
            width = width or len(cells)
            assert len(cells) == width, f"a table row has {len(cells)} cells, the header {width}: {line!r}"
            if not all(re.fullmatch("-+", c) for c in cells):
                out.extend(_md_inline(c) for c in cells)
            continue
        width = None
        if re.match(r"</?(div|p|table)\b", line):  # an HTML block: raw HTML, no Markdown (no escapes) inside
            raw = html.unescape(re.sub(r"<[^>]*>", "", line.replace("<br>", "\n")))
            if raw.strip():
                out.append(raw)
            continue
        line = re.sub(r"^(#{1,6} |- |\d+\. |> )", "", line)
        if line.strip() and line != "---" and not line.startswith("<!--"):
            out.append(_md_inline(line))
    return out


def test_markdown_reads_back_every_text_once(program: model.Program, view: AnnexView) -> None:
    blocks = md_readback(render_markdown(view))
    assert blocks[0] == _as_line(_read(_annex_ref(CONFIG))), "the reference above the title"
    for name, expected in _all_texts(program):
        assert any(_as_line(e) in b for e in expected for b in blocks), f"{name} not read back: {expected[0]!r}"


def test_markdown_table_rows_survive_newlines_and_pipes(program: model.Program, view: AnnexView) -> None:
    text = render_markdown(view)
    row = next(line for line in text.split("\n") if line.startswith("|") and "№24" in line)
    head, *cells = (_md_inline(c) for c in _md_cells(row))
    assert head == _as_line(_read(field_text(24))) + "(1)"  # the row's footnote mark, in <sup>
    assert cells == [_as_line(_read(field_text(n))) for n in (27, 28)]


# --------------------------------------------------------------------------- HTML


class _HtmlText(HTMLParser):
    """Text of the body by block (a new block at every p, li, td, th, h*), `<br>` read as a line break;
    the <title> text and the <style> source on the side."""

    BLOCKS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "footer"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = [""]
        self.title = ""
        self.style = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("title", "style"):
            self._in = tag
        elif tag == "br":
            self.blocks[-1] += "\n"
        elif tag in self.BLOCKS:
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("title", "style"):
            self._in = None
        elif tag in self.BLOCKS:
            self.blocks.append("")

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "style":
            self.style += data
        else:
            self.blocks[-1] += data


def _css_unescape(css: str) -> str:
    return re.sub(r"\\([0-9a-fA-F]{1,6}) ?|\\(.)", lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), css)


def test_html_reads_back_every_text_once(program: model.Program, view: AnnexView) -> None:
    parser = _HtmlText()
    parser.feed(render_html(view))
    parser.close()
    for name, expected in _all_texts(program):
        assert any(_as_line(e) in b for e in expected for b in parser.blocks), f"{name} not read back: {expected[0]!r}"
    assert parser.title == _flat(_read(_annex_ref(CONFIG))) + " — " + _flat(_read(program.title))
    assert parser.style.count("@bottom-left") == 2  # the <style> was not ended early
    content = re.search(r'@bottom-left \{ content: "((?:[^"\\]|\\.)*)"; \}', parser.style)
    assert content is not None
    assert _css_unescape(content.group(1)) == _flat(_read(_footer_text(program, CONFIG)))


# --------------------------------------------------------------------------- DOCX


def _run_text(p: object) -> str:
    """A paragraph's text from its runs: a line break as "\\n", a page break as "\\f", a tab as "\\t"."""
    out = []
    for r in p.iter(qn("w:r")):  # type: ignore[attr-defined]
        for el in r:
            if el.tag == qn("w:t"):
                out.append(el.text or "")
            elif el.tag == qn("w:br"):
                out.append("\f" if el.get(qn("w:type")) == "page" else "\n")
            elif el.tag == qn("w:tab"):
                out.append("\t")
    return "".join(out)


def test_docx_every_part_is_well_formed_and_reads_back_every_text_once(program: model.Program, view: AnnexView) -> None:
    data = render_docx(view, environment("xml"))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            part = zf.read(name)
            ElementTree.fromstring(part)
            xml.dom.minidom.parseString(part)
    d = docx.Document(io.BytesIO(data))
    body = [_run_text(p._p) for p in d.paragraphs]
    cells = [_run_text(p._p) for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    footer = [_run_text(p._p) for p in d.sections[0].footer.paragraphs]
    assert all("\f" not in t for t in cells + footer), "a page break inside a table cell or the footer"
    assert any("\f" in t for t in body), "U+000C in a body paragraph is Word's page break"
    texts = body + cells + footer
    for name, expected in _all_texts(program):
        assert any(e in t or _as_line(e) in t for e in expected for t in texts), f"{name} not read back: {expected[0]!r}"
    assert any(_as_line(_read(_footer_text(program, CONFIG))) in t for t in footer)
    assert d.core_properties.title == _flat(_read(program.title))
    assert d.paragraphs[1].style.name == "Title"


def test_docx_unmapped_control_characters_never_reach_xml(program: model.Program) -> None:
    """Every C0 control, DEL, C1, a lone surrogate and U+FFFE/U+FFFF in every config value and title."""
    nasty = "".join(map(chr, range(0x20))) + "\x7f\x85\x9f\ud800\udfff\ufffe\uffff"
    prog = attrs.evolve(program, title=f"T{nasty}T")
    config = AnnexConfig(**{k: f"{k}{nasty}" for k in CONFIG_KEYS})  # type: ignore[arg-type]
    v = build_view(prog, config)
    with zipfile.ZipFile(io.BytesIO(render_docx(v, environment("xml")))) as zf:
        for name in zf.namelist():
            xml.dom.minidom.parseString(zf.read(name))
    render_markdown(v).encode("utf-8")
    render_html(v).encode("utf-8")


# --------------------------------------------------------------------------- PDF


def _nows(text: str) -> str:
    return re.sub(r"\s+", "", text)


@cache
def _pdf_pages(html_text: str, prog: model.Program) -> tuple[str, ...]:
    return tuple(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(html_text, prog))).pages)


def test_pdf_footer_and_table_read_back_once(program: model.Program, view: AnnexView) -> None:
    pages = _pdf_pages(render_html(view), program)
    footer = _nows(_flat(_read(_footer_text(program, CONFIG))))
    assert all(footer in _nows(p) for p in pages), "the footer of every page, escaped once"
    text = _nows("".join(pages))
    assert "&amp;amp;" not in text and "&#34;" not in text and "&lt;" not in text
    for n in (24, 26, 27, 28):  # a row head, the table caption, two cells of the matrix
        assert _nows(_flat(_read(field_text(n)))) in text


def test_pdf_footer_from_annex_toml_is_not_double_escaped(tmp_path: Path, program: model.Program) -> None:
    """The reported case: quotes and `&` in annex.toml came out as &amp; and &#34; in the PDF footer."""
    toml = tmp_path / "annex.toml"
    toml.write_text('[defaults]\nannex_number = "2 & 3"\ncontract_number = "«15» \\"ТП\\" \'A\' <b>"\n', encoding="utf-8")
    config = load_annex_config(toml, program.id)
    plain = attrs.evolve(program, title="Программа", edition="2026-11")
    pages = _pdf_pages(render_html(build_view(plain, config)), plain)
    assert "Приложение №\u00a02 & 3 к Договору №\u00a0«15» \"ТП\" 'A' <b> · ред. 2026-11".replace("\u00a0", " ") \
        in pages[0].replace("\u00a0", " ")
