"""The findings of a vault's notes, checked in worker processes ahead of a pass that reports
them all (a workspace pull, a full vault status).

At 10,000 notes the first such pass parsed and checked every note on the event loop: 7.8 s of
CPU in 20 ms turns, so the Problems panel filled 8-12 s after the index, and every request
meanwhile shared the loop with it. Now the notes whose findings are not cached go to worker
processes, which check them against a copy of the index; the pass follows behind, taking each
note's findings from the cache as its batch lands. A note whose entry a change dropped since
the copy was made is not taken (see FindingsCache.put_if_current): the pass checks it itself,
as it does every note when there are few, or no workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Sequence

from notels.rules.in_workers import CheckedNote, findings_in_workers, workers_pay
from notels.vault.parallel import WorkerFailed, worker_count
from notels.vault.shipped import ship_index

from .indexer import start_thread
from .workspace import Vault, Workspace

log = logging.getLogger(__name__)


class WarmRun:
    """One vault's notes being checked in workers, in the order given."""

    def __init__(self, vault: Vault, run: int, paths: Sequence[str]) -> None:
        self.vault = vault
        self.run = run  # the indexing run whose index is copied
        self.positions = {path: position for position, path in enumerate(paths)}
        self.paths = list(paths)
        self.done = 0  # paths whose batch came back (or will not)
        self.finished = False
        self._progress = asyncio.Event()

    async def until_checked(self, path: str) -> None:
        """Wait until the workers are past `path` (at once when it is not theirs)."""
        position = self.positions.get(path)
        if position is None:
            return
        while not self.finished and self.done <= position:
            await self._progress.wait()

    def _advance(self, done: int, finished: bool) -> None:  # on the event loop
        self.done = done
        self.finished = finished
        self._progress.set()
        self._progress = asyncio.Event()


class WarmFindings:
    """At most one WarmRun per vault at a time."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._runs: weakref.WeakKeyDictionary[Vault, WarmRun] = weakref.WeakKeyDictionary()

    def start(self, vault: Vault, run: int, paths: Sequence[str]) -> WarmRun | None:
        """Check in workers those of `paths` (in this order) whose findings are not cached, when
        there are enough of them to pay for the processes; the run already doing so when there
        is one. None: the caller checks them itself."""
        current = self._runs.get(vault)
        if current is not None and not current.finished and current.run == run:
            return current
        with vault.lock:
            if not vault.ready_in(run):
                return None
            index = vault.index
            unchecked = [
                path
                for path in paths
                if path not in vault.cache
                and path in index.summaries
                and path not in vault.open_docs  # its text is the editor's, not the file's
            ]
            notes = len(index.summaries)
        if not unchecked or not workers_pay(len(unchecked), notes):
            return None
        workers = worker_count(len(unchecked))
        warm = WarmRun(vault, run, unchecked)
        self._runs[vault] = warm
        loop = asyncio.get_running_loop()
        start_thread(
            f"notels-findings-{vault.root.name}",
            lambda: self._check(warm, workers, loop),
        )
        return warm

    def _check(self, warm: WarmRun, workers: int, loop: asyncio.AbstractEventLoop) -> None:
        """On a thread of its own: the batches as they come, into the vault's findings cache."""
        vault, done, checked = warm.vault, 0, 0
        try:
            with vault.lock:
                if not vault.ready_in(warm.run):
                    return
                moment = vault.cache.moment()
                shipped = ship_index(vault.index)
                config = vault.config
            started = time.perf_counter()
            batches = findings_in_workers(vault.root, config, shipped, warm.paths, workers)
            for batch in batches:
                checked += sum(findings is not None for _, findings in batch)
                if not self._put(warm, moment, batch):
                    batches.close()  # ends the workers: the index they copied is gone
                    return
                done += len(batch)
                loop.call_soon_threadsafe(warm._advance, done, False)
            log.info(
                "checked %d of %d notes of %s in %d worker processes in %.2f s",
                checked,
                done,
                vault.root,
                workers,
                time.perf_counter() - started,
            )
        except (OSError, WorkerFailed) as error:
            log.warning("checking notes in this process: worker processes failed (%s)", error)
        except Exception:
            log.exception("checking notes in worker processes failed")
        finally:
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody waits
                loop.call_soon_threadsafe(warm._advance, done, True)

    def _put(self, warm: WarmRun, moment: int, batch: list[CheckedNote]) -> bool:
        vault = warm.vault
        with vault.lock:
            if not vault.ready_in(warm.run) or self._workspace.vaults.get(vault.root) is not vault:
                return False
            for path, findings in batch:
                if findings is not None:
                    entry = (self._workspace.new_result_id(), findings)
                    vault.cache.put_if_current(path, entry, moment)
        return True
