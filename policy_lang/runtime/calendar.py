"""Business-time arithmetic over working intervals baked into generated code (stdlib only)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from policy_lang.runtime.errors import (
    _PLAIN_ZONES,
    MAX_YEAR,
    MIN_YEAR,
    CalendarHorizonError,
    PolicyQueryError,
    describe,
    require_aware,
    require_date,
    require_int,
    require_year,
)

__all__ = ["BusinessCalendar", "add_days", "add_months", "add_years", "instant", "last_day_of_term",
           "term_end", "term_last_day"]

_fromtimestamp = datetime.fromtimestamp
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_US = timedelta(microseconds=1)
#: (tzinfo, local day ordinal) -> microseconds from the epoch to that local midnight, or None when
#: the zone's offset changes during the day (then datetime.timestamp() decides).
_MIDNIGHTS: dict[tuple[object, int], int | None] = {}


def instant(at: datetime) -> float:  # hot path
    """`at.timestamp()` for an aware datetime, bit for bit, at about half its cost.

    datetime.timestamp() asks the zone for the offset on every call (a subtraction of aware
    datetimes and two timedeltas); a service asks about the same few hundred days again and
    again, so the offset of each local day is asked once and kept.
    """
    key = (at.tzinfo, at.toordinal())
    try:
        midnight = _MIDNIGHTS[key]
    except KeyError:
        midnight = _midnight(at, key[1])
        if len(_MIDNIGHTS) > 50_000:  # a bound, not a policy: days are cheap to ask again
            _MIDNIGHTS.clear()
        _MIDNIGHTS[key] = midnight
    if midnight is None:
        return at.timestamp()
    return (midnight + ((at.hour * 60 + at.minute) * 60 + at.second) * 1_000_000 + at.microsecond) / 1e6


def _midnight(at: datetime, ordinal: int) -> int | None:
    tz = at.tzinfo
    first = datetime(at.year, at.month, at.day, tzinfo=tz)
    offset = first.utcoffset()
    if offset is None or datetime(at.year, at.month, at.day, 23, 59, 59, 999999, tzinfo=tz).utcoffset() != offset:
        return None
    return (ordinal - _EPOCH_ORDINAL) * 86_400_000_000 - offset // _US


#: More seconds (days) than the years MIN_YEAR..MAX_YEAR hold: a bound on what can be added.
_MAX_DAYS = (MAX_YEAR - MIN_YEAR + 1) * 366
_MAX_SECONDS = _MAX_DAYS * 86_400


def _seconds(value: object) -> float:
    """Working time to add, checked: a number of seconds >= 0 (an int, or a finite float)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PolicyQueryError(f"working time to add must be a number of seconds, got {describe(value)}",
                               kind="type", argument="seconds", expected="int")
    if not 0 <= value <= _MAX_SECONDS:  # NaN fails both comparisons
        raise PolicyQueryError(f"working time to add must be from 0 to {_MAX_SECONDS} seconds, got "
                               f"{describe(value)}", kind="range", argument="seconds", low=0,
                               high=_MAX_SECONDS)
    return value


def _aware(name: str, at: object) -> datetime:
    """require_aware() with the common case (a datetime in a ZoneInfo or fixed offset) kept cheap."""
    if (type(at) is datetime and type(at.tzinfo) in _PLAIN_ZONES
            and MIN_YEAR <= at.year <= MAX_YEAR):
        return at
    return require_aware(name, at)


_NEVER = 1 << 30  # a year no datetime reaches: a calendar with no provisional days

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class BusinessCalendar:
    """Working time as sorted disjoint UTC intervals [start, end); every query is a bisect.

    Instants are UTC epoch seconds, so daylight saving needs no special case: the compiler
    converted local opening hours to UTC once.  A prefix array of cumulative working seconds
    turns "add N working seconds" into two binary searches.  Outside the compiled horizon the
    calendar refuses (CalendarHorizonError) rather than guess.
    """

    __slots__ = (
        "_cum",
        "_days",
        "_e",
        "_first_ord",
        "_hi",
        "_last_ord",
        "_lo",
        "_prov_ts",
        "_prov_year",
        "_s",
        "_shift",
        "_tz",
        "ends",
        "horizon",
        "name",
        "provisional_from",
        "starts",
        "zone",
    )

    def __init__(self, name: str, zone: str, starts: tuple[int, ...], ends: tuple[int, ...],
                 horizon: tuple[str, str], provisional_from: str | None = None) -> None:
        if len(starts) != len(ends):
            raise ValueError(f"calendar {name}: {len(starts)} starts but {len(ends)} ends")
        self.name = name
        self.zone = zone
        self.starts = tuple(starts)
        self.ends = tuple(ends)
        self._tz = tz = ZoneInfo(zone)
        first, last = date.fromisoformat(horizon[0]), date.fromisoformat(horizon[1])
        if last < first:
            raise ValueError(f"calendar {name}: horizon {first}..{last} is empty")
        self.horizon: tuple[date, date] | None = (first, last)
        self._lo = datetime.combine(first, time(), tz).timestamp()
        self._hi = datetime.combine(last + timedelta(days=1), time(), tz).timestamp()
        self._first_ord, self._last_ord = first.toordinal(), last.toordinal()
        # Days from here on come from Labour Code art. 112, not a published decree.
        self.provisional_from = date.fromisoformat(provisional_from) if provisional_from else None
        self._prov_ts = (datetime.combine(self.provisional_from, time(), tz).timestamp()
                         if self.provisional_from else float("inf"))
        # An instant in a year before this one is in a decree year in any zone (a quick "no").
        self._prov_year = self.provisional_from.year - 1 if self.provisional_from else _NEVER
        cum = [0]
        days: set[int] = set()
        previous_end = self._lo
        for s, e in zip(self.starts, self.ends):
            if not previous_end <= s < e:
                raise ValueError(f"calendar {name}: interval [{s}, {e}) is empty, unsorted, "
                                 "overlapping or before the horizon")
            previous_end = e
            cum.append(cum[-1] + (e - s))
            # A working day is a local date touched by working time; e is exclusive.
            days.update(range(_fromtimestamp(s, tz).toordinal(),
                              _fromtimestamp(e - 1, tz).toordinal() + 1))
        if previous_end > self._hi:
            raise ValueError(f"calendar {name}: intervals run past the horizon end {last}")
        # Float copies: timestamps are floats, and bisecting floats among ints is 2-3x slower.
        self._s, self._e = tuple(map(float, self.starts)), tuple(map(float, self.ends))
        self._cum = tuple(map(float, cum))
        # shift[i] = cum[i] - starts[i]: worked-so-far at t in interval i is shift[i] + t.
        self._shift = tuple(c - s for c, s in zip(self._cum, self._s))
        self._days = tuple(sorted(days))

    @classmethod
    def always(cls, name: str, zone: str) -> BusinessCalendar:
        """A 24x7 calendar: plain clock arithmetic, no intervals and no horizon."""
        if not isinstance(name, str) or not isinstance(zone, str):
            raise PolicyQueryError(f"a calendar's name and zone are strings, got {describe(name)} and "
                                   f"{describe(zone)}", kind="type")
        try:
            ZoneInfo(zone)
        except (KeyError, ValueError, TypeError, OSError) as e:  # ZoneInfoNotFoundError is a KeyError
            raise PolicyQueryError(f"unknown time zone {describe(zone)} ({type(e).__name__})",
                                   kind="choice", argument="zone") from None
        return _AlwaysOpen(name, zone)

    def __repr__(self) -> str:
        span = f"{self.horizon[0]}..{self.horizon[1]}" if self.horizon else "24x7"
        return f"<BusinessCalendar {self.name} {self.zone} {span} {len(self.starts)} intervals>"

    # -- working time -------------------------------------------------------------------

    def add_working_time(self, start: datetime, seconds: int) -> datetime:  # hot path
        """The instant `seconds` of working time after `start`, in the calendar's zone.

        Counting begins at `start`, or at the next opening if `start` is outside hours.  A
        deadline that uses up a window exactly ends at that closing time (Fri 09:00 + 8h on
        08:00-17:00 is Fri 17:00, not Mon 08:00).  seconds=0 returns `start` itself when open,
        otherwise the next opening.  Hence add(add(s, a), b) == add(s, a + b) whenever b > 0.
        """
        if (type(seconds) is not int or not 0 < seconds <= _MAX_SECONDS) and _seconds(seconds) == 0:
            return self.next_opening(start)
        if type(start) is not datetime or type(start.tzinfo) not in _PLAIN_ZONES:
            start = require_aware("start", start)  # (other years are outside the horizon: refused)
        t = instant(start)
        cum, shift = self._cum, self._shift  # the common case inline, as in _add() (a call less)
        i = bisect_right(self._s, t) - 1
        if i >= 0:
            target = (shift[i] + t if t < self._e[i] else cum[i + 1]) + seconds
            j = bisect_left(cum, target)
            if j < len(cum):
                return _fromtimestamp(target - shift[j - 1], self._tz)
        return self._add(start, seconds, t)  # before the first opening, or past the horizon

    def _add(self, start: datetime, seconds: float, t: float) -> datetime:  # hot path
        """add_working_time() once `start` is checked, `t` is its timestamp and seconds > 0 (the
        evaluator's response path, which has done both)."""
        cum, shift = self._cum, self._shift
        i = bisect_right(self._s, t) - 1
        if i >= 0:  # then t >= the first opening >= the horizon start
            target = (shift[i] + t if t < self._e[i] else cum[i + 1]) + seconds
        elif t < self._lo:
            raise self._outside("start", start)
        else:
            target = seconds
        j = bisect_left(cum, target)  # cum[j-1] < target <= cum[j]: ends inside interval j-1
        try:
            return _fromtimestamp(target - shift[j - 1], self._tz)
        except IndexError:  # j == len(cum): more work than the horizon holds after t
            if t >= self._hi:
                raise self._outside("start", start) from None
            raise CalendarHorizonError(
                f"{_working_time(seconds)} of working time from {start.isoformat()} end after "
                f"the {self._span()}") from None

    @property
    def tz(self) -> ZoneInfo:
        """The calendar's zone: local dates and the end of a day are read in it."""
        return self._tz

    def is_provisional(self, at: datetime | None) -> bool:
        """Whether an instant falls in a year computed without a Government decree (None: no)."""
        return at is not None and instant(_aware("at", at)) >= self._prov_ts

    def provisional_years(self, start: date | datetime, end: date | datetime) -> tuple[int, ...]:
        """The years without a decree whose days a count on this calendar from `start` to `end`
        crossed: those of the local dates start..end from `provisional_from` on.  An `end` at local
        midnight while the calendar is closed (working time used up by a window that closes at
        midnight) did not reach that day.  Empty: the count rests on decreed days only, as every
        count on a 24x7 calendar does.
        """
        first_provisional = self.provisional_from
        if first_provisional is None:
            return ()
        last = self._local_date("end", end)
        if isinstance(end, datetime):
            local = end.astimezone(self._tz)
            if local.time() == time() and not self._open_instant(local.timestamp()):
                last -= timedelta(days=1)
        if last < first_provisional:
            return ()
        first = max(self._local_date("start", start), first_provisional)
        return tuple(range(first.year, last.year + 1))

    def _provisional(self, end: datetime) -> bool:  # hot path: Response.targets asks for every answer
        """Whether a count ending at `end` (an aware datetime) crossed a day without a decree."""
        return end.year >= self._prov_year and bool(self.provisional_years(end, end))

    def _open_instant(self, t: float) -> bool:
        """is_open() of a timestamp, False outside the horizon."""
        if not self._lo <= t < self._hi:
            return False
        i = bisect_right(self._s, t) - 1
        return i >= 0 and t < self._e[i]

    def working_seconds_between(self, a: datetime, b: datetime) -> int:
        """Working seconds in [a, b), rounded to whole seconds; negative when b is before a."""
        return round(self._worked("b", b) - self._worked("a", a))

    def is_open(self, at: datetime) -> bool:
        """Whether `at` falls inside working hours (opening instant included, closing excluded)."""
        t = self._start_instant("at", at)
        i = bisect_right(self._s, t) - 1
        return i >= 0 and t < self._e[i]

    def open_at(self, at: datetime) -> bool:
        """is_open() (kept for callers of the channel-hours check by this name)."""
        return self.is_open(at)

    def _open(self, at: datetime, t: float) -> bool:  # hot path
        """is_open() for the evaluator's channel hours: `at` is already a checked aware datetime
        and `t` its timestamp; one bisect, the horizon checked once."""
        if not self._lo <= t < self._hi:
            raise self._outside("at", at)
        i = bisect_right(self._s, t) - 1
        return i >= 0 and t < self._e[i]

    def next_opening(self, at: datetime) -> datetime:
        """`at` itself if open, else the next opening instant, in the calendar's zone."""
        at = _aware("at", at)
        t = self._start_instant("at", at)
        starts = self._s
        j = bisect_right(starts, t)
        if j and t < self._e[j - 1]:
            return at.astimezone(self._tz)
        if j == len(starts):
            raise CalendarHorizonError(
                f"no opening after {at.isoformat()} within the {self._span()}")
        return _fromtimestamp(starts[j], self._tz)

    # -- working days -------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """Whether local date `d` has any working time."""
        o = self._day_ordinal("d", d)
        k = bisect_left(self._days, o)
        return k < len(self._days) and self._days[k] == o

    def add_business_days(self, start: date | datetime, n: int) -> date:
        """The n-th working day strictly after start's local date; n=0: that date or the next."""
        n = require_int("n", n, 0)
        o = self._day_ordinal("start", start)
        days = self._days
        k = bisect_left(days, o) if n == 0 else bisect_right(days, o) + n - 1
        if k >= len(days):
            raise CalendarHorizonError(
                f"{describe(n)} business days after {date.fromordinal(o).isoformat()} end after the "
                f"{self._span()}")
        return date.fromordinal(days[k])

    def end_of_day(self, d: date) -> datetime:
        """23:59:59 local on `d`: a term in days ends with its last day (Civil Code art. 194).

        Pure zone arithmetic, so it needs no horizon.
        """
        return datetime.combine(self._local_date("d", d), time(23, 59, 59), self._tz)

    # -- helpers ------------------------------------------------------------------------

    def _span(self) -> str:
        first, last = self.horizon  # type: ignore[misc]
        return f"horizon {first.isoformat()}..{last.isoformat()} of calendar {self.name!r}"

    def _outside(self, name: str, value: date) -> CalendarHorizonError:
        return CalendarHorizonError(f"{name} {value.isoformat()} is outside the {self._span()}")

    def _start_instant(self, name: str, at: datetime) -> float:
        t = require_aware(name, at).timestamp()
        if not self._lo <= t < self._hi:
            raise self._outside(name, at)
        return t

    def _worked(self, name: str, at: datetime) -> float:
        """Working seconds from the horizon start to `at` (an end point, so `hi` is allowed)."""
        t = require_aware(name, at).timestamp()
        if not self._lo <= t <= self._hi:
            raise self._outside(name, at)
        i = bisect_right(self._s, t) - 1
        if i < 0:
            return 0.0
        return self._shift[i] + t if t < self._e[i] else self._cum[i + 1]

    def _local_date(self, name: str, d: date | datetime) -> date:
        if isinstance(d, datetime):
            return require_aware(name, d).astimezone(self._tz).date()
        if not isinstance(d, date):
            raise PolicyQueryError(f"{name} must be a date or an aware datetime, got "
                                   f"{type(d).__name__} {describe(d)}", kind="type", argument=name,
                                   expected="date")
        return require_date(name, d)

    def _day_ordinal(self, name: str, d: date | datetime) -> int:
        local = self._local_date(name, d)
        o = local.toordinal()
        if not self._first_ord <= o <= self._last_ord:
            raise self._outside(name, local)
        return o


class _AlwaysOpen(BusinessCalendar):
    """24x7: working time is clock time and every day is a working day; no horizon."""

    __slots__ = ()

    def __init__(self, name: str, zone: str) -> None:  # no intervals to index
        self.name, self.zone, self._tz = name, zone, ZoneInfo(zone)
        self.starts = self.ends = self._s = self._e = self._cum = self._shift = self._days = ()
        self.horizon = None
        self.provisional_from, self._prov_ts, self._prov_year = None, float("inf"), _NEVER

    def add_working_time(self, start: datetime, seconds: int) -> datetime:
        if type(seconds) is not int or not 0 <= seconds <= _MAX_SECONDS:
            _seconds(seconds)
        start = _aware("start", start)
        return self._add(start, seconds, instant(start))

    def _add(self, start: datetime, seconds: float, t: float) -> datetime:
        # Via timestamps: aware + timedelta in one zone is wall-clock, wrong across DST.
        end = _fromtimestamp(t + seconds, self._tz)
        if end.year > MAX_YEAR:
            require_year("the end of the working time", end)
        return end

    def working_seconds_between(self, a: datetime, b: datetime) -> int:
        return round(require_aware("b", b).timestamp() - require_aware("a", a).timestamp())

    def is_open(self, at: datetime) -> bool:
        require_aware("at", at)
        return True

    def _open(self, at: datetime, t: float) -> bool:
        return True

    def next_opening(self, at: datetime) -> datetime:
        return require_aware("at", at).astimezone(self._tz)

    def is_working_day(self, d: date) -> bool:
        self._local_date("d", d)
        return True

    def add_business_days(self, start: date | datetime, n: int) -> date:
        n = require_int("n", n, 0, _MAX_DAYS)
        return require_year("the day", self._local_date("start", start) + timedelta(days=n))


def _working_time(seconds: float) -> str:
    """3600 -> "1 hour", 5400 -> "1 hour 30 minutes": what a contract manager reads."""
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


# -- calendar time (no working hours involved) ----------------------------------------------

def _checked(name: str, value: date | datetime) -> date | datetime:
    if isinstance(value, datetime):
        return require_aware(name, value)
    if not isinstance(value, date):
        raise PolicyQueryError(f"{name} must be a date or an aware datetime, got "
                               f"{type(value).__name__} {describe(value)}", kind="type",
                               argument=name, expected="date")
    return value


def _count(name: str, n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise PolicyQueryError(f"{name} must be an integer, got {describe(n)}", kind="type",
                               argument=name, expected="int")
    return n


def add_days(d_or_dt: date | datetime, n: int) -> date | datetime:
    """`n` calendar days later; an aware datetime keeps its local wall-clock time."""
    return _checked("d_or_dt", d_or_dt) + timedelta(days=_count("n", n))


def add_months(dt: date | datetime, n: int) -> date | datetime:
    """`n` months later, clipped to the month's last day (Jan 31 + 1 month = Feb 28/29).

    A term in months ends on the same-numbered day, or the month's last day if there is no
    such day (Russian Civil Code art. 192).
    """
    _checked("dt", dt)
    months = dt.year * 12 + (dt.month - 1) + _count("n", n)
    year, month = divmod(months, 12)
    leap = month == 1 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    day = min(dt.day, _MONTH_DAYS[month] + leap)
    return dt.replace(year=year, month=month + 1, day=day)


def add_years(dt: date | datetime, n: int) -> date | datetime:
    """`n` years later; Feb 29 becomes Feb 28 in a non-leap year."""
    return add_months(dt, 12 * n)


# -- terms: the one rule for "a term of N units whose first day is D" ------------------------

def term_last_day(first_day: date, amount: int, unit: str) -> date:
    """The last day of a term of `amount` `unit`s whose first day is `first_day`.

    Civil Code art. 190-192: a term in months or years ends on the corresponding day of its last
    month, or on that month's last day if the month has no such day.  Counted from its first day
    D, the term runs up to (not including) D's date N months later; when that month has no such
    date (D is 29-31), up to the 1st of the month after it, so that the term ends on the month's
    last day: 2026-12-01 + 1 year -> 2027-11-30; 2028-02-29 + 1 year -> 2029-02-28;
    2028-03-01 + 1 year -> 2029-02-28; 2027-03-01 + 1 year -> 2028-02-29; 2027-01-31 + 1 month ->
    2027-02-28; 2027-05-01 + 1 month -> 2027-05-31.  Days and weeks: D + N - 1.  Every period,
    renewal, voucher validity, warranty, reinstatement and contract term is counted by this.
    Arguments and the answer are checked (PolicyQueryError, years MIN_YEAR..MAX_YEAR).
    """
    first = require_date("first_day", first_day)
    n = require_int("amount", amount, 0)
    if unit not in _TERM_UNITS:
        raise PolicyQueryError(f"a term cannot be counted in {describe(unit)}; valid: day, week, "
                               "month, year", kind="choice", argument="unit")
    days = n * 7 if unit == "week" else n if unit in ("day", "calendar_day") else None
    months = n * 12 if unit == "year" else n if unit == "month" else None
    if (days is not None and days > _MAX_DAYS) or (months is not None and months > (MAX_YEAR - MIN_YEAR + 1) * 12):
        raise _too_long(first, n, unit)
    return require_year("the term's last day", last_day_of_term(first, n, unit))


_TERM_UNITS = ("day", "calendar_day", "week", "month", "year")


def last_day_of_term(first_day: date, amount: int, unit: str) -> date:
    """term_last_day()'s rule itself, unchecked: for the compiler, whose contract dates have
    diagnostics of their own (an end outside datetime's years comes back as date.max)."""
    try:
        if unit in ("day", "calendar_day", "week"):
            return first_day + timedelta(days=amount * 7 if unit == "week" else amount) - timedelta(days=1)
        months = amount * 12 if unit == "year" else amount
        year, month0 = divmod(first_day.year * 12 + first_day.month - 1 + months, 12)
        leap = month0 == 1 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        if first_day.day <= _MONTH_DAYS[month0] + leap:
            end = date(year, month0 + 1, first_day.day)
        else:  # no such day that month: the term ends on its last day
            end = date(year + (month0 + 1) // 12, (month0 + 1) % 12 + 1, 1)
        return end - timedelta(days=1)
    except (OverflowError, ValueError):
        return date.max


def _too_long(first: date, n: int, unit: str) -> PolicyQueryError:
    return PolicyQueryError(f"a term of {describe(n)} {unit}(s) from {first.isoformat()} ends after "
                            f"{MAX_YEAR}, past the years this evaluator answers for", kind="range",
                            argument="amount", low=MIN_YEAR, high=MAX_YEAR)


def term_end(first_day: date, amount: int, unit: str) -> date:
    """The exclusive end of that term: the day after term_last_day(), the first day of the next."""
    return require_year("the term's end", term_last_day(first_day, amount, unit) + timedelta(days=1))
