"""A vault's index sent to a worker process, which runs the rules on some of its notes.

The summaries, file problems and attachments cross; the notes do not (a parsed Note costs more
to send than to parse again): the worker's index reads each note from disk when a rule asks.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from notels.config import Config
from notels.vault.files import FileProblem
from notels.vault.index import UNREAD_PROBLEMS, VaultIndex
from notels.vault.notes import note_from_disk, text_from_disk
from notels.vault.summary import NoteSummary

# (path -> summary as a plain tuple, path -> file problem, attachment paths)
ShippedIndex = tuple[dict[str, tuple[object, ...]], dict[str, FileProblem], list[str]]


def ship_index(index: VaultIndex) -> ShippedIndex:
    return (
        {relative: tuple(summary) for relative, summary in index.summaries.items()},
        dict(index.file_problems),
        list(index.attachments()),
    )


def index_from_shipped(root: Path, config: Config, shipped: ShippedIndex) -> VaultIndex:
    """The index `ship_index` was given, reading notes from `root` on demand."""
    summaries, problems, attachments = shipped
    index = VaultIndex(
        partial(note_from_disk, root, config),
        keep_notes=False,
        text_loader=partial(text_from_disk, root, config),
    )
    for attachment in attachments:
        index.add_attachment(attachment)
    for relative, summary in summaries.items():
        index.set_summary(relative, tuple.__new__(NoteSummary, summary), problems.get(relative))
    for relative, problem in problems.items():
        if problem.kind in UNREAD_PROBLEMS and relative not in index.summaries:
            index.set_problem(problem)  # a link to it still opens the file
        else:
            index.file_problems.setdefault(relative, problem)
    return index
