"""`policyc build`: render the outputs of checked programs, all or nothing, and say what is stale.

A build renders into a staging directory beside the output directory and then swaps the two
(`renameat2(RENAME_EXCHANGE)` on Linux: one atomic step), so a build killed at any moment leaves
either the old set or the new one, never a mix, and no temporary file inside the outputs. A
manifest (`.manifest.json`) records the hash of every input — the policy sources with their
includes, the annex config, the compiler's own code and templates — and of every output: when
nothing changed, a build renders nothing.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from attrs import frozen

from . import __version__, model

KINDS = ("python", "md", "html", "docx", "pdf")
MANIFEST = ".manifest.json"
_PACKAGE = Path(__file__).resolve().parent


def output_name(program_id: str, kind: str) -> str:
    """Where a kind of output of a program lives, relative to the output directory."""
    return f"python/{program_id}.py" if kind == "python" else f"annex/{program_id}.{kind}"


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
    digest = hashlib.sha256(_code_hash().encode())
    for p in sorted(programs, key=lambda p: p.id):
        digest.update(f"{p.id}\0{p.sha256}\n".encode())
    digest.update(hashlib.sha256(config_bytes).digest())
    digest.update(",".join(kinds).encode())
    return digest.hexdigest()


def _pdf_job(args: tuple[str, model.Program]) -> bytes:
    from .backends.annex.pdf import render_pdf

    return render_pdf(*args)


def render(programs: list[tuple[model.Program, object]], kinds: tuple[str, ...],
           progress: Callable[[str], None] = lambda _: None) -> dict[str, bytes]:
    """Every selected output of every program, by name relative to the output directory."""
    files: dict[str, bytes] = {}
    pdf_jobs: list[tuple[str, tuple[str, model.Program]]] = []
    for prog, config in programs:
        progress(prog.output_id)
        if "python" in kinds and prog.instance is None:  # an instance is bound at run time: no module of its own
            from .backends.python.emit import emit_python

            files[output_name(prog.id, "python")] = emit_python(prog).encode("utf-8")
        if set(kinds) & {"md", "html", "docx", "pdf"}:
            from .backends.annex.docx import render_docx
            from .backends.annex.render import environment, render_html, render_markdown
            from .backends.annex.view import build_view

            view = build_view(prog, config)  # type: ignore[arg-type]
            oid = prog.output_id
            if "md" in kinds:
                files[output_name(oid, "md")] = render_markdown(view).encode("utf-8")
            html = render_html(view) if set(kinds) & {"html", "pdf"} else ""
            if "html" in kinds:
                files[output_name(oid, "html")] = html.encode("utf-8")
            if "docx" in kinds:
                files[output_name(oid, "docx")] = render_docx(view, environment("xml"))
            if "pdf" in kinds:
                pdf_jobs.append((output_name(oid, "pdf"), (html, prog)))
    if len(pdf_jobs) > 1 and (os.cpu_count() or 1) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(len(pdf_jobs), os.cpu_count() or 1)) as pool:
            for (name, _), data in zip(pdf_jobs, pool.map(_pdf_job, [a for _, a in pdf_jobs])):
                files[name] = data
    else:
        for name, args in pdf_jobs:
            files[name] = _pdf_job(args)
    return files


@frozen
class Status:
    """What `build --check` finds: each list holds paths relative to the output directory."""

    missing: tuple[str, ...]
    stale: tuple[str, ...]
    extra: tuple[str, ...]  # outputs of no program being built
    stray: tuple[str, ...]  # temporary files left by an interrupted writer

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra or self.stray)


def _existing(out: Path) -> list[str]:
    if not out.is_dir():
        return []
    # Python's bytecode cache appears wherever a service imports the evaluators: not an output.
    # A subdirectory with a manifest of its own is another build's output (generated/examples).
    nested = {m.parent.relative_to(out).parts for m in out.rglob(MANIFEST) if m.parent != out}
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if (p.is_file() or p.is_symlink()) and "__pycache__" not in p.relative_to(out).parts
                  and not any(p.relative_to(out).parts[:len(n)] == n for n in nested))


def _is_stray(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.endswith(".tmp") or (base.startswith(".") and base != MANIFEST)


def status(out: Path, files: dict[str, bytes], kinds: tuple[str, ...], whole_tree: bool) -> Status:
    """Compare the rendered `files` with `out`. Extra files count only when the whole tree is
    built (every program of a directory and every kind), since a partial build owns less."""
    present = _existing(out)
    missing = tuple(n for n in sorted(files) if not (out / n).is_file())
    stale = tuple(n for n in sorted(files) if (out / n).is_file() and (out / n).read_bytes() != files[n])
    stray = tuple(n for n in present if _is_stray(n))
    extra = tuple(n for n in present if whole_tree and n not in files and n != MANIFEST and not _is_stray(n))
    return Status(missing, stale, extra, stray)


def extra_files(out: Path, names: Iterable[str]) -> list[str]:
    """Files in `out` that none of `names` is (the manifest and stray files aside)."""
    wanted = set(names)
    return [n for n in _existing(out) if n not in wanted and n != MANIFEST and not _is_stray(n)]


def read_manifest(out: Path) -> dict:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def up_to_date(out: Path, inputs: str, names: Iterable[str]) -> bool:
    """The manifest says these outputs come from these inputs, and the files are untouched."""
    manifest = read_manifest(out)
    if manifest.get("inputs") != inputs:
        return False
    recorded = manifest.get("outputs", {})
    for name in names:
        path = out / name
        if name not in recorded or not path.is_file():
            return False
        if hashlib.sha256(path.read_bytes()).hexdigest() != recorded[name]:
            return False
    return not any(_is_stray(n) for n in _existing(out))


def next_manifest(out: Path, inputs: str, files: dict[str, bytes], remove: Iterable[str] = ()) -> bytes:
    """The manifest a build of `files` writes into `out`: the outputs it keeps from the current one
    (files still there and not removed), updated with the new ones."""
    gone = set(remove)
    outputs = {k: v for k, v in read_manifest(out).get("outputs", {}).items() if k not in gone and (out / k).is_file()}
    outputs.update({n: hashlib.sha256(d).hexdigest() for n, d in files.items()})
    return (json.dumps({"inputs": inputs, "outputs": dict(sorted(outputs.items()))}, indent=1) + "\n").encode()


# -- all-or-nothing write --------------------------------------------------------------------

def _staging_prefix(out: Path) -> str:
    return f".{out.name}.staging-"


def clean_leftovers(out: Path) -> None:
    """Remove staging directories an interrupted build left beside `out`."""
    parent = out.parent
    if not parent.is_dir():
        return
    for p in parent.glob(_staging_prefix(out) + "*"):
        shutil.rmtree(p, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def write_all(out: Path, files: dict[str, bytes], remove: Iterable[str] = ()) -> int:
    """Replace `out` by a copy with `files` written and `remove` deleted, in one swap.
    Returns how many files changed."""
    clean_leftovers(out)
    staging = out.parent / f"{_staging_prefix(out)}{os.getpid()}"
    if out.is_dir():
        shutil.copytree(out, staging, symlinks=True)
    else:
        staging.mkdir(parents=True)
    changed = 0
    for name in _existing(staging):
        if _is_stray(name) and name != MANIFEST:
            (staging / name).unlink()
    for name in remove:
        target = staging / name
        if target.is_file():
            target.unlink()
            changed += 1
    for name, data in sorted(files.items()):
        target = staging / name
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        os.chmod(target, 0o644)
        changed += name != MANIFEST
    _fsync_tree(staging)
    if not out.exists():
        os.rename(staging, out)
    elif _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)
    else:  # no atomic exchange here: two renames, the old tree kept until the new one is in
        old = out.parent / f"{_staging_prefix(out)}old-{os.getpid()}"
        os.rename(out, old)
        os.rename(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    return changed


def _fsync_tree(root: Path) -> None:
    for p in root.rglob("*"):
        if p.is_file():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())
