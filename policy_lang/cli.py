"""Command line: `policyc check`, `policyc build [--check]`, `policyc explain CODE`, `policyc query`."""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import attrs
import click

from . import diagnostics
from .compiler import Compilation, compile_file, program_files
from .build import KINDS

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


def _compile_all(paths: tuple[str, ...], root: str | None, fmt: str = "text") -> list[tuple[Path, Compilation]]:
    results = []
    try:
        targets = _targets(paths)
    except click.UsageError as e:
        if fmt != "json":
            raise
        click.echo(json.dumps({"error": {"kind": "usage", "message": e.message}}, ensure_ascii=False))
        sys.exit(EXIT_USAGE)
    for path in targets:
        r = root if root is not None else (path.parent if path.is_file() or not path.exists() else path)
        results.append((path, compile_file(path, r)))
    return results


def _unique(diags: list[diagnostics.Diagnostic]) -> list[diagnostics.Diagnostic]:
    """Each diagnostic once: an error in a shared include is found by every program including it."""
    seen: set[diagnostics.Diagnostic] = set()
    out = []
    for d in diags:
        if d not in seen:
            seen.add(d)
            out.append(d)
    return out


def _colour() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stderr.isatty()


def _paint(text: str) -> str:
    """Colour the first line of a rendered diagnostic: error red, warning yellow, code bold."""
    head, sep, rest = text.partition("\n")
    head = re.sub(r"(error|warning)\[(\w+)\]", lambda m: click.style(m.group(1), fg="red" if m.group(1) == "error"
                                                                    else "yellow", bold=True)
                  + "[" + click.style(m.group(2), bold=True) + "]", head, count=1)
    return head + sep + rest


def _report(results: list[tuple[Path, Compilation]], fmt: str, strict: bool = False,
            extra: list[diagnostics.Diagnostic] = (), summary: dict | None = None,
            extra_sources: dict[str, str] | None = None) -> int:
    """Print diagnostics (once each); the exit code: errors, or warnings under --strict, fail."""
    diags = _unique([d for _, c in results for d in c.diagnostics] + list(extra))
    errors = [d for d in diags if d.severity == "error" or strict]
    warnings = [d for d in diags if d.severity != "error"]
    if fmt == "json":
        if summary is None:
            click.echo(diagnostics.to_json(diags))
    else:
        sources: dict[str, str] = dict(extra_sources or {})
        for _, c in results:
            sources.update(c.sources)
        colour = _colour()
        for d in diags:
            text = diagnostics.render_text(d, sources)
            click.echo(_paint(text) if colour else text, err=True)
            click.echo("", err=True)
        if diags:
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policy_lang", prog_name="policyc")
def main() -> None:
    """policyc: check support-contract policies and compile them into code and Russian annexes."""
    import atexit
    import gc

    # The process ends with the command: let the interpreter skip its final sweep of every object
    # (~15-25 ms of a `policyc check`). Only the exit changes; unregister keeps it to one entry.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--root", help="Policies root: includes must stay inside it (default: the program's directory).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Warnings are errors (exit 1), e.g. in CI.")
def check(paths: tuple[str, ...], root: str | None, fmt: str, strict: bool) -> None:
    """Check policies (files, or directories of *.policy programs; default `policies`)."""
    results = _compile_all(paths, root, fmt)
    # what `build` reads besides the programs (annex.toml, contracts/*.toml) is checked here too:
    # check ok means build works
    programs = [c.program for _, c in results if c.program is not None]
    side = _side_inputs(paths, None, programs, ("md",))
    code = _report(results, fmt, strict, side.diagnostics, extra_sources=side.sources)
    if code == EXIT_OK and fmt == "text":
        for path, c in results:
            assert c.program is not None
            click.echo(f"ok  {path}  ({c.program.id})")
    sys.exit(code)


def _usage(fmt: str, message: str) -> None:
    """A usage error (exit 2): click's text, or one JSON document under --format json."""
    if fmt != "json":
        raise click.UsageError(message)
    click.echo(json.dumps({"error": {"kind": "usage", "message": message}}, ensure_ascii=False))
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
    configs: dict
    instances: list
    contract_bytes: list
    diagnostics: list
    sources: dict


def _side_inputs(paths: tuple[str, ...], given_config: str | None, programs: list, kinds) -> SideInputs:
    """annex.toml and contracts/*.toml, read and checked once, for `check` and `build` alike."""
    cfg_path = _annex_config(paths, given_config)
    diags: list[diagnostics.Diagnostic] = []
    configs: dict = {}
    instances: list = []
    contract_bytes: list[bytes] = []
    annexes = bool(set(kinds) & {"md", "html", "docx", "pdf"})
    if annexes and cfg_path is not None:
        from .backends.annex.config import read_annex_config

        configs, diags = read_annex_config(cfg_path, [p.id for p in programs])
    contracts_dir = _contracts_dir(paths)
    if contracts_dir is not None and annexes:
        from .instances import annex_config, contracts_in, instantiate, read_contract

        by_id = {p.id: p for p in programs}
        for cpath in contracts_in(contracts_dir):
            c, c_diags = read_contract(cpath, by_id)
            diags.extend(c_diags)
            if c is not None:
                instances.append((instantiate(by_id[c.program], c), annex_config(c)))
                contract_bytes.append(cpath.read_bytes())
    sources: dict[str, str] = {}
    for d in diags:
        if d.span.path not in sources and Path(d.span.path).is_file():
            sources[d.span.path] = Path(d.span.path).read_text(encoding="utf-8", errors="replace")
    if diags and cfg_path is not None and cfg_path.is_file():
        sources.setdefault(str(cfg_path), cfg_path.read_text(encoding="utf-8", errors="replace"))
    return SideInputs(cfg_path, configs, instances, contract_bytes, diags, sources)


def _fix_command(paths: tuple[str, ...], out: str, only: str | None) -> str:
    args = ["policyc", "build", *(paths or ("policies",))]
    if out != "generated":
        args += ["--out", out]
    if only:
        args += ["--only", only]
    return " ".join(args)


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--out", "out", default="generated", show_default=True, help="Output directory.")
@click.option("--root", help="Policies root (default: the program's directory).")
@click.option("--annex-config", help="TOML with annex/contract numbers and signatories (default: <policies>/annex.toml).")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 naming missing, stale, extra and stray generated files.")
@click.option("--only", help=f"Comma-separated output kinds to build or check: {', '.join(KINDS)} (default: all).")
@click.option("--prune", is_flag=True, help="Also delete generated files no program produces any more.")
@click.option("--strict", is_flag=True, help="Warnings are errors (exit 1).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def build(paths: tuple[str, ...], out: str, root: str | None, annex_config: str | None, check_only: bool,
          only: str | None, prune: bool, strict: bool, fmt: str) -> None:
    """Compile policies into generated/python/<id>.py and generated/annex/<id>.{md,html,docx,pdf}."""
    from . import build as builder

    try:
        kinds = builder.parse_kinds(only)
    except ValueError as e:
        _usage(fmt, f"--only: {e}")
    out_dir = Path(out)
    if out_dir.exists() and not out_dir.is_dir():
        _usage(fmt, f"--out {out}: is a file, not a directory")
    if not check_only:
        parent = out_dir if out_dir.is_dir() else out_dir.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not os.access(parent, os.W_OK | os.X_OK):
            _usage(fmt, f"--out {out}: {parent} is not writable")
    results = _compile_all(paths, root, fmt)
    programs = [c.program for _, c in results if c.program is not None]
    side = _side_inputs(paths, annex_config, programs, kinds)
    cfg_path, configs, instances, cfg_diags = side.config_path, side.configs, side.instances, side.diagnostics
    config_bytes_extra = side.contract_bytes
    summary: dict = {"programs": [p.id for p in programs], "kinds": list(kinds)}
    code = _report(results, fmt, strict, cfg_diags, summary if fmt == "json" else None, side.sources)

    def emit_json(**fields: object) -> None:
        diags = _unique([d for _, c in results for d in c.diagnostics] + cfg_diags)
        click.echo(json.dumps({**summary, **fields, "diagnostics": json.loads(diagnostics.to_json(diags))},
                              ensure_ascii=False, indent=2))

    if code:
        if fmt == "json":
            emit_json(ok=False)
        sys.exit(code)
    from .backends.annex.config import AnnexConfig

    config_bytes = cfg_path.read_bytes() if cfg_path is not None and cfg_path.is_file() else b""
    config_bytes += b"\0".join(config_bytes_extra)
    inputs = builder.inputs_hash(programs, config_bytes, kinds)
    names = [builder.output_name(p.id, k) for p in programs for k in kinds]
    names += [builder.output_name(p.output_id, k) for p, _ in instances for k in kinds if k != "python"]
    whole = bool(paths == () or all(Path(x).is_dir() for x in paths)) and tuple(kinds) == builder.KINDS
    fix = _fix_command(paths, out, only)
    extras = builder.extra_files(out_dir, names) if whole else []
    if builder.up_to_date(out_dir, inputs, names) and not (extras and (check_only or prune)):
        if fmt == "json":
            emit_json(ok=True, written=0, unchanged=len(names), up_to_date=True)
        elif check_only:
            click.echo(f"up to date: {len(names)} generated files")
        else:
            click.echo(f"built {len(programs)} program(s): nothing changed ({len(names)} files up to date)")
        return
    progress = (lambda pid: click.echo(f"  rendering {pid} ...", err=True)) if (
        fmt == "text" and sys.stderr.isatty()) else (lambda pid: None)
    pairs = [(p, configs.get(p.id, AnnexConfig())) for p in programs] + instances
    files = builder.render(pairs, kinds, progress)
    st = builder.status(out_dir, files, kinds, whole)
    if check_only and whole and st.clean:
        # every output is right, but the manifest records other inputs (the compiler changed, not
        # its outputs): the next build would rewrite it, so the committed tree is stale too
        manifest = out_dir / builder.MANIFEST
        if not manifest.is_file() or manifest.read_bytes() != builder.next_manifest(out_dir, inputs, files):
            st = attrs.evolve(st, stale=(builder.MANIFEST,))
    if check_only:
        if fmt == "json":
            emit_json(ok=st.clean, missing=list(st.missing), stale=list(st.stale), extra=list(st.extra),
                      stray=list(st.stray), fix=None if st.clean else fix)
        elif st.clean:
            click.echo(f"up to date: {len(files)} generated files")
        else:
            for label, group in (("missing", st.missing), ("stale", st.stale), ("extra (no program makes them)", st.extra),
                                 ("stray (left by an interrupted write)", st.stray)):
                if group:
                    click.echo(f"{label}:", err=True)
                    for name in group:
                        click.echo(f"  {out_dir / name}", err=True)
            cmd = fix + (" --prune" if st.extra else "")
            click.echo(f"fix: run `{cmd}` (or `make build`) and commit the result", err=True)
        sys.exit(EXIT_OK if st.clean else EXIT_POLICY)
    remove = list(st.extra) if prune else []
    files[builder.MANIFEST] = builder.next_manifest(out_dir, inputs, files, remove)
    builder.write_all(out_dir, files, remove)
    written = len(st.missing) + len(st.stale) + len(remove)
    if fmt == "json":
        emit_json(ok=True, written=written, unchanged=len(files) - 1 - written, extra=list(st.extra))
    else:
        click.echo(f"built {len(programs)} program(s): {written} file(s) written, "
                   f"{len(files) - 1 - written} unchanged")
        if st.extra and not prune:
            click.echo(f"note: {len(st.extra)} generated file(s) no program makes any more; "
                       f"`{fix} --prune` deletes them", err=True)


@main.command()
@click.argument("code")
def explain(code: str) -> None:
    """Explain a diagnostic code, e.g. `policyc explain P0401`."""
    text = diagnostics.explain(code)
    if text is None:
        raise click.UsageError(f"unknown code {code!r}; codes: {', '.join(sorted(diagnostics.CODES))}")
    click.echo(text)


_INIT_TEMPLATE = """# {name}: программа технической поддержки. Язык описан в docs/language.md
# (в установленном пакете: {docs}).
# Проверка: policyc check {name}.policy   Сборка: policyc build {name}.policy --out generated

program {name} {{
    title   "Программа технической поддержки"
    vendor  "Производитель"
    edition "1"
}}

# Кто есть кто в приложении к договору.
parties {{
    executor      "ИСПОЛНИТЕЛЬ"    "оказывает услуги технической поддержки"
    customer      "ЗАКАЗЧИК"       "получает услуги технической поддержки"
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
@click.option("--dir", "directory", default=".", show_default=True, help="Where to write NAME.policy.")
def init(name: str, directory: str) -> None:
    """Write NAME.policy: a commented minimal program that checks and builds."""
    import keyword

    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise click.UsageError(f"{name!r} is not a program id: use lower-case letters, digits and _, "
                               "starting with a letter, e.g. acme_support")
    target = Path(directory) / f"{name}.policy"
    if target.exists():
        raise click.UsageError(f"{target} already exists; not overwriting it")
    docs = Path(__file__).resolve().parent / "docs" / "language.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_INIT_TEMPLATE.format(name=name, docs=docs), encoding="utf-8")
    click.echo(f"wrote {target}; next: policyc check {target}")


def _register_query() -> None:
    try:
        from .query import query
    except ImportError:  # pragma: no cover - the evaluator backend is optional during development
        return
    main.add_command(query)


_register_query()


if __name__ == "__main__":  # python -m policy_lang.cli
    main()
