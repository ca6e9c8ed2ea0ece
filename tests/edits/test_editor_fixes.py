"""Fixes only the editor offers: path links for shared names, a shadowed deck, new notes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import pytest

from notels.config import Config, ConfigError, config_from_mapping, load_config_file
from notels.edits.editor_fixes import (
    NewNote,
    delete_deck_fix,
    move_cards_fix,
    new_note_for,
    path_link_fixes,
    render_template,
    similar_name_fixes,
    similar_part_fixes,
)
from notels.edits.text_edit import apply_edits
from notels.features.catalog import name_catalog
from notels.findings import Finding
from notels.rules import check_note
from notels.syntax.note import parse_note
from notels.vault.index import VaultIndex


def _vault(notes: Mapping[str, str]) -> VaultIndex:
    index = VaultIndex()
    for path, text in notes.items():
        index.set_note(path, parse_note(text))
    return index


def _finding(index: VaultIndex, path: str, code: str) -> Finding:
    found = [f for f in check_note(path, index.notes[path], index, Config()) if f.code == code]
    assert len(found) == 1, found
    return found[0]


def test_an_ambiguous_link_can_name_each_candidate_by_path() -> None:
    text = '---\nparent: "[[Тема]]"\n---\n'
    index = _vault({"A.md": text, "x/Тема.md": "", "y/z/Тема.md": ""})
    finding = _finding(index, "A.md", "ambiguous-link")

    fixes = path_link_fixes("A.md", index.notes["A.md"], index, finding)

    assert [fix.title for fix in fixes] == ["Use path link: x/Тема", "Use path link: y/z/Тема"]
    assert apply_edits(text, fixes[1].edits) == '---\nparent: "[[y/z/Тема]]"\n---\n'


def test_a_shadowed_deck_line_is_deleted_with_its_line_break() -> None:
    text = "TARGET DECK: a\r\nSTART\r\nBasic\r\nFRONT: x\r\nEND\r\nTARGET DECK\r\nb\r\ntext\r\n"
    index = _vault({"A.md": text})
    note = index.notes["A.md"]

    fix = delete_deck_fix(note, _finding(index, "A.md", "shadowed-target-deck"))

    assert fix is not None and fix.title == "Delete this TARGET DECK line"
    assert (
        apply_edits(text, fix.edits)
        == "TARGET DECK: a\r\nSTART\r\nBasic\r\nFRONT: x\r\nEND\r\ntext\r\n"
    )


def test_a_shadowed_deck_on_the_last_line_takes_the_break_before_it() -> None:
    text = "TARGET DECK: a\nTARGET DECK: b"
    index = _vault({"A.md": text})
    fix = delete_deck_fix(index.notes["A.md"], _finding(index, "A.md", "shadowed-target-deck"))
    assert fix is not None
    assert apply_edits(text, fix.edits) == "TARGET DECK: a"


def test_a_missing_note_is_created_next_to_the_link_or_at_its_path() -> None:
    index = _vault({"d/A.md": "[[Новая 😀#H]]", "B.md": "[[p/q/Новая.md]]", "C.md": "![[pic.png]]"})

    bare = new_note_for(
        "d/A.md", index.notes["d/A.md"], index, _finding(index, "d/A.md", "unresolved-link")
    )
    path = new_note_for(
        "B.md", index.notes["B.md"], index, _finding(index, "B.md", "unresolved-link")
    )
    image = new_note_for(
        "C.md", index.notes["C.md"], index, _finding(index, "C.md", "unresolved-link")
    )

    assert bare is not None and (bare.title, bare.path) == (
        "Create note 'Новая 😀'",
        "d/Новая 😀.md",
    )
    assert path is not None and path.path == "p/q/Новая.md"
    assert image is None


NOW = datetime(2025, 1, 19, 23, 46, 5)


def _new_note(
    index: VaultIndex, path: str, folder: str | None = None, template: str | None = None
) -> NewNote | None:
    finding = _finding(index, path, "unresolved-link")
    note = index.notes[path]
    return new_note_for(path, note, index, finding, folder=folder, template=template, now=NOW)


def test_a_template_gets_obsidians_title_date_and_time() -> None:
    template = (
        "---\r\ncreated: {{date}} {{time}}\r\n---\r\n# {{title}}\r\n{{date:YYYY}} {{Title}}\r\n"
    )

    assert render_template(template, "Кольцо {{time}}", NOW) == (
        "---\r\ncreated: 2025-01-19 23:46\r\n---\r\n# Кольцо {{time}}\r\n{{date:YYYY}} {{Title}}\r\n"
    )


def test_a_new_note_goes_to_the_configured_folder_with_the_template_filled_in() -> None:
    index = _vault({"d/A.md": "[[Новая 😀]]", "B.md": "[[p/Новая]]"})
    template = "# {{title}}\ncreated: {{date}} {{time}}\n"

    bare = _new_note(index, "d/A.md", folder="Входящие/2025", template=template)
    at_root = _new_note(index, "d/A.md", folder="")
    path = _new_note(index, "B.md", folder="Входящие", template=template)
    empty = _new_note(index, "d/A.md", template="")

    assert bare == NewNote(
        "Create note 'Новая 😀'",
        "Входящие/2025/Новая 😀.md",
        "# Новая 😀\ncreated: 2025-01-19 23:46\n",
    )
    assert at_root is not None and (at_root.path, at_root.content) == ("Новая 😀.md", "")
    # A link with a path says where the note is: the folder setting does not move it.
    assert path is not None and (path.path, path.content) == (
        "p/Новая.md",
        "# Новая\ncreated: 2025-01-19 23:46\n",
    )
    assert empty is not None and (empty.title, empty.path, empty.content, empty.edits) == (
        "Create note 'Новая 😀'",
        "d/Новая 😀.md",
        "",
        (),
    )


@pytest.mark.parametrize(
    ("written", "folder", "template"),
    [
        ("Inbox", "Inbox", None),
        ("/Входящие/новое/", "Входящие/новое", None),
        ("a\\b", "a/b", None),
        ("/", "", None),  # the root
        ("", None, None),  # beside the linking note, as when unset (VS Code's default)
        ("  ", None, None),
        ("./x/../y", "y", None),
    ],
)
def test_new_note_folder_spellings(written: str, folder: str | None, template: None) -> None:
    for key in ("new-note-folder", "new_note_folder", "newNoteFolder"):
        config = config_from_mapping({key: written}, frozenset())
        assert (config.new_note_folder, config.new_note_template) == (folder, template)


def test_new_note_template_is_a_vault_path_and_an_empty_one_means_none() -> None:
    for key in ("new-note-template", "new_note_template", "newNoteTemplate"):
        config = config_from_mapping({key: "/Шаблоны/Заметка.md"}, frozenset())
        assert config.new_note_template == "Шаблоны/Заметка.md"
    assert config_from_mapping({"new-note-template": ""}, frozenset()).new_note_template is None
    # LSP settings may send null for "not set".
    unset = config_from_mapping({"newNoteFolder": None, "newNoteTemplate": None}, frozenset())
    assert (unset.new_note_folder, unset.new_note_template) == (None, None)


def test_new_note_paths_outside_the_vault_are_errors_naming_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / ".notels.toml"
    config.write_text('id-digits = 13\nnew-note-folder = "../elsewhere"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\.notels\.toml:2: new-note-folder: expected a folder"):
        load_config_file(config, frozenset())
    with pytest.raises(ConfigError, match=r"^settings: newNoteTemplate: expected a file inside"):
        config_from_mapping({"newNoteTemplate": "C:/Templates/x.md"}, frozenset())
    with pytest.raises(ConfigError, match="new_note_folder"):
        config_from_mapping({"new_note_folder": ["Inbox"]}, frozenset())


# --- shadowed-target-deck: move the cards below it ------------------------------------------------


def _move(
    notes: Mapping[str, str], path: str = "Алгебра.md", taken: frozenset[str] = frozenset()
) -> tuple[NewNote, str]:
    """(the move, the note's text after it)."""
    index = _vault(notes)
    note = index.notes[path]
    finding = next(
        f for f in check_note(path, note, index, Config()) if f.code == "shadowed-target-deck"
    )
    move = move_cards_fix(path, index.notes[path], index, finding, lambda p: p in taken)
    assert move is not None and move.title == "Move the cards below to a new note"
    return move, apply_edits(notes[path], move.edits)


CRLF_NOTE = (
    "# Алгебра\r\n"
    "TARGET DECK: математика::алгебра\r\n"
    "START\r\nBasic\r\nFRONT: Группа\r\nID: 1737306548883\r\nEND\r\n"
    "\r\n"
    "TARGET DECK: математика::Линейная алгебра\r\n"
    "\r\n"
    "START\r\nBasic\r\nFRONT: Матрица  \r\nBACK: таблица 😀\r\nID: 1737306548884\r\nEND\r\n"
    "  \r\n"
    "TARGET DECK: математика::Линейная алгебра\r\n"
    "START\r\nBasic\r\nFRONT: Ранг\r\nEND\r\n"
    "Заметка о ранге.\r\n"
    "\r\n"
    "START\r\nBasic\r\nFRONT: След\r\nEND\r\n"
    "\r\n"
    "TARGET DECK: математика::алгебра\r\n"
    "START\r\nBasic\r\nFRONT: Кольцо\r\nEND\r\n"
)


def test_the_cards_under_a_shadowed_deck_move_byte_for_byte_to_a_new_note() -> None:
    move, left = _move({"Алгебра.md": CRLF_NOTE, "Другая.md": ""})

    assert move.path == "Алгебра (Линейная алгебра).md"
    # The deck line, the cards, the repeated deck line and the blank lines between them move;
    # the prose and the blank lines around it stay; the next deck (another one) ends the run.
    assert move.content == (
        "TARGET DECK: математика::Линейная алгебра\r\n"
        "\r\n"
        "START\r\nBasic\r\nFRONT: Матрица  \r\nBACK: таблица 😀\r\nID: 1737306548884\r\nEND\r\n"
        "  \r\n"
        "TARGET DECK: математика::Линейная алгебра\r\n"
        "START\r\nBasic\r\nFRONT: Ранг\r\nEND\r\n"
        "START\r\nBasic\r\nFRONT: След\r\nEND\r\n"
    )
    assert left == (
        "# Алгебра\r\n"
        "TARGET DECK: математика::алгебра\r\n"
        "START\r\nBasic\r\nFRONT: Группа\r\nID: 1737306548883\r\nEND\r\n"
        "\r\n"
        "Заметка о ранге.\r\n"
        "\r\n"
        "\r\n"
        "TARGET DECK: математика::алгебра\r\n"
        "START\r\nBasic\r\nFRONT: Кольцо\r\nEND\r\n"
    )
    assert len(move.edits) == 2  # one per run of moved lines


def test_the_move_runs_to_the_end_of_a_text_without_a_final_break() -> None:
    text = "TARGET DECK: a\nTARGET DECK\nb::c\n\nSTART\nBasic\nFRONT: x\nEND"
    move, left = _move({"sub/Заметка.md": text}, "sub/Заметка.md")

    assert (move.path, move.content) == (
        "sub/Заметка (c).md",
        "TARGET DECK\nb::c\n\nSTART\nBasic\nFRONT: x\nEND",
    )
    assert left == "TARGET DECK: a\n"


def test_the_new_note_name_avoids_notes_and_files_that_exist() -> None:
    text = "TARGET DECK: a\nTARGET DECK: b::Ли/ней:ная?\nSTART\nBasic\nFRONT: x\nEND\n"
    notes = {"Алгебра.md": text, "алгебра (ли ней ная).md": "", "x/Алгебра (Ли ней ная) 3.md": ""}

    move, _ = _move(notes, taken=frozenset({"Алгебра (Ли ней ная) 2.md"}))

    # Case-insensitively taken in the index, then on disk; a note of that name elsewhere is fine.
    assert move.path == "Алгебра (Ли ней ная) 3.md"


@pytest.mark.parametrize(
    "text",
    [
        "TARGET DECK: a\nTARGET DECK: b\ntext\n",  # no card to move: Delete says it all
        "TARGET DECK: a\nSTART\nTARGET DECK: b\nBasic\nEND\n",  # the line is inside a card
        "TARGET DECK: a\nTARGET DECK: b\nSTART\nBasic\nTARGET DECK: a\nEND\n",  # ends in one
        "TARGET DECK: a\nTARGET DECK: b\nSTART\nBasic\nEND\nSTART\nBasic\n",  # unclosed
    ],
)
def test_no_move_when_there_is_no_card_or_a_card_crosses_the_edge(text: str) -> None:
    index = _vault({"A.md": text})
    finding = _finding(index, "A.md", "shadowed-target-deck")
    assert move_cards_fix("A.md", index.notes["A.md"], index, finding, lambda _: False) is None


def test_a_path_link_typo_is_offered_the_paths_it_is_close_to_most_linked_first() -> None:
    index = _vault(
        {
            "ml/Машинное обучение.md": "# A\n",
            "ml/Машинное обучение2.md": "# B\n",
            "Другая.md": "[[ml/Машинное обучение2]] [[ml/Машинное обучение2]]\n",
            "Ссылки.md": '---\nparent: "[[ml/Машиное обучение]]"\n---\n',
        }
    )
    finding = _finding(index, "Ссылки.md", "unresolved-link")
    note = index.notes["Ссылки.md"]
    fixes = similar_name_fixes("Ссылки.md", note, index, name_catalog(index), finding)
    assert [fix.title for fix in fixes] == [
        "Change to [[ml/Машинное обучение]]",
        "Change to [[ml/Машинное обучение2]]",
    ]
    assert not any(fix.safe for fix in fixes)
    assert (
        apply_edits(note.text, fixes[0].edits) == '---\nparent: "[[ml/Машинное обучение]]"\n---\n'
    )


@pytest.mark.parametrize("target", ["ab", "Совсем другое имя"])
def test_no_name_is_offered_for_a_short_or_unlike_target(target: str) -> None:
    index = _vault({"Машинное обучение.md": "# A\n", "Ссылки.md": f"[[{target}]]\n"})
    finding = _finding(index, "Ссылки.md", "unresolved-link")
    note = index.notes["Ссылки.md"]
    assert similar_name_fixes("Ссылки.md", note, index, name_catalog(index), finding) == []


def test_a_heading_typo_in_a_link_to_a_note_named_with_braces_is_offered_the_heading() -> None:
    """A note name may hold `{}`: the fix's title was made with str.format and raised."""
    index = _vault({"Set {a, b}.md": "## Введение\n", "Ссылки.md": "[[Set {a, b}#Введене]]\n"})
    finding = _finding(index, "Ссылки.md", "unresolved-heading")
    fixes = similar_part_fixes("Ссылки.md", index.notes["Ссылки.md"], index, finding)
    assert [fix.title for fix in fixes] == ["Change to [[Set {a, b}#Введение]]"]
