"""The front end as one call: source path -> checked model, or diagnostics."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import attrs
from attrs import frozen

from policy_lang.diagnostics import Diagnostic, Label
from policy_lang.semantics import model, production_calendar
from policy_lang.semantics.check import check, id_skeleton
from policy_lang.semantics.decide import decide
from policy_lang.semantics.lint import lint
from policy_lang.semantics.lower import lower
from policy_lang.syntax import ast
from policy_lang.syntax.sources import Loader


@frozen
class Compilation:
    program: model.Program | None
    diagnostics: tuple[Diagnostic, ...]
    sources: dict[str, str]  # display path -> text, for rendering diagnostics
    program_id: ast.Name | None = None  # the `program` id, where it was parsed

    @property
    def ok(self) -> bool:
        """A program and no errors; warnings (W-codes) do not stop a build."""
        return self.program is not None and not self.errors

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")


def compile_file(path: str | Path, root: str | Path | None = None,
                 calendar_data: str | Path | production_calendar.CalendarRequest | None = None, *,
                 text: bytes | None = None) -> Compilation:
    """Parse, resolve includes (inside `root`, default: the file's directory), check and lower.
    The file itself must lie inside the root too: a symbolic link out of it is refused (P0601).

    `calendar_data`: a production calendar data file (or a CalendarRequest from `calendar_request`)
    whose [[year]] blocks add to or override the packaged ones, with the packaged file's validation
    (its errors are P0706 in that file); it is one of the program's inputs (`Program.files`,
    `Program.sha256`). None: what `production_calendar.requested()` names, else the packaged data.
    `text`: the file's bytes, read elsewhere (`policyc check -` reads stdin); `path` is then its name."""
    path = Path(path)
    request = (calendar_data if isinstance(calendar_data, production_calendar.CalendarRequest) else
               production_calendar.CalendarRequest(Path(calendar_data)) if calendar_data is not None else
               production_calendar.requested_file())
    data, cal_diags, cal_sources = production_calendar.read_request(request)
    if cal_diags:  # the calendar data (or the setting naming it) is wrong: nothing is compiled with it
        return Compilation(None, tuple(cal_diags), cal_sources)
    loader = Loader(Path(root) if root is not None else path.absolute().parent,
                    None if text is None else (path, text))
    items = loader.load(path)
    pid = next((i.id for i in items if isinstance(i, ast.ProgramDecl)), None)
    diags = list(loader.diagnostics)
    with production_calendar.using(data):
        if not diags:
            main_display = loader.files[0].display if loader.files else str(path)
            diags.extend(check(items, main_display)[0])
            if not any(d.severity == "error" for d in diags):
                diags.extend(lint(items, loader.sources))  # terminology and script: warnings only
        if any(d.severity == "error" for d in diags):
            return Compilation(None, tuple(diags), loader.sources, pid)
        main_rel = loader.files[0].rel
        files = [(f.rel, f.sha256) for f in loader.files]
        if data is not None and data.path is not None and data.sha256 is not None:
            # the baked calendars and the annex's decrees depend on it; named by its file name only, so
            # that a build elsewhere (CI, another checkout) hashes the same bytes to the same sha256
            files.append((f"<calendar-data>/{Path(data.path).name}", data.sha256))
        prog = decide(lower(items, files, main_rel))
    return Compilation(prog, tuple(diags), loader.sources, pid)


def calendar_request(given: str | Path | None, paths: Sequence[str | Path] = ()
                     ) -> production_calendar.CalendarRequest | None:
    """The calendar data of a command on `paths`: `--calendar-data FILE` when given, else the
    `calendar-data` of the policyc.toml found from the first path's directory upward (to the
    repository root), else None (the packaged data)."""
    first = Path(paths[0]) if paths else Path("policies")
    return production_calendar.request_for(given, first)


def program_files(target: Path) -> list[Path]:
    """Program sources under a directory: its `*.policy` files (includes live in subdirectories).
    Symbolic links are listed too, even dangling or looping ones: the loader says what is wrong
    with them (P0003, or P0601 for a link out of the root), rather than skipping them silently."""
    if not target.is_dir():
        return [target]
    out: list[Path] = []
    real: set[Path] = set()
    for p in sorted(p for p in target.glob("*.policy") if p.is_file() or p.is_symlink()):
        try:
            key = p.resolve()
        except (RuntimeError, OSError):  # a loop: the loader reports it
            out.append(p)
            continue
        if key not in real:  # `alias.policy -> real.policy` is one program, not two with one id
            real.add(key)
            out.append(p)
    return out


P = TypeVar("P")


def distinct_programs(results: Sequence[tuple[P, Compilation]]) -> list[tuple[P, Compilation]]:
    """The compilations of one `check` or `build`, each program id once: a later file with the
    id of an earlier one (or one that differs only in case or looks the same: the outputs
    generated/python/<id>.py would collide on a case-insensitive file system) fails with P0803
    at its `program` id, naming the first. Both files stay in the results; the later one has
    no program, so nothing is built from it and nothing is silently overwritten."""
    first: dict[str, ast.Name] = {}
    out: list[tuple[P, Compilation]] = []
    for key, comp in results:
        name = comp.program_id
        if not isinstance(name, ast.Name):
            out.append((key, comp))
            continue
        skeleton = id_skeleton(name.value)
        seen = first.get(skeleton)
        if seen is None:
            first[skeleton] = name
            out.append((key, comp))
            continue
        how = "the same id as" if seen.value == name.value else "an id differing only in case from"
        diag = Diagnostic(
            "P0803", f"program `{name.value}` has {how} the program in {seen.span.path}", Label(name.span, "second program"),
            secondary=(Label(seen.span, f"program `{seen.value}` declared here"),),
            notes=(f"generated/python/{name.value}.py and {seen.value}.py are one file on a case-insensitive "
                   "file system (Windows, macOS): one program would replace the other" if seen.value != name.value else
                   f"both would be built as generated/python/{name.value}.py: the second would replace the first",),
            help="give each program its own id (the `program` line), or remove the copy")
        out.append((key, attrs.evolve(comp, program=None, diagnostics=(*comp.diagnostics, diag))))
    return out
