"""`load(path)`: compile a policy and load its generated evaluator as a module, in process."""

from __future__ import annotations

import types
from pathlib import Path
from typing import cast

from policy_lang.backends.python.emit import emit_python
from policy_lang.diagnostics import PolicyError
from policy_lang.frontend import compile_file
from policy_lang.runtime.protocol import EvaluatorModule

__all__ = ["load", "load_evaluator"]


def load(path: str | Path, root: str | Path | None = None) -> types.ModuleType:
    """Compile `path` and execute the same source `policyc build` writes, as a fresh module.

    The module is named after the program id and is not registered in `sys.modules`, so two
    loads never share state.  A policy with errors raises PolicyError with its diagnostics
    (and `.sources`, for rendering them).  `policy_lang.load` is this, typed as the protocol.
    """
    compilation = compile_file(path, root)
    if not compilation.ok:
        error = PolicyError(compilation.diagnostics)
        error.sources = compilation.sources
        raise error
    program = compilation.program
    assert program is not None
    source = emit_python(program)
    module = types.ModuleType(program.id)
    module.__file__ = f"<policy_lang:{program.id}>"
    code = compile(source, f"<generated from {program.path}>", "exec", dont_inherit=True)
    exec(code, module.__dict__)
    vars(module)["__source__"] = source  # the generated text, for inspect and tracebacks
    return module


def load_evaluator(path: str | Path, root: str | Path | None = None) -> EvaluatorModule:
    """`load()`, typed as the interface every generated module has (runtime.protocol.EvaluatorModule).

    The cast is sound: the module runs the template that tests/install/test_typing.py checks
    against the protocol with mypy --strict."""
    return cast(EvaluatorModule, load(path, root))
