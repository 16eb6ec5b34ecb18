"""Read rendered annexes back as plain text (for snapshots and content checks)."""
from __future__ import annotations

import html
import io
import re

import docx

NBSP = "\u00a0"


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(NBSP, " ")).strip()


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


def md_text(data: bytes) -> str:
    return norm(re.sub(r"\\(.)", r"\1", _md_unlink(re.sub(r"</?sup>", "", data.decode("utf-8")))))
