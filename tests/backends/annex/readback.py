"""Read rendered annexes back as plain text (for snapshots and content checks).

Every reader is cached: the same bytes (or the same file, by path, size and mtime) are parsed once
per session however many cases look into them. The readers return `str` (immutable), so a cached
answer cannot be changed by the test that asked for it.
"""
from __future__ import annotations

import html
import io
import os
import re
from functools import lru_cache
from pathlib import Path

import docx

NBSP = "\u00a0"

#: enough for every program's annexes and the few variants a test renders itself; the oldest go first
_CACHED = 64


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(NBSP, " ")).strip()


@lru_cache(maxsize=_CACHED)
def docx_text(data: bytes) -> str:
    """Body in document order: paragraphs, and tables as ' | '-joined rows; then the footer."""
    d = docx.Document(io.BytesIO(data))
    out: list[str] = []
    for el in d.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in el.iter("{*}t"))
            style = el.find("{*}pPr/{*}pStyle")
            name = style.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val") if style is not None else ""
            if text:
                out.append(f"[{name}] {text}")
        elif tag == "tbl":
            out.append("<table>")
            for tr in el.iter("{*}tr"):
                cells = ["".join(t.text or "" for t in tc.iter("{*}t")) for tc in tr.iterchildren("{*}tc")]
                out.append(" | ".join(cells))
            out.append("</table>")
    out.append("[footer] " + " ".join(p.text for p in d.sections[0].footer.paragraphs))
    return "\n".join(out).replace(NBSP, "~")


@lru_cache(maxsize=_CACHED)
def html_text(data: bytes) -> str:
    text = data.decode("utf-8")
    text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
    return norm(html.unescape(re.sub(r"<[^>]+>", " ", text)))


#: what filters.md percent-encodes inside an autolink
_MD_URL_DECODE = {"%7C": "|", "%20": " ", "%3C": "<", "%3E": ">"}


def _md_unlink(text: str) -> str:
    """Autolinks `<URL>` as the URL, `[www.x](<http://www.x>)` as its text (backslash escapes kept)."""
    text = re.sub(r"\[((?:[^\]\\]|\\.)*)\]\(<[^>]*>\)", r"\1", text)
    return re.sub(r"<((?:[a-zA-Z][a-zA-Z0-9+.-]{1,31}:|[^\s<>@]+@)[^\s<>]*)>",
                  lambda m: re.sub(r"%(7C|20|3C|3E)", lambda e: _MD_URL_DECODE[e.group()], m.group(1))
                  .replace("\\", "\\\\"), text)


@lru_cache(maxsize=_CACHED)
def md_text(data: bytes) -> str:
    return norm(re.sub(r"\\(.)", r"\1", _md_unlink(re.sub(r"</?sup>", "", data.decode("utf-8")))))


@lru_cache(maxsize=_CACHED)
def pdf_pages(data: bytes) -> tuple[str, ...]:
    """The text pypdf extracts from each page, in page order."""
    from pypdf import PdfReader  # only the PDF readers need it

    return tuple(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_text(data: bytes) -> str:
    """Every page's text, joined by newlines."""
    return "\n".join(pdf_pages(data))


_READERS = {".md": md_text, ".html": html_text, ".docx": docx_text, ".pdf": pdf_text}


@lru_cache(maxsize=_CACHED)
def _file_text(path: Path, size: int, mtime_ns: int) -> str:
    return _READERS[path.suffix](path.read_bytes())


def file_text(path: Path) -> str:
    """A generated annex file read back by its suffix (.md, .html, .docx, .pdf); cached while the file
    keeps its size and modification time, so a file rewritten by a build is read again."""
    st = os.stat(path)
    return _file_text(Path(path).resolve(), st.st_size, st.st_mtime_ns)
