"""Review s32c: alias rename, the heading/block typo fix, and rename targets that meet."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from notels.config import Config
from notels.edits import rename, rename_labels
from notels.edits.editor_fixes import similar_part_fixes
from notels.edits.text_edit import TextEdit, apply_edits
from notels.rules import check_note
from notels.syntax.note import parse_note
from notels.vault.index import VaultIndex


def _index(notes: Mapping[str, str]) -> VaultIndex:
    index = VaultIndex()
    for path, text in notes.items():
        index.set_note(path, parse_note(text))
    return index


def _after(notes: Mapping[str, str], edits: Mapping[str, list[TextEdit]]) -> dict[str, str]:
    """Every note's text after the edits."""
    return {path: apply_edits(text, edits.get(path, [])) for path, text in notes.items()}


def _codes(notes: Mapping[str, str]) -> list[tuple[str, str]]:
    index = _index(notes)
    return [
        (path, finding.code)
        for path, note in index.notes.items()
        for finding in check_note(path, note, index, Config())
    ]


# --- rename targets that meet -----------------------------------------------------------------


def test_renaming_a_tag_at_the_end_of_a_heading_keeps_the_links_to_that_heading() -> None:
    """`## Введение #ml` is linked as `[[Тема#Введение ml]]` (how Obsidian writes it, and
    how the heading rename keeps a heading's tags in its links). F2 on `#ml` in the heading,
    new name `ai`: the heading becomes `## Введение #ai`, but the link stays
    `[[Тема#Введение ml]]` and is now reported as an unresolved heading. A tag rename should
    not break the links to the headings it changes: `[[Тема#Введение ai]]`."""
    notes = {
        "Тема.md": "## Введение 😀 #ml\nТекст.\n",
        "Ссылки.md": "См. [[Тема#Введение 😀 ml]].\n",
    }
    assert _codes(notes) == []  # the link reaches the heading
    index = _index(notes)
    text = notes["Тема.md"]
    target = rename.rename_target_at(index, "Тема.md", text.index("#ml") + 1)
    assert isinstance(target, rename.TagRename)

    after = _after(notes, rename_labels.rename_tag_edits(index, target.name, "ai"))

    assert after["Тема.md"] == "## Введение 😀 #ai\nТекст.\n"
    assert _codes(after) == []
    assert after["Ссылки.md"] == "См. [[Тема#Введение 😀 ai]].\n"


def test_renaming_a_block_id_at_the_end_of_a_heading_keeps_the_links_to_that_heading() -> None:
    """`## Итог ^itog` is reached both as `[[Тема#^itog]]` and, by the heading, as
    `[[Тема#Итог itog]]` (the index reads the block id as part of the heading's name, as
    the heading rename keeps it in links). F2 on `^itog`, new id `summary`: the block links
    follow, the heading link stays `[[Тема#Итог itog]]` and is now an unresolved heading."""
    notes = {
        "Тема.md": "## Итог ^itog\nТекст.\n",
        "Ссылки.md": "[[Тема#^itog]] и [[Тема#Итог itog]]\n",
    }
    assert _codes(notes) == []  # both links reach the heading's line
    index = _index(notes)
    target = rename.rename_target_at(index, "Тема.md", notes["Тема.md"].index("^itog") + 1)
    assert isinstance(target, rename.BlockRename)

    edits = rename_labels.rename_block_edits(index, target.path, target.block, "summary")
    after = _after(notes, edits)

    assert after["Тема.md"] == "## Итог ^summary\nТекст.\n"
    assert _codes(after) == []


# --- alias rename -----------------------------------------------------------------------------


@pytest.mark.parametrize("invisible", ["\x7f", "\x85"])
def test_an_alias_renamed_with_an_invisible_control_character_keeps_the_frontmatter(
    invisible: str,
) -> None:
    """A new alias pasted with an invisible character (DEL, or NEL from old Windows text)
    passes check_alias, which refuses only characters below 32. Written into the frontmatter,
    DEL makes the YAML unreadable (the note loses its aliases, tags and parent links); NEL is
    a YAML line break, so the alias reads back as `Новое имя` while the links were rewritten
    to `[[Новое\\x85имя]]`. Either the name should be refused ("An alias is one line", as for
    a tab), or the alias should read back as written."""
    notes = {
        "N.md": "---\naliases: [Старое]\ntags: [ml]\n---\n# N\n",
        "L.md": "[[Старое]]\n",
    }
    index = _index(notes)
    new = f"Новое{invisible}имя"
    try:
        edits = rename_labels.rename_alias_edits(index, "N.md", "Старое", new)
    except rename.RenameError:
        return  # refused: fine
    renamed = parse_note(_after(notes, edits)["N.md"])
    assert renamed.aliases == (new,)
    assert [tag.name for tag in renamed.tags] == ["ml"]


# --- the heading and block typo fix -----------------------------------------------------------


def test_a_heading_typo_fix_for_a_link_in_a_plain_frontmatter_value_does_not_raise() -> None:
    """`source: see [[Тема#Глава 1 Ввдение]]` in an unquoted frontmatter value, the note
    having `## Глава 1: Введение`. similar_part_fixes raises RenameError ("the value would no
    longer read", from escape_in_link), so the editor's quick-fix request fails as a whole
    (no other fix for the diagnostic either). It should offer no fix it cannot write there,
    or write it quoting the value, and return normally."""
    notes = {
        "Тема.md": "## Глава 1: Введение\n",
        "Ссылки.md": "---\nsource: see [[Тема#Глава 1 Ввдение]]\n---\n",
    }
    index = _index(notes)
    note = index.notes["Ссылки.md"]
    (finding,) = [
        f for f in check_note("Ссылки.md", note, index, Config()) if f.code == "unresolved-heading"
    ]

    fixes = similar_part_fixes("Ссылки.md", note, index, finding)

    for fix in fixes:
        fixed = parse_note(apply_edits(note.text, fix.edits))
        assert fixed.frontmatter is not None and "source" in fixed.frontmatter.data
