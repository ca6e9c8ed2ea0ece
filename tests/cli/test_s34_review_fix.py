"""Review s34: what `notels check --fix` writes into half-finished cards, judged by what the
Obsidian_to_Anki plugin then reads from the fixed note."""

from __future__ import annotations

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
