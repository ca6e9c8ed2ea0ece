#!/usr/bin/env python3
"""Benchmark the editor features (completion, navigation, symbols) as pure calls on an index.

Builds the index of a generated vault with `notels.vault.loader.load_vault`, then measures:

- completion after `[[` with 1, 2 and 3 typed characters (prefixes of real note names), each
  call right after the edit that typed them (the index changes on every keystroke, so the
  name catalog's refresh is part of the cost), and with a typo;
- go to definition and hover on random links;
- references on a link to the most linked note, and from that note's frontmatter;
- document symbols of the largest note; workspace symbols, with and without an edit before.

Median and p95 over many calls. Budget: completion < 30 ms p95 on 10,000 notes.

Usage::

    python benchmarks/bench_features.py                        # 10,000 notes, 300 calls each
    python benchmarks/bench_features.py --vault /tmp/vault10k --calls 100
    python benchmarks/bench_features.py --notes 1000

Without `--vault`, a vault made by generate_vault.py is reused from benchmarks/.vaults/ (made
first when missing). Prints a table and writes JSON to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from random import Random

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))

from benchstats import median, p95  # noqa: E402

from notels.config import Config  # noqa: E402
from notels.features import (  # noqa: E402
    complete,
    definition,
    document_symbols,
    hover,
    references,
    workspace_symbols,
)
from notels.features.catalog import name_catalog  # noqa: E402
from notels.syntax.model import Link  # noqa: E402
from notels.syntax.note import Note, parse_note  # noqa: E402
from notels.vault.index import VaultIndex  # noqa: E402
from notels.vault.loader import load_vault  # noqa: E402

RESULTS = HERE / "results"
BUDGET_MS = 30.0
CONFIG = Config()


@dataclass
class Measure:
    name: str
    samples_ms: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def median_ms(self) -> float:
        return median(self.samples_ms)

    @property
    def p95_ms(self) -> float:
        return p95(self.samples_ms)

    @property
    def max_ms(self) -> float:
        return max(self.samples_ms)


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def repeat(name: str, function: Callable[[], object], calls: int, note: str = "") -> Measure:
    return Measure(name, [timed(function) for _ in range(calls)], note)


def vault_root(args: argparse.Namespace) -> Path:
    if args.vault is not None:
        return Path(args.vault)
    from generate_vault import ensure_vault

    return ensure_vault(args.notes, args.seed)


def typing_note(index: VaultIndex) -> tuple[str, str]:
    """A note of ordinary size (the median length) to type into: (path, text)."""
    by_length = sorted(index.notes.items(), key=lambda item: len(item[1].text))
    path, note = by_length[len(by_length) // 2]
    return path, note.text


def bench_completion(
    index: VaultIndex, path: str, base: str, prefixes: list[str], name: str
) -> Measure:
    measure = Measure(name)
    sizes = []
    for prefix in prefixes:
        text = f"{base}\nSee [[{prefix}"
        note = parse_note(text)
        index.set_note(path, note)  # as the server does on didChange, before the request
        start = time.perf_counter()
        result = complete(index, path, note, len(text), CONFIG)
        measure.samples_ms.append((time.perf_counter() - start) * 1000)
        sizes.append(len(result.items))
    measure.note = f"{statistics.mean(sizes):.0f} items on average"
    return measure


def links_of(index: VaultIndex, rng: Random, count: int) -> list[tuple[str, Note, Link]]:
    with_links = [(p, n) for p, n in index.notes.items() if n.links]
    picked: list[tuple[str, Note, Link]] = []
    for _ in range(count):
        path, note = rng.choice(with_links)
        picked.append((path, note, rng.choice(note.links)))
    return picked


def middle(link: Link) -> int:
    return (link.target_span.start + link.target_span.end) // 2


def run(args: argparse.Namespace) -> dict[str, object]:
    rng = Random(args.seed)
    root = vault_root(args)
    start = time.perf_counter()
    index = load_vault(root, CONFIG)
    load_s = time.perf_counter() - start
    print(f"{len(index.notes)} notes indexed in {load_s:.1f} s from {root}", flush=True)
    calls = args.calls
    measures: list[Measure] = []

    cold = Measure("name catalog, first build", [timed(lambda: name_catalog(index))])
    measures.append(cold)

    path, base = typing_note(index)
    stems = [Path(p).stem for p in index.notes]
    for length in (1, 2, 3):
        prefixes = [rng.choice(stems)[:length] for _ in range(calls)]
        measures.append(
            bench_completion(index, path, base, prefixes, f"completion [[ + {length} chars")
        )
    typos = []
    for _ in range(calls):
        stem = rng.choice([s for s in stems if len(s) >= 8])
        cut = rng.randrange(2, len(stem) - 1)
        typos.append(stem[:cut] + stem[cut + 1 :])  # one letter dropped
    measures.append(bench_completion(index, path, base, typos, "completion [[ + typo"))
    index.set_note(path, parse_note(base))

    picked = links_of(index, rng, calls)
    for name, feature in (("definition", definition), ("hover on a link", hover)):
        samples = [
            timed(partial(feature, index, path_, note, middle(link), CONFIG))
            for path_, note, link in picked
        ]
        measures.append(Measure(name, samples))

    # The most linked note among those a bare name reaches (not the twin of an ambiguous name).
    reachable = [p for p in index.notes if index.resolve_target(Path(p).stem, p).path == p]
    popular = max(reachable, key=lambda p: len(index.linkers_of(p)))
    resolved = [
        (source, link)
        for source in sorted(index.linkers_of(popular))
        for link in index.notes[source].links
        if link.target and index.resolve(link, source).path == popular
    ]
    source, link = resolved[0]
    source_note = index.notes[source]
    found = references(index, source, source_note, middle(link), CONFIG)
    measures.append(
        repeat(
            "references on a link",
            lambda: references(index, source, source_note, middle(link), CONFIG),
            calls,
            f"to {popular}: {len(found)} links",
        )
    )
    popular_note = index.notes[popular]
    measures.append(
        repeat(
            "references from frontmatter",
            lambda: references(index, popular, popular_note, 1, CONFIG),
            calls,
            "all backlinks",
        )
    )

    largest, largest_note = max(index.notes.items(), key=lambda item: len(item[1].text))
    measures.append(
        repeat(
            "document symbols",
            lambda: document_symbols(index, largest, largest_note, CONFIG),
            calls,
            f"{largest_note.lines.line_count} lines",
        )
    )

    words = [w for s in stems for w in s.split() if len(w) >= 4]
    queries = [rng.choice(words)[: rng.randrange(2, 7)] for _ in range(calls)]
    cold_symbols = timed(lambda: workspace_symbols(index, "x", CONFIG))
    measures.append(Measure("workspace symbols, first build", [cold_symbols]))
    measures.append(
        Measure(
            "workspace symbols",
            [timed(partial(workspace_symbols, index, q, CONFIG)) for q in queries],
        )
    )
    edited: list[float] = []
    for number, query in enumerate(queries):
        index.set_note(path, parse_note(f"{base}\nedit {number}"))
        edited.append(timed(partial(workspace_symbols, index, query, CONFIG)))
    measures.append(Measure("workspace symbols after an edit", edited))

    print_table(measures)
    completion = [
        m for m in measures if m.name.startswith("completion [[ + ") and "typo" not in m.name
    ]
    worst = max(m.p95_ms for m in completion)
    verdict = "within" if worst < BUDGET_MS else "OVER"
    print(f"completion p95 worst {worst:.1f} ms: {verdict} the {BUDGET_MS:.0f} ms budget")
    return {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "vault": str(root),
        "notes": len(index.notes),
        "load_s": round(load_s, 2),
        "typed_into": path,
        "calls": calls,
        "results": [
            {
                "name": m.name,
                "note": m.note,
                "median_ms": round(m.median_ms, 3),
                "p95_ms": round(m.p95_ms, 3),
                "max_ms": round(m.max_ms, 3),
                "samples": len(m.samples_ms),
            }
            for m in measures
        ],
    }


def print_table(measures: list[Measure]) -> None:
    print(f"{'':34} {'median ms':>10} {'p95 ms':>9} {'max ms':>9} {'calls':>6}")
    for m in measures:
        note = f"  {m.note}" if m.note else ""
        print(
            f"{m.name:34} {m.median_ms:>10.2f} {m.p95_ms:>9.2f} {m.max_ms:>9.2f}"
            f" {len(m.samples_ms):>6}{note}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--vault", help="an existing vault (default: a generated one)")
    parser.add_argument("--notes", type=int, default=10_000, help="size of a generated vault")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--calls", type=int, default=300, help="calls per measurement")
    args = parser.parse_args(argv)
    payload = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench_features-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
