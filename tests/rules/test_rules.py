"""Each rule: the smallest note that triggers it, and one that must not."""

from __future__ import annotations

import pytest

from notels.config import Config
from notels.findings import Severity
from notels.rules import REGISTRY
from notels.rules.anki_blocks import nested_block
from notels.rules.base import RuleContext
from notels.syntax.note import parse_note
from notels.vault.index import VaultIndex
from vaults import codes, findings_for

DECK = "TARGET DECK: test::deck\n"


def card(body: str, card_id: str | None = "1737306548883") -> str:
    id_line = f"ID: {card_id}\n" if card_id else ""
    return f"START\nBasic\n{body}{id_line}END\n"


def only(code: str, notes: dict[str, str], path: str = "a.md", config: Config | None = None):
    return [f for f in findings_for(notes, path, config) if f.code == code]


# --- block structure ---------------------------------------------------------------------------


def test_unclosed_block_fires_on_start_without_end():
    found = only("unclosed-block", {"a.md": DECK + "START\nBasic\nFront: q\n"})
    assert len(found) == 1
    assert found[0].severity is Severity.ERROR


def test_closed_block_is_not_unclosed():
    assert not only("unclosed-block", {"a.md": DECK + card("Front: q\n")})


def test_stray_end_fires_on_end_without_start():
    text = DECK + "START \nBasic\nFront: q\nEND\n"
    found = only("stray-end", {"a.md": text})
    assert [f.span.slice(text) for f in found] == ["END"]


def test_end_after_a_card_is_not_stray():
    assert not only("stray-end", {"a.md": DECK + card("Front: q\n")})


def test_swallowed_block_fires_when_a_start_has_no_end_before_the_next():
    text = DECK + "START\nBasic\nFront: a\nSTART\nBasic\nFront: b\nEND\n"
    found = only("swallowed-block", {"a.md": text})
    assert len(found) == 1
    assert found[0].span.slice(text) == "START"
    assert found[0].span.start == len(DECK)
    assert [r.span.slice(text) for r in found[0].related] == ["START"]


def test_two_closed_cards_are_not_swallowed():
    assert not only(
        "swallowed-block", {"a.md": DECK + card("Front: a\n") + card("Front: b\n", "1737306548884")}
    )


def test_start_trailing_text_points_at_the_trailing_part():
    text = DECK + "START here\nBasic\nFront: q\nEND\n"
    found = only("start-trailing-text", {"a.md": text})
    assert [f.span.slice(text) for f in found] == [" here"]


def test_start_with_a_trailing_space_is_reported():
    text = DECK + "START \nBasic\nFront: q\nEND\n"
    found = only("start-trailing-text", {"a.md": text})
    assert [f.span.slice(text) for f in found] == [" "]
    assert "whitespace" in found[0].message


def test_prose_that_begins_with_start_is_no_broken_card():
    text = "START: the race begins at dawn.\nSTART the engine, then drive.\n"
    assert not only("start-trailing-text", {"a.md": text})


def test_exact_start_has_no_trailing_text():
    assert not only("start-trailing-text", {"a.md": DECK + card("Front: q\n")})


def test_end_prefix_fires_on_a_field_starting_with_end():
    text = DECK + "START\nBasic\nFront: q\nENDPOINT: x\nBack: a\nEND\n"
    found = only("end-prefix", {"a.md": text})
    assert [f.span.slice(text) for f in found] == ["ENDPOINT: x"]


def test_plain_end_is_not_end_prefix():
    assert not only("end-prefix", {"a.md": DECK + card("Front: q\n")})


def test_missing_note_type_fires_when_a_field_comes_first():
    text = DECK + "START\nFront: q\nBack: a\nEND\n"
    assert len(only("missing-note-type", {"a.md": text})) == 1


def test_note_type_present_is_clean():
    assert not only("missing-note-type", {"a.md": DECK + card("Front: q\n")})


# --- IDs ---------------------------------------------------------------------------------------


def test_missing_id_fires_on_the_start_line():
    text = DECK + card("Front: q\n", card_id=None)
    found = only("missing-id", {"a.md": text})
    assert [f.span.slice(text) for f in found] == ["START"]
    assert found[0].severity is Severity.WARNING


def test_card_with_id_is_clean():
    assert not only("missing-id", {"a.md": DECK + card("Front: q\n")})


def test_misplaced_id_fires_on_an_id_line_before_other_fields():
    text = DECK + "START\nBasic\nFront: q\nID: 1737306548883\nBack: a\nEND\n"
    found = only("misplaced-id", {"a.md": text})
    assert [f.span.slice(text) for f in found] == ["ID: 1737306548883"]


def test_id_on_last_line_is_not_misplaced():
    assert not only("misplaced-id", {"a.md": DECK + card("Front: q\n")})


def test_malformed_id_fires_on_wrong_digit_count_and_implausible_time():
    short = only("malformed-id", {"a.md": DECK + card("Front: q\n", "12345")})
    assert len(short) == 1 and "5 digits" in short[0].message
    ancient = only("malformed-id", {"a.md": DECK + card("Front: q\n", "1000000000000")})
    assert len(ancient) == 1 and "2001-09-09" in ancient[0].message


def test_malformed_id_digits_are_configurable_and_other_lengths_have_no_time():
    config = Config(id_digits=5)
    # 5 digits is then the right length; such IDs are no epoch milliseconds, so no time check.
    assert not only("malformed-id", {"a.md": DECK + card("Front: q\n", "12345")}, config=config)
    (found,) = only("malformed-id", {"a.md": DECK + card("Front: q\n")}, config=config)
    assert "has 13 digits; Anki note IDs have 5" in found.message
    wide = Config(id_digits=14)
    assert not only("malformed-id", {"a.md": DECK + card("Front: q\n", "9" * 14)}, config=wide)


def test_plausible_id_is_not_malformed():
    assert not only("malformed-id", {"a.md": DECK + card("Front: q\n")})


def test_duplicate_id_across_notes_points_at_the_other_copy():
    a = DECK + card("Front: q\n")
    b = "# Copy\n" + DECK + card("Front: other\n")
    found = only("duplicate-id", {"a.md": a, "b.md": b})
    assert len(found) == 1
    assert found[0].span.slice(a) == "ID: 1737306548883"
    assert [(r.path, r.span.slice(b)) for r in found[0].related] == [("b.md", "ID: 1737306548883")]


def test_duplicate_id_inside_one_note():
    text = DECK + card("Front: a\n") + card("Front: b\n")
    assert len(only("duplicate-id", {"a.md": text})) == 2


def test_inline_cards_ids_are_duplicates_too():
    # Two inline cards with one ID, and a block card sharing it: Anki keeps one of the three.
    inline = DECK + "Text STARTI [Basic] q1 :: a1 ID: 1737306548883 ENDI\n"
    other = DECK + "STARTI [Basic] q2 :: a2 ID: 1737306548883 ENDI\n"
    block = DECK + card("Front: q\n")
    found = only("duplicate-id", {"a.md": inline, "b.md": other, "c.md": block})
    assert [f.span.slice(inline) for f in found] == ["ID: 1737306548883"]
    assert sorted(r.path for r in found[0].related) == ["b.md", "c.md"]
    assert not only("duplicate-id", {"a.md": inline, "c.md": DECK + card("Front: q\n", "1")})


def test_distinct_ids_are_clean():
    a = DECK + card("Front: q\n", "1737306548883")
    b = DECK + card("Front: q\n", "1737306548884")
    assert not only("duplicate-id", {"a.md": a, "b.md": b})


# --- fields ------------------------------------------------------------------------------------

FIELDS = "FRONT: q\nBACK: a\n"


def typed_card(note_type: str, body: str, card_id: int) -> str:
    return f"START\n{note_type}\n{body}ID: {card_id}\nEND\n"


def test_unknown_field_uses_what_the_vault_agrees_on():
    notes = {
        f"n{i}.md": DECK + typed_card("math_complex", FIELDS, 1737306548000 + i) for i in range(4)
    }
    odd = DECK + typed_card("math_complex", "TITLE: q\nDESCRIPTION: a\n", 1737306549999)
    notes["odd.md"] = odd
    found = only("unknown-field", notes, path="odd.md")
    assert [f.span.slice(odd) for f in found] == ["TITLE", "DESCRIPTION"]


def test_unknown_field_ignores_prose_that_looks_like_a_title_case_prefix():
    notes = {
        f"n{i}.md": DECK + typed_card("math_complex", FIELDS, 1737306548000 + i) for i in range(4)
    }
    notes["prose.md"] = DECK + typed_card(
        "math_complex", "FRONT: q\nBACK: a\nExample: x\n", 1737306549999
    )
    assert not only("unknown-field", notes, path="prose.md")


def test_unknown_field_uses_configured_schema():
    config = Config(note_types={"Basic": ("Front", "Back")})
    text = DECK + card("Extra: x\nFront: q\nExample: y\nBakc: a\n")
    found = only("unknown-field", {"a.md": text}, config=config)
    assert [f.message.split()[0] for f in found] == ["Extra", "Bakc"]
    assert found[0].message.endswith("as text of the card's first field.")
    assert found[1].message.endswith("as text of the previous field.")


def math_vault(odd: str) -> dict[str, str]:
    fields = FIELDS + "FORMULA: f\nADDITIONAL: more\n"
    notes = {
        f"n{i}.md": DECK + typed_card("math_complex", fields, 1737306548000 + i) for i in range(5)
    }
    notes["odd.md"] = DECK + typed_card("math_complex", odd, 1737306549999)
    return notes


def test_prose_lines_inside_a_field_are_no_unknown_fields():
    # A variable, a note, an optional field only one card uses: the plugin keeps each as text
    # of the field above, which is what their writer meant.
    odd = "FRONT: Sets\nFORMULA: Notation:\nA: a finite set\nNB: only finite ones\nPROOF: by induction\n"
    assert not only("unknown-field", math_vault(odd), path="odd.md")


def test_a_mistyped_field_inside_a_card_is_still_reported():
    odd = "FRONT: q\nFORMUAL: x\nBack: a\nADDITONAL: more\n"
    found = only("unknown-field", math_vault(odd), path="odd.md")
    assert [f.message.split()[0] for f in found] == ["FORMUAL", "Back", "ADDITONAL"]


def test_too_few_cards_to_infer_means_no_unknown_field():
    assert not only(
        "unknown-field", {"a.md": DECK + typed_card("math_complex", "TITLE: q\n", 1737306548883)}
    )


def test_duplicate_field_fires_on_the_second_occurrence():
    text = DECK + card("Front: a\nFront: b\n")
    found = only("duplicate-field", {"a.md": text})
    assert len(found) == 1 and found[0].span.start == text.index("Front: b")


def test_distinct_fields_are_clean():
    assert not only("duplicate-field", {"a.md": DECK + card("Front: a\nBack: b\n")})


def test_empty_first_field_is_a_hint():
    found = only("empty-field", {"a.md": DECK + card("Front:\nBack: b\n")})
    assert len(found) == 1 and found[0].severity is Severity.HINT


def test_filled_first_field_is_clean():
    assert not only("empty-field", {"a.md": DECK + card("Front: a\nBack:\n")})


# --- decks -------------------------------------------------------------------------------------


def test_shadowed_target_deck_fires_on_a_second_different_deck():
    text = (
        DECK
        + card("Front: a\n")
        + "TARGET DECK: other::deck\n"
        + card("Front: b\n", "1737306548884")
    )
    found = only("shadowed-target-deck", {"a.md": text})
    assert len(found) == 1
    assert found[0].span.slice(text).startswith("TARGET DECK: other::deck")


def test_repeating_the_same_deck_is_harmless():
    text = DECK + card("Front: a\n") + DECK + card("Front: b\n", "1737306548884")
    assert not only("shadowed-target-deck", {"a.md": text})


def test_missing_target_deck_is_info():
    found = only("missing-target-deck", {"a.md": card("Front: a\n")})
    assert len(found) == 1 and found[0].severity is Severity.INFO


def test_cards_with_a_deck_are_clean():
    assert not only("missing-target-deck", {"a.md": DECK + card("Front: a\n")})


# --- content and fix tags ----------------------------------------------------------------------

WORDS = " ".join(["слово"] * 30)


def test_fix_tag_points_at_each_fix_tag_cyrillic_included():
    text = "---\ntags:\n  - фикс/анки\n---\nBody text #fix/links here\n"
    found = only("fix-tag", {"a.md": text})
    assert [f.span.slice(text) for f in found] == ["фикс/анки", "#fix/links"]


def test_ordinary_tags_are_not_fix_tags():
    assert not only("fix-tag", {"a.md": "---\ntags: [content/definition]\n---\n#fixed thing\n"})


def test_stale_fix_empty_fires_when_the_body_has_content():
    text = f"---\ntags:\n  - fix/empty\n---\n{WORDS}\n"
    found = only("stale-fix-empty", {"a.md": text})
    assert [f.span.slice(text) for f in found] == ["fix/empty"]
    assert found[0].unnecessary


def test_fix_empty_with_only_headings_and_cards_is_not_stale():
    text = "---\ntags:\n  - fix/empty\n---\n# Anki\n" + DECK + card("Front: " + WORDS + "\n")
    assert not only("stale-fix-empty", {"a.md": text})


def test_stale_threshold_is_configurable():
    text = "---\ntags: fix/empty\n---\none two three\n"
    assert only("stale-fix-empty", {"a.md": text}, config=Config(stale_fix_min_words=2))
    assert not only("stale-fix-empty", {"a.md": text})


def test_empty_note_is_a_hint():
    found = only("empty-note", {"a.md": "---\ncreated: 2025-01-19 23:46\n---\n# Title\n"})
    assert len(found) == 1 and found[0].severity is Severity.HINT


def test_empty_note_tagged_fix_empty_is_clean():
    assert not only("empty-note", {"a.md": "---\ntags: [fix/empty]\n---\n"})


def test_note_with_words_is_not_empty():
    assert not only("empty-note", {"a.md": "Some words.\n"})


# --- frontmatter -------------------------------------------------------------------------------


def test_invalid_frontmatter_reports_the_yaml_problem():
    text = "---\ntags: [a, b\n---\nBody\n"
    found = only("invalid-frontmatter", {"a.md": text})
    assert len(found) == 1 and "YAML" in found[0].message


def test_valid_frontmatter_is_clean():
    assert not only("invalid-frontmatter", {"a.md": "---\ntags: [a, b]\n---\nBody\n"})


def test_unclosed_frontmatter():
    found = only("unclosed-frontmatter", {"a.md": "---\ntags: [a]\nBody\n"})
    assert len(found) == 1 and found[0].span.start == 0


def test_closed_frontmatter_is_clean():
    assert not only("unclosed-frontmatter", {"a.md": "---\ntags: [a]\n---\nBody\n"})


def test_invalid_created():
    text = "---\ncreated: 2025-13-45 10:00\n---\nBody\n"
    found = only("invalid-created", {"a.md": text})
    assert [f.span.slice(text) for f in found] == ["2025-13-45 10:00"]
    # Valid YAML: a date that does not exist is reported once, as a date.
    assert not only("invalid-frontmatter", {"a.md": "---\ncreated: 2025-13-45\n---\nBody\n"})


def test_valid_created_forms():
    for value in ("2025-01-19 23:46", '"2026-09-20"', ""):
        assert not only("invalid-created", {"a.md": f"---\ncreated: {value}\n---\nBody\n"}), value


# --- links -------------------------------------------------------------------------------------


def test_unresolved_link_in_body_and_frontmatter():
    text = '---\nparent:\n  - "[[Нет такой]]"\n---\nПривет 😀 [[Missing]]\n'
    found = only("unresolved-link", {"a.md": text})
    assert [f.span.slice(text) for f in found] == ["Нет такой", "Missing"]


def test_links_resolve_by_name_path_alias_and_attachment():
    notes = {
        "a.md": "[[b]] [[folder/C]] [[Псевдоним]] ![[img.png|500]] [[B.md]]\n",
        "b.md": "x\n",
        "folder/c.md": "---\naliases:\n  - Псевдоним\n---\ny\n",
    }
    assert not [
        f
        for f in findings_for(notes, "a.md", attachments=("pics/img.png",))
        if f.code == "unresolved-link"
    ]


def test_links_in_code_and_math_are_not_checked():
    text = "`[[Nope]]` $[[Nope2]]$\n```\n[[Nope3]]\n```\n"
    assert not only("unresolved-link", {"a.md": text})


def test_ambiguous_link_names_obsidians_choice():
    notes = {"a.md": "[[Note]]\n", "x/y/Note.md": "deep\n", "z/Note.md": "shallow\n"}
    found = only("ambiguous-link", notes)
    assert len(found) == 1 and "z/Note.md" in found[0].message
    assert [r.path for r in found[0].related] == ["z/Note.md", "x/y/Note.md"]


def test_path_link_is_not_ambiguous():
    notes = {"a.md": "[[x/y/Note]]\n", "x/y/Note.md": "deep\n", "z/Note.md": "shallow\n"}
    assert not only("ambiguous-link", notes)


def test_unresolved_heading_and_block():
    notes = {
        "a.md": "[[b#Missing]] [[b#**Real** heading]] [[b#^blk]] [[b#^nope]] [[#Local]] [[#Absent]]\n# Local\n",
        "b.md": "## Real heading\nline ^blk\n",
    }
    text = notes["a.md"]
    headings = only("unresolved-heading", notes)
    assert [f.span.slice(text) for f in headings] == ["Missing", "Absent"]
    blocks = only("unresolved-block", notes)
    assert [f.span.slice(text) for f in blocks] == ["nope"]


def test_every_rule_has_docs_and_summary():
    for rule in REGISTRY.values():
        assert rule.summary and rule.explanation, rule.code
        assert rule.docs_url.endswith("#" + rule.code)


def test_rule_severity_override_and_disable():
    text = DECK + card("Front: q\n", card_id=None)
    config = Config(severities={"missing-id": Severity.ERROR, "missing-target-deck": None})
    found = findings_for({"a.md": text}, "a.md", config)
    assert [f.severity for f in found if f.code == "missing-id"] == [Severity.ERROR]
    assert "missing-target-deck" not in codes(found)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("ID:1737306548701", "ID: 1737306548701"),
        ("<!--ID:1737306548701-->", "<!--ID: 1737306548701-->"),
    ],
)
def test_an_id_written_wrong_on_the_last_line_is_named_so(written: str, expected: str):
    # Right above END, the line is where it belongs: what is wrong is how it is written.
    text = DECK + f"START\nBasic\nFront: q\n{written}\nEND\n"
    (found,) = only("misplaced-id", {"a.md": text})
    assert f"Write it as `{expected}`." in found.message
    assert "last line" not in found.message
    elsewhere = DECK + f"START\nBasic\n{written}\nFront: q\nEND\n"
    (found,) = only("misplaced-id", {"a.md": elsewhere})
    assert "Move it just above END." in found.message


def test_a_card_in_a_callout_or_indented_is_reported_once():
    quoted = "> [!note]- Card\n> START\n> Basic\n> Front: q\n>END\n"
    indented = "- item\n\tSTART\n\tBasic\n\tFront: q\n\tEND\r\n"
    text = DECK + quoted + "\n" + indented
    found = only("nested-block", {"a.md": text})
    assert [(f.span.slice(text), f.message.split(":")[0]) for f in found] == [
        ("START", "This card is inside a quote or callout"),
        ("START", "This card is indented"),
    ]
    assert text.index("> START") + 2 == found[0].span.start


def test_a_nested_start_pairs_only_with_an_end_nested_alike_and_no_card_between():
    # A quoted START, a real card, then an indented END: no nested card, and no fix to offer
    # that would make the quoted START swallow the real card.
    text = DECK + "> START\n> Basic\n\nSTART\nBasic\nFRONT: a\nEND\n\n- x\n  END\n"
    assert not only("nested-block", {"a.md": text})
    crossing = DECK + "> START\n> Basic\n  END\n"
    assert not only("nested-block", {"a.md": crossing})


def test_quoted_start_without_end_or_in_code_is_no_card():
    text = (
        DECK
        + "> START is where it begins\n> START\n> no end here\n\n"
        + "```\n  START\n  Basic\n  END\n```\n"
        + "    START\n"
    )
    assert not only("nested-block", {"a.md": text})


def test_an_alias_shared_by_two_notes_is_named_as_an_alias():
    alias = "---\naliases: [Nick]\n---\nText.\n"
    (found,) = only("ambiguous-link", {"b/T.md": alias, "U.md": alias, "a.md": "[[Nick]]\n"})
    assert found.message == (
        "'Nick' is an alias of 2 notes; the link opens U.md (closest to the vault root). "
        "Link the note by its name to choose."
    )


def test_the_nested_block_rule_leaves_code_and_math_unscanned_without_nested_lines():
    # Note.hidden is a scan of the whole text: asked by this rule on every check, it cost a
    # 2,000-line note 4 ms a keystroke.
    note = parse_note(DECK + "Text $x$ and `code`.\n" + card("Front: q\n"))
    context = RuleContext("a.md", note, VaultIndex(), Config())
    assert list(nested_block(context)) == []
    assert note._hidden is None
