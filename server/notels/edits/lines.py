"""Line-break helpers for edits that add or remove whole lines without changing a file's style."""

from __future__ import annotations

import re

from notels.syntax.note import Note

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def break_at(text: str, offset: int) -> str:
    """The line break that starts at `offset` (`\\r\\n`, `\\r`, `\\n`), or "" when none does."""
    if text.startswith("\r\n", offset):
        return "\r\n"
    if text.startswith(("\r", "\n"), offset):
        return text[offset]
    return ""


def break_before(text: str, offset: int) -> str:
    """The line break that ends right at `offset`, or "" (start of text, or mid-line)."""
    if offset >= 2 and text.startswith("\r\n", offset - 2):
        return "\r\n"
    if offset >= 1 and text[offset - 1] in "\r\n":
        return text[offset - 1]
    return ""


def preferred_break(text: str) -> str:
    """The file's own line break: its first one; `\\n` for a one-line or empty text."""
    match = _LINE_BREAK.search(text)
    return match.group() if match is not None else "\n"


def line_break_near(text: str, offset: int) -> str:
    """The break of the line ending at `offset`, else the one before it, else the file's.

    Mixed-ending files exist (a CRLF note edited on Linux); matching the neighbouring line keeps
    an edit from adding a third style to such a file.
    """
    return break_at(text, offset) or break_before_line(text, offset) or preferred_break(text)


def break_before_line(text: str, offset: int) -> str:
    """The break that ends the line before the one holding `offset`."""
    start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset))
    if start < 0:
        return ""
    if text[start] == "\n" and start >= 1 and text[start - 1] == "\r":
        return "\r\n"
    return text[start]


def line_bounds(note: Note, offset: int) -> tuple[int, int, int]:
    """(line start, content end, next line start) of the line holding `offset`.

    The next line start is the content end when the line is the text's last.
    """
    lines = note.lines
    line = lines.line_of(offset)
    start = lines.line_start(line)
    end = lines.line_end(line)
    following = lines.line_start(line + 1) if line + 1 < lines.line_count else end
    return start, end, following
