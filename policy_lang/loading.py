"""`load(path)`: compile a policy and load its generated evaluator as a module, in process."""

from __future__ import annotations

import types
from pathlib import Path

from .backends.python.emit import emit_python
from .compiler import compile_file
from .diagnostics import PolicyError

__all__ = ["load"]


def load(path: str | Path, root: str | Path | None = None) -> types.ModuleType:
    """Compile `path` and execute the same source `policyc build` writes, as a fresh module.

    The module is named after the program id and is not registered in `sys.modules`, so two
    loads never share state.  A policy with errors raises PolicyError with its diagnostics
    (and `.sources`, for rendering them).
    """
    compilation = compile_file(path, root)
    if not compilation.ok:
        error = PolicyError(compilation.diagnostics)
        error.sources = compilation.sources  # type: ignore[attr-defined]
        raise error
    program = compilation.program
    assert program is not None
    source = emit_python(program)
    module = types.ModuleType(program.id)
    module.__file__ = f"<policy_lang:{program.id}>"
    code = compile(source, f"<generated from {program.path}>", "exec", dont_inherit=True)
    exec(code, module.__dict__)
    module.__source__ = source  # type: ignore[attr-defined]
    return module
