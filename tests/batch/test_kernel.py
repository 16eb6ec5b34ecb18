"""The batch kernel equals the scalar runtime (issue 20), checked three ways on random input (fixed seeds):

(a) add_working() / due_of_rules() == BusinessCalendar.add_working_time() / target_deadline() (with the
    provisional flag of Response.targets) on 100,000 random starts per calendar of every program in
    policies/ and policies/examples/ (Moscow, Berlin, New York, Sydney, Melbourne, Oslo, Prague zones:
    DST changes; provisional years 2028+), horizon edges included;
(b) replay() == the scalar ticket() on 10,000 random tickets with random event sequences (pauses,
    priority changes, reopenings and restarts, updates on recurring targets, met / resolved, escalations)
    over several programs, field by field;
(c) a ticket with only its registration: replay() == response();
(d) attainment() == a straightforward Python count.
"""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pytest

import policy_lang
from policy_lang import PolicyQueryError
from policy_lang.batch import kernel
from policy_lang.runtime.calendar import BusinessCalendar
from policy_lang.runtime.evaluator import TargetRule, provisional_years, target_deadline

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = sorted((ROOT / "policies").glob("*.policy")) + sorted((ROOT / "policies" / "examples").glob("*.policy"))
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def modules() -> dict[str, ModuleType]:
    return {p.stem: policy_lang.load(p, ROOT / "policies") for p in PROGRAMS}  # type: ignore[misc]


def _rules(m: ModuleType) -> list[TargetRule]:
    seen: dict[TargetRule, None] = {}
    for table in (m._DECISIONS, m._WHILE):
        for d in table.values():
            for t in d.targets:
                seen.setdefault(t)
            if d.closed is not None:
                for t in d.closed.targets:
                    seen.setdefault(t)
    for t in m._TARGET_CELLS.values():
        seen.setdefault(t)
    return list(seen)


def _span(cal: BusinessCalendar) -> tuple[int, int]:
    if cal.horizon is None:  # 24x7: five years around the decree years, DST changes in each
        return int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()), int(datetime(2031, 1, 1, tzinfo=UTC).timestamp())
    return int(cal._lo) - 86_400, int(cal._hi) + 86_400  # a day either side: outside the horizon too


def _starts(rng: np.random.Generator, cal: BusinessCalendar, n: int) -> np.ndarray:
    lo, hi = _span(cal)
    t = rng.integers(lo, hi, n, dtype=np.int64)
    if cal.starts:  # a quarter exactly at openings and closings: the edges of every window
        k = n // 4
        idx = rng.integers(0, len(cal.starts), k)
        t[:k // 2] = np.asarray(cal.starts)[idx[:k // 2]]
        t[k // 2:k] = np.asarray(cal.ends)[idx[k // 2:]]
    return t


def _scalar_due(rule: TargetRule, t: int) -> tuple[int, bool]:
    start = datetime.fromtimestamp(t, UTC)
    try:
        due = target_deadline(rule.reading, rule.seconds, rule.amount, rule.unit, rule.cutoff, rule.calendar, start)
    except PolicyQueryError:
        return -1, False
    prov = bool(provisional_years(rule.reading, rule.calendar, start, due))
    return int(due.timestamp()), prov


def test_add_working_equals_add_working_time(modules: dict[str, ModuleType]) -> None:
    rng = np.random.default_rng(20)
    cals: dict[tuple[Any, ...], BusinessCalendar] = {}
    for m in modules.values():
        for r in _rules(m):
            if r.calendar is not None:
                cals.setdefault((r.calendar.name, r.calendar.zone, r.calendar.starts[:3], len(r.calendar.starts)), r.calendar)
    assert {c.zone for c in cals.values()} >= {"Europe/Berlin", "America/New_York", "Australia/Sydney"}
    for cal in cals.values():
        ca = kernel.CalendarArrays.of(cal)
        t = _starts(rng, cal, 100_000)
        seconds = rng.choice(np.array([1, 59, 1800, 3600, 4 * 3600, 8 * 3600, 9 * 3600, 24 * 3600, 40 * 3600, 200 * 3600]),
                             len(t))
        got = kernel.add_working(ca, t, seconds)
        want = np.empty(len(t), dtype=np.int64)
        for k, (a, s) in enumerate(zip(t.tolist(), seconds.tolist())):
            try:
                want[k] = int(cal.add_working_time(datetime.fromtimestamp(a, UTC), s).timestamp())
            except PolicyQueryError:
                want[k] = -1
        bad = np.flatnonzero(got != want)
        assert not len(bad), (cal.name, cal.zone, [(int(t[i]), int(seconds[i]), int(got[i]), int(want[i])) for i in bad[:5]])
        assert (want == -1).any() or cal.horizon is None  # the horizon's end was reached
        if cal.horizon is not None:  # working time between: BusinessCalendar.working_seconds_between
            a, b = np.sort(np.stack([t[:2000], _starts(rng, cal, 2000)]), axis=0)
            wb = kernel.working_between(ca, a, b)
            for x, y, g in zip(a.tolist(), b.tolist(), wb.tolist()):
                try:
                    w = cal.working_seconds_between(datetime.fromtimestamp(x, UTC), datetime.fromtimestamp(y, UTC))
                except PolicyQueryError:
                    w = int(kernel.OUTSIDE)
                assert g == w, (cal.name, x, y)


def test_due_of_rules_equals_target_deadline(modules: dict[str, ModuleType]) -> None:
    rng = np.random.default_rng(2028)
    readings: Counter[str] = Counter()
    provisional = 0
    for name, m in modules.items():
        rules = _rules(m)
        if not rules:
            continue
        n = 100_000 // 4  # per program; every rule of it gets its share
        idx = rng.integers(0, len(rules), n)
        t = np.empty(n, dtype=np.int64)
        for r, rule in enumerate(rules):
            sel = np.flatnonzero(idx == r)
            cal = rule.calendar or BusinessCalendar.always("utc", "UTC")
            t[sel] = _starts(rng, cal, len(sel))
        due, prov = kernel.due_of_rules(m, rules, t, idx)
        for k in range(n):
            rule = rules[int(idx[k])]
            readings[rule.reading] += 1
            if rule.reading in ("not_regulated", "as_written"):
                assert due[k] == -1
                continue
            want = _scalar_due(rule, int(t[k]))
            assert (int(due[k]), bool(prov[k])) == want, (name, rule.id, rule.reading, rule.calendar, int(t[k]))
            provisional += want[1]
    assert set(readings) >= {"clock", "working_time", "business_days", "calendar_days", "next_business_day",
                             "next_calendar_day", "not_regulated"}
    assert provisional > 1000  # years without a decree were crossed


# -- (b), (c): replay() == ticket() ---------------------------------------------------------------

#: programs with pauses, stops, restarts, recurring updates, escalations, conditions, days terms
REPLAYED = ("secureco_service_support", "fortinet_forticare", "jabetto_severity_levels", "one_stop_support",
            "teamlead_atlassian_support", "hivemq_support", "inquest_support", "landesk_support",
            "juniper_care_core", "vk_cloud_support", "yandex_cloud_support", "kairos_support_priorities")
KINDS = ("status", "status", "status", "priority", "event", "update", "escalated", "condition", "met", "met",
         "resolved")


def _random_tickets(m: ModuleType, rng: np.random.Generator, n: int) -> list[list[tuple[Any, ...]]]:
    keys = list(m._DECISIONS)
    statuses = [*m.STATUSES, None]
    events = list(m.EVENTS) or ["nothing"]
    priorities = list(m.PRIORITIES) or [None]
    channels = list(m.CHANNELS)
    conditions = list(m.CONDITIONS) or ["none"]
    targets = list(m.TARGETS) or ["none"]
    lo, hi = datetime(2026, 1, 5, tzinfo=UTC).timestamp(), datetime(2029, 6, 1, tzinfo=UTC).timestamp()
    out = []
    for _ in range(n):
        tier, channel, priority, request = keys[int(rng.integers(len(keys)))]
        t = float(rng.integers(int(lo), int(hi)))
        if rng.random() < 0.3:
            t += float(rng.integers(0, 1_000_000)) / 1e6  # microseconds
        rows: list[tuple[Any, ...]] = [(t, "registered", channel, priority, request, tier)]
        own = [x.id for x in m._DECISIONS[tier, channel, priority, request].targets] or targets
        kinds = [k for k in KINDS if (k != "condition" or m.CONDITIONS) and (k != "event" or m.EVENTS)
                 and (k != "priority" or m.PRIORITIES) and (k != "status" or m.STATUSES)]
        for _ in range(int(rng.integers(0, 8))):
            t += float(rng.choice([0, 60, 900, 3600, 4 * 3600, 86_400, 3 * 86_400]) * rng.random()) // 1
            kind = str(rng.choice(kinds)) if rng.random() > 0.02 else str(rng.choice(KINDS))  # a few bad ones
            value = {"status": lambda: statuses[int(rng.integers(len(statuses)))],
                     "priority": lambda: priorities[int(rng.integers(len(priorities)))],
                     "event": lambda: events[int(rng.integers(len(events)))],
                     "escalated": lambda: channels[int(rng.integers(len(channels)))],
                     "condition": lambda: conditions[int(rng.integers(len(conditions)))],
                     "met": lambda: own[int(rng.integers(len(own)))]}.get(kind, lambda: None)()
            rows.append((t, kind, value, None, None, None))
        out.append(rows)
    return out


def _table(tickets: list[list[tuple[Any, ...]]], names: list[str]) -> pa.Table:
    cols: dict[str, list[Any]] = {k: [] for k in ("ticket", "at", "kind", "value", "priority", "request", "tier")}
    for name, rows in zip(names, tickets):
        for t, kind, value, priority, request, tier in rows:
            cols["ticket"].append(name)
            cols["at"].append(EPOCH + timedelta(microseconds=round(t * 1e6)))
            cols["kind"].append(kind)
            cols["value"].append(value)
            cols["priority"].append(priority)
            cols["request"].append(request)
            cols["tier"].append(tier)
    return pa.table({**cols, "at": pa.array(cols["at"], type=pa.timestamp("us", tz="UTC"))})


def _us(x: datetime | None) -> datetime | None:
    return None if x is None else x.astimezone(UTC)


def _expected(m: ModuleType, rows: list[tuple[Any, ...]], at: datetime) -> Any:
    from policy_lang.runtime.ticket import TicketEvent
    evs = [TicketEvent(EPOCH + timedelta(microseconds=round(t * 1e6)), kind, value, priority, request)
           for t, kind, value, priority, request, _tier in rows]
    try:
        return m.ticket(tier=rows[0][5], events=evs, at=at)
    except PolicyQueryError as e:
        return str(e)


def test_replay_equals_ticket(modules: dict[str, ModuleType]) -> None:
    rng = np.random.default_rng(10_000)
    per = 10_000 // len(REPLAYED) + 1
    states: Counter[str] = Counter()
    kernel_tickets = fallback = 0
    for name in REPLAYED:
        m = modules[name]
        assert m._DECISIONS, name
        tickets = _random_tickets(m, rng, per)
        names = [f"{name}-{i}" for i in range(len(tickets))]
        at = datetime(2028, 3, 1, 12, tzinfo=UTC)  # some tickets end after it, some begin after it
        table = _table(tickets, names)
        got = kernel.replay(m, table, at=at)
        meta = {k.decode(): v.decode() for k, v in got.schema.metadata.items()}
        kernel_tickets += int(meta["kernel_tickets"])
        fallback += int(meta["fallback_tickets"])
        rows = got.to_pylist()
        by_ticket: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            by_ticket.setdefault(r["ticket"], []).append(r)
        import json
        failures = dict(json.loads(meta["failures"]))
        n_failed = 0
        for tname, ev_rows in zip(names, tickets):
            want = _expected(m, ev_rows, at)
            if isinstance(want, str):
                n_failed += 1
                assert failures.get(tname) == want, (tname, want)
                assert tname not in by_ticket
                continue
            have = by_ticket.get(tname, [])
            assert [r["target"] for r in have] == [s.id for s in want.targets], (tname, ev_rows)
            for r, s in zip(have, want.targets):
                where = (tname, s.id, ev_rows)
                states[s.state] += 1
                assert r["state"] == s.state, where
                assert r["due"] == _us(s.due), where
                assert r["met_at"] == _us(s.met_at), where
                assert r["breached_at"] == _us(s.breached_at), where
                assert (r["elapsed"], r["remaining"]) == (s.elapsed, s.remaining), where
                assert r["provisional"] == s.provisional, where
                assert (r["cycles"], r["breaches"]) == (s.cycles, s.breaches), where
                assert (r["strength"], r["clause"]) == (s.strength, s.clause), where
                assert (r["tier"], r["channel"], r["priority"]) == (ev_rows[0][5], ev_rows[0][2], want.priority), where
                if s.state == "breached":
                    end = s.met_at or at
                    assert r["breach_seconds"] == int((end.astimezone(UTC) - s.breached_at.astimezone(UTC)).total_seconds() // 1), where
                else:
                    assert r["breach_seconds"] is None
        assert int(meta["failed_tickets"]) == n_failed
    assert {"running", "paused", "met", "breached"} <= set(states), states
    assert kernel_tickets > fallback  # most tickets never leave the kernel


def test_registration_only_equals_response(modules: dict[str, ModuleType]) -> None:
    rng = np.random.default_rng(3)
    compared = 0
    for name, m in modules.items():
        if not m._DECISIONS:
            continue
        tickets = [rows[:1] for rows in _random_tickets(m, rng, 300)]
        names = [f"{name}-{i}" for i in range(len(tickets))]
        got = kernel.replay(m, _table(tickets, names), at=datetime(2026, 1, 1, tzinfo=UTC))
        assert int(got.schema.metadata[b"fallback_tickets"]) == 0, name  # the plain case never leaves the kernel
        by: dict[str, list[dict[str, Any]]] = {}
        for r in got.to_pylist():
            by.setdefault(r["ticket"], []).append(r)
        for tname, rows in zip(names, tickets):
            t, _kind, channel, priority, request, tier = rows[0]
            start = EPOCH + timedelta(microseconds=round(t * 1e6))
            try:
                resp = m.response(tier=tier, channel=channel, priority=priority, request=request, registered_at=start)
            except PolicyQueryError:
                assert tname not in by
                continue
            have = by.get(tname, [])
            assert [r["target"] for r in have] == [x.id for x in resp.targets], tname
            for r, x in zip(have, resp.targets):
                assert r["due"] == _us(x.deadline) and r["provisional"] == x.provisional, (tname, x.id)
                assert r["priority"] == resp.priority
                compared += 1
    assert compared > 3000


def test_attainment_equals_a_count(modules: dict[str, ModuleType]) -> None:
    rng = np.random.default_rng(95)
    checked = 0
    for name, m in modules.items():
        if not any(t.percentile for d in m._DECISIONS.values() for t in d.targets):
            continue
        tickets = _random_tickets(m, rng, 400)
        results = kernel.replay(m, _table(tickets, [str(i) for i in range(len(tickets))]),
                                at=datetime(2030, 1, 1, tzinfo=UTC))
        zones = {d_t.id: d_t.calendar.zone for d in m._DECISIONS.values() for d_t in d.targets if d_t.calendar}
        for period in ("month", "quarter", "year"):
            got = {(r["period"], r["tier"], r["priority"], r["target"]): (r["total"], r["met"], r["attained"])
                   for r in kernel.attainment(results, period=period).to_pylist()}
            want: dict[tuple[Any, ...], list[Any]] = {}
            for r in results.to_pylist():
                if r["percentile"] is None or r["state"] not in ("met", "breached"):
                    continue
                local = r["registered_at"].astimezone(ZoneInfo(zones.get(r["target"], "UTC")))
                per = {"month": f"{local.year}-{local.month:02d}", "quarter": f"{local.year}-Q{(local.month - 1) // 3 + 1}",
                       "year": str(local.year)}[period]
                g = want.setdefault((per, r["tier"], r["priority"], r["target"]), [0, 0, r["percentile"]])
                g[0] += 1
                g[1] += r["state"] == "met"
            assert got == {k: (n, k_met, 100 * k_met >= pct * n) for k, (n, k_met, pct) in want.items()}, (name, period)
            checked += len(got)
    assert checked > 0


def test_bucket_lookup_equals_searchsorted() -> None:
    """The table lookup behind the whole-second fast path == np.searchsorted, on sparse, crowded and
    repeated arrays, for queries below, inside and past them."""
    rng = np.random.default_rng(7)
    arrays = [np.array([5], dtype=np.int64), np.cumsum(rng.integers(1, 4, 50_000)).astype(np.int64),
              np.sort(rng.integers(0, 10**9, 1000)).astype(np.int64), np.array([0, 0, 3, 3, 3, 9], dtype=np.int64),
              np.sort(np.concatenate([rng.integers(0, 100, 10), rng.integers(10**9, 2 * 10**9, 10)])).astype(np.int64)]
    for a in arrays:
        look = kernel._Lookup(a)
        q = np.concatenate([rng.integers(int(a[0]) - 10, int(a[-1]) + 10, 20_000), a, a - 1, a + 1]).astype(np.int64)
        for side in ("left", "right"):
            assert np.array_equal(look(q, side), np.searchsorted(a, q, side=side)), (len(a), side)


def test_add_working_whole_seconds_equals_microseconds_path(modules: dict[str, ModuleType]) -> None:
    """int64 starts (the table path) and the same starts as float64 (the binary-search path) give the
    same due, next openings (0 seconds) and horizon edges included."""
    rng = np.random.default_rng(11)
    seen = 0
    for m in modules.values():
        for r in _rules(m):
            if r.calendar is None or r.reading != "working_time" or r.calendar.horizon is None:
                continue
            ca = kernel.CalendarArrays.of(r.calendar)
            t = _starts(rng, r.calendar, 5000)
            t[:20] = [ca.first - 1, ca.first, ca.first + 1, ca.last - 1, ca.last, ca.last + 1, *ca.starts[:7], *ca.ends[-7:]]
            s = rng.choice(np.array([0, 0, 1, 3600, 9 * 3600, 500 * 3600], dtype=np.int64), len(t))
            got = kernel.add_working(ca, t, s)
            f = kernel.add_working(ca, t.astype(np.float64), s)
            assert np.array_equal(got, np.where(np.isnan(f), -1, f).astype(np.int64)), (r.calendar.name, r.id)
            assert (got == -1).any() and (got > 0).any()
            seen += 1
    assert seen >= 3


def _assert_rows_equal(m: ModuleType, tickets: list[list[tuple[Any, ...]]], names: list[str], at: datetime) -> dict[str, str]:
    """replay() == ticket() for every ticket, field by field; returns the result's metadata."""
    import json
    got = kernel.replay(m, _table(tickets, names), at=at)
    meta = {k.decode(): v.decode() for k, v in got.schema.metadata.items()}
    failures = dict(json.loads(meta["failures"]))
    by: dict[str, list[dict[str, Any]]] = {}
    for r in got.to_pylist():
        by.setdefault(r["ticket"], []).append(r)
    for tname, rows in zip(names, tickets):
        want = _expected(m, rows, at)
        if isinstance(want, str):
            assert failures.get(tname) == want and tname not in by, (tname, want)
            continue
        have = by.get(tname, [])
        assert [r["target"] for r in have] == [s.id for s in want.targets], tname
        for r, s in zip(have, want.targets):
            where = (tname, s.id, rows)
            assert (r["state"], r["due"], r["met_at"], r["breached_at"]) == (
                s.state, _us(s.due), _us(s.met_at), _us(s.breached_at)), where
            assert (r["elapsed"], r["remaining"], r["provisional"], r["cycles"], r["breaches"]) == (
                s.elapsed, s.remaining, s.provisional, s.cycles, s.breaches), where
            assert r["priority"] == want.priority, where
    return meta


def test_days_terms_paused_stay_in_the_kernel(modules: dict[str, ModuleType]) -> None:
    """A term in (business) days paused by a waiting status moves by the days paused: replayed by the
    kernel itself (no scalar fallback), == ticket(), over pauses of hours to weeks that cross DST
    changes (Sydney), weekends and holidays, the horizon's end and provisional years."""
    m = modules["secureco_service_support"]
    rng = np.random.default_rng(194)
    keys = [k for k, d in m._DECISIONS.items() if d.accepted]
    pausing = sorted({s for r in m.CLOCKS.values() for s in r.pauses})
    statuses = list(m.STATUSES)
    assert pausing
    lo = datetime(2026, 1, 5, tzinfo=UTC).timestamp()
    tickets: list[list[tuple[Any, ...]]] = []
    for i in range(3000):
        tier, channel, priority, request = keys[i % len(keys)]
        t = float(rng.integers(int(lo), int(lo) + 5 * 365 * 86_400))
        rows: list[tuple[Any, ...]] = [(t, "registered", channel, priority, request, tier)]
        for _ in range(int(rng.integers(1, 5))):
            t += float(rng.choice([60, 3600, 86_400, 3 * 86_400, 20 * 86_400]) * rng.random()) // 1
            rows.append((t, "status", pausing[int(rng.integers(len(pausing)))], None, None, None))
            t += float(rng.choice([60, 3600, 86_400, 4 * 86_400, 30 * 86_400]) * rng.random()) // 1
            back = rng.random()
            rows.append((t, "status", None if back < 0.5 else statuses[int(rng.integers(len(statuses)))], None, None, None))
        if rng.random() < 0.7:
            t += float(rng.integers(0, 10 * 86_400))
            rows.append((t, "resolved", None, None, None, None))
        tickets.append(rows)
    names = [str(i) for i in range(len(tickets))]
    meta = _assert_rows_equal(m, tickets, names, datetime(2029, 6, 1, tzinfo=UTC))
    assert int(meta["fallback_tickets"]) == 0, meta["fallback_tickets"]
    assert int(meta["kernel_tickets"]) > 2500
