"""The kinds of generated output, and writing a generated file atomically (light: the CLI imports it
at start-up, `build` only when it builds)."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

#: The kinds of output a build writes, in the order `--only` lists them.
KINDS = ("python", "md", "html", "docx", "pdf")


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temp file in the same directory and rename: never a half-written output."""
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # only when writing: `policyc check` imports this module for KINDS (~4 ms of start-up)

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
