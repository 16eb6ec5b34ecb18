"""The generated evaluator of one example policy, compiled once per test session.

The examples' own test files (test_<id>.py) ask it for their program; compiling checks on the way
that the example compiles with no diagnostic (W0701 aside: a date-dependent notice that the decree
data of the production calendar ends soon).
"""
from __future__ import annotations

import types
from functools import cache
from pathlib import Path

from policy_lang.backends.python.emit import emit_python
from policy_lang.frontend import compile_file

POLICIES = Path(__file__).resolve().parents[2] / "policies"


@cache
def example_module(pid: str) -> types.ModuleType:
    c = compile_file(POLICIES / "examples" / f"{pid}.policy", root=POLICIES)
    assert c.program is not None, c.diagnostics
    assert [d for d in c.diagnostics if d.code != "W0701"] == []
    m = types.ModuleType(c.program.id)
    exec(compile(emit_python(c.program), c.program.id, "exec"), m.__dict__)
    return m
