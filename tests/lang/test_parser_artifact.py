"""The parser shipped in the package matches the grammar, and nothing is read from shared temp space."""
from __future__ import annotations

import marshal
from pathlib import Path

import pytest

from policy_lang import grammar

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def test_artifact_was_built_from_the_current_grammar() -> None:
    """Fails after an edit of grammar/policy.lark: run `python -m policy_lang.grammar`."""
    blob = marshal.loads(grammar.ARTIFACT.read_bytes())
    text = grammar.grammar_path().read_text(encoding="utf-8")
    assert blob["grammar_sha256"] == grammar.grammar_sha256(text)
    assert grammar._load_artifact(text) is not None


@pytest.mark.parametrize("path", sorted(POLICIES.rglob("*.policy")), ids=lambda p: p.name)
def test_shipped_parser_parses_like_a_fresh_one(path: Path) -> None:
    text = grammar.grammar_path().read_text(encoding="utf-8")
    shipped, fresh = grammar._load_artifact(text), grammar.build_parser(text)
    source = path.read_text(encoding="utf-8")
    assert shipped.parse(source) == fresh.parse(source)


def test_a_stale_artifact_is_never_used(tmp_path, monkeypatch) -> None:
    fake = tmp_path / "policy_parser.marshal"
    fake.write_bytes(marshal.dumps({"grammar_sha256": "0" * 64, "data": {}, "memo": {}}))
    monkeypatch.setattr(grammar, "ARTIFACT", fake)
    assert grammar._load_artifact("start: NAME") is None
    fake.write_bytes(b"\x00garbage")
    assert grammar._load_artifact("start: NAME") is None


def test_no_parser_cache_in_the_temp_directory() -> None:
    """Lark's cache is a pickle: the parser is never given a cache path, nor the temp dir."""
    assert "cache" not in grammar._OPTIONS
    assert "tempfile" not in Path(grammar.__file__).read_text(encoding="utf-8")
