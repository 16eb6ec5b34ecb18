"""Reading the TOML inputs beside the policies (annex.toml, contracts/*.toml): bounded, through the
one reader of inputs (`sources.read_inside`), and without tracebacks. An input stage, shared by the
annex config and the contract instances."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from .sources import read_inside

__all__ = ["MAX_TOML_BYTES", "TomlProblem", "read_toml"]

# -- reading a TOML file (the annex config, a contract), bounded and without tracebacks ---------

#: the largest TOML file read: both files are a page or two of hand-written text
MAX_TOML_BYTES = 1024 * 1024


class TomlProblem(Exception):
    """Why a TOML file could not be read: a message, its line and column (1-based), an optional help."""

    def __init__(self, message: str, line: int = 1, col: int = 1, help: str | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.col, self.help = message, line, col, help


def read_toml(path: Path, what: str, missing_help: str | None = None,
              root: Path | None = None) -> tuple[str, dict[str, Any]]:
    """The text (a leading UTF-8 BOM dropped) and the table of the TOML file at `path`, read at most
    MAX_TOML_BYTES; raises TomlProblem. `what` names the file in messages ("the annex config").

    The bytes come from `sources.read_inside`, the one bounded reader of inputs: a FIFO or a device
    is refused before it is read, and a link that leads out of `root` (default: the file's own
    directory, as includes are refused) is never followed, so what it points to is never shown. A
    table nested so deeply that the parser runs out of stack (tomllib recurses once per level) or of
    memory is an error at line 1, not a traceback."""
    if not path.exists() and not path.is_symlink():
        raise TomlProblem(f"{what.removeprefix('the ')} file not found", help=missing_help)
    got = read_inside(path, root if root is not None else path.parent, limit=MAX_TOML_BYTES)
    if not isinstance(got, bytes):
        raise TomlProblem(f"{what}: {got.message}")
    raw = got
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise TomlProblem(f"{what} is not UTF-8 text (byte 0x{raw[e.start]:02x})", line, col) from None
    text = text.removeprefix("\ufeff")  # a BOM, as a Windows editor saves the file (policies accept one too)
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        raise TomlProblem(f"not valid TOML: {re.sub(r' [(]at line .*', '', str(e))}", line, col) from None
    except (RecursionError, MemoryError):
        raise TomlProblem("cannot read this TOML: arrays or tables nested too deeply",
                          help="a hand-written file nests a few levels; this one nests thousands") from None
