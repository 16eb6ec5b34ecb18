"""`policyc replay`: a ticket history in, every target of every ticket, attainment and a Russian report out.

DuckDB (in process) reads the event log (CSV with a header row, JSON lines, or Parquet), checks
every row in SQL and streams the good tickets, ordered by ticket and time, in chunks of about
`chunk_events` events to the batch kernel (`kernel.replay`, the same answers as the scalar
`ticket()`); `kernel.attainment` aggregates each chunk and the chunks are summed. Nothing is held
whole in memory but the per-chunk tables and the bad rows.

The rows of the log (the ticket-life schema plus a ticket id and the tier):

    ticket, at, kind, value, priority, request, tier

`at` is ISO 8601 with its UTC offset in CSV and JSON lines (a time without an offset is a bad row),
a timestamp with a zone in Parquet. Every bad row is reported with its line (the line of the file an
editor shows: the header is line 1 of a CSV; in Parquet the row number, from 1) and the reason, and
counted by reason; a ticket with a bad row is left out as a whole and counted, never dropped silently.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import duckdb

# pyarrow ships no type stubs (and no py.typed): its values are Any here
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from policy_lang.runtime.errors import MAX_YEAR, MIN_YEAR
from policy_lang.runtime.ticket import EVENT_KINDS

__all__ = ["COLUMNS", "FORMATS", "REASONS", "BadRow", "Outcome", "ReplayError", "Term", "events_format", "replay_file"]

#: The columns of an event log; `ticket`, `at` and `kind` are required, the others may be absent.
COLUMNS = ("ticket", "at", "kind", "value", "priority", "request", "tier")
_REQUIRED = ("ticket", "at", "kind")
#: The formats of an event log, by the file's extension.
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".parquet": "parquet", ".pq": "parquet"}

#: Why a row is bad (reason code -> what it means; report_text has the Russian).
REASONS = {
    "missing_ticket": "no ticket id",
    "missing_time": "no time",
    "bad_time": "the time is not an ISO 8601 date-time",
    "naive_time": "the time has no UTC offset",
    "out_of_range": f"the time is outside the years {MIN_YEAR}..{MAX_YEAR}",
    "unknown_kind": "an unknown event kind",
    "missing_channel": "a registration without its channel",
    "unknown_channel": "an unknown channel",
    "unknown_priority": "an unknown priority",
    "missing_priority": "no priority where one is needed",
    "unknown_request": "an unknown request type",
    "unknown_tier": "an unknown tier",
    "missing_tier": "no tier (neither on the registration nor given)",
    "unknown_status": "an unknown status",
    "unknown_event": "an unknown event",
    "unknown_condition": "an unknown condition",
    "unknown_target": "met names no target or obligation",
    "first_not_registration": "the ticket's first event is not its registration",
    "second_registration": "a second registration of the ticket",
    "duplicate": "the same ticket, time, kind and value as an earlier row",
    "refused": "the evaluator refused the ticket's event",
}


class ReplayError(Exception):
    """The log cannot be replayed at all (unreadable, no such columns): a usage error, not a bad row."""


class BadRow(NamedTuple):
    line: int  # the file's line (CSV: the header is line 1; JSON lines: the line; Parquet: the row, from 1)
    reason: str  # a key of REASONS
    message: str
    ticket: str | None


class Term(NamedTuple):
    """A contract's term: tickets registered on other days (in `zone`) are refused, as the bound evaluator does."""

    start: date
    end: date
    zone: str


class Outcome(NamedTuple):
    summary: dict[str, Any]
    bad_rows: list[BadRow]
    files: list[str]
    targets: Path
    attainment: Path


def events_format(path: str | Path) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ReplayError(f"--events {path}: name the file *.csv, *.jsonl or *.parquet (its extension says its format)")
    return fmt


def _sql_list(values: Sequence[str]) -> str:
    """A SQL list for `x NOT IN ...`; an empty one is ('') (no checked value is blank: blanks are NULL),
    never (NULL), which would make every NOT IN unknown and so pass."""
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")" if values else "('')"


def _quote(path: str | Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _jsonl_lines(path: Path) -> list[int] | None:
    """The file line of each record of a JSON-lines file (DuckDB skips blank lines); None when none is blank."""
    lines: list[int] = []
    blank = False
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, 1):
            if raw.strip():
                lines.append(n)
            else:
                blank = True
    return lines if blank else None


def _load(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> None:
    """View `raw`: line, ticket, at_text, at_ts (TIMESTAMPTZ, NULL when unreadable or naive), at_naive,
    kind, value, priority, request, tier (VARCHAR, blank -> NULL)."""
    p = _quote(path)
    try:
        if fmt == "parquet":
            schema = {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({p})").fetchall()}
            source, line = f"read_parquet({p}, file_row_number = true)", "file_row_number + 1"
        elif fmt == "csv":
            con.execute(f"CREATE TABLE src AS SELECT * FROM read_csv({p}, header = true, all_varchar = true)")
            schema = {str(r[0]): str(r[1]) for r in con.execute("DESCRIBE src").fetchall()}
            source, line = "src", "rowid + 2"
        else:
            cols = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in COLUMNS) + "}"
            con.execute(f"CREATE TABLE src AS SELECT * FROM read_json({p}, format = 'newline_delimited', columns = {cols})")
            schema = dict.fromkeys(COLUMNS, "VARCHAR")
            source, line = "src", "rowid + 1"
            lines = _jsonl_lines(path)
            if lines is not None:
                recline = pa.table({"rec": pa.array(range(len(lines)), pa.int64()), "line": pa.array(lines, pa.int64())})
                con.register("recline_arrow", recline)
                con.execute("CREATE TABLE recline AS SELECT * FROM recline_arrow")
                con.unregister("recline_arrow")
                source = "(SELECT src.*, recline.line AS file_line FROM src JOIN recline ON recline.rec = src.rowid)"
                line = "file_line"
    except (duckdb.Error, OSError) as e:
        raise ReplayError(f"--events {path}: cannot read it as {fmt}: {str(e).splitlines()[0]}") from None
    unknown = [c for c in schema if c not in COLUMNS and c not in ("file_row_number", "file_line")]
    missing = [c for c in _REQUIRED if c not in schema]
    if unknown or missing:
        why = f"unknown column {unknown[0]!r}" if unknown else f"no {missing[0]!r} column"
        raise ReplayError(f"--events {path}: {why} (columns: {', '.join(COLUMNS)}; ticket, at and kind required)")

    def text(c: str) -> str:
        return f"NULLIF(trim(CAST(\"{c}\" AS VARCHAR)), '')" if c in schema else "CAST(NULL AS VARCHAR)"

    at_type = schema["at"].upper()
    if at_type.startswith("TIMESTAMP WITH TIME ZONE") or at_type == "TIMESTAMPTZ":
        at_text, at_ts, naive = 'CAST("at" AS VARCHAR)', '"at"', "false"
    elif at_type.startswith("TIMESTAMP") or at_type == "DATE":  # a Parquet time without a zone: naive
        at_text, at_ts, naive = 'CAST("at" AS VARCHAR)', "CAST(NULL AS TIMESTAMPTZ)", '"at" IS NOT NULL'
    else:
        t = text("at")
        offset = rf"regexp_matches({t}, '(Z|z|[+-]\d\d(:?\d\d)?)$')"
        at_text = t
        at_ts = f"CASE WHEN {offset} THEN TRY_CAST({t} AS TIMESTAMPTZ) END"
        naive = f"({t} IS NOT NULL AND NOT {offset} AND TRY_CAST({t} AS TIMESTAMP) IS NOT NULL)"
    con.execute(f"""CREATE VIEW raw AS SELECT CAST({line} AS BIGINT) AS line, {text('ticket')} AS ticket,
        {at_text} AS at_text, {at_ts} AS at_ts, {naive} AS at_naive, {text('kind')} AS kind, {text('value')} AS value,
        {text('priority')} AS priority, {text('request')} AS request, {text('tier')} AS tier FROM {source}""")


def _module_names(module: ModuleType, tier: str | None, contract_tier: str | None) -> dict[str, tuple[str, ...]]:
    names = {
        "channels": tuple(getattr(module, "CHANNELS", {})),
        "priorities": tuple(getattr(module, "PRIORITIES", ())),
        "requests": tuple(getattr(module, "REQUESTS", {})),
        "tiers": (contract_tier,) if contract_tier is not None else tuple(getattr(module, "TIERS", ())),
        "statuses": tuple(getattr(module, "STATUSES", {})),
        "events": tuple(getattr(module, "EVENTS", {})),
        "conditions": tuple(getattr(module, "CONDITIONS", {})),
        "targets": tuple(dict.fromkeys([*getattr(module, "TARGETS", {}), *getattr(module, "OBLIGATIONS", {})])),
        "kinds": EVENT_KINDS,
    }
    return names


def _checks(con: duckdb.DuckDBPyConnection, names: Mapping[str, tuple[str, ...]], default_tier: str | None,
            needs_priority: bool) -> None:
    """Table `checked`: every row of `raw` with its first reason (NULL: a good row)."""
    n = {k: _sql_list(v) for k, v in names.items()}
    tier = f"coalesce(tier, {_quote(default_tier) if default_tier is not None else 'NULL'})"
    row_reason = f"""CASE
        WHEN ticket IS NULL THEN 'missing_ticket'
        WHEN at_text IS NULL THEN 'missing_time'
        WHEN at_naive THEN 'naive_time'
        WHEN at_ts IS NULL THEN 'bad_time'
        WHEN year(at_ts) NOT BETWEEN {MIN_YEAR} AND {MAX_YEAR} THEN 'out_of_range'
        WHEN kind IS NULL OR kind NOT IN {n['kinds']} THEN 'unknown_kind'
        WHEN kind = 'registered' AND value IS NULL THEN 'missing_channel'
        WHEN kind IN ('registered', 'escalated') AND (value IS NULL OR value NOT IN {n['channels']}) THEN 'unknown_channel'
        WHEN kind = 'registered' AND priority IS NOT NULL AND priority NOT IN {n['priorities']} THEN 'unknown_priority'
        WHEN kind = 'registered' AND request IS NOT NULL AND request NOT IN {n['requests']} THEN 'unknown_request'
        WHEN kind = 'registered' AND priority IS NULL AND request IS NULL AND {str(needs_priority).lower()}
            THEN 'missing_priority'
        WHEN kind = 'registered' AND {tier} IS NULL THEN 'missing_tier'
        WHEN kind = 'registered' AND {tier} NOT IN {n['tiers']} THEN 'unknown_tier'
        WHEN kind = 'priority' AND value IS NULL THEN 'missing_priority'
        WHEN kind = 'priority' AND value NOT IN {n['priorities']} THEN 'unknown_priority'
        WHEN kind = 'status' AND value IS NOT NULL AND value NOT IN {n['statuses']} THEN 'unknown_status'
        WHEN kind = 'event' AND (value IS NULL OR value NOT IN {n['events']}) THEN 'unknown_event'
        WHEN kind = 'condition' AND (value IS NULL OR value NOT IN {n['conditions']}) THEN 'unknown_condition'
        WHEN kind = 'met' AND (value IS NULL OR value NOT IN {n['targets']}) THEN 'unknown_target'
    END"""
    con.execute(f"""CREATE TABLE checked AS
        WITH r AS (SELECT *, {row_reason} AS row_reason FROM raw),
        o AS (SELECT *,
            CASE WHEN ticket IS NOT NULL AND at_ts IS NOT NULL THEN
                row_number() OVER (PARTITION BY ticket, at_ts IS NOT NULL ORDER BY at_ts, line) END AS rn,
            CASE WHEN ticket IS NOT NULL AND at_ts IS NOT NULL THEN
                row_number() OVER (PARTITION BY ticket, at_ts, kind, value ORDER BY line) END AS dup,
            CASE WHEN ticket IS NOT NULL AND at_ts IS NOT NULL THEN
                coalesce(sum(CASE WHEN kind = 'registered' THEN 1 ELSE 0 END) OVER (PARTITION BY ticket, at_ts IS NOT NULL
                    ORDER BY at_ts, line ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) END AS regs_before
            FROM r)
        SELECT line, ticket, at_text, at_ts, kind, value, priority, request, {tier} AS tier,
            coalesce(row_reason,
                CASE WHEN rn = 1 AND kind IS DISTINCT FROM 'registered' THEN 'first_not_registration'
                     WHEN regs_before > 0 AND kind = 'registered' THEN 'second_registration'
                     WHEN dup > 1 THEN 'duplicate' END) AS reason
        FROM o""")


def _message(reason: str, row: Mapping[str, Any], names: Mapping[str, tuple[str, ...]]) -> str:
    """What a bad row's problem is, naming the valid choices where there are some."""
    what = REASONS[reason]
    valid = {"unknown_kind": "kinds", "unknown_channel": "channels", "unknown_priority": "priorities",
             "unknown_request": "requests", "unknown_tier": "tiers", "unknown_status": "statuses",
             "unknown_event": "events", "unknown_condition": "conditions", "unknown_target": "targets"}.get(reason)
    shown = {"unknown_kind": row["kind"], "unknown_priority": row["priority"] if row["kind"] == "registered" else row["value"],
             "unknown_request": row["request"], "unknown_tier": row["tier"], "bad_time": row["at_text"],
             "naive_time": row["at_text"], "out_of_range": row["at_text"]}.get(reason, row["value"])
    text = f"{what}: {shown!r}" if shown is not None and reason not in ("first_not_registration", "second_registration",
                                                                         "duplicate", "missing_channel") else what
    if reason == "first_not_registration":
        text += f" (the first here is {row['kind']!r})"
    if valid:
        choices = names[valid]
        text += f"; valid: {', '.join(choices) if choices else 'none (the program declares none)'}"
    if reason == "naive_time":
        text += "; add a UTC offset such as +03:00"
    return text


_KEEP_BAD = 1000  # bad rows kept in memory (for the envelope and the terminal); bad_rows.csv has them all


def _epoch(ts: datetime) -> int:
    return int(ts.timestamp())


ReplayFn = Callable[..., pa.Table]
AttainFn = Callable[..., pa.Table]


def _batches(con: duckdb.DuckDBPyConnection, chunk_events: int) -> Iterator[pa.Table]:
    """The good events, ordered by ticket, time and line, in tables of whole tickets of about `chunk_events` rows."""
    reader = con.sql("""SELECT ticket, at_ts AS at, kind, value, priority, request, tier, line FROM good
                            ORDER BY ticket, at_ts, line""").to_arrow_reader(chunk_events)
    carry: pa.Table | None = None
    for batch in reader:
        table = pa.Table.from_batches([batch])
        if carry is not None:
            table = pa.concat_tables([carry, table])
        if table.num_rows == 0:
            continue
        tickets = table.column("ticket")
        last = tickets[table.num_rows - 1]
        # the rows of the last ticket wait for the next batch (a ticket is never split)
        import pyarrow.compute as pc

        is_last = pc.equal(tickets, last)
        first_of_last = table.num_rows - int(pc.sum(is_last).as_py() or 0)
        if first_of_last > 0:
            yield table.slice(0, first_of_last)
        carry = table.slice(first_of_last)
    if carry is not None and carry.num_rows:
        yield carry


def _event_table(chunk: pa.Table) -> pa.Table:
    at = chunk.column("at").cast(pa.timestamp("us", tz="UTC"))
    return pa.table({"ticket": chunk.column("ticket").cast(pa.string()), "at": at,
                     **{c: chunk.column(c).cast(pa.string()) for c in ("kind", "value", "priority", "request", "tier")}})


def _merge_attainment(parts: list[pa.Table], attain: AttainFn, empty: pa.Table, zone: str) -> pa.Table:
    """The chunks' attainment tables summed: tickets are disjoint across chunks, so the counts add up;
    share and attained are recomputed as kernel.attainment computes them."""
    if not parts:
        return attain(empty, zones=zone)
    table = pa.concat_tables(parts)
    if len(parts) == 1:
        return table
    con = duckdb.connect()
    con.register("parts", table)
    counts = ("total", "met")
    derived = ("share", "attained")
    keys = [c for c in table.column_names if c not in counts + derived]
    key_sql = ", ".join(f'"{k}"' for k in keys)
    merged = con.sql(f"SELECT {key_sql}, sum(total)::BIGINT AS total, sum(met)::BIGINT AS met FROM parts GROUP BY ALL"
                     ).to_arrow_table()
    con.close()
    # in kernel.attainment's order: by (period, tier, priority, target) as strings
    sort_keys = [merged.column(k).to_pylist() for k in ("period", "tier", "priority", "target") if k in keys]
    order = sorted(range(merged.num_rows), key=lambda i: tuple(str(col[i]) for col in sort_keys))
    merged = merged.take(pa.array(order, pa.int64()))
    total = merged.column("total").to_pylist()
    met = merged.column("met").to_pylist()
    required = merged.column("required").to_pylist() if "required" in keys else [None] * len(total)
    share = [100.0 * m / t if t else None for m, t in zip(met, total)]
    attained = [None if r is None else 100 * m >= float(r) * t for m, t, r in zip(met, total, required)]
    out = merged.append_column("share", pa.array(share, pa.float64())).append_column("attained", pa.array(attained, pa.bool_()))
    return out.select(table.column_names).cast(table.schema)


def replay_file(module: ModuleType, events: str | Path, out_dir: str | Path, *, at: datetime | None = None,
                tier: str | None = None, term: Term | None = None, contract_tier: str | None = None,
                json_out: bool = False, chunk_events: int = 100_000, zone: str = "UTC",
                progress: Callable[[int], None] | None = None, total_hint: Callable[[int], None] | None = None,
                replay_fn: ReplayFn | None = None, attainment_fn: AttainFn | None = None) -> Outcome:
    """Replay the log `events` over `module` and write the outputs into `out_dir` (see the module doc).

    `tier`: the tier of a registration without one (a contract's tier); `contract_tier`: the only tier
    allowed (a contract); `term`: tickets registered outside it are refused (counted, no targets).
    `zone`: the zone attainment periods (months) are read in. `total_hint(n)` is told the number of
    good events before they are replayed, `progress(n)` each
    chunk's. `replay_fn`/`attainment_fn` default to kernel.replay/kernel.attainment."""
    began = time.perf_counter()
    path = Path(events)
    fmt = events_format(path)
    if not path.is_file():
        raise ReplayError(f"--events {path}: no such file")
    if replay_fn is None or attainment_fn is None:
        from policy_lang.batch import kernel

        replay_fn = replay_fn or kernel.replay
        attainment_fn = attainment_fn or kernel.attainment
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = _module_names(module, tier, contract_tier)
    needs_priority = bool(names["priorities"]) and getattr(module, "DEFAULT_PRIORITY", None) is None
    with tempfile.TemporaryDirectory(prefix="policyc-replay-") as tmp:
        con = duckdb.connect(config={"temp_directory": tmp, "memory_limit": os.environ.get("POLICYC_REPLAY_MEMORY", "1GB")})
        try:
            con.execute("SET TimeZone = 'UTC'")
            _load(con, path, fmt)
            try:
                _checks(con, names, tier if tier is not None else contract_tier, needs_priority)
            except duckdb.Error as e:
                raise ReplayError(f"--events {path}: cannot read it as {fmt}: {str(e).splitlines()[0]}") from None
            con.execute("CREATE TABLE bad AS SELECT * FROM checked WHERE reason IS NOT NULL ORDER BY line")
            con.execute("CREATE TABLE bad_tickets AS SELECT DISTINCT ticket FROM bad WHERE ticket IS NOT NULL")
            if term is not None:
                con.execute(f"""CREATE TABLE refused AS SELECT DISTINCT ticket FROM checked
                    WHERE reason IS NULL AND kind = 'registered' AND ticket NOT IN (SELECT ticket FROM bad_tickets)
                    AND CAST(timezone({_quote(term.zone)}, at_ts) AS DATE)
                        NOT BETWEEN DATE {_quote(term.start.isoformat())} AND DATE {_quote(term.end.isoformat())}""")
            else:
                con.execute("CREATE TABLE refused (ticket VARCHAR)")
            con.execute("""CREATE TABLE good AS SELECT * FROM checked WHERE ticket NOT IN (SELECT ticket FROM bad_tickets)
                           AND ticket NOT IN (SELECT ticket FROM refused)""")
            n_rows = _scalar(con, "SELECT count(*) FROM checked")
            n_tickets = _scalar(con, "SELECT count(DISTINCT ticket) FROM checked")
            n_good_events = _scalar(con, "SELECT count(*) FROM good")
            n_good_tickets = _scalar(con, "SELECT count(DISTINCT ticket) FROM good")
            n_left_out = _scalar(con, "SELECT count(*) FROM bad_tickets")
            n_refused = _scalar(con, "SELECT count(*) FROM refused")
            by_reason = {str(r): int(c) for r, c in con.execute("SELECT reason, count(*) FROM bad GROUP BY reason ORDER BY reason").fetchall()}
            if at is None:
                last = con.execute("SELECT epoch_us(max(at_ts)) FROM good").fetchone()  # (no pytz: epoch, not a datetime)
                if last is not None and last[0] is not None:
                    at = datetime.fromtimestamp(0, UTC) + timedelta(microseconds=int(last[0]))
            bad_rows: list[BadRow] = []
            cols = ["line", "ticket", "at_text", "kind", "value", "priority", "request", "tier", "reason"]
            for rec in con.execute(f"SELECT {', '.join(cols)} FROM bad ORDER BY line LIMIT {_KEEP_BAD}").fetchall():
                row = dict(zip(cols, rec))
                bad_rows.append(BadRow(int(row["line"]), str(row["reason"]), _message(str(row["reason"]), row, names),
                                       row["ticket"]))
            if total_hint is not None:
                total_hint(n_good_events)
            at_epoch = _epoch(at) if at is not None else None
            targets_path = out / "targets.parquet"
            writer: pq.ParquetWriter | None = None
            parts: list[pa.Table] = []
            fallback = 0
            refused_rows: list[BadRow] = []
            n_targets = 0
            empty_events = _event_table(pa.table({
                "ticket": pa.array([], pa.string()), "at": pa.array([], pa.timestamp("us", tz="UTC")),
                **{c: pa.array([], pa.string()) for c in ("kind", "value", "priority", "request", "tier")}}))
            empty_result: pa.Table | None = None
            for chunk in _batches(con, chunk_events):
                result, refusals = _replay_chunk(replay_fn, module, chunk, at_epoch, tier)
                refused_rows.extend(refusals)
                if empty_result is None:
                    empty_result = result.slice(0, 0)
                meta = result.schema.metadata or {}
                fallback += int(meta.get(b"fallback_tickets", b"0") or 0)
                if writer is None:
                    writer = pq.ParquetWriter(targets_path, result.schema.remove_metadata(), compression="zstd")
                if result.num_rows:
                    writer.write_table(result.replace_schema_metadata(None))
                    parts.append(attainment_fn(result, zones=zone))
                n_targets += result.num_rows
                if progress is not None:
                    progress(chunk.num_rows)
            if writer is None:  # no good ticket: the outputs' schema from an empty replay
                empty_result = replay_fn(module, empty_events, at=at_epoch, tier=tier)
                writer = pq.ParquetWriter(targets_path, empty_result.schema.remove_metadata(), compression="zstd")
            writer.close()
            assert empty_result is not None or n_targets == 0
            attain = _merge_attainment(parts, attainment_fn, empty_result if empty_result is not None
                                       else replay_fn(module, empty_events, at=at_epoch, tier=tier), zone)
            if refused_rows:
                for r in refused_rows:
                    by_reason[r.reason] = by_reason.get(r.reason, 0) + 1
                n_left_out += len({r.ticket for r in refused_rows})
                n_good_tickets -= len({r.ticket for r in refused_rows})
                bad_rows = sorted(bad_rows + refused_rows)[:_KEEP_BAD]
            attain_path = out / "attainment.parquet"
            pq.write_table(attain.replace_schema_metadata(None), attain_path, compression="zstd")
            files = ["targets.parquet", "targets.csv", "attainment.parquet", "attainment.csv", "bad_rows.csv"]
            con.execute(f"COPY (SELECT * FROM read_parquet({_quote(targets_path)})) TO {_quote(out / 'targets.csv')} "
                        "(HEADER, DELIMITER ',')")
            con.execute(f"COPY (SELECT * FROM read_parquet({_quote(attain_path)})) TO {_quote(out / 'attainment.csv')} "
                        "(HEADER, DELIMITER ',')")
            _write_bad_rows(con, out / "bad_rows.csv", names, refused_rows)
            if json_out:
                for stem in ("targets", "attainment"):
                    con.execute(f"COPY (SELECT * FROM read_parquet({_quote(out / (stem + '.parquet'))})) "
                                f"TO {_quote(out / (stem + '.json'))} (FORMAT json, ARRAY true)")
                    files.append(f"{stem}.json")
        finally:
            con.close()
    summary: dict[str, Any] = {
        "events": str(path), "format": fmt, "at": at.isoformat() if at is not None else None,
        "rows": n_rows, "tickets": n_tickets, "tickets_replayed": n_good_tickets,
        "tickets_left_out": n_left_out, "tickets_refused_outside_term": n_refused,
        "targets": n_targets, "bad_rows": sum(by_reason.values()), "bad_rows_by_reason": by_reason,
        "fallback_tickets": fallback, "seconds": round(time.perf_counter() - began, 3),
    }
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    files.append("summary.json")
    return Outcome(summary, bad_rows, files, targets_path, attain_path)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    got = con.execute(sql).fetchone()
    return int(got[0]) if got is not None and got[0] is not None else 0


def _replay_chunk(replay_fn: ReplayFn, module: ModuleType, chunk: pa.Table, at: int | None,
                  tier: str | None) -> tuple[pa.Table, list[BadRow]]:
    """kernel.replay over a chunk; the tickets the evaluator refuses (the result's `failures`) are bad
    rows at the refused event's line (reason `refused`): left out, counted, never silently."""
    result = replay_fn(module, _event_table(chunk), at=at, tier=tier)
    meta = result.schema.metadata or {}
    failures = json.loads(meta.get(b"failures", b"[]") or b"[]")
    n_failed = int(meta.get(b"failed_tickets", b"0") or 0)
    refused: list[BadRow] = []
    if n_failed:
        tickets = chunk.column("ticket")
        lines = chunk.column("line")
        for ticket, message in failures:
            own = lines.filter(pc.equal(tickets, ticket)).to_pylist()
            m = re.match(r"event (\d+): ", message)
            index = int(m.group(1)) - 1 if m else -1
            line = own[index] if 0 <= index < len(own) else own[0] if own else 0
            refused.append(BadRow(int(line), "refused", message[m.end():] if m else message, str(ticket)))
        if len(failures) < n_failed:  # the kernel lists the first ones only: name the others too
            named = {str(t) for t, _ in failures}
            answered = set(result.column("ticket").to_pylist())
            firsts = pc.unique(tickets).to_pylist()
            for t in firsts:
                if t not in named and t not in answered:
                    own = lines.filter(pc.equal(tickets, t)).to_pylist()
                    refused.append(BadRow(int(own[0]), "refused", "the evaluator refused the ticket", str(t)))
    return result, refused


def _write_bad_rows(con: duckdb.DuckDBPyConnection, path: Path, names: Mapping[str, tuple[str, ...]],
                    refused: Sequence[BadRow]) -> None:
    """bad_rows.csv: every bad row (line, reason, ticket, message), by line; streamed from the `bad` table."""
    import csv

    cols = ["line", "ticket", "at_text", "kind", "value", "priority", "request", "tier", "reason"]
    extra = sorted(refused)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["line", "reason", "ticket", "message"])
        reader = con.sql(f"SELECT {', '.join(cols)} FROM bad ORDER BY line").to_arrow_reader(65_536)
        k = 0
        for batch in reader:
            for rec in batch.to_pylist():
                line = int(rec["line"])
                while k < len(extra) and extra[k].line < line:
                    w.writerow([extra[k].line, extra[k].reason, extra[k].ticket, extra[k].message])
                    k += 1
                w.writerow([line, rec["reason"], rec["ticket"], _message(str(rec["reason"]), rec, names)])
        for r in extra[k:]:
            w.writerow([r.line, r.reason, r.ticket, r.message])
