"""Annex build config: contract numbers and signatories, from a small TOML file."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from attrs import fields, frozen

from policy_lang.diagnostics import Diagnostic, Label, Span
from policy_lang.toml_input import TomlProblem, read_toml

_KEYS = ("annex_number", "contract_number", "contract_date", "executor_org", "executor_position",
         "executor_name", "customer_org", "customer_position", "customer_name")


@frozen
class AnnexConfig:
    """What the policy cannot know; every field left None renders as a blank to fill in by hand."""

    annex_number: str | None = None
    contract_number: str | None = None
    contract_date: dt.date | None = None
    executor_org: str | None = None
    executor_position: str | None = None
    executor_name: str | None = None
    customer_org: str | None = None
    customer_position: str | None = None
    customer_name: str | None = None


def _value(key: str, raw: object) -> str | dt.date | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if key == "contract_date":
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw.strip())
            except ValueError:
                raise ValueError(f"`contract_date` must be a date such as 2026-11-24, got {raw!r}") from None
        raise ValueError(f"`contract_date` must be an ISO date, got {raw!r}")
    if isinstance(raw, int | str):
        return str(raw).strip()
    raise ValueError(f"`{key}` must be a string, got {raw!r}")


def annex_config_from_mapping(data: dict[str, object], program_id: str) -> AnnexConfig:
    """`[defaults]` overlaid by `[programs.<id>]`; unknown keys are an error."""
    merged: dict[str, object] = {}
    programs = data.get("programs", {})
    for table in (data.get("defaults", {}), programs.get(program_id, {}) if isinstance(programs, dict) else {}):
        if not isinstance(table, dict):
            raise ValueError("annex config tables must be TOML tables")
        unknown = sorted(set(table) - set(_KEYS))
        if unknown:
            raise ValueError(f"unknown annex config key(s): {', '.join(unknown)}")
        merged.update(table)
    # each field's value is of its declared type: _value() reads `contract_date` as a date, the rest as text
    values: dict[str, Any] = {f.name: _value(f.name, merged.get(f.name)) for f in fields(AnnexConfig)}
    return AnnexConfig(**values)


def load_annex_config(path: Path | None, program_id: str) -> AnnexConfig:
    """Read `path` (None: every value blank) for `program_id`."""
    if path is None:
        return AnnexConfig()
    try:
        _, data = read_toml(path, "the annex config")
    except TomlProblem as e:
        raise ValueError(f"{path}:{e.line}:{e.col}: {e.message}") from None
    return annex_config_from_mapping(data, program_id)


# -- reading the file, with located diagnostics ------------------------------------------------

_SECTIONS = ("defaults", "programs")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def _locate(text: str, pattern: str) -> tuple[int, int]:
    m = re.search(pattern, text, re.MULTILINE)
    if not m:
        return 1, 1
    start = m.start(m.lastindex or 0)
    line = text.count("\n", 0, start) + 1
    return line, start - (text.rfind("\n", 0, start) + 1) + 1


def read_annex_config(path: Path, program_ids: list[str]) -> tuple[dict[str, AnnexConfig], list[Diagnostic]]:
    """Every program's AnnexConfig from `path`, or located diagnostics (P1001) saying what is wrong."""
    display = str(path)
    diags: list[Diagnostic] = []

    def error(message: str, line: int = 1, col: int = 1, help: str | None = None) -> None:
        diags.append(Diagnostic("P1001", message, Label(Span(display, line, col, line, col + 1)), help=help))

    try:
        text, data = read_toml(path, "the annex config",
                               "create it (see README, annex config) or leave out --annex-config")
    except TomlProblem as e:
        error(e.message, e.line, e.col, e.help)
        return {}, diags
    for section, value in data.items():
        if section not in _SECTIONS:
            error(f"unknown section `{section}`", *_locate(text, rf"^\s*\[?\s*({re.escape(section)})\b"),
                  help="sections: [defaults] and [programs.<program_id>]")
        elif not isinstance(value, dict):
            error(f"`{section}` must be a table", *_locate(text, rf"^\s*({re.escape(section)})\b"))
    tables: list[tuple[str, dict[str, Any]]] = []
    if isinstance(data.get("defaults"), dict):
        tables.append(("defaults", data["defaults"]))
    programs = data.get("programs", {})
    if isinstance(programs, dict):
        for pid, table in programs.items():
            if not isinstance(table, dict):
                error(f"`programs.{pid}` must be a table", *_locate(text, rf"({re.escape(pid)})"))
                continue
            if program_ids and pid not in program_ids:
                error(f"no program `{pid}` to configure", *_locate(text, rf"^\s*\[\s*programs\.({re.escape(pid)})"),
                      help=f"programs: {', '.join(program_ids)}")
            tables.append((f"programs.{pid}", table))
    for name, table in tables:
        for key, value in table.items():
            where = _locate(text, rf"^\s*({re.escape(key)})\s*=")
            if key not in _KEYS:
                import difflib

                close = difflib.get_close_matches(key, _KEYS, n=1)
                error(f"unknown key `{key}` in [{name}]", *where,
                      help=f"did you mean `{close[0]}`?" if close else f"keys: {', '.join(_KEYS)}")
                continue
            try:
                _value(key, value)
            except ValueError as e:
                error(str(e), *where)
                continue
            if isinstance(value, str) and _CONTROL.search(value):
                error(f"`{key}` contains a control character", *where, help="retype the value without it")
            elif isinstance(value, str) and ("\n" in value or "\r" in value):
                error(f"`{key}` contains a line break", *where,
                      help="a one-line field (a title block or a signature line): retype it on one line")
    if diags:
        return {}, diags
    return {pid: annex_config_from_mapping(data, pid) for pid in program_ids}, []
