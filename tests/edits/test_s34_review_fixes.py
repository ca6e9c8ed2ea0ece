"""Review s34: the editor's quick fixes for half-finished cards."""

from __future__ import annotations

from edit_helpers import Vault, only_fix

from notels.edits.text_edit import apply_edits


def test_a_swallowing_card_gets_end_above_the_deck_line_repeated_before_the_next_card() -> None:
    # Real vaults repeat TARGET DECK above every card: it is the note's, not the first card's.
    text = "TARGET DECK: d\nSTART\nBasic\nFRONT: a\n\nTARGET DECK: d\nSTART\nBasic\nFRONT: b\nEND\n"
    fix = only_fix(text, "swallowed-block")
    # Was: END below `TARGET DECK: d`, which ended the first card's FRONT.
    assert apply_edits(text, fix.edits) == (
        "TARGET DECK: d\nSTART\nBasic\nFRONT: a\nEND\n\nTARGET DECK: d\nSTART\nBasic\nFRONT: b\nEND\n"
    )


def test_a_deck_line_in_a_code_block_below_an_unclosed_card_keeps_end_out_of_the_block() -> None:
    text = "words\nSTART\nBasic\nFront: q\n```yaml\nTARGET DECK: x\n```\n"
    fix = only_fix(text, "unclosed-block")
    assert apply_edits(text, fix.edits) == text + "END\n"


def test_a_swallowing_card_with_an_indented_end_gets_that_end_unindented() -> None:
    text = "START\nBasic\nFRONT: a\n- point\n  END\n\nSTART\nBasic\nFRONT: b\nEND\n"
    fix = only_fix(text, "swallowed-block")
    # Was: a second END below `  END`, which stayed in the first card's FRONT.
    assert apply_edits(text, fix.edits) == (
        "START\nBasic\nFRONT: a\n- point\nEND\n\nSTART\nBasic\nFRONT: b\nEND\n"
    )


def test_end_goes_above_a_deletion_below_an_unclosed_card() -> None:
    # `DELETE` and an ID line delete that card from Anki, wherever they stand: they are no text
    # of the card above, and their ID is not its ID.
    for id_line in ("ID: 1737306548883", "<!--ID: 1737306548883-->"):
        text = f"words\nTARGET DECK: d\nSTART\nBasic\nFront: q\n\nDELETE\n{id_line}\n\nmore\n"
        fix = only_fix(text, "unclosed-block")
        # Was: END below the ID line: the card took the deleted card's ID.
        assert apply_edits(text, fix.edits) == text.replace("Front: q\n", "Front: q\nEND\n")


def test_removing_a_copys_id_written_after_field_text_keeps_that_text() -> None:
    # The plugin reads an ID after other text on the block's last line too.
    original = "words\nTARGET DECK: d\nSTART\nBasic\nFront: r\nID: 1737306548883\nEND\n"
    copy = "words\nTARGET DECK: d\nSTART\nBasic\nFront: q\nBack: see ID: 1737306548883\nEND\n"
    vault = Vault({"a.md": original, "b.md": copy})
    (removal,) = [fix for fix in vault.fixes("duplicate-id", path="b.md") if not fix.safe]
    # Was: the whole line removed, `Back: see` with it.
    assert apply_edits(copy, removal.edits) == copy.replace(" ID: 1737306548883", "")
