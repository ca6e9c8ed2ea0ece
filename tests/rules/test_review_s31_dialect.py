"""Review s31: DIALECT.md checked rule by rule; each test is a defect notels has today."""

from __future__ import annotations

from notels.config import Config
from notels.syntax.anki import scan_anki
from vaults import findings_for

DECK = "TARGET DECK: stem::ml::core\n"
WORDS = "Enough words in this note to count as written content for every content rule here.\n"


def _only(code, notes, path="a.md", config=None):
    return [f for f in findings_for(notes, path, config) if f.code == code]


# --- §4 fields: a field is a field of the note type -----------------------------------------


def test_a_line_whose_prefix_is_no_field_of_the_type_continues_the_first_field():
    """'Fields: a line that starts with `FieldName:` (exact case, a field of that note type in
    Anki) starts that field; other lines continue the current field'. Basic is configured with
    FRONT and BACK only, so `Q: ...` is text of FRONT, which is not empty. notels splits the
    card at any ALL-CAPS prefix, reads FRONT as empty and reports empty-field ("Anki will not
    add this card") for a card that syncs fine."""
    config = Config(note_types={"Basic": ("FRONT", "BACK")})
    text = (
        WORDS + DECK + "START\nBasic\nFRONT:\nQ: What does an embedding map a word to?\n"
        "BACK: A dense vector.\nID: 1737306548883\nEND\n"
    )
    assert _only("empty-field", {"a.md": text}, config=config) == []


def test_a_configured_field_prefix_without_a_space_starts_that_field():
    """'Fields: a line that starts with `FieldName:` (exact case, a field of that note type in
    Anki) starts that field'. With Basic configured as Front and Back, `Back:42` starts Back
    and Front is left empty: Anki refuses the card. notels wants a space after `Back:`, keeps
    the line in Front and reports nothing."""
    config = Config(note_types={"Basic": ("Front", "Back")})
    text = WORDS + DECK + "START\nBasic\nFront:\nBack:42\nID: 1737306548883\nEND\n"
    assert [f.span.slice(text) for f in _only("empty-field", {"a.md": text}, config=config)] == [
        "Front:"
    ]


def test_configured_cyrillic_field_names_start_their_fields():
    """'Fields: a line that starts with `FieldName:` (exact case, a field of that note type in
    Anki) starts that field' ('Real notes mix Cyrillic and English'). With Basic configured as
    Вопрос and Ответ, `Вопрос:` is an empty first field: Anki refuses the card. notels only
    knows Latin field names, reads both lines as text before any field and reports nothing."""
    config = Config(note_types={"Basic": ("Вопрос", "Ответ")})
    text = WORDS + DECK + "START\nBasic\nВопрос:\nОтвет: 42\nID: 1737306548883\nEND\n"
    assert [f.span.slice(text) for f in _only("empty-field", {"a.md": text}, config=config)] == [
        "Вопрос:"
    ]


def test_a_cyrillic_field_line_in_place_of_the_note_type_is_reported():
    """'Inside a block the text is trimmed, then: line 1 is the note type' and 'This dialect
    writes field names in capitals'. A card written without its note type line, its first line
    `ВОПРОС: ...`, is sent with the note type 'ВОПРОС: ...' and fails. notels reports
    missing-note-type for `FRONT: q` there, but not for Cyrillic capitals."""
    text = WORDS + DECK + "START\nВОПРОС: что такое x?\nОТВЕТ: y\nID: 1737306548883\nEND\n"
    latin = WORDS + DECK + "START\nFRONT: what is x?\nBACK: y\nID: 1737306548883\nEND\n"
    assert _only("missing-note-type", {"a.md": latin})  # the rule exists
    assert _only("missing-note-type", {"a.md": text})


# --- §4 ID --------------------------------------------------------------------------------------


def test_an_id_in_fullwidth_digits_is_no_id_for_the_plugin():
    """'The LAST line, if it matches `(?:<!--)?ID: (\\d+)`, is the note ID.' The plugin's regex
    is JavaScript's, whose `\\d` is [0-9] only. An ID typed with a CJK input method in
    fullwidth digits is no ID to the plugin, which creates the card again on every sync.
    notels uses Python's Unicode `\\d`, takes it as the card's ID and reports nothing."""
    fullwidth = "１７３７３０６５４８８８３"
    text = WORDS + DECK + f"START\nBasic\nFRONT: q\nBACK: a\nID: {fullwidth}\nEND\n"
    (card,) = scan_anki(text).cards
    assert card.id is None
    assert _only("missing-id", {"a.md": text})


# --- §3 / §5 fix/empty: tags are not content ----------------------------------------------------

TAGS_ONLY = " ".join(f"#topic/sub{i}/leaf{i}" for i in range(8)) + "\n"


def test_a_body_of_tags_alone_does_not_make_fix_empty_stale():
    """'`fix/empty`: the note still lacks its content' and 'A stale `fix/empty` tag hides a
    finished note'. A body holding only tags has no content, yet notels counts each part of a
    nested tag (`#topic/sub0/leaf0`: three words) as a word and reports the tag stale; its fix
    removes the tag, after which the note is reported as empty-note."""
    text = "---\ntags:\n  - fix/empty\n---\n" + TAGS_ONLY
    assert _only("stale-fix-empty", {"a.md": text}) == []


def test_a_body_of_one_tag_alone_is_an_empty_note():
    """'an empty note without it [`fix/empty`] is forgotten.' A body holding nothing but a
    tag is empty; notels counts the tag's words as content and reports nothing."""
    text = "---\ncreated: 2025-01-19 23:46\n---\n#biology/cells\n"
    assert _only("empty-note", {"a.md": text})


# --- §4 START ---------------------------------------------------------------------------------


def test_an_invisible_character_after_start_is_reported_on_the_start_line():
    """'`START` must be alone on its line with nothing after it, not even a space; `START ` is
    not a block.' A zero-width space after START (pasted text) makes the plugin skip the card
    exactly as a space does. notels reports start-trailing-text for the space (and U+00A0) but
    nothing on the START line for U+200B: only a stray END further down."""
    text = WORDS + DECK + "START\u200b\nBasic\nFRONT: q\nID: 1737306548883\nEND\n"
    start_line = text.index("START"), text.index("\nBasic")
    found = _only("start-trailing-text", {"a.md": text})
    assert [f for f in found if start_line[0] <= f.span.start <= start_line[1]]


# --- §3 headings ------------------------------------------------------------------------------


def test_heading_match_does_not_drop_underscores_inside_words():
    """'Headings match ignoring case and Markdown emphasis'. `snake_case_name` holds no
    emphasis (an underscore inside a word is none), so `[[N#snakecasename]]` names no heading
    of N. notels strips every `_` (and `*`, `=`, `~`, `:` ...) anywhere in the heading, so the
    link resolves and no unresolved-heading is reported."""
    notes = {"a.md": WORDS + "[[N#snakecasename]]\n", "N.md": "# snake_case_name\n"}
    assert [f.span.slice(notes["a.md"]) for f in _only("unresolved-heading", notes)] == [
        "snakecasename"
    ]


def test_an_inline_card_is_no_content_as_a_block_card_is_none():
    """Block cards do not count as the note's content for fix/empty; an inline card
    (`STARTI ... ENDI`) did, word by word."""
    card = "STARTI [Basic] " + " ".join(["вопрос"] * 25) + " Back: ответ ENDI\n"
    text = "---\ntags:\n  - fix/empty\n---\n" + DECK + card
    assert _only("stale-fix-empty", {"a.md": text}) == []


def test_an_id_written_wrong_above_a_blank_line_before_end_is_named_so():
    """The plugin trims the block: a blank line between the ID and END leaves the ID the last
    line. `ID:  n` there is written wrong, not out of place: was "Move it just above END"."""
    text = WORDS + DECK + "START\nBasic\nFRONT: q\nBACK: a\nID:  1737306548883\n\n\r\nEND\n"
    (found,) = _only("misplaced-id", {"a.md": text})
    assert "Write it as `ID: 1737306548883`" in found.message
