"""Business-time arithmetic over working intervals baked into generated code (stdlib only)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from policy_lang.runtime.errors import CalendarHorizonError, PolicyQueryError, require_aware

__all__ = ["BusinessCalendar", "add_days", "add_months", "add_years", "instant"]

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
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class BusinessCalendar:
    """Working time as sorted disjoint UTC intervals [start, end); every query is a bisect.

    Instants are UTC epoch seconds, so daylight saving needs no special case: the compiler
    converted local opening hours to UTC once.  A prefix array of cumulative working seconds
    turns "add N working seconds" into two binary searches.  Outside the compiled horizon the
    calendar refuses (CalendarHorizonError) rather than guess.
    """

    __slots__ = ("name", "zone", "starts", "ends", "horizon", "provisional_from", "_prov_ts",
                 "_tz", "_s", "_e", "_cum", "_shift",
                 "_lo", "_hi", "_days", "_first_ord", "_last_ord")

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
        return _AlwaysOpen(name, zone)

    def __repr__(self) -> str:
        span = f"{self.horizon[0]}..{self.horizon[1]}" if self.horizon else "24x7"
        return f"<BusinessCalendar {self.name} {self.zone} {span} {len(self.starts)} intervals>"

    # -- working time -------------------------------------------------------------------

    def add_working_time(self, start: datetime, seconds: int, t: float | None = None) -> datetime:  # hot path
        """The instant `seconds` of working time after `start`, in the calendar's zone.

        Counting begins at `start`, or at the next opening if `start` is outside hours.  A
        deadline that uses up a window exactly ends at that closing time (Fri 09:00 + 8h on
        08:00-17:00 is Fri 17:00, not Mon 08:00).  seconds=0 returns `start` itself when open,
        otherwise the next opening.  Hence add(add(s, a), b) == add(s, a + b) whenever b > 0.
        `t` is start's timestamp when the caller has already checked `start` and computed it
        (the evaluator's response path), to spare doing both twice.
        """
        if seconds <= 0:
            if seconds == 0:
                return self.next_opening(start)
            raise PolicyQueryError(f"working time to add must be >= 0 seconds, got {seconds}")
        if t is None:
            try:  # the cheap checks; require_aware explains what is wrong
                if start.tzinfo is None:
                    raise AttributeError
                t = instant(start)
            except AttributeError:
                require_aware("start", start)  # raises PolicyQueryError for what got here
                raise
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
        """Whether an instant falls in a year computed without a Government decree."""
        return at is not None and at.timestamp() >= self._prov_ts

    def working_seconds_between(self, a: datetime, b: datetime) -> int:
        """Working seconds in [a, b), rounded to whole seconds; negative when b is before a."""
        return round(self._worked("b", b) - self._worked("a", a))

    def is_open(self, at: datetime) -> bool:
        """Whether `at` falls inside working hours (opening instant included, closing excluded)."""
        t = self._start_instant("at", at)
        i = bisect_right(self._s, t) - 1
        return i >= 0 and t < self._e[i]

    def open_at(self, at: datetime, t: float | None = None) -> bool:  # hot path
        """is_open() for the evaluator's channel hours: `at` is already a checked aware datetime
        and `t` its timestamp, when the caller has it; one bisect, the horizon checked once."""
        if t is None:
            t = at.timestamp()
        if not self._lo <= t < self._hi:
            raise self._outside("at", at)
        i = bisect_right(self._s, t) - 1
        return i >= 0 and t < self._e[i]

    def next_opening(self, at: datetime) -> datetime:
        """`at` itself if open, else the next opening instant, in the calendar's zone."""
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
        if n < 0:
            raise PolicyQueryError(f"business days to add must be >= 0, got {n}")
        o = self._day_ordinal("start", start)
        days = self._days
        k = bisect_left(days, o) if n == 0 else bisect_right(days, o) + n - 1
        if k >= len(days):
            raise CalendarHorizonError(
                f"{n} business days after {start.isoformat()} end after the {self._span()}")
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
            raise PolicyQueryError(f"{name} must be a date or an aware datetime, got {d!r}")
        return d

    def _day_ordinal(self, name: str, d: date | datetime) -> int:
        local = self._local_date(name, d)
        o = local.toordinal()
        if not self._first_ord <= o <= self._last_ord:
            raise self._outside(name, local)
        return o


class _AlwaysOpen(BusinessCalendar):
    """24x7: working time is clock time and every day is a working day; no horizon."""

    __slots__ = ()

    def __init__(self, name: str, zone: str) -> None:  # noqa: D107 - no intervals to index
        self.name, self.zone, self._tz = name, zone, ZoneInfo(zone)
        self.starts = self.ends = self._s = self._e = self._cum = self._shift = self._days = ()
        self.horizon = None
        self.provisional_from, self._prov_ts = None, float("inf")

    def add_working_time(self, start: datetime, seconds: int, t: float | None = None) -> datetime:
        if seconds < 0:
            raise PolicyQueryError(f"working time to add must be >= 0 seconds, got {seconds}")
        if t is None:
            t = require_aware("start", start).timestamp()
        # Via timestamps: aware + timedelta in one zone is wall-clock, wrong across DST.
        return _fromtimestamp(t + seconds, self._tz)

    def working_seconds_between(self, a: datetime, b: datetime) -> int:
        return round(require_aware("b", b).timestamp() - require_aware("a", a).timestamp())

    def is_open(self, at: datetime) -> bool:
        require_aware("at", at)
        return True

    def open_at(self, at: datetime, t: float | None = None) -> bool:
        return True

    def next_opening(self, at: datetime) -> datetime:
        return require_aware("at", at).astimezone(self._tz)

    def is_working_day(self, d: date) -> bool:
        self._local_date("d", d)
        return True

    def add_business_days(self, start: date | datetime, n: int) -> date:
        if n < 0:
            raise PolicyQueryError(f"business days to add must be >= 0, got {n}")
        return self._local_date("start", start) + timedelta(days=n)


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
        raise PolicyQueryError(f"{name} must be a date or an aware datetime, got {value!r}")
    return value


def add_days(d_or_dt: date | datetime, n: int) -> date | datetime:
    """`n` calendar days later; an aware datetime keeps its local wall-clock time."""
    return _checked("d_or_dt", d_or_dt) + timedelta(days=n)


def add_months(dt: date | datetime, n: int) -> date | datetime:
    """`n` months later, clipped to the month's last day (Jan 31 + 1 month = Feb 28/29).

    A term in months ends on the same-numbered day, or the month's last day if there is no
    such day (Russian Civil Code art. 192).
    """
    _checked("dt", dt)
    months = dt.year * 12 + (dt.month - 1) + n
    year, month = divmod(months, 12)
    leap = month == 1 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    day = min(dt.day, _MONTH_DAYS[month] + leap)
    return dt.replace(year=year, month=month + 1, day=day)


def add_years(dt: date | datetime, n: int) -> date | datetime:
    """`n` years later; Feb 29 becomes Feb 28 in a non-leap year."""
    return add_months(dt, 12 * n)
