"""Random mutations of the real policies never crash `policyc check`: clean, or located diagnostics."""
from __future__ import annotations

import json
import re
import shutil
import types
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_lang.backends.annex.config import AnnexConfig
from policy_lang.backends.annex.docx import render_docx
from policy_lang.backends.annex.render import environment, render_html, render_markdown
from policy_lang.backends.annex.view import build_view
from policy_lang.backends.python.emit import emit_python
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
    if result.ok:
        build_without_pdf(result.program, root)


def build_without_pdf(program, out: Path) -> None:  # noqa: ANN001
    """What `policyc build` does after a clean check, but the PDF: nothing may raise."""
    source = emit_python(program)
    module = types.ModuleType(program.id)
    exec(compile(source, f"<mutant {program.id}>", "exec"), module.__dict__)
    assert module.PROGRAM.id == program.id
    view = build_view(program, AnnexConfig())
    (out / f"{program.id}.py").write_text(source, encoding="utf-8")
    (out / f"{program.id}.md").write_text(render_markdown(view), encoding="utf-8")
    (out / f"{program.id}.html").write_text(render_html(view), encoding="utf-8")
    (out / f"{program.id}.docx").write_bytes(render_docx(view, environment("xml")))


HOSTILE_IDS = ["match", "__init__", "class", "_", "Office", "SUPPORT_HOURS", "P1"]


@st.composite
def hostile(draw: st.DrawFn) -> tuple[str, bytes]:
    """Mutations aimed at later stages: reserved or colliding ids, control characters, huge
    numbers, duplicated blocks, deep expressions."""
    path = draw(st.sampled_from(PROGRAMS))
    text = path.read_text(encoding="utf-8")
    op = draw(st.sampled_from(["rename", "control", "huge", "duplicate", "deep"]))
    if op == "rename":
        words = sorted(set(re.findall(r"^\s*(?:calendar|channel|holidays|event|condition|period|vouchers|warranty|rule|obligation)\s+([a-z_]+)", text, re.M)))
        if words:
            old = draw(st.sampled_from(words))
            text = re.sub(rf"\b{old}\b", draw(st.sampled_from(HOSTILE_IDS)), text)
    elif op == "control":
        pos = draw(st.integers(0, len(text)))
        text = text[:pos] + draw(st.sampled_from(["\x0b", "\x0c", "\x1b", "\u2028", "\x85"])) + text[pos:]
    elif op == "huge":
        text = re.sub(r"\b(\d+)(h|\s*business days|\s*years?|\s*days?)\b",
                      lambda m: str(10 ** draw(st.integers(3, 15))) + m.group(2), text, count=1)
    elif op == "duplicate":
        blocks = re.findall(r"^(?:vouchers|response|priorities|reclassify|incidents|reinstatement|calendar|matrix)\b.*?^}", text, re.M | re.S)
        if blocks:
            text += "\n" + draw(st.sampled_from(blocks)) + "\n"
    else:
        n = draw(st.integers(10, 400))
        text += f'\nrule deep_rule "R" = ' + "max(" * n + "1 day" + ", 2 days)" * n + "\n"
    return path.name, text.encode("utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=hostile())
def test_hostile_policy_checks_or_builds(tmp_path_factory, case: tuple[str, bytes]) -> None:
    name, data = case
    root = tmp_path_factory.mktemp("policies")
    shutil.copytree(ROOT / "shared", root / "shared")
    target = root / name
    target.write_bytes(data)
    result = compile_file(target, root=root)
    assert (result.program is not None) == result.ok
    if result.ok:
        build_without_pdf(result.program, root)
