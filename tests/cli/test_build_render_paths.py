"""The two ways `build.render` makes an annex give the same bytes: in this process from the HTML it
rendered (one heavy job: no pool), and in a worker that renders the HTML itself (PDF jobs are
submitted before the main process renders any HTML, so WeasyPrint loads at once)."""
from __future__ import annotations

from pathlib import Path

import pytest

from policy_lang.backends.annex.config import AnnexConfig
from policy_lang.build import pipeline as build
from policy_lang.frontend import compile_file

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def _program(name: str) -> tuple[object, object]:
    c = compile_file(POLICIES / f"{name}.policy")
    assert c.program is not None, c.diagnostics
    return c.program, AnnexConfig()


@pytest.mark.skipif(bool(__import__("policy_lang.backends.annex.pdf", fromlist=["problems"]).problems()),
                    reason="WeasyPrint cannot run here")
def test_pdf_in_process_and_in_a_worker_are_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "_workers", lambda: 2)
    one = _program("juniper_care_core")
    alone = build.render([one], ("html", "pdf"))  # one PDF: rendered here, from this HTML
    pooled = build.render([one, _program("landesk_support")], ("html", "pdf"))  # two: in the workers
    for kind in ("html", "pdf"):
        name = build.output_name("juniper_care_core", kind)
        assert alone[name] == pooled[name], name
