"""One note read from disk and parsed."""

from __future__ import annotations

from pathlib import Path

from notels.config import Config
from notels.syntax.note import Note, parse_note
from notels.vault.files import FileProblem, ProblemKind, read_note
from notels.vault.summary import Stamp


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


def note_from_disk(
    root: Path, config: Config, relative: str
) -> tuple[Note, FileProblem | None, Stamp] | None:
    """A note an index dropped from memory, read again for whoever needs all of it."""
    note, problem, stamp = load_note(root, relative, config)
    return (note, problem, stamp) if note is not None and stamp is not None else None


def text_from_disk(root: Path, config: Config, relative: str) -> tuple[str, Stamp] | None:
    """A note's text without a parse, for positions in it, and the file's stamp."""
    read = read_note(root, relative, config.max_file_bytes)
    return (read.text, read.stamp) if read.text is not None else None
