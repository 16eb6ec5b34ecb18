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
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = ("import policy_lang, policy_lang.grammar as g, sys;"
            "print(policy_lang.__file__); print(g.grammar_path());"
            "from policy_lang.cli import main; sys.argv=['policyc','check',sys.argv[1]]; main()")
    res = subprocess.run([sys.executable, "-c", code, str(REPO / "policies")], cwd=elsewhere, env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith(str(target)) and lines[1].startswith(str(target))
    assert sum(1 for x in lines if x.startswith("ok  ")) == 6
