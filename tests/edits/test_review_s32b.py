"""Review s32b: tag rename (f18eddd, 1ff0afc) and the "Change to [[Name]]" typo fix (314f786)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from notels.config import Config
from notels.edits import rename, rename_labels
from notels.edits.editor_fixes import similar_name_fixes
from notels.edits.fixes import Fix
from notels.edits.text_edit import apply_edits
from notels.features.catalog import name_catalog
from notels.rules import check_note
from notels.syntax.note import parse_note
from notels.vault.index import VaultIndex


def _index(notes: Mapping[str, str]) -> VaultIndex:
    index = VaultIndex()
    for path, text in notes.items():
        index.set_note(path, parse_note(text))
    return index


def _renamed(notes: Mapping[str, str], path: str, offset: int, new_name: str) -> dict[str, str]:
    """The texts of the notes a tag rename at `offset` of `path` changes, after it."""
    index = _index(notes)
    target = rename.rename_target_at(index, path, offset)
    assert isinstance(target, rename.TagRename), target
    edits = rename_labels.rename_tag_edits(index, target.name, new_name)
    return {each: apply_edits(index.notes[each].text, found) for each, found in edits.items()}


# --- tag rename ---------------------------------------------------------------------------------


def test_a_tag_rename_keeps_the_anki_tags_and_file_tags_lines_written_with_hashes() -> None:
    """Given a note whose cards carry Anki tags written Obsidian-style, `FILE TAGS: #ml x` and a
    card's `Tags: #ml x` line, when the user renames the body tag `#ml` to `#ai` (F2 on it),
    every line changes, the two Anki lines too: the next sync retags the cards in Anki. The
    rename promises (rename.py, README, the commit) that a card's `Tags:` line and `FILE TAGS`
    are Anki's tags and stay; only the card's field text (`Front: q #ml`) and the prose should
    change."""
    text = (
        "FILE TAGS: #ml x\n"
        "Текст 😀 #ml.\n"
        "START\n"
        "Basic\n"
        "Front: q #ml\n"
        "Back: a\n"
        "Tags: #ml x\n"
        "ID: 1737306548883\n"
        "END\n"
    )
    after = _renamed({"Карточки.md": text}, "Карточки.md", text.index("😀 #ml") + 4, "ai")
    assert after == {
        "Карточки.md": text.replace("😀 #ml", "😀 #ai").replace("q #ml", "q #ai"),
    }


def test_a_frontmatter_tag_is_renamed_with_the_cursor_on_its_hash() -> None:
    """F2 with the cursor on the `#` of the body tag `#ml` renames it; on the `#` of the same
    tag in the frontmatter (`tags: ["#ml"]`, `connected: "#ml"`) the editor says there is
    nothing to rename there (prepareRename answers null). The `#` is part of the tag as written
    in both places: both should offer the rename of `ml`."""
    text = '---\ntags: ["#ml"]\nconnected: "#ml"\n---\nТекст #ml\n'
    index = _index({"Н.md": text})
    body = rename.rename_target_at(index, "Н.md", text.index("Текст #") + 6)
    assert isinstance(body, rename.TagRename) and body.name == "ml"
    for at in (text.index('"#ml"]') + 1, text.index('connected: "#') + 12):
        found = rename.rename_target_at(index, "Н.md", at)
        assert isinstance(found, rename.TagRename), (at, found)
        assert found.name == "ml"


@pytest.mark.parametrize("new_name", ["null", "true"])
def test_a_tag_renamed_to_a_yaml_keyword_stays_a_string_in_the_frontmatter(new_name: str) -> None:
    """`#null` and `#true` are tags (letters only), and the rename accepts them. But it writes
    the new name bare into the frontmatter list, `tags:\\n  - null`, which YAML reads as a null
    (or the boolean true): Obsidian's tags property loses the tag (notels itself no longer
    sees a `null` tag in the note), while the body's `#ml` became `#null`. A plain scalar YAML
    would read as something else should be quoted: `- "null"`."""
    notes = {"Н.md": "---\ntags:\n  - ml\n---\nТекст #ml\n"}
    after = _renamed(notes, "Н.md", notes["Н.md"].index("Текст #") + 7, new_name)
    note = parse_note(after["Н.md"])
    assert note.frontmatter is not None and note.frontmatter.data is not None
    assert note.frontmatter.data["tags"] == [new_name]
    assert [tag.name for tag in note.tags] == [new_name, new_name]


# --- "Change to [[Name]]" -----------------------------------------------------------------------


def _fixes(index: VaultIndex, path: str) -> list[Fix]:
    """The typo fixes of the note's one unresolved link."""
    note = index.notes[path]
    found = [f for f in check_note(path, note, index, Config()) if f.code == "unresolved-link"]
    assert len(found) == 1, found
    return similar_name_fixes(path, note, index, name_catalog(index), found[0])


def _after(index: VaultIndex, path: str, fix: Fix) -> tuple[list[str], list[str | None]]:
    """(the link findings, the path each link resolves to) of the note with `fix` applied."""
    text = apply_edits(index.notes[path].text, fix.edits)
    index.set_note(path, parse_note(text))
    note = index.notes[path]
    codes = [f.code for f in check_note(path, note, index, Config()) if "link" in f.code]
    resolved = [index.resolve(link, path).path for link in note.links]
    return codes, resolved


def test_a_typo_in_a_link_written_with_md_is_offered_the_note() -> None:
    """`[[Projct.md]]` (Obsidian opens `[[Project.md]]` as `Project`): no "Change to" at all,
    only "Create note", because the target is compared with `.md` to names without it
    (ratio 75). `[[Projct]]` gets "Change to [[Project]]"; the `.md` one should too."""
    notes = {"A.md": "См. [[Projct.md]] 😀\n", "Project.md": "# Project\n"}
    fixes = _fixes(_index(notes), "A.md")
    assert fixes, "no 'Change to' for [[Projct.md]]"
    codes, resolved = _after(_index(notes), "A.md", fixes[0])
    assert (codes, resolved) == ([], ["Project.md"])


def test_a_typo_in_a_partial_path_link_is_offered_the_note() -> None:
    """`[[sub/Project]]` opens `folder/sub/Project.md` (a path's ending, as Obsidian reads it),
    but the typo `[[sub/Projct]]` is matched against whole paths only (`folder/sub/project`,
    ratio 76): no "Change to". It should offer the note, by the path's ending or in full."""
    notes = {"A.md": "[[sub/Project]] и [[sub/Projct]]\n", "folder/sub/Project.md": "# P\n"}
    fixes = _fixes(_index(notes), "A.md")
    assert fixes, "no 'Change to' for [[sub/Projct]]"
    codes, resolved = _after(_index(notes), "A.md", fixes[0])
    assert (codes, resolved) == ([], ["folder/sub/Project.md", "folder/sub/Project.md"])


@pytest.mark.parametrize("alias", ["C# basics", "C| basics"])
def test_an_alias_a_link_cannot_name_is_not_offered_as_a_bare_link(alias: str) -> None:
    """A note `Lang.md` with the alias `C# basics` (or `C| basics`); the link `[[C3 basics]]`.
    Offered: "Change to [[C# basics]] (alias of Lang.md)", which writes `[[C# basics]]`: a
    link to a note `C` and its heading ` basics` (or `[[C| basics]]`: note `C`, shown as
    ` basics`), still unresolved, never Lang.md. Such an alias can only be reached as
    `[[Lang|C# basics]]`; the fix should write that, or not be offered."""
    notes = {"A.md": "[[C3 basics]]\n", "Lang.md": f'---\naliases: ["{alias}"]\n---\n# L\n'}
    for fix in _fixes(_index(notes), "A.md"):
        codes, resolved = _after(_index(notes), "A.md", fix)
        assert (codes, resolved) == ([], ["Lang.md"]), fix.title


def test_an_alias_that_another_note_is_named_is_not_offered_as_leading_to_its_note() -> None:
    """`Lang.md` has the alias `Plan`, and a note `Plan.md` exists. For `[[Plann]]` the first
    (preferred) fix reads "Change to [[Plan]] (alias of Lang.md)", and writes `[[Plan]]`,
    which opens Plan.md: a note's name comes before another's alias. The title names the
    wrong note; the fix should say Plan.md (or reach Lang.md as `[[Lang|Plan]]`)."""
    notes = {
        "A.md": "[[Plann]]\n",
        "Lang.md": "---\naliases: [Plan]\n---\n# L\n",
        "Plan.md": "# P\n",
        "Other.md": "[[Lang]]\n",  # Lang.md is linked, so it ranks first
    }
    for fix in _fixes(_index(notes), "A.md"):
        _, resolved = _after(_index(notes), "A.md", fix)
        if "alias of Lang.md" in fix.title:
            assert resolved == ["Lang.md"], fix.title


def test_an_alias_of_two_notes_is_not_offered_as_leading_to_one_of_them() -> None:
    """`X.md` and `Y.md` both have the alias `Machine`. For `[[Machin]]` the preferred fix
    reads "Change to [[Machine]] (alias of X.md)"; applying it swaps the unresolved-link
    warning for an ambiguous-link one: `[[Machine]]` names both notes. The fix should write a
    link that reaches X.md (`[[X|Machine]]`), or not claim to."""
    notes = {
        "A.md": "[[Machin]]\n",
        "X.md": "---\naliases: [Machine]\n---\n# X\n",
        "Y.md": "---\naliases: [Machine]\n---\n# Y\n",
    }
    fixes = _fixes(_index(notes), "A.md")
    assert fixes
    for fix in fixes:
        codes, _ = _after(_index(notes), "A.md", fix)
        assert codes == [], (fix.title, codes)
