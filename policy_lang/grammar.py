"""Builds the Lark LALR parser once, from the grammar shipped with the package."""
from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from pathlib import Path

from lark import Lark

_HERE = Path(__file__).resolve().parent


def grammar_path() -> Path:
    """The installed copy (`policy_lang/grammar/`), else the repository's `grammar/`."""
    for candidate in (_HERE / "grammar" / "policy.lark", _HERE.parent / "grammar" / "policy.lark"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("policy.lark not found next to the policy_lang package")


def _cache_file(text: str) -> str | bool:
    """A per-grammar cache file in the temp dir: cuts parser construction to ~2 ms."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    try:
        base = Path(tempfile.gettempdir()) / f"policy_lang-{os.getuid() if hasattr(os, 'getuid') else 0}"
        base.mkdir(exist_ok=True)
        return str(base / f"policy-{digest}.lark.cache")
    except OSError:
        return False


@functools.cache
def parser() -> Lark:
    text = grammar_path().read_text(encoding="utf-8")
    return Lark(text, parser="lalr", lexer="contextual", propagate_positions=True,
                maybe_placeholders=False, cache=_cache_file(text))
