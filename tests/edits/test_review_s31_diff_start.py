"""Review s31 diff: START followed by an invisible format character (87ea442), as fixed."""

from __future__ import annotations

from edit_helpers import PATH, Vault, only_fix

from notels.edits.text_edit import apply_edits


def test_an_invisible_character_after_start_is_removed_as_whitespace_is() -> None:
    """`START` followed by a zero-width space is start-trailing-text now, reported as "An
    invisible character": nothing the writer can see, no words of theirs. Its fix should be
    the one whitespace gets ("Remove the whitespace after START", safe when the block stands
    on its own, as it does here, so `--fix` applies it). It is offered as "Remove the text
    after START" and never safe (`not written.strip()` keeps U+200B): `--fix` leaves the card
    unsynced, and the editor names text the user cannot see."""
    text = "START\u200b\nBasic\nFRONT: q\nBACK: a\nID: 1737306548883\nEND\n"
    fix = only_fix(text, "start-trailing-text")
    assert (fix.title, fix.safe) == ("Remove the whitespace after START", True)


def test_a_note_type_moved_below_start_keeps_no_invisible_character() -> None:
    """`START\\u200bBasic` above a field line (a zero-width space pasted between them) is a
    worded START now, and the quick fix offers to put the note type `Basic` on the line below.
    It should write `Basic`; it writes `\\u200bBasic`, a note type the plugin looks up by that
    exact string and does not find."""
    text = "START\u200bBasic\nFRONT: q\nBACK: a\nEND\n"
    fixes = Vault({PATH: text}).fixes("start-trailing-text")
    moved = [fix for fix in fixes if fix.title.startswith("Put the note type")]
    assert moved, [fix.title for fix in fixes]
    assert apply_edits(text, moved[0].edits) == "START\nBasic\nFRONT: q\nBACK: a\nEND\n"
