"""A card whose START line ends with CRLF (a note written on Windows, or checked out by git with
core.autocrlf): the plugin's block pattern `^START\\n([\\s\\S]*?\\n)END` wants a bare LF after
START, so it skips the card until the note is saved with LF line breaks, which Obsidian does
when it saves the note (its `vault.read` hands the plugin the bytes as they are)."""

from __future__ import annotations

from vaults import findings_for

WORDS = "Enough words in this note to count as written content for every content rule here.\n"
CARD = "TARGET DECK: d\nSTART\nBasic\nFRONT: Кольцо 😀\nBACK: a\nID: 1737306548883\nEND\n"


def _crlf(notes: dict[str, str], path: str = "a.md") -> list[tuple[str, str]]:
    text = notes[path]
    return [
        (f.span.slice(text), f.message)
        for f in findings_for(notes, path, None)
        if f.code == "crlf-card"
    ]


def test_a_card_whose_start_line_ends_with_crlf_is_reported_at_its_start() -> None:
    text = (WORDS + CARD).replace("\n", "\r\n")
    ((where, message),) = _crlf({"a.md": text})
    assert where == "START"
    assert "CRLF" in message and "skips" in message


def test_a_lone_cr_after_start_is_reported_too() -> None:
    text = (WORDS + CARD).replace("\n", "\r")
    assert [where for where, _ in _crlf({"a.md": text})] == ["START"]


def test_only_the_start_line_counts() -> None:
    """The plugin's `[\\s\\S]*?\\n` takes a CR in the block as text, and `^` starts a line after
    a CR too: LF after START is all it needs."""
    lf_start = WORDS + CARD.replace("\n", "\r\n").replace("START\r\n", "START\n")
    assert _crlf({"a.md": lf_start}) == []
    assert _crlf({"a.md": WORDS + CARD}) == []


def test_only_cards_are_reported_not_every_crlf_note() -> None:
    assert _crlf({"a.md": (WORDS + "No cards here.\n").replace("\n", "\r\n")}) == []
    inline = (WORDS + "TARGET DECK: d\nSTARTI [Basic] q :: a ENDI\n").replace("\n", "\r\n")
    assert _crlf({"a.md": inline}) == []  # the inline pattern holds no line break
