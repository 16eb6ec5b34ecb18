"""Check ok means build works, and stays small: a program at every size limit (P0303) checks,
builds a Python evaluator and imports it; one answer, target or working interval more is a
located P0303, not a 95 MB module (probe M5, m11)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from policy_lang.cli import main
from policy_lang.frontend import compile_file
from policy_lang.semantics import check as limits


def _windows(n: int) -> str:
    """`n` half-hour windows an hour apart from 00:00: `00:00-00:30, 01:00-01:30, ...`."""
    return ", ".join(f"{i:02d}:00-{i:02d}:30" for i in range(n))


def max_program(tiers: int = 10, channels: int = 10, priorities: int = 10, targets: int = 4, *,
                windows: tuple[int, ...] = (limits.MAX_WINDOWS_PER_DAY, 3), years: tuple[int, int] = (2024, 2030),
                requests: int = 0, days: str = "mon-sun", name: str = "max_size") -> str:
    """A program of `tiers` x `channels` x `priorities` answers, each with `targets` targets
    (`response` and `targets - 1` others), and one calendar per entry of `windows`, open every
    day (or `days`) with that many windows over `years`. The defaults are the largest program the limits
    let through: 1,000 answers, 4,000 target cells, 12 windows a day, 38,355 working intervals
    (a 4.2 MB module; its import took 0.52 s, 0.65-0.76 s without a cached .pyc, on a 2-core machine)."""
    tier_ids = [f"t{i}" for i in range(tiers)]
    prios = [f"P{i + 1}" for i in range(priorities)]
    out = [f'program {name} {{\n    title  "Программа предельного размера"\n    vendor "Vendor"\n}}\n',
           f'holidays ru "производственный календарь" {{\n    official RU years {years[0]} .. {years[1]}\n}}\n']
    for k, n in enumerate(windows):
        out.append(f'calendar cal{k} "часы {k}" {{\n    zone   "Europe/Moscow"\n'
                   f'    hours  {days} {_windows(n)}\n    except ru\n}}\n')
    out.append('calendar around "круглосуточно" {\n    always\n}\n')
    out += [f'channel c{i} "канал {i}" {{\n    available cal0\n}}\n' for i in range(channels)]
    out.append("tiers {\n" + "".join(f'    {t} "Уровень {t}" purchased\n' for t in tier_ids) + "}\n")
    out.append("priorities {\n" + "".join(f'    {p} "Приоритет {p}"\n' for p in prios) + "}\n")
    if requests:
        out.append("requests {\n" + "".join(f'    r{i} "Запрос {i}" as {prios[-1]}\n'
                                            for i in range(requests)) + "}\n")
    header = "priority " + " ".join(tier_ids)
    rows = "".join(f"    {p} " + " ".join(f"{i + 1}h" for i in range(tiers)) + "\n" for p in prios)
    out.append(f"response on cal0 {{\n    {header}\n{rows}}}\n")
    out += [f'target g{g} "Цель {g}" on cal0 {{\n    {header}\n{rows}}}\n' for g in range(targets - 1)]
    return "".join(out)


@pytest.fixture(scope="module")
def max_policy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("max") / "max_size.policy"
    path.write_text(max_program(), encoding="utf-8")
    return path


def _codes(tmp_path: Path, text: str) -> list[tuple[str, int, int, str]]:
    path = tmp_path / "p.policy"
    path.write_text(text, encoding="utf-8")
    result = compile_file(path)
    return [(d.code, d.span.line, d.span.column, d.message) for d in result.diagnostics if d.severity == "error"]


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_the_largest_program_the_limits_allow_checks_and_builds_a_module(max_policy: Path, tmp_path: Path) -> None:
    result = compile_file(max_policy)
    assert result.ok, [d.message for d in result.errors]
    assert result.program is not None and len(result.program.decisions) == limits.MAX_ANSWERS
    runner = CliRunner()
    res = runner.invoke(main, ["check", str(max_policy)])
    assert res.exit_code == 0, res.output
    out = tmp_path / "out"
    res = runner.invoke(main, ["build", str(max_policy), "--out", str(out), "--only", "python"])
    assert res.exit_code == 0, res.output
    module = out / "python" / "max_size.py"
    assert module.is_file()
    spec = importlib.util.spec_from_file_location("max_size_module", module)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["max_size_module"] = mod
    try:
        spec.loader.exec_module(mod)  # imports (its time is measured by hand, not asserted)
        assert len(mod.TIERS) == 10
    finally:
        del sys.modules["max_size_module"]


def test_the_probes_maximum_declared_sizes_are_one_located_error(tmp_path: Path) -> None:
    """50 tiers x 20 channels x 10 priorities x 20 targets: within MAX_ITEMS, but 10,000 answers."""
    text = max_program(50, 20, 10, 20)
    found = _codes(tmp_path, text)
    assert [(c, ln, col) for c, ln, col, _ in found] == [("P0303", _line_of(text, "tiers {"), 1)]
    assert "10_000 answers" in found[0][3]


def test_one_answer_too_many_is_p0303_at_the_tiers_block(tmp_path: Path) -> None:
    text = max_program(11, 10, 10, 1)  # 1,100 answers
    found = _codes(tmp_path, text)
    assert [(c, ln, col) for c, ln, col, _ in found] == [("P0303", _line_of(text, "tiers {"), 1)]


def test_request_types_count_as_answers(tmp_path: Path) -> None:
    text = max_program(10, 10, 10, 1, requests=1)  # 10 x 10 x 11
    found = _codes(tmp_path, text)
    assert [c for c, *_ in found] == ["P0303"] and "priorities and request types" in found[0][3]


def test_one_target_too_many_is_p0303_at_that_target(tmp_path: Path) -> None:
    text = max_program(10, 10, 10, 5)  # 5,000 target cells: the fifth target is one too many
    found = _codes(tmp_path, text)
    assert [(c, ln, col) for c, ln, col, _ in found] == [("P0303", _line_of(text, 'target g3 "'), 8)]


def test_too_many_windows_a_day_is_p0303_at_the_first_window_beyond(tmp_path: Path) -> None:
    n = limits.MAX_WINDOWS_PER_DAY
    text = max_program(1, 1, 1, 1, windows=(n + 1,))
    found = _codes(tmp_path, text)
    line = _line_of(text, "hours  mon-sun")
    column = text.splitlines()[line - 1].index(f"{n:02d}:00-") + 1
    assert [(c, ln, col) for c, ln, col, _ in found] == [("P0303", line, column)]


def test_the_probes_720_windows_a_day_over_14_years_is_refused_at_once(tmp_path: Path) -> None:
    """Probe M5: a 2 KB policy built for 53 s into a 95 MB module."""
    wins = ", ".join(f"{m // 60:02d}:{m % 60:02d}-{m // 60:02d}:{m % 60 + 1:02d}" for m in range(0, 1440, 2))
    text = max_program(1, 1, 1, 1, windows=(1,), years=(2024, 2037)).replace(
        "hours  mon-sun 00:00-00:30", f"hours  mon-sun {wins}")
    found = _codes(tmp_path, text)
    assert [c for c, *_ in found] == ["P0303"] and "720 working windows" in found[0][3]


def test_a_calendar_baking_too_many_intervals_is_p0303_at_the_calendar(tmp_path: Path) -> None:
    text = max_program(1, 1, 1, 1, windows=(12,), years=(2024, 2037))  # 12 x 5,114 days
    found = _codes(tmp_path, text)
    assert [(c, ln, col) for c, ln, col, _ in found] == [("P0303", _line_of(text, 'calendar cal0 "'), 10)]
    assert "61_368 working intervals" in found[0][3]


def test_calendars_baking_too_many_intervals_together_is_p0303_at_the_one_beyond(tmp_path: Path) -> None:
    text = max_program(1, 1, 1, 1, windows=(12, 12))  # 2 x 30,684
    found = _codes(tmp_path, text)
    assert [(c, ln, col) for c, ln, col, _ in found] == [("P0303", _line_of(text, 'calendar cal1 "'), 10)]
    assert "61_368 working intervals together" in found[0][3]


def test_too_many_calendar_years_is_p0303_at_the_calendar_beyond(tmp_path: Path) -> None:
    text = max_program(1, 1, 1, 1, windows=(1,) * 11, years=(2024, 2037), days="mon")  # 11 x 14 years
    found = _codes(tmp_path, text)
    assert [(c, ln, col) for c, ln, col, _ in found] == [("P0303", _line_of(text, 'calendar cal10 "'), 10)]
    assert "154 calendar-years" in found[0][3]


def test_limits_are_cli_errors_with_exit_1_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "big.policy"
    path.write_text(max_program(50, 20, 10, 20), encoding="utf-8")
    runner = CliRunner()
    for args in (["check", str(path)], ["build", str(path), "--out", str(tmp_path / "o"), "--only", "python"]):
        res = runner.invoke(main, args)
        assert res.exit_code == 1, res.output
        assert "Traceback" not in res.output and "error[P0303]" in res.output
        assert res.exception is None or isinstance(res.exception, SystemExit)
    assert not (tmp_path / "o" / "python" / "big.py").exists()
