"""DOCX writer: WordprocessingML from the docx/ template tree, zipped with fixed dates and order.

Every part is well-formed XML whatever the text: the environment escapes text once and maps breaks
(filters.xml_run), and `well_formed` drops anything XML 1.0 cannot carry before a part is written."""
from __future__ import annotations

import io
import re
import zipfile
from importlib import resources

import jinja2

from .filters import well_formed
from .view import AnnexView

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

#: package part -> template (".j2": rendered with the view) or static file, in zip order
_PARTS = (
    ("[Content_Types].xml", "[Content_Types].xml"),
    ("_rels/.rels", "rels.xml"),
    ("docProps/app.xml", "app.xml"),
    ("docProps/core.xml", "core.xml.j2"),
    ("word/_rels/document.xml.rels", "document.xml.rels"),
    ("word/document.xml", "document.xml.j2"),
    ("word/footer1.xml", "footer.xml.j2"),
    ("word/numbering.xml", "numbering.xml"),
    ("word/settings.xml", "settings.xml"),
    ("word/styles.xml", "styles.xml"),
)


def _fixed_date(edition: str | None) -> str:
    """Core-property date: the first day of the edition's month ("2026-11"), else the zip epoch."""
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", edition or "")
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3) or '01'}T00:00:00Z"
    return "1980-01-01T00:00:00Z"


def render_docx(view: AnnexView, env: jinja2.Environment) -> bytes:
    root = resources.files("policy_lang").joinpath("templates", "annex", "docx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for part, source in _PARTS:
            if source.endswith(".j2"):
                text = env.get_template(f"docx/{source}").render(v=view, fixed_date=_fixed_date(view.program.edition))
                text = re.sub(r">\s*\n\s*<", "><", well_formed(text).strip()).replace("?><", "?>\n<", 1)
                data = text.encode("utf-8")
            else:
                data = root.joinpath(source).read_bytes()
            info = zipfile.ZipInfo(part, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, data)
    return buf.getvalue()
