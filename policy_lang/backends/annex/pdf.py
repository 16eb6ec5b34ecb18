"""PDF writer: the annex HTML through WeasyPrint, fonts embedded, metadata fixed for byte-identical output."""
from __future__ import annotations

import hashlib

from ... import model


def render_pdf(html: str, program: model.Program) -> bytes:
    import weasyprint

    doc = weasyprint.HTML(string=html, base_url=None).render()
    # No creation/modification dates in the HTML meta, so none in the PDF; the identifier is
    # derived from the source, so two builds of the same policy give the same bytes.
    identifier = hashlib.sha256(f"{program.sha256}:{program.id}:annex".encode()).hexdigest()[:32].encode()
    pdf = doc.write_pdf(pdf_identifier=identifier, uncompressed_pdf=False)
    assert pdf is not None
    return pdf
