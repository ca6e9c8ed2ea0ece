"""Fill a vault's index from disk on a background thread, live: queries see it grow.

Reading and parsing happen outside the vault lock, a batch at a time; only putting the parsed
notes into the index holds it, so the event loop waits at most for one batch's inserts. Notes the
editor has open, or that file events updated since the run began, are newer than what this run
read, so it leaves them alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from notels.vault.files import FileProblem, ProblemKind, scan_vault
from notels.vault.loader import load_note, paused_gc

from .workspace import Vault

# Called with (notes done, notes in all) from the indexing thread.
Report = Callable[[int, int], None]

_BATCH = 64


def fill_index(vault: Vault, run: int, report: Report) -> bool:
    """Index the vault for run `run`; False when a newer run superseded this one midway."""
    root, config, index = vault.root, vault.config, vault.index
    files = scan_vault(root, config.ignore)
    with vault.lock:
        if vault.run != run:
            return False
        for scan_problem in files.problems:
            if scan_problem.path not in vault.touched:
                index.file_problems[scan_problem.path] = scan_problem
        for attachment in files.attachments:
            index.add_attachment(attachment)
    total = len(files.notes)
    report(0, total)
    with paused_gc():
        for start in range(0, total, _BATCH):
            batch = files.notes[start : start + _BATCH]
            loaded = [(relative, *load_note(root, relative, config)) for relative in batch]
            with vault.lock:
                if vault.run != run:
                    return False
                for relative, note, problem in loaded:
                    if relative in vault.open_docs or relative in vault.touched:
                        continue
                    if note is not None:
                        index.set_note(relative, note, problem)
                    elif problem is not None and not _vanished(vault, problem):
                        index.set_problem(problem)
            report(start + len(batch), total)
    return True


def _vanished(vault: Vault, problem: FileProblem) -> bool:
    """A note deleted after the scan listed it is not a problem, just gone."""
    return problem.kind is ProblemKind.UNREADABLE and not (vault.root / problem.path).exists()


def start_thread(name: str, target: Callable[[], None]) -> threading.Thread:
    """A daemon thread: a dying editor must never wait for an index it no longer needs."""
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread
