"""Fixtures for the annex backend tests: every program compiled, rendered and read back once.

`program`, `rendered` and `readback` are cached for the session (a program's annexes are pure
functions of its source, which no test edits in place); the cached values are immutable or never
mutated by a test: a test that changes a program uses `attrs.evolve` and renders its own copy.
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

import pytest
from readback import docx_text, html_text, md_text, norm, pdf_text

from policy_lang.backends.annex.render import AnnexConfig, render_annex
from policy_lang.frontend import compile_file, program_files
from policy_lang.semantics import model

POLICIES = Path(__file__).resolve().parents[3] / "policies"
PROGRAM_IDS = tuple(p.stem for p in program_files(POLICIES))


@cache
def program(program_id: str) -> model.Program:
    c = compile_file(POLICIES / f"{program_id}.policy")
    assert c.program is not None, c.diagnostics
    return c.program


@cache
def rendered(program_id: str) -> Mapping[str, bytes]:
    """Every annex file of `program_id` (read-only: the tests share one rendering per session)."""
    return MappingProxyType(render_annex(program(program_id), AnnexConfig()))


_READERS = {"md": md_text, "html": html_text, "docx": docx_text, "pdf": pdf_text}


@cache
def readback(program_id: str, fmt: str) -> str:
    """The `fmt` annex ("md", "html", "docx" or "pdf") of `program_id` as plain text (readback.py),
    read back once per session: every case of a program shares it."""
    return _READERS[fmt](rendered(program_id)[f"{program_id}.{fmt}"])


@cache
def searchable(program_id: str) -> MappingProxyType[str, str]:
    """The body text of the MD, HTML and DOCX annexes as test_annex_content searches it: whitespace
    and no-break spaces collapsed, case folded, nested quotes as «»."""
    quotes = str.maketrans("„“", "«»")  # nested quotes are re-typeset by ru_format.quote
    return MappingProxyType({
        "md": norm(readback(program_id, "md").casefold()).translate(quotes),
        "html": norm(readback(program_id, "html").casefold()).translate(quotes),
        "docx": norm(norm(readback(program_id, "docx").replace("~", " ")).casefold()).translate(quotes),
    })


@pytest.fixture(params=PROGRAM_IDS)
def program_id(request: pytest.FixtureRequest) -> str:
    return request.param
