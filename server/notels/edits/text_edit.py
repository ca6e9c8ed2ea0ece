"""A text edit on a note and the one way to apply several of them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from notels.syntax.spans import Span


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace `span` (code-point offsets into the note) with `new_text`; an empty span inserts."""

    span: Span
    new_text: str

    @property
    def is_insertion(self) -> bool:
        return self.span.start == self.span.end


def edits_conflict(a: TextEdit, b: TextEdit) -> bool:
    """True when the two edits cannot both apply with one obvious result.

    Overlapping ranges conflict. Touching ranges do not. Two insertions at one offset do: which
    text comes first would be a guess, so it is refused rather than decided silently.
    """
    if a.span.start < b.span.end and b.span.start < a.span.end:
        return True
    return a.span.start == b.span.start and a.is_insertion and b.is_insertion


def check_edits(text: str, edits: Sequence[TextEdit]) -> list[TextEdit]:
    """The edits sorted by position; ValueError when one lies outside `text` or two conflict."""
    ordered = sorted(edits, key=lambda edit: (edit.span.start, edit.span.end))
    for edit in ordered:
        if not 0 <= edit.span.start <= edit.span.end <= len(text):
            raise ValueError(f"edit {edit.span} lies outside a text of {len(text)} characters")
    # Sorted by start, any overlap shows up between neighbours.
    for before, after in pairwise(ordered):
        if edits_conflict(before, after):
            raise ValueError(f"edits overlap: {before.span} and {after.span}")
    return ordered


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply non-overlapping edits, all computed against `text`, back to front.

    Every offset refers to the original text, so no edit shifts another. Raises ValueError on
    overlapping edits, two insertions at one offset, or an edit outside the text.
    """
    ordered = check_edits(text, list(edits))
    # Equivalent to splicing from the back, but joins once instead of copying per edit.
    pieces: list[str] = []
    position = 0
    for edit in ordered:
        pieces.append(text[position : edit.span.start])
        pieces.append(edit.new_text)
        position = edit.span.end
    pieces.append(text[position:])
    return "".join(pieces)
