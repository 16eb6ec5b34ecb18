"""Command line: `policyc check`, `policyc build [--check]`, `policyc explain CODE`, `policyc query`."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import diagnostics
from .compiler import Compilation, compile_file, program_files
from .output import is_stale, write_atomic

EXIT_OK, EXIT_POLICY, EXIT_USAGE = 0, 1, 2


def _targets(paths: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for raw in paths or ("policies",):
        p = Path(raw)
        if not p.exists():
            raise click.UsageError(f"{raw}: no such file or directory")
        files = program_files(p)
        if p.is_dir() and not files:
            raise click.UsageError(f"{raw}: no *.policy files in this directory")
        out.extend(files)
    return out


def _compile_all(paths: tuple[str, ...], root: str | None) -> list[tuple[Path, Compilation]]:
    results = []
    for path in _targets(paths):
        r = root if root is not None else (path.parent if path.is_file() or not path.exists() else path)
        results.append((path, compile_file(path, r)))
    return results


def _report(results: list[tuple[Path, Compilation]], fmt: str) -> int:
    diags = [d for _, c in results for d in c.diagnostics]
    if fmt == "json":
        click.echo(diagnostics.to_json(diags))
    else:
        sources: dict[str, str] = {}
        for _, c in results:
            sources.update(c.sources)
        for d in diags:
            click.echo(diagnostics.render_text(d, sources), err=True)
            click.echo("", err=True)
        n = len(diags)
        if n:
            click.echo(f"{n} error{'s' if n != 1 else ''} in {sum(1 for _, c in results if c.diagnostics)} "
                       f"of {len(results)} program(s)", err=True)
    return EXIT_POLICY if diags else EXIT_OK


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policy_lang", prog_name="policyc")
def main() -> None:
    """policyc: check support-contract policies and compile them into code and Russian annexes."""


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--root", help="Policies root: includes must stay inside it (default: the program's directory).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def check(paths: tuple[str, ...], root: str | None, fmt: str) -> None:
    """Check policies (files, or directories of *.policy programs; default `policies`)."""
    results = _compile_all(paths, root)
    code = _report(results, fmt)
    if code == EXIT_OK and fmt == "text":
        for path, c in results:
            assert c.program is not None
            click.echo(f"ok  {path}  ({c.program.id})")
    sys.exit(code)


def _outputs(results: list[tuple[Path, Compilation]], out: Path, annex_config: Path | None) -> dict[Path, bytes]:
    """Every generated file for the programs: evaluator modules and annexes."""
    from .backends.annex.render import load_annex_config, render_annex
    from .backends.python.emit import emit_python

    files: dict[Path, bytes] = {}
    for _, c in results:
        prog = c.program
        assert prog is not None
        files[out / "python" / f"{prog.id}.py"] = emit_python(prog).encode("utf-8")
        for name, data in render_annex(prog, load_annex_config(annex_config, prog.id)).items():
            files[out / "annex" / name] = data
    return files


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--out", "out", default="generated", show_default=True, help="Output directory.")
@click.option("--root", help="Policies root (default: the program's directory).")
@click.option("--annex-config", type=click.Path(dir_okay=False),
              help="TOML with annex/contract numbers and signatories (default: <policies>/annex.toml).")
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 naming stale generated files.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def build(paths: tuple[str, ...], out: str, root: str | None, annex_config: str | None, check_only: bool,
          fmt: str) -> None:
    """Compile policies into generated/python/<id>.py and generated/annex/<id>.{md,html,docx,pdf}."""
    results = _compile_all(paths, root)
    if _report(results, fmt):
        sys.exit(EXIT_POLICY)
    cfg = Path(annex_config) if annex_config else None
    if cfg is None:
        guess = (Path(paths[0]) if paths else Path("policies"))
        guess = (guess if guess.is_dir() else guess.parent) / "annex.toml"
        cfg = guess if guess.is_file() else None
    files = _outputs(results, Path(out), cfg)
    if check_only:
        stale = sorted(str(p) for p, data in files.items() if is_stale(p, data))
        if stale:
            click.echo("stale generated files (run `make build`):", err=True)
            for s in stale:
                click.echo(f"  {s}", err=True)
            sys.exit(EXIT_POLICY)
        click.echo(f"up to date: {len(files)} generated files")
        return
    written = 0
    for path, data in sorted(files.items()):
        if is_stale(path, data):
            write_atomic(path, data)
            written += 1
    click.echo(f"built {len(results)} program(s): {written} file(s) written, {len(files) - written} unchanged")


@main.command()
@click.argument("code")
def explain(code: str) -> None:
    """Explain a diagnostic code, e.g. `policyc explain P0401`."""
    text = diagnostics.explain(code)
    if text is None:
        raise click.UsageError(f"unknown code {code!r}; codes: {', '.join(sorted(diagnostics.CODES))}")
    click.echo(text)


def _register_query() -> None:
    try:
        from .query import query
    except ImportError:  # pragma: no cover - the evaluator backend is optional during development
        return
    main.add_command(query)


_register_query()
