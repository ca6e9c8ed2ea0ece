"""Reading and summarizing many notes on the machine's other cores.

Parsing is CPU-bound Python: threads would share one core. Worker processes each read and
parse a batch of files and send back only the summaries, which are small tuples (a whole Note
costs more to send than to parse again). Workers are started with "spawn": forking a process
that runs threads (the server) can copy a lock another thread holds.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from notels.config import Config
from notels.vault.files import FileProblem
from notels.vault.loader import load_note
from notels.vault.summary import NoteSummary, summarize

# (path, summary or None when the file was skipped, problem to report)
Summarized = tuple[str, NoteSummary | None, FileProblem | None]

WORKERS_VARIABLE = "NOTELS_INDEX_PROCESSES"  # "0": never use worker processes
# Below this many files to parse, starting processes costs more than it saves.
_POOL_MIN_FILES = 400
_BATCH = 96


def summarize_file(root: Path, relative: str, config: Config) -> Summarized:
    note, problem, stamp = load_note(root, relative, config)
    return relative, summarize(note, stamp) if note is not None else None, problem


def _summarize_batch(root: str, batch: Sequence[str], config: Config) -> list[Summarized]:
    return [summarize_file(Path(root), relative, config) for relative in batch]


def _quiet_worker() -> None:
    # A worker's objects live for one batch and are freed by reference counting; the cyclic
    # collector would only rescan them (as in loader.paused_gc).
    gc.disable()


def worker_count(files: int) -> int:
    """Worker processes to use for `files` files: 0 means parse in this process."""
    configured = os.environ.get(WORKERS_VARIABLE, "").strip()
    if configured.isdigit():
        return int(configured)
    if files < _POOL_MIN_FILES:
        return 0
    return min(os.cpu_count() or 1, 4) if (os.cpu_count() or 1) > 1 else 0


class SummaryPool:
    """A process pool for summaries, started ahead of need so the first batch does not wait."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None

    def _start(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_quiet_worker,
            )
        return self._executor

    def summarize(
        self, root: Path, relatives: Sequence[str], config: Config
    ) -> Iterator[list[Summarized]]:
        """Batches of results in the order they finish. Raises when the pool breaks."""
        executor = self._start()
        futures: list[Future[list[Summarized]]] = [
            executor.submit(_summarize_batch, str(root), relatives[i : i + _BATCH], config)
            for i in range(0, len(relatives), _BATCH)
        ]
        try:
            for future in futures:
                yield future.result()
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
