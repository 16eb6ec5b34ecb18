"""Command line: `policyc check`, `policyc build [--check]`, `policyc explain CODE`, `policyc query`."""
from __future__ import annotations

import itertools
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import attrs
import click

from policy_lang import diagnostics
from policy_lang.build.output import KINDS
from policy_lang.frontend import Compilation, calendar_request, compile_file, distinct_programs, program_files
from policy_lang.syntax.sources import printable_path

EXIT_OK, EXIT_POLICY, EXIT_USAGE = 0, 1, 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in policyc (never a traceback)

_F = TypeVar("_F", bound=Callable[..., Any])

#: `--format` of check and build (query, explain and init: text and json); policy_lang.report writes
#: the machine ones and is imported only when one is asked for
FORMATS = ("text", "json", "github", "sarif")


def _rep() -> Any:
    from policy_lang import report

    return report


def _targets(paths: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for raw in paths or ("policies",):
        p = Path(raw)
        if not p.exists():
            raise click.UsageError(f"{raw}: no such file or directory")
        files = program_files(p)
        if p.is_dir() and not files:
            raise click.UsageError(f"{raw}: no *.policy files in this directory")
        out.extend(f for f in files if f not in out)  # a file named twice is one program, not a P0803
    return out


def _compile_all(paths: tuple[str, ...], root: str | None, fmt: str = "text",
                 calendar_data: str | None = None) -> list[tuple[Path, Compilation]]:
    results = []
    try:
        targets = _targets(paths)
    except click.UsageError as e:
        _usage(fmt, e.message)
    calendar = calendar_request(calendar_data, paths)  # --calendar-data, else policyc.toml's, else packaged
    for path in targets:
        r = root if root is not None else (path.parent if path.is_file() or not path.exists() else path)
        results.append((path, compile_file(path, r, calendar)))
    return distinct_programs(results)  # one program per id: a second file with it is P0803, not lost


#: `--calendar-data FILE` of check, build and query: production calendar years beside the packaged ones.
_calendar_data_option = click.option(
    "--calendar-data", "calendar_data", metavar="FILE", type=click.Path(dir_okay=False, path_type=str),
    help="Production calendar data ([[year]] blocks as in the packaged ru_production_calendar.toml) "
         "adding or overriding decree years (default: `calendar-data` in policyc.toml, found from the "
         "policies upward).")


def _unique(diags: list[diagnostics.Diagnostic]) -> list[diagnostics.Diagnostic]:
    """Each diagnostic once: an error in a shared include is found by every program including it."""
    seen: set[diagnostics.Diagnostic] = set()
    out = []
    for d in diags:
        if d not in seen:
            seen.add(d)
            out.append(d)
    return out


def _meta(key: str, default: Any = None) -> Any:
    """An output setting of this invocation (--color, -q), kept where the options' callbacks put it."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(key, default) if ctx is not None else default


def _colour() -> bool:
    """--color always|never wins; `auto` (the default): NO_COLOR off, FORCE_COLOR on, else a terminal."""
    choice = _meta("policyc.color", "auto")
    if choice != "auto":
        return bool(choice == "always")
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stderr.isatty()


def _quiet() -> bool:
    return bool(_meta("policyc.quiet", False))


def _say(text: str, err: bool = False) -> None:
    """A line that is not an error (ok, built, notes): not under -q."""
    if not _quiet():
        click.echo(text, err=err)


def _remember(key: str) -> Any:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        ctx.meta[key] = value
        return value
    return callback


def _format_option(choices: tuple[str, ...] = FORMATS) -> Callable[[_F], _F]:
    helps = {"text": "text: diagnostics for people, on stderr", "json": "json: one document (README: the envelope)",
             "github": "github: GitHub workflow annotations", "sarif": "sarif: SARIF 2.1.0 for code scanning"}
    return click.option("--format", "fmt", type=click.Choice(choices), default="text", show_default=True,
                        help="; ".join(helps[c] for c in choices) + ".")


#: --color and -q: every command that prints diagnostics takes them; callbacks keep them in ctx.meta
_color_option = click.option(
    "--color", "--colour", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
    expose_value=False, callback=_remember("policyc.color"), is_eager=True,
    help="Colour diagnostics: auto is NO_COLOR / FORCE_COLOR, else only on a terminal; this flag wins over both.")
_quiet_option = click.option(
    "-q", "--quiet", is_flag=True, expose_value=False, callback=_remember("policyc.quiet"), is_eager=True,
    help="Print errors only: no warnings, ok lines, summaries or notes (json and sarif documents stay whole).")

#: formats that are one document on stdout, printed once the outcome is known
_DOCUMENTS = ("json", "sarif")


def _paint(text: str) -> str:
    """Colour the first line of a rendered diagnostic: error red, warning yellow, code bold."""
    head, sep, rest = text.partition("\n")
    head = re.sub(r"(error|warning)\[(\w+)\]", lambda m: click.style(m.group(1), fg="red" if m.group(1) == "error"
                                                                    else "yellow", bold=True)
                  + "[" + click.style(m.group(2), bold=True) + "]", head, count=1)
    return head + sep + rest


def _report(results: list[tuple[Path, Compilation]], fmt: str, strict: bool = False,
            extra: Sequence[diagnostics.Diagnostic] = (), summary: dict[str, object] | None = None,
            extra_sources: dict[str, str] | None = None) -> int:
    """Print diagnostics (once each); the exit code: errors, or warnings under --strict, fail.
    json and sarif print nothing here: the command prints its one document (`_document`) at its end."""
    diags = _unique([d for _, c in results for d in c.diagnostics] + list(extra))
    errors = [d for d in diags if d.severity == "error" or strict]
    warnings = [d for d in diags if d.severity != "error"]
    if _quiet():
        diags = [d for d in diags if d in errors]
    if fmt in _DOCUMENTS:
        pass
    elif fmt == "github":
        if diags:
            click.echo(_rep().github(diags, strict))
    else:
        sources: dict[str, str] = dict(extra_sources or {})
        for _, c in results:
            sources.update(c.sources)
        colour = _colour()
        for d in diags:
            text = diagnostics.render_text(d, sources)
            click.echo(_paint(text) if colour else text, err=True, color=colour)  # click strips it off a tty
            click.echo("", err=True)
    if fmt not in _DOCUMENTS and diags and not _quiet():  # the count, on stderr, for people
        failing = sum(1 for _, c in results if any(d in errors for d in c.diagnostics))
        parts = []
        n_err = sum(1 for d in diags if d.severity == "error")
        if n_err:
            parts.append(f"{n_err} error{'s' if n_err != 1 else ''}")
        if warnings:
            parts.append(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
                         + (" (errors under --strict)" if strict else ""))
        click.echo(f"{', '.join(parts)} in {max(failing, 1) if errors else 0} of {len(results)} program(s)",
                   err=True)
    return EXIT_POLICY if errors else EXIT_OK


def _wanted_format(argv: list[str]) -> str:
    """The `--format` the command line asks for (anywhere: click has not parsed it yet): json, then
    sarif, then github if any is named, else text."""
    named = {a.partition("=")[2] for a in argv if a.startswith("--format=")}
    named |= {b for a, b in itertools.pairwise(argv) if a == "--format"}
    return next((f for f in ("json", "sarif", "github") if f in named), "text")


def _command_name(ctx: click.Context | None = None, argv: Sequence[str] = ()) -> str | None:
    """The subcommand an error belongs to: from click's context, else the first word of argv that
    names one; None for an unknown command."""
    if ctx is not None and ctx.parent is not None and ctx.command.name:
        return ctx.command.name
    return next((a for a in argv if a in main.commands), None)


def _fail_document(fmt: str, command: str | None, code: int, kind: str, message: str,
                   diags: Sequence[diagnostics.Diagnostic] = (), **fields: object) -> None:
    """A failed outcome as the document `fmt` asks for (json envelope, SARIF log, GitHub command)."""
    error = {"kind": kind, "message": message}
    if fmt == "json":
        click.echo(diagnostics.dumps(_rep().envelope(command, code, diagnostics=diags, error=error, **fields)))
    elif fmt == "sarif":
        click.echo(diagnostics.dumps(_rep().sarif(diags, code, error=error, version=_version())))
    elif fmt == "github":
        click.echo(_rep().github_error(message, f"policyc {command or ''} {kind} error".replace("  ", " ")))


def _version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("policy_lang")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree without metadata
        return None


def _document(command: str, diags: Sequence[diagnostics.Diagnostic], fmt: str, strict: bool = False, *,
              ok: bool, error: dict[str, str] | None = None, **fields: object) -> None:
    """The outcome of check or build as one json envelope or SARIF log (other formats: nothing)."""
    code = EXIT_OK if ok else EXIT_POLICY
    if not ok and error is None:
        n = sum(1 for d in diags if d.severity == "error" or strict)
        error = {"kind": "policy", "message": f"{n} error{'s' if n != 1 else ''} in the policies"}
    if fmt == "json":
        click.echo(diagnostics.dumps(_rep().envelope(command, code, diagnostics=diags, error=error, **fields)))
    elif fmt == "sarif":
        click.echo(diagnostics.dumps(_rep().sarif(diags, code, strict=strict, error=error, version=_version())))


class _Policyc(click.Group):
    """The `policyc` group: under `--format json` click's own usage errors (an unknown option, a bad
    value, an unknown command) are one JSON document on stdout too, like the commands' own errors;
    run from the command line, an unexpected exception is a one-line error, not a traceback."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        from_command_line = args is None  # the console script; CliRunner and callers pass args
        fmt = _wanted_format(argv)
        if os.environ.get(complete_var or f"_{(prog_name or 'policyc').replace('-', '_').upper()}_COMPLETE"):
            fmt = "text"  # shell completion: click answers, never a document
        documents = fmt != "text"
        if not standalone_mode or not (documents or from_command_line):
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            if not documents:
                return super().main(args, prog_name, complete_var, True, **extra)
            try:
                rv = super().main(argv, prog_name, complete_var, False, **extra)
            except click.UsageError as e:  # BadParameter, NoSuchOption, an unknown command ...
                _fail_document(fmt, _command_name(e.ctx, argv), EXIT_USAGE, "usage", e.format_message())
                if fmt == "github":
                    e.show()
                sys.exit(EXIT_USAGE)
            except click.ClickException as e:
                _fail_document(fmt, _command_name(None, argv), e.exit_code, "error", e.format_message())
                sys.exit(e.exit_code)
            except click.Abort:
                _fail_document(fmt, _command_name(None, argv), 1, "aborted", "aborted")
                sys.exit(1)
            sys.exit(rv if isinstance(rv, int) else EXIT_OK)
        except Exception as e:  # the last net: a bug must not print a traceback at users
            if os.environ.get("POLICY_LANG_TRACEBACK"):
                raise
            message = f"internal error: {type(e).__name__}: {e}"
            if fmt in _DOCUMENTS:
                _fail_document(fmt, _command_name(None, argv), EXIT_INTERNAL, "internal", message)
            else:
                click.echo(f"policyc: {_printable(message)}"
                           "\n(a bug in policyc: please report it with the command; "
                           "POLICY_LANG_TRACEBACK=1 shows the traceback)", err=True)
            sys.exit(EXIT_INTERNAL)


def _check_today() -> None:
    """POLICY_LANG_TODAY, when set, is a valid date: a typo must not silently mean the real today."""
    from policy_lang.semantics import production_calendar

    try:
        production_calendar.today()
    except ValueError as e:
        raise click.UsageError(str(e)) from None


@click.group(cls=_Policyc, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policy_lang", prog_name="policyc")
def main() -> None:
    """policyc: check support-contract policies and compile them into code and Russian annexes."""
    import atexit
    import gc

    _check_today()

    # The process ends with the command: let the interpreter skip its final sweep of every object
    # (~15-25 ms of a `policyc check`). Only the exit changes; unregister keeps it to one entry.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


_PATHS = click.Path(path_type=str, allow_dash=True)  # a path the shell completes; `-` is stdin (check)


@main.command()
@click.argument("paths", nargs=-1, type=_PATHS)
@click.option("--root", type=click.Path(file_okay=False, path_type=str),
              help="Policies root: includes must stay inside it (default: the program's directory).")
@_format_option()
@click.option("--strict", is_flag=True, help="Warnings are errors (exit 1), e.g. in CI.")
@click.option("--stdin-filename", metavar="NAME", type=click.Path(dir_okay=False, path_type=str),
              help="With `-`: the name diagnostics give the policy read from stdin; its includes are "
                   "found from its directory (or --root).")
@_color_option
@_quiet_option
@_calendar_data_option
def check(paths: tuple[str, ...], root: str | None, fmt: str, strict: bool, stdin_filename: str | None,
          calendar_data: str | None = None) -> None:
    """Check policies (files, or directories of *.policy programs; default `policies`; `-`: stdin)."""
    if "-" in paths:
        results, paths = _compile_stdin(paths, root, fmt, stdin_filename, calendar_data)
    elif stdin_filename is not None:
        _usage(fmt, "--stdin-filename names the policy read from stdin: give `-` as the path")
    else:
        results = _compile_all(paths, root, fmt, calendar_data)
    # what `build` reads besides the programs (annex.toml, contracts/*.toml) is checked here too:
    # check ok means build works
    programs = [c.program for _, c in results if c.program is not None]
    side = _side_inputs(paths, None, programs, ("md",))
    code = _report(results, fmt, strict, side.diagnostics, extra_sources=side.sources)
    if fmt in _DOCUMENTS:
        diags = _unique([d for _, c in results for d in c.diagnostics] + list(side.diagnostics))
        _document("check", diags, fmt, strict, ok=code == EXIT_OK,
                  files=[printable_path(p) for p, _ in results],
                  programs=[c.program.id for _, c in results if c.program is not None])
    elif code == EXIT_OK:
        for path, c in results:
            assert c.program is not None
            _say(diagnostics.safe(f"ok  {printable_path(path)}  ({c.program.id})"))
    sys.exit(code)


def _compile_stdin(paths: tuple[str, ...], root: str | None, fmt: str, name: str | None,
                   calendar_data: str | None = None) -> tuple[list[tuple[Path, Compilation]], tuple[str, ...]]:
    """`check -`: the policy on stdin, named NAME (default `<stdin>` in the working directory); its
    includes resolve from NAME's directory, or --root. The paths build's side inputs are found from."""
    from policy_lang.syntax.sources import MAX_BYTES

    if paths != ("-",):
        _usage(fmt, "`-` (the policy on stdin) is the only path when given")
    data = sys.stdin.buffer.read(MAX_BYTES + 1)
    shown = Path(name if name is not None else "<stdin>")
    if name is not None and Path(name).is_dir():
        _usage(fmt, f"--stdin-filename {_shown(shown)}: is a directory; name the policy file")
    r = root if root is not None else shown.absolute().parent
    calendar = calendar_request(calendar_data, (str(shown),))
    return distinct_programs([(shown, compile_file(shown, r, calendar, text=data))]), (str(shown),)


def _usage(fmt: str, message: str) -> NoReturn:
    """A usage error (exit 2): click's text, or the one document --format json / sarif asks for
    (under github, also an `::error` annotation)."""
    if fmt == "text":
        raise click.UsageError(message)
    _fail_document(fmt, _command_name(click.get_current_context(silent=True)), EXIT_USAGE, "usage", message)
    if fmt == "github":
        raise click.UsageError(message)
    sys.exit(EXIT_USAGE)


def _annex_config(paths: tuple[str, ...], given: str | None) -> Path | None:
    if given:
        return Path(given)
    guess = Path(paths[0]) if paths else Path("policies")
    guess = (guess if guess.is_dir() else guess.parent) / "annex.toml"
    return guess if guess.is_file() else None


def _contracts_dir(paths: tuple[str, ...]) -> Path | None:
    """contracts/ beside the policies directory: each *.toml there is one customer's instance annex."""
    base = Path(paths[0]) if paths else Path("policies")
    if not base.is_dir():
        return None
    guess = base.resolve().parent / "contracts"
    return guess if guess.is_dir() else None


@attrs.frozen
class SideInputs:
    """What a build reads besides the programs: the annex config and the customers' contracts."""

    config_path: Path | None
    configs: dict[str, Any]
    instances: list[Any]
    contract_bytes: list[bytes]
    diagnostics: list[diagnostics.Diagnostic]
    sources: dict[str, str]


def _side_inputs(paths: tuple[str, ...], given_config: str | None, programs: list[Any],
                 kinds: Sequence[str]) -> SideInputs:
    """annex.toml and contracts/*.toml, read and checked once, for `check` and `build` alike."""
    cfg_path = _annex_config(paths, given_config)
    diags: list[diagnostics.Diagnostic] = []
    configs: dict[str, Any] = {}
    instances: list[Any] = []
    contract_bytes: list[bytes] = []
    annexes = bool(set(kinds) & {"md", "html", "docx", "pdf"})
    if annexes and cfg_path is not None:
        from policy_lang.backends.annex.config import read_annex_config

        configs, diags = read_annex_config(cfg_path, [p.id for p in programs])
    contracts_dir = _contracts_dir(paths)
    if contracts_dir is not None and annexes:
        from policy_lang.semantics.contracts import annex_config, contracts_in, instantiate, read_contract
        from policy_lang.syntax.sources import read_inside

        by_id = {p.id: p for p in programs}
        for cpath in contracts_in(contracts_dir):
            c, c_diags = read_contract(cpath, by_id)
            diags.extend(c_diags)
            if c is not None:
                instances.append((instantiate(by_id[c.program], c), annex_config(c)))
                got = read_inside(cpath, cpath.parent)
                contract_bytes.append(got if isinstance(got, bytes) else b"")
    sources: dict[str, str] = {}
    for d in diags:
        if d.span.path not in sources and Path(d.span.path).is_file():
            sources[d.span.path] = _source_text(Path(d.span.path))
    if diags and cfg_path is not None and cfg_path.is_file():
        sources.setdefault(str(cfg_path), _source_text(cfg_path))
    return SideInputs(cfg_path, configs, instances, contract_bytes, diags, sources)


def _source_text(path: Path) -> str:
    """The text a diagnostic quotes its line from: at most the first MiB (an oversized or growing file is
    the diagnostic itself), a BOM dropped as the readers drop it, unreadable bytes replaced."""
    from policy_lang.syntax.sources import read_inside
    from policy_lang.toml_input import MAX_TOML_BYTES

    # through the one bounded reader: a link out of the file's directory is never followed, so
    # what it points to is never quoted
    got = read_inside(path, path.parent, limit=MAX_TOML_BYTES)
    return got.decode("utf-8", errors="replace").removeprefix("\ufeff") if isinstance(got, bytes) else ""


def _check_only(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """`--only pfd`: a usage error that says `did you mean 'pdf'?` (build.parse_kinds checks the rest)."""
    if value is None:
        return value
    for kind in (k.strip() for k in value.split(",")):
        if kind and kind not in KINDS:
            raise click.BadParameter(f"unknown output kind {_printable(kind)!r}{_suggest(kind, KINDS)} "
                                     f"(kinds: {', '.join(KINDS)})", ctx, param)
    return value


def _stale_error(st: Any, cmd: str) -> dict[str, str]:
    """`build --check` found generated files to fix: the envelope's error says how many and the fix."""
    n = sum(len(g) for g in (st.missing, st.stale, st.extra, st.stray, st.fonts))
    fonts = f" ({st.fonts_note})" if st.fonts else ""
    return {"kind": "stale",
            "message": f"{n} generated file(s) missing, stale, extra or stray{fonts}; fix: run `{cmd}`"}


def _fix_command(paths: tuple[str, ...], out: str, only: str | None) -> str:
    import shlex

    args = ["policyc", "build", *(paths or ("policies",))]
    if out != "generated":
        args += ["--out", out]
    if only:
        args += ["--only", only]
    return " ".join(shlex.quote(a) for a in args)


def _build_inputs(paths: tuple[str, ...], root: str | None, cfg_path: Path | None) -> list[tuple[str, Path]]:
    """What `--out` may neither be nor hold: the policies, the contracts, the config, the root."""
    found: list[tuple[str, Path]] = []
    for raw in paths or ("policies",):
        p = Path(raw)
        found.append(("policies directory", p) if p.is_dir() else ("policy file", p))
        if not p.is_dir():
            found.append(("policies directory", p.parent))
    contracts = _contracts_dir(paths)
    if contracts is not None:
        found.append(("contracts directory", contracts))
    if cfg_path is not None:
        found.append(("annex config", cfg_path))
    if root is not None:
        found.append(("policies root", Path(root)))
    return found


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--out", "out", default="generated", show_default=True, type=click.Path(path_type=str),
              help="Output directory: the build's own (not the current directory, the policies, a repository root).")
@click.option("--root", help="Policies root (default: the program's directory).",
              type=click.Path(file_okay=False, path_type=str))
@click.option("--annex-config", type=click.Path(dir_okay=False, path_type=str),
              help="TOML with annex/contract numbers and signatories (default: <policies>/annex.toml).")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 naming missing, stale, extra and stray generated files.")
@click.option("--diff", "show_diff", is_flag=True,
              help="With --check: a unified diff of each stale Markdown annex and evaluator "
                   "(other kinds: sizes and hashes).")
@click.option("--only", callback=_check_only,
              help=f"Comma-separated output kinds to build or check: {', '.join(KINDS)} (default: all).")
@click.option("--prune", is_flag=True, help="Also delete generated files no program produces any more "
                                            "(only files a build wrote, as its manifest lists).")
@click.option("--force", is_flag=True,
              help="Build into a directory holding files no build wrote (they are left alone).")
@click.option("--strict", is_flag=True, help="Warnings are errors (exit 1).")
@_format_option()
@_color_option
@_quiet_option
@_calendar_data_option
def build(paths: tuple[str, ...], out: str, root: str | None, annex_config: str | None, check_only: bool,
          show_diff: bool, only: str | None, prune: bool, force: bool, strict: bool, fmt: str,
          calendar_data: str | None = None) -> None:
    """Compile policies into generated/python/<id>.py and generated/annex/<id>.{md,html,docx,pdf}."""
    from policy_lang.backends.annex.pdf import PdfError
    from policy_lang.backends.annex.pdf import problems as pdf_problems
    from policy_lang.build import pipeline as builder

    try:
        kinds = builder.parse_kinds(only)
    except ValueError as e:
        _usage(fmt, f"--only: {e}")
    if show_diff and not check_only:
        _usage(fmt, "--diff goes with --check (a build writes the fresh outputs; --check --diff shows what differs)")
    out_dir = Path(out)
    problem = builder.out_problem(out_dir, [])
    if problem:
        _usage(fmt, problem)
    results = _compile_all(paths, root, fmt, calendar_data)
    programs = [c.program for _, c in results if c.program is not None]
    side = _side_inputs(paths, annex_config, programs, kinds)
    cfg_path, configs, instances, cfg_diags = side.config_path, side.configs, side.instances, side.diagnostics
    problem = builder.out_problem(out_dir, _build_inputs(paths, root, cfg_path))
    if problem:
        _usage(fmt, problem)
    config_bytes_extra = side.contract_bytes
    summary: dict[str, Any] = {"programs": [p.id for p in programs], "kinds": list(kinds)}  # JSON fields
    code = _report(results, fmt, strict, cfg_diags, summary if fmt == "json" else None, side.sources)

    def emit_json(**fields: Any) -> None:
        diags = _unique([d for _, c in results for d in c.diagnostics] + cfg_diags)
        _document("build", diags, fmt, strict, **summary, **fields)

    if code:
        if fmt in _DOCUMENTS:
            emit_json(ok=False)
        sys.exit(code)
    from policy_lang.backends.annex.config import AnnexConfig

    config_bytes = cfg_path.read_bytes() if cfg_path is not None and cfg_path.is_file() else b""
    config_bytes += b"\0".join(config_bytes_extra)
    inputs = builder.inputs_hash(programs, config_bytes, kinds)
    names = [builder.output_name(p.id, k) for p in programs for k in kinds]
    names += [builder.output_name(p.output_id, k) for p, _ in instances for k in kinds if k != "python"]
    whole = bool(paths == () or all(Path(x).is_dir() for x in paths)) and tuple(kinds) == KINDS
    fix = _fix_command(paths, out, only)
    progress = (lambda pid: click.echo(f"  rendering {pid} ...", err=True)) if (
        fmt == "text" and sys.stderr.isatty()) else (lambda pid: None)
    pairs = [(p, configs.get(p.id, AnnexConfig())) for p in programs] + instances
    annexes = bool(set(kinds) & {"md", "html", "docx", "pdf"})
    contract_of: list[bytes | None] = [None] * len(programs) + list(config_bytes_extra)
    hashed = pairs
    if not annexes and cfg_path is not None and cfg_path.is_file():  # `--only python`: the same hash as a full build
        from policy_lang.backends.annex.config import read_annex_config

        all_configs = read_annex_config(cfg_path, [p.id for p in programs])[0]
        hashed = [(p, all_configs.get(p.id, AnnexConfig())) for p in programs]
    # per program (an instance counts as one): the hash of its own inputs and the outputs wanted of it
    wanted = {prog.output_id: (builder.program_hash(prog, cfg, contract),
                               [builder.output_name(prog.output_id, k) for k in kinds
                                if not (k == "python" and prog.instance is not None)])
              for (prog, cfg), contract in zip(hashed, contract_of)}
    here_fonts = None
    if "pdf" in kinds:
        from policy_lang.backends.annex.pdf import fonts_in_use

        here_fonts = fonts_in_use()

    def check_outputs(files: dict[str, bytes]) -> None:
        """`build --check`: the fresh outputs against the disk, byte for byte; exits."""
        # byte for byte; the manifest stale if the next build would rewrite it; PDFs made with other fonts
        st = builder.check_status(out_dir, files, kinds, whole, inputs, wanted, here_fonts)
        diffs = builder.diffs(out_dir, files, st) if show_diff else {}
        ours = builder.owned(out_dir, st.extra)
        cmd = fix + (" --prune" if ours else "")
        if fmt in _DOCUMENTS:
            emit_json(ok=st.clean, error=None if st.clean else _stale_error(st, cmd),
                      missing=list(st.missing), stale=list(st.stale), extra=list(st.extra),
                      stray=list(st.stray), fix=None if st.clean else cmd,
                      fonts_differ=None if not st.fonts else {"files": list(st.fonts), "message": st.fonts_note},
                      **({"diff": diffs} if show_diff else {}))
        elif st.clean:
            _say(f"up to date: {len(files)} generated files")
        else:
            for text in diffs.values():  # each line escaped: a policy's text cannot drive the terminal
                for line in text.splitlines():
                    click.echo(diagnostics.safe(line))
            for label, group in (("missing", st.missing), ("stale", st.stale),
                                 (f"{st.fonts_note} (these were made with the recorded fonts)", st.fonts),
                                 ("extra (no program makes them)", st.extra),
                                 ("stray (left by an interrupted build)", st.stray)):
                if group:
                    click.echo(f"{label}:", err=True)
                    for name in group:
                        click.echo(f"  {out_dir / name}", err=True)
            click.echo(f"fix: run `{cmd}` (or `make build`) and commit the result", err=True)
            if fmt == "github":  # one annotation per file, on the file, saying what to run
                click.echo(_rep().github_files(
                    [(kind, str(out_dir / name)) for kind, group in (("missing", st.missing), ("stale", st.stale),
                                                                     ("fonts differ", st.fonts), ("extra", st.extra),
                                                                     ("stray", st.stray)) for name in group],
                    f"run `{cmd}` (or `make build`) and commit the result"))
            if len(ours) < len(st.extra):
                click.echo("  (extra files no build wrote are never pruned: remove them by hand)", err=True)
        sys.exit(EXIT_OK if st.clean else EXIT_POLICY)

    def render(todo: set[str] | None = None) -> dict[str, bytes]:
        try:
            return builder.render([pair for pair in pairs if todo is None or pair[0].output_id in todo],
                                  kinds, progress)
        except PdfError as e:
            _usage(fmt, str(e))
            raise  # unreachable: _usage exits

    if "pdf" in kinds and (check_only or builder.to_render(out_dir, wanted, here_fonts)):
        for message in pdf_problems():  # before the directory is made or locked
            _usage(fmt, message)
    try:
        with builder.locked(out_dir, shared=check_only) as out_fd:
            if check_only:
                check_outputs(render())
            assert out_fd is not None
            builder.recover(out_fd)
            found = builder.survey(out_dir, names)
            if found.note:
                _say(f"note: {found.note}", err=True)
            if found.blocked:
                _usage(fmt, f"--out {out}: {', '.join(str(out_dir / n) for n in found.blocked)} "
                            f"{'is' if len(found.blocked) == 1 else 'are'} in the way of outputs (a directory, or "
                            f"not a directory where the outputs' directory goes); "
                            f"move {'it' if len(found.blocked) == 1 else 'them'} away")
            if found.unowned and not force:
                shown = ", ".join(str(out_dir / n) for n in found.unowned[:5])
                more = f" and {len(found.unowned) - 5} more" if len(found.unowned) > 5 else ""
                _usage(fmt, f"--out {out}: holds {len(found.unowned)} file(s) no build wrote ({shown}{more}); "
                            f"give an empty or new directory, or --force to build there and leave them alone")
            extras = builder.extra_files(out_dir, names) if whole else []
            prunable = builder.owned(out_dir, extras) if prune else set()
            todo = set(builder.to_render(out_dir, wanted, here_fonts))
            todo |= {oid for oid, (_, outs) in wanted.items() if set(outs) & set(found.replace)}
            # nothing to render, prune or note, and the manifest already records these very inputs
            if not todo and not prunable and not builder.owned(out_dir, extras) and builder.read_regular(
                    out_dir / builder.MANIFEST) == builder.next_manifest(out_dir, inputs, {}, (), {}, here_fonts):
                if fmt in _DOCUMENTS:
                    emit_json(ok=True, written=0, unchanged=len(names), up_to_date=True, rendered=[])
                else:
                    _say(f"built {len(programs)} program(s): nothing changed ({len(names)} files up to date)")
                return
            files = render(todo)
            rendered = [oid for oid in wanted if oid in todo]
            st = builder.status(out_dir, files, kinds, whole, [n for n in names if n not in files])
            prunable = builder.owned(out_dir, st.extra) if prune else set()
            remove = sorted(prunable)
            changed = {n: d for n, d in files.items() if n in st.missing or n in st.stale}
            changed[builder.MANIFEST] = builder.next_manifest(
                out_dir, inputs, files, remove, {oid: wanted[oid] for oid in rendered}, here_fonts)
            builder.publish(out_fd, changed, remove)
    except builder.OutError as e:
        _usage(fmt, str(e))
    except OSError as e:
        _usage(fmt, f"--out {out}: cannot write the outputs ({e.strerror or e}"
                    f"{': ' + str(e.filename) if e.filename else ''}); nothing was changed that a "
                    f"next build does not finish or undo")
    written = len(st.missing) + len(st.stale) + len(remove)
    unchanged = len(names) - len(st.missing) - len(st.stale)
    kept_extra = [n for n in st.extra if n not in prunable]
    if fmt in _DOCUMENTS:
        emit_json(ok=True, written=written, unchanged=unchanged, extra=kept_extra, rendered=rendered)
    else:
        others = len(wanted) - len(rendered)  # annexes (and evaluators) whose inputs did not change
        _say(f"built {len(programs)} program(s): {written} file(s) written, {unchanged} unchanged"
             + (f" (rendered {', '.join(rendered) or 'nothing'}; {others} up to date)" if others else ""))
        ours = builder.owned(out_dir, kept_extra)
        if ours and not prune:
            _say(f"note: {len(ours)} generated file(s) no program makes any more; "
                       f"`{fix} --prune` deletes them", err=True)
        if len(ours) < len(kept_extra):
            _say(f"note: {len(kept_extra) - len(ours)} file(s) in {out} no build wrote are left alone", err=True)



def _did_you_mean(word: str, known: Sequence[str]) -> list[str]:
    """The known words a typo is probably of, best first: difflib's, and for codes those one digit
    short or long of it (`P041` -> P0401, P0410 ...)."""
    import difflib

    close = difflib.get_close_matches(word, known, n=3, cutoff=0.6)
    if re.fullmatch(r"[PW]\d{3,5}", word):
        near = [k for k in known if len(k) == len(word) + 1 and _one_insert(word, k)]
        near += [k for k in known if len(k) == len(word) and sum(a != b for a, b in zip(word, k)) == 1]
        close = near[:3] or close
    return close


def _one_insert(short: str, long: str) -> bool:
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _suggest(word: str, known: Sequence[str]) -> str:
    close = _did_you_mean(word, known)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


@main.command()
@click.argument("code", shell_complete=lambda ctx, param, incomplete: [
    c for c in diagnostics.CODES if c.startswith(incomplete.upper())])
@_format_option(("text", "json"))
def explain(code: str, fmt: str) -> None:
    """Explain a diagnostic code, e.g. `policyc explain P0401`."""
    key = code.strip().upper()
    text = diagnostics.explain(key)
    if text is None:
        _usage(fmt, f"unknown code {_printable(code)!r}{_suggest(key, sorted(diagnostics.CODES))} "
                    f"(codes: {', '.join(sorted(diagnostics.CODES))})")
    if fmt == "json":
        title, _ = diagnostics.CODES[key]
        click.echo(diagnostics.dumps(_rep().envelope(
            "explain", EXIT_OK, code=key, title=title, severity="warning" if key.startswith("W") else "error",
            text=text)))
    else:
        click.echo(text)


@main.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL: bash, zsh or fish.

    \b
    bash: eval "$(policyc completion bash)"    (in ~/.bashrc)
    zsh:  eval "$(policyc completion zsh)"     (in ~/.zshrc)
    fish: policyc completion fish > ~/.config/fish/completions/policyc.fish
    """
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    assert cls is not None  # the three are click's own
    click.echo(cls(main, {}, "policyc", "_POLICYC_COMPLETE").source())


_INIT_TEMPLATE = """# {name}: программа технической поддержки. Язык описан в docs/language.md
# (в установленном пакете: {docs}).
# Проверка: policyc check {name}.policy   Сборка: policyc build {name}.policy --out generated

program {name} {{
    title   "Программа технической поддержки"
    vendor  "Производитель"
    edition "1"
}}

# Кто есть кто в приложении к договору; plays — роль стороны в приложении
# (provider — кто оказывает услуги, customer — кто их получает).
parties {{
    executor      "ИСПОЛНИТЕЛЬ"    "оказывает услуги технической поддержки"  plays provider
    customer      "ЗАКАЗЧИК"       "получает услуги технической поддержки"   plays customer
}}

# Когда идёт время: рабочие часы по московскому времени, кроме нерабочих дней
# производственного календаря РФ.
holidays ru_production "производственный календарь Российской Федерации" {{
    official RU years 2024 .. 2030
}}

calendar support_hours "рабочие часы службы технической поддержки" {{
    zone   "Europe/Moscow"
    hours  mon-fri 09:00-18:00
    except ru_production
}}

# Как обратиться в поддержку.
channel portal "портал технической поддержки" § 1 {{
    contact   "https://support.example.com"
    available support_hours
}}

# Уровни поддержки, которые можно приобрести.
tiers {{
    standard  "Стандартный"  purchased
}}

priorities {{
    P1 "Критический" {{ definition "Система недоступна." }}
    P2 "Обычный"     {{ definition "Прочие обращения." }}
}}

# Время реакции: в рабочие часы календаря support_hours.
response on support_hours § 1 {{
    priority  standard
    P1        4h
    P2        8h
}}
"""


@main.command()
@click.argument("name")
@click.option("--dir", "directory", default=".", show_default=True, type=click.Path(file_okay=False, path_type=str),
              help="Where to write NAME.policy.")
@_format_option(("text", "json"))
def init(name: str, directory: str, fmt: str) -> None:
    """Write NAME.policy: a commented minimal program that checks and builds."""
    import keyword

    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise click.UsageError(f"{name!r} is not a program id: use lower-case letters, digits and _, "
                               "starting with a letter, e.g. acme_support")
    folder = Path(directory)
    target = folder / f"{name}.policy"
    shown = _shown(target)
    if os.path.lexists(target):  # a file, a directory, or a symlink (dangling or not): never written through
        raise click.UsageError(f"{shown} already exists; not overwriting it")
    if os.path.lexists(folder) and not folder.is_dir():
        raise click.UsageError(f"--dir {_shown(folder)}: not a directory")
    docs = Path(__file__).resolve().parent / "docs" / "language.md"
    data = _INIT_TEMPLATE.format(name=name, docs=docs).encode("utf-8")
    try:
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise click.UsageError(f"--dir {_shown(folder)}: cannot create it: {e.strerror or e}") from None
    try:
        # O_EXCL|O_NOFOLLOW: created here or refused, even if a file or a symlink appeared since the check
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except FileExistsError:
        raise click.UsageError(f"{shown} already exists; not overwriting it") from None
    except OSError as e:
        raise click.UsageError(f"cannot write {shown}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except OSError as e:
        target.unlink(missing_ok=True)
        raise click.UsageError(f"cannot write {shown}: {e.strerror or e}") from None
    if fmt == "json":
        click.echo(diagnostics.dumps(_rep().envelope("init", EXIT_OK, path=str(target))))
    else:
        click.echo(f"wrote {shown}; next: policyc check {shown}")


def _printable(text: str) -> str:
    """Text as a message may print it: control characters escaped, never a terminal sequence."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def _shown(path: Path) -> str:
    return _printable(str(path))


#: what `policyc replay` needs beyond the compiler: the [batch] extra
_BATCH_MODULES = ("numpy", "pyarrow", "duckdb", "matplotlib")


def _batch_missing() -> str | None:
    """The first module of the [batch] extra that cannot be imported (None: all can)."""
    import importlib

    for name in _BATCH_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            return name
    return None


def _program_zone(module: Any) -> str:
    """The zone a report reads months in: the program's one calendar zone, else its first, else Moscow."""
    from policy_lang.runtime.calendar import BusinessCalendar

    zones = [v.zone for k, v in vars(module).items() if k.startswith("CAL_") and isinstance(v, BusinessCalendar)]
    return zones[0] if zones else "Europe/Moscow"


@main.command("replay")
@click.argument("program", required=False, type=click.Path(path_type=str, allow_dash=True))
@click.option("--contract", "contract_path", type=click.Path(dir_okay=False, path_type=str),
              help="A contract instance (contracts/*.toml): its program, tier and term (tickets registered "
                   "outside the term are refused, counted).")
@click.option("--events", "events", required=True, metavar="FILE", type=click.Path(dir_okay=False, path_type=str),
              help="The ticket event log: *.csv (header row), *.jsonl (JSON lines) or *.parquet; columns ticket, at, "
                   "kind, value, priority, request, tier (README: Compliance over a ticket history).")
@click.option("--at", "at", help="The instant every ticket is answered at, ISO 8601 with offset "
                                 "(default: the last event of the log).")
@click.option("--tier", help="The tier of a registration row without one (a program without --contract).")
@click.option("--out", "out", default="replay", show_default=True, type=click.Path(path_type=str),
              help="Output directory: the command's own (not the current directory nor the policies).")
@click.option("--json", "json_out", is_flag=True, help="Also write targets.json and attainment.json.")
@click.option("--policies", default="policies", show_default=True, type=click.Path(file_okay=False, path_type=str),
              help="Directory where PROGRAM ids are looked up as <id>.policy.")
@click.option("--chunk", "chunk_events", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Events per chunk handed to the kernel (memory is bounded by it).")
@_format_option(("text", "json"))
@_quiet_option
@_calendar_data_option
def replay(program: str | None, contract_path: str | None, events: str, at: str | None, tier: str | None, out: str,
           json_out: bool, policies: str, chunk_events: int, fmt: str, calendar_data: str | None = None) -> None:
    """Every target of every ticket in an event log: targets, attainment and a Russian report in --out.

    \b
    policyc replay --contract contracts/romashka_landesk.toml --events tickets.parquet --out report
    policyc replay secureco_service_support --events tickets.csv --tier partner --out report
    """
    import atexit
    import gc

    from policy_lang.diagnostics import PolicyError, render_text

    # DuckDB's bindings (nanobind) report their objects as leaked at exit when the final sweep is
    # skipped (main() freezes the heap at exit): this command keeps the sweep
    atexit.unregister(gc.freeze)
    missing = _batch_missing()
    if missing is not None:
        _usage(fmt, f"policyc replay needs the [batch] extra ({missing} is not installed): "
                    "pip install 'policy_lang[batch]'")
    from policy_lang.batch import replay as batch
    from policy_lang.batch.report import Contract, write_report
    from policy_lang.build import pipeline as builder
    from policy_lang.loading import load
    from policy_lang.query import _program_path, _when
    from policy_lang.runtime.errors import PolicyQueryError
    from policy_lang.semantics.production_calendar import requested

    calendar = calendar_request(calendar_data, (policies,))
    when = None
    if at is not None:
        try:
            when = _when("at", at)
        except PolicyQueryError as e:
            _usage(fmt, str(e))
    try:
        batch.events_format(events)
    except batch.ReplayError as e:
        _usage(fmt, str(e))
    if not Path(events).is_file():
        _usage(fmt, f"--events {_printable(events)}: no such file")
    out_dir = Path(out)
    inputs: list[tuple[str, Path]] = [("policies directory", Path(policies))]
    if contract_path is not None:
        inputs.append(("contracts directory", Path(contract_path).parent))
    problem = builder.out_problem(out_dir, inputs)
    if problem:
        _usage(fmt, problem.replace("the build needs", "replay needs").replace("the build's outputs need",
                                                                                "replay's outputs need"))

    def fail(kind: str, message: str, code: int, diags: Sequence[diagnostics.Diagnostic] = ()) -> NoReturn:
        if fmt == "json":
            click.echo(diagnostics.dumps(_rep().envelope("replay", code, diagnostics=diags,
                                                         error={"kind": kind, "message": message})))
        else:
            click.echo(f"error: {message}", err=True)
        sys.exit(code)

    contract_info = None
    term = None
    contract_tier = None
    try:
        with requested(calendar):
            if contract_path is not None:
                from policy_lang.semantics.contracts import contract

                bound = contract(contract_path, policies if Path(policies).is_dir() else None)
                module = bound.module
                if program not in (None, "-", module.PROGRAM.id):
                    _usage(fmt, f"the contract is for program {module.PROGRAM.id!r}, not {_printable(program or '')!r}")
                if tier is not None and tier != bound.tier:
                    _usage(fmt, f"--tier {_printable(tier)}: the contract's tier is {bound.tier!r}")
                contract_tier = tier = bound.tier
                zone = str(bound.term_zone())
                term = batch.Term(bound.start, bound.end, zone)
                contract_info = Contract(bound.contract_number, bound.start, bound.end, bound.tier)
            else:
                if program is None:
                    _usage(fmt, "give PROGRAM (an id in --policies or a .policy file) or --contract PATH")
                path = _program_path(program, policies)
                if not path.is_file():
                    _usage(fmt, f"no program {_printable(program)!r} (PROGRAM is an id in --policies "
                                f"{_printable(policies)!r} or a path to a .policy file)")
                module = load(path)
                if tier is not None and tier not in module.TIERS:
                    _usage(fmt, f"--tier {_printable(tier)}: unknown tier{_suggest(tier, module.TIERS)} "
                                f"(tiers: {', '.join(module.TIERS)})")
                zone = _program_zone(module)
    except PolicyError as e:
        unique = list(dict.fromkeys(e.diagnostics))
        if fmt != "json":
            for d in unique:
                click.echo(render_text(d, getattr(e, "sources", {})), err=True)
        fail("contract" if contract_path is not None else "policy", f"{len(unique)} error(s) in the "
             f"{'contract' if contract_path is not None else 'policy'}", EXIT_POLICY, unique)
    bar: Any = None
    show_bar = fmt == "text" and not _quiet() and sys.stderr.isatty()

    def total_hint(n: int) -> None:
        nonlocal bar
        if show_bar:
            bar = click.progressbar(length=max(n, 1), label="replaying", file=sys.stderr)
            bar.__enter__()

    def progress(n: int) -> None:
        if bar is not None:
            bar.update(n)

    try:
        outcome = batch.replay_file(module, events, out_dir, at=when, tier=tier, term=term, contract_tier=contract_tier,
                                    json_out=json_out, chunk_events=chunk_events, zone=zone,
                                    progress=progress, total_hint=total_hint)
    except batch.ReplayError as e:
        _usage(fmt, str(e))
    except OSError as e:
        _usage(fmt, f"--out {_printable(out)}: cannot write the outputs ({e.strerror or e})")
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    summary = outcome.summary
    files = outcome.files + write_report(out_dir, module, summary, zone=zone, contract=contract_info,
                                         events_name=Path(events).name)
    bad = outcome.bad_rows
    n_bad = int(summary["bad_rows"])
    code = EXIT_POLICY if n_bad else EXIT_OK
    if fmt == "json":
        error = ({"kind": "events", "message": f"{n_bad} bad row(s) in --events (every one in {out_dir / 'bad_rows.csv'}); "
                                               f"{summary['tickets_left_out']} ticket(s) left out"} if n_bad else None)
        click.echo(diagnostics.dumps(_rep().envelope(
            "replay", code, error=error, program=module.PROGRAM.id, out=str(out_dir), files=sorted(files),
            summary=summary, bad_rows=[{"line": b.line, "reason": b.reason, "message": b.message, "ticket": b.ticket}
                                       for b in bad])))
    else:
        for b in bad:
            click.echo(f"{_printable(events)}:{b.line}: {b.reason}: {_printable(b.message)}", err=True)
        if n_bad > len(bad):
            click.echo(f"... and {n_bad - len(bad)} more (all in {out_dir / 'bad_rows.csv'})", err=True)
        if n_bad:
            click.echo(f"{n_bad} bad row(s): " + ", ".join(f"{r} {n}" for r, n in summary["bad_rows_by_reason"].items())
                       + f"; {summary['tickets_left_out']} ticket(s) left out", err=True)
        _say(f"replayed {summary['tickets_replayed']} of {summary['tickets']} ticket(s): {summary['targets']} target(s)"
             f" in {summary['seconds']} s; wrote {len(files)} files to {out_dir}"
             + (f" ({summary['fallback_tickets']} ticket(s) by the scalar ticket())" if summary["fallback_tickets"] else ""))
    sys.exit(code)


def _register_query() -> None:
    try:
        from policy_lang.query import query
    except ImportError:  # pragma: no cover - the evaluator backend is optional during development
        return
    main.add_command(query)


_register_query()


if __name__ == "__main__":  # python -m policy_lang.cli
    main()
