"""Random mutations of the real policies never crash `policyc check`: clean, or located diagnostics."""
from __future__ import annotations

import json
import re
import shutil
import types
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_lang.backends.annex.config import AnnexConfig
from policy_lang.backends.annex.docx import render_docx
from policy_lang.backends.annex.render import environment, render_html, render_markdown
from policy_lang.backends.annex.view import build_view
from policy_lang.backends.python.emit import emit_python
from policy_lang.cli import main
from policy_lang.frontend import compile_file

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
        assert d.code.startswith("P" if d.severity == "error" else "W") and d.message
    assert (result.program is not None) == (not any(d.severity == "error" for d in result.diagnostics))
    res = CliRunner().invoke(main, ["check", "--format", "json", "--root", str(root), str(target)])
    assert res.exit_code in (0, 1), res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert len(json.loads(res.stdout)["diagnostics"]) == len(result.diagnostics)
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


HOSTILE_IDS = ["match", "__init__", "class", "_", "None", "Office", "SUPPORT_HOURS", "P1", "start", "at", "on",
               "obligation", "rule", "json"]


@st.composite
def hostile(draw: st.DrawFn) -> tuple[str, bytes]:
    """Mutations aimed at later stages: reserved or colliding ids, control characters, huge
    numbers, duplicated blocks, deep expressions."""
    path = draw(st.sampled_from(PROGRAMS))
    text = path.read_text(encoding="utf-8")
    op = draw(st.sampled_from(["rename", "control", "huge", "duplicate", "deep", "digits", "line_break",
                               "days", "two_terms", "matrix_row"]))
    if op == "rename":
        words = sorted(set(re.findall(r"^\s*(?:program|calendar|channel|holidays|event|condition|period|vouchers|warranty|rule|obligation)\s+([a-z_]+)", text, re.M)))
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
        blocks = re.findall(r"^(?:vouchers|response|priorities|reclassify|incidents|reinstatement|calendar|matrix|tiers|parties|services)\b.*?^}", text, re.M | re.S)
        if blocks:
            text += "\n" + draw(st.sampled_from(blocks)) + "\n"
    elif op == "deep":
        n = draw(st.integers(10, 400))
        text += f'\nrule deep_rule "R" = ' + "max(" * n + "1 day" + ", 2 days)" * n + "\n"
    elif op == "digits":  # numbers, clause numbers and marks too long for int() or the annex
        digits = "9" * draw(st.sampled_from([16, 400, 5000]))
        pattern = draw(st.sampled_from([r"\b\d+(?=h\b|\s*years?\b|\s*days?\b)", r"(?<=§ )\d+", r"(?<=\()\d+(?=\))"]))
        text = re.sub(pattern, digits, text, count=1)
    elif op == "line_break":  # `\n` inside a title, a zone, a label or a table cell
        strings = [m.start() + 1 for m in re.finditer(r'"[^"\n]{2,}"', text)]
        if strings:
            pos = draw(st.sampled_from(strings))
            text = text[:pos] + "\\n" + text[pos:]
    elif op == "days":  # response times in days: allowed on an always calendar only
        text = re.sub(r"\b(\d+)h\b", r"\1 days", text, count=draw(st.integers(1, 3)))
    elif op == "two_terms":
        text = re.sub(r"(\n\s*within [^\n]*)", r"\1\n    at_least 30 days before "
                      + draw(st.sampled_from(["term", "support_term", "x"])), text, count=1)
    else:  # a service's row copied into another matrix
        rows = re.findall(r"^matrix\b.*?^}", text, re.M | re.S)
        if rows:
            block = draw(st.sampled_from(rows))
            body = block.splitlines()
            if len(body) > 3:
                copy = "\n".join(["matrix copied_rows \"Копия\" {", body[1], draw(st.sampled_from(body[2:-1])), "}"])
                text += "\n" + copy + "\n"
    return path.name, text.encode("utf-8")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
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


#: Programs that `check` used to accept while a later stage raised or computed nonsense:
#: each must now be refused with diagnostics, or build and load.
CRAFTED = {
    "response_in_days_on_24x7": ('calendar c "24x7" { always }\ntiers { gold "Gold" purchased }\n'
                                 'response on c {\n    priority gold\n    any 2 days\n}\n', None),
    "condition_named_start": ('event e "e"\ncondition start "s"\n', "P0204"),
    "event_named_at": ('event at "e"\n', "P0204"),
    "two_tiers_blocks": ('tiers { a "A" 0 .. }\ntiers { b "B" 0 .. }\n', "P0202"),
    "service_in_two_matrices": ('tiers { a "A" purchased }\nservices { s "S" }\n'
                                'matrix m1 "M1" {\n    service a\n    s 1\n}\nmatrix m2 "M2" {\n    service a\n    s 2\n}\n',
                                "P0505"),
    "obligation_with_two_terms": ('event e "e"\ncalendar c "c" { zone "Europe/Moscow" hours mon-fri 09:00-18:00 }\n'
                                  'period t "T" { starts e length 1 year }\n'
                                  'obligation o "O" { by either from e within 5 business days on c at_least 30 days before t }\n',
                                  "P0101"),
    "remaining_without_start": ('warranty w "W" { length 1 year }\nrule r "R" = max(90 days, remaining w)\n', "P0102"),
    "huge_literal": ('period p "P" { length ' + "9" * 5000 + ' years }\n', "P0302"),
    "huge_footnote_mark": ('footnote (' + "9" * 5000 + ') "x"\n', "P0302"),
    "huge_clause_number": ('clause c "C" § ' + "9" * 5000 + ' { text "x" }\n', "P0302"),
    "title_with_line_break": ('event e "a\\nb"\n', "P0006"),
}


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_crafted_programs_check_clean_and_build_or_are_refused(tmp_path: Path, name: str) -> None:
    body, code = CRAFTED[name]
    path = tmp_path / "crafted.policy"
    path.write_text('program crafted { title "T" vendor "V" }\n' + body, encoding="utf-8")
    result = compile_file(path, root=tmp_path)
    if code is None:
        assert result.ok, [(d.code, d.message) for d in result.diagnostics]
        build_without_pdf(result.program, tmp_path)
    else:
        assert [d.code for d in result.diagnostics] == [code], [(d.code, d.message) for d in result.diagnostics]
