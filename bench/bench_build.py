"""`policyc build` of policies/ (six programs, two contracts: 38 files), as whole processes, side by side:
a full build into an empty directory, a build after one program was edited, and a no-op build.

Prints the median and minimum wall time of several runs of each, their CPU time (user + system of the
build and its workers: what the machine spent, whatever else ran on it), and each as a ratio of the
full build, next to the bars of issue 17. Run: `.venv/bin/python bench/bench_build.py [--runs N]`.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
POLICYC = Path(sys.executable).with_name("policyc")
EDITED = "juniper_care_core.policy"
TITLE = '"Juniper Care Core"'


def run(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one `policyc` process (its children, the render workers, included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    res = subprocess.run([str(POLICYC), *args], cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode != 0:
        sys.exit(f"policyc {' '.join(args)} failed ({res.returncode}): {res.stderr.strip()[:500]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each build (the no-op twice as many)")
    runs = max(1, parser.parse_args().runs)
    if not POLICYC.exists():
        sys.exit(f"no {POLICYC}: run `make setup` first")
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "policies", root / "policies", ignore=shutil.ignore_patterns("examples"))
        shutil.copytree(REPO / "contracts", root / "contracts")
        build = ["build", "policies", "--out", "gen"]
        run(build, root)  # warm the caches (bytecode, fontconfig) once, not measured
        results: dict[str, list[tuple[float, float]]] = {"full": [], "one program edited": [], "no-op": []}
        for _ in range(runs):
            shutil.rmtree(root / "gen")
            results["full"].append(run(build, root))
        source = root / "policies" / EDITED
        text = source.read_text(encoding="utf-8")
        for i in range(runs):  # a different title each time: that program's 5 outputs change, nothing else
            source.write_text(text.replace(TITLE, f'"Juniper Care Core {i}"', 1), encoding="utf-8")
            results["one program edited"].append(run(build, root))
        for _ in range(2 * runs):
            results["no-op"].append(run(build, root))
        check = [run(["build", "--check", "policies", "--out", "gen"], root) for _ in range(max(1, runs // 2))]
    bars: dict[str, tuple[str, Callable[[float, float], bool]]] = {
        "full": ("<= 2.5 s", lambda m, full: m <= 2.5),
        "one program edited": ("<= 1/4 of full", lambda m, full: m <= full / 4),
        "no-op": ("<= 0.300 s", lambda m, full: m <= 0.300)}
    full = statistics.median(w for w, _ in results["full"])
    print(f"policyc build policies/ (6 programs + 2 contract instances, 38 files), {os.cpu_count()} CPU(s), "
          f"{runs} runs ({2 * runs} for the no-op)")
    print(f"{'build':<20} {'median s':>9} {'min s':>7} {'CPU s':>7} {'x full':>7}  {'bar':<16} met")
    for name, samples in results.items():
        walls = [w for w, _ in samples]
        median = statistics.median(walls)
        cpu = statistics.median(c for _, c in samples)
        bar, ok = bars[name]
        print(f"{name:<20} {median:>9.3f} {min(walls):>7.3f} {cpu:>7.2f} {median / full:>7.3f}  {bar:<16} "
              f"{'yes' if ok(median, full) else 'NO'}")
    walls = [w for w, _ in check]
    print(f"{'check (renders all)':<20} {statistics.median(walls):>9.3f} {min(walls):>7.3f} "
          f"{statistics.median(c for _, c in check):>7.2f} {statistics.median(walls) / full:>7.3f}")
    load = os.getloadavg()
    print(f"load average during the bench: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
