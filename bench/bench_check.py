"""Check-time benchmark: synthetic policies of 1k, 10k and 100k lines, and `policyc check policies/`.

Prints medians side by side with the per-1,000-line figure, so growth is visible in one run.
Run: `.venv/bin/python bench/bench_check.py` (or `make bench`).
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from policy_lang import sources  # noqa: E402
from policy_lang.compiler import compile_file  # noqa: E402

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


def main() -> None:
    print("policy check time (in-process, after start-up; median)")
    print(f"{'lines':>8} {'total ms':>10} {'ms / 1k lines':>14}")
    with tempfile.TemporaryDirectory() as tmp:
        compile_file(REPO / "policies" / "landesk_support.policy")  # warm: grammar, calendars
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
            print(f"{real:>8} {t * 1000:>10.1f} {t * 1000 / (real / 1000):>14.2f}")
    exe = Path(sys.executable).with_name("policyc")
    cmd = [str(exe), "check", str(REPO / "policies")]
    subprocess.run(cmd, capture_output=True, check=True)  # warm the grammar cache
    t = median_time(lambda: subprocess.run(cmd, capture_output=True, check=True), 7)
    print(f"\n`policyc check policies/` as a whole process: median {t * 1000:.0f} ms (7 runs)")


if __name__ == "__main__":
    main()
