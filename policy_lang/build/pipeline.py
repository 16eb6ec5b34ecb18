"""`policyc build`: render the outputs of checked programs, all or nothing, and say what is stale.

The output directory (`--out`) belongs to the build, and the build writes nothing else:

- **What it owns.** `python/<id>.py`, `annex/<id>.<kind>` and `.manifest.json`, which lists every
  output with its hash and the hash of every input (sources with includes, the annex config, the
  contracts, the compiler's own code). A build refuses an `--out` that is the current directory,
  holds (or is) an input, is a repository root, is a symbolic link, or already holds files no build
  wrote (not listed in our manifest and not a name this build writes; `--force` builds there anyway
  and leaves them alone). `--prune` deletes only files our manifest lists. A subdirectory with a
  manifest of its own (`generated/examples/`) is another build's: its files are left alone and not
  counted as extra if that manifest is well formed and lists them (named like outputs); anything
  else there is reported (that build's own `--check` says whether its files are right). A manifest
  that cannot be read, is too deep or has the wrong shape is ignored with a note on stderr and
  treated as absent; files at the names this build writes are then overwritten (they are the
  outputs), any other file makes the build refuse.
- **All or nothing, in place.** `--out` itself is never replaced (a user may stand in it or have it
  mounted). Changed outputs are written as new files (O_EXCL, O_NOFOLLOW, mode 0644, fsync) into
  `OUT/.staging-<pid>/`; then a journal `OUT/.journal.json` naming them is put in place atomically;
  then each is renamed over its output path (rename replaces a symlink, FIFO or socket there, never
  follows it), stale outputs are removed if pruned, the manifest is renamed in last, and the journal
  and the staging directory are removed. A build killed at any moment leaves the staging directory
  or the journal behind, which `--check` reports as stray; the next build, under the lock, rolls a
  journal forward (all its files were durable before it existed) or drops a staging directory that
  has none (nothing was published yet).
- **One build at a time.** A build holds `flock` on the output directory itself (no lock file to
  commit) from before it reads the directory to after it publishes; another build of the same
  `--out` waits up to 60 s, then stops with a usage error. `--check` waits for a running build the
  same way (shared lock) and writes nothing.
- **Only what changed is rendered.** The manifest records, per program (an instance annex
  `<program>--<contract>` counts as one), the hash of its own inputs (`program_hash`: the compiler's
  code and templates, the program's file and its includes, its section of annex.toml as read, the
  contract of an instance) and the outputs made from them, and the fonts the PDFs embed
  (`pdf.fonts_in_use`: family, style, file, version and sha256 of each file fontconfig resolves for
  the stylesheet's families). A build renders a program again only when its hash changed, one of its
  wanted outputs is not listed as made from it, its file is not the recorded bytes, or (for its PDF)
  the fonts here are not the recorded ones; the other programs' outputs stay as they are. DOCX and
  PDF render in worker processes (one per CPU) that die with the build.
- **Nothing trusted that can be edited.** `--check` renders every output and compares it with the
  disk byte for byte; the manifest only tells it which inputs the outputs were made from. A build
  that is a no-op renders nothing when the manifest is well formed, records these very inputs and
  the hash of every output file matches: the trade-off is that someone who edits an output *and*
  its hash in the manifest makes `build` say "nothing changed" (they could as well edit the
  compiler); `--check`, which CI runs, is what decides whether the outputs are right. When the
  fonts fontconfig resolves here are not those the manifest records, `--check` reports PDFs that
  differ as "fonts differ" (naming both sets) rather than stale; `--check --diff` prints a unified
  diff of each stale Markdown annex and evaluator, and sizes and hashes of other kinds.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from attrs import field, frozen

from policy_lang import __version__
from policy_lang.semantics import model

if TYPE_CHECKING:
    from policy_lang.backends.annex.config import AnnexConfig
from policy_lang.build.output import KINDS

MANIFEST = ".manifest.json"
JOURNAL = ".journal.json"
STAGING = ".staging-"
OWNED_DIRS = ("python", "annex")
LOCK_TIMEOUT = 60.0
_MANIFEST_MAX = 16 * 1024 * 1024
_STAGING_RE = re.compile(r"\.staging-\d+")
_PACKAGE = Path(__file__).resolve().parents[1]  # policy_lang/: the compiler and templates an output depends on


class OutError(Exception):
    """The output directory cannot be used as asked: a usage error, said in the user's terms."""


def output_name(program_id: str, kind: str) -> str:
    """Where a kind of output of a program lives, relative to the output directory."""
    return f"python/{program_id}.py" if kind == "python" else f"annex/{program_id}.{kind}"


def is_output_name(name: str) -> bool:
    """Shaped like something a build writes: python/<id>.py or annex/<id>.<kind>, one level."""
    sub, _, base = name.partition("/")
    if not base or "/" in base or "\0" in base or base.startswith(".") or any(ord(c) < 32 for c in base):
        return False
    if sub == "python":
        return base.endswith(".py") and len(base) > 3
    return sub == "annex" and any(base.endswith(f".{k}") and len(base) > len(k) + 1 for k in KINDS[1:])


def parse_kinds(raw: str | None) -> tuple[str, ...]:
    """`--only python,md` -> ("python", "md"); ValueError naming the valid kinds."""
    if raw is None:
        return KINDS
    kinds = tuple(k.strip() for k in raw.split(",") if k.strip())
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise ValueError(f"unknown output kind(s) {', '.join(unknown) or '(none)'}; valid: {', '.join(KINDS)}")
    return tuple(k for k in KINDS if k in kinds)


@functools.cache
def _code_hash() -> str:
    """The compiler's own code and templates: a change in them makes every output stale."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(_PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".css", ".xml", ".toml", ".marshal", ".lark", ".docx") \
                and "__pycache__" not in path.parts:
            digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def inputs_hash(programs: Iterable[model.Program], config_bytes: bytes, kinds: Iterable[str]) -> str:
    """Every input of the build at once (recorded as the manifest's `inputs`)."""
    digest = hashlib.sha256(_code_hash().encode())
    for p in sorted(programs, key=lambda p: p.id):
        digest.update(f"{p.id}\0{p.sha256}\n".encode())
    digest.update(hashlib.sha256(config_bytes).digest())
    digest.update(",".join(kinds).encode())
    return digest.hexdigest()


def program_hash(program: model.Program, config: object, contract: bytes | None = None) -> str:
    """The inputs of one program's outputs: the compiler's code and templates, the program's file and
    its includes (`Program.sha256` covers every file of its compilation, in include order), its own
    section of annex.toml as read (the `[defaults]` merged with its `[programs.<id>]`: a change to
    another program's section leaves it alone) and, for one customer's instance, the contract file."""
    digest = hashlib.sha256(f"{_code_hash()}\0{program.output_id}\0{program.sha256}\0".encode())
    digest.update(repr(config).encode("utf-8", errors="surrogatepass") + b"\0")
    if contract is not None:
        digest.update(hashlib.sha256(contract).digest())
    return digest.hexdigest()


# -- rendering -------------------------------------------------------------------------------

_LOCK_FD: int | None = None  # the locked output directory, closed in worker processes


def _pdf_job(args: tuple[str | None, model.Program, AnnexConfig]) -> bytes:
    """One PDF: from the annex HTML given, or (in a worker, submitted before the HTML exists) the
    HTML rendered here, the same bytes (render_html of the same view)."""
    from policy_lang.backends.annex.pdf import render_pdf

    html, program, config = args
    if html is None:
        from policy_lang.backends.annex.render import render_html
        from policy_lang.backends.annex.view import build_view

        html = render_html(build_view(program, config))
    return render_pdf(html, program)


def _docx_job(args: tuple[model.Program, AnnexConfig]) -> bytes:
    from policy_lang.backends.annex.docx import render_docx
    from policy_lang.backends.annex.render import environment
    from policy_lang.backends.annex.view import build_view

    program, config = args
    return render_docx(build_view(program, config), environment("xml"))


def _worker_init(parent: int, lock_fd: int | None) -> None:
    """A render worker dies with the build (probe M1): the kernel kills it when its parent dies
    (PR_SET_PDEATHSIG); a parent already gone before that is seen by getppid. It holds neither the
    build's stdout/stderr (a pipe a caller waits on) nor the lock."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    if lock_fd is not None:
        with contextlib.suppress(OSError):
            os.close(lock_fd)


_pdf_worker_init = _worker_init  # the name the PDF-only pool had


def _workers() -> int:
    """Worker processes for DOCX and PDF: the CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def render(programs: list[tuple[model.Program, AnnexConfig]], kinds: tuple[str, ...],
           progress: Callable[[str], None] = lambda _: None) -> dict[str, bytes]:
    """Every selected output of every program, by name relative to the output directory.

    DOCX and PDF (most of the time) render in worker processes forked before anything is rendered
    (each loads WeasyPrint when it first needs it); every PDF is submitted first, before its HTML is
    rendered here (the worker renders the HTML itself, ~10 ms, so that loading WeasyPrint, ~0.25 s,
    and the layout start at once), then every DOCX, while this process writes the HTML, the Python
    and the Markdown; a worker dies with the build.
    PdfError (backends.annex.pdf) when WeasyPrint fails or a worker dies."""
    from concurrent.futures import Future

    annex = bool(set(kinds) & {"md", "html", "docx", "pdf"})
    heavy = len(programs) * (("docx" in kinds) + ("pdf" in kinds))
    workers = min(heavy, _workers())
    pool: Any = None
    if heavy > 1 and workers > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                   initializer=_worker_init, initargs=(os.getpid(), _LOCK_FD))
    elif "pdf" in kinds and programs:
        from policy_lang.backends.annex.pdf import load

        load()  # here, quietly and without a compiler (workers load it themselves, while this renders HTML)
    files: dict[str, bytes] = {}
    pending: list[tuple[str, Future[bytes]]] = []
    deferred: list[tuple[str, Callable[[Any], bytes], Any]] = []

    def job(name: str, fn: Callable[[Any], bytes], args: Any) -> None:
        if pool is None:
            deferred.append((name, fn, args))
        else:
            pending.append((name, pool.submit(fn, args)))

    try:
        if pool is not None and set(kinds) & {"docx", "pdf"}:
            from policy_lang.backends.annex.render import preload

            # templates loaded once (~1 ms from the shipped code), before the workers fork
            for kind, wanted in (("xml", "docx"), ("html", "pdf")):
                if wanted in kinds:
                    preload(kind)
        if pool is not None and "pdf" in kinds:  # the longest jobs first, so the workers start at once
            for prog, config in programs:
                job(output_name(prog.output_id, "pdf"), _pdf_job, (None, prog, config))
        views: list[Any] = []
        # then what else the workers do (DOCX), then the rest here
        for prog, config in programs:
            progress(prog.output_id)
            if not annex:
                views.append(None)
                continue
            from policy_lang.backends.annex.render import render_html
            from policy_lang.backends.annex.view import build_view

            oid = prog.output_id
            view = build_view(prog, config)
            views.append(view)
            if "html" in kinds or ("pdf" in kinds and pool is None):
                html = render_html(view)
                if "pdf" in kinds and pool is None:
                    job(output_name(oid, "pdf"), _pdf_job, (html, prog, config))
                if "html" in kinds:
                    files[output_name(oid, "html")] = html.encode("utf-8")
            if "docx" in kinds:
                job(output_name(oid, "docx"), _docx_job, (prog, config))
        for (prog, _), view in zip(programs, views):
            if "python" in kinds and prog.instance is None:  # an instance is bound at run time
                from policy_lang.backends.python.emit import emit_python

                files[output_name(prog.id, "python")] = emit_python(prog).encode("utf-8")
            if "md" in kinds and view is not None:
                from policy_lang.backends.annex.render import render_markdown

                files[output_name(prog.output_id, "md")] = render_markdown(view).encode("utf-8")
        for name, fn, args in deferred:
            files[name] = fn(args)
        for name, future in pending:
            files[name] = future.result()
    except Exception as e:
        from concurrent.futures.process import BrokenProcessPool

        if isinstance(e, BrokenProcessPool):
            from policy_lang.backends.annex.pdf import PdfError

            raise PdfError("a worker process rendering DOCX or PDF died (out of memory, or killed); "
                           "nothing was written") from None
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return {n: files[n] for n in sorted(files)}


# -- reading the output directory without following links --------------------------------------

def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (OSError, ValueError):  # absent, a parent not a directory or not searchable, a NUL
        return None


def _kind(st: os.stat_result | None) -> str:
    if st is None:
        return "missing"
    if stat.S_ISREG(st.st_mode):
        return "file"
    if stat.S_ISDIR(st.st_mode):
        return "directory"
    if stat.S_ISLNK(st.st_mode):
        return "symbolic link"
    if stat.S_ISFIFO(st.st_mode):
        return "FIFO"
    if stat.S_ISSOCK(st.st_mode):
        return "socket"
    return "device"


def read_regular(path: Path, limit: int | None = None) -> bytes | None:
    """The bytes of a regular file, never through a link and never blocking on a FIFO; None otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (limit is not None and st.st_size > limit):
            return None
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _digest(path: Path) -> str | None:
    data = read_regular(path)
    return None if data is None else hashlib.sha256(data).hexdigest()


@frozen
class Manifest:
    inputs: str
    outputs: dict[str, str]
    # output id -> (hash of that program's inputs, the outputs made from them); absent in older manifests
    programs: dict[str, tuple[str, tuple[str, ...]]] = field(factory=dict)
    fonts: tuple[dict[str, str], ...] | None = None  # what the PDFs embed (pdf.fonts_in_use); None: not recorded


_FONT_KEYS = ("family", "style", "file", "version", "sha256")


def _parse_manifest(raw: bytes, nested: bool = False) -> Manifest | str:
    """The manifest, or why it is not one of ours."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except RecursionError:
        return "nested too deeply"
    except (UnicodeDecodeError, ValueError):
        return "not valid JSON"
    if not isinstance(data, dict) or not isinstance(data.get("inputs"), str) \
            or not isinstance(data.get("outputs"), dict):
        return 'not of the shape {"inputs": "...", "outputs": {name: sha256}}'
    outputs = data["outputs"]
    for k, v in outputs.items():
        if not (isinstance(v, str) and re.fullmatch(r"[0-9a-f]{64}", v)) or not is_output_name(k):
            return f"the entry {json.dumps(k, ensure_ascii=True)[:80]} is not an output with its sha256"
    programs: dict[str, tuple[str, tuple[str, ...]]] = {}
    raw_programs = data.get("programs", {})
    if not isinstance(raw_programs, dict):
        return '"programs" is not of the shape {id: {"inputs": sha256, "outputs": [name, ...]}}'
    for k, v in raw_programs.items():
        if not (isinstance(v, dict) and isinstance(v.get("inputs"), str) and re.fullmatch(r"[0-9a-f]{64}", v["inputs"])
                and isinstance(v.get("outputs"), list) and all(isinstance(n, str) and is_output_name(n)
                                                               for n in v["outputs"])):
            return (f"the program entry {json.dumps(k, ensure_ascii=True)[:80]} is not "
                    '{"inputs": sha256, "outputs": [name, ...]}')
        programs[k] = (v["inputs"], tuple(v["outputs"]))
    fonts = data.get("fonts")
    if fonts is not None and not (isinstance(fonts, list) and all(
            isinstance(f, dict) and all(isinstance(f.get(key), str) for key in _FONT_KEYS) for f in fonts)):
        return f'"fonts" is not a list of {{{", ".join(_FONT_KEYS)}}}'
    return Manifest(data["inputs"], dict(outputs), programs,
                    None if fonts is None else tuple({key: f[key] for key in _FONT_KEYS} for f in fonts))


def load_manifest(out: Path) -> tuple[Manifest | None, str | None]:
    """Our manifest in `out` (None if absent or not ours), and a note when one was there but ignored."""
    path = out / MANIFEST
    st = _lstat(path)
    if st is None:
        return None, None
    raw = read_regular(path, _MANIFEST_MAX)
    if raw is None:
        return None, f"{path} is not a readable regular file of at most 16 MB ({_kind(st)}): ignored"
    parsed = _parse_manifest(raw)
    if isinstance(parsed, str):
        return None, f"{path} is not a manifest written by policyc ({parsed}): ignored"
    return parsed, None


@frozen
class Entry:
    name: str  # relative to the output directory, posix
    kind: str  # "file", "symbolic link", "FIFO", "socket", "device", "directory" (our staging only)


def _is_infra(name: str) -> bool:
    """Our own transient entries at the top of an output directory."""
    return name == JOURNAL or bool(_STAGING_RE.fullmatch(name))


def _entries(out: Path) -> list[Entry]:
    """Everything in `out` that is not a directory, walked without following links, less what
    belongs to nobody's outputs: Python's bytecode caches (a service importing the evaluators
    makes them), the manifest, and files a well-formed nested build's manifest lists.
    Our staging directory and journal are listed as such (stray)."""
    found: list[Entry] = []

    def walk(path: Path, rel: str, nested: Manifest | None, nested_rel: str, depth: int) -> None:
        try:
            with os.scandir(path) as it:
                items = sorted(it, key=lambda e: e.name)
        except OSError:
            return
        if rel and depth < 64:
            m_path = path / MANIFEST
            if _lstat(m_path) is not None:
                raw = read_regular(m_path, _MANIFEST_MAX)
                parsed = _parse_manifest(raw) if raw is not None else "unreadable"
                if isinstance(parsed, Manifest):
                    nested, nested_rel = parsed, rel
        for item in items:
            name = f"{rel}/{item.name}" if rel else item.name
            try:
                st = item.stat(follow_symlinks=False)
            except OSError:
                continue
            if item.name == "__pycache__" and stat.S_ISDIR(st.st_mode):
                continue
            if not rel and (_is_infra(item.name) or item.name == MANIFEST):
                if item.name != MANIFEST:
                    found.append(Entry(item.name, _kind(st)))
                continue
            if nested is not None:
                inner = name[len(nested_rel) + 1:]
                if inner in (MANIFEST, JOURNAL) or (_STAGING_RE.fullmatch(inner)):
                    continue
                if inner in nested.outputs and stat.S_ISREG(st.st_mode):
                    continue  # that build's own `--check` says whether it is right
            if stat.S_ISDIR(st.st_mode):
                if depth < 64:
                    walk(path / item.name, name, nested, nested_rel, depth + 1)
                else:
                    found.append(Entry(name, "directory"))
            else:
                found.append(Entry(name, _kind(st)))

    if _kind(_lstat(out)) == "directory":
        walk(out, "", None, "", 0)
    return found


def _is_stray(name: str) -> bool:
    """Left by an interrupted writer: our staging directory or journal, or a temporary file."""
    if _is_infra(name.split("/", 1)[0]):
        return True
    base = name.rsplit("/", 1)[-1]
    return base.endswith(".tmp") or base.startswith(".")


@frozen
class Status:
    """What `build --check` finds: each list holds paths relative to the output directory."""

    missing: tuple[str, ...]
    stale: tuple[str, ...]
    extra: tuple[str, ...]  # outputs of no program being built
    stray: tuple[str, ...]  # temporary files left by an interrupted writer
    fonts: tuple[str, ...] = ()  # PDFs (or the manifest) that differ because the fonts here are not the recorded ones
    fonts_note: str | None = None  # "fonts differ: recorded X, here Y"

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra or self.stray or self.fonts)


def status(out: Path, files: dict[str, bytes], kinds: tuple[str, ...], whole_tree: bool,
           expected: Iterable[str] = ()) -> Status:
    """Compare the rendered `files` with `out`, byte for byte (never trusting the manifest); a
    symlink, FIFO or directory at an output path is stale. Extra files count only when the whole
    tree is built (every program of a directory and every kind), since a partial build owns less;
    `expected` names the outputs of this build that were not rendered (up to date): not extra."""
    present = [e.name for e in _entries(out)]
    real_dirs = {d for d in OWNED_DIRS if _kind(_lstat(out / d)) == "directory"}
    kinds_at = {n: _kind(_lstat(out / n)) if n.split("/", 1)[0] in real_dirs else "missing" for n in files}
    missing = tuple(n for n in sorted(files) if kinds_at[n] == "missing")
    stale = tuple(n for n in sorted(files) if kinds_at[n] != "missing" and read_regular(out / n) != files[n])
    stray = tuple(n + ("/" if _is_infra(n) and "/" not in n and n != JOURNAL else "") for n in present if _is_stray(n))
    ours = set(expected)
    extra = tuple(n for n in present if whole_tree and n not in files and n not in ours and not _is_stray(n))
    return Status(missing, stale, extra, stray)


def check_status(out: Path, files: dict[str, bytes], kinds: tuple[str, ...], whole_tree: bool, inputs: str,
                 wanted: dict[str, tuple[str, list[str]]], fonts: list[dict[str, str]] | None) -> Status:
    """What `build --check` reports: `status`, and the manifest stale when it is not ours, or (the
    whole tree built) when every output is right but the next build would record other inputs; PDFs
    that differ while the fonts here (`fonts`, None without PDF) are not the recorded ones are put
    under `fonts` with a note naming both sets, not called stale."""
    st = status(out, files, kinds, whole_tree)
    manifest, note = load_manifest(out)
    recorded = None if manifest is None or fonts is None else manifest.fonts
    changed_fonts = recorded is not None and recorded != tuple(fonts or ())
    by_fonts = tuple(n for n in st.stale if changed_fonts and n.endswith(".pdf"))
    st = attrs.evolve(st, stale=tuple(n for n in st.stale if n not in by_fonts))
    if note is not None:  # there, but not ours: never up to date
        st = attrs.evolve(st, stale=(*st.stale, MANIFEST))
    elif whole_tree and st.clean and not by_fonts:
        # every output is right, but the manifest records other inputs (the compiler changed, not
        # its outputs): the next build would rewrite it, so the committed tree is stale too
        on_disk = read_regular(out / MANIFEST)
        if manifest is None or on_disk != next_manifest(out, inputs, files, (), wanted, fonts):
            if changed_fonts:
                by_fonts = (MANIFEST,)  # the same PDF bytes, but the next build renders them again
            else:
                st = attrs.evolve(st, stale=(MANIFEST,))
    if by_fonts:
        rec, here = fonts_differ(recorded or (), fonts or ())
        st = attrs.evolve(st, fonts=by_fonts,
                          fonts_note=f"fonts differ: recorded {'; '.join(rec) or '(none)'}, "
                                     f"here {'; '.join(here) or '(none)'}")
    return st


def diffs(out: Path, files: dict[str, bytes], st: Status) -> dict[str, str]:
    """`--check --diff`: for each stale output (or one made with other fonts), what differs."""
    return {n: diff(n, read_regular(out / n), files[n], out) for n in (*st.stale, *st.fonts) if n in files}


def extra_files(out: Path, names: Iterable[str]) -> list[str]:
    """Files in `out` that none of `names` is (the manifest and stray files aside)."""
    wanted = set(names)
    return [e.name for e in _entries(out) if e.name not in wanted and not _is_stray(e.name)]


def owned(out: Path, names: Iterable[str]) -> set[str]:
    """Of `names`, those our manifest in `out` lists: what `--prune` may delete."""
    manifest, _ = load_manifest(out)
    return set() if manifest is None else {n for n in names if n in manifest.outputs}


def to_render(out: Path, wanted: dict[str, tuple[str, list[str]]],
              fonts: list[dict[str, str]] | None = None) -> list[str]:
    """Of the programs `wanted` (output id -> (its inputs' hash, the outputs this build wants of it)),
    those to render: every one unless our manifest records these very inputs for it and lists each
    wanted output as made from them, with a regular file of the recorded hash at its path (and, for a
    PDF, the fonts recorded are the ones here). Enough to skip a program; never enough for `--check`."""
    manifest, _ = load_manifest(out)
    if manifest is None:
        return list(wanted)
    fonts_same = fonts is None or manifest.fonts == tuple(fonts)
    stale = []
    for oid, (digest, names) in wanted.items():
        recorded = manifest.programs.get(oid)
        if recorded is None or recorded[0] != digest or not set(names) <= set(recorded[1]) or any(
                n not in manifest.outputs or _digest(out / n) != manifest.outputs[n]
                or (n.endswith(".pdf") and not fonts_same) for n in names):
            stale.append(oid)
    return stale


def next_manifest(out: Path, inputs: str, files: dict[str, bytes], remove: Iterable[str] = (),
                  programs: dict[str, tuple[str, list[str]]] | None = None,
                  fonts: list[dict[str, str]] | None = None) -> bytes:
    """The manifest a build of `files` writes into `out`: the outputs it keeps from the current one
    (regular files still there and not removed), updated with the new ones; the inputs of each
    program rendered (`programs`: output id -> (hash, its outputs in `files`)), the others' entries
    kept (less outputs gone); the fonts the PDFs were made with when PDFs were rendered (`fonts`),
    else the ones recorded."""
    gone = set(remove)
    manifest, _ = load_manifest(out)
    kept = {} if manifest is None else manifest.outputs
    outputs = {k: v for k, v in kept.items()
               if k not in gone and k not in files and _kind(_lstat(out / k)) == "file"}
    outputs.update({n: hashlib.sha256(d).hexdigest() for n, d in files.items() if n != MANIFEST})
    record: dict[str, tuple[str, list[str]]] = {}
    for oid, (digest, listed) in ({} if manifest is None else manifest.programs).items():
        still = [n for n in listed if n in outputs and n not in files]
        if still:
            record[oid] = (digest, still)
    for oid, (digest, names) in (programs or {}).items():
        made = sorted(n for n in names if n in files)
        before = record.get(oid)
        if before is not None and before[0] == digest:  # the same inputs: outputs of another --only kept
            made = sorted(set(made) | set(before[1]))
        record[oid] = (digest, made)
    data: dict[str, object] = {"inputs": inputs, "outputs": dict(sorted(outputs.items())),
                               "programs": {k: {"inputs": d, "outputs": n} for k, (d, n) in sorted(record.items())}}
    recorded_fonts = fonts if fonts is not None else (
        None if manifest is None or manifest.fonts is None else list(manifest.fonts))
    if recorded_fonts is not None:
        data["fonts"] = recorded_fonts
    return (json.dumps(data, indent=1) + "\n").encode()


def fonts_differ(recorded: Iterable[dict[str, str]], here: Iterable[dict[str, str]]) -> tuple[list[str], list[str]]:
    """The fonts only the manifest has and those only this machine has, described."""
    from policy_lang.backends.annex.pdf import describe_font

    rec, now = [dict(f) for f in recorded], [dict(f) for f in here]
    return [describe_font(f) for f in rec if f not in now], [describe_font(f) for f in now if f not in rec]


def diff(name: str, old: bytes | None, new: bytes, out: Path) -> str:
    """A unified diff of a text output (Markdown, the evaluator's Python) against what is on disk;
    for other kinds one line saying they differ, with sizes and hashes."""
    if name.endswith((".md", ".py")):
        import difflib

        before = [] if old is None else old.decode("utf-8", errors="replace").splitlines(keepends=True)
        after = new.decode("utf-8", errors="replace").splitlines(keepends=True)
        lines = difflib.unified_diff(before, after, f"{out / name} (on disk)", f"{out / name} (fresh)")
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    def size(data: bytes | None) -> str:
        return "nothing" if data is None else f"{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:12]}"
    return f"{out / name} differs: on disk {size(old)}; fresh {size(new)}\n"


# -- may the build use this directory? ----------------------------------------------------------

def _within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def out_problem(out: Path, inputs: Iterable[tuple[str, Path]], cwd: Path | None = None) -> str | None:
    """Why `out` is not a directory the build may own (None: it may). `inputs` are (what, path)
    pairs: the policies directory, the contracts directory, each path given, the annex config."""
    shown = str(out)
    if "\0" in shown:
        return f"--out {shown!r}: a path cannot hold a NUL character"
    st = _lstat(out)
    if st is not None and stat.S_ISLNK(st.st_mode):
        return (f"--out {shown}: is a symbolic link (to {os.readlink(out)}); the build does not write through links: "
                f"give the directory itself, --out {out.resolve()}")
    if st is not None and not stat.S_ISDIR(st.st_mode):
        return f"--out {shown}: is a file, not a directory" if stat.S_ISREG(st.st_mode) else \
            f"--out {shown}: is a {_kind(st)}, not a directory"
    try:
        real = out.resolve()
        here = (cwd or Path.cwd()).resolve()
    except (OSError, RuntimeError) as e:
        return f"--out {shown}: cannot be resolved ({e})"
    if _within(here, real):
        what = "is the current directory" if here == real else f"holds the current directory {here}"
        return (f"--out {shown}: {what}; the build needs a directory of its own for its outputs "
                f"(e.g. --out generated)")
    for what, path in inputs:
        try:
            p = path.resolve()
        except (OSError, RuntimeError):
            continue
        if _within(p, real):
            rel = "is" if p == real else "holds"
            return (f"--out {shown}: {rel} the {what} {path}; the build's outputs need a directory of their own "
                    f"(e.g. --out generated)")
    if os.path.lexists(real / ".git"):
        return (f"--out {shown}: is the root of a git repository ({real / '.git'}); the build needs a directory "
                f"of its own (e.g. --out {shown.rstrip('/')}/generated)")
    return None


@frozen
class Survey:
    """What a build would find at its paths in `out`, read under the lock."""

    unowned: tuple[str, ...]  # files (or links, FIFOs...) no build wrote: the build refuses them unless --force
    replace: tuple[str, ...]  # links, FIFOs, sockets at output paths: replaced, never followed
    blocked: tuple[str, ...]  # a directory (or anything not a directory at python/ or annex/): refused
    note: str | None  # the manifest was there but ignored


def survey(out: Path, names: Iterable[str]) -> Survey:
    manifest, note = load_manifest(out)
    ours = set(names) | (set(manifest.outputs) if manifest is not None else set())
    blocked = [d for d in OWNED_DIRS if _kind(_lstat(out / d)) not in ("missing", "directory")]
    blocked += [n for n in sorted(ours) if _kind(_lstat(out / n)) == "directory"]
    if _kind(_lstat(out / MANIFEST)) == "directory":
        blocked.append(MANIFEST)
    unowned, replace = [], []
    for e in _entries(out):
        if _is_infra(e.name.split("/", 1)[0]):
            continue
        if e.name in ours:
            if e.kind != "file":
                replace.append(e.name)
        else:
            unowned.append(e.name)
    return Survey(tuple(unowned), tuple(replace), tuple(blocked), note)


# -- the lock ------------------------------------------------------------------------------------

def _lock_timeout() -> float:
    try:
        return max(0.0, float(os.environ.get("POLICY_LANG_LOCK_TIMEOUT", LOCK_TIMEOUT)))
    except ValueError:
        return LOCK_TIMEOUT


def _open_dir(path: Path | str, dir_fd: int | None = None) -> int:
    return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)


@contextlib.contextmanager
def locked(out: Path, shared: bool = False) -> Iterator[int | None]:
    """Hold the output directory's lock (flock on the directory itself). A build (exclusive) creates
    `out` first; `--check` (shared) locks only a directory that exists and yields None otherwise.
    OutError when the directory cannot be made or another build holds it past the timeout."""
    global _LOCK_FD
    if shared and _kind(_lstat(out)) != "directory":
        yield None
        return
    if not shared:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutError(f"--out {out}: cannot create it ({e.strerror})") from None
    try:
        fd = _open_dir(out)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise OutError(f"--out {out}: is a symbolic link; give the directory itself") from None
        raise OutError(f"--out {out}: cannot open it ({e.strerror})") from None
    try:
        if not shared and not os.access(out, os.W_OK | os.X_OK):
            raise OutError(f"--out {out}: is not writable")
        deadline = time.monotonic() + _lock_timeout()
        while True:
            try:
                fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    if shared:
                        break  # --check reads what is there: a running build shows as stray files
                    raise OutError(f"another build of {out} is running (waited {_lock_timeout():.0f} s); "
                                   f"try again when it has finished") from None
                time.sleep(0.05)
            except OSError as e:  # a filesystem without flock
                raise OutError(f"--out {out}: cannot be locked ({e.strerror})") from None
        _LOCK_FD = fd
        yield fd
    finally:
        _LOCK_FD = None
        os.close(fd)


# -- all-or-nothing publish ------------------------------------------------------------------------

def _write_new(dir_fd: int, name: str, data: bytes) -> None:
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=dir_fd)
    try:
        os.fchmod(fd, 0o644)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _subdir(parent_fd: int, name: str, create: bool) -> int | None:
    """A real directory inside `parent_fd` (made if asked), opened; OutError if something else is there."""
    try:
        return _open_dir(name, parent_fd)
    except FileNotFoundError:
        if not create:
            return None
    except OSError as e:
        raise OutError(f"{name} in the output directory is not a directory ({e.strerror}); move it away") from None
    os.mkdir(name, 0o755, dir_fd=parent_fd)
    return _open_dir(name, parent_fd)


def _valid_journal(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("staging"), str) \
        and bool(_STAGING_RE.fullmatch(data["staging"])) \
        and isinstance(data.get("files"), list) and isinstance(data.get("remove"), list) \
        and all(isinstance(n, str) and (n == MANIFEST or is_output_name(n)) for n in data["files"]) \
        and all(isinstance(n, str) and is_output_name(n) for n in data["remove"])


def _roll_forward(out_fd: int, journal: dict[str, Any]) -> None:
    """Finish a publish the journal describes: idempotent, so a kill during it is finished later."""
    staging = journal["staging"]
    sfd = _subdir(out_fd, staging, create=False)
    fds: dict[tuple[str, str], int | None] = {}
    try:
        def dir_of(side: str, sub: str) -> int | None:
            if (side, sub) not in fds:
                if side == "staging":
                    fds[side, sub] = None if sfd is None else _subdir(sfd, sub, create=False)
                else:
                    fds[side, sub] = _subdir(out_fd, sub, create=True)
            return fds[side, sub]

        names = [n for n in journal["files"] if n != MANIFEST] + [n for n in journal["files"] if n == MANIFEST]
        for name in names:
            sub, _, base = name.rpartition("/")
            src = sfd if not sub else dir_of("staging", sub)
            dst = out_fd if not sub else dir_of("out", sub)
            if name == MANIFEST:
                for fd in fds.values():
                    if fd is not None:
                        os.fsync(fd)  # every output in place before the manifest says so
                for name_gone in journal["remove"]:
                    gsub, _, gbase = name_gone.rpartition("/")
                    gfd = dir_of("out", gsub)
                    assert gfd is not None
                    with contextlib.suppress(FileNotFoundError):
                        if not stat.S_ISDIR(os.stat(gbase, dir_fd=gfd, follow_symlinks=False).st_mode):
                            os.unlink(gbase, dir_fd=gfd)
                    os.fsync(gfd)
            if src is None:
                continue  # staging gone: moved already
            try:
                os.rename(base, base, src_dir_fd=src, dst_dir_fd=dst)
            except FileNotFoundError:
                continue  # moved before an interruption
            except IsADirectoryError:
                raise OutError(f"{name} in the output directory is a directory; move it away") from None
        os.fsync(out_fd)
        os.unlink(JOURNAL, dir_fd=out_fd)
        os.fsync(out_fd)
    finally:
        for fd in [*fds.values(), sfd]:
            if fd is not None:
                os.close(fd)
    _drop(out_fd, staging)


def _drop(out_fd: int, name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISDIR(os.stat(name, dir_fd=out_fd, follow_symlinks=False).st_mode):
            shutil.rmtree(name, dir_fd=out_fd)
        else:
            os.unlink(name, dir_fd=out_fd)


def recover(out_fd: int) -> bool:
    """Under the lock: finish the publish an interrupted build journaled, drop staging it did not
    get to publish. True if anything was left."""
    left = False
    try:
        st = os.stat(JOURNAL, dir_fd=out_fd, follow_symlinks=False)
    except FileNotFoundError:
        st = None
    if st is not None:
        left = True
        journal: Any = None
        if stat.S_ISREG(st.st_mode):
            try:
                fd = os.open(JOURNAL, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=out_fd)
                with os.fdopen(fd, "rb") as fh:
                    journal = json.loads(fh.read(_MANIFEST_MAX).decode("utf-8"))
            except (OSError, ValueError, RecursionError):
                journal = None
        if _valid_journal(journal):
            _roll_forward(out_fd, journal)
        else:  # not written by a publish (ours are put in place whole): nothing was renamed after it
            _drop(out_fd, JOURNAL)
    for name in os.listdir(out_fd):
        if _STAGING_RE.fullmatch(name):
            left = True
            _drop(out_fd, name)
    return left


def publish(out_fd: int, files: dict[str, bytes], remove: Iterable[str] = ()) -> None:
    """Put `files` (the manifest among them) in place of what is at their paths and delete `remove`,
    all or nothing (see the module docstring). Call under the lock, after `recover`."""
    staging = f"{STAGING}{os.getpid()}"
    _drop(out_fd, staging)
    os.mkdir(staging, 0o755, dir_fd=out_fd)
    sfd = _open_dir(staging, out_fd)
    try:
        subs: dict[str, int] = {}
        for name, data in sorted(files.items()):
            sub, _, base = name.rpartition("/")
            if sub and sub not in subs:
                os.mkdir(sub, 0o755, dir_fd=sfd)
                subs[sub] = _open_dir(sub, sfd)
            _write_new(subs[sub] if sub else sfd, base, data)
        journal = json.dumps({"staging": staging, "files": sorted(files), "remove": sorted(set(remove))}).encode()
        _write_new(sfd, "journal", journal)
        for fd in subs.values():
            os.fsync(fd)
            os.close(fd)
        os.fsync(sfd)
        os.rename("journal", JOURNAL, src_dir_fd=sfd, dst_dir_fd=out_fd)
        os.fsync(out_fd)
    finally:
        os.close(sfd)
    _roll_forward(out_fd, json.loads(journal))
