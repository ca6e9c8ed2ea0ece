"""Positions of workspace symbols already answered, kept while their note's summary is the same.

A symbol picker sends a query per keystroke, and each answer names up to 150 symbols, most of
them in the notes the last answer named: finding their lines (the note's text read from disk
for a note not in memory) and counting UTF-16 units cost as much as the search itself.
Summaries are immutable and replaced whenever a note's text is read again, so a position
found from the text behind one summary holds for as long as the index keeps that summary.
"""

from __future__ import annotations

from notels.syntax.lines import Encoding
from notels.syntax.spans import Span
from notels.vault.summary import NoteSummary

# (start line, start character, end line, end character)
Positions = tuple[int, int, int, int]

# Notes remembered before starting afresh: a few hundred bytes each.
_MOST_NOTES = 4096


class SymbolPositions:
    """Per note: the summary the positions were found under, and the positions by span."""

    def __init__(self, most_notes: int = _MOST_NOTES) -> None:
        self._most_notes = most_notes
        self._encoding: Encoding | None = None
        self._notes: dict[str, tuple[NoteSummary, dict[Span, Positions]]] = {}

    def of_note(
        self, path: str, summary: NoteSummary | None, encoding: Encoding
    ) -> dict[Span, Positions] | None:
        """The remembered positions in the note at `path` (to read and to fill), valid for the
        `summary` the index holds for it now; None when there is none to key them by."""
        if summary is None:
            return None
        if encoding is not self._encoding:
            self._notes.clear()
            self._encoding = encoding
        known = self._notes.get(path)
        if known is not None and known[0] is summary:
            return known[1]
        if known is None and len(self._notes) >= self._most_notes:
            self._notes.clear()
        positions: dict[Span, Positions] = {}
        self._notes[path] = (summary, positions)
        return positions
