"""Reading policy sources safely and resolving `include` inside the policies root."""
from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

from attrs import frozen

from policy_lang.diagnostics import Diagnostic, Label, Span
from policy_lang.syntax import ast
from policy_lang.syntax.parse import parse_text

MAX_BYTES = 4 * 1024 * 1024  # no contract is this long; larger inputs are refused, not parsed
MAX_DEPTH = 64  # deepest `{` nesting accepted; the grammar itself needs 3
MAX_EXPR_DEPTH = 32  # deepest `(` nesting accepted, e.g. max(max(...)); contracts need 2 or 3


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
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            return fail("is a directory, not a policy file")
        if not stat.S_ISREG(st.st_mode):
            # a FIFO would block forever, a device (/dev/zero) never ends: read regular files only
            return fail("is not a regular file (a pipe, socket or device); policies are read from files")
        if st.st_size > MAX_BYTES:
            return fail(f"file is too large ({st.st_size} bytes; the limit is {MAX_BYTES})")
        # O_NONBLOCK: should the path be swapped for a FIFO after the stat, open() does not hang
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return fail("is not a regular file (a pipe, socket or device); policies are read from files")
            data = fh.read(MAX_BYTES + 1)  # never more than the limit, whatever st_size said
    except FileNotFoundError:
        return fail("no such file")
    except OSError as exc:
        return fail(f"cannot read file: {exc.strerror or exc}")
    return decode_source(data, display)


def decode_source(data: bytes, display: str) -> tuple[str | None, Diagnostic | None, bytes]:
    """Policy bytes (a file's, or stdin's for `policyc check -`) as text, or one P0003 diagnostic."""
    def fail(msg: str, span: Span | None = None) -> tuple[None, Diagnostic, bytes]:
        return None, Diagnostic("P0003", msg, Label(span or _whole_file(display))), b""

    if len(data) > MAX_BYTES:
        return fail(f"file is too large (more than {MAX_BYTES} bytes)")
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
    bad = _CONTROL.search(text)
    if bad is not None:
        pos, ch = bad.start(), bad.group()
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        name = _CONTROL_NAMES.get(ch, "a control character")
        return _CONTROL.sub("\ufffd", text), Diagnostic(
            "P0005", f"control character U+{ord(ch):04X} ({name}) in the policy",
            Label(Span(display, line, col, line, col + 1), "invisible character here"),
            help=("save the file with ordinary line endings (LF, or CR LF)" if ch == "\r" else
                  "delete it; for a new line inside a text use a triple-quoted string \"\"\"...\"\"\""),
            notes=("control characters cannot be printed in the annex (Word refuses them in a DOCX)",)), data
    return text, None, data


#: Characters a policy may not contain: C0 controls but TAB, LF and CR (CR only before LF);
#: DEL; C1 controls; Unicode line/paragraph separators; the noncharacters XML cannot carry.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]|\r(?!\n)")
_CONTROL_NAMES = {"\x0b": "vertical tab: what Word pastes for a line break",
                  "\x0c": "form feed: what Word pastes for a page break",
                  "\r": "carriage return without a line feed: an old Mac line ending, or pasted text",
                  "\x1b": "escape", "\x7f": "delete", "\x85": "next line",
                  "\u2028": "line separator", "\u2029": "paragraph separator",
                  "\ufffe": "a noncharacter", "\uffff": "a noncharacter"}


def _depth_check(text: str, display: str) -> Diagnostic | None:
    """Refuse absurd nesting before parsing: `{` blocks beyond MAX_DEPTH, or `max(`/`min(`
    expressions beyond MAX_EXPR_DEPTH (the tree would exhaust Python's recursion limit).
    Strings and comments are skipped: their brackets are text."""
    braces = parens = 0
    for m in _NESTING.finditer(text):
        tok = m.group()
        if tok[0] in "\"#":
            continue
        if tok == "{":
            braces += 1
        elif tok == "}":
            braces -= 1
        elif tok == "(":
            parens += 1
        else:
            parens = max(parens - 1, 0)
        if braces > MAX_DEPTH or parens > MAX_EXPR_DEPTH:
            line = text.count("\n", 0, m.start()) + 1
            col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
            what = (f"blocks nested more than {MAX_DEPTH} deep" if braces > MAX_DEPTH else
                    f"expressions nested more than {MAX_EXPR_DEPTH} deep")
            return Diagnostic("P0004", what, Label(Span(display, line, col, line, col + 1), "too deep"))
    return None


_NESTING = re.compile(r'"""(?:.|\n)*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*|[{}()]')
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
    """A path as diagnostics print it: relative to the working directory when inside it, bytes
    of a file name that are not UTF-8 as `\\xff` escapes (a surrogate cannot be printed)."""
    try:
        shown = str(path.relative_to(Path.cwd()))
    except ValueError:
        shown = str(path)
    return printable_path(shown)


def printable_path(name: str | Path) -> str:
    """A file name that can be printed: undecodable bytes as `\\xff` (terminal controls in it
    are escaped where diagnostics are rendered, by diagnostics.render_text)."""
    name = str(name)
    if name.isascii():
        return name
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")


def _resolve(path: Path) -> Path | str:
    """The real path, or why there is none (a symlink loop)."""
    try:
        return path.resolve()
    except (RuntimeError, OSError) as exc:  # Python < 3.13 raises RuntimeError on a loop
        return "a symbolic link that leads to itself (a symlink loop)" if "loop" in str(exc).lower() \
            else f"cannot resolve the path: {getattr(exc, 'strerror', None) or exc}"


def read_inside(path: Path, root: Path, code: str = "P0003", limit: int = MAX_BYTES) -> bytes | Diagnostic:
    """The bytes of a regular file that lies inside `root` once symbolic links are followed, or
    one diagnostic under `code` (located at the file) saying why it is not read: a link out of
    the root, a symlink loop, no such file, not a regular file, larger than `limit`. For the
    TOML inputs beside the policies (annex.toml, contracts/*.toml): what a link points to
    outside the project is never read, so never shown in a diagnostic."""
    display = display_path(path)

    def fail(msg: str) -> Diagnostic:
        return Diagnostic(code, msg, Label(_whole_file(display)))

    real = _resolve(path)
    if isinstance(real, str):
        return fail(real)
    top = _resolve(root)
    if isinstance(top, str):
        return fail(f"root {printable_path(root)}: {top}")
    if not real.is_relative_to(top):
        return fail(f"is a link to a file outside {display_path(root)}; it is not read")
    try:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return fail("no such file")
    except OSError as exc:
        return fail(f"cannot read file: {exc.strerror or exc}")
    try:
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if stat.S_ISDIR(st.st_mode):
                return fail("is a directory, not a file")
            if not stat.S_ISREG(st.st_mode):
                return fail("is not a regular file (a pipe, socket or device)")
            data = fh.read(limit + 1)
    except OSError as exc:
        return fail(f"cannot read file: {exc.strerror or exc}")
    if len(data) > limit:
        return fail(f"file is too large (more than {limit} bytes)")
    return data


class Loader:
    """Loads a main file and its includes once each, in include order."""

    def __init__(self, root: Path, stdin: tuple[Path, bytes] | None = None):
        top = _resolve(root)
        self.root = top if isinstance(top, Path) else root.absolute()
        # `policyc check -`: the main file's bytes came from stdin, under the name it is shown by
        self.stdin = stdin
        self.files: list[LoadedFile] = []
        self.sources: dict[str, str] = {}
        self.diagnostics: list[Diagnostic] = []
        self._seen: set[Path] = set()

    def load(self, path: Path, stack: tuple[Path, ...] = (), at: Span | None = None) -> list[object]:
        """Declarations of `path` with includes expanded in place."""
        display = display_path(path)
        virtual = self.stdin is not None and not stack and path == self.stdin[0]
        resolved: Path | str
        if virtual:  # not on disk (or not what is read): its directory is, for its includes
            parent = _resolve(path.absolute().parent)
            resolved = (parent if isinstance(parent, Path) else path.absolute().parent) / path.name
        else:
            resolved = _resolve(path)
        if isinstance(resolved, str):
            self.diagnostics.append(Diagnostic("P0003", resolved, Label(at or _whole_file(display),
                                                                      "cannot be read" if at else "")))
            return []
        real = resolved
        if not stack and not real.is_relative_to(self.root):
            # a program file that is a link out of the root: read no more of it than an include
            self.diagnostics.append(Diagnostic(
                "P0601", f"program file `{display}` is a link to a file outside the policies root",
                Label(_whole_file(display), "resolves outside the root"),
                notes=(f"root: {display_path(self.root)}",),
                help="copy the file into the policies directory, or point --root at a directory holding both"))
            return []
        inside = real.relative_to(self.root).as_posix() if real.is_relative_to(self.root) else real.name
        if printable_path(inside) != inside:
            self.diagnostics.append(Diagnostic(
                "P0003", "the file name is not UTF-8 text", Label(_whole_file(display), "this name"),
                help="rename the file: its name is printed in the annex and in diagnostics"))
            return []
        if real in stack:
            chain = " -> ".join(display_path(p) for p in (*stack, real))
            assert at is not None
            self.diagnostics.append(Diagnostic("P0602", "include cycle",
                                               Label(at, "includes a file that includes this one"), notes=(chain,)))
            return []
        if real in self._seen:
            return []  # already included once: declarations are not repeated
        text, diag, data = decode_source(self.stdin[1], display) if virtual and self.stdin is not None \
            else read_source(real, display)
        if diag is not None and text is not None:
            self.sources[display] = text  # shown under the diagnostic, control characters replaced
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
        resolved = _resolve(parent.parent / inc.path.value)
        if isinstance(resolved, str):
            self.diagnostics.append(Diagnostic("P0003", f"include `{inc.path.value}`: {resolved}",
                                               Label(inc.path.span, "cannot be read")))
            return []
        target = resolved
        if not target.is_relative_to(self.root):
            self.diagnostics.append(Diagnostic(
                "P0601", f"include `{inc.path.value}` is outside the policies root",
                Label(inc.path.span, "resolves outside the root"),
                notes=(f"root: {display_path(self.root)}",)))
            return []
        return self.load(target, stack, at=inc.path.span)
