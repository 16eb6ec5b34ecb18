"""Ids that print alike, program ids used twice, and paths that lead astray (probe C5, m5, M3,
m4, M6, M7, M8, m7): each is one located diagnostic with its code, `check` and `build` exit 1,
and no command prints a traceback or lets a terminal control sequence through."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policy_lang.cli import main
from policy_lang.diagnostics import Diagnostic, Label, Span, render_text
from policy_lang.frontend import compile_file, program_files
from policy_lang.semantics.check import id_defect, id_skeleton
from policy_lang.syntax.sources import read_inside

HEAD = 'program {id} {{\n    title  "Пример"\n    vendor "Vendor"\n}}\n'


def program(pid: str = "acme_support", extra: str = "") -> str:
    return HEAD.format(id=pid) + 'calendar office "офис" {\n    always\n}\n' + extra


def run(*args: str) -> Result:
    res = CliRunner().invoke(main, list(args))
    assert "Traceback" not in res.output, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res


def failed(res: Result, code: str) -> str:
    assert res.exit_code == 1, res.output
    assert f"error[{code}]" in res.output, res.output
    return res.output


# -- M3, m4: ids that print alike, or as nothing ---------------------------------------------

PRIORITY_PAIRS = {
    "cyrillic_er": ("P1", '"\u04201"', "P0206"),
    "greek_rho": ("P1", '"\u03a11"', "P0206"),
    "nfc_vs_nfd": ('"\u00e9"', '"e\u0301"', "P0206"),
    "full_width_digit": ('"1"', '"\uff11"', "P0206"),
    "zero_width_space": ("P1", '"P1\u200b"', "P0207"),
    "trailing_space": ("P1", '"P1 "', "P0207"),
    "leading_space": ("P1", '" P1"', "P0207"),
    "rtl_override": ("P1", '"\u202eP1"', "P0207"),
    "rtl_isolate": ("P1", '"\u2067P1\u2069"', "P0207"),
    "zwj": ("P1", '"P\u200d1"', "P0207"),
    "zwnj": ("P1", '"P\u200c1"', "P0207"),
    "no_break_space": ('"P 1"', '"P\u00a02"', "P0207"),
    "empty": ("P1", '""', "P0207"),
    "blank": ("P1", '" "', "P0207"),
    "kelvin": ('"K1"', '"\u212a1"', "P0205"),
    "sharp_s": ('"Maß"', '"MASS"', "P0205"),
}


@pytest.mark.parametrize("case", sorted(PRIORITY_PAIRS))
def test_priority_ids_that_print_alike_are_one_error_at_the_second(tmp_path: Path, case: str) -> None:
    first, second, code = PRIORITY_PAIRS[case]
    path = tmp_path / "p.policy"
    path.write_text(program(extra=f'priorities {{\n    {first} "первый"\n    {second} "второй"\n}}\n'),
                    encoding="utf-8")
    result = compile_file(path)
    assert result.program is None
    errors = [(d.code, d.span.line, d.span.column) for d in result.errors]
    assert (code, 10, 5) in errors, errors
    d = next(d for d in result.errors if d.code == code)
    if code != "P0207":  # names the first
        assert [(lab.span.line, lab.span.column) for lab in d.secondary] == [(9, 5)]
    out = failed(run("check", str(path)), code)
    assert "\u202e" not in out and "\u2067" not in out  # bidi controls are shown escaped
    failed(run("build", str(path), "--out", str(tmp_path / "out"), "--only", "python"), code)
    assert not (tmp_path / "out" / "python").exists()


def test_a_plain_quoted_id_is_still_fine(tmp_path: Path) -> None:
    path = tmp_path / "p.policy"
    path.write_text(program(extra='priorities {\n    "1" "первый"\n    "Severity 2" "второй"\n    P3 "третий"\n}\n'),
                    encoding="utf-8")
    assert compile_file(path).ok


def test_skeletons_and_defects() -> None:
    assert id_skeleton("P1") == id_skeleton("\u04201") == id_skeleton("\u03a11") == id_skeleton("\uff30\uff11") == "p1"
    assert id_skeleton("\u00e9") == id_skeleton("e\u0301")
    assert id_skeleton("P1") != id_skeleton("P2")
    assert id_defect("P1") is None and id_defect("Severity 1") is None and id_defect("\u00e9") is None
    for bad in ("", " ", "P1 ", " P1", "P1\u200b", "\ufeffP1", "P\u00ad1", "\u202eP1", "P\u20661", "P\u00a01", "P\t1"):
        assert id_defect(bad) is not None, repr(bad)


def test_a_reference_to_a_lookalike_of_a_declared_id_is_still_an_error(tmp_path: Path) -> None:
    path = tmp_path / "p.policy"
    path.write_text(program(extra='channel phone "телефон" { available office }\ntiers {\n    t "T" purchased\n}\n'
                            'priorities {\n    P1 "первый"\n}\nresponse on office {\n    priority t\n    "\u04201" 1h\n}\n'),
                    encoding="utf-8")
    result = compile_file(path)
    assert result.program is None and [(d.code, d.span.line, d.span.column) for d in result.errors] == [("P0504", 17, 5)]
    assert "looks like the priority `P1`" in (result.errors[0].help or "")
    assert "CYRILLIC CAPITAL LETTER ER" in (result.errors[0].help or "")


# -- C5, m5: one program id per check and build ------------------------------------------------

def _two_programs(tmp_path: Path, first: str, second: str) -> Path:
    root = tmp_path / "policies"
    root.mkdir()
    (root / "a.policy").write_text(program(first), encoding="utf-8")
    (root / "b.policy").write_text(program(second), encoding="utf-8")
    return root


@pytest.mark.parametrize(("first", "second"), [("acme_support", "acme_support"), ("acme_support", "Acme_Support"),
                                                ("acme_support", "ACME_SUPPORT")])
def test_a_program_id_used_twice_is_p0803_at_the_second_file(tmp_path: Path, first: str, second: str) -> None:
    root = _two_programs(tmp_path, first, second)
    out = failed(run("check", str(root)), "P0803")
    assert re.search(r"b\.policy:1:9: error\[P0803\]", out), out
    assert "a.policy:1:9" in out  # names the first
    assert "1 error in 1 of 2 program(s)" in out
    res = run("build", str(root), "--out", str(tmp_path / "out"), "--only", "python")
    failed(res, "P0803")
    assert not (tmp_path / "out").exists()  # nothing built, nothing lost


def test_program_ids_across_files_json(tmp_path: Path) -> None:
    import json

    root = _two_programs(tmp_path, "acme_support", "acme_support")
    res = run("check", "--format", "json", str(root))
    assert res.exit_code == 1
    items = json.loads(res.output)["diagnostics"]
    assert [(Path(i["path"]).name, i["line"], i["column"], i["code"]) for i in items] == [("b.policy", 1, 9, "P0803")]
    assert Path(items[0]["labels"][0]["path"]).name == "a.policy"


def test_distinct_program_ids_still_check(tmp_path: Path) -> None:
    root = _two_programs(tmp_path, "acme_support", "acme_premium")
    res = run("check", str(root))
    assert res.exit_code == 0, res.output


# -- M6: symlink loops ---------------------------------------------------------------------------

def test_an_include_that_is_a_symlink_loop_is_p0003_at_the_include(tmp_path: Path) -> None:
    (tmp_path / "x.policy").symlink_to("y.policy")
    (tmp_path / "y.policy").symlink_to("x.policy")
    main_file = tmp_path / "main.policy"
    main_file.write_text('include "x.policy"\n' + program(), encoding="utf-8")
    result = compile_file(main_file)
    assert [(d.code, d.span.line, d.span.column) for d in result.diagnostics] == [("P0003", 1, 9)]
    assert "symlink loop" in result.diagnostics[0].message
    out = failed(run("check", str(main_file)), "P0003")
    assert "symlink loop" in out
    failed(run("build", str(main_file), "--out", str(tmp_path / "out"), "--only", "python"), "P0003")


def test_a_program_file_that_is_a_symlink_loop_is_reported_not_skipped(tmp_path: Path) -> None:
    root = tmp_path / "policies"
    root.mkdir()
    (root / "good.policy").write_text(program(), encoding="utf-8")
    (root / "loop.policy").symlink_to("loop.policy")
    assert root / "loop.policy" in program_files(root)
    out = failed(run("check", str(root)), "P0003")
    assert re.search(r"loop\.policy:1:1: error\[P0003\]: a symbolic link that leads to itself", out), out
    failed(run("build", str(root), "--out", str(tmp_path / "out"), "--only", "python"), "P0003")


# -- M7: file names that are not UTF-8 -----------------------------------------------------------

@pytest.mark.skipif(os.name != "posix", reason="needs bytes file names")
def test_a_file_name_that_is_not_utf8_is_p0003_not_a_traceback(tmp_path: Path) -> None:
    root = tmp_path / "policies"
    root.mkdir()
    bad = os.path.join(os.fsencode(root), b"bad\xff.policy")
    with open(bad, "wb") as fh:
        fh.write(program().encode())
    [path] = program_files(root)
    result = compile_file(path, root)
    assert [(d.code, d.span.line, d.span.column) for d in result.diagnostics] == [("P0003", 1, 1)]
    assert result.diagnostics[0].span.path.endswith("bad\\xff.policy")
    for args in (["check", str(root)], ["check", "--format", "json", str(root)],
                 ["build", str(root), "--out", str(tmp_path / "out"), "--only", "python"]):
        res = run(*args)
        assert res.exit_code == 1, res.output
        assert "P0003" in res.output and "bad\\xff.policy" in res.output.replace("\\\\", "\\")


@pytest.mark.skipif(os.name != "posix", reason="needs bytes file names")
def test_a_directory_name_that_is_not_utf8_is_printed_escaped(tmp_path: Path) -> None:
    d = os.path.join(os.fsencode(tmp_path), b"dir\xfe")
    os.mkdir(d)
    with open(os.path.join(d, b"acme.policy"), "wb") as fh:
        fh.write(program().encode())
    res = run("check", os.fsdecode(d))
    assert res.exit_code == 0, res.output
    assert "dir\\xfe" in res.output and "(acme_support)" in res.output


# -- M8: program files linked out of the root ----------------------------------------------------

def test_a_program_file_linked_out_of_the_root_is_p0601_and_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:SECRET-FIRST-LINE\n", encoding="utf-8")
    root = tmp_path / "policies"
    root.mkdir()
    (root / "good.policy").write_text(program(), encoding="utf-8")
    (root / "x.policy").symlink_to(secret)
    result = compile_file(root / "x.policy", root)
    assert [(d.code, d.span.line, d.span.column) for d in result.diagnostics] == [("P0601", 1, 1)]
    assert result.sources == {}  # never read
    for args in (["check", str(root)], ["build", str(root), "--out", str(tmp_path / "out"), "--only", "python"]):
        out = failed(run(*args), "P0601")
        assert "SECRET" not in out
        assert re.search(r"x\.policy:1:1: error\[P0601\]", out), out
    # named on its own, it is refused the same way
    out = failed(run("check", str(root / "x.policy")), "P0601")
    assert "SECRET" not in out


def test_a_program_file_linked_inside_the_root_is_fine(tmp_path: Path) -> None:
    root = tmp_path / "policies"
    (root / "lib").mkdir(parents=True)
    (root / "lib" / "real.policy").write_text(program(), encoding="utf-8")
    (root / "alias.policy").symlink_to(root / "lib" / "real.policy")
    assert run("check", str(root)).exit_code == 0
    (root / "zz_second_alias.policy").symlink_to("alias.policy")  # the same file twice: one program
    assert program_files(root) == [root / "alias.policy"]
    res = run("check", str(root))
    assert res.exit_code == 0 and res.output.count("ok  ") == 1, res.output


def test_read_inside_refuses_links_out_of_the_root_loops_and_devices(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "ok.toml").write_bytes(b"a = 1\n")
    assert read_inside(root / "ok.toml", root) == b"a = 1\n"
    secret = tmp_path / "secret.toml"
    secret.write_bytes(b"SECRET\n")
    (root / "out.toml").symlink_to(secret)
    (root / "loop.toml").symlink_to("loop.toml")
    (root / "dir.toml").mkdir()
    (root / "big.toml").write_bytes(b"#" * 100)
    cases = {"out.toml": "outside", "loop.toml": "symlink loop", "dir.toml": "directory",
             "missing.toml": "no such file", "big.toml": "too large"}
    for name, words in cases.items():
        d = read_inside(root / name, root, "P1101", limit=50)
        assert isinstance(d, Diagnostic), name
        assert d.code == "P1101" and words in d.message and "SECRET" not in d.message, (name, d.message)
        assert (d.span.line, d.span.column) == (1, 1)
    if Path("/dev/zero").exists():
        (root / "zero.toml").symlink_to("/dev/zero")
        d = read_inside(root / "zero.toml", Path("/"), "P1001")
        assert isinstance(d, Diagnostic) and "not a regular file" in d.message


# -- m7: terminal control sequences are escaped in rendered diagnostics --------------------------

def test_control_sequences_in_file_names_are_escaped(tmp_path: Path) -> None:
    root = tmp_path / "policies"
    root.mkdir()
    (root / "evil\x1b[2J\x1b]0;owned\x07.policy").write_text(program("\u0430cme"), encoding="utf-8")
    res = run("check", str(root))
    assert res.exit_code == 1
    assert "\x1b" not in res.output and "\x07" not in res.output
    assert "evil\\x1b[2J\\x1b]0;owned\\x07.policy" in res.output


def test_an_ok_line_escapes_control_sequences_too(tmp_path: Path) -> None:
    root = tmp_path / "policies"
    root.mkdir()
    (root / "ok\x1b[31m.policy").write_text(program(), encoding="utf-8")
    res = run("check", str(root))
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output and "ok\\x1b[31m.policy" in res.output


def test_render_text_escapes_controls_and_keeps_the_caret_under_its_text() -> None:
    line = 'x = "\x1b[31m" # \u202eevil\x9b2J tail'
    col = line.index("tail") + 1
    d = Diagnostic("P1101", "bad \x1b]8;;http://x\x07 value", Label(Span("c.toml", 1, col, 1, col + 4), "here\x1b"),
                   notes=("note \x1b[0m",), help="help \u2066")
    text = render_text(d, {"c.toml": line})
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text), repr(text)
    rows = text.splitlines()
    source, caret = rows[2], rows[3]
    assert source.endswith('x = "\\x1b[31m" # \\u202eevil\\x9b2J tail')
    assert caret.index("^") == source.index("tail") and caret.count("^") == 4
    assert "\\x1b]8;;http://x\\x07" in rows[0] and "\\x1b[0m" in text and "\\u2066" in text


def test_a_toml_line_with_an_escape_sequence_is_printed_escaped(tmp_path: Path) -> None:
    root = tmp_path / "policies"
    root.mkdir()
    (root / "acme.policy").write_text(program(extra='channel phone "телефон" { available office }\n'
                                              'tiers {\n    t "T" purchased\n}\n'), encoding="utf-8")
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "x.toml").write_bytes(b'program = "acme_support"\x1b[2J\n# \x1b]0;owned\x07\n')
    res = run("check", str(root))
    assert res.exit_code == 1, res.output
    assert "\x1b" not in res.output and "\x07" not in res.output


def test_a_file_named_twice_on_the_command_line_is_one_program(tmp_path: Path) -> None:
    root = _two_programs(tmp_path, "acme_support", "acme_premium")
    res = run("check", str(root / "a.policy"), str(root), str(root / "a.policy"))
    assert res.exit_code == 0, res.output
    assert res.output.count("(acme_support)") == 1 and res.output.count("(acme_premium)") == 1


def test_json_diagnostics_escape_c1_and_bidi_controls_and_stay_valid() -> None:
    import json

    from policy_lang.diagnostics import to_json

    d = Diagnostic("P0001", "bad \x1b[31m \x9b2J \u202e", Label(Span("a\x9b.policy", 1, 1, 1, 2)))
    text = to_json([d])
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", text)
    assert json.loads(text)[0]["message"] == "bad \x1b[31m \x9b2J \u202e"
