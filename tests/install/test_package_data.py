"""A non-editable install finds its grammar: `policyc check` works from another directory."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_installed_package_ships_the_grammar(tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(REPO)], check=True, capture_output=True, timeout=300)
    assert (target / "policy_lang" / "grammar" / "policy.lark").is_file()
    # the language reference and the packaged data travel with the wheel
    assert (target / "policy_lang" / "docs" / "language.md").read_text(encoding="utf-8") == \
        (REPO / "docs" / "language.md").read_text(encoding="utf-8")
    assert (target / "policy_lang" / "data" / "ru_production_calendar.toml").is_file()
    assert (target / "policy_lang" / "syntax" / "_lark_parser.py").is_file()  # Lark's standalone parser: no `lark` needed
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = ("import policy_lang, policy_lang.syntax.grammar as g, sys;"
            "print(policy_lang.__file__); print(g.grammar_path());"
            "from policy_lang.cli import main; sys.argv=['policyc','check',sys.argv[1]]; main()")
    res = subprocess.run([sys.executable, "-c", code, str(REPO / "policies")], cwd=elsewhere, env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith(str(target)) and lines[1].startswith(str(target))
    assert sum(1 for x in lines if x.startswith("ok  ")) == 6


def test_init_writes_a_program_that_checks_and_builds(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from policy_lang.cli import main

    runner = CliRunner()
    res = runner.invoke(main, ["init", "acme_support", "--dir", str(tmp_path)])
    assert res.exit_code == 0, res.output
    policy = tmp_path / "acme_support.policy"
    assert runner.invoke(main, ["check", str(policy)]).exit_code == 0
    out = tmp_path / "gen"
    res = runner.invoke(main, ["build", str(policy), "--out", str(out), "--only", "python,md"])
    assert res.exit_code == 0, res.output
    import policy_lang

    m = policy_lang.load(policy)
    assert m.TIERS == ("standard",) and m.PRIORITIES == ("P1", "P2")
    assert (out / "python" / "acme_support.py").is_file()
    assert runner.invoke(main, ["init", "acme_support", "--dir", str(tmp_path)]).exit_code == 2  # no overwrite
    assert runner.invoke(main, ["init", "Acme-Support", "--dir", str(tmp_path)]).exit_code == 2
