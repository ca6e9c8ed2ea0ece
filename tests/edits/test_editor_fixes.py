"""Fixes only the editor offers: path links for shared names, deleting a shadowed deck, new notes."""

from __future__ import annotations

from collections.abc import Mapping

from notels.config import Config
from notels.edits.editor_fixes import delete_deck_fix, new_note_for, path_link_fixes
from notels.edits.text_edit import apply_edits
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
