"""Errors a generated evaluator raises for a bad query, and the checks that raise them."""

from __future__ import annotations

import difflib
from collections.abc import Collection
from datetime import datetime
from typing import TypeVar

__all__ = ["PolicyQueryError", "CalendarHorizonError", "require_aware", "require_choice"]

T = TypeVar("T")


class PolicyQueryError(ValueError):
    """A query argument the policy cannot answer for: an unknown choice, a naive datetime, ..."""


class CalendarHorizonError(PolicyQueryError):
    """A date outside the span a calendar was compiled for; answering would be a guess."""


def require_aware(name: str, value: object) -> datetime:
    """Return `value` if it is a timezone-aware datetime; a naive one has no defined instant."""
    if not isinstance(value, datetime):
        raise PolicyQueryError(
            f"{name} must be a timezone-aware datetime, got {type(value).__name__} {value!r}"
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise PolicyQueryError(
            f"{name} must be a timezone-aware datetime, got naive {value.isoformat()}; "
            "attach a zone, e.g. value.replace(tzinfo=ZoneInfo('Europe/Moscow'))"
        )
    return value


def require_choice(kind: str, value: T, choices: Collection[T]) -> T:
    """Return `value` if it is one of `choices`; else say what is valid and the nearest match."""
    try:
        if value in choices:
            return value
    except TypeError:  # unhashable value against a set: certainly not a valid choice
        pass
    ordered = sorted(choices, key=str) if isinstance(choices, (set, frozenset)) else choices
    names = [str(c) for c in ordered]
    message = f"unknown {kind} {value!r}; valid: {', '.join(names) if names else '(none)'}"
    close = difflib.get_close_matches(str(value), names, n=1)
    if close:
        message += f"; did you mean {close[0]!r}?"
    raise PolicyQueryError(message)
