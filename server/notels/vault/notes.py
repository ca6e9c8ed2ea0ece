"""One note read from disk and parsed."""

from __future__ import annotations

from pathlib import Path

from notels.config import Config
from notels.syntax.note import Note, parse_note
from notels.vault.files import FileProblem, ProblemKind, ReadNote, read_note
from notels.vault.summary import NoteSummary, Stamp, summarize_text


def load_note(
    root: Path, relative: str, config: Config
) -> tuple[Note | None, FileProblem | None, Stamp | None]:
    """Read and parse one note: (note, problem to keep with it, the file's stamp), or
    (None, why it was skipped, None)."""
    read = read_note(root, relative, config.max_file_bytes)
    if read.text is None:
        return None, read.problem, None
    return parse_note(read.text), _kept_problem(read), read.stamp


def load_summary(
    root: Path, relative: str, config: Config
) -> tuple[NoteSummary | None, FileProblem | None]:
    """`load_note`'s note summarized, without building the Note (see summarize_text)."""
    read = read_note(root, relative, config.max_file_bytes)
    if read.text is None:
        return None, read.problem
    return summarize_text(read.text, read.stamp), _kept_problem(read)


def _kept_problem(read: ReadNote) -> FileProblem | None:
    # Only a decoding problem travels with a parsed note; the other kinds skip the file.
    problem = read.problem
    return problem if problem is not None and problem.kind is ProblemKind.INVALID_UTF8 else None


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
