"""Problems met while reading a file, reported like any rule's findings."""

from __future__ import annotations

from notels.findings import Severity
from notels.rules.base import register_reader_rule
from notels.vault.files import FileProblem, ProblemKind

INVALID_ENCODING = "invalid-encoding"
SKIPPED_FILE = "skipped-file"

register_reader_rule(
    INVALID_ENCODING,
    Severity.WARNING,
    "A note that is not valid UTF-8.",
    """
The file holds bytes that are not UTF-8. notels reads it with replacement characters, so
positions after them may be off and an editor may damage the text on save. Re-save it as UTF-8.
""",
)
register_reader_rule(
    SKIPPED_FILE,
    Severity.WARNING,
    "A file that was not indexed: too large, binary, unreadable, no regular file, or a symlink "
    "not followed.",
    """
notels skips `.md` files over `max-file-size` bytes, files holding NUL bytes (binary files named
`.md`), files it cannot read, FIFOs, sockets and devices named `.md` (never opened), and
symlinks that lead outside the vault, into a loop or to nothing.
A symlink to a note or folder the scan reaches itself is not followed either: it is indexed
once, under its own path (a second name would make every card ID in it a duplicate). Links to
such notes are still checked against their names.
""",
)


def problem_code(kind: ProblemKind) -> str:
    return INVALID_ENCODING if kind is ProblemKind.INVALID_UTF8 else SKIPPED_FILE


_WHY = {
    ProblemKind.INVALID_UTF8: "Not valid UTF-8: read with replacement characters; save it as UTF-8",
    ProblemKind.TOO_LARGE: "Not indexed: too large",
    ProblemKind.BINARY: "Not indexed: a binary file, not a text note",
    ProblemKind.UNREADABLE: "Not indexed: cannot be read",
    ProblemKind.SYMLINK_OUTSIDE: "Not followed: a symlink leading outside the vault",
    ProblemKind.SYMLINK_LOOP: "Not followed: a symlink loop",
    ProblemKind.SYMLINK_BROKEN: "Not followed: a symlink to nothing",
    ProblemKind.SYMLINK_ALIAS: "Not followed: a symlink to a note or folder indexed as itself",
    ProblemKind.NOT_A_FILE: "Not indexed: no regular file",
}


def problem_message(problem: FileProblem) -> str:
    return f"{_WHY[problem.kind]} ({problem.detail})."
