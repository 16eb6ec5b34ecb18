"""policy_lang: one checked model of a support contract, compiled to code and to Russian annexes."""

from __future__ import annotations

# policy_lang/runtime/ comes from another distribution, policy-lang-runtime, which may sit in another
# sys.path entry than this file (a --target or user install): look for it in every policy_lang/ there.
# What pkgutil.extend_path does for a directory, without importing pkgutil (~15 ms of every start-up).
import os as _os
import sys as _sys
from pathlib import Path
from typing import TYPE_CHECKING


def _extend_path(path: list[str], name: str) -> list[str]:
    found = list(path)
    for entry in _sys.path:
        if isinstance(entry, str):
            candidate = _os.path.join(entry or _os.curdir, name)
            if candidate not in found and _os.path.isdir(candidate):
                found.append(candidate)
    return found


__path__ = _extend_path(__path__, __name__)

__version__ = "0.1.0"

from policy_lang.runtime.errors import CalendarHorizonError, PolicyQueryError  # noqa: E402 - after __path__ is extended

if TYPE_CHECKING:
    from policy_lang.runtime.bound import BoundEvaluator
    from policy_lang.runtime.protocol import EvaluatorModule


def __getattr__(name: str) -> object:
    """`policy_lang.EvaluatorModule`, imported on first use: the protocol imports the evaluator
    runtime, which `policyc check` never needs (~15 ms of its start-up)."""
    if name == "EvaluatorModule":
        from policy_lang.runtime.protocol import EvaluatorModule

        return EvaluatorModule
    raise AttributeError(f"module 'policy_lang' has no attribute {name!r}")


def load(path: str | Path, root: str | Path | None = None) -> EvaluatorModule:
    """Compile a policy and load its generated evaluator module (see `policy_lang.loading.load`),
    typed as `EvaluatorModule`: `load(p).response(...)` is a `Response` to a type checker.

    The compiler is imported lazily, so that `import policy_lang.runtime` (all a generated module
    needs) stays cheap. The module is called `loading`, not `load`: a submodule named like this
    function would replace it as an attribute of the package once imported.
    """
    from policy_lang.loading import load_evaluator

    return load_evaluator(path, root)


def contract(path: str | Path, policies: str | Path | None = None) -> BoundEvaluator:
    """The evaluator of a contract instance's program bound to it (see `policy_lang.semantics.contracts.contract`):
    `contract("contracts/acme.toml").response(channel="phone", registered_at=...)`."""
    from policy_lang.semantics.contracts import contract as _bind

    bound: BoundEvaluator = _bind(path, policies)
    return bound


__all__ = ["CalendarHorizonError", "EvaluatorModule", "PolicyQueryError", "__version__", "contract", "load"]
