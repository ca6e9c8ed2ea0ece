"""Review s32: the empty `ID:` line filled in place (8aee61c), where it still ends up as field text."""

from __future__ import annotations

from edit_helpers import NOW, PATH, Vault, only_fix

from notels.edits.text_edit import apply_edits

DECK = "TARGET DECK: stem::ml\n"
OLD = "1737306548883"


def card(*lines: str, eol: str = "\n") -> str:
    return eol.join(["START", "Basic", *lines, "END"]) + eol


def test_an_empty_id_line_ending_in_a_no_break_space_is_filled_in() -> None:
    """`ID:` followed by a no-break space (pasted text, a typographic keyboard layout) is the
    block's last line: the plugin trims the block, NBSP included (JavaScript's trim), so it
    reads `ID:` exactly as for `ID: `. Generate Anki ID / `--fix` do not fill it: they add
    `ID: n` below, and Anki gets `ID:` at the end of the BACK field, which is what the fill
    was made to prevent. The number should go into that line."""
    text = DECK + card("FRONT: Вопрос 🎉", "BACK: ответ", "ID:\u00a0")
    fix = only_fix(text, "missing-id")
    result = apply_edits(text, fix.edits)
    (parsed,) = Vault({PATH: result}).note().anki.cards
    assert parsed.id is not None and parsed.id.value == str(NOW)
    assert parsed.fields[-1].value == "ответ", result


def test_moving_a_misplaced_id_fills_the_empty_id_line_instead_of_stacking_below_it() -> None:
    """A card with its Anki ID written above its fields and an empty `ID:` left as its last
    line: "Move the ID line just above END" puts `ID: n` below the empty `ID:`, which stays
    in the card's BACK field in Anki. Every other ID path fills the empty line since 8aee61c;
    this one should too (the moved number goes into it), leaving no `ID:` in any field."""
    text = DECK + card(f"ID: {OLD}", "FRONT: Вопрос 🎉", "BACK: ответ", "ID:")
    fixes = Vault({PATH: text}).fixes("misplaced-id")
    move = next(fix for fix in fixes if fix.title == "Move the ID line just above END")
    result = apply_edits(text, move.edits)
    (parsed,) = Vault({PATH: result}).note().anki.cards
    assert parsed.id is not None and parsed.id.value == OLD
    assert parsed.fields[-1].value == "ответ", result
    assert result == DECK + card("FRONT: Вопрос 🎉", "BACK: ответ", f"ID: {OLD}")
