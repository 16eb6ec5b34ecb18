"""Random mutations of the real policies never crash `policyc check`: clean, or located diagnostics."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_lang.cli import main
from policy_lang.compiler import compile_file

ROOT = Path(__file__).resolve().parents[2] / "policies"
PROGRAMS = sorted(ROOT.glob("*.policy"))


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(PROGRAMS))
    lines = path.read_bytes().split(b"\n")
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "truncate", "insert_bytes", "flip_char"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "truncate":
            cut = draw(st.integers(0, len(lines[i])))
            lines = lines[:i] + [lines[i][:cut]]
        elif op == "insert_bytes":
            junk = draw(st.binary(min_size=1, max_size=12))
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + junk + lines[i][pos:]
        else:
            if lines[i]:
                pos = draw(st.integers(0, len(lines[i]) - 1))
                ch = draw(st.sampled_from(list(b'{}"#.,-:()*0123456789abz ')))
                lines[i] = lines[i][:pos] + bytes([ch]) + lines[i][pos + 1:]
    return path.name, b"\n".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=mutated())
def test_mutated_policy_never_crashes(tmp_path_factory, case: tuple[str, bytes]) -> None:
    name, data = case
    root = tmp_path_factory.mktemp("policies")
    shutil.copytree(ROOT / "shared", root / "shared")
    target = root / name
    target.write_bytes(data)
    result = compile_file(target, root=root)  # raises on a crash
    for d in result.diagnostics:
        assert d.span.line >= 1 and d.span.column >= 1
        assert d.code.startswith("P") and d.message
    assert (result.program is not None) == (not result.diagnostics)
    res = CliRunner().invoke(main, ["check", "--format", "json", "--root", str(root), str(target)])
    assert res.exit_code in (0, 1), res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert len(json.loads(res.stdout)) == len(result.diagnostics)
