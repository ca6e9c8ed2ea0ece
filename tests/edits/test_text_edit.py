"""TextEdit and apply_edits: offsets refer to the original text; overlaps are refused."""

from __future__ import annotations

import pytest

from notels.edits.text_edit import TextEdit, apply_edits, edits_conflict
from notels.syntax.spans import Span


def edit(start: int, end: int, new: str = "") -> TextEdit:
    return TextEdit(Span(start, end), new)


def test_edits_apply_against_the_original_offsets_in_any_order() -> None:
    text = "Привет, мир 🎉!"
    edits = [edit(0, 6, "Пока"), edit(8, 11, "world"), edit(14, 14, "?")]
    assert apply_edits(text, edits) == "Пока, world 🎉!?"
    assert apply_edits(text, reversed(edits)) == "Пока, world 🎉!?"


def test_no_edits_give_the_text_back() -> None:
    assert apply_edits("a\r\nb", []) == "a\r\nb"


def test_touching_edits_are_fine() -> None:
    assert apply_edits("abcdef", [edit(0, 2, "X"), edit(2, 4, "Y"), edit(4, 4, "Z")]) == "XYZef"


def test_an_insertion_at_the_start_of_a_replacement_goes_before_it() -> None:
    assert apply_edits("abcdef", [edit(2, 4, "Y"), edit(2, 2, "X")]) == "abXYef"


@pytest.mark.parametrize(
    "edits",
    [
        [edit(0, 3), edit(2, 5)],
        [edit(0, 5), edit(1, 2)],
        [edit(0, 5), edit(3, 3, "x")],
        [edit(2, 2, "x"), edit(2, 2, "y")],
    ],
)
def test_overlapping_edits_raise(edits: list[TextEdit]) -> None:
    with pytest.raises(ValueError, match="overlap"):
        apply_edits("abcdef", edits)
    assert edits_conflict(*edits)


def test_an_edit_outside_the_text_raises() -> None:
    with pytest.raises(ValueError, match="outside"):
        apply_edits("abc", [edit(2, 4, "x")])
