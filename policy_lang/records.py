"""`frozen`: attrs' frozen, slotted classes for the AST and the model, with shared methods.

attrs compiles an `__init__`, `__eq__`, `__hash__` and `__repr__` for every class (source text,
`compile`, `eval`); for the ~130 classes of `ast` and `model` that was a third of `policyc check`'s
start-up. Only the `__init__` is worth compiling (nodes are created by the ten thousand). The
others are shared: one `__repr__` for all classes, and `__eq__`, `__ne__` and `__hash__` built
around a per-class `operator.attrgetter` of the compared fields (one C call reads them all). They
compare, hash and print as attrs' own do: equal when of the same class with equal fields
(`field(eq=False)` left out), hashed on those fields, `Name(value='x', ...)` as text.
"""
from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

T = TypeVar("T", bound=type)


def _repr(self: Any) -> str:
    fields = ", ".join(f"{a.name}={getattr(self, a.name)!r}" for a in type(self).__attrs_attrs__ if a.repr)
    return f"{type(self).__qualname__}({fields})"


def _key(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The values of the fields `names` of an instance, as a tuple."""
    if len(names) > 1:
        many: Callable[[Any], tuple[Any, ...]] = attrgetter(*names)
        return many
    if names:
        one = attrgetter(names[0])
        return lambda self: (one(self),)
    return lambda self: ()


def _comparisons(cls: Any) -> dict[str, Callable[..., Any]]:
    """`__eq__`, `__ne__` and `__hash__` of an attrs class, as attrs generates them for `eq=True`."""
    eq_key = _key([a.name for a in cls.__attrs_attrs__ if a.eq])
    hash_key = _key([a.name for a in cls.__attrs_attrs__ if (a.eq if a.hash is None else a.hash)])
    salt = hash(f"{cls.__module__}.{cls.__qualname__}")

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return eq_key(self) == eq_key(other)

    def __ne__(self: Any, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return eq_key(self) != eq_key(other)

    def __hash__(self: Any) -> int:
        return hash((salt, hash_key(self)))

    return {"__eq__": __eq__, "__ne__": __ne__, "__hash__": __hash__}


#: Options under which attrs' own comparison methods are kept (none is used by the AST or the model).
_OWN_EQ = frozenset({"eq", "order", "hash", "unsafe_hash", "cache_hash", "cmp"})


if TYPE_CHECKING:
    # For the type checker these are attrs classes as `attrs.frozen` makes them (mypy's attrs plugin
    # knows attrs' decorators by name: it then checks their `__init__`, fields and `attrs.evolve`)
    from attrs import frozen as frozen
else:
    def frozen(cls: T | None = None, **options: Any) -> T | Callable[[T], T]:
        """`attrs.frozen` with only the `__init__` compiled (the shared methods above instead)."""
        def wrap(c: T) -> T:
            if options.keys() & _OWN_EQ:
                made = attrs.frozen(c, repr=False, **options)
                made.__repr__ = _repr
                return made
            own = {name for name in ("__eq__", "__ne__", "__hash__") if name in c.__dict__}
            made = attrs.frozen(c, repr=False, eq=False, **options)
            if any(a.eq_key is not None for a in made.__attrs_attrs__):
                made = attrs.frozen(c, repr=False, **options)  # a field compared by a key: attrs' own
            else:
                for name, method in _comparisons(made).items():
                    if name not in own:
                        method.__qualname__ = f"{made.__qualname__}.{name}"
                        setattr(made, name, method)
            made.__repr__ = _repr
            return made
        return wrap if cls is None else wrap(cls)
