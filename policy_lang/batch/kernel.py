"""The batch kernel: every target of every ticket, vectorised in numpy, equal to `ticket()`.

A generated evaluator bakes each calendar as sorted disjoint UTC working intervals [start, end)
and the cumulative working seconds before each (runtime/calendar.py); counting working time is
then two binary searches, and `np.searchsorted` does them for millions of instants at once:

* `CalendarArrays.of(cal)`: one calendar's intervals as numpy arrays (a 24x7 calendar: none);
* `add_working`, `working_between`: registration -> due and the working time between two instants;
* `due_of_rules`: the due of every reading `target_deadline()` knows (clock, working time, business
  days, calendar days, next business / calendar day with a cutoff; none for not_regulated and
  as_written) and whether a year without a decree decides it, as `Response.targets` says;
* `replay(module, events)`: the events of many tickets (an Arrow table) replayed as the scalar
  `ticket()` replays one: one row per ticket x applicable target with the fields `ticket()` answers.
  Registration, pauses (status intervals), met / stop events / resolution are replayed as a state
  machine stepped over all tickets at once; what is not (priority changes, escalations, conditions,
  recurring cycles with updates, restarts, targets counted from an event that happened, pauses of a
  term in days) is answered by the scalar `ticket()` for that ticket, counted in the result's
  schema metadata (`fallback_tickets`), never silently. A ticket the scalar `ticket()` refuses
  (an unknown status, an instant outside a calendar's horizon ...) has no rows: it is counted in
  `failed_tickets` with its message in `failures`;
* `attainment(results)`: per period x tier x priority x target with a percentile, the share met.

Times are UTC epoch seconds: int64 for whole seconds, float64 where instants carry microseconds
(as the scalar runtime's own `instant()` floats). Outside a calendar's horizon the answer is -1
(NaN for floats), never a wrong instant.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np

# pyarrow ships no type stubs (and no py.typed): its values are Any here
import pyarrow as pa
import pyarrow.compute as pc

from policy_lang.runtime.calendar import BusinessCalendar, _AlwaysOpen
from policy_lang.runtime.errors import PolicyQueryError
from policy_lang.runtime.evaluator import WORKING_READINGS, TargetRule, target_deadline
from policy_lang.runtime.ticket import EVENT_KINDS, ClockRule, TargetState, TicketEvent

__all__ = ["OUTSIDE", "RESULT_SCHEMA", "CalendarArrays", "add_working", "attainment", "due_of_rules", "replay",
           "working_between"]

#: working_between() outside a calendar's horizon (a negative count is an answer: b before a).
OUTSIDE = np.iinfo(np.int64).min

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORD = date(1970, 1, 1).toordinal()
_US = timedelta(microseconds=1)
_DAY = 86_400

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


class CalendarArrays(NamedTuple):
    """One BusinessCalendar's working time as arrays of UTC epoch seconds."""

    name: str
    always: bool  # 24x7: working time is clock time, no intervals, no horizon
    starts: IntArray
    ends: IntArray
    cum: IntArray  # cum[i] = working seconds before starts[i]; cum[-1] = all of them
    first: int  # the horizon [first, last) (epoch s): outside it -> -1, never a wrong answer
    last: int
    provisional_from: int | None  # epoch s of the first instant of the first year without a decree
    zone: str = "UTC"
    days: IntArray = np.zeros(0, np.int64)  # the working days (local date ordinals), sorted

    @classmethod
    def of(cls, cal: BusinessCalendar) -> CalendarArrays:
        hit = _ARRAYS.get(id(cal))
        if hit is not None and hit[0] is cal:
            return hit[1]
        if isinstance(cal, _AlwaysOpen):
            out = cls(cal.name, True, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(1, np.int64),
                      -(1 << 62), 1 << 62, None, cal.zone)
        else:
            starts = np.asarray(cal.starts, dtype=np.int64)
            ends = np.asarray(cal.ends, dtype=np.int64)
            cum = np.concatenate(([0], np.cumsum(ends - starts))).astype(np.int64)
            prov = cal._prov_ts
            out = cls(cal.name, False, starts, ends, cum, int(cal._lo), int(cal._hi),
                      None if prov == float("inf") else int(prov), cal.zone,
                      np.asarray(cal._days, dtype=np.int64))
        _ARRAYS[id(cal)] = (cal, out)
        return out


_ARRAYS: dict[int, tuple[BusinessCalendar, CalendarArrays]] = {}


def _worked(cal: CalendarArrays, t: np.ndarray) -> np.ndarray:
    """Working seconds from the horizon start to each instant (float; NaN outside [first, last])."""
    t = np.asarray(t, dtype=np.float64)
    if cal.always:
        return t.copy()
    i = np.searchsorted(cal.starts, t, side="right") - 1
    ic = np.maximum(i, 0)
    out = np.where(t < cal.ends[ic], cal.cum[ic] - cal.starts[ic] + t, cal.cum[ic + 1]).astype(np.float64)
    out[i < 0] = 0.0
    out[(t < cal.first) | (t > cal.last) | np.isnan(t)] = np.nan
    return np.asarray(out)


def _unworked(cal: CalendarArrays, x: np.ndarray) -> np.ndarray:
    """The instant at which `x` working seconds from the horizon start are used up (a count ends at a
    window's closing when it uses the window up); NaN past the horizon."""
    x = np.asarray(x, dtype=np.float64)
    if cal.always:
        return x.copy()
    cum = cal.cum
    j = np.searchsorted(cum, x, side="left")
    past = (j >= len(cum)) | np.isnan(x)
    jc = np.clip(j, 1, len(cum) - 1)
    out = (x - (cum[jc - 1] - cal.starts[jc - 1])).astype(np.float64)
    out[j == 0] = float(cal.starts[0]) if len(cal.starts) else np.nan
    out[past] = np.nan
    return np.asarray(out)


class _Lookup:
    """np.searchsorted(a, q, side="left" | "right") over a sorted int64 array without a binary search:
    a table of the left count at the start of every bucket of 2**shift seconds, then at most `steps`
    one-element corrections (a bucket no wider than the smallest gap holds one element at most).
    Built once per array; O(1) gathers per query, whatever the order of the queries."""

    _MAX_TABLE = 1 << 22

    def __init__(self, a: IntArray) -> None:
        a = np.asarray(a, dtype=np.int64)
        self.lo = lo = int(a[0]) if len(a) else 0
        span = int(a[-1]) - lo + 1 if len(a) else 1
        gaps = np.diff(a)
        gap = int(gaps[gaps > 0].min()) if (gaps > 0).any() else span
        shift = max(gap.bit_length() - 1, 0)  # 2**shift <= the smallest gap
        while (span >> shift) + 2 > self._MAX_TABLE:
            shift += 1
        self.shift = shift
        nb = (span >> shift) + 1
        self.nb = nb
        self.table = np.searchsorted(a, lo + (np.arange(nb + 1, dtype=np.int64) << shift), side="left").astype(np.int64)
        per = np.bincount((a - lo) >> shift, minlength=nb) if len(a) else np.zeros(1, np.int64)
        self.steps = int(per.max()) if len(per) else 0
        self.pad = np.append(a, np.iinfo(np.int64).max)
        self.a = a

    def __call__(self, q: IntArray, side: str) -> IntArray:
        if self.steps > 4:  # crowded buckets: the binary search is as good
            out: IntArray = np.searchsorted(self.a, q, side=side).astype(np.int64)  # type: ignore[call-overload]
            return out
        b = q - self.lo
        b >>= self.shift
        np.clip(b, 0, self.nb, out=b)
        res: IntArray = self.table[b]
        pad = self.pad
        for _ in range(self.steps):
            res += (pad[res] <= q) if side == "right" else (pad[res] < q)
        return res


class _IntCalendar:
    """A calendar's arrays prepared for whole-second queries: bucket lookups over its window starts
    and its cumulative working seconds, and `off[i] = cum[i] - starts[i]` (working seconds before the
    horizon's start of instant 0 inside window i)."""

    def __init__(self, cal: CalendarArrays) -> None:
        self.cal = cal
        self.starts_at = _Lookup(cal.starts)
        self.cum_at = _Lookup(cal.cum)
        self.off = np.append(cal.cum[:-1] - cal.starts, 0).astype(np.int64)
        self.cum_next = np.append(cal.cum[1:], cal.cum[-1]).astype(np.int64)

    def add(self, t: IntArray, s: IntArray) -> IntArray:
        """add_working() for int64 starts and seconds (> 0 or == 0), -1 past the horizon."""
        cal = self.cal
        n_int = len(cal.starts)
        i = self.starts_at(t, "right")
        i -= 1
        before = i < 0
        np.maximum(i, 0, out=i)
        inside = t < cal.ends[i]
        x = np.where(inside, self.off[i] + t, self.cum_next[i])
        if before.any():
            x[before] = 0
        x += s
        j = self.cum_at(x, "left")  # the window the count ends in: j - 1
        past = j >= len(cal.cum)
        low = j == 0
        np.clip(j, 1, n_int, out=j)
        j -= 1
        out: IntArray = x - self.off[j]
        if low.any():
            out[low] = cal.starts[0]
        zero = s == 0
        if zero.any():  # next_opening(): the start itself when open, else the next opening
            z = np.flatnonzero(zero)
            iz, tz = i[z], t[z]
            nxt = np.where(~before[z] & inside[z], tz, np.where(iz + 1 < n_int, cal.starts[np.minimum(iz + 1, n_int - 1)], -1))
            nxt[before[z]] = cal.starts[0]
            out[z] = nxt
            past[z] = nxt < 0
        bad = past | (t < cal.first) | (t >= cal.last)
        out[bad] = -1
        return out


_INT_CALS: dict[int, tuple[CalendarArrays, _IntCalendar]] = {}


def _int_calendar(cal: CalendarArrays) -> _IntCalendar:
    hit = _INT_CALS.get(id(cal))
    if hit is not None and hit[0] is cal:
        return hit[1]
    out = _IntCalendar(cal)
    _INT_CALS[id(cal)] = (cal, out)
    return out


def add_working(cal: CalendarArrays, start: np.ndarray, seconds: np.ndarray | int) -> np.ndarray:
    """The instant `seconds` (> 0) of working time after each `start`, as
    BusinessCalendar.add_working_time counts it (from the next opening when closed; a count that uses
    a window up ends at its closing). int64 in, int64 out (-1 past the horizon); float64 in (instants
    with microseconds), float64 out (NaN past the horizon). seconds == 0: the next opening."""
    floats = np.asarray(start).dtype.kind == "f" or np.asarray(seconds).dtype.kind == "f"
    if not floats:
        t_i = np.asarray(start, dtype=np.int64)
        s_i = np.broadcast_to(np.asarray(seconds, dtype=np.int64), t_i.shape)
        if cal.always:
            return t_i + s_i
        if not len(cal.starts):
            return np.full(t_i.shape, -1, dtype=np.int64)
        return _int_calendar(cal).add(t_i, s_i)
    t = np.asarray(start, dtype=np.float64)
    s = np.broadcast_to(np.asarray(seconds, dtype=np.float64), t.shape)
    if cal.always:
        out = t + s
    else:
        starts, ends, cum = cal.starts, cal.ends, cal.cum
        i = np.searchsorted(starts, t, side="right") - 1
        ic = np.maximum(i, 0)
        inside = t < ends[ic]
        base = np.where(inside, cum[ic] - starts[ic] + t, cum[ic + 1])
        base = np.where(i < 0, 0.0, base)
        out = _unworked(cal, base + s)
        zero = s == 0
        if zero.any():  # next_opening(): start itself when open, else the next opening
            j = np.minimum(i + 1, len(starts) - 1)
            nxt = np.where((i >= 0) & inside, t, np.where(i + 1 < len(starts), starts[j], np.nan))
            out = np.where(zero, nxt, out)
        out[(t < cal.first) | (t >= cal.last) | np.isnan(t)] = np.nan
    if np.asarray(start).dtype.kind == "f":
        return out
    bad = np.isnan(out)
    res = np.where(bad, -1, out).astype(np.int64)
    return res


def working_between(cal: CalendarArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Working seconds in [a, b) (negative when b is before a), rounded to whole seconds as
    BusinessCalendar.working_seconds_between rounds; OUTSIDE where a or b is outside the horizon."""
    d = _worked(cal, np.asarray(b)) - _worked(cal, np.asarray(a))
    bad = np.isnan(d)
    return np.where(bad, OUTSIDE, np.rint(np.where(bad, 0, d))).astype(np.int64)


# -- local dates: a zone's UTC offsets as a transition table ------------------------------------

class _Zone:
    """A zone's UTC offset at any instant of 1900..2200, vectorised: transitions found by scanning
    days and bisecting to the second (what zoneinfo answers, so astimezone() agrees)."""

    def __init__(self, zone: str) -> None:
        self.tz = tz = ZoneInfo(zone)
        lo = int(datetime(1900, 1, 2, tzinfo=UTC).timestamp())
        hi = int(datetime(2200, 12, 30, tzinfo=UTC).timestamp())
        self.lo, self.hi = lo, hi

        def off(t: int) -> int:
            o = datetime.fromtimestamp(t, tz).utcoffset()
            return int(o.total_seconds()) if o is not None else 0

        trans, offs = [lo], [off(lo)]
        step = 6 * 3600
        t, cur = lo, offs[0]
        while t < hi:
            n = min(t + step, hi)
            o = off(n)
            if o != cur:
                a, b = t, n  # off(a) == cur, off(b) != cur: bisect to the first second of the new offset
                while b - a > 1:
                    mid = (a + b) // 2
                    if off(mid) == cur:
                        a = mid
                    else:
                        b = mid
                trans.append(b)
                offs.append(off(b))
                cur = offs[-1]
            t = n
        self.trans = np.asarray(trans, dtype=np.float64)
        self.offs = np.asarray(offs, dtype=np.float64)
        # the wall times at which each offset begins for a wall time read with fold=0 (zoneinfo, PEP 495:
        # a wall time in a gap or a repeated hour takes the offset before the change)
        wall0 = self.trans + np.maximum(self.offs, np.concatenate(([self.offs[0]], self.offs[:-1])))
        wall0[0] = -np.inf
        self.wall0 = wall0

    def local(self, t: np.ndarray) -> np.ndarray:
        """Local seconds since 1970-01-01 00:00 local for each UTC instant (float)."""
        k = np.searchsorted(self.trans, t, side="right") - 1
        return t + self.offs[np.maximum(k, 0)]

    def utc_of_wall(self, wall: np.ndarray) -> np.ndarray:
        """The UTC instant of each local wall time (seconds since 1970-01-01 00:00 local), as
        datetime(..., tzinfo=ZoneInfo(zone)).timestamp() reads it (fold=0)."""
        k = np.searchsorted(self.wall0, wall, side="right") - 1
        out: np.ndarray = wall - self.offs[np.maximum(k, 0)]
        return out

    def ordinal(self, t: np.ndarray) -> np.ndarray:
        """The local date's proleptic ordinal of each instant."""
        out: np.ndarray = np.floor(self.local(t) / _DAY).astype(np.int64) + _EPOCH_ORD
        return out


_ZONES: dict[str, _Zone] = {}


def _zone(name: str) -> _Zone:
    z = _ZONES.get(name)
    if z is None:
        z = _ZONES[name] = _Zone(name)
    return z


def _zone_of(rule: TargetRule) -> str:
    return rule.calendar.zone if rule.calendar is not None else "UTC"


# -- deadlines of every reading -------------------------------------------------------------------

_TIMED = ("clock", "working_time")
_NONE = ("not_regulated", "as_written")


def _provisional_of(cal: BusinessCalendar | None, reading: str, due: np.ndarray) -> np.ndarray:
    """Response.targets' rule: a working reading on a calendar with days without a decree is
    provisional when its due's local date (a due at a closed local midnight: the day before) is one
    of them."""
    out = np.zeros(len(due), dtype=bool)
    if cal is None or reading not in WORKING_READINGS or cal.provisional_from is None:
        return out
    ca = CalendarArrays.of(cal)
    p = ca.provisional_from
    assert p is not None
    open_at_p = bool(cal._open_instant(float(p)))
    ok = ~np.isnan(due)
    out[ok] = (due[ok] > p) | ((due[ok] == p) & open_at_p)
    return out


def _due_days(rule: TargetRule, t: FloatArray) -> FloatArray:
    """The due of a term in days for each start: it depends only on the start's local date (and, with a
    cutoff, on whether the start is after it), so target_deadline() is asked once per distinct day."""
    zone = _zone(_zone_of(rule))
    local = zone.local(t)
    o = np.floor(local / _DAY).astype(np.int64)
    late = np.zeros(len(t), dtype=np.int64)
    if rule.cutoff is not None:
        late = (np.floor(local).astype(np.int64) - o * _DAY > rule.cutoff * 60).astype(np.int64)
    key = o * 2 + late
    out = np.full(len(t), np.nan)
    if not len(t):
        return out
    lo, hi = int(key.min()), int(key.max())
    if hi - lo > 4_000_000:
        raise ValueError("starts span more than 5000 years")
    table = np.full(hi - lo + 1, np.nan)
    present = np.zeros(hi - lo + 1, dtype=bool)
    present[key - lo] = True
    tz = zone.tz
    for k in np.flatnonzero(present):
        kk = int(k) + lo
        day, is_late = divmod(kk, 2)
        # a representative start of that local date, after (or not after) the cutoff
        d = date.fromordinal(day + _EPOCH_ORD)
        sec = 86_399 if is_late else 0
        if rule.cutoff is not None and not is_late:
            sec = min(rule.cutoff * 60, 86_399)
        wall = datetime(d.year, d.month, d.day, sec // 3600, sec // 60 % 60, sec % 60, tzinfo=tz)
        rep = wall.astimezone(UTC)  # (a wall time in a gap lands on another hour of the same day)
        if rep.astimezone(tz).date() != d:
            rep = datetime(d.year, d.month, d.day, 12, tzinfo=tz).astimezone(UTC)
        try:
            table[k] = target_deadline(rule.reading, rule.seconds, rule.amount, rule.unit, rule.cutoff,
                                       rule.calendar, rep).timestamp()
        except (PolicyQueryError, OverflowError, ValueError):
            table[k] = np.nan
    out = table[key - lo]
    if rule.cutoff is not None:  # the representative must agree on lateness (gaps at the cutoff: ask)
        pass
    return np.asarray(out)


def _due_float(rule: TargetRule, t: FloatArray) -> FloatArray:
    """The due (float epoch s; NaN: none, or outside a horizon) of one rule from each start."""
    reading = rule.reading
    if reading in _NONE:
        return np.full(len(t), np.nan)
    if reading == "clock":
        return t + float(rule.seconds or 0)
    if reading == "working_time":
        assert rule.calendar is not None and rule.seconds is not None
        return add_working(CalendarArrays.of(rule.calendar), t, rule.seconds)
    if reading in ("business_days", "calendar_days", "next_business_day", "next_calendar_day"):
        return _due_days(rule, t)
    raise PolicyQueryError(f"a term read as {reading!r} has no deadline")


def due_of_rules(module: Any, rules: Sequence[TargetRule], start: np.ndarray,
                 rule_index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(due, provisional) of rules[rule_index[k]] counted from start[k], for every reading the scalar
    target_deadline() knows. int64 starts give int64 dues (-1: none: not regulated, a term in words,
    or past a calendar's horizon); float64 starts give float64 dues (NaN for none). `module` is the
    generated module the rules come from (kept for the API: its calendars are the rules' own)."""
    floats = np.asarray(start).dtype.kind == "f"
    idx = np.asarray(rule_index, dtype=np.int64)
    if len(idx) and (idx.min() < 0 or idx.max() >= len(rules)):
        raise ValueError(f"rule_index must be 0..{len(rules) - 1}")
    if not floats:
        return _due_of_rules_int(rules, np.asarray(start, dtype=np.int64), idx)
    t = np.asarray(start, dtype=np.float64)
    due = np.full(len(t), np.nan)
    prov = np.zeros(len(t), dtype=bool)
    order = np.argsort(idx, kind="stable")
    bounds = np.searchsorted(idx[order], np.arange(len(rules) + 1))
    for r, rule in enumerate(rules):
        sel = order[bounds[r]:bounds[r + 1]]
        if not len(sel):
            continue
        d = _due_float(rule, t[sel])
        due[sel] = d
        prov[sel] = _provisional_of(rule.calendar, rule.reading, d)
    return due, prov


def _due_of_rules_int(rules: Sequence[TargetRule], t: IntArray, idx: IntArray) -> tuple[IntArray, BoolArray]:
    """due_of_rules() for whole-second starts: the rules grouped by what their due depends on (working
    time on one calendar with per-rule seconds; clock seconds; each other rule alone), each group
    computed in one pass of int64 table lookups, no sort of the starts."""
    keys: dict[tuple[Any, ...], int] = {}
    group_of = np.zeros(len(rules), dtype=np.int64)
    secs = np.zeros(len(rules), dtype=np.int64)
    for r, rule in enumerate(rules):
        if rule.reading == "working_time" and rule.calendar is not None and rule.seconds is not None:
            key: tuple[Any, ...] = ("w", id(rule.calendar))
        elif rule.reading == "clock" and rule.seconds is not None:
            key = ("c",)
        elif rule.reading in _NONE:
            key = ("none",)
        else:
            key = ("rule", r)
        group_of[r] = keys.setdefault(key, len(keys))
        secs[r] = int(rule.seconds or 0)
    first_rule = {g: r for r, g in reversed(list(enumerate(group_of.tolist())))}
    n = len(t)
    if len(keys) == 1:
        parts: list[tuple[int, IntArray | None]] = [(0, None)]
    else:
        g_of = group_of[idx]
        present = np.flatnonzero(np.bincount(g_of, minlength=len(keys)))
        parts = [(int(g), np.flatnonzero(g_of == g)) for g in present]
    due = np.full(n, -1, dtype=np.int64)
    prov = np.zeros(n, dtype=bool)
    for g, sel in parts:
        rule = rules[first_rule[g]]
        tt = t if sel is None else t[sel]
        ii = idx if sel is None else idx[sel]
        if rule.reading in _NONE:
            continue
        if rule.reading == "working_time" and rule.calendar is not None and rule.seconds is not None:
            ca = CalendarArrays.of(rule.calendar)
            d = add_working(ca, tt, secs[ii])
        elif rule.reading == "clock" and rule.seconds is not None:
            d = tt + secs[ii]
        else:
            f = _due_float(rule, tt.astype(np.float64))
            d = np.where(np.isnan(f), -1, f).astype(np.int64)
        p = _provisional_int(rule.calendar, rule.reading, d)
        if sel is None:
            due, prov = d, p
        else:
            due[sel] = d
            prov[sel] = p
    return due, prov


def _provisional_int(cal: BusinessCalendar | None, reading: str, due: IntArray) -> BoolArray:
    """_provisional_of() for int64 dues (-1: none)."""
    if cal is None or reading not in WORKING_READINGS:
        return np.zeros(len(due), dtype=bool)
    ca = CalendarArrays.of(cal)
    p = ca.provisional_from
    if p is None:
        return np.zeros(len(due), dtype=bool)
    out: BoolArray = due >= p if cal._open_instant(float(p)) else due > p
    if p <= -1:
        out &= due != -1
    return out


# -- replay ---------------------------------------------------------------------------------------

RESULT_SCHEMA = pa.schema([
    ("ticket", pa.string()), ("tier", pa.string()), ("channel", pa.string()), ("priority", pa.string()),
    ("target", pa.string()), ("state", pa.string()),
    ("due", pa.timestamp("us", tz="UTC")), ("met_at", pa.timestamp("us", tz="UTC")),
    ("breached_at", pa.timestamp("us", tz="UTC")), ("breach_seconds", pa.int64()),
    ("elapsed", pa.int64()), ("remaining", pa.int64()), ("provisional", pa.bool_()),
    ("cycles", pa.int32()), ("breaches", pa.int32()), ("strength", pa.string()), ("clause", pa.string()),
    ("percentile", pa.float64()), ("percentile_window", pa.string()),
    ("registered_at", pa.timestamp("us", tz="UTC")),
])

_K = {k: i for i, k in enumerate(EVENT_KINDS)}
_REG, _PRIO, _STATUS, _EVENT, _UPDATE, _ESC, _COND, _MET, _RESOLVED = (_K[k] for k in EVENT_KINDS)
_NOOP, _PAUSE, _RESUME, _STOP = 0, 1, 2, 3


def _us_of(dt: datetime | None) -> int | None:
    return None if dt is None else (dt - _EPOCH) // _US


def _dt_of(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=int(us))


def _to_us(x: np.ndarray) -> np.ndarray:
    """Float epoch seconds -> int64 microseconds as datetime.fromtimestamp rounds (half even)."""
    x = np.where(np.isnan(x), 0.0, x)
    whole = np.trunc(x)
    return np.asarray(whole.astype(np.int64) * 1_000_000 + np.rint((x - whole) * 1e6).astype(np.int64))


class _Plan(NamedTuple):
    """One target of one decision, as the kernel replays it."""

    rule: TargetRule
    clock: ClockRule
    kind: int  # 0 timed, 1 days, 2 not computed (not_regulated / as_written), 3 counted from an event
    cal: int  # index into the calendar list (own time: working seconds); -1: clock seconds
    limit: float


def _percentiles(module: Any, zones: dict[str, str]) -> dict[tuple[Any, ...], tuple[float, str] | None]:
    """(id, title, reading, clause, text, strength) -> the percentile of a module's target cells;
    `zones` filled with target -> the zone of its calendar (attainment periods are read in it)."""
    out: dict[tuple[Any, ...], tuple[float, str] | None] = {}

    def add(t: TargetRule) -> None:
        key = (t.id, t.title, t.reading, t.clause, t.text, t.strength)
        out.setdefault(key, (float(t.percentile[0]), t.percentile[1]) if t.percentile else None)
        if t.calendar is not None:
            zones.setdefault(t.id, t.calendar.zone)

    for table in (getattr(module, "_DECISIONS", {}), getattr(module, "_WHILE", {})):
        for d in table.values():
            for t in d.targets:
                add(t)
            if d.closed is not None:
                for t in d.closed.targets:
                    add(t)
    for t in getattr(module, "_TARGET_CELLS", {}).values():
        add(t)
    return out


class _Events(NamedTuple):
    ticket: list[str]  # ticket id per ticket (first appearance order)
    first: IntArray  # per ticket: its first event row (sorted order)
    n: IntArray  # per ticket: its events
    tier: list[str | None]
    us: IntArray  # per sorted event
    kind: IntArray  # per sorted event, -1 unknown
    kind_text: list[Any]
    value: list[str | None]
    priority: list[str | None]
    request: list[str | None]


def _column(events: pa.Table, name: str) -> list[Any]:
    if name not in events.column_names:
        return [None] * events.num_rows
    col = events.column(name)
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        col = pc.cast(col, pa.string())
    out: list[Any] = col.to_pylist()
    return [None if v is None or not v.strip() else v.strip() for v in out]


def _read_events(events: pa.Table, default_tier: str | None) -> _Events:
    for name in ("ticket", "at", "kind"):
        if name not in events.column_names:
            raise PolicyQueryError(f"events need a column {name!r} (columns: ticket, at, kind, value, priority, "
                                   f"request, tier; got {', '.join(events.column_names)})", kind="missing",
                                   argument="events")
    at = events.column("at")
    if not pa.types.is_timestamp(at.type) or at.type.tz is None:
        raise PolicyQueryError(f"events' `at` must be an aware timestamp (timestamp[us, tz=UTC]), got {at.type}",
                               kind="type", argument="events")
    if at.null_count:
        raise PolicyQueryError("events' `at` has nulls", kind="missing", argument="events")
    us = pc.cast(pc.cast(at, pa.timestamp("us", tz="UTC")), pa.int64()).to_numpy(zero_copy_only=False)
    tickets = pc.cast(events.column("ticket"), pa.string())
    if tickets.null_count:
        raise PolicyQueryError("events' `ticket` has nulls", kind="missing", argument="events")
    enc = pc.dictionary_encode(tickets).combine_chunks()
    codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    names: list[str] = enc.dictionary.to_pylist()
    order = np.lexsort((np.arange(len(us)), us, codes))
    sc = codes[order]
    n = len(names)
    first = np.searchsorted(sc, np.arange(n))
    count = np.diff(np.append(first, len(sc)))
    kinds_raw = _column(events, "kind")
    kind = np.array([_K.get(k, -1) if k is not None else -1 for k in kinds_raw], dtype=np.int64)
    ol = order.tolist()
    tiers_raw = _column(events, "tier")

    def pick(col: list[Any]) -> list[Any]:
        return [col[i] for i in ol]

    value, prio, req = pick(_column(events, "value")), pick(_column(events, "priority")), pick(_column(events, "request"))
    tier_sorted = pick(tiers_raw)
    tier = [tier_sorted[f] if tier_sorted[f] is not None else default_tier for f in first.tolist()]
    return _Events(names, first.astype(np.int64), count.astype(np.int64), tier, us[order].astype(np.int64),
                   kind[order], pick(kinds_raw), value, prio, req)


def _scalar(module: Any, ev: _Events, k: int, at_us: int) -> tuple[str | None, list[TargetState]] | str:
    """The scalar ticket() of ticket k: its final priority and target states, or the message it
    refused the ticket with."""
    f, n = int(ev.first[k]), int(ev.n[k])
    tier = ev.tier[k]
    if tier is None:
        return "no tier: the registration row has none and no tier= was given"
    evs = [TicketEvent(_dt_of(int(ev.us[i])), ev.kind_text[i], ev.value[i], ev.priority[i], ev.request[i])
           for i in range(f, f + n)]
    try:
        answer = module.ticket(tier=tier, events=evs, at=_dt_of(at_us))
    except (PolicyQueryError, ValueError, OverflowError) as e:
        return str(e)
    return answer.priority, list(answer.targets)


def replay(module: Any, events: pa.Table, *, at: int | datetime | None = None, tier: str | None = None) -> pa.Table:
    """Replay the events of many tickets over a loaded generated module (see the module docstring).

    `events`: columns ticket, at (timestamp, tz), kind, value, priority, request (strings, null: none)
    and optionally tier (on the registration row; null: `tier`). `at`: the instant every ticket is
    answered at (epoch seconds or an aware datetime); None: the last event of the log. Returns one row
    per ticket x applicable target (RESULT_SCHEMA); the schema metadata says how many tickets were
    replayed by the kernel and by the scalar ticket() (`fallback_tickets`), and which were refused.
    """
    ev = _read_events(events, tier)
    if at is None:
        at_us = int(ev.us.max()) if len(ev.us) else 0
    elif isinstance(at, datetime):
        if at.tzinfo is None or at.utcoffset() is None:
            raise PolicyQueryError(f"at must be an aware datetime, got {at.isoformat()}", kind="naive", argument="at")
        at_us = (at - _EPOCH) // _US
    elif isinstance(at, (int, np.integer)) and not isinstance(at, bool):
        at_us = int(at) * 1_000_000
    else:
        raise PolicyQueryError(f"at must be epoch seconds or an aware datetime, got {type(at).__name__}",
                               kind="type", argument="at")
    fast = _Fast(module, ev, at_us)
    kernel_rows = fast.run()
    zones: dict[str, str] = {}
    pct = _percentiles(module, zones)
    out: dict[str, list[Any]] = {f.name: [] for f in RESULT_SCHEMA}
    out["_k"], out["_p"] = [], []
    failures: list[tuple[str, str]] = []
    for k in fast.fallback:
        answer = _scalar(module, ev, k, at_us)
        if isinstance(answer, str):
            failures.append((ev.ticket[k], answer))
            continue
        final_priority, states = answer
        f = int(ev.first[k])
        reg_us = int(ev.us[f])
        for pos, s in enumerate(states):
            p = pct.get((s.id, s.title, s.reading, s.clause, s.text, s.strength))
            _row(out, ev.ticket[k], ev.tier[k], ev.value[f], final_priority, s.id, s.state, _us_of(s.due),
                 _us_of(s.met_at), _us_of(s.breached_at), at_us, s.elapsed, s.remaining, s.provisional, s.cycles,
                 s.breaches, s.strength, s.clause, p, reg_us)
            out["_k"].append(k)
            out["_p"].append(pos)
    schema = RESULT_SCHEMA.append(pa.field("_k", pa.int64())).append(pa.field("_p", pa.int64()))
    scalar_rows = pa.table(out, schema=schema)
    both = pa.concat_tables([kernel_rows.cast(schema), scalar_rows])
    both = both.take(pc.sort_indices(both, sort_keys=[("_k", "ascending"), ("_p", "ascending")]))
    arrays = [both.column(f.name) for f in RESULT_SCHEMA]
    meta = {"tickets": str(len(ev.ticket)), "kernel_tickets": str(len(ev.ticket) - len(fast.fallback)),
            "fallback_tickets": str(len(fast.fallback) - len(failures)), "failed_tickets": str(len(failures)),
            "failures": json.dumps(failures[:1000], ensure_ascii=False), "at": _dt_of(at_us).isoformat(),
            "program": str(getattr(getattr(module, "PROGRAM", None), "id", "")),
            "target_zones": json.dumps(zones, sort_keys=True)}
    return pa.Table.from_arrays(arrays, schema=RESULT_SCHEMA.with_metadata(meta))


def _row(out: dict[str, list[Any]], ticket: str, tier: str | None, channel: str | None, priority: str | None,
         target: str, state: str, due: int | None, met: int | None, breached: int | None, at_us: int,
         elapsed: int | None, remaining: int | None, provisional: bool, cycles: int, breaches: int,
         strength: str, clause: str | None, pct: tuple[float, str] | None, reg_us: int) -> None:
    out["ticket"].append(ticket)
    out["tier"].append(tier)
    out["channel"].append(channel)
    out["priority"].append(priority)
    out["target"].append(target)
    out["state"].append(state)
    out["due"].append(due)
    out["met_at"].append(met)
    out["breached_at"].append(breached)
    out["breach_seconds"].append(_breach_seconds(state, met, breached, at_us))
    out["elapsed"].append(elapsed)
    out["remaining"].append(remaining)
    out["provisional"].append(bool(provisional))
    out["cycles"].append(int(cycles))
    out["breaches"].append(int(breaches))
    out["strength"].append(strength)
    out["clause"].append(clause)
    out["percentile"].append(pct[0] if pct else None)
    out["percentile_window"].append(pct[1] if pct else None)
    out["registered_at"].append(reg_us)


def _breach_seconds(state: str, met: int | None, breached: int | None, at_us: int) -> int | None:
    """How late (met after the breach) or how long overdue at `at`, whole seconds; None unless breached."""
    if state != "breached" or breached is None:
        return None
    end = met if met is not None else at_us
    return max(end - breached, 0) // 1_000_000


class _Group(NamedTuple):
    """A decision's plans and, per (kind, value code), what its events do (see _Fast)."""

    decision: Any
    plans: list[int]  # global plan ids, in the decision's target order
    bad: BoolArray  # [kind, value code + 1]: an event at or before `at` the kernel does not replay


class _Fast:
    """The vectorised replay: which tickets it answers (the rest: `fallback`), and their rows.

    Every (ticket, target) is a row of a state machine that mirrors runtime.ticket._Clock: the
    events of all tickets become per-row actions (pause, resume, stop), applied step by step, step k
    being each row's k-th action, all rows at once."""

    def __init__(self, module: Any, ev: _Events, at_us: int) -> None:
        self.m, self.ev, self.at_us = module, ev, at_us
        self.fallback: list[int] = []
        vocab: dict[str, int] = {}
        self.vcode = np.array([-1 if v is None else vocab.setdefault(v, len(vocab)) for v in ev.value], dtype=np.int64)
        self.vocab = list(vocab)
        self.plans: list[_Plan] = []
        self.groups: dict[int, _Group] = {}
        self.cals: list[CalendarArrays] = []
        self.cal_ids: dict[int, int] = {}
        # an event after `at` (or on a refused ticket): only checked, as ticket() checks it
        nv = len(self.vocab) + 1
        later = np.zeros((len(EVENT_KINDS), nv), dtype=bool)
        statuses, declared = getattr(module, "STATUSES", {}), getattr(module, "EVENTS", {})
        channels, conditions = getattr(module, "CHANNELS", {}), getattr(module, "CONDITIONS", {})
        for c, v in enumerate([None, *self.vocab]):
            later[_STATUS, c] = v is not None and v not in statuses
            later[_EVENT, c] = v not in declared
            later[_ESC, c] = v not in channels
            later[_COND, c] = v not in conditions
            later[_PRIO, c] = v is None
            later[_REG, c] = True  # a second registration
        self.later = later

    def _cal(self, cal: BusinessCalendar | None) -> int:
        if cal is None or isinstance(cal, _AlwaysOpen):
            return -1
        k = self.cal_ids.get(id(cal))
        if k is None:
            k = self.cal_ids[id(cal)] = len(self.cals)
            self.cals.append(CalendarArrays.of(cal))
        return k

    def _group(self, decision: Any) -> _Group:
        g = self.groups.get(id(decision))
        if g is not None:
            return g
        clocks = getattr(self.m, "CLOCKS", {})
        statuses = getattr(self.m, "STATUSES", {})
        nv = len(self.vocab) + 1
        values = [None, *self.vocab]
        bad = self.later.copy()
        bad[_REG, :] = True
        ids: list[int] = []
        if decision.accepted:
            bad[_PRIO, :] = bad[_ESC, :] = bad[_COND, :] = True  # re-decided: the scalar path
            for t in decision.targets:
                rule = clocks.get(t.id, ClockRule())
                if t.reading in _NONE:
                    kind = 2
                elif t.counted_from is not None:
                    kind = 3
                elif t.reading in _TIMED and t.seconds is not None:
                    kind = 0
                else:
                    kind = 1
                cal = self._cal(t.calendar) if kind == 0 and t.reading == "working_time" else -1
                ids.append(len(self.plans))
                self.plans.append(_Plan(t, rule, kind, cal, float(t.seconds or 0)))
                if kind == 2:
                    continue
                for c, v in enumerate(values):
                    if v is None:
                        continue
                    if v in rule.restarts or (rule.every and v in rule.cycle) or v == t.counted_from:
                        bad[_EVENT, c] = True
                if rule.every and ("update" in rule.cycle or not rule.cycle):
                    bad[_UPDATE, :] = True
            running = {self.plans[i].rule.id for i in ids if self.plans[i].kind in (0, 1)}
            for c, v in enumerate(values):
                bad[_MET, c] = v not in running
        del statuses, nv
        g = self.groups[id(decision)] = _Group(decision, ids, bad)
        return g

    def _move_days(self, plan: np.ndarray, due: FloatArray, a: FloatArray, b: FloatArray,
                   start: FloatArray) -> tuple[FloatArray, BoolArray]:
        """runtime.ticket._move_days for many rows: a term in days paused from instant a to b moves its
        due by the days from a's local day (not before the day after the term's start) up to b's day,
        working days of its calendar for a term in working days, keeping the due's wall time.
        Returns (due, lost): lost where the scalar path refuses (a day outside the calendar's horizon)."""
        out = due.copy()
        lost = np.zeros(len(due), dtype=bool)
        for pid in np.unique(plan).tolist():
            sel = np.flatnonzero(plan == pid)
            rule = self.plans[pid].rule
            zone = _zone(_zone_of(rule))
            d, aa, bb = due[sel], a[sel], b[sel]
            first = np.maximum(np.floor(zone.local(aa) / _DAY), np.floor(zone.local(start[sel]) / _DAY) + 1)
            last = np.floor(zone.local(bb) / _DAY)
            mv = (aa < d) & (last > first)
            if not mv.any():
                continue
            sel, d, first, last = sel[mv], d[mv], first[mv], last[mv]
            ldue = np.floor(zone.local(d))
            dday = np.floor(ldue / _DAY)
            sod = ldue - dday * _DAY
            cal = rule.calendar
            gone = np.zeros(len(sel), dtype=bool)
            if rule.reading in ("business_days", "next_business_day") and cal is not None and not isinstance(
                    cal, _AlwaysOpen):
                days = np.asarray(cal._days, dtype=np.float64) - _EPOCH_ORD
                lo, hi = cal._first_ord - _EPOCH_ORD, cal._last_ord - _EPOCH_ORD
                gone |= (first < lo) | (last - 1 > hi)  # is_working_day() of a day outside the horizon
                n = np.searchsorted(days, last, side="left") - np.searchsorted(days, first, side="left")
                keep = n == 0
                gone |= ~keep & ((dday < lo) | (dday > hi))  # add_business_days() from outside it
                k = np.searchsorted(days, dday, side="right") + n - 1
                gone |= ~keep & (k >= len(days))
                newday = np.where(keep | gone, dday, days[np.clip(k, 0, max(len(days) - 1, 0))] if len(days) else dday)
                moved = np.where(keep, d, zone.utc_of_wall(newday * _DAY + sod))
            else:
                newday = dday + (last - first)
                moved = zone.utc_of_wall(newday * _DAY + sod)
                gone |= newday + _EPOCH_ORD > date(2200, 12, 31).toordinal()
            out[sel] = moved
            lost[sel] = gone
        return out, lost

    def _w(self, cal: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Own time of each row at instants t: working seconds on its calendar, or t itself."""
        out = np.array(t, dtype=np.float64)
        for k in np.unique(cal):
            if k >= 0:
                sel = cal == k
                out[sel] = _worked(self.cals[int(k)], t[sel])
        return out

    def _unw(self, cal: np.ndarray, x: np.ndarray) -> np.ndarray:
        out = np.array(x, dtype=np.float64)
        for k in np.unique(cal):
            if k >= 0:
                sel = cal == k
                out[sel] = _unworked(self.cals[int(k)], x[sel])
        return out

    def run(self) -> pa.Table:
        m, ev, at_us = self.m, self.ev, self.at_us
        n = len(ev.ticket)
        at_ts = at_us / 1e6
        decisions = getattr(m, "_DECISIONS", {})
        tk_group: list[_Group | None] = [None] * n
        fb = np.zeros(n, dtype=bool)
        first = ev.first
        for k in range(n):
            f = int(first[k])
            if ev.kind[f] != _REG or ev.tier[k] is None or ev.value[f] is None:
                fb[k] = True
                continue
            d = decisions.get((ev.tier[k], ev.value[f], ev.priority[f], ev.request[f]))
            if d is None:
                fb[k] = True
                continue
            if d.hours is not None:
                t = ev.us[f] / 1e6
                h = d.hours
                if not h._lo <= t < h._hi:
                    fb[k] = True
                    continue
                if not h._open_instant(t):
                    d = d.closed
            tk_group[k] = self._group(d)
        # every event of a ticket: one the kernel does not replay sends the ticket to the scalar path
        tix = np.repeat(np.arange(n), ev.n)
        kind = ev.kind
        unknown = kind < 0
        fb[tix[unknown]] = True
        gid_of: dict[int, int] = {}
        bads: list[BoolArray] = []
        tg = np.full(n, -1, dtype=np.int64)
        for k in range(n):
            g = tk_group[k]
            if g is not None and not fb[k]:
                tg[k] = gid_of.setdefault(id(g), len(gid_of))
                if tg[k] == len(bads):
                    bads.append(g.bad)
        ok_ev = ~fb[tix]
        is_reg = np.zeros(len(kind), dtype=bool)
        is_reg[first] = True
        le = ev.us <= at_us
        kk = np.maximum(kind, 0)
        vc = self.vcode + 1
        if bads:
            table = np.stack(bads)
            sel = ok_ev & ~is_reg
            now = sel & le
            hit = np.zeros(len(kind), dtype=bool)
            hit[now] = table[tg[tix[now]], kk[now], vc[now]]
            later = sel & ~le
            hit[later] = self.later[kk[later], vc[later]]
            fb[tix[hit]] = True
        # rows: (ticket, plan) of the tickets the kernel answers
        tk_rows: list[int] = []
        plan_rows: list[int] = []
        pos_rows: list[int] = []
        for k in np.flatnonzero(~fb).tolist():
            g = tk_group[k]
            assert g is not None
            for pos, pid in enumerate(g.plans):
                tk_rows.append(k)
                plan_rows.append(pid)
                pos_rows.append(pos)
        tk = np.asarray(tk_rows, dtype=np.int64)
        pl = np.asarray(plan_rows, dtype=np.int64)
        nr = len(tk)
        plans = self.plans
        pkind = np.asarray([p.kind for p in plans] or [0], dtype=np.int64)[pl] if nr else np.zeros(0, np.int64)
        pcal = np.asarray([p.cal for p in plans] or [0], dtype=np.int64)[pl] if nr else np.zeros(0, np.int64)
        limit = np.asarray([p.limit for p in plans] or [0.0])[pl] if nr else np.zeros(0)
        strict = np.asarray([bool(p.rule.strict) for p in plans] or [False])[pl] if nr else np.zeros(0, bool)
        start = ev.us[first[tk]] / 1e6 if nr else np.zeros(0)
        timed = pkind == 0
        days = pkind == 1
        live = timed | days
        bad = np.zeros(nr, dtype=bool)
        nan = np.full(nr, np.nan)
        seg, due, used = nan.copy(), nan.copy(), np.zeros(nr)
        seg[timed] = self._w(pcal[timed], start[timed])
        due[timed] = self._unw(pcal[timed], seg[timed] + limit[timed])
        if days.any():
            pidx = pl[days]
            uniq, inv = np.unique(pidx, return_inverse=True)
            d, _prov = due_of_rules(m, [plans[int(u)].rule for u in uniq], start[days], inv)
            due[days] = d
        bad |= live & np.isnan(due)
        breached = np.zeros(nr, dtype=bool)
        breaches = np.zeros(nr, dtype=np.int64)
        breach, paused, met = nan.copy(), nan.copy(), nan.copy()
        stopped = np.zeros(nr, dtype=bool)

        def check(r: np.ndarray, ts: np.ndarray) -> None:
            dd = due[r]
            c = (~np.isnan(dd) & ((ts > dd) | ((ts == dd) & strict[r])) & ~breached[r] & ~stopped[r]
                 & np.isnan(paused[r]))
            rr = r[c]
            breached[rr] = True
            breaches[rr] += 1
            breach[rr] = np.where(np.isnan(breach[rr]), due[rr], breach[rr])

        def resume(r: np.ndarray, ts: np.ndarray) -> None:
            c = ~np.isnan(paused[r]) & ~stopped[r]
            rr, tt = r[c], ts[c]
            since = paused[rr]
            paused[rr] = np.nan
            dm = days[rr] & ~breached[rr] & ~np.isnan(due[rr])
            if dm.any():  # a term in days: its due moves by the days paused
                rd = rr[dm]
                moved, lost = self._move_days(pl[rd], due[rd], since[dm], tt[dm], start[rd])
                due[rd] = moved
                bad[rd] |= lost
            t2 = timed[rr]
            rt, tt = rr[t2], tt[t2]
            s2 = self._w(pcal[rt], tt)
            seg[rt] = s2
            nb = ~breached[rt]
            x = self._unw(pcal[rt[nb]], s2[nb] + limit[rt[nb]] - used[rt[nb]])
            due[rt[nb]] = x
            bad[rt] |= np.isnan(s2)
            bad[rt[nb]] |= np.isnan(x)

        def pause(r: np.ndarray, ts: np.ndarray) -> None:
            c = ~stopped[r] & np.isnan(paused[r])
            r, ts = r[c], ts[c]
            check(r, ts)
            paused[r] = ts
            s = ~np.isnan(seg[r])
            rs = r[s]
            wt = self._w(pcal[rs], ts[s])
            bad[rs] |= np.isnan(wt)
            used[rs] += wt - seg[rs]
            seg[rs] = np.nan

        def stop(r: np.ndarray, ts: np.ndarray) -> None:
            c = ~stopped[r]
            r, ts = r[c], ts[c]
            resume(r, ts)
            check(r, ts)
            s = ~np.isnan(seg[r])
            rs = r[s]
            wt = self._w(pcal[rs], ts[s])
            bad[rs] |= np.isnan(wt)
            used[rs] += wt - seg[rs]
            seg[rs] = np.nan
            met[r] = ts
            stopped[r] = True

        # actions: each live row x each event of its ticket after the registration, up to `at`
        if nr:
            n_le = np.bincount(tix[le], minlength=n)
            lens = np.where(live, np.maximum(n_le[tk] - 1, 0), 0)
            total = int(lens.sum())
            rep = np.repeat(np.arange(nr), lens)
            offs = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
            e_idx = first[tk[rep]] + 1 + offs
            act = self._actions(pl[rep], kind[e_idx], self.vcode[e_idx])
            keep = act != _NOOP
            rep, e_idx, act = rep[keep], e_idx[keep], act[keep]
            if len(rep):
                cnt = np.bincount(rep, minlength=nr)
                rank = np.arange(len(rep)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
                ts_all = ev.us[e_idx] / 1e6
                for step in range(int(rank.max()) + 1):
                    at_step = rank == step
                    r, a, ts = rep[at_step], act[at_step], ts_all[at_step]
                    for code, fn in ((_PAUSE, pause), (_RESUME, resume), (_STOP, stop)):
                        sel = a == code
                        if sel.any():
                            fn(r[sel], ts[sel])
            allr = np.flatnonzero(live)
            check(allr, np.full(len(allr), at_ts))
        # tickets with a row that left the horizon: the scalar path says why
        fb[tk[bad]] = True
        self.fallback = np.flatnonzero(fb).tolist()
        keep_rows = ~fb[tk] if nr else np.zeros(0, bool)
        return self._table(keep_rows, tk, pl, np.asarray(pos_rows, dtype=np.int64), pkind, pcal, limit, start,
                           seg, due, used, breached, breaches, breach, paused, met, stopped, at_ts)

    def _actions(self, plan: np.ndarray, kind: np.ndarray, vcode: np.ndarray) -> np.ndarray:
        """What each event does to each row's clock: pause, resume, stop or nothing (as ticket() reads it)."""
        nv = len(self.vocab) + 1
        tab = getattr(self, "_act", None)
        if tab is None or tab.shape[0] != len(self.plans):
            tab = np.zeros((len(self.plans), len(EVENT_KINDS), nv), dtype=np.int8)
            values = [None, *self.vocab]
            for i, p in enumerate(self.plans):
                if p.kind not in (0, 1):
                    continue
                r = p.clock
                tab[i, _RESOLVED, :] = _STOP
                for c, v in enumerate(values):
                    if r.pauses:
                        tab[i, _STATUS, c] = _PAUSE if v is not None and v in r.pauses else _RESUME
                    if v is not None and v == p.rule.id:
                        tab[i, _MET, c] = _STOP
                    if v is not None and v in r.stops:
                        tab[i, _EVENT, c] = _STOP
            self._act = tab
        out: np.ndarray = tab[plan, np.maximum(kind, 0), vcode + 1]
        return out

    def _table(self, keep: np.ndarray, tk: np.ndarray, pl: np.ndarray, pos: np.ndarray, pkind: np.ndarray,
               pcal: np.ndarray, limit: np.ndarray, start: np.ndarray, seg: np.ndarray, due: np.ndarray,
               used: np.ndarray, breached: np.ndarray, breaches: np.ndarray, breach: np.ndarray,
               paused: np.ndarray, met: np.ndarray, stopped: np.ndarray, at_ts: float) -> pa.Table:
        ev, plans = self.ev, self.plans
        idx = np.flatnonzero(keep)
        tk, pl, pos, pkind, pcal, limit = tk[idx], pl[idx], pos[idx], pkind[idx], pcal[idx], limit[idx]
        seg, due, used, breached, breaches = seg[idx], due[idx], used[idx], breached[idx], breaches[idx]
        breach, paused, met, stopped = breach[idx], paused[idx], met[idx], stopped[idx]
        start = start[idx]
        nr = len(idx)
        live = pkind <= 1
        is_paused = ~np.isnan(paused) & ~stopped
        show_due = live & ~(is_paused & ~breached) & ~np.isnan(due)
        state = np.full(nr, "running", dtype=object)
        state[is_paused] = "paused"
        state[breached] = "breached"
        state[stopped] = np.where(breaches[stopped] > 0, "breached", "met")
        state[pkind == 2] = [("as_written" if plans[int(p)].rule.reading == "as_written" else "not_regulated")
                             for p in pl[pkind == 2]]
        state[pkind == 3] = "not_started"
        timed = pkind == 0
        w_at = self._w(pcal[timed], np.full(int(timed.sum()), at_ts))
        el = np.where(np.isnan(seg[timed]), used[timed], used[timed] + w_at - seg[timed])
        elapsed = np.zeros(nr, dtype=np.int64)
        elapsed[timed] = np.trunc(el).astype(np.int64)
        remaining = np.zeros(nr, dtype=np.int64)
        remaining[timed] = np.where(breached[timed], 0, np.maximum(limit[timed].astype(np.int64) - elapsed[timed], 0))
        prov = np.zeros(nr, dtype=bool)
        for p in np.unique(pl[show_due]).tolist():
            sel = show_due & (pl == p)
            rule = plans[p].rule
            prov[sel] = _provisional_of(rule.calendar, rule.reading, np.where(sel, due, np.nan)[sel])
        cycles = np.where(pkind == 3, 0, 1).astype(np.int32)
        due_us = _to_us(due)
        met_us = _to_us(met)
        breach_us = _to_us(breach)
        has_met = live & ~np.isnan(met) & ~is_paused
        has_breach = live & ~np.isnan(breach)
        at_us = self.at_us
        end = np.where(has_met, met_us, at_us)
        bsec = np.maximum(end - breach_us, 0) // 1_000_000
        is_b = (state == "breached") & has_breach
        names = np.asarray(ev.ticket, dtype=object)
        f = ev.first[tk]
        tier = np.asarray(ev.tier, dtype=object)[tk]
        chan = np.asarray(ev.value, dtype=object)[f] if nr else np.zeros(0, object)
        gprio = {}
        for k in np.unique(tk).tolist():
            g = self._tk_decision(k)
            gprio[k] = g
        prio = np.asarray([gprio[k] for k in tk.tolist()], dtype=object)
        col_of_plan = {name: np.asarray([getter(p) for p in plans] or [None], dtype=object)
                       for name, getter in (("target", lambda p: p.rule.id), ("strength", lambda p: p.rule.strength),
                                            ("clause", lambda p: p.rule.clause),
                                            ("percentile", lambda p: float(p.rule.percentile[0]) if p.rule.percentile else None),
                                            ("window", lambda p: p.rule.percentile[1] if p.rule.percentile else None))}
        ts_type = pa.timestamp("us", tz="UTC")
        timed_or_none = timed

        def masked(values: np.ndarray, mask: np.ndarray, typ: Any) -> Any:
            return pa.array(values, type=typ, mask=~mask)

        cols = {
            "ticket": pa.array(names[tk], type=pa.string()),
            "tier": pa.array(tier, type=pa.string()),
            "channel": pa.array(chan, type=pa.string()),
            "priority": pa.array(prio, type=pa.string()),
            "target": pa.array(col_of_plan["target"][pl], type=pa.string()),
            "state": pa.array(state, type=pa.string()),
            "due": masked(due_us, show_due, ts_type),
            "met_at": masked(met_us, has_met, ts_type),
            "breached_at": masked(breach_us, has_breach, ts_type),
            "breach_seconds": masked(bsec, is_b, pa.int64()),
            "elapsed": masked(elapsed, timed_or_none, pa.int64()),
            "remaining": masked(remaining, timed_or_none, pa.int64()),
            "provisional": pa.array(prov, type=pa.bool_()),
            "cycles": pa.array(cycles, type=pa.int32()),
            "breaches": pa.array(breaches.astype(np.int32), type=pa.int32()),
            "strength": pa.array(col_of_plan["strength"][pl], type=pa.string()),
            "clause": pa.array(col_of_plan["clause"][pl], type=pa.string()),
            "percentile": pa.array(col_of_plan["percentile"][pl], type=pa.float64()),
            "percentile_window": pa.array(col_of_plan["window"][pl], type=pa.string()),
            "registered_at": pa.array(ev.us[f], type=ts_type),
            "_k": pa.array(tk, type=pa.int64()),
            "_p": pa.array(pos, type=pa.int64()),
        }
        del start
        return pa.table(cols)

    def _tk_decision(self, k: int) -> str | None:
        """The priority of ticket k's decision (the kernel's tickets are never re-decided)."""
        ev = self.ev
        f = int(ev.first[k])
        d = getattr(self.m, "_DECISIONS", {})[(ev.tier[k], ev.value[f], ev.priority[f], ev.request[f])]
        if d.hours is not None and not d.hours._open_instant(ev.us[f] / 1e6):
            d = d.closed
        out: str | None = d.priority
        return out


# -- attainment -------------------------------------------------------------------------------------

ATTAINMENT_SCHEMA = pa.schema([
    ("period", pa.string()), ("tier", pa.string()), ("priority", pa.string()), ("target", pa.string()),
    ("total", pa.int64()), ("met", pa.int64()), ("share", pa.float64()), ("required", pa.float64()),
    ("attained", pa.bool_()),
])


def _period_of(local: datetime, period: str) -> str:
    if period == "month":
        return f"{local.year}-{local.month:02d}"
    if period == "quarter":
        return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
    return f"{local.year}"


def attainment(results: pa.Table, *, period: str = "month", zones: Sequence[str] | str | None = None) -> pa.Table:
    """Attainment of the percentile targets in replay() results: per period (month | quarter | year,
    of the registration's local date) x tier x priority x target with a percentile: `total` targets
    settled or past due, `met` (state met), `share` (percent met), `required` (the percentile) and
    `attained` (share >= required). A target still running or paused before its due is not counted
    yet; a breached one counts against. `zones`: the zone the periods are read in (one for every row,
    or one per row; default: each target calendar's zone from the results' metadata `target_zones`,
    else UTC)."""
    if period not in ("month", "quarter", "year"):
        raise PolicyQueryError(f"period must be month, quarter or year, got {period!r}", kind="choice",
                               argument="period")
    meta = results.schema.metadata or {}
    by_target: dict[str, str] = json.loads(meta.get(b"target_zones") or b"{}")
    n = results.num_rows
    if zones is None:
        zone_list = [by_target.get(t, "UTC") for t in results.column("target").to_pylist()]
    elif isinstance(zones, str):
        zone_list = [zones] * n
    else:
        zone_list = list(zones)
        if len(zone_list) != n:
            raise PolicyQueryError(f"zones has {len(zone_list)} items for {n} rows", kind="range", argument="zones")
    cols = {c: results.column(c).to_pylist() for c in ("tier", "priority", "target", "state", "percentile",
                                                          "registered_at")}
    groups: dict[tuple[str, str | None, str | None, str], list[Any]] = {}
    for i in range(n):
        pct = cols["percentile"][i]
        st = cols["state"][i]
        if pct is None or st not in ("met", "breached"):
            continue
        reg: datetime = cols["registered_at"][i]
        local = reg.astimezone(ZoneInfo(zone_list[i]))
        key = (_period_of(local, period), cols["tier"][i], cols["priority"][i], cols["target"][i])
        g = groups.setdefault(key, [0, 0, pct])
        g[0] += 1
        g[1] += st == "met"
    out: dict[str, list[Any]] = {f.name: [] for f in ATTAINMENT_SCHEMA}
    for (per, tier, prio, target), (total, met, pct) in sorted(groups.items(), key=lambda kv: tuple(map(str, kv[0]))):
        out["period"].append(per)
        out["tier"].append(tier)
        out["priority"].append(prio)
        out["target"].append(target)
        out["total"].append(total)
        out["met"].append(met)
        out["share"].append(100.0 * met / total)
        out["required"].append(pct)
        out["attained"].append(100 * met >= pct * total)
    return pa.table(out, schema=ATTAINMENT_SCHEMA)
