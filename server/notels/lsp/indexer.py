"""Fill a vault's index from disk on a background thread, live: queries see it grow.

Notes whose file is unchanged since the last run (same size and mtime) come from the persistent
index cache; the others are read and summarized, in worker processes when there are many, in
this thread otherwise. Only putting summaries into the index holds the vault lock, a batch at a
time, so the event loop waits at most for one batch's inserts. Notes the editor has open, or
that file events updated since the run began, are newer than what this run read, so it leaves
them alone.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Iterable

from notels.vault.cache import CacheSnapshot, cache_snapshot, read_cache, write_cache
from notels.vault.files import read_note, scan_vault
from notels.vault.index import VaultIndex
from notels.vault.loader import collect_and_freeze, paused_gc, vanished, wait_for_loads
from notels.vault.parallel import Summarized, summarize_all

from .memory import release_free_memory
from .workspace import ReadJob, Vault, Workspace, under

log = logging.getLogger(__name__)

# Called with (notes done, notes in all) from the indexing thread.
Report = Callable[[int, int], None]


def fill_index(vault: Vault, run: int, report: Report) -> bool:
    """Index the vault for run `run`; False when a newer run superseded this one midway."""
    root, config = vault.root, vault.config
    with paused_gc():  # the cache alone is a million small objects: see paused_gc
        files = scan_vault(root, config.ignored)
        with vault.lock:
            if vault.run != run:
                return False
            # What a file event changed since the scan (a path, or a folder it lies in) is
            # newer than what the scan saw.
            for scan_problem in files.problems:
                if not touched(vault, scan_problem.path):
                    vault.index.file_problems[scan_problem.path] = scan_problem
            for attachment in files.attachments:
                if not touched(vault, attachment):
                    vault.index.add_attachment(attachment)
        total = len(files.notes)
        report(0, total)
        cached = read_cache(root, config.max_file_bytes)
        fresh: set[str] = set()
        stale: list[str] = []
        for relative in files.notes:
            entry = cached.notes.get(relative)
            if entry is not None and entry[0].stamp == files.stamps.get(relative):
                fresh.add(relative)
            else:
                stale.append(relative)
        with vault.lock:
            if vault.run != run:
                return False  # a newer run keeps its own account of the cache
            vault.reused = len(fresh)
            # Unchanged when every note came from it and it holds no note the vault lost.
            vault.cache_current = not stale and len(cached.notes) == len(fresh)
        if fresh and cached.tables is not None:
            with vault.lock:
                if vault.run != run:
                    return False
                # Notes set since the run began are newer than the cache (see `_insert`).
                protected = vault.open_docs.keys() | vault.touched
                protected |= {p for p in fresh if touched(vault, p)}  # under a folder event
                try:
                    vault.index.restore(cached.tables, fresh, protected)
                except Exception:
                    # Only a cache written by a broken notels gets here: parse everything.
                    log.exception("index cache of %s unusable", root)
                    stale, fresh = list(files.notes), set()
                    vault.reused, vault.cache_current = 0, False
            report(len(fresh), total)
        del cached
        done = len(fresh)
        for batch in summarize_all(root, stale, config):
            if not _insert(vault, run, batch):
                return False
            done += len(batch)
            report(done, total)
    return True


def touched(vault: Vault, relative: str) -> bool:
    """Was the path, or a folder it lies in, set or removed since the run began?"""
    marks = vault.touched
    return bool(marks) and (relative in marks or under(relative, marks))


def _insert(vault: Vault, run: int, batch: Iterable[Summarized]) -> bool:
    index = vault.index
    with vault.lock:
        if vault.run != run:
            return False
        for relative, summary, problem in batch:
            if relative in vault.open_docs or touched(vault, relative):
                continue
            if summary is not None:
                index.set_summary(relative, summary, problem)
            elif problem is not None and not vanished(vault.root, problem):
                index.set_problem(problem)
    return True


# Tries of the collection after a run, each after the loads running then (see Settling._settle).
_COLLECT_ATTEMPTS = 5
_LOAD_WAIT_S = 120.0


class Settling:
    """What an indexing run leaves to do once its index is announced, and the client pauses.

    Writing the index cache (`marshal.dumps`: about 0.1 s with 10,000 notes, 0.5 s with 50,000)
    and a full garbage collection to free a few hundred objects (as long) each hold the GIL
    throughout: they wait until the client has sent nothing for a while, not to stall the
    first requests after startup. A shutdown writes at once what is still unwritten.
    """

    def __init__(self, wait_until_quiet: Callable[[], None]) -> None:
        self._wait_until_quiet = wait_until_quiet
        self._unsaved: dict[Vault, int] = {}  # vault -> the run whose cache is not written
        self._waiting: set[Vault] = set()  # vaults whose thread waits for a pause
        self._unsaved_lock = threading.Lock()
        self._writing = threading.Lock()  # one cache write at a time

    def after_run(self, vault: Vault, run: int) -> None:
        with self._unsaved_lock:
            self._unsaved[vault] = run
        self._settle_later(vault)

    def after_drop(self, vault: Vault) -> None:
        """A vault nothing holds any more. Its index was frozen with the objects that survived
        its run (see paused_gc), and it and the vault refer to each other: only a collection
        frees it, which the settling thread makes (after writing its cache, if unwritten)."""
        self._settle_later(vault)

    def _settle_later(self, vault: Vault) -> None:
        with self._unsaved_lock:
            if vault in self._waiting:
                return  # the thread waiting already writes whichever run is newest then
            self._waiting.add(vault)
        # One thread per vault: a client that never pauses while runs follow each other (an
        # ignore glob edited, a folder moved) piled up one per run, each growing the memory.
        # The thread holds the vault weakly: a dropped one must be garbage by the collection.
        held = weakref.ref(vault)
        start_thread(f"notels-settle-{vault.root.name}", lambda: self._settle(held))

    def save_now(self) -> None:
        """Write every cache still unwritten, or wait for the one being written."""
        with self._unsaved_lock:
            unsaved = list(self._unsaved.items())
        for vault, run in unsaved:
            self._save(vault, run)
        with self._writing:
            pass

    def _settle(self, held: weakref.ref[Vault]) -> None:
        try:
            self._wait_until_quiet()
        finally:
            with self._unsaved_lock:
                # Alive: _waiting holds it until here, and _unsaved until it is written.
                vault, run = held(), None
                if vault is not None:
                    self._waiting.discard(vault)
                    run = self._unsaved.get(vault)
        if vault is not None and run is not None:
            self._save(vault, run)
        del vault  # a dropped vault is garbage now, for the collection
        # A load holding the collector paused (the name catalog built after an indexing run,
        # another run) would leave this garbage frozen: wait for it, and for another pause.
        for _ in range(_COLLECT_ATTEMPTS):
            if collect_and_freeze():
                break
            wait_for_loads(_LOAD_WAIT_S)
            self._wait_until_quiet()
        release_free_memory()

    def _save(self, vault: Vault, run: int) -> None:
        with self._writing:
            with self._unsaved_lock:
                if self._unsaved.get(vault) != run:
                    return  # written already, or a newer run will write its own
                del self._unsaved[vault]
            try:
                if not vault.cache_current and not save_cache(vault, run):
                    log.info("index cache of %s not written", vault.root)
            except Exception:
                # Only a cache is lost, and a shutdown must still answer.
                log.exception("writing the index cache of %s failed", vault.root)


def save_cache(vault: Vault, run: int) -> bool:
    """Write the notes of a finished run to the cache, unless a newer run began."""
    taken = _snapshot(vault, run)
    if taken is None:
        return False
    snapshot, editor_texts = taken
    # A note open in the editor has no file stamp; when its text is what the file holds, its
    # summary is the file's, and the next start need not parse it.
    for relative, text in editor_texts.items():
        read = read_note(vault.root, relative, vault.config.max_file_bytes)
        if read.text == text:
            snapshot.read_from_file(relative, read.stamp, read.problem)
    return write_cache(vault.root, vault.config.max_file_bytes, snapshot)


_SNAPSHOT_ATTEMPTS = 3


def _snapshot(vault: Vault, run: int) -> tuple[CacheSnapshot, dict[str, str]] | None:
    """A copy of the index's notes and tables, and the texts of its notes open in the editor;
    None when a newer run began.

    Copying 10,000 notes' tables takes 50 ms, 50,000 notes' 0.4 s: holding the vault's lock
    that long would stall the editor's requests. The copy is made without it, and kept when
    the index's generation (bumped by every change to the tables) is the same before and
    after; a change meanwhile may break the copy, or make it fail (a table that changes size
    while it is read), and it is made again. After a few attempts it is made under the lock.
    """
    for _ in range(_SNAPSHOT_ATTEMPTS):
        with vault.lock:
            if vault.run != run:
                return None
            index, generation = vault.index, vault.index.generation
        try:
            copied = _copy(index)
        except RuntimeError:  # "changed size during iteration"
            continue
        with vault.lock:
            if vault.run != run:
                return None
            if index.generation == generation:
                return copied
    with vault.lock:
        return _copy(vault.index) if vault.run == run else None


def _copy(index: VaultIndex) -> tuple[CacheSnapshot, dict[str, str]]:
    editor_texts = {
        relative: note.text
        for relative, summary in index.summaries.items()
        if summary.stamp is None and (note := index.notes.pinned.get(relative)) is not None
    }
    return cache_snapshot(index.tables()), editor_texts


def start_thread(name: str, target: Callable[[], None]) -> threading.Thread:
    """A daemon thread: a dying editor must never wait for an index it no longer needs."""
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


def read_changed(workspace: Workspace, job: ReadJob) -> None:
    """Read and index the job's notes, a batch at a time (in worker processes when there are
    many); the paths whose findings may have changed gather in `job.affected`."""
    vault = job.vault
    for batch in summarize_all(vault.root, job.relatives, vault.config):
        workspace.finish_read(job, batch)
        if vault.run != job.run:
            break
