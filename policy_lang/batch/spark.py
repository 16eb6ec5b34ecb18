"""The batch kernel on Spark: every target of every ticket of a history, on a cluster (`mapInArrow`).

`replay_spark(df, program)` answers what `kernel.replay()` answers on one machine, and so what the
scalar `ticket()` answers per ticket, for an event log that is a Spark DataFrame (the ticket-life
schema: `ticket`, `at`, `kind`, `value`, `priority`, `request`, `tier`):

* the events are repartitioned by `ticket` (every event of a ticket in one partition) and sorted
  within each partition by ticket, time and their order in the input (events at one instant are
  replayed in the order given, as `ticket()` replays them);
* `mapInArrow` hands each partition to the kernel as Arrow batches; a ticket cut by a batch's end is
  held back and replayed with the next batch, so the kernel always sees whole tickets and a
  partition's memory is one batch plus one ticket, whatever its size;
* the program travels as the text of its generated module (what `policyc build` writes: it imports
  only `policy_lang.runtime`); each Python worker compiles it once and keeps it (keyed by its
  sha256), so executors need `policy-lang-runtime` and `policy_lang[batch]`, never the compiler.

`attainment_spark(results)` aggregates the results per period x tier x priority x target with a
percentile in Spark SQL, as `kernel.attainment()` does on one machine.

The recipe for a cluster is examples/spark/replay_on_spark.py.
"""
from __future__ import annotations

import hashlib
import json
import types
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# pyarrow and pyspark's pyarrow-facing modules ship no type stubs usable under --strict: Any here
import pyarrow as pa
import pyarrow.compute as pc
from pyspark import Accumulator, SparkContext
from pyspark.accumulators import AccumulatorParam
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from policy_lang.batch import kernel

__all__ = ["ATTAINMENT_SCHEMA", "EVENT_COLUMNS", "RESULT_SCHEMA", "ReplayCounts", "TicketsRefused", "attainment_spark",
           "generated_source", "module_of", "replay_spark", "target_zones"]

#: The event log's columns (`ticket`, `at` and `kind` are required; the others may be absent: null).
EVENT_COLUMNS = ("ticket", "at", "kind", "value", "priority", "request", "tier")
_REQUIRED = ("ticket", "at", "kind")
_SEQ = "__policy_lang_seq"  # the input order, a tie-breaker of events at one instant

_UTC = pa.timestamp("us", tz="UTC")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: One row per ticket x applicable target: the columns of `kernel.replay()` (spec of issue 20).
RESULT_SCHEMA = T.StructType([
    T.StructField("ticket", T.StringType()),
    T.StructField("tier", T.StringType()),
    T.StructField("channel", T.StringType()),
    T.StructField("priority", T.StringType()),
    T.StructField("target", T.StringType()),
    T.StructField("state", T.StringType()),
    T.StructField("due", T.TimestampType()),
    T.StructField("met_at", T.TimestampType()),
    T.StructField("breached_at", T.TimestampType()),
    T.StructField("breach_seconds", T.LongType()),
    T.StructField("elapsed", T.LongType()),
    T.StructField("remaining", T.LongType()),
    T.StructField("provisional", T.BooleanType()),
    T.StructField("cycles", T.IntegerType()),
    T.StructField("breaches", T.IntegerType()),
    T.StructField("strength", T.StringType()),
    T.StructField("clause", T.StringType()),
    T.StructField("percentile", T.DoubleType()),
    T.StructField("percentile_window", T.StringType()),
    T.StructField("registered_at", T.TimestampType()),
])

#: The same columns as the kernel's Arrow types (timestamps in UTC): each batch is cast to them.
_RESULT_ARROW = kernel.RESULT_SCHEMA.remove_metadata()
assert _RESULT_ARROW.names == RESULT_SCHEMA.names, "spark.RESULT_SCHEMA and kernel.RESULT_SCHEMA disagree"

#: attainment_spark()'s columns.
ATTAINMENT_SCHEMA = T.StructType([
    T.StructField("period", T.StringType()),
    T.StructField("tier", T.StringType()),
    T.StructField("priority", T.StringType()),
    T.StructField("target", T.StringType()),
    T.StructField("total", T.LongType()),
    T.StructField("met", T.LongType()),
    T.StructField("share", T.DoubleType()),
    T.StructField("required", T.DoubleType()),
    T.StructField("attained", T.BooleanType()),
])


# --------------------------------------------------------------------------- the program


def generated_source(program: str | Path | types.ModuleType, generated: Path | None = None) -> str:
    """The text of the program's generated module: `generated` (the module file, or the directory
    `policyc build` writes generated/python/ to, holding `<program's file stem>.py`), else `program`
    itself when it is a generated `.py` file or a loaded module, else `program` (a `.policy` file)
    compiled here, on the driver (the only place the compiler is needed)."""
    if isinstance(program, types.ModuleType):
        source = vars(program).get("__source__")
        if isinstance(source, str):
            return source
        file = getattr(program, "__file__", None)
        if not file or not Path(file).is_file():
            raise ValueError(f"module {program.__name__!r} carries no generated source (__source__) nor file")
        return Path(file).read_text(encoding="utf-8")
    path = Path(program)
    if generated is not None:
        file = Path(generated)
        if file.is_dir():
            file = file / f"{path.stem}.py"
        if not file.is_file():
            raise FileNotFoundError(f"no generated module {file} (run `policyc build` first, or leave out generated=)")
        return file.read_text(encoding="utf-8")
    if path.suffix == ".py":
        if not path.is_file():
            raise FileNotFoundError(f"no generated module {path}")
        return path.read_text(encoding="utf-8")
    if not path.is_file():
        raise FileNotFoundError(f"no program {path}")
    # the driver compiles; the executors only run the generated text (imported here, not at the top:
    # a driver given a generated module, and every executor, need no compiler)
    from policy_lang.loading import load

    source = vars(load(path)).get("__source__")
    assert isinstance(source, str)
    return source


#: generated module text sha256 -> the module, once per Python worker (workers are reused by Spark).
_MODULES: dict[str, types.ModuleType] = {}


def module_of(source: str) -> types.ModuleType:
    """The generated module of `source`, compiled once per process (as `policy_lang.load` runs it:
    a fresh module, not in sys.modules)."""
    key = hashlib.sha256(source.encode("utf-8")).hexdigest()
    module = _MODULES.get(key)
    if module is None:
        module = types.ModuleType(f"policy_lang_generated_{key[:12]}")
        module.__file__ = f"<policy_lang generated {key[:12]}>"
        exec(compile(source, module.__file__, "exec", dont_inherit=True), module.__dict__)
        vars(module)["__source__"] = source
        _MODULES[key] = module
    return module


# --------------------------------------------------------------------------- on the executors


class _Failures(AccumulatorParam[list[tuple[str, str]]]):
    """The tickets the kernel refused, (ticket, message), the first 1000."""

    def zero(self, value: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return []

    def addInPlace(self, value1: list[tuple[str, str]], value2: list[tuple[str, str]]) -> list[tuple[str, str]]:
        value1.extend(value2[: max(0, 1000 - len(value1))])
        return value1


class ReplayCounts:
    """What a replay_spark() run counted, read after an action on its DataFrame (Spark accumulators:
    a task Spark retries counts again): tickets, those the kernel answered in numpy, those answered by
    the scalar `ticket()` (`fallback_tickets`), and those refused (`failed_tickets`, with the first
    1000 `failures`: (ticket, message))."""

    def __init__(self, context: SparkContext) -> None:
        self._tickets: Accumulator[int] = context.accumulator(0)
        self._kernel: Accumulator[int] = context.accumulator(0)
        self._fallback: Accumulator[int] = context.accumulator(0)
        self._failed: Accumulator[int] = context.accumulator(0)
        self._failures: Accumulator[list[tuple[str, str]]] = context.accumulator([], _Failures())

    def _add(self, meta: dict[bytes, bytes]) -> None:
        self._tickets.add(int(meta.get(b"tickets", b"0")))
        self._kernel.add(int(meta.get(b"kernel_tickets", b"0")))
        self._fallback.add(int(meta.get(b"fallback_tickets", b"0")))
        self._failed.add(int(meta.get(b"failed_tickets", b"0")))
        failures = json.loads(meta.get(b"failures", b"[]"))
        if failures:
            self._failures.add([(str(t), str(m)) for t, m in failures])

    @property
    def tickets(self) -> int:
        return self._tickets.value

    @property
    def kernel_tickets(self) -> int:
        return self._kernel.value

    @property
    def fallback_tickets(self) -> int:
        return self._fallback.value

    @property
    def failed_tickets(self) -> int:
        return self._failed.value

    @property
    def failures(self) -> list[tuple[str, str]]:
        return list(self._failures.value)


class TicketsRefused(ValueError):
    """replay_spark() without `counts`: a ticket the kernel refuses stops the run (never a silent drop)."""


class _Replay:
    """What runs on the executors (pickled with its fields: the module text, `at`, `tier`, the counters)."""

    def __init__(self, source: str, at: datetime, tier: str | None, counts: ReplayCounts | None) -> None:
        self.source, self.at, self.tier, self.counts = source, at, tier, counts

    def __call__(self, batches: Iterator[Any]) -> Iterator[Any]:
        module = module_of(self.source)
        carry: Any = None
        for batch in batches:
            table = pa.Table.from_batches([batch])
            if carry is not None:
                table = pa.concat_tables([carry, table])
            n = table.num_rows
            if n == 0:
                continue
            # the rows are sorted by ticket: the last ticket's rows end the table; hold them back, the
            # next batch may go on with that ticket
            tickets = table.column("ticket")
            last = tickets[n - 1]
            tail = int(pc.sum(pc.equal(tickets, last).cast(pa.int64())).as_py() or 0) if last.is_valid else 0
            carry = table.slice(n - tail)
            if n - tail:
                yield from self._replay(module, table.slice(0, n - tail))
        if carry is not None and carry.num_rows:
            yield from self._replay(module, carry)

    def _replay(self, module: types.ModuleType, events: Any) -> Iterator[Any]:
        events = events.drop_columns([_SEQ])
        at_col = events.column("at")
        if at_col.type != _UTC:  # in the session's time zone: the same instants
            events = events.set_column(events.column_names.index("at"), "at", at_col.cast(_UTC))
        result = kernel.replay(module, events, at=self.at, tier=self.tier)
        meta = result.schema.metadata or {}
        if self.counts is not None:
            self.counts._add(meta)
        elif int(meta.get(b"failed_tickets", b"0")):
            failures = json.loads(meta.get(b"failures", b"[]"))
            ticket, message = failures[0] if failures else ("?", "")
            raise TicketsRefused(f"{meta[b'failed_tickets'].decode()} ticket(s) refused, the first: ticket "
                                 f"{ticket}: {message} (pass counts=ReplayCounts(spark.sparkContext) to count "
                                 "them and go on)")
        out = pa.table({f.name: result.column(f.name).cast(f.type) for f in _RESULT_ARROW}, schema=_RESULT_ARROW)
        yield from out.to_batches()


# --------------------------------------------------------------------------- on the driver


def _events(df: DataFrame) -> DataFrame:
    """`df` as the kernel's event columns, in order, missing optional ones null; a clear error for a
    missing required column or a time that is not an instant."""
    fields = {f.name: f.dataType for f in df.schema.fields}
    missing = [c for c in _REQUIRED if c not in fields]
    if missing:
        raise ValueError(f"the event log has no column {', '.join(missing)} "
                         f"(columns: {', '.join(EVENT_COLUMNS)}; has: {', '.join(fields) or 'none'})")
    at_type = fields["at"]
    if isinstance(at_type, T.TimestampNTZType):
        raise ValueError("column `at` is a timestamp without a time zone (TimestampNTZType): a naive time is "
                         "no instant; give times with their offset (TimestampType)")
    if not isinstance(at_type, T.TimestampType):
        raise ValueError(f"column `at` must be a timestamp (TimestampType), got {at_type.simpleString()}; "
                         "convert ISO 8601 strings with their offset first, e.g. F.to_timestamp('at')")
    cols = [F.col("at") if c == "at" else
            F.col(c).cast(T.StringType()).alias(c) if c in fields else
            F.lit(None).cast(T.StringType()).alias(c) for c in EVENT_COLUMNS]
    return df.select(*cols)


def replay_spark(df: DataFrame, program: str | Path | types.ModuleType, *, at: datetime | None = None,
                 tier: str | None = None, generated: Path | None = None,
                 counts: ReplayCounts | None = None) -> DataFrame:
    """Every target of every ticket of `df` (an event log): a DataFrame of RESULT_SCHEMA, one row per
    ticket x applicable target, equal to `kernel.replay()` (and so to the scalar `ticket()`).

    `program`: a `.policy` file (compiled here, on the driver), a generated module file or a loaded
    module; `generated`: the generated module file (or generated/python/) to ship instead of compiling.
    `at`: where the tickets stand (an aware datetime; None: at the last event of the whole log, one
    Spark job to find it); `tier`: the tier of tickets whose registration names none (a contract's).
    `counts`: a ReplayCounts to count the tickets (kernel, fallback, refused) in; without it a ticket
    the kernel refuses fails the run (TicketsRefused in the task). Lazy, as any DataFrame."""
    if at is not None and (not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None):
        raise ValueError(f"at must be an aware datetime (with its offset), got {at!r}")
    source = generated_source(program, generated)
    module_of(source)  # fails here, on the driver, if this runtime cannot run it (RUNTIME_API)
    events = _events(df)
    if at is None:
        # "the end of the log" is the whole log's, not a partition's: found before the partitions split it
        last = events.agg(F.unix_micros(F.max("at"))).first()
        if last is None or last[0] is None:
            raise ValueError("the event log is empty: give at= to replay it")
        at = _EPOCH + timedelta(microseconds=int(last[0]))
    ordered = (events.withColumn(_SEQ, F.monotonically_increasing_id())
               .repartition("ticket")
               .sortWithinPartitions("ticket", "at", _SEQ))
    return ordered.mapInArrow(_Replay(source, at.astimezone(UTC), tier, counts), RESULT_SCHEMA)


_PERIODS = {"month": "yyyy-MM", "year": "yyyy"}


def target_zones(program: str | Path | types.ModuleType, generated: Path | None = None) -> dict[str, str]:
    """target -> the zone of its calendar (where attainment periods are read), as kernel.replay()
    records it in its results' metadata (`target_zones`), which a DataFrame does not carry."""
    zones: dict[str, str] = {}
    kernel._percentiles(module_of(generated_source(program, generated)), zones)
    return zones


def attainment_spark(results: DataFrame, period: str = "month", *,
                     program: str | Path | types.ModuleType | None = None,
                     zones: Mapping[str, str] | str | None = None) -> DataFrame:
    """Attainment of the percentile targets in replay_spark() results, in Spark SQL, as
    `kernel.attainment()` counts it on one machine (ATTAINMENT_SCHEMA): per period (month | quarter |
    year of the registration's local date) x tier x priority x target with a percentile, `total`
    targets settled or past due (met or breached), `met`, `share` (percent met), `required` (the
    percentile) and `attained` (share >= required).

    The periods are read in each target calendar's zone: `program`'s (target_zones()), or `zones`
    (target -> zone, or one zone for all); a target named in neither: UTC."""
    if period not in ("month", "quarter", "year"):
        raise ValueError(f"period must be month, quarter or year, got {period!r}")
    by_target: dict[str, str] = dict(target_zones(program)) if program is not None else {}
    if isinstance(zones, str):
        by_target, default = {}, zones
    else:
        by_target.update(zones or {})
        default = "UTC"
    for zone in {default, *by_target.values()}:
        try:
            ZoneInfo(zone)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError(f"unknown time zone {zone!r} (an IANA name, e.g. Europe/Moscow)") from None
    session_zone = results.sparkSession.conf.get("spark.sql.session.timeZone") or "UTC"
    # the registration's wall time in the target's zone, whatever the session's zone (a timestamp
    # without zone: year, month and quarter of it are the local ones)
    wall = F.col("registered_at").cast(T.TimestampNTZType())

    def local_in(zone: str) -> Column:
        return F.convert_timezone(F.lit(session_zone), F.lit(zone), wall)

    local = local_in(default)
    for target, zone in sorted(by_target.items(), reverse=True):
        local = F.when(F.col("target") == target, local_in(zone)).otherwise(local)
    per = (F.concat(F.year(local).cast("string"), F.lit("-Q"), F.quarter(local).cast("string"))
           if period == "quarter" else F.date_format(local, _PERIODS[period]))
    counted = results.where(F.col("percentile").isNotNull() & F.col("state").isin("met", "breached"))
    grouped = (counted.groupBy(per.alias("period"), "tier", "priority", "target")
               .agg(F.count(F.lit(1)).alias("total"),
                    F.sum(F.when(F.col("state") == "met", 1).otherwise(0)).cast("long").alias("met"),
                    F.max("percentile").alias("required")))
    return (grouped.select("period", "tier", "priority", "target", "total", "met",
                           (F.lit(100.0) * F.col("met") / F.col("total")).alias("share"), "required",
                           (F.lit(100.0) * F.col("met") >= F.col("required") * F.col("total")).alias("attained"))
            .orderBy("period", "tier", "priority", "target"))
