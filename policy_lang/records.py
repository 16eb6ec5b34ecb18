"""`frozen`: attrs' frozen, slotted classes for the AST and the model, with one shared `__repr__`.

attrs compiles an `__init__`, `__eq__`, `__hash__` and `__repr__` for every class; the ~130 classes
of `ast` and `model` made that a third of `policyc check`'s start-up. The repr is the one method
nobody needs compiled per class: this one reads the same fields and prints the same text.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

T = TypeVar("T", bound=type)


def _repr(self: Any) -> str:
    fields = ", ".join(f"{a.name}={getattr(self, a.name)!r}" for a in type(self).__attrs_attrs__ if a.repr)
    return f"{type(self).__qualname__}({fields})"


if TYPE_CHECKING:
    # For the type checker these are attrs classes as `attrs.frozen` makes them (mypy's attrs plugin
    # knows attrs' decorators by name: it then checks their `__init__`, fields and `attrs.evolve`)
    from attrs import frozen as frozen
else:
    def frozen(cls: T | None = None, **options: Any) -> T | Callable[[T], T]:
        """`attrs.frozen` without a generated `__repr__` (the shared one above instead)."""
        def wrap(c: T) -> T:
            made = attrs.frozen(c, repr=False, **options)
            made.__repr__ = _repr
            return made
        return wrap if cls is None else wrap(cls)
