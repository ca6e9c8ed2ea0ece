"""Each quick fix: given this note, the fix turns it into exactly this text."""

from __future__ import annotations

import pytest
from edit_helpers import NOW, PATH, Vault, fixed, only_fix, remove_insertions

from notels.config import Config, IdStyle
from notels.edits.fixes import (
    fixes_for_finding,
    missing_id_edits_for_vault,
    original_copy,
    safe_fix_list,
    safe_fixes,
)
from notels.edits.text_edit import apply_edits
from notels.findings import Finding, Severity
from notels.syntax.note import parse_note
from notels.syntax.spans import Span
from notels.vault.index import CardLocation, VaultIndex

DECK = "TARGET DECK: stem::ml\n"
WORDS = " ".join(["слово"] * 25)
OLD = "1737306548883"


def card(*lines: str, eol: str = "\n", end: str = "END") -> str:
    return eol.join(["START", "Basic", *lines, end]) + eol


# --- missing-id -------------------------------------------------------------------------------


def test_generate_id_inserts_the_id_line_just_above_end() -> None:
    text = DECK + card("FRONT: Эмбеддинг 🎉", "BACK: вектор")
    fix = only_fix(text, "missing-id")
    assert (fix.title, fix.safe) == ("Generate Anki ID", True)
    assert apply_edits(text, fix.edits) == DECK + card(
        "FRONT: Эмбеддинг 🎉", "BACK: вектор", f"ID: {NOW}"
    )


def test_generate_id_is_a_pure_insertion_at_the_end_line() -> None:
    text = DECK + card("FRONT: q")
    (edit,) = only_fix(text, "missing-id").edits
    assert edit.span == Span(text.index("END"), text.index("END"))
    assert remove_insertions(apply_edits(text, [edit]), [edit]) == text


def test_generate_id_in_a_crlf_file_ends_the_line_with_crlf() -> None:
    text = card("FRONT: q", eol="\r\n")
    assert fixed(text, "missing-id") == card("FRONT: q", f"ID: {NOW}", eol="\r\n")


def test_generate_id_in_comment_style() -> None:
    config = Config(id_style=IdStyle.COMMENT)
    assert fixed(card("FRONT: q"), "missing-id", config) == card("FRONT: q", f"<!--ID: {NOW}-->")


def test_generate_id_without_a_final_newline_keeps_none() -> None:
    text = "START\nBasic\nFRONT: q\nEND"
    assert fixed(text, "missing-id") == f"START\nBasic\nFRONT: q\nID: {NOW}\nEND"


def test_generate_id_goes_below_the_tags_line() -> None:
    text = card("FRONT: q", "Tags: a b")
    assert fixed(text, "missing-id") == card("FRONT: q", "Tags: a b", f"ID: {NOW}")


def test_generate_id_before_blank_lines_makes_the_id_the_last_line_of_the_trimmed_block() -> None:
    # The plugin trims the block: the ID is its last line, the line above it stays FRONT's.
    text = card("FRONT: q", "", "  ")
    result = fixed(text, "missing-id")
    assert result == card("FRONT: q", f"ID: {NOW}", "", "  ")
    assert Vault({PATH: result}).findings(code="missing-id") == []


@pytest.mark.parametrize("eol", ["\r\n", "\r"])
def test_generate_id_before_blank_lines_keeps_the_tags_in_any_line_ends(eol: str) -> None:
    text = card("FRONT: q 😀", "Tags: экзамен calc", "", "\t", eol=eol)
    result = fixed(text, "missing-id")
    assert result == card("FRONT: q 😀", "Tags: экзамен calc", f"ID: {NOW}", "", "\t", eol=eol)
    (parsed,) = Vault({PATH: result}).note().anki.cards
    assert parsed.tags == ("экзамен", "calc")


@pytest.mark.parametrize(
    ("placeholder", "filled"),
    [
        ("ID:", f"ID: {NOW}"),
        ("ID: ", f"ID: {NOW}"),
        ("ID:   \t", f"ID: {NOW}"),
        ("  ID:", f"  ID: {NOW}"),
        ("<!--ID:-->", f"<!--ID: {NOW}-->"),
        ("<!--ID: -->", f"<!--ID: {NOW}-->"),
        ("<!-- ID: -->", f"<!-- ID: {NOW} -->"),
    ],
)
def test_an_empty_id_placeholder_on_the_last_line_is_filled_in(
    placeholder: str, filled: str
) -> None:
    # A new ID line below the placeholder would leave `ID:` in the card's last field in Anki.
    text = DECK + card("FRONT: Вопрос 🎉", "BACK: ответ", placeholder)
    fix = only_fix(text, "missing-id")
    assert fix.safe
    result = apply_edits(text, fix.edits)
    assert result == DECK + card("FRONT: Вопрос 🎉", "BACK: ответ", filled)
    assert Vault({PATH: result}).findings(code="missing-id") == []
    (parsed,) = Vault({PATH: result}).note().anki.cards
    assert parsed.id is not None and parsed.id.value == str(NOW)
    assert parsed.fields[-1].value == "ответ"


@pytest.mark.parametrize("eol", ["\r\n", "\n"])
def test_an_id_placeholder_before_blank_lines_and_below_tags_is_filled_in(eol: str) -> None:
    text = card("FRONT: q 😀", "Tags: экзамен calc", "ID:", "", "\t", eol=eol)
    result = fixed(text, "missing-id")
    assert result == card("FRONT: q 😀", "Tags: экзамен calc", f"ID: {NOW}", "", "\t", eol=eol)
    (parsed,) = Vault({PATH: result}).note().anki.cards
    assert parsed.tags == ("экзамен", "calc")


def test_an_empty_id_line_above_other_lines_is_field_text_left_alone() -> None:
    # Not the last line: the plugin never reads it as the ID, nor will it after a fill.
    text = card("FRONT: q", "ID:", "BACK: a")
    assert fixed(text, "missing-id") == card("FRONT: q", "ID:", "BACK: a", f"ID: {NOW}")


def test_all_ids_of_a_note_fill_placeholders_too() -> None:
    text = DECK + card("FRONT: a", "ID:") + card("FRONT: b", f"ID: {OLD}") + card("FRONT: c")
    fixes = Vault({PATH: text}).fixes("missing-id")
    whole = next(fix for fix in fixes if fix.title.startswith("Generate IDs for all"))
    result = apply_edits(text, whole.edits)
    assert Vault({PATH: result}).findings(code="missing-id") == []
    first, _, third = Vault({PATH: result}).note().anki.cards
    assert first.fields[-1].value == "a" and first.id is not None and third.id is not None
    assert result == DECK + card("FRONT: a", f"ID: {first.id.value}") + card(
        "FRONT: b", f"ID: {OLD}"
    ) + card("FRONT: c", f"ID: {third.id.value}")


def test_ids_for_all_cards_of_a_note_are_distinct() -> None:
    text = DECK + card("FRONT: a") + card("FRONT: b", f"ID: {OLD}") + card("FRONT: c")
    vault = Vault({PATH: text})
    fixes = vault.fixes("missing-id")
    note_wide = [fix for fix in fixes if fix.title == "Generate IDs for all cards in this note"]
    assert len(note_wide) == 2  # offered on each card that lacks an ID
    result = apply_edits(text, note_wide[0].edits)
    assert Vault({PATH: result}).findings(code="missing-id") == []
    assert Vault({PATH: result}).findings(code="duplicate-id") == []
    assert len(set(result.split("ID: ")[1:])) == 3


def test_a_card_that_swallowed_another_start_gets_no_safe_id() -> None:
    text = "START\nBasic\nFRONT: a\nSTART\nBasic\nFRONT: b\nEND\n"
    fix = only_fix(text, "missing-id")
    assert not fix.safe


def test_a_card_cut_by_an_endpoint_line_gets_no_safe_id() -> None:
    text = card("FRONT: q", end="ENDPOINT: x")
    assert not only_fix(text, "missing-id").safe


def test_a_card_with_a_misplaced_id_is_offered_the_move_first() -> None:
    text = card(f"ID: {OLD}", "FRONT: q")
    fixes = Vault({PATH: text}).fixes("missing-id")
    assert [fix.title for fix in fixes] == ["Move the ID line just above END", "Generate Anki ID"]
    assert not any(fix.safe for fix in fixes)
    assert apply_edits(text, fixes[0].edits) == card("FRONT: q", f"ID: {OLD}")


def test_vault_wide_ids_use_one_generator() -> None:
    notes = {"a.md": card("FRONT: a") + card("FRONT: b"), "b.md": card("FRONT: c", f"ID: {NOW}")}
    vault = Vault(notes)
    result = missing_id_edits_for_vault(vault.index, vault.config, vault.generator)
    assert [(path, text) for path, text, _ in result] == [("a.md", notes["a.md"])]
    (_, _, edits) = result[0]
    assert [edit.new_text for edit in edits] == [f"ID: {NOW + 1}\n", f"ID: {NOW + 2}\n"]


# --- duplicate-id -----------------------------------------------------------------------------


def test_only_the_later_copy_in_vault_order_gets_a_new_id() -> None:
    text = card("FRONT: q", f"ID: {OLD}")
    vault = Vault({"a.md": text, "b.md": text})
    assert vault.fixes("duplicate-id", path="a.md") == []
    fix, removal = vault.fixes("duplicate-id", path="b.md")
    assert (fix.title, fix.safe) == ("Give this card a new ID", True)
    (edit,) = fix.edits
    assert edit.span.slice(text) == OLD  # the digits only
    assert apply_edits(text, fix.edits) == card("FRONT: q", f"ID: {NOW}")
    # For the upstream plugin alone, which adds a card without an ID: never `--fix`'s choice.
    assert not removal.safe
    assert apply_edits(text, removal.edits) == card("FRONT: q")


def test_within_one_note_the_later_card_is_the_copy() -> None:
    text = card("FRONT: a", f"ID: {OLD}") + card("FRONT: b", f"ID: {OLD}")
    fix, _ = Vault({PATH: text}).fixes("duplicate-id")
    assert apply_edits(text, fix.edits) == card("FRONT: a", f"ID: {OLD}") + card(
        "FRONT: b", f"ID: {NOW}"
    )


def test_file_creation_time_decides_which_copy_is_newer() -> None:
    text = card("FRONT: q", f"ID: {OLD}")
    vault = Vault({"a.md": text, "b.md": text})
    created = {"a.md": 200, "b.md": 100}.get
    assert vault.fixes("duplicate-id", path="b.md", created_ns=created) == []
    assert len(vault.fixes("duplicate-id", path="a.md", created_ns=created)) == 2


def test_without_every_creation_time_vault_order_decides() -> None:
    locations = [
        CardLocation("b.md", Span(5, 9), Span(0, 20)),
        CardLocation("a.md", Span(30, 34), Span(20, 40)),
    ]
    index = VaultIndex()
    created = {"b.md": 1}.get
    assert original_copy(locations, index, created).path == "a.md"
    assert original_copy(locations, index, {"a.md": 9, "b.md": 1}.get).path == "b.md"


def created_card(created: str | None) -> str:
    frontmatter = f"---\ncreated: {created}\n---\n" if created is not None else ""
    return frontmatter + card("FRONT: q", f"ID: {OLD}")


def test_the_notes_created_dates_decide_which_copy_is_newer() -> None:
    # A note copied to start a new one, its `created` stamped anew: on Linux, with no file
    # birth times, the path order alone renumbered the original.
    vault = Vault(
        {"Zettel.md": created_card("2025-01-19 23:46"), "Alpha.md": created_card("2025-06-01")}
    )
    assert vault.fixes("duplicate-id", path="Zettel.md") == []
    assert len(vault.fixes("duplicate-id", path="Alpha.md")) == 2
    # The dates come before the files' birth times; equal dates leave it to those.
    born = {"Zettel.md": 200, "Alpha.md": 100}.get
    assert vault.fixes("duplicate-id", path="Zettel.md", created_ns=born) == []
    same = Vault({"Zettel.md": created_card("2025-01-19"), "Alpha.md": created_card("2025-01-19")})
    assert same.fixes("duplicate-id", path="Alpha.md", created_ns=born) == []
    assert len(same.fixes("duplicate-id", path="Zettel.md", created_ns=born)) == 2


@pytest.mark.parametrize("other", [None, "soon", "2025-13"])
def test_a_copy_without_a_created_date_leaves_the_order_to_the_path(other: str | None) -> None:
    vault = Vault({"Zettel.md": created_card("2025-01-19 23:46"), "Alpha.md": created_card(other)})
    assert vault.fixes("duplicate-id", path="Alpha.md") == []
    assert len(vault.fixes("duplicate-id", path="Zettel.md")) == 2


def test_the_copy_of_an_inline_card_gets_a_new_id() -> None:
    text = f"Text STARTI [Basic] q :: a ID: {OLD} ENDI\n"
    vault = Vault({"a.md": text, "b.md": text})
    assert vault.fixes("duplicate-id", path="a.md") == []
    (fix,) = vault.fixes("duplicate-id", path="b.md")
    assert fix.safe
    assert apply_edits(text, fix.edits) == text.replace(OLD, str(NOW))


def test_three_copies_give_two_new_ids() -> None:
    text = card("FRONT: q", f"ID: {OLD}")
    vault = Vault({"a.md": text, "b.md": text, "c.md": text})
    assert vault.fixes("duplicate-id", path="a.md") == []
    ids = [vault.fixes("duplicate-id", path=p)[0].edits[0].new_text for p in ("b.md", "c.md")]
    assert ids == [str(NOW), str(NOW + 1)]


# --- misplaced-id -----------------------------------------------------------------------------


def test_a_misplaced_id_moves_just_above_end() -> None:
    text = card(f"ID: {OLD}", "FRONT: Вопрос", "BACK: ответ")
    fix = only_fix(text, "misplaced-id")
    assert (fix.title, fix.safe) == ("Move the ID line just above END", False)
    assert apply_edits(text, fix.edits) == card("FRONT: Вопрос", "BACK: ответ", f"ID: {OLD}")


def test_a_misplaced_id_moves_below_the_tags_not_below_blank_lines() -> None:
    text = card(f"ID: {OLD}", "FRONT: Вопрос", "Tags: экзамен", "", eol="\r\n")
    moved = fixed(text, "misplaced-id")
    assert moved == card("FRONT: Вопрос", "Tags: экзамен", f"ID: {OLD}", "", eol="\r\n")
    (parsed,) = Vault({PATH: moved}).note().anki.cards
    assert parsed.tags == ("экзамен",) and parsed.id is not None


def test_a_malformed_last_id_before_blank_lines_is_rewritten_in_place() -> None:
    text = card("FRONT: q", "ID:5", "")
    fix = only_fix(text, "misplaced-id")
    assert fix.title == "Rewrite the ID line as `ID: 5`"
    assert apply_edits(text, fix.edits) == card("FRONT: q", "ID: 5", "")


def test_a_moved_comment_id_keeps_its_comment_form_and_crlf() -> None:
    text = card(f"<!--ID: {OLD}-->", "FRONT: q", eol="\r\n")
    assert fixed(text, "misplaced-id") == card("FRONT: q", f"<!--ID: {OLD}-->", eol="\r\n")


def test_a_last_line_id_without_its_space_is_rewritten_in_place() -> None:
    text = card("FRONT: q", f"ID:{OLD}")
    fix = only_fix(text, "misplaced-id")
    assert fix.title == f"Rewrite the ID line as `ID: {OLD}`"
    assert len(fix.edits) == 1
    assert apply_edits(text, fix.edits) == card("FRONT: q", f"ID: {OLD}")


def test_a_misplaced_id_above_the_tags_line_goes_below_it() -> None:
    text = card(f"ID: {OLD}", "FRONT: q", "Tags: x")
    assert fixed(text, "misplaced-id") == card("FRONT: q", "Tags: x", f"ID: {OLD}")


def test_a_second_id_line_in_a_card_with_an_id_is_offered_for_deletion() -> None:
    text = card(f"ID: {OLD}", "FRONT: q", f"ID: {OLD}")
    fix = only_fix(text, "misplaced-id")
    assert (fix.title, fix.safe) == ("Delete the repeated ID line", False)
    assert apply_edits(text, fix.edits) == card("FRONT: q", f"ID: {OLD}")
    other = card("ID: 1737306548999", "FRONT: q", f"ID: {OLD}")
    assert only_fix(other, "misplaced-id").title.startswith("Delete the stray ID line")


# --- unclosed-block, swallowed-block, start-trailing-text -------------------------------------


def test_end_goes_after_the_last_non_blank_line() -> None:
    text = DECK + "START\nBasic\nFRONT: Вопрос\nBACK: ответ 🎉\n\n\n"
    fix = only_fix(text, "unclosed-block")
    assert (fix.title, fix.safe) == ("Add END after the card", True)
    assert (
        apply_edits(text, fix.edits)
        == DECK + "START\nBasic\nFRONT: Вопрос\nBACK: ответ 🎉\nEND\n\n\n"
    )


def test_end_without_a_final_newline_keeps_none() -> None:
    text = "START\nBasic\nFRONT: q  "
    assert fixed(text, "unclosed-block") == "START\nBasic\nFRONT: q  \nEND"


def test_end_in_a_crlf_file() -> None:
    text = "START\r\nBasic\r\nFRONT: q\r\n"
    assert fixed(text, "unclosed-block") == "START\r\nBasic\r\nFRONT: q\r\nEND\r\n"
    assert (
        fixed("START\r\nBasic\r\nFRONT: q", "unclosed-block") == "START\r\nBasic\r\nFRONT: q\r\nEND"
    )


def test_each_unclosed_start_gets_its_own_end() -> None:
    text = "START\nBasic\nFRONT: a\nSTART\nBasic\nFRONT: b\n"
    fixes = Vault({PATH: text}).fixes("unclosed-block")
    edits = [edit for fix in fixes for edit in fix.edits]
    assert apply_edits(text, edits) == "START\nBasic\nFRONT: a\nEND\nSTART\nBasic\nFRONT: b\nEND\n"


def test_a_heading_below_an_unclosed_card_ends_it_but_only_as_a_suggestion() -> None:
    text = "START\nBasic\nFRONT: q\n\n## Дальше\nТекст.\n"
    fix = only_fix(text, "unclosed-block")
    assert not fix.safe
    assert apply_edits(text, fix.edits) == "START\nBasic\nFRONT: q\nEND\n\n## Дальше\nТекст.\n"


def test_a_start_alone_at_the_end_gets_no_end() -> None:
    assert Vault({PATH: "text\nSTART\n"}).fixes("unclosed-block") == []


def test_an_unclosed_start_in_a_code_fence_is_not_safe() -> None:
    text = "```\nSTART\nBasic\nFRONT: q\n```\n"
    assert not only_fix(text, "unclosed-block").safe


def test_a_swallowing_card_gets_end_before_the_next_start() -> None:
    text = "START\nBasic\nFRONT: a\n\nSTART\nBasic\nFRONT: b\nEND\n"
    fix = only_fix(text, "swallowed-block")
    assert not fix.safe
    assert (
        apply_edits(text, fix.edits)
        == "START\nBasic\nFRONT: a\nEND\n\nSTART\nBasic\nFRONT: b\nEND\n"
    )


def test_trailing_whitespace_after_start_is_removed() -> None:
    text = "START \t\r\nBasic\r\nFRONT: q\r\nEND\r\n"
    fix = only_fix(text, "start-trailing-text")
    assert fix.safe
    assert apply_edits(text, fix.edits) == "START\r\nBasic\r\nFRONT: q\r\nEND\r\n"


@pytest.mark.parametrize(
    "after",
    [
        # Another card, synced: the START made exact would swallow it.
        "\nSTART\nBasic\nFRONT: z\nID: 1737306548883\nEND\n",
        "",  # no END below: the block made would be unclosed
        "ENDPOINT: the URL\nEND\n",  # it would end at ENDPOINT
    ],
)
def test_whitespace_after_start_is_no_safe_fix_when_no_end_of_its_own_follows(after: str) -> None:
    text = f"START \nBasic\nFRONT: q\n{after}"
    fix = only_fix(text, "start-trailing-text")
    assert fix.title == "Remove the whitespace after START"
    assert not fix.safe


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("START Basic\nFront: q\nEND\n", "START\nBasic\nFront: q\nEND\n"),
        ("START  math_basic \r\nFRONT:q\r\nEND\r\n", "START\r\nmath_basic\r\nFRONT:q\r\nEND\r\n"),
    ],
)
def test_a_note_type_after_start_goes_below_it_on_request(text: str, expected: str) -> None:
    fixes = Vault({PATH: text}).fixes("start-trailing-text")
    assert [(fix.title.split("`")[0], fix.safe) for fix in fixes] == [
        ("Put the note type ", False),
        ("Remove the text after START", False),
    ]
    assert apply_edits(text, fixes[0].edits) == expected


def test_text_after_start_is_removed_only_on_request() -> None:
    text = "START -- карточка\nBasic\nFRONT: q\nEND\n"
    fix = only_fix(text, "start-trailing-text")
    assert (fix.title, fix.safe) == ("Remove the text after START", False)
    assert apply_edits(text, fix.edits) == "START\nBasic\nFRONT: q\nEND\n"


# --- stale-fix-empty --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frontmatter", "expected"),
    [
        ("tags:\n  - a\n  - fix/empty\n  - b\n", "tags:\n  - a\n  - b\n"),
        ("tags:\n  - fix/empty\ncreated: 2025-01-19 23:46\n", "created: 2025-01-19 23:46\n"),
        ('tags:\n  - "fix/empty"\n  - a\n', "tags:\n  - a\n"),
        ("tags: [a, fix/empty]\n", "tags: [a]\n"),
        ("tags: [fix/empty, a]\n", "tags: [a]\n"),
        ("tags: [a, fix/empty, b]\n", "tags: [a, b]\n"),
        ("tags: [fix/empty]\naliases:\n", "aliases:\n"),
        ("tags: a fix/empty\n", "tags: a\n"),
        ("tags: fix/empty a\n", "tags: a\n"),
        ("tags: a, fix/empty, b\n", "tags: a, b\n"),
        ("tags: fix/empty\n", ""),
        ('tags: "#fix/empty тема"\n', 'tags: "тема"\n'),
        # A string over several lines: the word's line goes with it, no blank line is left.
        ("tags: |\n  fix/empty\n  тема 😀\n", "tags: |\n  тема 😀\n"),
        ("tags: >-\n  a\n  fix/empty\n", "tags: >-\n  a\n"),
        ("tags: a,\n  fix/empty\n", "tags: a\n"),
        ("tags: fix/empty\n  a b\n", "tags: a b\n"),
        ("tags: |\r\n  a\r\n  fix/empty\r\n  b\r\n", "tags: |\r\n  a\r\n  b\r\n"),
        ('connected:\n  - "[[X]]"\n  - "#fix/empty"\n', 'connected:\n  - "[[X]]"\n'),
        ("tags:\n  - фикс/empty\n  - a\n", "tags:\n  - a\n"),
        # The key goes with its last tag; a comment line among its items stays, one on the
        # key's own line goes with it.
        (
            "tags: # мои\n  # от импорта 2023 😀\n  - fix/empty\n  #\nother: 1\n",
            "  # от импорта 2023 😀\n  #\nother: 1\n",
        ),
    ],
)
def test_stale_fix_empty_is_removed_from_frontmatter_in_its_style(
    frontmatter: str, expected: str
) -> None:
    text = f"---\n{frontmatter}---\n{WORDS}\n"
    fix = only_fix(text, "stale-fix-empty")
    assert fix.safe
    assert apply_edits(text, fix.edits) == f"---\n{expected}---\n{WORDS}\n"


def test_stale_fix_empty_in_a_crlf_file_with_a_bom() -> None:
    text = f"\ufeff---\r\ntags:\r\n  - fix/empty\r\n  - a\r\n---\r\n{WORDS}"
    assert fixed(text, "stale-fix-empty") == f"\ufeff---\r\ntags:\r\n  - a\r\n---\r\n{WORDS}"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (f"{WORDS} #fix/empty дальше\n", f"{WORDS} дальше\n"),
        (f"{WORDS} #fix/empty\n", f"{WORDS}\n"),
        (f"#fix/empty {WORDS}\n", f"{WORDS}\n"),
        (f"{WORDS}\n#fix/empty\nконец\n", f"{WORDS}\nконец\n"),
        (f"{WORDS}\r\n#fix/empty", f"{WORDS}"),
    ],
)
def test_stale_fix_empty_is_removed_from_the_body(body: str, expected: str) -> None:
    assert fixed(body, "stale-fix-empty") == expected


def test_both_stale_tags_go_in_one_safe_run() -> None:
    text = f"---\ntags: [fix/empty, фикс/empty]\n---\n{WORDS}\n"
    vault = Vault({PATH: text})
    findings = vault.findings(code="stale-fix-empty")
    assert len(findings) == 2
    # Every item of the list goes: the key goes with them, as with its last tag.
    first = apply_edits(
        text, safe_fixes(PATH, vault.note(), vault.index, vault.config, findings, vault.generator)
    )
    assert first == f"---\n---\n{WORDS}\n"


@pytest.mark.parametrize(
    ("frontmatter", "expected", "settled"),
    [
        ("tags: [a, fix/empty, b, фикс/empty]\n", "tags: [a, b]\n", 2),
        ("tags:\n  - fix/empty\n  - a\n  - фикс/empty\n", "tags:\n  - a\n", 2),
        ("tags:\n  - fix/empty\n  - фикс/empty\nother: 1\n", "other: 1\n", 2),
        (
            "tags:\n  - fix/empty\n  # держим\n  - фикс/empty\nother: 1\n",
            "  # держим\nother: 1\n",
            2,
        ),
        ('tags: fix/empty\nconnected: ["#fix/empty", "[[X]]"]\n', 'connected: ["[[X]]"]\n', 2),
        # The last two items share a comma: they go as one removal, with the comma before them.
        ("tags: [a, fix/empty, фикс/empty]\n", "tags: [a]\n", 2),
        ('connected: [fix/empty, "#fix/empty" ,"#фикс/empty"]\n', "connected: [fix/empty]\n", 2),
        # As a last item alone: the spaces before the comma stay.
        ("tags:  [ a 😀 ,fix/empty,  фикс/empty ]\n", "tags:  [ a 😀  ]\n", 2),
        # Over several lines, with a comment: an item alone on its line takes the line.
        (
            "tags: [a,\n  fix/empty,\n  # держим\n  b, фикс/empty]\n",
            "tags: [a,\n  # держим\n  b]\n",
            2,
        ),
        ("tags: [a,\r\n  fix/empty,\r\n  b, фикс/empty]\r\n", "tags: [a,\r\n  b]\r\n", 2),
    ],
)
def test_stale_frontmatter_tags_go_together_in_the_files_style(
    frontmatter: str, expected: str, settled: int
) -> None:
    text = f"---\n{frontmatter}---\n{WORDS}\n"
    vault = Vault({PATH: text})
    findings = vault.findings(code="stale-fix-empty")
    assert len(findings) == 2
    fixes = safe_fix_list(PATH, vault.note(), vault.index, vault.config, findings, vault.generator)
    assert [fix.settles for fix in fixes] == [settled]
    assert apply_edits(text, fixes[0].edits) == f"---\n{expected}---\n{WORDS}\n"


def test_the_last_items_of_a_flow_list_go_in_one_pass_after_a_kept_one() -> None:
    text = f"---\ntags: [fix/empty, a, фикс/empty, fix/empty, ФИКС/empty]\n---\n{WORDS}\n"
    vault = Vault({PATH: text})
    findings = vault.findings(code="stale-fix-empty")
    fixes = safe_fix_list(PATH, vault.note(), vault.index, vault.config, findings, vault.generator)
    assert [fix.settles for fix in fixes] == [len(findings)] == [4]
    assert apply_edits(text, fixes[0].edits) == f"---\ntags: [a]\n---\n{WORDS}\n"


def test_stale_body_tags_go_together_and_a_frontmatter_one_beside_them() -> None:
    """Many stale tags: the body's are removed by one fix, checked once, counting each, the two
    at a line's end that share a space as one run; the frontmatter's goes too. One pass (an
    editor's fix-all) leaves none."""
    text = (
        f"---\ntags: [a, fix/empty]\n---\n{WORDS} #fix/empty дальше 🙂\n"
        "#fix/empty\n#fix/empty #фикс/empty\nконец #fix/empty\n"
    )
    vault = Vault({PATH: text})
    findings = vault.findings(code="stale-fix-empty")
    assert len(findings) == 6
    fixes = safe_fix_list(PATH, vault.note(), vault.index, vault.config, findings, vault.generator)
    assert sorted((fix.title, fix.settles) for fix in fixes) == [
        ("Remove #fix/empty", 1),
        ("Remove 5 stale tags", 5),
    ]
    first = apply_edits(text, [edit for fix in fixes for edit in fix.edits])
    assert first == f"---\ntags: [a]\n---\n{WORDS} дальше 🙂\nконец\n"
    assert Vault({PATH: first}).findings(code="stale-fix-empty") == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("x #fix/empty #fix/empty", "x"),
        ("x #fix/empty #fix/empty #фикс/empty\nnext", "x\nnext"),
        ("#fix/empty #fix/empty\nnext", "next"),
        ("x\n#fix/empty\n#fix/empty", "x"),
        ("x\r\n#fix/empty #fix/empty\r\n#fix/empty", "x"),
        ("x #fix/empty\n#fix/empty", "x"),
        ("x #fix/empty #fix/empty y", "x y"),
    ],
)
def test_stale_tags_sharing_a_space_or_a_line_break_go_in_one_pass(
    body: str, expected: str
) -> None:
    """Removals that would overlap go as one run, by the rules for one tag: the whole lines
    when the tags are all they hold, else with one neighbouring space; a file that ended
    without a final newline still does."""
    text = f"{WORDS}\n{body}"
    vault = Vault({PATH: text})
    findings = vault.findings(code="stale-fix-empty")
    assert len(findings) > 1
    edits = safe_fixes(PATH, vault.note(), vault.index, vault.config, findings, vault.generator)
    assert apply_edits(text, edits) == f"{WORDS}\n{expected}"


def test_the_removable_stale_tags_still_go_together_beside_one_that_cannot() -> None:
    text = f"{WORDS}\n" + "#fix/empty " * 300 + "\n#fix/empty#x\n"
    vault = Vault({PATH: text})
    findings = vault.findings(code="stale-fix-empty")
    assert len(findings) == 301
    fixes = safe_fix_list(PATH, vault.note(), vault.index, vault.config, findings, vault.generator)
    assert len(fixes) == 1  # the 300 that can go, checked by a parse per halving
    assert fixes[0].settles == 300
    after = apply_edits(text, fixes[0].edits)
    assert after == f"{WORDS}\n\n#fix/empty#x\n"


def test_removing_a_stale_tag_never_changes_a_cards_note_type_or_fields() -> None:
    """Right after START the line is the card's note type, even a tag: without it the next
    line would be, and the plugin would read another card. Inside a field the tag is text of
    that field, and goes."""
    typed = f"{WORDS}\nSTART\n#fix/empty\nBasic\nFRONT: q\nEND\n"
    assert Vault({PATH: typed}).fixes("stale-fix-empty") == []
    inside = f"{WORDS}\nSTART\nBasic\nFRONT: q\n#fix/empty\nBACK: a\nEND\n"
    assert fixed(inside, "stale-fix-empty") == f"{WORDS}\nSTART\nBasic\nFRONT: q\nBACK: a\nEND\n"


def test_removing_a_stale_tag_never_makes_a_card_of_text_the_plugin_skips() -> None:
    text = f"{WORDS}\nSTART #fix/empty\nBasic\nFRONT: q\nEND\n#fix/empty\n"
    vault = Vault({PATH: text})
    findings = vault.findings(code="stale-fix-empty")
    fixes = safe_fix_list(PATH, vault.note(), vault.index, vault.config, findings, vault.generator)
    after = apply_edits(text, [edit for fix in fixes for edit in fix.edits])
    assert len(parse_note(after).anki.cards) == len(parse_note(text).anki.cards) == 0


# --- empty-note -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "---\ntags:\n  - fix/empty\n---\n"),
        ("# Заголовок\r\n", "---\r\ntags:\r\n  - fix/empty\r\n---\r\n# Заголовок\r\n"),
        ("\ufeff# T", "\ufeff---\ntags:\n  - fix/empty\n---\n# T"),
        ("---\naliases:\n---\n# T\n", "---\naliases:\ntags:\n  - fix/empty\n---\n# T\n"),
        ("---\n---\n", "---\ntags:\n  - fix/empty\n---\n"),
        (
            '---\nparent:\n    - "[[X]]"\n---\n',
            '---\nparent:\n    - "[[X]]"\ntags:\n    - fix/empty\n---\n',
        ),
        ("---\ntags:\n  - a\n---\n", "---\ntags:\n  - a\n  - fix/empty\n---\n"),
        ("---\ntags: [a]\n---\n", "---\ntags: [a, fix/empty]\n---\n"),
        ("---\ntags: []\n---\n", "---\ntags: [fix/empty]\n---\n"),
        ("---\ntags:\n---\n", "---\ntags:\n  - fix/empty\n---\n"),
        ("---\ntags: ~\n---\n", "---\ntags:\n  - fix/empty\n---\n"),
        ("---\ntags: a b\n---\n", "---\ntags: a b fix/empty\n---\n"),
        ("---\ntags: a, b\n---\n", "---\ntags: a, b, fix/empty\n---\n"),
        ('---\ntags: "a"\n---\n', '---\ntags: "a fix/empty"\n---\n'),
    ],
)
def test_empty_note_gets_fix_empty_in_the_files_style(text: str, expected: str) -> None:
    fix = only_fix(text, "empty-note")
    assert (fix.title, fix.safe) == ("Tag the note #fix/empty", False)
    result = apply_edits(text, fix.edits)
    assert result == expected
    assert Vault({PATH: result}).findings(code="empty-note") == []


def test_empty_note_with_broken_yaml_gets_no_fix() -> None:
    assert Vault({PATH: "---\ntags: [a\n---\n"}).fixes("empty-note") == []


def test_the_fix_tag_uses_the_first_configured_prefix() -> None:
    config = Config(fix_tag_prefixes=("фикс", "fix"))
    assert fixed("", "empty-note", config) == "---\ntags:\n  - фикс/empty\n---\n"


# --- entry points -----------------------------------------------------------------------------


def test_a_finding_from_another_version_of_the_text_gets_no_fix() -> None:
    vault = Vault({PATH: card("FRONT: q")})
    assert vault.fixes("missing-id")  # the real finding has one
    stale = Finding("missing-id", Severity.WARNING, Span(1, 5), "from an older text")
    assert (
        fixes_for_finding(PATH, vault.note(), vault.index, vault.config, stale, vault.generator)
        == []
    )


def test_safe_fixes_take_one_fix_per_finding_and_skip_unsafe_codes() -> None:
    text = "START \nBasic\nFRONT: q\nEND\n" + card("FRONT: r") + "START\nBasic\nFRONT: open\n"
    vault = Vault({PATH: text})
    fixes = safe_fix_list(
        PATH, vault.note(), vault.index, vault.config, vault.findings(), vault.generator
    )
    assert sorted(fix.code for fix in fixes) == [
        "missing-id",
        "start-trailing-text",
        "unclosed-block",
    ]
    result = apply_edits(text, [edit for fix in fixes for edit in fix.edits])
    assert result == (
        "START\nBasic\nFRONT: q\nEND\n"
        + card("FRONT: r", f"ID: {NOW}")
        + "START\nBasic\nFRONT: open\nEND\n"
    )


# --- nested-block -----------------------------------------------------------------------------


def test_a_card_in_a_callout_is_taken_out_of_it_line_by_line() -> None:
    text = "> [!note]- Карта 😀\r\n> START\r\n>Basic\r\n> > Front: q\r\n>\r\n> END\r\n> after\r\n"
    fix = only_fix(text, "nested-block")
    assert (fix.title, fix.safe) == ("Take the card out of the callout", False)
    assert all(edit.new_text == "" for edit in fix.edits)
    assert apply_edits(text, fix.edits) == (
        "> [!note]- Карта 😀\r\nSTART\r\nBasic\r\nFront: q\r\n\r\nEND\r\n> after\r\n"
    )


def test_an_indented_card_loses_the_indent_of_its_start() -> None:
    text = "- пункт\n  START\n  Basic\n    Front: deeper\n\n  END\n"
    fix = only_fix(text, "nested-block")
    assert (fix.title, fix.safe) == ("Remove the card's indent", False)
    assert apply_edits(text, fix.edits) == "- пункт\nSTART\nBasic\n  Front: deeper\n\nEND\n"
