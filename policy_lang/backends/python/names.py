"""Identifiers in generated Python: policy names are validated, never emitted as written."""

from __future__ import annotations

import keyword
import re

__all__ = ["UnsafeIdentifier", "check_ident", "constant_name"]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class UnsafeIdentifier(ValueError):
    """A policy name that cannot become a Python identifier safely."""


def check_ident(name: object) -> str:
    """Return `name` if it is a plain ASCII identifier, not a keyword and not a dunder."""
    if not isinstance(name, str) or not _IDENT.match(name):
        raise UnsafeIdentifier(f"not a safe identifier: {name!r}")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name.startswith("__"):
        raise UnsafeIdentifier(f"reserved identifier: {name!r}")
    return name


def constant_name(prefix: str, name: str) -> str:
    """A module constant for a policy name: constant_name("CAL", "support_hours") -> CAL_SUPPORT_HOURS."""
    return f"{check_ident(prefix)}_{check_ident(name).upper()}"
