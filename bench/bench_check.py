"""Check-time benchmark: synthetic policies of 1k, 10k and 100k lines, and `policyc check policies/`.

Prints medians side by side with the per-1,000-line figure and the bars, so growth is visible in
one run; the whole-process figure is printed next to the previous reference and the target.
Run: `.venv/bin/python bench/bench_check.py` (or `make bench`).

`--against DIR` times the whole process of this tree and of another checkout `DIR` (e.g. `git
worktree add /tmp/before HEAD~3`) in one interleaved run, wall and CPU time (user + sys of the
process), with their ratios: on a shared machine the only fair before/after figure.

The whole process is timed as deployed: bytecode caching on (`PYTHONDONTWRITEBYTECODE` is
dropped for the timed runs, so the first warm-up run writes the `__pycache__` files that an
installed package has), stdout to a pipe. This machine has 2 cores shared with other work: the
figures move by 5-10 % between runs, hence medians of many runs and the minimum beside them.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from policy_lang.frontend import compile_file  # noqa: E402
from policy_lang.syntax import sources  # noqa: E402

#: ms per 1,000 lines, in-process (issue 8).
PER_1K_BAR = 25.0
#: `policyc check policies/` as a whole process, ms: before issue 8, and the target.
WHOLE_REFERENCE, WHOLE_TARGET = 250.0, 150.0

HEADER = '''program synthetic {
    title   "Синтетическая программа"
    vendor  "Bench"
}
holidays ru "РФ" {
    official RU years 2024 .. 2026
}
calendar office "рабочие часы" {
    zone   "Europe/Moscow"
    hours  mon-fri 08:00-17:00
    except ru
}
channel phone "телефон" {
    available office
}
tiers by points "пункты" {
    low   "Low"   0 .. 99
    high  "High"  100 ..
}
'''

UNIT = '''# block {i}
event e{i} "событие {i}"
clause c{i} "Пункт {i}" § {i}.1 {{
    text """Текст пункта {i}: исполнитель обязан
    ответить в течение рабочего дня."""
}}
obligation o{i} "Обязательство {i}" § {i}.2 {{
    by     executor
    from   e{i}
    within 5 business days on office
}}
'''  # 12 lines


def synthetic(lines: int) -> str:
    units = max(1, (lines - HEADER.count("\n") - 4) // UNIT.count("\n"))
    parts = [HEADER, 'parties {\n    executor "ИСПОЛНИТЕЛЬ" "роль"\n}\n']
    parts.extend(UNIT.format(i=i) for i in range(units))
    return "".join(parts)


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def process_times(cmd: list[str], runs: int, warmup: int = 3) -> list[float]:
    """Wall times of `cmd` as a fresh process, bytecode caching on."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for _ in range(warmup):
        subprocess.run(cmd, capture_output=True, check=True, env=env, cwd=REPO)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, env=env, cwd=REPO)
        times.append(time.perf_counter() - t0)
    return times


def tree_times(tree: Path, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU times of one `policyc check policies` of the tree `tree` (its own `policy_lang`
    first on the path, this interpreter), one run per call after two warm-ups."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    code = "import sys; from policy_lang.cli import main; sys.argv[0] = 'policyc'; sys.exit(main())"
    cmd = [sys.executable, "-c", code, "check", "policies"]
    wall, cpu = [], []
    for i in range(runs + 2):
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"`policyc check policies` failed in {tree}")
        if i >= 2:
            wall.append(time.perf_counter() - t0)
            cpu.append(usage.ru_utime + usage.ru_stime)
    return wall, cpu


def against(other: Path, runs: int) -> None:
    trees = {"this tree": REPO, str(other): other}
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in trees}
    for _ in range(runs):  # interleaved, so that a burst of load hits both
        for name, tree in trees.items():
            wall, cpu = tree_times(tree, 1)
            times[name][0].extend(wall)
            times[name][1].extend(cpu)
    print(f"`policyc check policies/`, whole process, {runs} interleaved runs each (bytecode cached)")
    print(f"{'':>28} {'wall median':>12} {'wall min':>9} {'CPU median':>11} {'CPU min':>8}")
    for name, (wall, cpu) in times.items():
        print(f"{name:>28} {statistics.median(wall) * 1000:>10.0f}ms {min(wall) * 1000:>7.0f}ms"
              f" {statistics.median(cpu) * 1000:>9.0f}ms {min(cpu) * 1000:>6.0f}ms")
    (w1, c1), (w2, c2) = times.values()
    print(f"{'this tree / other':>28} {statistics.median(w1) / statistics.median(w2):>12.3f} {'':>9}"
          f" {statistics.median(c1) / statistics.median(c2):>11.3f}")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--against":
        against(Path(sys.argv[2]).resolve(), 21)
        return
    print(f"policy check time (in-process, after start-up; median)   bar: <= {PER_1K_BAR:.0f} ms per 1,000 lines")
    print(f"{'lines':>8} {'total ms':>10} {'ms / 1k lines':>14} {'of bar':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        compile_file(REPO / "policies" / "landesk_support.policy")  # warm: parser tables, calendars
        for n in (1_000, 10_000, 100_000):
            path = Path(tmp) / f"synthetic_{n}.policy"
            text = synthetic(n)
            path.write_text(text, encoding="utf-8")
            real = text.count("\n")

            def run(path: Path = path) -> None:
                sources._PARSED.clear()  # measure parsing, not the per-process cache
                r = compile_file(path)
                assert r.ok, r.diagnostics[:3]

            t = median_time(run, 5 if n < 100_000 else 3)
            per_1k = t * 1000 / (real / 1000)
            print(f"{real:>8} {t * 1000:>10.1f} {per_1k:>14.2f} {per_1k / PER_1K_BAR:>7.0%}")

    exe = Path(sys.executable).with_name("policyc")
    runs = 21
    start = process_times([sys.executable, "-c", "pass"], runs)
    whole = process_times([str(exe), "check", "policies"], runs)
    print(f"\n`policyc check policies/` as a whole process ({runs} runs, bytecode cached)")
    print(f"{'':>28} {'median':>8} {'min':>8} {'reference':>10} {'target':>8} {'ref/median':>11} {'median/target':>14}")
    print(f"{'python -c pass':>28} {statistics.median(start) * 1000:>6.0f}ms {min(start) * 1000:>6.0f}ms")
    med = statistics.median(whole) * 1000
    print(f"{'policyc check policies/':>28} {med:>6.0f}ms {min(whole) * 1000:>6.0f}ms {WHOLE_REFERENCE:>8.0f}ms"
          f" {WHOLE_TARGET:>6.0f}ms {WHOLE_REFERENCE / med:>10.2f}x {med / WHOLE_TARGET:>13.2f}x"
          f"  {'met' if med <= WHOLE_TARGET else 'MISSED'}")


if __name__ == "__main__":
    main()
