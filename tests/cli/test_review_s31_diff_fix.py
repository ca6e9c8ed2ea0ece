"""Review s31 diff: `notels check --fix` closing an unclosed card at its ID line (d534d5e)."""

from __future__ import annotations

from pathlib import Path

from vaults import run_check, write_vault

WORDS = "Enough words in this note to count as written content for every content rule here.\n"
DECK = "TARGET DECK: stem::ml::core\n"


def test_fix_does_not_cut_a_field_written_below_a_misplaced_id_out_of_an_unclosed_card(
    tmp_path: Path,
) -> None:
    """An unclosed card (no END) whose ID line was written above its last field, `BACK: a`,
    at the end of the note: nothing but the card follows. The safe `--fix` should close the
    card after its last line (`BACK: a`), keeping the field in the card (misplaced-id then
    tells the writer to move the ID). Since d534d5e it puts END right after the ID line, as
    if the ID ended the card: `BACK: a` is left below END as prose of the note, and the card
    reaches Anki without its back, silently, by a fix --fix applies on its own."""
    card = "START\nBasic\nFRONT: q\nID: 1737306548883\nBACK: a\n"
    vault = write_vault(tmp_path, {"n.md": WORDS + DECK + card})
    run_check("--fix", "--exit-zero", "-q", ".", cwd=vault)
    after = (vault / "n.md").read_text(encoding="utf-8")
    assert after == WORDS + DECK + card + "END\n", after
