"""Typed all the way: a generated module passes mypy --strict alone and satisfies EvaluatorModule, and a
client's answers from policy_lang.load() / contract() are typed (assert_type fails on Any)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from policy_lang.backends.python.emit import emit_python
from policy_lang.frontend import compile_file

REPO = Path(__file__).resolve().parents[2]
POLICIES = REPO / "policies"

CLIENT = f"""\
from __future__ import annotations

from datetime import date, datetime
from typing import assert_type
from zoneinfo import ZoneInfo

import policy_lang
from policy_lang import EvaluatorModule
from policy_lang.runtime.evaluator import Entitlement, Obligation, Response, VoucherGrant
from policy_lang.runtime.ticket import ClockRule, TargetState, TicketAnswer, registered, status

import landesk_support
import vk_cloud_support

as_protocol: EvaluatorModule = landesk_support  # every generated module has the protocol's names and types
also: EvaluatorModule = vk_cloud_support

m = policy_lang.load({str(POLICIES / "landesk_support.policy")!r})
assert_type(m, EvaluatorModule)
r = m.response(tier="enterprise", channel="phone", priority="P1",
               registered_at=datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Moscow")))
assert_type(r, Response)
assert_type(r.deadline, datetime | None)
assert_type(r.accepted, bool)
assert_type(m.TIERS, tuple[str, ...])
assert_type(m.entitlement(tier="enterprise", service="phone_support"), Entitlement)
assert_type(m.deadline("x", start=date(2026, 1, 1)), datetime | date)
assert_type(m.target_deadline("response", tier="enterprise", start=datetime(2026, 1, 1)), datetime | None)
assert_type(m.OBLIGATIONS["x"], Obligation)
assert_type(m.vouchers(tier="base", period_start=date(2026, 1, 1)), tuple[VoucherGrant, ...])
at = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))
a = m.ticket(tier="enterprise", events=[registered(at, "phone", "P1"), status(at, None),
                                        {{"at": "2026-03-10T11:00+03:00", "kind": "update"}}], at=at)
assert_type(a, TicketAnswer)
assert_type(a.targets, tuple[TargetState, ...])
assert_type(a.targets[0].due, datetime | None)
assert_type(a.targets[0].remaining, int | None)
assert_type(a.explanation, str)
assert_type(m.CLOCKS["resolution"], ClockRule)
assert_type(m.DEFAULT_PRIORITY, str | None)
assert_type(landesk_support.ticket(tier="enterprise", events=[], at=at), TicketAnswer)

c = policy_lang.contract({str(REPO / "contracts")!r} + "/x.toml")
assert_type(c.response(channel="phone", registered_at=datetime(2026, 1, 1)).deadline, datetime | None)
assert_type(c.vouchers(), tuple[VoucherGrant, ...])
assert_type(c.target_deadline("response", start=datetime(2026, 1, 1)), datetime | None)
assert_type(c.ticket(events=[registered(datetime(2026, 1, 1), "phone")], at=datetime(2026, 1, 1)), TicketAnswer)
"""


def _write_module(pid: str, into: Path) -> Path:
    sub = "examples/" if (POLICIES / "examples" / f"{pid}.policy").is_file() else ""
    c = compile_file(POLICIES / f"{sub}{pid}.policy", root=POLICIES)
    assert c.program is not None, c.diagnostics
    path = into / f"{pid}.py"
    path.write_text(emit_python(c.program), encoding="utf-8")
    return path


def _mypy(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # MYPYPATH: the policy_lang of this tree, before any copy of the runtime distribution a
    # non-editable install left in site-packages (mypy would read that one, however stale)
    env = {**os.environ, "MYPYPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                           "--cache-dir", str(cwd / ".mypy_cache"), *args],
                          cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


def test_generated_modules_pass_mypy_strict_alone(tmp_path: Path) -> None:
    """Every seed and example program's module, each checked on its own (no config file, no stubs)."""
    pids = [p.stem for p in sorted(POLICIES.glob("*.policy"))] + \
           [p.stem for p in sorted((POLICIES / "examples").glob("*.policy"))]
    for pid in pids:
        _write_module(pid, tmp_path)
    res = _mypy("landesk_support.py", cwd=tmp_path)  # one alone, as a user would check it
    assert res.returncode == 0, res.stdout + res.stderr
    res = _mypy(*(f"{pid}.py" for pid in pids), cwd=tmp_path)  # and the rest (they import nothing of each other)
    assert res.returncode == 0, res.stdout + res.stderr


def test_client_answers_are_typed(tmp_path: Path) -> None:
    for pid in ("landesk_support", "vk_cloud_support"):
        _write_module(pid, tmp_path)
    (tmp_path / "client.py").write_text(CLIENT, encoding="utf-8")
    res = _mypy("client.py", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    # and Any would have been caught: the same check on an untyped answer fails
    (tmp_path / "bad.py").write_text(
        "from typing import Any, assert_type\nfrom datetime import datetime\n"
        "def f(x: Any) -> None:\n    assert_type(x.deadline, datetime | None)\n", encoding="utf-8")
    assert _mypy("bad.py", cwd=tmp_path).returncode == 1
