"""`records.frozen` classes compare, hash and print as `attrs.frozen` classes with the same fields."""
from __future__ import annotations

import itertools

import attrs
import pytest

from policy_lang.records import frozen
from policy_lang.semantics import model
from policy_lang.syntax import ast


def pair(*, extra: bool = False):
    """The same class twice: ours and attrs' own."""
    def body(ns: dict) -> None:
        ns["__annotations__"] = {"a": "int", "b": "object", "span": "object"}
        ns["b"] = None
        ns["span"] = attrs.field(eq=False, repr=False, default=None)
        if extra:
            ns["__annotations__"]["c"] = "tuple"
            ns["c"] = ()

    ours = frozen(type("Node", (), _ns(body)))
    theirs = attrs.frozen(type("Node", (), _ns(body)))
    return ours, theirs


def _ns(body) -> dict:
    ns: dict = {"__module__": __name__, "__qualname__": "Node"}
    body(ns)
    return ns


VALUES = [(1, None, "s1"), (1, None, "s2"), (2, None, "s1"), (1, "x", "s1"), (1, (1, 2), None)]


@pytest.mark.parametrize("extra", [False, True])
def test_same_comparisons_hashes_and_text_as_attrs(extra: bool) -> None:
    ours, theirs = pair(extra=extra)
    for (x, y) in itertools.product(VALUES, repeat=2):
        o1, o2 = ours(*x), ours(*y)
        t1, t2 = theirs(*x), theirs(*y)
        assert (o1 == o2) is (t1 == t2)
        assert (o1 != o2) is (t1 != t2)
        if o1 == o2:
            assert hash(o1) == hash(o2)
        assert repr(o1) == repr(t1)
    assert ours(1) != theirs(1) and ours(1).__eq__(theirs(1)) is NotImplemented  # another class
    assert ours(1) != 1 and ours(1) != (1, None)
    assert len({ours(1, None, "a"), ours(1, None, "b"), ours(2)}) == 2  # the span is not compared
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        ours(1).a = 2  # type: ignore[misc]


def test_a_class_with_no_compared_field() -> None:
    @frozen
    class Empty:
        span: object = attrs.field(eq=False, default=None)

    assert Empty(1) == Empty(2) and hash(Empty(1)) == hash(Empty(2))


def test_own_methods_are_kept() -> None:
    @frozen
    class Folded:
        value: str

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Folded) and self.value.lower() == other.value.lower()

        def __hash__(self) -> int:
            return hash(self.value.lower())

    assert Folded("A") == Folded("a") and hash(Folded("A")) == hash(Folded("a"))


def test_the_ast_and_the_model_compare_their_fields_but_not_spans() -> None:
    span = ast.Span("f.policy", 1, 1, 1, 2)
    other = ast.Span("f.policy", 3, 1, 3, 2)
    assert ast.Name("x", span) == ast.Name("x", other)
    assert ast.Name("x", span) != ast.Name("y", span)
    assert hash(ast.Name("x", span)) == hash(ast.Name("x", other))
    assert ast.Text("x", span) != ast.Name("x", span)
    assert "Name" in repr(ast.Name("x", span)) and "'x'" in repr(ast.Name("x", span))
    assert any(attrs.has(c) for c in vars(model).values() if isinstance(c, type))
