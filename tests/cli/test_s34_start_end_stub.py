"""`START` right above `END`: the plugin reads that END as the card's note type line (its block
pattern wants a line between them), so the block runs on to the next END, or has none. A card
stub typed as such is no card to close nor to number."""

from __future__ import annotations

from pathlib import Path

from vaults import findings_for, run_check, write_vault

WORDS = "Слова заметки 😀, достаточно, чтобы считаться написанной.\n"
CARD = "START\nBasic\nFront: q\nID: 1737306548883\nEND\n"


def test_a_start_end_stub_is_left_as_written_by_fix(tmp_path: Path) -> None:
    text = WORDS + "TARGET DECK: d\nSTART\nEND\n"
    vault = write_vault(tmp_path, {"a.md": text})
    done = run_check("--fix", "--exit-zero", cwd=vault)
    assert done.returncode == 0, done.stderr
    # Was: `ID: …` and a second END written below it, a card whose note type is END.
    assert (vault / "a.md").read_text(encoding="utf-8") == text
    assert "END right after START is read as this card's note type" in done.stdout


def test_the_stub_says_why_it_has_no_end() -> None:
    text = WORDS + "TARGET DECK: d\nSTART\nEND\n"
    (found,) = findings_for({"a.md": text}, "a.md")
    assert (found.code, found.message) == (
        "unclosed-block",
        "END right after START is read as this card's note type, so the card has no END: the "
        "sync plugin ignores it. Write the note type and the fields between START and END.",
    )


def test_a_stub_above_a_card_says_it_swallows_that_card() -> None:
    text = WORDS + "TARGET DECK: d\nSTART\nEND\n\n" + CARD
    found = [f for f in findings_for({"a.md": text}, "a.md") if f.code == "swallowed-block"]
    assert [f.message for f in found] == [
        "END right after START is read as this card's note type, so the card runs on to the "
        "END of the card below (line 10): the plugin merges them into one broken card. Write the "
        "note type and the fields between START and END, or delete them."
    ]


def test_a_card_written_below_a_stubs_end_says_that_end_is_its_note_type() -> None:
    """`START`, `END`, then the card's lines and its END: the plugin syncs one card of note
    type END, which Anki has not. Was: only missing-id, and the ID offered."""
    text = WORDS + "TARGET DECK: d\nSTART\nEND\nBasic\nFront: q\nEND\n"
    found = [f for f in findings_for({"a.md": text}, "a.md") if f.code == "missing-note-type"]
    assert [(f.span.slice(text), f.message) for f in found] == [
        (
            "END",
            "END right after START is read as this card's note type, and the card runs on to "
            "the END on line 7: Anki has no note type END, so the card fails to sync. Write the "
            "note type on this line, or remove it.",
        )
    ]
