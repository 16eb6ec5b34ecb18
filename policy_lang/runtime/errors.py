"""Errors a generated evaluator raises for a bad query, and the checks that raise them.

The evaluator raises only `PolicyQueryError` (and its subclass `CalendarHorizonError`), both
`ValueError`s, for any argument value: wrong types, naive datetimes, a `tzinfo` that gives no
offset, instants outside `MIN_YEAR..MAX_YEAR`, counts that would overflow a date.  Each error
carries `.kind` (see `KINDS`), `.argument` (the keyword it is about, when there is one) and
`.details`, so that a front end such as `policyc query` can say the same thing in its own terms.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timezone
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

__all__ = [
    "KINDS", "MAX_YEAR", "MIN_YEAR", "CalendarHorizonError", "PolicyQueryError", "describe",
    "require_aware", "require_bool", "require_choice", "require_date", "require_int", "require_year",
    "shown",
]

T = TypeVar("T")

#: The years an evaluator answers for: dates and instants outside them are refused.
MIN_YEAR, MAX_YEAR = 1900, 2200

#: What `PolicyQueryError.kind` may be.
KINDS = {
    "type": "an argument of the wrong type",
    "naive": "a datetime without a UTC offset",
    "range": "a value outside what can be answered (years, counts, negative numbers)",
    "choice": "an unknown tier, channel, priority, service, obligation, condition ...",
    "missing": "a required argument was not given",
    "unexpected": "an argument the program has no use for was given",
    "condition": "the obligation applies only when a condition holds",
    "lacks": "the program defines nothing for this question",
    "horizon": "a date outside the span a calendar was compiled for",
    "events": "a ticket's events cannot be read (ticket(): a bad event, or none registering the ticket)",
    "query": "any other question the policy cannot answer",
}

# Zones whose utcoffset() is known to return a timedelta: datetimes in them are used as given.
_PLAIN_ZONES = (ZoneInfo, timezone)


class PolicyQueryError(ValueError):
    """A query argument the policy cannot answer for: an unknown choice, a naive datetime, ..."""

    default_kind = "query"

    def __init__(self, message: str, *, kind: str | None = None, argument: str | None = None,
                 **details: Any) -> None:
        super().__init__(message)
        self.kind = kind or self.default_kind
        self.argument = argument
        self.details = details

    def __reduce__(self) -> Any:  # keep kind and details through pickling
        return (_rebuild, (type(self), str(self), self.kind, self.argument, self.details))


class CalendarHorizonError(PolicyQueryError):
    """A date outside the span a calendar was compiled for; answering would be a guess."""

    default_kind = "horizon"


def _rebuild(cls: type[PolicyQueryError], message: str, kind: str, argument: str | None,
             details: dict[str, Any]) -> PolicyQueryError:
    return cls(message, kind=kind, argument=argument, **details)


def describe(value: object, limit: int = 60) -> str:
    """A short repr for a message, whatever the value (huge ints and broken reprs included)."""
    import reprlib  # only on the error path

    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        # never str() it: past sys.get_int_max_str_digits() that raises, and it is slow anyway
        sign = "a negative " if value < 0 else "an "
        return f"<{sign}integer of {value.bit_length() * 3 // 10}+ digits>"
    r = reprlib.Repr()
    r.maxstring = r.maxother = limit
    try:
        text = r.repr(value)
    except Exception:  # noqa: BLE001 - e.g. an int past sys.get_int_max_str_digits(), a raising __repr__
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit + 6 else text[:limit] + "..."


#: The one helper every message uses to show a value it was given (short; never a huge int's digits).
shown = describe


def _range_error(name: str, shown: str) -> PolicyQueryError:
    return PolicyQueryError(
        f"{name} {shown} is outside the years {MIN_YEAR}..{MAX_YEAR} this evaluator answers for",
        kind="range", argument=name, low=MIN_YEAR, high=MAX_YEAR)


def require_aware(name: str, value: object) -> datetime:
    """`value` as a timezone-aware datetime within MIN_YEAR..MAX_YEAR, or PolicyQueryError.

    A naive datetime has no defined instant.  A datetime whose tzinfo is not a ZoneInfo or a
    `datetime.timezone` (or a datetime subclass) comes back pinned to the one UTC offset its
    tzinfo gave, so later arithmetic cannot meet a tzinfo that changes its mind or fails.
    """
    if not isinstance(value, datetime):
        got = "a date without a time" if isinstance(value, date) else type(value).__name__
        raise PolicyQueryError(
            f"{name} must be a timezone-aware datetime, got {got} {describe(value)}",
            kind="type", argument=name, expected="datetime")
    try:
        tz = value.tzinfo
        offset = None if tz is None else value.utcoffset()
    except Exception as e:  # noqa: BLE001 - a tzinfo subclass may return anything or raise
        raise PolicyQueryError(
            f"{name}: the tzinfo of {describe(value)} gives no valid UTC offset ({e})",
            kind="naive", argument=name) from None
    if offset is None:
        why = "naive" if tz is None else "without a UTC offset (its tzinfo returned None)"
        raise PolicyQueryError(
            f"{name} must be a timezone-aware datetime, got {why} {_wall(value)}; "
            "attach a zone, e.g. value.replace(tzinfo=ZoneInfo('Europe/Moscow'))",
            kind="naive", argument=name)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise _range_error(name, _wall(value) + _offset(offset))
    if type(value) is datetime and type(tz) in _PLAIN_ZONES:
        return value
    return datetime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                    value.microsecond, timezone(offset))


def _wall(value: datetime) -> str:
    """The wall-clock reading of `value`, without consulting its tzinfo."""
    try:
        return datetime.isoformat(datetime(value.year, value.month, value.day, value.hour,
                                           value.minute, value.second, value.microsecond))
    except Exception:  # noqa: BLE001 - whatever the value, its wall-clock reading or a short repr
        return describe(value)


def _offset(offset: Any) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def require_date(name: str, value: object) -> date:
    """`value` as a date within MIN_YEAR..MAX_YEAR; an aware datetime gives its own local date."""
    if isinstance(value, datetime):
        return require_aware(name, value).date()
    if not isinstance(value, date):
        raise PolicyQueryError(f"{name} must be a date, got {type(value).__name__} "
                               f"{describe(value)}", kind="type", argument=name, expected="date")
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise _range_error(name, date.isoformat(value))
    return value if type(value) is date else date(value.year, value.month, value.day)


def require_int(name: str, value: object, low: int = 0, high: int | None = None) -> int:
    """`value` as an int in [low, high] (bools are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyQueryError(f"{name} must be an integer, got {describe(value)}",
                               kind="type", argument=name, expected="int")
    if value < low or (high is not None and value > high):
        bound = f">= {low}" if high is None else f"from {low} to {high}"
        raise PolicyQueryError(f"{name} must be an integer {bound}, got {describe(value)}",
                               kind="range", argument=name, low=low, high=high)
    return int(value)


def require_bool(name: str, value: object) -> bool:
    """`value` if it is True or False (a condition flag); 1, "yes", None ... are refused."""
    if value is True or value is False:
        return value
    raise PolicyQueryError(f"{name} must be True or False, got {describe(value)}",
                           kind="type", argument=name, expected="bool")


def require_year(name: str, value: date) -> date:
    """`value` (a date or datetime the evaluator computed) if within MIN_YEAR..MAX_YEAR, else a
    range error: an answer outside the years is no more trustworthy than a question outside them."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise PolicyQueryError(
            f"{name} would be {value.isoformat()}, outside the years {MIN_YEAR}..{MAX_YEAR} this "
            "evaluator answers for", kind="range", argument=name, low=MIN_YEAR, high=MAX_YEAR)
    return value


def require_choice(kind: str, value: T, choices: Collection[T]) -> T:
    """Return `value` if it is one of `choices`; else say what is valid and the nearest match."""
    try:
        if value in choices:
            return value
    except Exception:  # noqa: BLE001, S110 - e.g. unhashable against a set: certainly not a valid choice
        pass
    ordered = sorted(choices, key=str) if isinstance(choices, (set, frozenset)) else choices
    names = [str(c) for c in ordered]
    message = f"unknown {kind} {describe(value)}; valid: {', '.join(names) if names else '(none)'}"
    import difflib  # only on this error path: importing the runtime does not pay for it

    close = (difflib.get_close_matches(value, names, n=1)
             if isinstance(value, str) and len(value) <= 100 else [])
    if close:
        message += f"; did you mean {close[0]!r}?"
    raise PolicyQueryError(message, kind="choice", argument=kind, value=value,
                           choices=tuple(names), suggestion=close[0] if close else None)
