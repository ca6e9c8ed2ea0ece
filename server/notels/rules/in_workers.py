"""The rules on many notes of an indexed vault, in worker processes (see vault/parallel.py).

The server checks every note once a client asks for the whole vault's diagnostics: 10,000
notes take about 5 s of parsing and rules, which in its own process would also hold up every
request meanwhile. Each worker rebuilds the index from its summaries and checks its share.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from notels.config import Config
from notels.findings import Finding
from notels.rules.engine import check_note
from notels.syntax.note import Note
from notels.vault.files import FileProblem
from notels.vault.index import VaultIndex
from notels.vault.parallel import BATCH, decode_frame, run_in_workers, worker_count, write_frame
from notels.vault.shipped import ShippedIndex, index_from_shipped
from notels.vault.summary import Stamp
from notels.vault.workers import configured_workers

FINDINGS_JOB = "findings"

# A note's findings; None when the worker did not check it: gone, unreadable, or no longer
# what the index saw (the parent must read it itself, to index what changed).
CheckedNote = tuple[str, list[Finding] | None]

# See workers_for.
_MIN_NOTES = 120
_NOTES_PER_NOTE_CHECKED = 100

# Below the server's priority: a client waits on the server, not on this.
_NICENESS = 5


def workers_for(notes_to_check: int, notes: int) -> int:
    """How many worker processes check `notes_to_check` notes of a vault of `notes` sooner
    than this process would: 0 when none do.

    A worker starts (about 0.2 s) and rebuilds the whole index from its summaries (16 µs a
    note) before it checks anything. A note checked in a pass on the event loop costs the
    server about 1.7 ms (read, parsed, checked, its report built), and the workers' answer
    for it far less: workers pay from about 120 + notes / 100 notes to check, and never
    below worker_count's 400. Measured after a sync at 10,000 notes, the server's CPU and
    the time to the last report: 530 notes checked, 1.55 s and 2.1 s in the server, 0.55 s
    and 1.8-2.1 s with workers; 945 notes, 2.05 s and 2.65 s against 0.70 s and 2.4 s.
    (The rule was 800 + notes / 16, from a check of 500 µs: what a worker pays.)
    """
    workers = worker_count(notes_to_check)
    if workers == 0 or configured_workers() is not None:
        return workers
    enough = _MIN_NOTES + notes // _NOTES_PER_NOTE_CHECKED
    return workers if notes_to_check >= enough else 0


def findings_in_workers(
    root: Path, config: Config, shipped: ShippedIndex, relatives: Sequence[str], workers: int
) -> Generator[list[CheckedNote], None, None]:
    """The findings of `relatives` against the index shipped, a batch at a time, in order.

    Raises WorkerFailed (or OSError) when a process breaks; the batches yielded until then
    stay valid."""
    batches = [list(relatives[i : i + BATCH]) for i in range(0, len(relatives), BATCH)]
    workers = max(1, min(workers, len(batches)))
    vault = pickle.dumps((str(root), config, shipped), protocol=pickle.HIGHEST_PROTOCOL)
    jobs = [pickle.dumps((FINDINGS_JOB, vault, batches[k::workers])) for k in range(workers)]
    for payload in run_in_workers(jobs, len(batches)):
        checked: list[CheckedNote] = decode_frame(pickle.loads, payload)
        yield checked


def serve_findings(job: tuple[Any, ...], sink: BinaryIO) -> None:
    """The worker's side of findings_in_workers."""
    _, vault, batches = job
    if hasattr(os, "nice"):  # not on Windows
        with contextlib.suppress(OSError):  # else as fast as the server
            os.nice(_NICENESS)
    root_text, config, shipped = pickle.loads(vault)
    index = index_from_shipped(Path(root_text), config, shipped)
    changed: set[str] = set()

    def stale(path: str, note: Note, problem: FileProblem | None, stamp: Stamp) -> None:
        changed.add(path)

    index.on_stale = stale
    for batch in batches:
        results: list[CheckedNote] = []
        for relative in batch:
            results.append((relative, _findings(relative, index, config, changed)))
        write_frame(sink, pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))


def _findings(
    relative: str, index: VaultIndex, config: Config, changed: set[str]
) -> list[Finding] | None:
    try:
        note = index.notes.get(relative)
        if note is None or relative in changed:
            return None
        return check_note(relative, note, index, config)
    except Exception:
        # A rule failing on one odd note leaves that note to the server, which logs why; the
        # other notes of the vault stay the workers'.
        return None
