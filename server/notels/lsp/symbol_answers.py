"""Workspace symbols already answered, as JSON, kept while their note's summary is the same.

A symbol picker sends a query per keystroke, and each answer names up to 150 symbols, most of
them in the notes the last answer named: finding their lines (the note's text read from disk
for a note not in memory), counting UTF-16 units and building each symbol's JSON cost as much
as the search itself. Summaries are immutable and replaced whenever a note's text is read
again, so an answer made from the text behind one summary holds for as long as the index
keeps that summary (and the note keeps its URI: an open note has the editor's, which may
differ from the one made from its path).
"""

from __future__ import annotations

from collections.abc import Hashable

from notels.syntax.lines import Encoding
from notels.vault.summary import NoteSummary

from .convert import Json

# Notes remembered before starting afresh: a few hundred bytes per symbol.
_MOST_NOTES = 4096


class SymbolAnswers:
    """Per note: the summary and editor URI (None for a note not open) the answers were made
    under, and the answers by symbol.

    Answers depend on the position encoding and on whether the client resolves ranges later;
    a change of either (`form`) forgets them all. An answer is shared by every response that
    names the symbol: it is not to be changed."""

    def __init__(self, most_notes: int = _MOST_NOTES) -> None:
        self._most_notes = most_notes
        self._form: tuple[Encoding, bool] | None = None
        self._notes: dict[str, tuple[NoteSummary, str | None, dict[Hashable, Json]]] = {}

    def of_note(
        self,
        path: str,
        summary: NoteSummary | None,
        editor_uri: str | None,
        form: tuple[Encoding, bool],
    ) -> dict[Hashable, Json] | None:
        """The remembered answers in the note at `path` (to read and to fill), valid for the
        `summary` the index holds for it now and the `editor_uri` it is open under; None when
        there is no summary to key them by."""
        if summary is None:
            return None
        if form != self._form:
            self._notes.clear()
            self._form = form
        known = self._notes.get(path)
        if known is not None and known[0] is summary and known[1] == editor_uri:
            return known[2]
        if known is None and len(self._notes) >= self._most_notes:
            self._notes.clear()
        answers: dict[Hashable, Json] = {}
        self._notes[path] = (summary, editor_uri, answers)
        return answers
