"""Review s34: what `notels check --fix` writes into half-finished cards, judged by what the
Obsidian_to_Anki plugin then reads from the fixed note."""

from __future__ import annotations

import re
from pathlib import Path

from vaults import run_check, write_vault

WORDS = "Слова заметки 😀, enough words to count as a written note.\n"


def _fixed(tmp_path: Path, text: str) -> str:
    vault = write_vault(tmp_path, {"a.md": text})
    done = run_check("--fix", "--exit-zero", cwd=vault)
    assert done.returncode == 0, done.stderr
    return (vault / "a.md").read_text(encoding="utf-8")


def test_a_card_whose_note_type_line_is_end_gets_no_id(tmp_path: Path) -> None:
    # `START` right above `END`, the card written below that END: the plugin reads the first END
    # as the note type (`^START\n([\s\S]*?\n)END` wants a line between them) and fails on it.
    text = WORDS + "TARGET DECK: d\nSTART\nEND\nBasic\nFront: q\nEND\n"
    # Was: `ID: …` written above the second END, numbering a card of note type END.
    assert _fixed(tmp_path, text) == text


def test_a_card_holding_only_an_empty_id_line_gets_no_second_one(tmp_path: Path) -> None:
    # The block's one line is its note type to the plugin: `ID:` is no card to number.
    text = WORDS + "TARGET DECK: d\nSTART\nID:\nEND\n"
    # Was: `START\nID:\nID: …\nEND`, a card of note type `ID:`.
    assert _fixed(tmp_path, text) == text


def test_end_goes_above_a_target_deck_line_repeated_before_the_next_card(tmp_path: Path) -> None:
    # Real vaults repeat TARGET DECK before every card. Two cards without END: the first one's
    # END goes above the deck line, which is no text of its card.
    text = (
        WORDS
        + "TARGET DECK: d\nSTART\nBasic\nFront: q1\n\n"
        + "TARGET DECK: d\nSTART\nBasic\nFront: q2\n"
    )
    fixed = _fixed(tmp_path, text)
    # Was: `TARGET DECK: d` then END: the deck line was the end of the first card's Front.
    assert "Front: q1\nID: " in fixed
    assert "\nEND\n\nTARGET DECK: d\nSTART\nBasic\nFront: q2\nID: " in fixed


def test_a_bare_target_deck_below_an_unclosed_card_does_not_take_its_id(tmp_path: Path) -> None:
    # A bare TARGET DECK takes the next line for the deck: END and the ID written below it made
    # `ID: …` the deck of every card of the note.
    for ending in ("TARGET DECK\n", "TARGET DECK"):
        text = WORDS + "START\nBasic\nFront: q\nBack: a\n" + ending
        fixed = _fixed(tmp_path, text)
        assert fixed.endswith("\nEND\n" + ending), fixed
        assert "TARGET DECK\nID" not in fixed


def test_a_file_tags_line_below_an_unclosed_card_stays_out_of_it(tmp_path: Path) -> None:
    text = WORDS + "TARGET DECK: d\nSTART\nBasic\nFront: q\n\nFILE TAGS: t\n"
    fixed = _fixed(tmp_path, text)
    assert re.search(r"\nFront: q\nID: \d{13}\nEND\n\nFILE TAGS: t\n\Z", fixed), fixed


def test_an_unclosed_card_with_text_below_a_deck_line_is_left_to_its_writer(
    tmp_path: Path,
) -> None:
    # Whether `Back: a` belongs to the card above the deck line is a guess: not --fix's to make.
    text = WORDS + "TARGET DECK: d\nSTART\nBasic\nFront: q\nTARGET DECK: d\nBack: a\n"
    assert _fixed(tmp_path, text) == text


def test_an_indented_end_below_a_list_closes_its_card_once_unindented(tmp_path: Path) -> None:
    # Obsidian keeps a list's indent on the next line: the writer's END stands indented, which
    # the plugin's `\nEND` does not take.
    card = "START\nBasic\nFront: q\nBack:\n- point one\n- point two\n{end}\n\nMore prose after.\n"
    for indent in ("  ", "\t", "\u00a0"):
        text = WORDS + "TARGET DECK: d\n" + card.format(end=indent + "END")
        fixed = _fixed(tmp_path, text)
        # Was: END and the ID written below `More prose after.`: the prose and the indented END
        # became text of the card's Back.
        assert re.search(r"\n- point two\nID: \d{13}\nEND\n\nMore prose after\.\n\Z", fixed), fixed


def test_end_goes_above_an_inline_card_below_an_unclosed_card(tmp_path: Path) -> None:
    # An inline card is a card of its own (the plugin finds it anywhere), never another card's
    # text: END below it made it the end of the block card's Back, and the ID the plugin writes
    # into it after the first sync too.
    text = (
        WORDS
        + "TARGET DECK: d\nSTART\nBasic\nFront: q\nBack: a\n\n- STARTI [Basic] x Back: y ENDI\n"
    )
    fixed = _fixed(tmp_path, text)
    assert re.search(
        r"\nBack: a\nID: \d{13}\nEND\n\n- STARTI \[Basic\] x Back: y ENDI\n\Z", fixed
    ), fixed


def test_an_unclosed_card_ending_with_an_empty_id_line_or_its_tags_ends_there(
    tmp_path: Path,
) -> None:
    # As with a numbered ID line (review s31): the card's last lines, a blank line, then prose.
    for ending in ("ID:", "<!--ID: -->", "Tags: a b"):
        text = WORDS + f"TARGET DECK: d\nSTART\nBasic\nFront: q\n{ending}\n\nMore prose after.\n"
        fixed = _fixed(tmp_path, text)
        # Was: END and an ID below the prose, which became the card's text, `ID:` or the tags
        # with it.
        assert fixed.endswith("\nEND\n\nMore prose after.\n"), fixed
        assert re.search(r"\nFront: q\n(Tags: a b\n)?(<!--)?ID: \d{13}(-->)?\nEND\n", fixed), fixed


def test_a_card_with_an_empty_id_line_above_its_last_line_is_left_to_its_writer(
    tmp_path: Path,
) -> None:
    # A template's `ID:` above the card's Tags or last field: the plugin keeps it as field text.
    for below in ("Tags: a b", "Back: a"):
        text = WORDS + f"TARGET DECK: d\nSTART\nBasic\nFront: q\nID:\n{below}\nEND\n"
        # Was: a new ID line above END, and `ID:` left in the Front of the card in Anki.
        assert _fixed(tmp_path, text) == text


def test_a_card_stub_whose_fields_are_all_empty_gets_no_id(tmp_path: Path) -> None:
    # A template's card, its fields still to write: Anki refuses a note whose fields are empty,
    # and an ID would go along when the stub is copied for the next card.
    for stub in ("math_complex\nFRONT: \nBACK: \nFORMULA:\nADDITIONAL: \n", "Basic\n"):
        text = WORDS + f"TARGET DECK: d\nSTART\n{stub}END\n"
        # Was: `ID: …` written above END.
        assert _fixed(tmp_path, text) == text


def test_a_card_with_one_field_written_still_gets_its_id(tmp_path: Path) -> None:
    text = WORDS + "TARGET DECK: d\nSTART\nmath_complex\nFRONT: \nBACK: b\nEND\n"
    assert re.search(r"\nBACK: b\nID: \d{13}\nEND\n\Z", _fixed(tmp_path, text))


def test_an_end_closing_indented_pseudocode_stays_text_of_the_card(tmp_path: Path) -> None:
    # An END indented no deeper than the lines above it closes their block (pseudocode in an
    # indented code block), not the card: END goes below it, as before.
    text = (
        WORDS
        + "TARGET DECK: d\nSTART\nBasic\nFront: What does it do?\nBack:\n\n"
        + "    WHILE x\n        x := x - 1\n    END\n"
    )
    assert re.search(r"\n        x := x - 1\n    END\nID: \d{13}\nEND\n\Z", _fixed(tmp_path, text))
