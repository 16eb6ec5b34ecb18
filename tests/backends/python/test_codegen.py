"""The Python backend's output: safe literals, a stdlib-only import list, byte-identical builds."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from policy_lang.backends.python.emit import emit_python
from policy_lang.backends.python.filters import UnsafeLiteral, pyrepr
from policy_lang.backends.python.names import UnsafeIdentifier, check_ident, constant_name
from policy_lang.frontend import compile_file

ROOT = Path(__file__).resolve().parents[3]
POLICIES = sorted((ROOT / "policies").glob("*.policy"))
GENERATED = ROOT / "generated" / "python"
ALLOWED_IMPORTS = {"__future__", "collections.abc", "datetime", "decimal", "policy_lang.runtime",
                   "policy_lang.runtime.calendar", "policy_lang.runtime.errors",
                   "policy_lang.runtime.evaluator", "policy_lang.runtime.ticket", "typing"}

# Titles are one line (P0006) and a policy holds no lone CR (P0005): the line breaks are in the cell.
HOSTILE = [
    'x""" + __import__(\'os\').system(\'echo pwned\') + """y',
    "\\\\ {{ 7*7 }} {% raw %} '; import os #",
    "офис \"\"\" __import__('os')",
    "тел'ефон \\ \"\"\" {{ x }}",
    "Gold'\"\"\"); __import__('os').system('id'); (\"",
    "Линия \t {{ '}}' }}",
    "__import__('os').system('rm -rf /')\n'; import os # \"\"\" \\",
]


def _policy_string(s: str) -> str:
    """`s` as a policy-language string literal (escapes: \\\\ \\" \\n \\t)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace(
        "\t", "\\t") + '"'


def _hostile_policy(tmp_path: Path) -> Path:
    h = [_policy_string(s) for s in HOSTILE]
    text = f"""
program hostile_demo {{
    title   {h[0]}
    vendor  {h[1]}
}}

calendar office {h[2]} {{
    zone   "Europe/Moscow"
    hours  mon-fri 09:00-18:00
}}

channel phone {h[3]} {{
    available office
}}

tiers {{
    gold  {h[4]} purchased
}}

services {{
    hotline  {h[5]}  grants phone
}}

matrix m "m" {{
    service  gold
    hotline  {h[6]}
}}

response on office {{
    priority  gold
    any       2h
}}
"""
    path = tmp_path / "hostile_demo.policy"
    path.write_text(text, encoding="utf-8")
    return path


def _emit(path: Path) -> str:
    compilation = compile_file(path)
    assert compilation.ok, compilation.diagnostics
    return emit_python(compilation.program)


@pytest.fixture(scope="module")
def sources() -> dict[str, str]:
    return {p.stem: _emit(p) for p in POLICIES}


def test_hostile_strings_come_out_as_data(tmp_path: Path) -> None:
    source = _emit(_hostile_policy(tmp_path))
    tree = ast.parse(source)
    # Nothing executes at import but assignments, imports, defs and the docstring.
    for node in tree.body:
        assert isinstance(node, (ast.Assign, ast.AnnAssign, ast.ImportFrom, ast.FunctionDef,
                                 ast.Expr)), ast.dump(node)[:200]
        if isinstance(node, ast.Expr):  # the module docstring, or the runtime API check
            assert isinstance(node.value, ast.Constant) or (
                isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)
                and node.value.func.id == "require_api"
                and all(isinstance(a, (ast.Constant, ast.Name)) for a in node.value.args)), ast.dump(node)[:200]
    calls = {n.func.id for n in ast.walk(tree)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert "__import__" not in calls and "eval" not in calls and "exec" not in calls
    namespace: dict[str, object] = {}
    exec(compile(source, "hostile", "exec"), namespace)
    assert namespace["PROGRAM"].title == HOSTILE[0]
    assert namespace["PROGRAM"].vendor == HOSTILE[1]
    assert namespace["CHANNELS"] == {"phone": HOSTILE[3]}
    assert namespace["SERVICES"] == {"hotline": HOSTILE[5]}
    cell = namespace["entitlement"](tier="gold", service="hotline")
    assert cell.text == HOSTILE[6]
    # Every hostile string is in the module as a Python literal, never as raw text.
    constants = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    for s in (HOSTILE[0], HOSTILE[1], HOSTILE[3], HOSTILE[5], HOSTILE[6]):
        assert s in constants


def test_unsafe_identifier_is_refused() -> None:
    for bad in ("__import__", "class", "a-b", "x;y", "", "é", "match", 3):
        with pytest.raises(UnsafeIdentifier):
            check_ident(bad)
    assert constant_name("CAL", "support_hours") == "CAL_SUPPORT_HOURS"


def test_pyrepr_accepts_only_safe_types() -> None:
    assert pyrepr(("a'\"", 1, None, True, ("x",))) == "('a\\'\"', 1, None, True, ('x',))"
    assert pyrepr(date(2026, 1, 5)) == "date(2026, 1, 5)"
    for bad in (1.5, [1], {"a": 1}, object(), b"x", type("S", (str,), {})("s")):
        with pytest.raises(UnsafeLiteral):
            pyrepr(bad)


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.stem)
def test_generated_module_header_and_imports(policy: Path, sources: dict[str, str]) -> None:
    source = sources[policy.stem]
    program = compile_file(policy).program
    head = source.splitlines()[:3]
    assert "generated, do not edit" in head[0]
    assert repr(program.path) in head[1]
    assert program.sha256 in head[2]
    compile(source, policy.name, "exec")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert imported <= ALLOWED_IMPORTS, imported - ALLOWED_IMPORTS
    # Named functions, not a blob.
    names = {n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
    assert {"response", "entitlement", "deadline", "tier_for_points", "vouchers"} <= names


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.stem)
def test_committed_generated_code_is_current(policy: Path, sources: dict[str, str]) -> None:
    assert (GENERATED / f"{policy.stem}.py").read_text(encoding="utf-8") == sources[policy.stem]


def test_runtime_imports_nothing_from_the_compiler() -> None:
    runtime = ROOT / "policy_lang" / "runtime"
    for path in runtime.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                mod = node.module
                assert not mod.startswith("policy_lang") or mod.startswith(
                    "policy_lang.runtime"), (path.name, mod)
                assert node.level == 0 or mod.startswith("."), (path.name, mod)
            if isinstance(node, ast.Import):
                for a in node.names:
                    assert a.name.split(".")[0] in sys.stdlib_module_names, (path.name, a.name)


_DIGESTS = """
import glob, hashlib, sys
from policy_lang.frontend import compile_file
from policy_lang.backends.python.emit import emit_python
for p in sorted(glob.glob(sys.argv[1] + "/*.policy")):
    src = emit_python(compile_file(p).program)
    print(p.rsplit("/", 1)[-1], hashlib.sha256(src.encode()).hexdigest())
"""


def test_byte_identical_across_hash_seeds() -> None:
    runs = []
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", _DIGESTS, str(ROOT / "policies")],
                             capture_output=True, text=True, env=env, cwd=ROOT, check=True)
        runs.append(out.stdout)
    assert runs[0] == runs[1]
    assert len(runs[0].splitlines()) == len(POLICIES)


def test_generated_module_imports_quickly() -> None:
    code = ("import time, sys; sys.path.insert(0, sys.argv[1]); t = time.perf_counter(); "
            "import landesk_support; print(time.perf_counter() - t)")
    times = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", code, str(GENERATED)], capture_output=True,
                             text=True, cwd=ROOT, check=True)
        times.append(float(out.stdout))
    assert min(times) < 1.0  # a loose sanity bound; the benchmark reports the real figure
