"""Fixtures for the annex backend tests: every program compiled and rendered once."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from policy_lang import model
from policy_lang.backends.annex.render import AnnexConfig, render_annex
from policy_lang.compiler import compile_file, program_files

POLICIES = Path(__file__).resolve().parents[3] / "policies"
PROGRAM_IDS = tuple(p.stem for p in program_files(POLICIES))


@cache
def program(program_id: str) -> model.Program:
    c = compile_file(POLICIES / f"{program_id}.policy")
    assert c.program is not None, c.diagnostics
    return c.program


@cache
def rendered(program_id: str) -> dict[str, bytes]:
    return render_annex(program(program_id), AnnexConfig())


@pytest.fixture(params=PROGRAM_IDS)
def program_id(request: pytest.FixtureRequest) -> str:
    return request.param
