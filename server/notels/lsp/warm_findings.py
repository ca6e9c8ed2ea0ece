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
from collections.abc import Sequence

from notels.rules.in_workers import CheckedNote, findings_in_workers, workers_for
from notels.vault.parallel import WorkerFailed
from notels.vault.shipped import ShippedIndex, ship_index

from .indexer import start_thread
from .workspace import Vault, Workspace

log = logging.getLogger(__name__)


class WarmRun:
    """One vault's notes being checked in workers, in the order given, against the index as it
    was at `moment` of the vault's findings cache."""

    def __init__(self, vault: Vault, run: int, paths: Sequence[str], moment: int) -> None:
        self.vault = vault
        self.run = run  # the indexing run whose index is copied
        self.moment = moment
        self.config = vault.config
        self.shipped: ShippedIndex | None = ship_index(vault.index)  # until the workers have it
        # Each path to check -> its place in the order they are checked (the dict's order).
        self.positions = {path: position for position, path in enumerate(paths)}
        self.done = 0  # paths whose batch came back (or will not)
        self.finished = False
        self.superseded = False  # a newer run of the vault replaces it: its workers stop
        # It ended before its last note, its findings no longer to be taken (superseded, or the
        # cache cleared): a pass waiting on it may follow a newer run.
        self.stopped = False
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
        # Unfinished runs only: a finished one would keep its vault, index and all, in memory.
        self._runs: dict[Vault, WarmRun] = {}

    def start(self, vault: Vault, run: int, paths: Sequence[str]) -> WarmRun | None:
        """Check in workers those of `paths` (in this order) whose findings are not cached, when
        there are enough of them to pay for the processes; the run already doing so when there
        is one. None: the caller checks them itself."""
        with vault.lock:
            if not vault.ready_in(run):
                return None
            current = self._runs.get(vault)
            if current is not None and not current.superseded:
                if current.run == run and not vault.cache.cleared_since(current.moment):
                    return current
                current.superseded = True  # none of its findings would be taken
            index = vault.index
            unchecked = [
                path
                for path in paths
                if path not in vault.cache
                and path in index.summaries
                and path not in vault.open_docs  # its text is the editor's, not the file's
            ]
            workers = workers_for(len(unchecked), len(index.summaries))
            if not unchecked or workers == 0:
                return None
            # The notes to check, and the index they are checked against, as of one moment:
            # a note opened or changed after it drops its entry after it (see put_if_current).
            warm = WarmRun(vault, run, unchecked, vault.cache.moment())
        loop = asyncio.get_running_loop()
        try:
            start_thread(
                f"notels-findings-{vault.root.name}",
                lambda: self._check(warm, workers, loop),
            )
        except RuntimeError as error:  # no thread to spare: the pass checks the notes itself
            log.warning("checking notes in this process: %s", error)
            return None
        self._runs[vault] = warm
        return warm

    def _check(self, warm: WarmRun, workers: int, loop: asyncio.AbstractEventLoop) -> None:
        """On a thread of its own: the batches as they come, into the vault's findings cache."""
        vault, done, taken = warm.vault, 0, 0
        try:
            shipped, warm.shipped = warm.shipped, None
            assert shipped is not None
            started = time.perf_counter()
            paths = list(warm.positions)
            batches = findings_in_workers(vault.root, warm.config, shipped, paths, workers)
            for batch in batches:
                found = self._put(warm, batch)
                if found is None:
                    batches.close()  # ends the workers: their findings would not be taken
                    return
                taken += found
                done += len(batch)
                loop.call_soon_threadsafe(warm._advance, done, False)
            log.info(
                "checked %d of %d notes of %s in %d worker processes in %.2f s",
                taken,  # the others were left to the server, or changed meanwhile
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
                loop.call_soon_threadsafe(self._finish, warm, done)

    def _finish(self, warm: WarmRun, done: int) -> None:  # on the event loop
        if self._runs.get(warm.vault) is warm:
            del self._runs[warm.vault]
        warm._advance(done, True)

    def _put(self, warm: WarmRun, batch: list[CheckedNote]) -> int | None:
        """The batch's findings into the cache: how many were taken; None when the run is
        over (superseded, the cache cleared, the vault re-indexed or dropped)."""
        vault = warm.vault
        taken = 0
        with vault.lock:
            if not vault.ready_in(warm.run) or self._workspace.vaults.get(vault.root) is not vault:
                return None
            if warm.superseded or vault.cache.cleared_since(warm.moment):
                warm.stopped = True
                return None
            for path, findings in batch:
                if findings is not None:
                    entry = (self._workspace.new_result_id(), findings)
                    taken += vault.cache.put_if_current(path, entry, warm.moment)
        return taken


class WarmPass:
    """A pass over `paths` behind the workers: `await before(i)` ahead of the note paths[i].

    When the run it follows stops early (a newer one replaced it, or the cache was cleared),
    it follows the run checking the notes left, rather than checking them all itself."""

    def __init__(
        self, warm_findings: WarmFindings, vault: Vault, run: int, paths: Sequence[str]
    ) -> None:
        self._warm_findings = warm_findings
        self._vault = vault
        self._run = run
        self._paths = paths
        self._current = warm_findings.start(vault, run, paths)

    async def before(self, position: int) -> None:
        current = self._current
        if current is None:
            return
        path = self._paths[position]
        await current.until_checked(path)
        in_run = current.positions.get(path)
        if current.stopped and in_run is not None and current.done <= in_run:
            rest = self._paths[position:]
            self._current = self._warm_findings.start(self._vault, self._run, rest)
            if self._current is not None:
                await self._current.until_checked(path)
