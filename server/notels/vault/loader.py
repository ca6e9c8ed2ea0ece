"""Build a VaultIndex from a folder on disk."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from notels.config import Config
from notels.vault.files import FileProblem, ProblemKind, scan_vault
from notels.vault.index import VaultIndex
from notels.vault.notes import load_note, note_from_disk, text_from_disk
from notels.vault.parallel import summarize_all, workers_pay_twice

# Called after each file with (files done, files in all).
Progress = Callable[[int, int], None]


def load_vault(
    root: Path, config: Config, progress: Progress | None = None, keep_notes: bool | None = True
) -> VaultIndex:
    """Index every note under `root`; unreadable or odd files are recorded, never fatal.

    With `keep_notes=False` the index holds summaries (made in worker processes when there are
    many notes) and parses a note again when asked for it: for a run that reads each note
    once, this takes a fraction of the memory, and the parsing happens on every core. `None`
    chooses by the vault's size (see parallel.workers_pay_twice).
    """
    root = root.resolve()
    files = scan_vault(root, config.ignored)
    if keep_notes is None:
        keep_notes = not workers_pay_twice(len(files.notes))
    if keep_notes:
        index = VaultIndex()
    else:
        index = VaultIndex(
            partial(note_from_disk, root, config),
            keep_notes=False,
            text_loader=partial(text_from_disk, root, config),
        )
    for scan_problem in files.problems:
        index.file_problems[scan_problem.path] = scan_problem
    for attachment in files.attachments:
        index.add_attachment(attachment)
    total = len(files.notes)
    done = 0
    with paused_gc():
        if keep_notes:
            for relative in files.notes:
                note, problem, stamp = load_note(root, relative, config)
                if note is not None:
                    index.set_note(relative, note, problem, stamp)
                elif problem is not None and not vanished(root, problem):
                    index.set_problem(problem)
                done += 1
                if progress is not None:
                    progress(done, total)
            return index
        for batch in summarize_all(root, files.notes, config):
            for relative, summary, problem in batch:
                if summary is not None:
                    index.set_summary(relative, summary, problem)
                elif problem is not None and not vanished(root, problem):
                    index.set_problem(problem)
            done += len(batch)
            if progress is not None:
                progress(done, total)
    return index


def vanished(root: Path, problem: FileProblem) -> bool:
    """A note deleted after it was listed (or read) is not a problem, just gone."""
    if problem.kind not in _READ_PROBLEMS:
        return False
    try:
        os.stat(root / problem.path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False  # there, but out of reach (a folder it lies in cannot be searched)
    return False


# Problems found reading a file, which a deleted file no longer has.
_READ_PROBLEMS = frozenset({ProblemKind.UNREADABLE, ProblemKind.BINARY, ProblemKind.TOO_LARGE})


class _GcPause:
    """Counts the threads loading a vault; the collector runs again when the last one ends."""

    lock = threading.Condition()  # notified when the last one ends
    users = 0
    was_enabled = True


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a vault is parsed, then freeze what survived.

    Parsing allocates millions of small acyclic objects that all stay alive in the index; every
    collection would rescan them for nothing (measured: more than half of a 10,000-note load).
    Freezing afterwards keeps later full collections from rescanning the index, which would
    otherwise stall a keystroke; it also keeps the first allocation after the pause from paying
    for a full collection at once. Notes are acyclic, so reference counting still frees replaced
    ones; cyclic garbage made during the pause is frozen too, until `collect_and_freeze`.
    """
    with _GcPause.lock:
        if _GcPause.users == 0:
            _GcPause.was_enabled = gc.isenabled()
            gc.disable()
        _GcPause.users += 1
    try:
        yield
    finally:
        with _GcPause.lock:
            _GcPause.users -= 1
            if _GcPause.users == 0:
                if _GcPause.was_enabled:
                    gc.freeze()
                    gc.enable()
                _GcPause.lock.notify_all()


@contextmanager
def long_lived() -> Iterator[None]:
    """Build objects that live as long as the index (a search table over it) as the index is
    built: with the collector paused, and frozen after (see `paused_gc`), so that later full
    collections skip them. The garbage of the moment is collected first, for the freeze not to
    keep it: everything else is frozen already, so that costs little."""
    with _GcPause.lock:
        collect = _GcPause.users == 0 and gc.isenabled()
    if collect:
        gc.collect()
    with paused_gc():
        yield


def collect_and_freeze() -> bool:
    """Free the cyclic garbage frozen by `paused_gc`, then freeze the survivors again; False,
    doing nothing, while a load holds the collector paused (see `wait_for_loads`).

    About 0.15 s for a 10,000-note index, with the GIL held: a long-running process calls it
    once the index is announced complete.
    """
    with _GcPause.lock:
        if _GcPause.users:
            return False
        gc.unfreeze()
        gc.collect()
        gc.freeze()
    return True


def wait_for_loads(timeout: float) -> None:
    """Return once no load holds the collector paused, or after `timeout` seconds."""
    with _GcPause.lock:
        _GcPause.lock.wait_for(lambda: _GcPause.users == 0, timeout)
