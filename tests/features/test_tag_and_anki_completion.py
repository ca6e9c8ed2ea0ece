"""Completing tags, and Anki blocks: note types, field names, decks and whole new cards."""

from __future__ import annotations

import re

from featurekit import NOW_MS, accept, complete_at, labels, vault

from notels.config import Config, IdStyle
from notels.features import CompletionKind, complete
from notels.syntax.note import parse_note
from notels.syntax.spans import Span
from notels.vault.index import VaultIndex


def card(note_type: str, fields: str, card_id: int) -> str:
    return f"START\n{note_type}\n{fields}ID: {card_id}\nEND\n"


COMPLEX = "FRONT: q\nBACK: a\nFORMULA: f\n"
NOTES = {
    "Topology.md": (
        "---\ntags:\n  - math/topology\n  - Definition\n---\n#math/topology text\n"
        "TARGET DECK: stem::math\n"
        + card("math_complex", COMPLEX, 1737306548883)
        + card("math_complex", COMPLEX, 1737306548884)
        + card("math_complex", "FRONT: q\nBACK: a\nPROOF: p\n", 1737306548885)
    ),
    "Embeddings.md": (
        "#ml/nlp #math/analysis\nTARGET DECK: stem::ml\n"
        + card("math_basic_single", "FRONT: q\nBACK: a\n", 1737306548886)
    ),
    "Compactness.md": "#math/topology\nTARGET DECK: stem::math\n",
    "Draft.md": "",
}


def make_vault() -> VaultIndex:
    return vault(NOTES)


# --- tags -------------------------------------------------------------------------------------


def test_a_hash_in_the_body_offers_the_vaults_tags_nested_ones_too():
    plain, result = complete_at(make_vault(), "Draft.md", "Some text #ma‸")
    assert labels(result) == ["math/topology", "math/analysis"]  # more notes use the first
    item = result.items[0]
    assert item.kind is CompletionKind.TAG
    assert item.replace_span == Span(11, 13)  # `ma`, after the `#`
    assert item.detail == "2 notes"
    assert accept(plain, item) == "Some text #math/topology"


def test_editing_inside_a_tag_offers_to_overwrite_the_rest_of_it():
    plain, result = complete_at(make_vault(), "Draft.md", "#ma‸th/top more")
    item = result.items[0]
    assert (item.replace_span.slice(plain), item.overwrite_span) == ("ma", Span(1, 9))  # `math/top`


def test_tags_keep_the_case_they_are_written_in():
    assert labels(complete_at(make_vault(), "Draft.md", "#defin‸")[1]) == ["Definition"]


def test_a_part_after_the_slash_finds_the_nested_tag():
    assert labels(complete_at(make_vault(), "Draft.md", "#nlp‸")[1]) == ["ml/nlp"]


def test_items_under_frontmatter_tags():
    plain, result = complete_at(make_vault(), "Draft.md", "---\ntags:\n  - ma‸\n---\n")
    assert accept(plain, result.items[0]) == "---\ntags:\n  - math/topology\n---\n"


def test_a_hash_typed_in_frontmatter_tags_is_replaced():
    # In YAML a `#` starts a comment: the completed tag goes without it.
    plain, result = complete_at(make_vault(), "Draft.md", "---\ntags: [a, #ma‸]\n---\n")
    assert result.items[0].replace_span == Span(14, 17)
    assert accept(plain, result.items[0]) == "---\ntags: [a, math/topology]\n---\n"


def test_body_tags_under_an_unclosed_frontmatter():
    _, result = complete_at(make_vault(), "Draft.md", "---\ntags: [a]\nProse #ml‸")
    assert labels(result) == ["ml/nlp"]


def test_a_tag_only_the_current_document_has_is_not_offered_back():
    # While `#zz` is typed the parser already sees a tag `zz`: it is no suggestion.
    assert complete_at(make_vault(), "Draft.md", "#zz‸")[1].items == ()


def test_no_tag_completion_in_headings_code_or_urls():
    index = make_vault()
    for text in ("# ‸", "## ma‸", "`#ma‸`", "https://x.org/#ma‸", "a#ma‸", "---\ntags:‸\n---\n"):
        assert complete_at(index, "Draft.md", text)[1].items == (), text


# --- note types, fields, decks -----------------------------------------------------------------


def test_the_line_after_start_offers_note_types_most_used_first():
    # Configured types are offered even before any card uses them.
    config = Config(note_types={"Basic": ("Front", "Back")})
    plain, result = complete_at(make_vault(), "Draft.md", "START\n‸\nEND\n", config)
    assert labels(result) == ["math_complex", "math_basic_single", "Basic"]
    assert [item.detail for item in result.items] == ["3 cards", "1 card", "0 cards (configured)"]
    assert result.items[0].kind is CompletionKind.NOTE_TYPE
    assert accept(plain, result.items[0]) == "START\nmath_complex\nEND\n"


def test_a_line_start_in_a_block_offers_the_missing_fields():
    text = "START\nmath_complex\nFRONT: Embedding\n‸\nEND\n"
    plain, result = complete_at(make_vault(), "Draft.md", text)
    # FRONT is there already; fields on every card come first. PROOF is on one card of three:
    # too few for the vault to say it is a field of the type.
    assert labels(result) == ["BACK", "FORMULA"]
    item = result.items[0]
    assert item.kind is CompletionKind.FIELD
    assert item.replace_span == Span(36, 36)
    assert accept(plain, item) == "START\nmath_complex\nFRONT: Embedding\nBACK: \nEND\n"


def test_typed_letters_narrow_the_fields():
    text = "START\nmath_complex\nFRONT: q\nfo‸\nEND\n"
    plain, result = complete_at(make_vault(), "Draft.md", text)
    assert labels(result) == ["FORMULA"]
    assert accept(plain, result.items[0]) == "START\nmath_complex\nFRONT: q\nFORMULA: \nEND\n"


def test_configured_fields_win_over_what_the_vault_shows():
    config = Config(note_types={"math_complex": ("FRONT", "BACK", "PICTURE")})
    text = "START\nmath_complex\nBACK: a\n‸"
    assert labels(complete_at(make_vault(), "Draft.md", text, config)[1]) == ["FRONT", "PICTURE"]


def test_field_completion_in_an_unclosed_block_with_broken_frontmatter_above():
    text = "---\ntags: [broken\n---\nSTART\nmath_basic_single\nFRONT: q\n‸"
    assert labels(complete_at(make_vault(), "Draft.md", text)[1]) == ["BACK"]


def test_no_field_completion_within_field_text_or_after_the_block():
    index = make_vault()
    for text in (
        "START\nmath_complex\nFRONT: q‸\nEND\n",
        "START\nmath_complex\nFRONT: q\nEND\n‸",
        "START\nmath_complex\nFRONT: q\nsome text, more‸\nEND\n",
    ):
        assert complete_at(index, "Draft.md", text)[1].items == (), text


def test_target_deck_offers_the_vaults_decks():
    plain, result = complete_at(make_vault(), "Draft.md", "TARGET DECK: stem::m‸")
    assert labels(result) == ["stem::math", "stem::ml"]
    assert result.items[0].replace_span == Span(13, 20)
    assert accept(plain, result.items[0]) == "TARGET DECK: stem::math"


def test_target_deck_on_its_own_line():
    # A near miss follows the exact match: typos are tolerated.
    assert labels(complete_at(make_vault(), "Draft.md", "TARGET DECK\nstem::ml‸")[1]) == [
        "stem::ml",
        "stem::math",
    ]


# --- a new card -------------------------------------------------------------------------------


def test_typing_start_offers_a_whole_card_of_the_most_used_note_type():
    _, result = complete_at(make_vault(), "Draft.md", "# Anki\nSTA‸")
    (item,) = result.items
    assert item.kind is CompletionKind.SNIPPET and item.is_snippet
    assert item.replace_span == Span(7, 10)
    assert item.insert_text == (
        "START\n${1:math_complex}\nFRONT: $2\nBACK: $3\nFORMULA: $4\nID: 1737306548887\nEND$0"
    )
    assert item.detail == "Anki card: math_complex (FRONT, BACK, FORMULA)"


def test_the_new_cards_id_is_13_digits_of_now_and_unique_in_the_vault():
    # The fixed clock says 1737306548883, which four cards of the vault use already.
    _, result = complete_at(make_vault(), "Draft.md", "S‸")
    (card_id,) = re.findall(r"ID: (\d+)", result.items[0].insert_text)
    assert card_id == str(NOW_MS + 4)


def test_the_real_clock_gives_13_digits():
    index = make_vault()
    note = parse_note("ST")
    result = complete(index, "Draft.md", note, 2, Config())
    assert re.search(r"\nID: \d{13}\n", result.items[0].insert_text)


def test_the_id_comment_style_is_followed():
    config = Config(id_style=IdStyle.COMMENT)
    _, result = complete_at(make_vault(), "Draft.md", "START‸", config)
    assert "\n<!--ID: 1737306548887-->\nEND$0" in result.items[0].insert_text


def test_an_empty_vault_gets_a_basic_card():
    _, result = complete_at(vault({"Draft.md": ""}), "Draft.md", "ST‸")
    assert result.items[0].insert_text == (
        "START\n${1:Basic}\nFront: $2\nBack: $3\nID: 1737306548883\nEND$0"
    )


def test_no_card_snippet_inside_a_block_or_mid_line():
    index = make_vault()
    for text in ("START\nBasic\nFront: q\nST‸\nEND\n", "text ST‸", "STA‸RT", "st‸"):
        result = complete_at(index, "Draft.md", text)[1]
        assert all(item.kind is not CompletionKind.SNIPPET for item in result.items), text
