"""Build a VaultIndex from a folder on disk."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from notels.config import Config
from notels.syntax.note import Note, parse_note
from notels.vault.files import FileProblem, ProblemKind, read_note, scan_vault
from notels.vault.index import VaultIndex
from notels.vault.summary import Stamp

# Called after each file with (files done, files in all).
Progress = Callable[[int, int], None]


def load_vault(root: Path, config: Config, progress: Progress | None = None) -> VaultIndex:
    """Index every note under `root`; unreadable or odd files are recorded, never fatal."""
    root = root.resolve()
    index = VaultIndex()
    files = scan_vault(root, config.ignore)
    for problem in files.problems:
        index.file_problems[problem.path] = problem
    for attachment in files.attachments:
        index.add_attachment(attachment)
    total = len(files.notes)
    with paused_gc():
        for done, relative in enumerate(files.notes, start=1):
            note, note_problem, stamp = load_note(root, relative, config)
            if note is not None:
                index.set_note(relative, note, note_problem, stamp)
            elif note_problem is not None:
                index.set_problem(note_problem)
            if progress is not None:
                progress(done, total)
    return index


def load_note(
    root: Path, relative: str, config: Config
) -> tuple[Note | None, FileProblem | None, Stamp | None]:
    """Read and parse one note: (note, problem to keep with it, the file's stamp), or
    (None, why it was skipped, None)."""
    read = read_note(root, relative, config.max_file_bytes)
    if read.text is None:
        return None, read.problem, None
    # Only a decoding problem travels with a parsed note; the other kinds skip the file.
    problem = (
        read.problem if read.problem and read.problem.kind is ProblemKind.INVALID_UTF8 else None
    )
    return parse_note(read.text), problem, read.stamp


class _GcPause:
    """Counts the threads loading a vault; the collector runs again when the last one ends."""

    lock = threading.Lock()
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
            if _GcPause.users == 0 and _GcPause.was_enabled:
                gc.freeze()
                gc.enable()


def collect_and_freeze() -> None:
    """Free the cyclic garbage frozen by `paused_gc`, then freeze the survivors again.

    About 0.15 s for a 10,000-note index, with the GIL held: a long-running process calls it
    once the index is announced complete.
    """
    with _GcPause.lock:
        if _GcPause.users:
            return  # another load is running: its end will come here again
        gc.unfreeze()
        gc.collect()
        gc.freeze()
