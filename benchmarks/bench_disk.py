#!/usr/bin/env python3
"""Benchmark many notes changing on disk at once, as a `git checkout` or a sync does it.

On a copy of a generated vault (the generated one is never touched), a running server, its
first indexing done and a note of the benchmark's open, hears in one
`workspace/didChangeWatchedFiles` that N notes changed (each got a line with a link and a
heading) or that N notes were deleted. Meanwhile the benchmark asks for the open note's
symbols every 10 ms, like an editor that keeps asking. It reports:

- blocked: the longest wait for one of those answers (the editor's longest stall);
- first answer: the wait for the answer sent right after the notification;
- indexed: until the open note, which links to the heading the last changed note gets, is
  published without diagnostics (deletions: until the first answer).

Usage::

    python benchmarks/bench_disk.py                       # 10,000 notes; 2,000 changed, deleted
    python benchmarks/bench_disk.py --notes 1000 --count 200 --rounds 3

Prints a table and writes JSON to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench_server import RESULTS, BenchClient, ensure_vault, launch_and_index, wait_for_cache
from benchstats import median
from lsprotocol import types

PROBE_INTERVAL_S = 0.01


@dataclass
class DiskResult:
    notes: int
    kind: str  # "changed" or "deleted"
    count: int
    blocked_s: list[float]
    first_answer_s: list[float]
    indexed_s: list[float]


async def one_round(root: Path, kind: str, count: int, seed: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory(prefix="notels-bench-disk-") as scratch:
        vault = Path(scratch) / root.name
        shutil.copytree(root, vault, symlinks=True)
        notes = sorted(vault.rglob("*.md"))
        chosen = random.Random(seed).sample(notes, count)
        # The open note links to the heading the last changed note gets: its diagnostics say
        # when that note is indexed.
        probe = vault / "Проба бенчмарка.md"
        last = chosen[-1].relative_to(vault).with_suffix("").as_posix()
        probe.write_text(f"[[{last}#Изменено {count - 1}]]\n", encoding="utf-8")
        cache = Path(scratch) / "cache"
        bench, _ = await launch_and_index(vault, cache)
        try:
            await wait_for_cache(cache)  # the server's work after its first indexing is done
            return await change_and_probe(bench, probe, chosen, kind)
        finally:
            await bench.stop()


async def change_and_probe(
    bench: BenchClient, probe: Path, chosen: list[Path], kind: str
) -> tuple[float, float, float]:
    uri = probe.as_uri()
    await bench.open(uri, probe.read_text(encoding="utf-8"))
    events = []
    for number, path in enumerate(chosen):
        if kind == "changed":
            with path.open("a", encoding="utf-8") as file:
                file.write(f"\n## Изменено {number}\nСм. [[Новая заметка {number % 50}]]\n")
            events.append(types.FileEvent(uri=path.as_uri(), type=types.FileChangeType.Changed))
        else:
            path.unlink()
            events.append(types.FileEvent(uri=path.as_uri(), type=types.FileChangeType.Deleted))
    assert bench.published.get(uri), "the open note links to a heading not yet written"
    sent = time.perf_counter()
    bench.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=events)
    )
    document = types.TextDocumentIdentifier(uri=uri)
    waits: list[float] = []
    while True:
        asked = time.perf_counter()
        await bench.client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=document)
        )
        waits.append(time.perf_counter() - asked)
        if kind == "deleted":
            break  # done on the event loop, before this answer
        if uri in bench.published and not bench.published[uri]:
            break  # the heading is found: the last changed note is indexed
        if time.perf_counter() - sent > 120:
            raise SystemExit(f"the server did not index {len(chosen)} changed notes in 120 s")
        await asyncio.sleep(PROBE_INTERVAL_S)
    return max(waits), waits[0], time.perf_counter() - sent


async def bench_disk(notes: int, count: int, rounds: int) -> list[DiskResult]:
    root = ensure_vault(notes)
    results = []
    for kind in ("changed", "deleted"):
        runs = [await one_round(root, kind, count, seed) for seed in range(rounds)]
        results.append(
            DiskResult(
                notes,
                kind,
                count,
                [run[0] for run in runs],
                [run[1] for run in runs],
                [run[2] for run in runs],
            )
        )
    return results


def print_table(results: list[DiskResult]) -> None:
    print(
        f"{'notes':>7} {'event':>8} {'count':>6} {'blocked s':>10} {'first s':>8} {'indexed s':>10}"
    )
    for r in results:
        print(
            f"{r.notes:>7} {r.kind:>8} {r.count:>6} {median(r.blocked_s):>10.3f}"
            f" {median(r.first_answer_s):>8.3f} {median(r.indexed_s):>10.3f}"
        )
    print("medians over the rounds; blocked = the longest wait for an answer meanwhile")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--count", type=int, default=2000, help="notes changed or deleted")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    results = asyncio.run(bench_disk(args.notes, args.count, args.rounds))
    print_table(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench_disk-{time.strftime('%Y%m%d-%H%M%S')}.json"
    payload = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "results": [asdict(r) for r in results],
    }
    out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
