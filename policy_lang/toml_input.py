"""Reading the TOML inputs beside the policies (annex.toml, contracts/*.toml): bounded, through the
one reader of inputs (`sources.read_inside`), and without tracebacks. An input stage, shared by the
annex config and the contract instances."""
from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path
from typing import Any

from policy_lang.syntax.sources import read_inside

__all__ = ["MAX_TOML_BYTES", "TomlProblem", "key_positions", "locate", "read_toml"]

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


# -- where each key is written -------------------------------------------------------------------

Path_ = tuple[str | int, ...]  # ("products", 1, "name"): the key `name` of the second [[products]]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SPACE = " \t"


def _key(line: str, i: int) -> tuple[list[tuple[str, int]], int]:
    """The (possibly dotted, possibly quoted) key starting at line[i]: its parts with their columns
    (0-based), and where it ends."""
    parts: list[tuple[str, int]] = []
    while True:
        while i < len(line) and line[i] in _SPACE:
            i += 1
        if i < len(line) and line[i] in "\"'":
            q = line[i]
            j = i + 1
            while j < len(line) and line[j] != q:
                j += 2 if q == '"' and line[j] == "\\" else 1
            parts.append((line[i + 1:j], i + 1))
            i = j + 1
        else:
            m = _BARE.match(line, i)
            if not m:
                return parts, i
            parts.append((m.group(0), i))
            i = m.end()
        while i < len(line) and line[i] in _SPACE:
            i += 1
        if i < len(line) and line[i] == ".":
            i += 1
            continue
        return parts, i


@functools.lru_cache(maxsize=8)
def key_positions(text: str) -> dict[Path_, tuple[int, int]]:
    """Line and column (1-based) of every key and table header of a TOML text, by its path.

    A scanner of TOML's line structure, not a second parser (tomllib has read and validated the
    text): it follows [table] and [[array]] headers (counting the array's tables), `key = value` lines
    with dotted and quoted keys, and skips multi-line strings and arrays, so a position is where
    the key is written, never a look-alike found by a search elsewhere in the file."""
    out: dict[Path_, tuple[int, int]] = {}
    counts: dict[tuple[str | int, ...], int] = {}
    table: Path_ = ()
    lines = text.split("\n")
    n = 0
    while n < len(lines):
        line = lines[n]
        stripped = line.lstrip(_SPACE)
        col0 = len(line) - len(stripped)
        if stripped.startswith("[["):
            parts, _ = _key(line, col0 + 2)
            base = tuple(p for p, _ in parts)
            index = counts.get(base, -1) + 1
            counts[base] = index
            table = (*base, index)
            for k in range(len(parts)):
                out.setdefault(tuple(p for p, _ in parts[:k + 1]), (n + 1, parts[k][1] + 1))
            out.setdefault(table, (n + 1, parts[-1][1] + 1) if parts else (n + 1, col0 + 1))
        elif stripped.startswith("["):
            parts, _ = _key(line, col0 + 1)
            table = tuple(p for p, _ in parts)
            prefix: Path_ = ()
            for name, col in parts:
                prefix = (*prefix, name)
                # a header under an array of tables names the array's last table
                if prefix in counts:
                    prefix = (*prefix, counts[prefix])
                out.setdefault(prefix, (n + 1, col + 1))
            table = prefix
        elif stripped and not stripped.startswith("#"):
            parts, i = _key(line, col0)
            if parts and i < len(line) and line[i] == "=":
                path = table
                for name, col in parts:
                    path = (*path, name)
                    out.setdefault(path, (n + 1, col + 1))
                n = _skip_value(lines, n, i + 1)
        n += 1
    return out


def _skip_value(lines: list[str], n: int, i: int) -> int:
    """The last line of the value that starts at lines[n][i:] (multi-line strings and arrays)."""
    rest = lines[n][i:].lstrip(_SPACE)
    for q in ('"""', "'''"):
        if rest.startswith(q):
            if q in rest[3:]:
                return n
            while n + 1 < len(lines):
                n += 1
                if q in lines[n]:
                    return n
            return n
    if rest.startswith("["):
        depth, k, text = 0, n, rest
        while True:
            quote = ""
            for j, ch in enumerate(text):
                if quote:
                    if ch == quote and (quote == "'" or j == 0 or text[j - 1] != "\\"):
                        quote = ""
                elif ch in "\"'":
                    quote = ch
                elif ch == "#":
                    break
                elif ch == "[":
                    depth += 1
                elif ch == "]":
                    depth -= 1
            if depth <= 0 or k + 1 >= len(lines):
                return k
            k += 1
            text = lines[k]
    return n


def locate(text: str, *path: str | int) -> tuple[int, int]:
    """Line and column of the key at `path` (see key_positions); the nearest enclosing table's when the
    key itself is not written (an inline table), else 1:1."""
    where = key_positions(text)
    p = tuple(path)
    while p:
        if p in where:
            return where[p]
        p = p[:-1]
    return 1, 1
