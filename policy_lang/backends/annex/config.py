"""Annex build config: contract numbers and signatories, from a small TOML file."""
from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from attrs import fields, frozen

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
            return dt.date.fromisoformat(raw.strip())
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
    return AnnexConfig(**{f.name: _value(f.name, merged.get(f.name)) for f in fields(AnnexConfig)})


def load_annex_config(path: Path | None, program_id: str) -> AnnexConfig:
    """Read `path` (None: every value blank) for `program_id`."""
    if path is None:
        return AnnexConfig()
    with open(path, "rb") as fh:
        return annex_config_from_mapping(tomllib.load(fh), program_id)
