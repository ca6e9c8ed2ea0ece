"""The server's own watch over vault folders, for editors that report no file changes.

The LSP leaves watching to the client (`workspace/didChangeWatchedFiles`); an editor that does
not take the server's watchers, or that takes them and reports only its own writes (Helix),
would leave notes changed by Obsidian, git or a sync tool stale in the index until a restart.
watchfiles (inotify, FSEvents, ReadDirectoryChangesW) watches on a thread of its own and hands
over batches of changed paths.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import watchfiles

log = logging.getLogger(__name__)

# (deleted, created, changed): each path once, as it is on disk when the batch is handed over.
DiskChanges = tuple[list[Path], list[Path], list[Path]]

# Changes closer together than this come in one batch: a `git checkout` is one, not thousands.
_DEBOUNCE_MS = 200
_STEP_MS = 50


# watchfiles.Change.added; the module is imported on the watcher's thread, when one starts: it
# brings anyio along, 70 ms that a server whose editor watches never spends.
_ADDED = 1


def sorted_changes(changes: Iterable[tuple[watchfiles.Change, str]]) -> DiskChanges:
    """A batch of watchfiles' changes as what each path is now. The batch is a set, in no
    order: a file saved by replacing it can be in it as added and deleted both, and the disk
    says which came last."""
    added: set[str] = set()
    paths: dict[str, None] = {}
    for change, path in changes:
        paths[path] = None
        if change == _ADDED:
            added.add(path)
    deleted, created, changed = [], [], []
    for path in sorted(paths):
        if not os.path.lexists(path):
            deleted.append(Path(path))
        elif path in added:
            created.append(Path(path))
        else:
            changed.append(Path(path))
    return deleted, created, changed


class DiskWatcher:
    """Watches a set of folders on a thread; `on_changes` is called on that thread."""

    def __init__(self, on_changes: Callable[[DiskChanges], None]) -> None:
        self._on_changes = on_changes
        self._roots: frozenset[Path] = frozenset()
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    @property
    def roots(self) -> frozenset[Path]:
        return self._roots

    def watch(self, roots: Iterable[Path]) -> None:
        """Watch these folders (and what is under them) from now on; none stops watching."""
        wanted = frozenset(roots)
        if wanted == self._roots:
            return
        self.stop()
        self._roots = wanted
        if not wanted:
            return
        stop = self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(sorted(wanted), stop), name="notels-disk-watch", daemon=True
        )
        self._thread.start()
        log.info("watching %s for changes on disk", ", ".join(map(str, sorted(wanted))))

    def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()
        self._stop = self._thread = None
        self._roots = frozenset()

    def _run(self, roots: list[Path], stop: threading.Event) -> None:
        try:
            import watchfiles

            for changes in watchfiles.watch(
                *roots,
                debounce=_DEBOUNCE_MS,
                step=_STEP_MS,
                stop_event=stop,
                raise_interrupt=False,
                ignore_permission_denied=True,
            ):
                if stop.is_set():
                    return
                self._on_changes(sorted_changes(changes))
        except Exception as error:  # a root deleted, the watch limit reached, no watchfiles
            if not stop.is_set():
                log.warning("watching %s for changes stopped: %s", roots, error)
