"""Production calendar data outside the package: `--calendar-data FILE` (check, build, query) and
`calendar-data` in policyc.toml add or override decree years, validated as the packaged file is;
its errors are located P0706 diagnostics in that file; the outputs and the build inputs follow it."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from policy_lang.backends.annex.config import AnnexConfig
from policy_lang.backends.annex.render import render_markdown
from policy_lang.backends.annex.view import build_view
from policy_lang.backends.python.emit import emit_python
from policy_lang.cli import main
from policy_lang.diagnostics import render_text
from policy_lang.frontend import compile_file
from policy_lang.semantics import production_calendar as pc

REPO = Path(__file__).resolve().parents[2]
POLICIES = REPO / "policies"
LANDESK = POLICIES / "landesk_support.policy"
DECREE_2028 = ("постановление Правительства Российской Федерации от 20.09.2027 № 1200 "
               "«О переносе выходных дней в 2028 году»")
FRIDAY = dt.date(2028, 11, 3)  # a working (shortened) Friday by Labour Code art. 112 alone


def _dates(ds: object) -> str:
    return "[" + ", ".join(d.isoformat() for d in sorted(ds)) + "]"  # type: ignore[attr-defined]


def block_2028(*, friday_off: bool = True, working_days: int | None = None, extra: str = "") -> str:
    """A [[year]] block for 2028: art. 112, and (by a made-up decree) Friday 3 November off."""
    y = pc.art112_year(2028)
    off = set(y.non_working) | ({FRIDAY} if friday_off else set())
    short = (set(y.shortened) - {FRIDAY}) | ({dt.date(2028, 11, 2)} if friday_off else set())
    days = working_days if working_days is not None else y.working_days - friday_off
    return (f'[[year]]\nyear = 2028\ndecree = "{DECREE_2028}"\ndecree_number = "1200"\n'
            f"decree_date = 2027-09-20\nnon_working = {_dates(off)}\nworking_weekends = []\n"
            f"shortened = {_dates(short)}\nworking_days = {days}\n{extra}")


def write(tmp_path: Path, text: str, name: str = "ru_2028.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_decree_year_added_is_baked_into_the_evaluator_and_cited_in_the_annex(tmp_path: Path) -> None:
    data = write(tmp_path, block_2028())
    plain = compile_file(LANDESK)
    with_data = compile_file(LANDESK, calendar_data=data)
    assert plain.ok and with_data.ok
    prog = with_data.program
    assert prog is not None and plain.program is not None
    (hs,) = [h for h in prog.holiday_sets if h.official_country == "RU"]
    assert dict(hs.years)[2028] == DECREE_2028 and dict(hs.years)[2029] is None
    assert hs.provisional_from == dt.date(2029, 1, 1)
    assert FRIDAY in hs.non_working and FRIDAY not in dict(plain.program.holiday_sets[0].years)
    # the annex names the decree, and 2028 is no longer «предварительно»
    md = render_markdown(build_view(prog, AnnexConfig())).replace("\xa0", " ")
    assert "от 20.09.2027 № 1200" in md
    assert "20.09.2027 № 1200" not in render_markdown(build_view(plain.program, AnnexConfig())).replace("\xa0", " ")
    # the evaluator: a P1 call on that Friday counts from Tuesday 7 November (6 November is off by art. 112)
    namespace: dict[str, object] = {}
    exec(compile(emit_python(prog), "<landesk>", "exec"), namespace)  # our own generated code
    msk = dt.timezone(dt.timedelta(hours=3))
    r = namespace["response"](tier="enterprise", priority="P1", channel="phone",  # type: ignore[operator]
                              registered_at=dt.datetime(2028, 11, 3, 10, 0, tzinfo=msk))
    assert r.deadline.replace(tzinfo=None) == dt.datetime(2028, 11, 7, 9, 0) and not r.provisional


def test_the_data_file_is_a_build_input_named_by_its_file_name(tmp_path: Path) -> None:
    data = write(tmp_path, block_2028())
    a = compile_file(LANDESK, calendar_data=data).program
    b = compile_file(LANDESK, calendar_data=data).program
    plain = compile_file(LANDESK).program
    assert a is not None and b is not None and plain is not None
    assert a.sha256 == b.sha256 != plain.sha256
    assert a.files[-1].path == "<calendar-data>/ru_2028.toml"
    # the same bytes elsewhere hash the same (CI and a laptop agree); other bytes do not
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    shutil.copy(data, elsewhere / "ru_2028.toml")
    c = compile_file(LANDESK, calendar_data=elsewhere / "ru_2028.toml").program
    assert c is not None and c.sha256 == a.sha256
    write(elsewhere, block_2028(friday_off=False))
    d = compile_file(LANDESK, calendar_data=elsewhere / "ru_2028.toml").program
    assert d is not None and d.sha256 != a.sha256


def test_a_packaged_year_is_overridden(tmp_path: Path) -> None:
    y = pc.data_years()[2027]
    off = set(y.non_working) | {dt.date(2027, 3, 12)}  # a Friday made a day off
    text = (f'[[year]]\nyear = 2027\ndecree = "постановление № 1 (исправленное)"\n'
            f"non_working = {_dates(off)}\nworking_weekends = {_dates(y.working_weekends)}\n"
            f"shortened = {_dates(y.shortened)}\nworking_days = {y.working_days - 1}\n")
    prog = compile_file(LANDESK, calendar_data=write(tmp_path, text, "fix.toml")).program
    assert prog is not None
    (hs,) = [h for h in prog.holiday_sets if h.official_country == "RU"]
    assert dict(hs.years)[2027] == "постановление № 1 (исправленное)"
    assert dt.date(2027, 3, 12) in hs.non_working
    assert pc.data_years()[2027].decree == y.decree  # outside the compilation: the packaged data again


BAD = [
    # (text, line, column, message fragment)
    (block_2028(working_days=250), 9, 1, "lists give 248 working days, the block says 250"),
    (block_2028().replace("non_working = [", "non_working = [2027-12-31, "), 6, 16, "2027-12-31 is not a date of 2028"),
    (block_2028().replace("non_working = [", "non_working = [2028-01-01, "), 6, 16, "non_working lists a weekend day"),
    (block_2028().replace("working_weekends = []", "working_weekends = [2028-03-01]"), 7, 21,
     "working_weekends lists a weekday"),
    (block_2028().replace("shortened = [", "shortened = [2028-11-06, "), 8, 14, "a shortened day is not a working day"),
    (block_2028(extra='non_workng = [2028-05-02]\n'), 10, 1, "unknown key `non_workng`"),
    (block_2028().replace("decree = ", "decre = "), 3, 1, "unknown key `decre`"),
    (f'[[year]]\nyear = 2030\ndecree = "x"\nworking_days = {pc._count_working(2030, frozenset(), frozenset())}\n',
     2, 1, "no block for 2028, between 2027 and 2030"),
    (block_2028() + "\n" + block_2028(), 12, 1, "year 2028 appears twice"),
    (block_2028().replace("working_days = 248", "working_days = \"248\""), 9, 1, "must be a whole number"),
    ('[[year]]\nyear = 2028\ndecree = "x\nworking_days = 1\n', 3, 12, "not valid TOML"),
    ("[calendar]\nyear = 2028\n", 1, 1, "unknown key `calendar`"),
    ("", 1, 1, "no [[year]] block"),
]


@pytest.mark.parametrize(("text", "line", "col", "message"), BAD, ids=[b[3][:40] for b in BAD])
def test_errors_in_the_data_file_are_located_p0706(tmp_path: Path, text: str, line: int, col: int,
                                                  message: str) -> None:
    data = write(tmp_path, text, "bad.toml")
    c = compile_file(LANDESK, calendar_data=data)
    assert not c.ok and c.program is None
    (d,) = c.diagnostics
    assert (d.code, Path(d.span.path).name, d.span.line, d.span.column) == ("P0706", "bad.toml", line, col), d
    assert message in d.message
    rendered = render_text(d, c.sources)
    assert re.match(rf"^\S*bad\.toml:{line}:{col}: error\[P0706\]: ", rendered), rendered
    assert "^" in rendered or not text


def test_cli_check_build_and_query_take_calendar_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_LANG_TODAY", "2027-10-01")  # 91 days of packaged decree data left
    runner = CliRunner()
    data = write(tmp_path, block_2028())
    warned = runner.invoke(main, ["check", str(LANDESK)])
    assert warned.exit_code == 0 and "W0701" in warned.output and "--calendar-data FILE" in warned.output
    assert "site-packages" not in warned.output
    quiet = runner.invoke(main, ["check", str(LANDESK), "--calendar-data", str(data)])
    assert quiet.exit_code == 0 and "W0701" not in quiet.output, quiet.output
    bad = write(tmp_path, block_2028(working_days=1), "bad.toml")
    res = runner.invoke(main, ["check", str(LANDESK), "--calendar-data", str(bad)])
    assert res.exit_code == 1 and "bad.toml:9:1: error[P0706]" in res.output and "Traceback" not in res.output
    res = runner.invoke(main, ["check", str(LANDESK), "--calendar-data", str(tmp_path / "missing.toml")])
    assert res.exit_code == 1 and "error[P0706]" in res.output and "no such file" in res.output
    # query: the answer follows the data
    ask = ["query", "landesk_support", "response", "--policies", str(POLICIES), "--tier", "enterprise",
           "--priority", "P1", "--channel", "phone", "--at", "2028-11-03T10:00+03:00"]
    before = runner.invoke(main, ask)
    after = runner.invoke(main, [*ask, "--calendar-data", str(data)])
    assert before.exit_code == after.exit_code == 0, after.output
    assert "3 ноября 2028 г., 11:00" in before.output.replace("\xa0", " ")
    assert "7 ноября 2028 г., 09:00" in after.output.replace("\xa0", " ")
    assert "предварительный" in before.output and "предварительный" not in after.output
    # build: the evaluator written is the one compiled with the data
    out = tmp_path / "out"
    res = runner.invoke(main, ["build", str(LANDESK), "--out", str(out), "--only", "python",
                               "--calendar-data", str(data)])
    assert res.exit_code == 0, res.output
    source = (out / "python" / "landesk_support.py").read_text(encoding="utf-8")
    assert "provisional_from='2029-01-01'" in source
    prog = compile_file(LANDESK, calendar_data=data).program
    assert prog is not None and prog.sha256 in source


def _project(tmp_path: Path, config: str | None) -> Path:
    (tmp_path / ".git").mkdir()  # the search for policyc.toml stops at the repository root
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES / "shared", policies / "shared")
    shutil.copy(LANDESK, policies / LANDESK.name)
    (tmp_path / "calendar").mkdir()
    write(tmp_path / "calendar", block_2028())
    if config is not None:
        (tmp_path / "policyc.toml").write_text(config, encoding="utf-8")
    return policies


def test_policyc_toml_beside_the_policies_names_the_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_LANG_TODAY", "2027-10-01")
    policies = _project(tmp_path, 'calendar-data = "calendar/ru_2028.toml"\n')
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    res = runner.invoke(main, ["check", "policies"])
    assert res.exit_code == 0 and "W0701" not in res.output, res.output
    ask = ["query", "landesk_support", "response", "--tier", "enterprise", "--priority", "P1", "--channel",
           "phone", "--at", "2028-11-03T10:00+03:00", "--format", "json"]
    res = runner.invoke(main, ask)
    assert res.exit_code == 0 and "2028-11-07T09:00:00+03:00" in res.output, res.output
    # the command line wins over the config
    (tmp_path / "empty.toml").write_text(block_2028(friday_off=False), encoding="utf-8")
    res = runner.invoke(main, [*ask, "--calendar-data", "empty.toml"])
    assert "2028-11-03T11:00:00+03:00" in res.output, res.output
    assert policies.is_dir()


@pytest.mark.parametrize(("config", "line", "col", "fragment"), [
    ('calendar_data = "calendar/ru_2028.toml"\n', 1, 1, "unknown key `calendar_data`"),
    ('calendar-data = "calendar/nope.toml"\n', 1, 1, "not found"),
    ("calendar-data = 2028\n", 1, 1, "must be a file name"),
    ('calendar-data = "a\n', 1, 19, "not valid TOML"),
])
def test_errors_in_policyc_toml_are_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str,
                                           line: int, col: int, fragment: str) -> None:
    _project(tmp_path, config)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["check", "policies", "--format", "json"])
    assert res.exit_code == 1, res.output
    found = json.loads(res.output)
    diags = found["diagnostics"] if isinstance(found, dict) else found
    (d,) = {(Path(x["path"]).name, x["line"], x["column"], x["code"], x["message"]) for x in diags}
    assert d[:4] == ("policyc.toml", line, col, "P0706") and fragment in d[4], d


def test_no_config_and_no_option_is_the_packaged_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, None)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["query", "landesk_support", "response", "--tier", "enterprise", "--priority",
                                    "P1", "--channel", "phone", "--at", "2028-11-03T10:00+03:00"])
    assert res.exit_code == 0 and "3 ноября 2028 г., 11:00" in res.output.replace("\xa0", " "), res.output
