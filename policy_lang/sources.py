"""Reading policy sources safely and resolving `include` inside the policies root."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from attrs import frozen

from . import ast
from .diagnostics import Diagnostic, Label, Span
from .parse import parse_text

MAX_BYTES = 4 * 1024 * 1024  # no contract is this long; larger inputs are refused, not parsed
MAX_DEPTH = 64  # deepest `{` nesting accepted; the grammar itself needs 3


@frozen
class LoadedFile:
    path: Path
    display: str  # path as printed in diagnostics
    rel: str  # relative to the root, forward slashes
    text: str
    sha256: str
    ast: ast.PolicyFile


def _whole_file(display: str) -> Span:
    return Span(display, 1, 1, 1, 2)


def read_source(path: Path, display: str) -> tuple[str | None, Diagnostic | None, bytes]:
    """The text of a policy file, or one P0003 diagnostic saying why it cannot be read."""
    def fail(msg: str, span: Span | None = None) -> tuple[None, Diagnostic, bytes]:
        return None, Diagnostic("P0003", msg, Label(span or _whole_file(display))), b""

    try:
        if path.is_dir():
            return fail("is a directory, not a policy file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            return fail(f"file is too large ({size} bytes; the limit is {MAX_BYTES})")
        data = path.read_bytes()
    except FileNotFoundError:
        return fail("no such file")
    except OSError as exc:
        return fail(f"cannot read file: {exc.strerror or exc}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return fail(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", Span(display, line, col, line, col + 1))
    if text.startswith("\ufeff"):
        text = text[1:]
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        col = nul - (text.rfind("\n", 0, nul) + 1) + 1
        return fail("binary data (NUL byte) in a policy file", Span(display, line, col, line, col + 1))
    return text, None, data


def _depth_check(text: str, display: str) -> Diagnostic | None:
    depth = 0
    for m in _BRACES.finditer(text):
        depth += 1 if m.group() == "{" else -1
        if depth > MAX_DEPTH:
            line = text.count("\n", 0, m.start()) + 1
            col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
            return Diagnostic("P0004", f"blocks nested more than {MAX_DEPTH} deep",
                              Label(Span(display, line, col, line, col + 1), "too deep"))
    return None


_BRACES = re.compile(r"[{}]")
#: (display path, sha256) -> parse result: shared includes are parsed once per process.
_PARSED: dict[tuple[str, str], tuple[ast.PolicyFile | None, list[Diagnostic]]] = {}


def parse_cached(text: str, display: str, sha: str) -> tuple[ast.PolicyFile | None, list[Diagnostic]]:
    key = (display, sha)
    if key not in _PARSED:
        if len(_PARSED) > 256:
            _PARSED.clear()
        _PARSED[key] = parse_text(text, display)
    tree, diags = _PARSED[key]
    return tree, list(diags)


def display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class Loader:
    """Loads a main file and its includes once each, in include order."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.files: list[LoadedFile] = []
        self.sources: dict[str, str] = {}
        self.diagnostics: list[Diagnostic] = []
        self._seen: set[Path] = set()

    def load(self, path: Path, stack: tuple[Path, ...] = (), at: Span | None = None) -> list[object]:
        """Declarations of `path` with includes expanded in place."""
        real = path.resolve()
        display = display_path(path)
        if real in stack:
            chain = " -> ".join(display_path(p) for p in (*stack, real))
            assert at is not None
            self.diagnostics.append(Diagnostic("P0602", "include cycle", Label(at, "includes a file that includes this one"),
                                               notes=(chain,)))
            return []
        if real in self._seen:
            return []  # already included once: declarations are not repeated
        text, diag, data = read_source(path, display)
        if diag is not None:
            if at is not None and diag.message == "no such file":
                diag = Diagnostic("P0603", f"included file `{display}` not found", Label(at, "no such file"))
            self.diagnostics.append(diag)
            return []
        assert text is not None
        self.sources[display] = text
        deep = _depth_check(text, display)
        if deep is not None:
            self.diagnostics.append(deep)
            return []
        sha = hashlib.sha256(data).hexdigest()
        tree, diags = parse_cached(text, display, sha)
        self.diagnostics.extend(diags)
        if tree is None:
            return []
        self._seen.add(real)
        try:
            rel = real.relative_to(self.root).as_posix()
        except ValueError:
            rel = real.name
        self.files.append(LoadedFile(real, display, rel, text, sha, tree))
        items: list[object] = []
        for item in tree.items:
            if isinstance(item, ast.Include):
                items.extend(self.include(item, real, (*stack, real)))
            else:
                items.append(item)
        return items

    def include(self, inc: ast.Include, parent: Path, stack: tuple[Path, ...]) -> list[object]:
        target = (parent.parent / inc.path.value).resolve()
        if not target.is_relative_to(self.root):
            self.diagnostics.append(Diagnostic(
                "P0601", f"include `{inc.path.value}` is outside the policies root",
                Label(inc.path.span, "resolves outside the root"),
                notes=(f"root: {display_path(self.root)}",)))
            return []
        return self.load(target, stack, at=inc.path.span)
