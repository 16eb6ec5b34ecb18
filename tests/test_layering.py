"""One direction of flow: each stage imports only the stages before it."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "policy_lang"

# module (path under policy_lang) -> policy_lang modules (dotted, a prefix covers its submodules) it must
# never import: syntax -> semantics -> backends -> build -> cli, and inside semantics check -> lower ->
# model -> decide
LATER = {"backends", "build", "cli", "frontend"}
FORBIDDEN = {
    "syntax/ast.py": {"syntax.parse", "semantics", *LATER},
    "syntax/parse.py": {"semantics", *LATER},
    "syntax/sources.py": {"semantics", *LATER},
    "semantics/constructs.py": {"syntax.parse", "semantics.check", "semantics.lower", "semantics.model",
                                "semantics.decide", *LATER},
    "semantics/check.py": {"syntax.parse", "semantics.lower", "semantics.model", "semantics.decide", *LATER},
    "semantics/model.py": {"syntax", "semantics.check", "semantics.lower", *LATER},
    "semantics/lower.py": {"syntax.parse", "semantics.check", "semantics.decide", *LATER},
    "semantics/decide.py": {"syntax", "semantics.check", "semantics.lower", *LATER},
    "semantics/reasons.py": {"syntax", "semantics.check", "semantics.lower", *LATER},
}


def _forbidden(imported: set[str], banned: set[str]) -> set[str]:
    return {m for m in imported for b in banned if m == b or m.startswith(b + ".")}


def test_from_dot_import_names_each_module(tmp_path: Path) -> None:
    """`from . import model, ast` imports two modules: both must be seen."""
    f = PKG / "_probe_layering.py"
    try:
        f.write_text("from . import model, ast\n", encoding="utf-8")
        assert {"model", "ast"} <= policy_imports(f)
    finally:
        f.unlink()


def policy_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level >= 1:  # relative: resolve against the file's package
                base = path.parent.relative_to(PKG).parts[: len(path.parent.relative_to(PKG).parts) - (node.level - 1)]
                parts = [*base, *(mod.split(".") if mod else [])]
                if mod:
                    found.add(".".join(parts))
                else:  # `from . import model, ast`: each name is a module of its own
                    found.update(".".join([*parts, a.name]) for a in node.names)
            elif mod.startswith("policy_lang"):
                found.add(mod.removeprefix("policy_lang").lstrip("."))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("policy_lang"):
                    found.add(a.name.removeprefix("policy_lang").lstrip("."))
    return found


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_stage_imports_only_earlier_stages(module: str) -> None:
    bad = _forbidden(policy_imports(PKG / module), FORBIDDEN[module])
    assert not bad, bad


def test_runtime_imports_nothing_of_the_compiler() -> None:
    for path in sorted((PKG / "runtime").glob("*.py")):
        for mod in policy_imports(path):
            assert mod.startswith("runtime") or mod == "", (path.name, mod)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    assert a.name.split(".")[0] not in {"lark", "attrs", "attr", "jinja2", "click", "holidays"}, a.name
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                assert node.module.split(".")[0] not in {"lark", "attrs", "attr", "jinja2", "click", "holidays"}


def test_backends_read_the_model_not_the_ast() -> None:
    for path in sorted((PKG / "backends").rglob("*.py")):
        # backends render the model's decisions: they neither read the AST nor decide again
        bad = _forbidden(policy_imports(path), {"syntax", "semantics.check", "semantics.lower", "semantics.decide"})
        assert not bad, (path, bad)
