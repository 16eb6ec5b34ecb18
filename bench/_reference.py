"""The implementation a benchmark compares against, read from git (not a copy committed beside it).

`reference("policy_lang/runtime/ticket.py", "a6e1633^")` is that file as it was at that revision,
loaded as a module of its own: the bench times it and today's side by side in one run. The file must
import only what still exists (the runtime's modules, numpy).
"""
from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def reference(path: str, rev: str, name: str) -> types.ModuleType:
    try:
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{path}"], capture_output=True,
                                text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"bench: cannot read the reference {path} at {rev} from git ({e}): run it in a clone")
    module = types.ModuleType(name)
    module.__file__ = f"<{path} at {rev}>"
    sys.modules[name] = module  # dataclasses and NamedTuples look their module up
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module
