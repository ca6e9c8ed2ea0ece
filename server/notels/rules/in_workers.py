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
from notels.vault.parallel import BATCH, decode_frame, run_in_workers, write_frame
from notels.vault.shipped import ShippedIndex, index_from_shipped
from notels.vault.summary import Stamp

FINDINGS_JOB = "findings"

# A note's findings; None when the worker did not check it: gone, unreadable, or no longer
# what the index saw (the parent must read it itself, to index what changed).
CheckedNote = tuple[str, list[Finding] | None]

# Below the server's priority: a client waits on the server, not on this.
_NICENESS = 5


def findings_in_workers(
    root: Path, config: Config, shipped: ShippedIndex, relatives: Sequence[str], workers: int
) -> Generator[list[CheckedNote], None, None]:
    """The findings of `relatives` against the index shipped, a batch at a time, in order.

    Raises WorkerFailed (or OSError) when a process breaks; the batches yielded until then
    stay valid."""
    batches = [list(relatives[i : i + BATCH]) for i in range(0, len(relatives), BATCH)]
    workers = max(1, min(workers, len(batches)))
    jobs = [
        pickle.dumps((FINDINGS_JOB, str(root), config, shipped, batches[k::workers]))
        for k in range(workers)
    ]
    for payload in run_in_workers(jobs, len(batches)):
        checked: list[CheckedNote] = decode_frame(pickle.loads, payload)
        yield checked


def serve_findings(job: tuple[Any, ...], sink: BinaryIO) -> None:
    """The worker's side of findings_in_workers."""
    _, root_text, config, shipped, batches = job
    with contextlib.suppress(OSError):  # else as fast as the server
        os.nice(_NICENESS)
    index = index_from_shipped(Path(root_text), config, shipped)
    changed: set[str] = set()

    def stale(path: str, note: Note, problem: FileProblem | None, stamp: Stamp) -> None:
        changed.add(path)

    index.on_stale = stale
    for batch in batches:
        results: list[CheckedNote] = []
        for relative in batch:
            note = index.notes.get(relative)
            if note is None or relative in changed:
                results.append((relative, None))
            else:
                results.append((relative, check_note(relative, note, index, config)))
        write_frame(sink, pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
