"""What `policyc` prints for machines: one JSON envelope for every command and outcome
(`--format json`), GitHub workflow commands (`--format github`) and SARIF 2.1.0 (`--format sarif`).

The envelope's JSON Schema is `policy_lang/schemas/envelope.schema.json` (the README says it in
words). Only the standard library here: `policyc check` imports this module at start.
"""
from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePosixPath, PureWindowsPath

from policy_lang import diagnostics as _diagnostics
from policy_lang.diagnostics import CODES, Diagnostic

__all__ = ["ENVELOPE_VERSION", "FORMATS", "envelope", "github", "github_error", "sarif"]

#: The envelope's own version: a field is added without changing it, renamed or removed with it.
ENVELOPE_VERSION = 1

#: `--format` of check and build; query, explain and init have text and json.
FORMATS = ("text", "json", "github", "sarif")

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def envelope(command: str | None, exit_code: int, *, diagnostics: Iterable[Diagnostic] = (),
             error: Mapping[str, str] | None = None, **fields: object) -> dict[str, object]:
    """The one document a command prints under `--format json`. `ok` is `exit_code == 0`; a failing
    outcome always has an `error` with a `kind` and a `message`; `diagnostics` is always a list."""
    ok = exit_code == 0
    if not ok and error is None:
        error = {"kind": "error", "message": f"exit {exit_code}"}
    doc: dict[str, object] = {
        "version": ENVELOPE_VERSION, "command": command, "ok": ok, "exit_code": exit_code,
        "error": None if ok else dict(error or {}),
        "diagnostics": _diagnostics.to_dicts(diagnostics),
    }
    for key, value in fields.items():
        doc.setdefault(key, value)
    return doc


# ----------------------------------------------------------------------------- GitHub

def _gh_data(text: str) -> str:
    """A workflow command's message: %, CR and LF escaped (actions/toolkit's escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    """A workflow command's property value: also `:` and `,` (actions/toolkit's escapeProperty)."""
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def _gh_command(level: str, message: str, properties: Sequence[tuple[str, object]] = ()) -> str:
    props = ",".join(f"{k}={_gh_property(str(v))}" for k, v in properties)
    return f"::{level}{' ' + props if props else ''}::{_gh_data(message)}"


def github(diags: Iterable[Diagnostic], strict: bool = False) -> str:
    """One `::error` / `::warning` workflow command per diagnostic, lines joined by newlines.
    Columns are given only for a one-line span (GitHub ignores them otherwise); the end column is
    the last character's (GitHub's is inclusive, ours exclusive)."""
    out = []
    for d in diags:
        s = d.primary.span
        props: list[tuple[str, object]] = [("file", _diagnostics.safe(s.path)), ("line", s.line)]
        if s.end_line == s.line:
            props += [("col", s.column), ("endColumn", max(s.column, s.end_column - 1))]
        else:
            props += [("endLine", s.end_line)]
        props.append(("title", d.code))
        level = "error" if d.severity == "error" or strict else "warning"
        out.append(_gh_command(level, _message_text(d), props))
    return "\n".join(out)


def github_files(files: Iterable[tuple[str, str]], fix: str) -> str:
    """`build --check` under --format github: one `::error` per generated file that is missing,
    stale, made with other fonts, extra or stray, on that file, with the command that fixes it."""
    return "\n".join(_gh_command("error", _diagnostics.safe(f"generated file {what}: {fix}"),
                                  [("file", _diagnostics.safe(path)), ("title", f"policyc build --check: {what}")])
                      for what, path in files)


def github_error(message: str, title: str = "policyc") -> str:
    """A usage or internal error as one `::error` command (no file: it is about the command line)."""
    return _gh_command("error", _diagnostics.safe(message), [("title", title)])


def _message_text(d: Diagnostic) -> str:
    """The message with its labels, notes and help, each on its own line, terminal controls escaped."""
    parts = [d.message]
    if d.primary.message:
        parts[0] += f" ({d.primary.message})"
    parts += [f"{lab.span.path}:{lab.span.line}:{lab.span.column}: {lab.message}" for lab in d.secondary]
    parts += [f"note: {n}" for n in d.notes]
    if d.help:
        parts.append(f"help: {d.help}")
    return "\n".join(_diagnostics.safe(p) for p in parts)


# ------------------------------------------------------------------------------ SARIF

def _uri(path: str) -> str:
    """A diagnostic's path as a SARIF artifact URI: relative paths stay relative (to the working
    directory, `%SRCROOT%`), absolute ones are file: URIs."""
    from urllib.parse import quote  # only SARIF needs it: not imported at every `policyc check`

    if PurePosixPath(path).is_absolute():
        return "file://" + quote(posixpath.normpath(path))
    if PureWindowsPath(path).is_absolute() and PureWindowsPath(path).drive:  # pragma: no cover - Windows
        return PureWindowsPath(path).as_uri()
    return quote(PurePosixPath(path).as_posix())


def _level(d: Diagnostic, strict: bool) -> str:
    return "error" if d.severity == "error" or strict else "warning"


def _region(span: _diagnostics.Span) -> dict[str, int]:
    # SARIF's endColumn is exclusive, like ours; columns count code points (run.columnKind)
    return {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line,
            "endColumn": max(span.end_column, span.column + 1) if span.end_line == span.line else span.end_column}


def _location(span: _diagnostics.Span, message: str | None = None, ident: int | None = None) -> dict[str, object]:
    loc: dict[str, object] = {"physicalLocation": {
        "artifactLocation": {"uri": _uri(span.path), "uriBaseId": "%SRCROOT%"}
        if not PurePosixPath(span.path).is_absolute() else {"uri": _uri(span.path)},
        "region": _region(span)}}
    if ident is not None:
        loc["id"] = ident
    if message:
        loc["message"] = {"text": message}
    return loc


def _rules() -> list[dict[str, object]]:
    rules: list[dict[str, object]] = []
    for code, (title, text) in CODES.items():
        rules.append({
            "id": code, "name": "".join(w.capitalize() for w in title.replace("-", " ").split() if w.isalnum()) or code,
            "shortDescription": {"text": title}, "fullDescription": {"text": text},
            "defaultConfiguration": {"level": "warning" if code.startswith("W") else "error"},
            "help": {"text": _diagnostics.explain(code) or text},
        })
    return rules


def sarif(diags: Iterable[Diagnostic], exit_code: int, *, strict: bool = False,
          error: Mapping[str, str] | None = None, version: str | None = None) -> dict[str, object]:
    """One SARIF 2.1.0 log with one run: the rules are every diagnostic code, the results the
    diagnostics; the invocation says whether policyc succeeded and, for a usage error, why."""
    rules = _rules()
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for d in diags:
        result: dict[str, object] = {
            "ruleId": d.code, "level": _level(d, strict), "message": {"text": _message_text(d)},
            "locations": [_location(d.primary.span, d.primary.message or None)],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.secondary:
            result["relatedLocations"] = [_location(lab.span, lab.message or None, i)
                                          for i, lab in enumerate(d.secondary)]
        results.append(result)
    invocation: dict[str, object] = {"executionSuccessful": exit_code in (0, 1), "exitCode": exit_code}
    if error is not None and error.get("kind") != "policy":
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": _diagnostics.safe(error.get("message", ""))},
             "descriptor": {"id": error.get("kind", "error")}}]
    driver: dict[str, object] = {"name": "policyc", "rules": rules}
    if version:
        driver["version"] = version
    return {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the directory policyc ran in"}}},
            "invocations": [invocation],
            "results": results,
        }],
    }
