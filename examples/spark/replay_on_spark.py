"""Compliance over a ticket history on Spark: every target of every ticket, then attainment per month.

    python examples/spark/replay_on_spark.py PROGRAM --events EVENTS.parquet --out DIR
        [--generated MODULE.py] [--tier TIER] [--at ISO] [--period month|quarter|year] [--master URL]

reads a Parquet event log (columns ticket, at (timestamp with time zone), kind, value, priority,
request, tier: the ticket-life schema), runs `policy_lang.batch.spark.replay_spark` (the batch kernel
inside `mapInArrow`, the same answers as the scalar `ticket()`), and writes DIR/targets.parquet (one
row per ticket x applicable target) and DIR/attainment.parquet (per period x tier x priority x
target with a percentile), then prints a summary. Without --master it runs in a local session.

The recipe: running it on a cluster
-----------------------------------
1. What the executors need. The kernel runs in the executors' Python workers, over the program's
   *generated module*, a plain Python file that imports only `policy_lang.runtime` (stdlib only).
   The executors need that runtime and the batch kernel, never the compiler:

       pip install policy-lang-runtime 'policy_lang[batch]'      # on every executor image / node

   (the [batch] extra: numpy, pyarrow, duckdb, matplotlib; pyspark itself is the cluster's). Where
   nodes cannot install packages, ship them with the job instead: build the wheels
   (`pip wheel policy_lang policy-lang-runtime -w wheels/`), pack an environment with
   `venv-pack`/`conda-pack` and pass it as `spark-submit --archives env.tar.gz#env` with
   `spark.pyspark.python=./env/bin/python`; or, for the pure-Python parts, zip `policy_lang/` and
   pass `--py-files policy_lang.zip` (numpy and pyarrow must then already be on the nodes). The
   Python version and pyarrow must match the driver's (Spark's Arrow exchange).
2. The program. The driver turns PROGRAM into the generated module's text: a `.policy` file is
   compiled on the driver (which needs `policy_lang` with its compiler), a generated module (what
   `policyc build` writes to generated/python/<id>.py, or --generated) is read as is, so a driver
   without the compiler runs it too. The text (tens of kilobytes) travels inside the task closure;
   each Python worker compiles it once and keeps it (workers are reused: spark.python.worker.reuse),
   keyed by its sha256, so a rebuilt program is never confused with the old one. A module generated
   for another runtime API is refused on the driver before any task starts.
3. Partitioning and memory. replay_spark repartitions the log by `ticket` (a shuffle: every event of
   a ticket meets in one partition) and sorts each partition by ticket, time and input order; Arrow
   batches of `spark.sql.execution.arrow.maxRecordsPerBatch` events (10 000 by default) go to the
   kernel one at a time, a ticket cut by a batch's end carried into the next. A Python worker thus
   holds one batch and its results (a few MB), not its partition: size executors for Spark's shuffle
   and sort, and leave `spark.executor.pyspark.memory` / memoryOverhead ~512 MB for the worker
   (numpy, pyarrow, the module's calendars). Raise `spark.sql.shuffle.partitions` with the log (for
   example one partition per 1-2 M events); one ticket with a huge history is the only thing that
   does not split. `--at` fixes the instant every ticket is answered at; without it, the last event of
   the whole log (one extra Spark job finds it: not a partition's last).
4. Counting, never dropping. A ticket the kernel refuses (an unknown status, an instant outside a
   calendar's horizon ...) has no rows; ReplayCounts counts it, with the first messages, and this
   script prints them. Without counts=, replay_spark fails the run on such a ticket instead.
   Validate logs first (`policyc replay` reports bad rows with their line) when in doubt.
5. Attainment. attainment_spark() aggregates in Spark SQL; the periods are read in each target
   calendar's zone (program=), whatever `spark.sql.session.timeZone` is.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("program", type=Path, help="a .policy file or a generated module (generated/python/<id>.py)")
    parser.add_argument("--events", type=Path, required=True, help="the event log, Parquet (a file or a directory)")
    parser.add_argument("--out", type=Path, required=True, help="the directory to write targets/ and attainment/ to")
    parser.add_argument("--generated", type=Path, help="the generated module to ship instead of compiling PROGRAM")
    parser.add_argument("--tier", help="the tier of tickets whose registration names none (a contract's tier)")
    parser.add_argument("--at", help="where the tickets stand, ISO 8601 with its offset (default: the log's end)")
    parser.add_argument("--period", choices=("month", "quarter", "year"), default="month")
    parser.add_argument("--master", default=None, help="Spark master URL (default: local[*], or spark-submit's)")
    args = parser.parse_args(argv)

    at = None
    if args.at is not None:
        try:
            at = datetime.fromisoformat(args.at)
        except ValueError:
            parser.error(f"--at: not an ISO 8601 date-time: {args.at!r}")
        if at.tzinfo is None:
            parser.error(f"--at: a naive time ({args.at}); give its offset, e.g. {args.at}+03:00")
    for path, what in ((args.program, "program"), (args.events, "event log")):
        if not path.exists():
            print(f"error: no {what} {path}", file=sys.stderr)
            return 2

    # a local run: the Python workers are this interpreter (the one with pyarrow and policy_lang)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark import SparkConf
    from pyspark.errors import PySparkException
    from pyspark.sql import SparkSession

    from policy_lang.batch.spark import ReplayCounts, attainment_spark, replay_spark
    from policy_lang.diagnostics import PolicyError

    builder = SparkSession.builder.appName("policy_lang replay")
    if args.master or not SparkConf().contains("spark.master"):  # spark-submit's --master otherwise
        builder = builder.master(args.master or "local[*]")
    spark = (builder.config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true")
             .config("spark.ui.showConsoleProgress", "true" if sys.stderr.isatty() else "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    started = time.perf_counter()
    try:
        events = spark.read.parquet(str(args.events))
        counts = ReplayCounts(spark.sparkContext)
        targets = replay_spark(events, args.program, at=at, tier=args.tier, generated=args.generated, counts=counts)
        # the results are written once and read back for the attainment: the replay runs once
        args.out.mkdir(parents=True, exist_ok=True)
        targets.write.mode("overwrite").parquet(str(args.out / "targets.parquet"))
        written = spark.read.parquet(str(args.out / "targets.parquet"))
        attainment = attainment_spark(written, args.period, program=args.generated or args.program)
        attainment.coalesce(1).write.mode("overwrite").parquet(str(args.out / "attainment.parquet"))
        rows = written.count()
        summary = attainment.collect()
        tickets, by_kernel, fallback, failed = (counts.tickets, counts.kernel_tickets, counts.fallback_tickets,
                                                counts.failed_tickets)
        failures = counts.failures
    except (PolicyError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except PySparkException as e:  # a task failed: its message, not the JVM's stack
        print(f"error: Spark: {str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__}",
              file=sys.stderr)
        return 1
    finally:
        elapsed = time.perf_counter() - started
        spark.stop()
    print(f"{tickets} tickets ({by_kernel} by the kernel, {fallback} by the scalar ticket(), {failed} refused): "
          f"{rows} targets in {elapsed:.1f} s")
    for ticket, message in failures[:10]:
        print(f"  refused: ticket {ticket}: {message}")
    print(f"{args.out / 'targets.parquet'}, {args.out / 'attainment.parquet'} ({len(summary)} rows):")
    for r in summary[:24]:
        mark = "attained" if r["attained"] else "MISSED"
        print(f"  {r['period']}  {r['tier']}  {r['priority']}  {r['target']}: {r['met']}/{r['total']} "
              f"= {r['share']:.1f} % (required {r['required']:g} %) {mark}")
    if len(summary) > 24:
        print(f"  ... {len(summary) - 24} more")
    return 0


if __name__ == "__main__":
    sys.exit(main())
