"""Wall time of `notels check` (the real CLI, in a subprocess) on generated vaults.

    python benchmarks/bench_check.py --notes 1000 10000 --runs 5

Vaults are generated once into benchmarks/.vaults/, shared with the other benchmarks (seeded, so
every run measures the same bytes). Prints a table and writes benchmarks/results/check.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_vault import ensure_vault  # noqa: E402
from installed import compile_server, server_environment  # noqa: E402


def time_check(root: Path) -> tuple[float, int]:
    """(seconds, peak RSS in KiB) of one `notels check` run."""
    env = server_environment()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "notels", "check", "--quiet", "--exit-zero", str(root)],
        stdout=subprocess.DEVNULL,
        env=env,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"notels check failed on {root}")
    return elapsed, usage.ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    compile_server()
    rows = []
    for notes in args.notes:
        root = ensure_vault(notes, args.seed)
        times, peaks = [], []
        for _ in range(args.runs):
            elapsed, peak = time_check(root)
            times.append(elapsed)
            peaks.append(peak)
        rows.append(
            {
                "notes": notes,
                "runs": args.runs,
                "median_s": statistics.median(times),
                "min_s": min(times),
                "max_s": max(times),
                "peak_rss_mb": max(peaks) / 1024,
            }
        )
    print(f"{'notes':>7} {'median s':>9} {'min s':>7} {'max s':>7} {'peak RSS MB':>12}")
    for row in rows:
        print(
            f"{row['notes']:>7} {row['median_s']:>9.2f} {row['min_s']:>7.2f} "
            f"{row['max_s']:>7.2f} {row['peak_rss_mb']:>12.0f}"
        )
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "check.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
