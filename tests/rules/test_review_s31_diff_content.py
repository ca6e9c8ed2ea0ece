"""Review s31 diff: what counts as a note's content for empty-note and stale-fix-empty."""

from __future__ import annotations

from vaults import findings_for

DECK = "TARGET DECK: stem::ml::core\n"


def _codes(text: str) -> list[str]:
    return [f.code for f in findings_for({"a.md": text}, "a.md", None)]


def test_an_inline_cards_id_counts_as_content_where_a_block_cards_id_does_not() -> None:
    """cd6bfd8: inline cards are no content, as block cards are none. A note holding only a
    block card with its ID is an empty-note; the same card written inline, with the ID the
    plugin writes after `ENDI` on its line (`... ENDI ID: 1737306548883`, read by notels as
    the inline card's ID), should be one too. It is not: the card's span ends at `ENDI`, so
    its ID line's `ID` and digits count as two words of content (each inline card adds two,
    and enough of them make a fix/empty note stale-fix-empty)."""
    block = DECK + "START\nBasic\nFRONT: q\nBACK: a\nID: 1737306548883\nEND\n"
    assert "empty-note" in _codes(block)
    inline = DECK + "STARTI [Basic] q Back: a ENDI ID: 1737306548883\n"
    assert "empty-note" in _codes(inline)
