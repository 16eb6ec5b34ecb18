"""The front end as one call: source path -> checked model, or diagnostics."""
from __future__ import annotations

from pathlib import Path

from attrs import frozen

from . import model
from .check import check
from .diagnostics import Diagnostic
from .decide import decide
from .lint import lint
from .lower import lower
from .sources import Loader


@frozen
class Compilation:
    program: model.Program | None
    diagnostics: tuple[Diagnostic, ...]
    sources: dict[str, str]  # display path -> text, for rendering diagnostics

    @property
    def ok(self) -> bool:
        """A program and no errors; warnings (W-codes) do not stop a build."""
        return self.program is not None and not self.errors

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")


def compile_file(path: str | Path, root: str | Path | None = None) -> Compilation:
    """Parse, resolve includes (inside `root`, default: the file's directory), check and lower."""
    path = Path(path)
    loader = Loader(Path(root) if root is not None else path.resolve().parent)
    items = loader.load(path)
    diags = list(loader.diagnostics)
    if not diags:
        main_display = loader.files[0].display if loader.files else str(path)
        diags.extend(check(items, main_display)[0])
        if not any(d.severity == "error" for d in diags):
            diags.extend(lint(items, loader.sources))  # terminology and script: warnings only
    if any(d.severity == "error" for d in diags):
        return Compilation(None, tuple(diags), loader.sources)
    main_rel = loader.files[0].rel
    prog = decide(lower(items, [(f.rel, f.sha256) for f in loader.files], main_rel))
    return Compilation(prog, tuple(diags), loader.sources)


def program_files(target: Path) -> list[Path]:
    """Program sources under a directory: its `*.policy` files (includes live in subdirectories)."""
    if target.is_dir():
        return sorted(p for p in target.glob("*.policy") if p.is_file())
    return [target]
