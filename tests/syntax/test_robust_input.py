"""Whatever the input, `policyc check` ends with located diagnostics or ok, never a traceback."""
from __future__ import annotations

import json
import os
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
    data = json.loads(js.stdout)["diagnostics"]
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
    codes = sorted(d["code"] for d in json.loads(res.stdout)["diagnostics"])
    assert codes == ["P0201", "P0201", "P0402", "P0402"]


def test_usage_error_exit_status_is_two() -> None:
    res = CliRunner().invoke(main, ["check", "--format", "yaml"])
    assert res.exit_code == 2


MINIMAL = 'program x {\n title "a"\n vendor "b"\n}\n'


def _compile_in_thread(path: Path, root: Path):
    """compile_file, but a hang fails the test instead of blocking the suite."""
    import threading

    from policy_lang.frontend import compile_file

    out: list[object] = []
    worker = threading.Thread(target=lambda: out.append(compile_file(path, root=root)), daemon=True)
    worker.start()
    worker.join(30)
    assert out, "compile_file did not return: it is blocked reading the input"
    return out[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_as_policy_or_include_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.policy"
    os.mkfifo(fifo)
    result = _compile_in_thread(fifo, tmp_path)
    assert [(d.code, "not a regular file" in d.message) for d in result.diagnostics] == [("P0003", True)]
    main_file = tmp_path / "main.policy"
    main_file.write_text(MINIMAL + 'include "pipe.policy"\n', encoding="utf-8")
    result = _compile_in_thread(main_file, tmp_path)
    assert [d.code for d in result.diagnostics] == ["P0003"]
    assert "not a regular file" in result.diagnostics[0].message


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_device_is_refused_directly_or_through_a_symlinked_include(tmp_path: Path) -> None:
    link = tmp_path / "zero.policy"
    link.symlink_to("/dev/zero")
    result = _compile_in_thread(link, tmp_path)
    assert [d.code for d in result.diagnostics] == ["P0601"]  # a program file linked out of the root: never opened
    main_file = tmp_path / "main.policy"
    main_file.write_text(MINIMAL + 'include "zero.policy"\n', encoding="utf-8")
    result = _compile_in_thread(main_file, tmp_path)
    assert [d.code for d in result.diagnostics] == ["P0601"]  # resolved outside the root: never opened


def test_a_file_larger_than_its_stat_size_is_read_only_up_to_the_limit(monkeypatch, tmp_path: Path) -> None:
    """The limit does not trust st_size (0 for devices and /proc files): at most limit+1 bytes are read."""
    from policy_lang.syntax import sources

    monkeypatch.setattr(sources, "MAX_BYTES", 100)
    path = tmp_path / "big.policy"
    path.write_bytes(b"#" * 1000)
    text, diag, data = sources.read_source(path, "big.policy")
    assert text is None and diag is not None and diag.code == "P0003" and "too large" in diag.message


@pytest.mark.parametrize("depth", [17, 40, 500, 5000])
def test_deeply_nested_expressions_are_one_located_error(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.policy"
    path.write_text(MINIMAL + 'rule r "R" = ' + "max(" * depth + "1 day" + ", 2 days)" * depth + "\n",
                    encoding="utf-8")
    res = run_check(path, "--format", "json")
    codes = [d["code"] for d in json.loads(res.stdout)["diagnostics"]]
    if depth <= 32:
        assert "P0004" not in codes
    else:
        assert codes == ["P0004"]


@pytest.mark.parametrize("char", ["\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u2028", "\uffff", "\r"])
def test_control_characters_are_rejected_with_their_name_and_place(tmp_path: Path, char: str) -> None:
    path = tmp_path / "ctl.policy"
    path.write_bytes(f'program x {{\n title "ab{char}c"\n vendor "b"\n}}\n'.encode("utf-8"))
    res = run_check(path)
    assert res.exit_code == 1
    assert f"ctl.policy:2:11: error[P0005]: control character U+{ord(char):04X}" in res.output


def test_tab_and_crlf_are_ordinary_whitespace(tmp_path: Path) -> None:
    path = tmp_path / "ok.policy"
    path.write_bytes(b'program x {\r\n\ttitle "a\tb"\r\n\tvendor "b"\r\n}\r\n')
    assert run_check(path).exit_code == 0


def test_one_bad_cell_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "cell.policy"
    path.write_text(MINIMAL + 'tiers { gold "Gold" purchased  silver "Silver" purchased }\n'
                    'services { rt "Время реакции" }\n'
                    'matrix m "M" {\n    service gold silver\n    rt      2x   4h\n}\n', encoding="utf-8")
    res = run_check(path, "--format", "json")
    assert [(d["code"], d["line"], d["column"]) for d in json.loads(res.stdout)["diagnostics"]] == [("P0901", 9, 13)]


def test_a_number_too_long_for_python_is_a_diagnostic(tmp_path: Path) -> None:
    path = tmp_path / "huge.policy"
    path.write_text(MINIMAL + 'period p "P" {\n    length ' + "9" * 5000 + " years\n}\n", encoding="utf-8")
    res = run_check(path, "--format", "json")
    assert [(d["code"], d["line"]) for d in json.loads(res.stdout)["diagnostics"]] == [("P0302", 6)]


def test_str_of_policy_error_names_the_diagnostics(tmp_path: Path) -> None:
    from policy_lang.diagnostics import PolicyError
    from policy_lang.loading import load

    path = tmp_path / "bad.policy"
    path.write_text(MINIMAL + 'channel phone "т" { available nowhere }\n', encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load(path)
    text = str(info.value)
    assert "1 error in the policy" in text
    assert "bad.policy:5:31: error[P0201]: undefined calendar `nowhere`" in text
