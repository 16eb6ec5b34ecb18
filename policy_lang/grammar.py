"""The Lark LALR parser, shipped precomputed inside the package.

Building the LALR tables from `policy.lark` takes ~130 ms, too much for every `policyc check`.
Lark's own cache is a pickle in a directory of our choosing, and the temp directory is shared:
another user could plant a file there that gets unpickled. So the tables are computed once,
by `python -m policy_lang.grammar`, and shipped in `policy_lang/data/policy_parser.marshal`
(plain lists, dicts, strings and numbers in `marshal` form: no objects, no code, ~2 ms to
load) next to the SHA-256 of the grammar they were built from. A stale or unreadable artifact
is never used: the parser is then built from the grammar, and nothing is written anywhere.
"""
from __future__ import annotations

import functools
import hashlib
import marshal
from pathlib import Path

from lark import Lark

_HERE = Path(__file__).resolve().parent
ARTIFACT = _HERE / "data" / "policy_parser.marshal"
_OPTIONS = dict(parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=False)


def grammar_path() -> Path:
    """The installed copy (`policy_lang/grammar/`), else the repository's `grammar/`."""
    for candidate in (_HERE / "grammar" / "policy.lark", _HERE.parent / "grammar" / "policy.lark"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("policy.lark not found next to the policy_lang package")


def grammar_sha256(text: str) -> str:
    import lark

    return hashlib.sha256(f"lark {lark.__version__}\n{text}".encode()).hexdigest()


def build_parser(text: str) -> Lark:
    """The parser built from the grammar text (no cache)."""
    return Lark(text, **_OPTIONS)


def serialize(parser: Lark, text: str) -> bytes:
    """The artifact: the grammar's hash, then Lark's memo-serialised tables (plain data)."""
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    data, memo = parser.memo_serialize([TerminalDef, Rule])
    return marshal.dumps({"grammar_sha256": grammar_sha256(text), "data": data, "memo": memo})


def _load_artifact(text: str) -> Lark | None:
    try:
        blob = marshal.loads(ARTIFACT.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(blob, dict) or blob.get("grammar_sha256") != grammar_sha256(text):
        return None  # built from another grammar: never trust it
    try:
        return Lark._load_from_dict(blob["data"], blob["memo"])
    except Exception:  # an artifact Lark cannot read: fall back to building
        return None


@functools.cache
def parser() -> Lark:
    text = grammar_path().read_text(encoding="utf-8")
    return _load_artifact(text) or build_parser(text)


def regenerate() -> Path:
    """Rebuild the shipped artifact from the current grammar (run after editing policy.lark)."""
    text = grammar_path().read_text(encoding="utf-8")
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    tmp = ARTIFACT.with_suffix(".tmp")
    tmp.write_bytes(serialize(build_parser(text), text))
    tmp.replace(ARTIFACT)
    return ARTIFACT


if __name__ == "__main__":  # python -m policy_lang.grammar
    print(f"wrote {regenerate()}")
