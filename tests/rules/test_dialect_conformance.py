"""DIALECT.md checked rule by rule, through the parser, the index and the rules."""

from __future__ import annotations

from notels.config import Config
from notels.edits.rename import rename_note_edits
from notels.edits.text_edit import apply_edits
from notels.features.completion import new_card_id
from notels.syntax.anki import scan_anki
from notels.syntax.note import parse_note
from vaults import build_index, findings_for

DECK = "TARGET DECK: stem::ml::core\n"
WORDS = "Enough words in this note to count as written content for every content rule here.\n"


def _codes(notes, path="a.md", config=None, attachments=()):
    return [f.code for f in findings_for(notes, path, config, attachments)]


def _only(code, notes, path="a.md", config=None, attachments=()):
    return [f for f in findings_for(notes, path, config, attachments) if f.code == code]


# --- §4 fields ------------------------------------------------------------------------------


def test_field_prefix_without_space_after_colon_starts_the_field():
    """'Fields: a line that starts with `FieldName:` ... starts that field'."""
    text = (
        DECK + "START\nmath_complex\nFRONT:Embedding\nBACK:Dense vectors\nID: 1737306548883\nEND\n"
    )
    (card,) = scan_anki(text).cards
    assert [(f.name, f.value) for f in card.fields] == [
        ("FRONT", "Embedding"),
        ("BACK", "Dense vectors"),
    ]


def _typed_vault(extra_card: str) -> dict[str, str]:
    notes = {
        f"n{i}.md": DECK
        + f"START\nmath_complex\nFRONT: q{i}\nBACK: a{i}\nID: 17373065488{i:02d}\nEND\n"
        for i in range(4)
    }
    notes["a.md"] = WORDS + DECK + extra_card
    return notes


def test_duplicate_field_ignores_prefix_that_is_not_a_field_of_the_type():
    """'a line that starts with `FieldName:` (exact case, a field of that note type in Anki)
    starts that field; other lines continue the current field'."""
    card = (
        "START\nmath_complex\nFRONT: q\nBACK: a\nExample: one\nExample: two\n"
        "ID: 1737306548899\nEND\n"
    )
    assert not _only("duplicate-field", _typed_vault(card))


def test_last_line_with_spaced_comment_id_is_the_card_id():
    """'The LAST line, if it matches `(?:<!--)?ID: (\\d+)`, is the note ID.'"""
    text = WORDS + DECK + "START\nBasic\nFRONT: q\nBACK: a\n<!-- ID: 1737306548883 -->\nEND\n"
    (card,) = scan_anki(text).cards
    assert card.id is not None and card.id.value == "1737306548883"
    assert "missing-id" not in _codes({"a.md": text})


def test_an_id_after_text_on_the_last_line_is_the_card_id_and_the_text_is_flagged():
    """'The LAST line, if it matches `(?:<!--)?ID: (\\d+)`, is the note ID.' The plugin drops
    that whole line, so the text before the ID never reaches Anki."""
    text = WORDS + DECK + "START\nBasic\nFRONT: q\nBACK: see ID: 1737306548883\nEND\n"
    (card,) = scan_anki(text).cards
    assert card.id is not None and card.id.value == "1737306548883"
    assert [field.name for field in card.fields] == ["FRONT"]
    (finding,) = _only("malformed-id", {"a.md": text})
    assert "drops the whole line" in finding.message
    assert finding.span.slice(text) == "BACK: see ID: 1737306548883"
    assert "missing-id" not in _codes({"a.md": text})


def test_start_snippet_id_is_unique_against_inline_card_ids():
    """'A generated ID must be unique in the whole vault'."""
    taken = 1_800_000_000_000
    notes = {
        "b.md": DECK + f"STARTI [Basic] What is X? Back: Y ID: {taken} ENDI\n",
        "a.md": WORDS,
    }
    index = build_index(notes)
    assert new_card_id(index, index.notes["a.md"], now_ms=taken) != taken


# --- §3 links -------------------------------------------------------------------------------


def test_non_markdown_target_with_long_extension_resolves():
    """'Non-Markdown targets (images, PDFs) resolve to any file of that name in the vault.'"""
    notes = {"a.md": WORDS + "See [[Board.canvas]] and ![[Board.canvas]].\n"}
    assert not _only("unresolved-link", notes, attachments=("maps/Board.canvas",))


def test_link_with_math_in_display_text_is_still_a_link():
    """'Links inside code spans, fenced code blocks and math are not links.' (the math is
    inside the link here, not the link inside math)"""
    text = "See [[Energy|$E=mc^2$]] and [[Note|`code` name]].\n"
    assert [link.target for link in parse_note(text).links] == ["Energy", "Note"]


def test_link_to_heading_holding_math_is_checked():
    """'Headings match ignoring case and Markdown emphasis' (a heading with inline math)."""
    notes = {"a.md": WORDS + "[[T#Energy $E=mc^2$]]\n", "T.md": "## Energy $E=mc^2$\n"}
    assert [link.target for link in parse_note(notes["a.md"]).links] == ["T"]


def test_single_quoted_frontmatter_link_with_apostrophe_resolves():
    """'Wikilinks inside frontmatter values are real links: they ... resolve ... like body
    links.'"""
    notes = {"a.md": "---\nparent: '[[It''s]]'\n---\n" + WORDS, "It's.md": WORDS}
    (link,) = parse_note(notes["a.md"]).links
    assert link.target == "It's"
    assert not _only("unresolved-link", notes)


def test_rename_into_single_quoted_frontmatter_link_keeps_it_resolving():
    """'Wikilinks inside frontmatter values are real links: they complete, resolve, rename and
    get diagnostics like body links.'"""
    notes = {"a.md": "---\nparent: '[[Old]]'\n---\n" + WORDS, "Old.md": WORDS}
    edits = rename_note_edits(build_index(notes), "Old.md", "Don't")
    renamed = {"a.md": apply_edits(notes["a.md"], edits["a.md"]), "Don't.md": WORDS}
    assert not _only("unresolved-link", renamed)


# --- §3 tags --------------------------------------------------------------------------------


def test_tag_letters_of_any_script_keep_their_combining_marks():
    """'Tags: ... letters of any script, digits, `_`, `-`, `/`'."""
    text = "Notes #हिंदी/व्याकरण here\n"
    assert [tag.name for tag in parse_note(text).tags] == ["हिंदी/व्याकरण"]


# --- guards ---------------------------------------------------------------------------------


def test_start_with_trailing_space_is_no_block():
    """'`START` must be alone on its line ...; `START ` is not a block.'"""
    text = WORDS + DECK + "START \nBasic\nFRONT: q\nID: 1737306548883\nEND\n"
    assert not scan_anki(text).cards
    assert "start-trailing-text" in _codes({"a.md": text})


def test_start_without_end_swallows_next_card():
    """'the first `START` swallows everything up to it, the second `START` included'."""
    text = WORDS + DECK + "START\nBasic\nFRONT: a\nSTART\nBasic\nFRONT: b\nID: 1737306548883\nEND\n"
    (card,) = scan_anki(text).cards
    assert len(card.swallowed_starts) == 1
    assert "swallowed-block" in _codes({"a.md": text})


def test_end_prefix_closes_block_and_blocks_inside_fences_count():
    """'the block ends at the FIRST later line that begins with `END`'; 'blocks are
    found even inside fenced code blocks'."""
    text = WORDS + DECK + "```\nSTART\nBasic\nFRONT: a\nENDPOINT: x\nID: 1737306548883\nEND\n```\n"
    cards = scan_anki(text).cards
    assert len(cards) == 1 and cards[0].id is None
    assert "end-prefix" in _codes({"a.md": text})


def test_target_deck_first_wins_same_deck_harmless():
    """'A later `TARGET DECK` line naming another deck is ignored ...; one repeating the
    same deck is harmless'."""
    card = "START\nBasic\nFRONT: q\nID: {}\nEND\n"
    same = WORDS + "TARGET DECK\na::b\n" + card.format(1737306548883) + "TARGET DECK: a::b\n"
    other = same + "TARGET DECK: a::c\n" + card.format(1737306548884)
    assert not _only("shadowed-target-deck", {"a.md": same})
    assert len(_only("shadowed-target-deck", {"a.md": other})) == 1


def test_plugin_constructs_are_not_flagged():
    """'`FILE TAGS: a b` ..., `DELETE` followed by an ID line ..., inline cards
    `STARTI [Type] text ENDI`, frozen fields `FROZEN - Type:` lines. Recognise these; do not
    flag them.'"""
    text = (
        WORDS + DECK + "FILE TAGS: a b\nFROZEN - Basic:\nBack: x\n\n"
        "STARTI [Basic] What is X? Back: Y ENDI\nDELETE\nID: 1737306548883\n"
    )
    assert _codes({"a.md": text}) == []


def test_links_hidden_in_code_fences_and_math():
    """'Links inside code spans, fenced code blocks and math are not links.'"""
    text = "`[[A]]` $[[B]]$ $$\n[[C]]\n$$\n```\n[[D]]\n```\n~~~\n[[E]]\n~~~\n[[F]]\n"
    assert [link.target for link in parse_note(text).links] == ["F"]


def test_frontmatter_link_positions_with_bom_crlf_cyrillic():
    """'Positions must point inside the YAML text.'"""
    text = '\ufeff---\r\nparent:\r\n  - "[[Привет 😀|x]]"\r\n---\r\nbody\r\n'
    (link,) = parse_note(text).links
    assert link.target_span.slice(text) == "Привет 😀"
    assert link.frontmatter_key == "parent"


def test_ambiguous_bare_link_picks_root_closest_and_hints():
    """'Obsidian picks the one closest to the vault root / shortest path: do the same,
    and say so in a hint'."""
    notes = {"a.md": WORDS + "[[note]]\n", "Deep/x/Note.md": WORDS, "Top/Note.md": WORDS}
    index = build_index(notes)
    assert index.resolve_target("note", "a.md").paths[0] == "Top/Note.md"
    assert len(_only("ambiguous-link", notes)) == 1


def test_fix_empty_under_both_prefixes_any_case():
    """'`fix/...` tags ...; Russian-speaking owners also write `фикс/...`, ... both by
    default.'"""
    for tag in ("#Fix/Empty", "#фикс/empty"):
        assert "stale-fix-empty" in _codes({"a.md": tag + "\n" + WORDS * 2})


# --- the plugin's edges: `START ` cards, indented pairs, note types, first fields -------------


def test_card_without_end_before_a_start_with_trailing_space_is_reported_as_swallowing_it():
    """'the block ends at the FIRST later line that begins with `END`'; 'if a later block's
    `END` exists, the first `START` swallows everything up to it ... as one broken card.' The
    second card's `START ` is no block start, so the first START runs on to the second card's
    END: the plugin syncs one merged card under the second card's ID (FRONT "a\\nb")."""
    text = (
        WORDS + DECK + "START\nBasic\nFRONT: a\nBACK: x\n\n"
        "START \nBasic\nFRONT: b\nBACK: y\nID: 1737306548883\nEND\n"
    )
    (card,) = scan_anki(text).cards
    assert card.start_span.slice(text) == "START"
    assert card.id is not None and card.id.value == "1737306548883"  # the plugin's reading
    findings = findings_for({"a.md": text}, "a.md")
    # The first card lacks its END: that must be said on its START, as swallowed-block says
    # it for an exact START. Was: only start-trailing-text on line 9, claiming "the sync
    # plugin ignores this card" although the plugin merges it into the card above.
    assert any(f.code == "swallowed-block" and f.span == card.start_span for f in findings), [
        (f.code, f.message) for f in findings
    ]
    (trailing,) = [f for f in findings if f.code == "start-trailing-text"]
    assert "reads this card as part of the card above" in trailing.message


def test_indented_start_end_inside_a_synced_card_is_not_a_nested_card():
    """'Block: the plugin's regex is `^START\\n([\\s\\S]*?\\n)END`': an indented `START` /
    `END` pair inside a closed card's field is that card's text, and the card syncs. nested-block
    says "it never syncs this card", and its quick fix (removing the indent) makes the inner END
    close the real card early: the card loses its ID line and is created again."""
    text = (
        WORDS + DECK + "START\nBasic\nFRONT: Pseudocode of the loop\nBACK: written as\n"
        "  START\n  i = i + 1\n  END\nID: 1737306548883\nEND\n"
    )
    (card,) = scan_anki(text).cards
    assert card.id is not None and card.id.value == "1737306548883"
    assert not _only("nested-block", {"a.md": text})


def test_empty_field_looks_at_the_note_types_first_field():
    """'lines before any field prefix go to the first field' - the note type's first field,
    which Anki refuses to leave empty. With `note-types` configured the order is known: an
    empty PICTURE written first leaves FRONT full (the card is added); a card with no FRONT
    line at all has an empty first field (Anki refuses it)."""
    config = Config(note_types={"math_complex": ("FRONT", "BACK", "PICTURE")})
    picture_first = (
        WORDS + DECK + "START\nmath_complex\nPICTURE:\nFRONT: q\nBACK: a\nID: 1737306548883\nEND\n"
    )
    no_front = WORDS + DECK + "START\nmath_complex\nBACK: a\nID: 1737306548884\nEND\n"
    assert not _only("empty-field", {"a.md": picture_first}, config=config)
    assert _only("empty-field", {"a.md": no_front}, config=config)


def test_note_type_line_with_trailing_space_is_reported():
    """'Inside a block the text is trimmed, then: line 1 is the note type'. Only the block's
    ends are trimmed, so `math_complex ` (a trailing space, common in these notes) is the note
    type the plugin looks up: Anki has no such model and the card never syncs. The parser keeps
    the space on purpose ("`Basic ` is not `Basic`"), but no rule said a word."""
    notes = _typed_vault("START\nmath_complex \nFRONT: q\nBACK: a\nID: 1737306548899\nEND\n")
    text = notes["a.md"]
    (card,) = scan_anki(text).cards
    assert card.note_type == "math_complex "  # the plugin's reading
    line = card.note_type_span
    assert line is not None
    on_the_line = [f for f in findings_for(notes, "a.md") if line.start <= f.span.start <= line.end]
    assert on_the_line, "a card the plugin cannot sync, without a finding"
