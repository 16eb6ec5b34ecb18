"""Every broken policy in tests/bad/ yields its expected code at its expected place, and no traceback."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from policy_lang.cli import main
from policy_lang.diagnostics import CODES, render_text
from policy_lang.frontend import compile_file

BAD = Path(__file__).resolve().parent.parent / "bad"
CASES = sorted(BAD.glob("*.policy"))
EXPECT = re.compile(r"^# expect: (P\d{4}) (?:(\S+\.policy):)?(\d+):(\d+)$", re.M)


def expectation(path: Path) -> tuple[str, str | None, int, int]:
    m = EXPECT.search(path.read_text(encoding="utf-8"))
    assert m, f"{path.name} has no `# expect: CODE line:col` line"
    return m.group(1), m.group(2), int(m.group(3)), int(m.group(4))


def test_corpus_is_large_and_covers_every_code() -> None:
    assert len(CASES) >= 30
    codes = {expectation(p)[0] for p in CASES}
    # P0003/P0004 need binary or huge inputs: tests/syntax/test_robust_input.py makes them
    # W-codes are warnings: a policy with only a warning is not bad (tests/semantics/test_warnings.py)
    # P1001 is about the annex config (tests/cli/test_build_pipeline.py), P1101 about a contract
    # instance (tests/contracts/test_contracts.py), not a policy; P0803 is about two program files
    # of one check (tests/semantics/test_ids_and_paths.py); P0706 about a calendar data file
    # (tests/semantics/test_calendar_data.py)
    assert {c for c in CODES if c.startswith("P")} - codes <= {"P0003", "P0004", "P0706", "P0803", "P1001", "P1101"}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bad_policy_reports_expected_diagnostic(path: Path) -> None:
    code, in_file, line, col = expectation(path)
    result = compile_file(path, root=BAD)
    assert result.program is None
    found = [(d.code, Path(d.span.path).name, d.span.line, d.span.column) for d in result.diagnostics]
    expected_file = Path(in_file).name if in_file else path.name
    assert (code, expected_file, line, col) in found, found
    assert path.stem.split("_")[0] == code


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_rendered_diagnostic_has_location_line_and_caret(path: Path) -> None:
    result = compile_file(path, root=BAD)
    d = result.diagnostics[0]
    text = render_text(d, result.sources)
    first = text.splitlines()[0]
    assert re.match(rf"^\S+:{d.span.line}:{d.span.column}: error\[{d.code}\]: \S", first), first
    if d.code not in ("P0003",):
        assert "^" in text


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_cli_exit_status_is_one_and_no_traceback(path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["check", "--root", str(BAD), str(path)])
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_snapshot_of_rendered_diagnostics(snapshot) -> None:
    """The exact wording of every diagnostic; review changes with `pytest --snapshot-update`."""
    rendered = []
    for path in CASES:
        result = compile_file(path, root=BAD)
        for d in result.diagnostics:
            rendered.append(render_text(d, result.sources).replace(str(BAD), "<bad>"))
    assert "\n\n".join(rendered) == snapshot


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_explains_itself_with_an_example_and_a_fix(code: str) -> None:
    from policy_lang.diagnostics import explain

    text = explain(code)
    assert text is not None and CODES[code][0] in text
    assert "For example:" in text and "\nFix: " in text
