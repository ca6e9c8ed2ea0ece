"""How notels reads Anki blocks: the Obsidian_to_Anki plugin's rules, surprises included."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from notels.syntax.anki import scan_anki
from notels.syntax.model import AnkiItems, Card, CardId, Field
from notels.syntax.spans import Span


def only_card(text: str) -> Card:
    items = scan_anki(text)
    assert len(items.cards) == 1, items
    return items.cards[0]


def field_values(card: Card) -> list[tuple[str, str]]:
    return [(field.name, field.value) for field in card.fields]


# --- A card ---------------------------------------------------------------------------------


def test_a_simple_card() -> None:
    text = "START\nBasic\nFront: What is 2+2?\nBack: 4\nID: 1737306548883\nEND\n"
    card = only_card(text)
    assert card.note_type == "Basic"
    assert field_values(card) == [("Front", "What is 2+2?"), ("Back", "4")]
    assert card.id is not None and card.id.value == "1737306548883"
    assert card.id.span.slice(text) == "ID: 1737306548883"
    assert card.id.value_span.slice(text) == "1737306548883"
    assert not card.id.comment
    assert card.span.slice(text) == text.removesuffix("\n")
    assert card.start_span.slice(text) == "START"
    assert card.end_span is not None and card.end_span.slice(text) == "END"
    assert card.end_is_exact and card.closed
    assert card.misplaced_ids == () and card.swallowed_starts == ()


def test_the_real_world_sample() -> None:
    text = (
        "---\naliases: \nanki: false\ntags:\n  - fix/empty\n---\n"
        "In every case embeddings give a compact vector representation ...\n"
        "- [[Word Embeddings]] ([[Word2Vec]], GloVe, FastText)\n\n"
        "# Anki\n"
        "TARGET DECK: stem::ml::core\n"
        "START\n"
        "math_complex\n"
        "FRONT: Embedding  \n"
        "BACK: A method for representing objects as dense vectors ...\n"
        'FORMULA: A vector of dimension d ... "king" → $[0.25,\u22120.64,0.13]$\n'
        "ADDITIONAL: Applied in NLP (e.g., [[Word2Vec]], [[GloVe]]) ...\n"
        "ID: 1737306548883\n"
        "END\n"
    )
    items = scan_anki(text)
    assert [deck.deck for deck in items.decks] == ["stem::ml::core"]
    card = only_card(text)
    assert card.note_type == "math_complex"
    assert [field.name for field in card.fields] == ["FRONT", "BACK", "FORMULA", "ADDITIONAL"]
    front = card.fields[0]
    assert front.value == "Embedding"
    assert front.value_span.slice(text) == "Embedding"
    assert front.span.slice(text) == "FRONT: Embedding  "
    formula = card.fields[2]
    assert formula.value_span.slice(text) == formula.value
    assert formula.value.endswith("$[0.25,\u22120.64,0.13]$")
    assert card.id is not None and card.id.value == "1737306548883"
    assert items.unclosed == () and items.stray_ends == () and items.trailing_starts == ()


def test_id_written_as_an_html_comment() -> None:
    text = "START\nBasic\nFront: q\nBack: a\n<!--ID: 1737306548883-->\nEND"
    card = only_card(text)
    assert card.id is not None
    assert card.id.comment
    assert card.id.span.slice(text) == "<!--ID: 1737306548883-->"
    assert card.id.value_span.slice(text) == "1737306548883"


def test_tags_line_before_the_id() -> None:
    text = "START\nBasic\nFront: q\nBack: a\nTags: algebra linear\nID: 1737306548883\nEND\n"
    card = only_card(text)
    assert card.tags == ("algebra", "linear")
    assert card.tags_span is not None
    assert card.tags_span.slice(text) == "Tags: algebra linear"
    assert field_values(card) == [("Front", "q"), ("Back", "a")]


def test_an_id_line_that_is_not_last_is_field_text_for_the_plugin() -> None:
    text = "START\nBasic\nFront: q\nID: 1737306548883\nBack: a\nEND\n"
    card = only_card(text)
    assert card.id is None
    assert [stray.span.slice(text) for stray in card.misplaced_ids] == ["ID: 1737306548883"]
    assert field_values(card) == [("Front", "q\nID: 1737306548883"), ("Back", "a")]


def test_a_malformed_last_id_line_is_misplaced_not_an_id() -> None:
    text = "START\nBasic\nFront: q\nID:1737306548883\nEND\n"
    card = only_card(text)
    assert card.id is None
    assert [stray.value for stray in card.misplaced_ids] == ["1737306548883"]


# --- START and END lines --------------------------------------------------------------------


def test_start_with_a_trailing_space_or_text_is_no_block() -> None:
    text = "START \nBasic\nFront: q\nEND\nSTART here\nBasic\nFront: q\nEND\n"
    items = scan_anki(text)
    assert items.cards == ()
    assert [s.line_span.slice(text) for s in items.trailing_starts] == ["START ", "START here"]
    assert [s.trailing_span.slice(text) for s in items.trailing_starts] == [" ", " here"]
    assert [span.slice(text) for span in items.stray_ends] == ["END", "END"]


def test_words_that_merely_begin_with_start_are_prose() -> None:
    items = scan_anki("STARTED the engine\nSTARTI [Basic] q a ENDI\n")
    assert items.trailing_starts == ()
    assert items.cards == () and items.unclosed == ()


def test_a_start_line_of_prose_is_no_broken_block() -> None:
    # Words after START make a meant block only when an END line follows; punctuation never.
    text = "START: the race begins.\nSTART the engine, then go.\nSTART\u00a0\n"
    items = scan_anki(text)
    assert [s.line_span.slice(text) for s in items.trailing_starts] == ["START\u00a0"]
    later_end = text + "START: a\nSTART Basic\nFront: q\nEND\n"
    items = scan_anki(later_end)
    assert [s.line_span.slice(later_end) for s in items.trailing_starts] == [
        "START the engine, then go.",
        "START\u00a0",
        "START Basic",
    ]


def test_any_line_beginning_with_end_closes_the_block() -> None:
    text = "START\nBasic\nFront: q\nENDPOINT: the URL\nBack: a\nEND\n"
    items = scan_anki(text)
    card = only_card(text)
    assert card.end_span is not None and card.end_span.slice(text) == "ENDPOINT: the URL"
    assert not card.end_is_exact
    assert field_values(card) == [("Front", "q")]
    # The real END is left over, with no START before it.
    assert [span.slice(text) for span in items.stray_ends] == ["END"]


def test_end_with_trailing_spaces_is_an_exact_end() -> None:
    card = only_card("START\nBasic\nFront: q\nEND  \n")
    assert card.end_is_exact


def test_endpoint_outside_a_block_is_prose_not_a_stray_end() -> None:
    assert scan_anki("ENDPOINT: https://example.org\nEND \n").stray_ends == (Span(30, 34),)


def test_an_end_right_after_start_does_not_close_the_block() -> None:
    # `^START\n([\s\S]*?\n)END` needs a line break inside the block, so the first END is content.
    text = "START\nEND\nprose\nSTART\nBasic\nFront: q\nEND\n"
    items = scan_anki(text)
    card = only_card(text)
    assert card.span.slice(text) == text.removesuffix("\n")
    assert card.note_type == "END"  # what the plugin sees, and how a rule can spot this
    assert card.swallowed_starts == (Span(16, 21),)
    assert items.stray_ends == ()


def test_an_empty_block() -> None:
    card = only_card("START\n\nEND\n")
    assert card.note_type is None and card.note_type_span is None
    assert card.fields == () and card.id is None


def test_a_second_start_before_the_end_is_swallowed() -> None:
    text = (
        "START\nBasic\nFront: one\n\n"
        "START\nBasic\nFront: two\nID: 1737306548883\nEND\n"
        "START\nBasic\nFront: three\nEND\n"
    )
    items = scan_anki(text)
    assert len(items.cards) == 2
    merged, third = items.cards
    assert [span.slice(text) for span in merged.swallowed_starts] == ["START"]
    assert merged.swallowed_starts[0].start == text.index("START", 1)
    assert merged.id is not None and merged.id.value == "1737306548883"
    assert field_values(merged) == [("Front", "one\n\nSTART\nBasic"), ("Front", "two")]
    assert field_values(third) == [("Front", "three")]


def test_start_without_end_is_unclosed() -> None:
    text = "TARGET DECK: d\nSTART\nBasic\nFront: q\nBack: a\n\n\n"
    items = scan_anki(text)
    assert items.cards == ()
    (card,) = items.unclosed
    assert not card.closed and card.end_span is None
    assert card.span.slice(text) == "START\nBasic\nFront: q\nBack: a"
    assert card.note_type == "Basic"
    assert field_values(card) == [("Front", "q"), ("Back", "a")]


def test_several_unclosed_starts_each_get_a_card() -> None:
    text = "START\nBasic\nFront: one\nSTART\nBasic\nFront: two"
    items = scan_anki(text)
    assert [card.span.slice(text) for card in items.unclosed] == [
        "START\nBasic\nFront: one",
        "START\nBasic\nFront: two",
    ]


def test_stray_end() -> None:
    text = "START\nBasic\nFront: q\nEND\nEND\n"
    items = scan_anki(text)
    assert len(items.cards) == 1
    assert items.stray_ends == (Span(25, 28),)


def test_indented_keywords_are_prose() -> None:
    assert scan_anki("  START\nBasic\n  END\n") == AnkiItems()


# --- Deck, file tags, deletions, inline cards -----------------------------------------------


def test_every_target_deck_is_recorded_in_order() -> None:
    text = "TARGET DECK: stem::math\nSTART\nBasic\nFront: q\nEND\nTARGET DECK: other \n"
    items = scan_anki(text)
    assert [deck.deck for deck in items.decks] == ["stem::math", "other"]
    assert items.decks[1].deck_span.slice(text) == "other"
    assert items.decks[1].span.slice(text) == "TARGET DECK: other "


def test_deck_on_the_next_line() -> None:
    text = "TARGET DECK\nstem::math\nSTART\nBasic\nFront: q\nEND\n"
    (deck,) = scan_anki(text).decks
    assert deck.deck == "stem::math"
    assert deck.span.slice(text) == "TARGET DECK\nstem::math"


def test_deck_lines_the_plugin_does_not_read() -> None:
    # Its regex is `^TARGET DECK(?:\n|: )(.*)`.
    assert scan_anki("TARGET DECK:stem\nTARGET DECKS: x\nTARGET DECK \nd\n").decks == ()


def test_file_tags() -> None:
    text = "FILE TAGS: math  algebra\nFILE TAGS\nlater\n"
    items = scan_anki(text)
    assert [tags.tags for tags in items.file_tags] == [("math", "algebra"), ("later",)]
    assert items.file_tags[0].span.slice(text) == "FILE TAGS: math  algebra"


def test_delete_marker() -> None:
    text = "DELETE\nID: 1737306548883\n\nDELETE\nnothing\n"
    first, second = scan_anki(text).deletes
    assert first.span.slice(text) == "DELETE"
    assert first.id is not None and first.id.value == "1737306548883"
    assert second.id is None
    assert scan_anki(text).cards == ()


def test_inline_cards() -> None:
    text = (
        "Intro STARTI [Basic] What? Back: that ENDI\n"
        "STARTI [Cloze] {{c1::x}} <!--ID: 1737306548883--> ENDI\n"
        "STARTI [Basic] q a ENDI ID: 1737306548884\n"
    )
    items = scan_anki(text)
    assert [card.note_type for card in items.inline_cards] == ["Basic", "Cloze", "Basic"]
    assert items.inline_cards[0].span.slice(text) == "STARTI [Basic] What? Back: that ENDI"
    ids = [card.id for card in items.inline_cards]
    assert ids[0] is None
    assert ids[1] == CardId(
        "1737306548883",
        Span(text.index("<!--"), text.index("-->") + 3),
        Span(text.index("1737306548883"), text.index("1737306548883") + 13),
        comment=True,
    )
    assert ids[2] is not None and ids[2].value == "1737306548884"
    assert items.trailing_starts == () and items.stray_ends == () and items.cards == ()


def test_frozen_fields_lines_are_ordinary_text() -> None:
    assert scan_anki("FROZEN - Basic:\nBack: always this\n") == AnkiItems()


# --- Line endings, BOM, Unicode -------------------------------------------------------------


def test_crlf_and_lone_cr_end_lines_like_lf() -> None:
    lf = "TARGET DECK: d\nSTART\nBasic\nFront: q\nBack: a\nID: 1737306548883\nEND\nEND\n"
    for newline in ("\r\n", "\r"):
        text = lf.replace("\n", newline)
        items = scan_anki(text)
        card = only_card(text)
        assert field_values(card) == [("Front", "q"), ("Back", "a")]
        assert card.id is not None and card.id.value == "1737306548883"
        assert card.end_span is not None and card.end_span.slice(text) == "END"
        block = ["START", "Basic", "Front: q", "Back: a", "ID: 1737306548883", "END"]
        assert card.span.slice(text) == newline.join(block)
        assert [deck.deck for deck in items.decks] == ["d"]
        assert [span.slice(text) for span in items.stray_ends] == ["END"]


def test_multi_line_value_with_crlf_is_joined_with_lf() -> None:
    text = "START\r\nBasic\r\nFront: one\r\ntwo\r\nEND\r\n"
    assert field_values(only_card(text)) == [("Front", "one\ntwo")]


def test_bom_before_the_first_start() -> None:
    text = "\ufeffSTART\nBasic\nFront: q\nEND"
    card = only_card(text)
    assert card.start_span == Span(1, 6)
    assert field_values(card) == [("Front", "q")]


def test_bom_before_a_first_target_deck() -> None:
    (deck,) = scan_anki("\ufeffTARGET DECK: d\n").decks
    assert deck.span == Span(1, 15)


def test_no_final_newline() -> None:
    text = "START\nBasic\nFront: q\nID: 1737306548883\nEND"
    card = only_card(text)
    assert card.span == Span(0, len(text))
    assert card.id is not None and card.id.value == "1737306548883"


def test_cyrillic_and_emoji_spans() -> None:
    text = (
        "Заметка 🙂\nSTART\nmath_basic_single\n"
        "FRONT: Что такое 🧠 эмбеддинг?\nBACK: Вектор 🚀\nEND\n"
    )
    card = only_card(text)
    front, back = card.fields
    assert front.value_span.slice(text) == "Что такое 🧠 эмбеддинг?"
    assert front.name_span.slice(text) == "FRONT"
    assert back.value_span.slice(text) == back.value == "Вектор 🚀"
    assert card.start_span.slice(text) == "START"


# --- Fields ---------------------------------------------------------------------------------


def test_multi_line_values_and_blank_lines_inside_the_block() -> None:
    text = (
        "START\n\n"
        "math_complex\n"
        "FRONT: Extreme Value Theorem\n"
        "What does it need?\n\n"
        "BACK: Continuity on\n"
        "- a closed\n"
        "- bounded interval\n\n"
        "PICTURE:\n"
        "PROOF: \n\n"
        "ID: 1755880831680\n"
        "END\n"
    )
    card = only_card(text)
    assert card.note_type == "math_complex"
    assert field_values(card) == [
        ("FRONT", "Extreme Value Theorem\nWhat does it need?"),
        ("BACK", "Continuity on\n- a closed\n- bounded interval"),
        ("PICTURE", ""),
        ("PROOF", ""),
    ]
    front, back, picture, proof = card.fields
    assert front.span.slice(text) == "FRONT: Extreme Value Theorem\nWhat does it need?"
    assert back.value_span.slice(text) == back.value
    assert picture.value_span == Span(text.index("PICTURE:") + 8, text.index("PICTURE:") + 8)
    assert proof.value_span == Span(text.index("PROOF: ") + 7, text.index("PROOF: ") + 7)
    assert picture.span.slice(text) == "PICTURE:"


def test_title_case_field_names() -> None:
    card = only_card("START\nBasic (and reversed)\nFront: q\nBack Extra: more\nText: t\nEND\n")
    assert card.note_type == "Basic (and reversed)"
    assert [field.name for field in card.fields] == ["Front", "Back Extra", "Text"]


def test_text_before_the_first_field_has_no_name() -> None:
    text = "START\nBasic\n\nloose text\nFRONT: q\nEND\n"
    loose, front = only_card(text).fields
    assert loose == Field("", Span(13, 13), "loose text", Span(13, 23), Span(13, 23))
    assert front.name == "FRONT"


def test_missing_note_type() -> None:
    text = "START\nFRONT: x\nBACK: y\nEND\n"
    card = only_card(text)
    assert card.note_type is None
    assert field_values(card) == [("FRONT", "x"), ("BACK", "y")]


def test_note_type_is_kept_as_written() -> None:
    card = only_card("START\n  Basic  \nFront: q\nEND\n")
    assert card.note_type == "Basic  "  # the plugin has no model named "Basic  "


def test_blocks_inside_fenced_code_are_found() -> None:
    text = "```\nSTART\nBasic\nFront: q\nEND\n```\n"
    assert only_card(text).note_type == "Basic"


def test_a_note_without_keywords_has_no_items() -> None:
    assert scan_anki("# Title\n\nJust prose about the end of the START.\n") == AnkiItems()
    assert scan_anki("") == AnkiItems()


# --- Properties -----------------------------------------------------------------------------


def all_spans(items: AnkiItems) -> list[Span]:
    spans: list[Span] = []

    def add_id(card_id: CardId | None) -> None:
        if card_id is not None:
            spans.extend((card_id.span, card_id.value_span))

    for deck in items.decks:
        spans.extend((deck.span, deck.deck_span))
    spans.extend(tags.span for tags in items.file_tags)
    for card in items.cards + items.unclosed:
        spans.extend((card.span, card.start_span, *card.swallowed_starts))
        for optional in (card.end_span, card.note_type_span, card.tags_span):
            if optional is not None:
                spans.append(optional)
        add_id(card.id)
        for stray in card.misplaced_ids:
            add_id(stray)
        for field in card.fields:
            spans.extend((field.span, field.name_span, field.value_span))
    spans.extend(items.stray_ends)
    for trailing in items.trailing_starts:
        spans.extend((trailing.line_span, trailing.trailing_span))
    for marker in items.deletes:
        spans.append(marker.span)
        add_id(marker.id)
    for inline in items.inline_cards:
        spans.append(inline.span)
        add_id(inline.id)
    return spans


def check_invariants(text: str) -> AnkiItems:
    items = scan_anki(text)
    for span in all_spans(items):
        assert 0 <= span.start <= span.end <= len(text), (span, text)
    for card in items.cards + items.unclosed:
        assert card.span.start <= card.start_span.start
        assert card.start_span.slice(text) == "START"
        for field in card.fields:
            assert card.span.start <= field.span.start <= field.span.end <= card.span.end
            if "\r" not in field.value_span.slice(text):
                assert field.value_span.slice(text) == field.value
    return items


LINES = st.sampled_from(
    [
        "START",
        "START ",
        "\ufeffSTART",
        "STARTI [Basic] q ENDI",
        "END",
        "END ",
        "ENDPOINT: x",
        "ID: 1737306548883",
        "<!--ID: 42-->",
        "ID:7",
        "Tags: a b",
        "FRONT: x",
        "FRONT:",
        "Back Extra: ü",
        "Basic",
        "TARGET DECK: d::e",
        "TARGET DECK",
        "FILE TAGS: t",
        "DELETE",
        "",
        "  ",
        "text 🙂",
    ]
)
NEWLINES = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def likely_notes(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.one_of(LINES, st.text(max_size=12)), max_size=40))
    parts: list[str] = []
    for line in lines:
        parts.append(line)
        parts.append(draw(NEWLINES))
    drop_last_break: bool = draw(st.booleans())
    if parts and drop_last_break:
        parts.pop()
    return "".join(parts)


@given(st.text())
def test_any_text_is_scanned_without_error(text: str) -> None:
    check_invariants(text)


@settings(max_examples=400)
@given(likely_notes())
def test_likely_notes_are_scanned_without_error(text: str) -> None:
    check_invariants(text)


PLUGIN_BLOCK = re.compile(r"^START\n([\s\S]*?\n)END", re.MULTILINE)


@settings(max_examples=400)
@given(likely_notes())
def test_blocks_match_the_plugin_regex_on_lf_text(text: str) -> None:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    items = scan_anki(text)
    expected = [(m.start(), m.end(1)) for m in PLUGIN_BLOCK.finditer(text)]
    assert [(card.span.start, card.end_span.start) for card in items.cards if card.end_span] == (
        expected
    )
    for card, match in zip(items.cards, PLUGIN_BLOCK.finditer(text), strict=True):
        # The plugin's `Note`: trim, pop the ID line, pop the Tags line, the first line is the type.
        inner = match.group(1).strip().split("\n")
        last = re.match(r"[ \t]*(?:<!--)?ID: (\d+)", inner[-1])
        assert (card.id.value if card.id else None) == (last.group(1) if last else None)
        if last:
            inner.pop()
        tags: list[str] = []
        if inner and inner[-1].startswith("Tags: "):
            tags = inner.pop().removeprefix("Tags: ").split()
        assert list(card.tags) == tags
        if card.note_type is not None:
            assert card.note_type == inner[0]
