"""Whatever the input, `policyc check` ends with located diagnostics or ok, never a traceback."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policy_lang.cli import main

CASES = {
    "empty": b"",
    "only_comment": b"# nothing here\n",
    "binary_junk": bytes(range(256)) * 4,
    "non_utf8": 'program x { title "'.encode() + b"\xff\xfe" + b'" }\n',
    "nul_bytes": b'program x {\x00}\n',
    "nested_braces": b"program x {" + b"{" * 10_000 + b"}" * 10_000 + b"}\n",
    "nested_calendar_braces": b'calendar c "c" ' + b"{" * 10_000,
    "huge_one_line": b"x" * 200_000,
    "bom": "\ufeffprogram x {\n title \"a\"\n vendor \"b\"\n}\n".encode(),
    "crlf": b'program x {\r\n title "a"\r\n vendor "b"\r\n}\r\n',
    "unclosed_long_string": b'program x {\n title """abc\n',
    "lone_quote": b'"',
    "only_dots": b".. .. ..",
}


def run_check(path: Path, *extra: str):
    res = CliRunner().invoke(main, ["check", *extra, str(path)])
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    return res


@pytest.mark.parametrize("name", sorted(CASES))
def test_odd_inputs_get_located_diagnostics(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.policy"
    path.write_bytes(CASES[name])
    res = run_check(path)
    assert res.exit_code in (0, 1)
    if res.exit_code == 1:
        assert f"{name}.policy:" in res.output and "error[P" in res.output
    js = run_check(path, "--format", "json")
    data = json.loads(js.stdout)
    assert all({"path", "line", "column", "code", "message"} <= set(d) for d in data)


def test_ten_megabyte_file_is_refused_with_a_diagnostic(tmp_path: Path) -> None:
    path = tmp_path / "big.policy"
    path.write_bytes(b"# " + b"x" * (10 * 1024 * 1024) + b"\n")
    res = run_check(path)
    assert res.exit_code == 1
    assert "error[P0003]: file is too large" in res.output


def test_non_utf8_points_at_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.policy"
    path.write_bytes('program x {\n  title "caf'.encode() + b"\xe9" + b'"\n}\n')
    res = run_check(path)
    assert "latin1.policy:2:13: error[P0003]: not UTF-8 text (byte 0xe9)" in res.output


def test_directory_without_policies_is_a_usage_error(tmp_path: Path) -> None:
    res = run_check(tmp_path)
    assert res.exit_code == 2


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    res = run_check(tmp_path / "nope.policy")
    assert res.exit_code == 2
    assert "no such file" in res.output


def test_a_directory_named_like_a_policy_is_reported(tmp_path: Path) -> None:
    d = tmp_path / "odd.policy"
    d.mkdir()
    (tmp_path / "real.policy").write_text('program r {\n title "a"\n vendor "b"\n}\n', encoding="utf-8")
    res = run_check(tmp_path)
    assert res.exit_code == 0, res.output  # the directory is not taken for a program


def test_several_errors_are_reported_in_one_run(tmp_path: Path) -> None:
    path = tmp_path / "many.policy"
    path.write_text('program x {\n title "a"\n vendor "b"\n}\n'
                    'channel phone "т" { available nowhere }\n'
                    'tiers { a "A" 5 .. 10 }\n'
                    'services { s "S" grants fax }\n', encoding="utf-8")
    res = run_check(path, "--format", "json")
    codes = sorted(d["code"] for d in json.loads(res.stdout))
    assert codes == ["P0201", "P0201", "P0402", "P0402"]


def test_usage_error_exit_status_is_two() -> None:
    res = CliRunner().invoke(main, ["check", "--format", "yaml"])
    assert res.exit_code == 2
