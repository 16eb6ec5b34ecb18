"""The construct table: each declaration kind declared once, every stage stated, none dropped silently."""
from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import attrs
import pytest

from policy_lang.records import frozen
from policy_lang.semantics import constructs
from policy_lang.semantics.check import Checker
from policy_lang.semantics.constructs import CONSTRUCTS, Construct, ConstructError, Skip
from policy_lang.semantics.lower import Lowering, lower
from policy_lang.syntax import ast

ROOT = Path(__file__).resolve().parents[2]
GRAMMAR = (ROOT / "grammar" / "policy.lark").read_text(encoding="utf-8")
STAGES = ("field", "declares", "check", "lower", "annex")


@frozen
class ToyDecl:
    """A construct someone is adding: an AST node with an id."""

    id: ast.Name
    span: object = None


def test_every_node_of_the_syntax_is_one_construct() -> None:
    assert {c.node for c in CONSTRUCTS} == set(get_args(ast.Decl))
    assert len({c.node for c in CONSTRUCTS}) == len(CONSTRUCTS)


@pytest.mark.parametrize("c", CONSTRUCTS, ids=lambda c: c.keyword)
def test_the_keyword_is_the_grammar_s(c: Construct) -> None:
    """`calendar` is written `calendar ...` (the target table's keyword also opens `response`)."""
    assert re.search(rf'^\w+: "{re.escape(c.keyword)}"', GRAMMAR, re.M), c.keyword


@pytest.mark.parametrize("c", CONSTRUCTS, ids=lambda c: c.keyword)
def test_every_stage_is_named_or_skipped_with_a_reason(c: Construct) -> None:
    for stage in STAGES:
        value = getattr(c, stage)
        assert (isinstance(value, str) and value) or (isinstance(value, Skip) and value.why), (c.keyword, stage)


@pytest.mark.parametrize("c", [c for c in CONSTRUCTS if isinstance(c.check, str)], ids=lambda c: c.keyword)
def test_the_checker_stage_exists(c: Construct) -> None:
    assert callable(getattr(Checker, str(c.check)))


@pytest.mark.parametrize("c", [c for c in CONSTRUCTS if isinstance(c.lower, str)], ids=lambda c: c.keyword)
def test_the_lowering_stage_exists_and_fills_a_program_field(c: Construct) -> None:
    from policy_lang.semantics import model

    assert callable(getattr(Lowering, str(c.lower)))
    assert c.field in {a.name for a in attrs.fields(model.Program)}


def test_a_construct_without_a_stage_stated_fails_at_import() -> None:
    """No stage has a default: leaving one out is a TypeError where the row is written."""
    with pytest.raises(TypeError):
        Construct("toy", ToyDecl, "toys", True, "toy", "check_toy", "toy")  # type: ignore[call-arg]  # the point


def test_a_construct_whose_stage_is_missing_is_named() -> None:
    toy = Construct("toy", ToyDecl, "toys", True, "toy", "check_toy", "toy", "toys")
    with pytest.raises(ConstructError, match=r"toy \(check 'check_toy'\)"):
        constructs.verify("check", Checker, (*CONSTRUCTS, toy))
    with pytest.raises(ConstructError, match=r"toy \(lower 'toy'\)"):
        constructs.verify("lower", Lowering, (*CONSTRUCTS, toy))
    constructs.verify("check", Checker)  # the real table passes
    constructs.verify("lower", Lowering)


def test_a_node_missing_from_the_table_is_an_error() -> None:
    with pytest.raises(ConstructError, match=r"not in ast\.Decl"):
        constructs._verify_table((*CONSTRUCTS, Construct("toy", ToyDecl, "toys", True, "toy", Skip("-"), Skip("-"),
                                                         Skip("-"))))
    with pytest.raises(ConstructError, match="has no construct"):
        constructs._verify_table(CONSTRUCTS[1:])


def test_an_unregistered_node_is_never_checked_or_lowered_silently() -> None:
    toy = ToyDecl(ast.Name("x"))
    with pytest.raises(ConstructError, match="ToyDecl is not a declared construct"):
        Checker([toy]).check_item(toy)
    program = ast.ProgramDecl(ast.Name("p"), ast.Text("P"), ast.Text("V"), None, None)
    with pytest.raises(ConstructError, match="ToyDecl"):
        lower([program, toy], [], "p.policy")


@pytest.mark.parametrize("c", [c for c in CONSTRUCTS if isinstance(c.annex, str)], ids=lambda c: c.keyword)
def test_the_annex_prints_every_construct_that_says_it_does(c: Construct) -> None:
    per_kind = ROOT / "policy_lang" / "templates" / "annex" / "blocks" / f"{c.annex}.j2"
    assert per_kind.is_file()
    assert "{% macro block(v, s, b, f)" in per_kind.read_text(encoding="utf-8")


def test_the_annex_dispatches_by_kind_and_has_no_branch_per_kind() -> None:
    blocks = (ROOT / "policy_lang" / "templates" / "annex" / "_blocks.j2").read_text(encoding="utf-8")
    assert "b.kind ==" not in blocks
    assert "block_template(b.kind)" in blocks


def test_a_construct_whose_annex_template_is_missing_fails_the_check() -> None:
    from policy_lang.backends.annex.render import BLOCK_KINDS

    toy = Construct("toy", ToyDecl, "toys", True, "toy", "check_toy", "toy", "toys")
    constructs.verify("annex", frozenset(BLOCK_KINDS))  # the shipped table passes
    with pytest.raises(ConstructError, match=r"toy \(annex 'toys'\)"):
        constructs.verify("annex", frozenset(BLOCK_KINDS), (*CONSTRUCTS, toy))


def test_an_annex_block_of_an_unknown_kind_raises_at_render() -> None:
    """A block kind with no template stops the render with its name: it is never printed as nothing."""
    from policy_lang.backends.annex.render import AnnexConfig, render_markdown
    from policy_lang.backends.annex.view import Block, Section, build_view
    from policy_lang.frontend import compile_file

    compiled = compile_file(ROOT / "policies" / "examples" / "tyk_support.policy")
    assert compiled.program is not None
    view = build_view(compiled.program, AnnexConfig())
    render_markdown(view)  # renders as it is
    toy = Section("9", "9", "Игрушка", "named", 1, False, (Block("toys", object(), None),))
    with pytest.raises(ConstructError, match="unknown annex block kind 'toys'"):
        render_markdown(attrs.evolve(view, sections=(*view.sections, toy)))
