"""Review s33: Anki findings and fixes checked against the plugin's source, one defect a test.

The plugin (Obsidian_to_Anki, src/setting-to-data.ts and src/file.ts) builds its deletion
pattern as `DELETE` + `\\n?(?:<!--)?(?:ID: (\\d+).*)` with the flag "g" only: unanchored, run
over the whole file, cards included. `scanDeletions` deletes each matched ID from Anki and
`removeEmpties` (run after `writeIDs`) erases each match from the note.
"""

from __future__ import annotations

from pathlib import Path

from notels.config import Config
from vaults import findings_for, run_check, write_vault

DECK = "TARGET DECK: stem::sql\n"
WORDS = "Enough words in this note to count as written content for every content rule here.\n"
SQL_CARD = (
    "START\nBasic\nFRONT: Which SQL statement removes rows from a table?\nBACK: DELETE\n"
    "ID: 1737306548883\nEND\n"
)


def _only(code, notes, path="a.md", config=None):
    return [f for f in findings_for(notes, path, config) if f.code == code]


# --- DELETE inside a card ---------------------------------------------------------------------


def test_a_field_ending_in_delete_above_the_id_line_is_reported():
    """`BACK: DELETE` above `ID: n`: the plugin's unanchored deletion pattern matches
    `DELETE\\nID: n`, so each sync deletes the card's note from Anki and erases the answer word
    and the ID line from the note; the next sync adds it again as a new card. notels said
    nothing."""
    text = WORDS + DECK + SQL_CARD
    found = _only("delete-in-card", {"a.md": text})
    assert [f.span.slice(text) for f in found] == ["DELETE"]
    assert "deletes" in found[0].message


def test_a_delete_line_inside_a_card_is_reported():
    """`DELETE` on a line of its own just above a card's `ID:` line, inside the block: the
    plugin deletes the card from Anki and erases both lines, and the next sync adds the card
    again without its history: no deletion as meant."""
    text = WORDS + DECK + "START\nBasic\nFRONT: q\nBACK: a\nDELETE\n<!--ID: 1737306548883-->\nEND\n"
    found = _only("delete-in-card", {"a.md": text})
    assert [f.span.slice(text) for f in found] == ["DELETE"]


def test_a_card_without_id_whose_text_ends_in_delete_is_reported():
    """No ID yet, last line `BACK: DELETE`: the plugin adds the card, writes `ID: n` below
    that line, and `removeEmpties` erases `DELETE\\nID: n` at once; every later sync adds the
    card to Anki again."""
    text = WORDS + DECK + SQL_CARD.replace("ID: 1737306548883\n", "")
    found = _only("delete-in-card", {"a.md": text})
    assert [f.span.slice(text) for f in found] == ["DELETE"]


def test_delete_lines_as_the_plugin_means_them_are_not_reported():
    """A `DELETE` line and its ID outside any card (the plugin's way to delete a note), and a
    field that merely mentions DELETE elsewhere in a card, are fine."""
    text = (
        WORDS
        + DECK
        + "DELETE\nID: 1737306548880\n\n"
        + "START\nBasic\nFRONT: What does DELETE do?\nBACK: It removes rows.\n"
        + "ID: 1737306548883\nEND\n"
    )
    assert _only("delete-in-card", {"a.md": text}) == []


def test_fix_does_not_write_an_id_the_plugin_reads_as_a_deletion(tmp_path: Path):
    """`--fix` wrote `ID: n` right below `BACK: DELETE`: the next sync deletes that note from
    Anki and erases the answer and the ID. The card is left to the user, byte for byte."""
    text = WORDS + DECK + SQL_CARD.replace("ID: 1737306548883\n", "")
    root = write_vault(tmp_path / "v", {"a.md": text})
    run_check("--fix", "--exit-zero", ".", cwd=root)
    assert (root / "a.md").read_bytes() == text.encode("utf-8")


# --- fields split as the plugin splits them -------------------------------------------------


def test_a_line_starts_only_the_first_configured_field_it_begins_with():
    """The plugin's `fieldFromLine` (src/note.ts) returns at the first field of the type whose
    `Name:` the line starts with: `Front:Back: 42` is Front, holding `Back: 42`, and the card
    syncs. notels went on to try Back after `Front:`, read the line as Back and reported that
    the card has no Front."""
    config = Config(note_types={"Basic": ("Front", "Back")})
    text = WORDS + DECK + "START\nBasic\nFront:Back: 42\nID: 1737306548883\nEND\n"
    assert _only("empty-field", {"a.md": text}, config=config) == []


# --- a Tags: line the plugin does not read ----------------------------------------------------


def test_a_tags_line_not_right_above_the_id_line_is_reported():
    """The plugin (`getTags`, src/note.ts) takes tags only from the block's last line once the
    ID line is popped, and only when it starts with `Tags: `. A blank line between `Tags:` and
    the ID, or a field after it, leaves the line as text of the field above: the card gets none
    of the tags and shows `Tags: sql basics` in Anki. notels said nothing."""
    spaced = "START\nBasic\nFRONT: q\nBACK: a\nTags: sql basics\n\nID: 1737306548883\nEND\n"
    above = "START\nBasic\nFRONT: q\nTags: sql basics\nBACK: a\nID: 1737306548884\nEND\n"
    for card in (spaced, above):
        text = WORDS + DECK + card
        found = _only("misplaced-tags", {"a.md": text})
        assert [f.span.slice(text) for f in found] == ["Tags: sql basics"], card


def test_a_tags_line_the_plugin_reads_is_not_reported():
    """Right above the ID line, or the last line of a card without an ID (blank lines before
    END are trimmed), the plugin reads the tags."""
    with_id = "START\nBasic\nFRONT: q\nBACK: a\nTags: sql basics\nID: 1737306548883\nEND\n"
    without = "START\nBasic\nFRONT: q\nBACK: a\nTags: sql basics\n\nEND\n"
    for card in (with_id, without):
        assert _only("misplaced-tags", {"a.md": WORDS + DECK + card}) == [], card


# --- an inline card without its [Type] ----------------------------------------------------------


def test_an_inline_card_without_a_bracketed_note_type_is_reported():
    """`InlineNote.getNoteType` (src/note.ts) reads the type from the first `[...]` of the
    card and uses the match unchecked: with none (`STARTI Basic q Back: a ENDI`) it fails on
    `null.index` and the card never syncs. notels said nothing."""
    text = WORDS + DECK + "STARTI Basic What is a row? Back: A record. ENDI\n"
    found = _only("missing-note-type", {"a.md": text})
    assert [f.span.slice(text) for f in found] == ["STARTI"]


def test_an_inline_card_with_its_note_type_is_not_reported():
    text = WORDS + DECK + "STARTI [Basic] What is a row? Back: A record. ENDI\n"
    assert _only("missing-note-type", {"a.md": text}) == []


# --- decks of notes whose cards are all inline -------------------------------------------------


def test_an_empty_target_deck_is_reported_for_inline_cards_too():
    """The plugin sends inline cards to the file's deck as it sends block cards
    (`scanInlineNotes` parses them with `this.target_deck`): an empty `TARGET DECK: ` leaves
    them no deck either. notels looked only at block cards and said nothing."""
    text = WORDS + "TARGET DECK: \nSTARTI [Basic] q Back: a ID: 1737306548883 ENDI\n"
    assert [f.span.slice(text) for f in _only("empty-target-deck", {"a.md": text})] == [
        "TARGET DECK: "
    ]


def test_inline_cards_without_a_target_deck_are_reported():
    text = WORDS + "STARTI [Basic] q Back: a ID: 1737306548883 ENDI\n"
    assert len(_only("missing-target-deck", {"a.md": text})) == 1


# --- a bare TARGET DECK above a card ----------------------------------------------------------


def test_a_bare_target_deck_right_above_start_is_reported():
    """`^TARGET DECK(?:\\n|: )(.*)`: a bare `TARGET DECK` takes the very next line for the deck,
    whatever it holds. A template's `TARGET DECK` with `START` right below sends every card to
    a deck named "START", which the collection does not have. notels took "START" for a deck
    name and said nothing."""
    text = WORDS + "TARGET DECK\nSTART\nBasic\nFRONT: q\nID: 1737306548883\nEND\n"
    found = _only("empty-target-deck", {"a.md": text})
    assert [f.span.slice(text) for f in found] == ["TARGET DECK\nSTART"]
    assert "START" in found[0].message


# --- a field prefix in lower case -------------------------------------------------------------


def _basic_vault(odd: str) -> dict[str, str]:
    cards = {
        f"n{i}.md": WORDS
        + DECK
        + f"START\nBasic\nFront: q{i}\nBack: a\nID: {1737306548800 + i}\nEND\n"
        for i in range(5)
    }
    return {**cards, "odd.md": WORDS + DECK + odd}


def test_a_field_prefix_in_lower_case_is_reported():
    """rules.md, unknown-field: "only a prefix that differs from a field by its letter case or
    by a typo ... is reported". The plugin's `line.startsWith(field + ":")` is exact, so
    `back: a` stays text of Front and Back is left empty. notels reported `BACK:` and
    `Back:` for such fields but never an all-lower-case `back:`: it is not even read as a
    prefix."""
    odd = "START\nBasic\nFront: q\nback: a\nID: 1737306548899\nEND\n"
    found = _only("unknown-field", _basic_vault(odd), path="odd.md")
    assert [f.span.slice(WORDS + DECK + odd) for f in found] == ["back"]
    config = Config(note_types={"Basic": ("Front", "Back")})
    found = _only("unknown-field", {"odd.md": WORDS + DECK + odd}, path="odd.md", config=config)
    assert [f.span.slice(WORDS + DECK + odd) for f in found] == ["back"]


def test_lower_case_prose_in_a_field_is_not_reported():
    odd = "START\nBasic\nFront: q\nBack: a\nnote: the back of the card\nID: 1737306548899\nEND\n"
    assert _only("unknown-field", _basic_vault(odd), path="odd.md") == []
