"""Renaming a note or a heading: every link that reaches it changes, and nothing else does."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notels.edits import rename
from notels.edits.rename import (
    BlockRename,
    HeadingRename,
    NoteRename,
    RenameError,
    move_note_edits,
    rename_heading_edits,
    rename_note_edits,
    rename_target_at,
)
from notels.edits.rename_labels import rename_alias_edits, rename_block_edits, rename_tag_edits
from notels.edits.text_edit import TextEdit, apply_edits
from notels.syntax.model import Link
from notels.syntax.note import Note, parse_note
from notels.vault.index import VaultIndex


def _index(notes: Mapping[str, str]) -> VaultIndex:
    index = VaultIndex()
    for path, text in notes.items():
        index.set_note(path, parse_note(text))
    return index


def _applied(index: VaultIndex, edits: Mapping[str, list[TextEdit]]) -> dict[str, str]:
    """The texts of the notes the edits change, after the edits."""
    return {path: apply_edits(index.notes[path].text, found) for path, found in edits.items()}


OLD = """\
---
aliases:
  - Прозвище
---
# Старое 😀
См. [[#Введение]] и [[Старое#Введение]].
## Введение
"""

LINKER = """\
---
parent: "[[Старое]]"
connected:
  - '[[Старое|имя]]'
---
Текст 😀 [[Старое#Введение|показ]], [[старое]], ![[Старое]], [[Старое.md]].
Через псевдоним: [[Прозвище]], [[Прозвище#Введение]]; другое: [[Другое]], `[[Старое]]`.
"""


def test_renaming_a_note_rewrites_every_link_by_name_and_keeps_the_rest() -> None:
    index = _index({"Старое.md": OLD, "Ссылки.md": LINKER, "Другое.md": "x"})

    edits = rename_note_edits(index, "Старое.md", "Новое 🙂")

    assert _applied(index, edits) == {
        "Старое.md": OLD.replace("[[Старое#", "[[Новое 🙂#"),
        "Ссылки.md": """\
---
parent: "[[Новое 🙂]]"
connected:
  - '[[Новое 🙂|имя]]'
---
Текст 😀 [[Новое 🙂#Введение|показ]], [[Новое 🙂]], ![[Новое 🙂]], [[Новое 🙂.md]].
Через псевдоним: [[Прозвище]], [[Прозвище#Введение]]; другое: [[Другое]], `[[Старое]]`.
""",
    }


def test_path_links_stay_path_links_with_the_new_name() -> None:
    index = _index(
        {
            "notes/Old.md": "x",
            "A.md": "[[notes/Old]] [[Old|o]] [[notes/Old.md#H]]",
            "x/B.md": "[[../notes/Old]]",
        }
    )

    edits = rename_note_edits(index, "notes/Old.md", "New.md")  # a typed `.md` is dropped

    assert _applied(index, edits) == {
        "A.md": "[[notes/New]] [[New|o]] [[notes/New.md#H]]",
        "x/B.md": "[[../notes/New]]",
    }


def test_a_shared_name_is_rewritten_only_where_it_opens_the_renamed_note() -> None:
    notes = {"Old.md": "root", "sub/Old.md": "deep", "A.md": "[[Old]] [[sub/Old]]"}
    index = _index(notes)

    assert _applied(index, rename_note_edits(index, "sub/Old.md", "New")) == {
        "A.md": "[[Old]] [[sub/New]]"
    }
    assert _applied(index, rename_note_edits(index, "Old.md", "New")) == {
        "A.md": "[[New]] [[sub/Old]]"
    }


def test_quotes_in_the_new_name_are_escaped_in_quoted_frontmatter() -> None:
    text = "---\nparent: \"[[Old]]\"\nconnected: '[[Old]]'\n---\n[[Old]]\n"
    index = _index({"Old.md": "x", "A.md": text})

    edits = rename_note_edits(index, "Old.md", 'Say "hi" it\'s')

    new = _applied(index, edits)["A.md"]
    assert new == (
        '---\nparent: "[[Say \\"hi\\" it\'s]]"\nconnected: \'[[Say "hi" it\'\'s]]\'\n---\n'
        '[[Say "hi" it\'s]]\n'
    )
    frontmatter = parse_note(new).frontmatter
    assert frontmatter is not None and frontmatter.data is not None
    # What Obsidian reads: the YAML values, unescaped.
    assert frontmatter.data["parent"] == frontmatter.data["connected"] == '[[Say "hi" it\'s]]'


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("a/b", "/"),
        ("a#b", "#"),
        ("[x]", "["),
        ("a|b", "|"),
        ("a^b", "^"),
        (".hidden", "hidden"),
    ],
)
def test_invalid_names_are_refused(name: str, reason: str) -> None:
    index = _index({"Old.md": "x"})
    with pytest.raises(RenameError, match=re.escape(reason)):
        rename_note_edits(index, "Old.md", name)


def test_an_existing_note_name_is_refused_but_a_change_of_case_is_not() -> None:
    index = _index({"dir/Old.md": "x", "dir/Taken.md": "y", "Free.md": "[[Old]]"})

    with pytest.raises(RenameError, match=r"dir/Taken.md already exists"):
        rename_note_edits(index, "dir/Old.md", "taken")
    assert _applied(index, rename_note_edits(index, "dir/Old.md", "OLD")) == {"Free.md": "[[OLD]]"}
    # A namesake in another folder is no obstacle, but the bare link would open it: write a path.
    assert _applied(index, rename_note_edits(index, "dir/Old.md", "Free")) == {
        "Free.md": "[[dir/Free]]"
    }


def test_moving_a_note_rewrites_path_links_from_the_vault_root_and_keeps_relative_ones() -> None:
    index = _index(
        {
            "dir/Old.md": "x",
            "A.md": "[[Old]] [[./dir/Old]] [[Old.md]] [[dir/Old]]",
            "dir/B.md": "[[./Old]] [[../dir/Old.md]]",
        }
    )

    edits = move_note_edits(index, "dir/Old.md", "archive/Old.md")

    assert _applied(index, edits) == {
        "A.md": "[[Old]] [[./archive/Old]] [[Old.md]] [[archive/Old]]",
        "dir/B.md": "[[../archive/Old]] [[../archive/Old.md]]",
    }


# A folder of notes and an image linking each other, and notes outside it linking in.
FOLDER = {
    "Папка/Тема 😀.md": "[[./Соседка]] [[../Корень]] [[Папка/Соседка#Раздел]] ![[./рис 1.png]]\n",
    "Папка/Соседка.md": "## Раздел\n[[./Тема 😀]] [[Тема 😀]] ![[рис 1.png]] [[./нет]]\n",
    "Корень.md": "[[Папка/Тема 😀]] [[./Папка/Соседка]] ![[Папка/рис 1.png|200]]\n",
}


def _folder_index() -> VaultIndex:
    index = _index(FOLDER)
    index.add_attachment("Папка/рис 1.png")
    return index


def test_a_folder_moved_whole_gets_one_edit_per_link_for_where_both_ends_go() -> None:
    """Moved one at a time, `./Соседка` in a moved note got an edit for its own move and
    another for its target's, overlapping: the editor refused the whole rename."""
    index = _folder_index()
    moves = {
        "Папка/Тема 😀.md": "Новая/Тема 😀.md",
        "Папка/Соседка.md": "Новая/Соседка.md",
        "Папка/рис 1.png": "Новая/рис 1.png",
    }

    edits = rename.move_edits(index, moves)

    assert _applied(index, edits) == {
        "Папка/Тема 😀.md": FOLDER["Папка/Тема 😀.md"].replace("Папка/", "Новая/"),
        "Корень.md": FOLDER["Корень.md"].replace("Папка/", "Новая/"),
    }


def test_moving_an_attachment_rewrites_the_links_and_embeds_that_open_it() -> None:
    index = _folder_index()

    renamed = rename.move_edits(index, {"Папка/рис 1.png": "Папка/рис 2.png"})
    moved = rename.move_edits(index, {"Папка/рис 1.png": "img/рис 1.png"})

    assert _applied(index, renamed) == {
        path: FOLDER[path].replace("рис 1", "рис 2")
        for path in ("Папка/Тема 😀.md", "Папка/Соседка.md", "Корень.md")
    }
    assert _applied(index, moved) == {
        "Папка/Тема 😀.md": FOLDER["Папка/Тема 😀.md"].replace("./рис", "../img/рис"),
        "Корень.md": FOLDER["Корень.md"].replace("Папка/рис", "img/рис"),
    }


def test_an_attachment_takes_a_bare_name_only_where_it_would_open_it() -> None:
    index = _index({"A.md": "![[a.png]] ![[b.png]]"})
    for path in ("a.png", "deep/a.png", "x/b.png"):
        index.add_attachment(path)

    # deep/a.png becomes b.png beside x/b.png: the bare `b.png` keeps opening x/b.png, which
    # is as close to the root.
    edits = rename.move_edits(index, {"a.png": "y/b.png"})
    # The root's a.png leaves: `a.png` would open deep/a.png, so the link gets the new path.
    assert _applied(index, edits) == {"A.md": "![[y/b.png]] ![[b.png]]"}
    # Moved to the root, b.png opens for `b.png` before x/b.png: that link keeps x/b.png.
    edits = rename.move_edits(index, {"deep/a.png": "b.png"})
    assert _applied(index, edits) == {"A.md": "![[a.png]] ![[x/b.png]]"}


def test_a_move_onto_another_file_is_refused_unless_that_file_moves_away() -> None:
    index = _folder_index()
    index.add_attachment("Папка/рис 2.png")

    with pytest.raises(RenameError, match="already exists"):
        rename.move_edits(index, {"Папка/рис 1.png": "Папка/рис 2.png"})
    with pytest.raises(RenameError, match="already exists"):
        rename.move_edits(index, {"Папка/Соседка.md": "Корень.md"})
    with pytest.raises(RenameError, match="not a note or attachment"):
        rename.move_edits(index, {"Папка/нет.png": "x.png"})
    swapped = rename.move_edits(
        index, {"Папка/рис 1.png": "Папка/рис 2.png", "Папка/рис 2.png": "Папка/рис 1.png"}
    )
    assert swapped  # both ends move: no refusal


HEADINGS = """\
# Заметка
Ссылка на себя: [[#Введение 😀]], [[#введение 😀|вниз]], [[Заметка#Введение 😀]].
## Введение 😀
## Другой
"""


def test_renaming_a_heading_rewrites_links_to_it_everywhere() -> None:
    linker = (
        '---\nparent: "[[Заметка#Введение 😀]]"\n---\n'
        "[[Заметка#Введение 😀|показ]] [[Псевдо#ВВЕДЕНИЕ 😀]] [[Заметка#Другой]] "
        "[[Другая#Введение 😀]] [[Заметка#Заметка#Введение 😀]]\n"
    )
    index = _index(
        {
            "Заметка.md": "---\naliases: [Псевдо]\n---\n" + HEADINGS,
            "Ссылки.md": linker,
            "Другая.md": "## Введение 😀\n",
        }
    )
    note = index.notes["Заметка.md"]
    heading = note.headings[1]

    edits = rename_heading_edits(index, "Заметка.md", heading, "  Начало 🙂 ")

    assert _applied(index, edits) == {
        "Заметка.md": "---\naliases: [Псевдо]\n---\n"
        + HEADINGS.replace("Введение 😀", "Начало 🙂").replace("введение 😀", "Начало 🙂"),
        "Ссылки.md": (
            '---\nparent: "[[Заметка#Начало 🙂]]"\n---\n'
            "[[Заметка#Начало 🙂|показ]] [[Псевдо#Начало 🙂]] [[Заметка#Другой]] "
            "[[Другая#Введение 😀]] [[Заметка#Заметка#Начало 🙂]]\n"
        ),
    }


@pytest.mark.parametrize(
    ("new_text", "message"),
    [("другой", "already has a heading"), ("a#b", "#"), ("", "empty"), ("**", "nothing")],
)
def test_bad_heading_names_are_refused(new_text: str, message: str) -> None:
    index = _index({"Заметка.md": HEADINGS})
    heading = index.notes["Заметка.md"].headings[1]
    with pytest.raises(RenameError, match=message):
        rename_heading_edits(index, "Заметка.md", heading, new_text)


def test_what_a_rename_at_the_cursor_renames() -> None:
    text = "# Заголовок\n😀 [[folder/Цель.md#Раздел|показ]] [[Псевдо]] [[Нет]] ![[a.png]] текст\n"
    index = _index(
        {
            "Я.md": text,
            "folder/Цель.md": "---\naliases: [Псевдо]\n---\n## Раздел\n",
            "a.png.md": "",
        }
    )
    index.add_attachment("a.png")
    at = text.index

    on_target = rename_target_at(index, "Я.md", at("Цель"))
    assert isinstance(on_target, NoteRename)
    assert (on_target.path, on_target.placeholder) == ("folder/Цель.md", "Цель")
    assert on_target.span.slice(text) == "Цель"  # the name part, no folder, no `.md`
    on_bracket = rename_target_at(index, "Я.md", at("[[folder"))
    assert on_bracket == on_target

    on_heading_part = rename_target_at(index, "Я.md", at("Раздел") + 2)
    assert isinstance(on_heading_part, HeadingRename)
    assert on_heading_part.path == "folder/Цель.md"
    assert on_heading_part.heading.text == "Раздел"
    assert on_heading_part.span.slice(text) == "Раздел"

    on_line = rename_target_at(index, "Я.md", 0)
    assert isinstance(on_line, HeadingRename)
    assert on_line.span.slice(text) == "Заголовок"

    assert rename_target_at(index, "Я.md", at("текст")) is None
    on_alias = rename_target_at(index, "Я.md", at("Псевдо"))
    assert isinstance(on_alias, rename.AliasRename)
    assert (on_alias.path, on_alias.alias, on_alias.span.slice(text)) == (
        "folder/Цель.md",
        "Псевдо",
        "Псевдо",
    )
    with pytest.raises(RenameError, match="No note named 'Нет'"):
        rename_target_at(index, "Я.md", at("Нет"))
    with pytest.raises(RenameError, match="attachment"):
        rename_target_at(index, "Я.md", at("a.png"))


def test_moving_a_note_with_a_relative_link_to_itself_rewrites_that_link_once() -> None:
    index = _index({"a/Старое.md": "см. [[./Старое]] и [[./Б]]\n", "a/Б.md": "б\n"})
    edits = move_note_edits(index, "a/Старое.md", "b/Старое.md")
    # The link to itself still reaches it from the new folder: relative, it stays as written.
    assert _applied(index, edits) == {"a/Старое.md": "см. [[./Старое]] и [[../a/Б]]\n"}


def test_a_heading_equal_to_the_notes_own_renames_its_links() -> None:
    """The heading may come from an earlier parse of the note: equal, not the same object."""
    index = _index({"T.md": "# Энергия 😀\n", "A.md": "[[T#Энергия 😀]]\n"})
    heading = parse_note("# Энергия 😀\n").headings[0]
    assert heading is not index.notes["T.md"].headings[0]
    edits = rename_heading_edits(index, "T.md", heading, "Сила")
    assert _applied(index, edits) == {"T.md": "# Сила\n", "A.md": "[[T#Сила]]\n"}


def _escaped_by_walking(note: Note, link: Link, new_text: str) -> str:
    """escape_in_link as it was: every scalar walked, for each link."""
    if link.frontmatter_key is None or note.frontmatter is None:
        return new_text
    for entry in note.frontmatter.entries:
        for scalar in entry.scalars:
            if scalar.span.start <= link.span.start and link.span.end <= scalar.span.end:
                quote = note.text[scalar.span.start] if scalar.span else ""
                if quote == '"':
                    return new_text.replace("\\", "\\\\").replace('"', '\\"')
                if quote == "'":
                    return new_text.replace("'", "''")
                return new_text
    return new_text


# Frontmatter values of every kind that may hold a link: plain, quoted, lists, flow lists,
# nested mappings, anchors and aliases, block scalars, empty values; and broken YAML.
_VALUES = [
    "[[A]]", '"[[A]]"', "'[[A]]'", "[[A]] [[B]]", '"x [[A]] y"', "[ [[A]], '[[B]]' ]",
    '["[[A]]", [[B]]]', "\n  - [[A]]\n  - '[[B]]'", '\n  - "[[A]]"', "\n  k: [[A]]",
    "&a [[A]]", "*a", "|\n  [[A]]", "", "{k: '[[A]]'}", '"[[A', "[[A]]]",
]  # fmt: skip
_frontmatters = st.lists(
    st.tuples(st.sampled_from(["parent", "connected", "x", "tags"]), st.sampled_from(_VALUES)),
    max_size=6,
).map(lambda entries: "---\n" + "".join(f"{k}: {v}\n" for k, v in entries) + "---\n[[A]]\n")


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(_frontmatters)
def test_a_link_is_escaped_for_the_scalar_that_holds_it_as_by_walking(text: str) -> None:
    # rename.LinkQuotes finds the scalar by bisection instead of walking every scalar.
    note = parse_note(text)
    quotes = rename.LinkQuotes(note)
    for link in note.links:
        for new_text in ('a"b', "it's", "c\\d"):
            assert quotes.escape(link, new_text) == _escaped_by_walking(note, link, new_text)


def test_a_relative_link_that_a_reading_from_the_root_would_take_gets_the_root_path() -> None:
    """Link paths are read from the vault root first: `./C` in `c/B.md` opens the root's `C.md`
    when there is one, so the moved `a/C.md` is written from the root instead."""
    index = _index({"C.md": "корень\n", "a/C.md": "😀\n", "c/B.md": "[[../a/C]] [[../a/C#H]]\n"})
    assert _applied(index, rename.move_edits(index, {"a/C.md": "c/C.md"})) == {
        "c/B.md": "[[c/C]] [[c/C#H]]\n"
    }
    # Without a root namesake the link stays relative.
    index = _index({"a/C.md": "😀\n", "c/B.md": "[[../a/C]]\n"})
    assert _applied(index, rename.move_edits(index, {"a/C.md": "c/C.md"})) == {
        "c/B.md": "[[./C]]\n"
    }


def test_a_bare_name_follows_namesakes_that_move_in_the_same_request() -> None:
    # Both B's move into v/: at one depth, v/s/B.md would now take `[[B]]` from v/u/B.md.
    index = _index({"t/u/B.md": "", "q/r/s/B.md": "", "A.md": "[[B]]\n"})
    moves = {"t/u/B.md": "v/u/B.md", "q/r/s/B.md": "v/s/B.md"}
    assert _applied(index, rename.move_edits(index, moves)) == {"A.md": "[[v/u/B]]\n"}
    # Moved together and still the closest to the root: the bare name stays.
    index = _index({"a/B.md": "", "a/b/B.md": "[[B]]\n"})
    moves = {"a/B.md": "QQ/a/N/B.md", "a/b/B.md": "QQ/a/N/b/B.md"}
    assert rename.move_edits(index, moves) == {}
    # Swapped: the link follows the note it opened.
    index = _index({"B.md": "", "a/B.md": "", "A.md": "[[B]]\n"})
    moves = {"B.md": "a/B.md", "a/B.md": "B.md"}
    assert _applied(index, rename.move_edits(index, moves)) == {"A.md": "[[a/B]]\n"}


def test_an_odd_relative_link_between_moved_files_follows_both() -> None:
    # `[[./.]]` in a/b/B.md opens a/b.md; no backlink names it, so the relative-link pass
    # writes it, for where its target goes too.
    index = _index({"a/b.md": "", "a/b/B.md": "[[./.]]\n"})
    moves = {"a/b.md": "N/b.md", "a/b/B.md": "N/b/B.md"}
    # From N/b/B.md, `./.` opens N/b.md: the link stays (it was rewritten to the old path,
    # `../../a/b`, which names nothing after the move).
    assert rename.move_edits(index, moves) == {}


def test_a_path_ending_that_an_arriving_note_would_take_gets_its_whole_path() -> None:
    """`[[sub/B]]` opens `a/sub/B.md` by its ending; a note arriving at `sub/B.md` is read as
    the path itself first and would take the link (it got no edit before)."""
    index = _index({"a/sub/B.md": "😀\n", "C.md": "", "Ссылки.md": "[[sub/B]] [[sub/B#H|x]]\n"})
    assert _applied(index, rename.move_edits(index, {"C.md": "sub/B.md"})) == {
        "Ссылки.md": "[[a/sub/B]] [[a/sub/B#H|x]]\n"
    }


def test_a_relative_link_that_an_arriving_note_would_take_gets_its_path() -> None:
    """Renaming `C.md` to `B.md` at the root: `[[./B]]` in `a/X.md` is read from the root
    first, so it would open the new `B.md` instead of `a/B.md`."""
    index = _index({"a/B.md": "", "a/X.md": "[[./B]] [[B]]\n", "C.md": ""})
    # The bare `[[B]]` too would go to the root's B: it gets a path, as before.
    assert _applied(index, rename.move_edits(index, {"C.md": "B.md"})) == {
        "a/X.md": "[[a/B]] [[a/B]]\n"
    }


def test_a_link_by_alias_keeps_its_note_when_another_note_takes_that_name() -> None:
    """A name opens before an alias: a note renamed to another note's alias would take every
    link written with that alias. They get the note's name, showing the alias still."""
    index = _index(
        {
            "Тема.md": "---\naliases: [Прозвище 😀]\n---\n# H\n",
            "C.md": "",
            "Ссылки.md": '---\nparent: "[[Прозвище 😀]]"\n---\n'
            "[[Прозвище 😀]] [[прозвище 😀|текст]] [[Прозвище 😀#H]]\n"
            "| a | [[Прозвище 😀]] |\n",
        }
    )
    # In a table row the pipe is escaped, or it would end the cell.
    assert _applied(index, rename.move_edits(index, {"C.md": "Прозвище 😀.md"})) == {
        "Ссылки.md": '---\nparent: "[[Тема|Прозвище 😀]]"\n---\n'
        "[[Тема|Прозвище 😀]] [[Тема|текст]] [[Тема#H]]\n"
        "| a | [[Тема\\|Прозвище 😀]] |\n"
    }


def test_a_moved_note_keeps_its_path_links_that_its_new_folder_would_read_otherwise() -> None:
    """A path link is read from the vault root, then from the note's folder: `[[b/B]]`, which
    opened `a/b/B.md` by its ending, would open `c/b/B.md` once the note is in `c/`."""
    index = _index({"a/b/B.md": "", "c/b/B.md": "", "X.md": "[[b/B]]\n"})
    assert _applied(index, rename.move_edits(index, {"X.md": "c/X.md"})) == {"X.md": "[[a/b/B]]\n"}


def test_an_embed_an_arriving_image_would_take_gets_the_image_it_showed() -> None:
    index = _index({"c/B.md": "![[b/img.png]]\n"})
    for path in ("img.png", "a/img.png"):
        index.add_attachment(path)
    # `b/img.png` names no file: the embed shows `img.png` by name, until c/b/img.png arrives.
    assert _applied(index, rename.move_edits(index, {"a/img.png": "c/b/img.png"})) == {
        "c/B.md": "![[img.png]]\n"
    }


def test_one_move_onto_a_file_that_stays_leaves_the_others_their_updates() -> None:
    index = _folder_index()
    moves = {"Папка/Соседка.md": "Корень.md", "Папка/рис 1.png": "Новая/рис 1.png"}
    accepted, refused = rename.split_moves(index, moves)
    assert accepted == {"Папка/рис 1.png": "Новая/рис 1.png"}
    assert refused == {"Папка/Соседка.md": "Корень.md already exists."}
    # A swap whose other half is refused is refused too: its new path stays taken.
    index.add_attachment("Папка/рис 2.png")
    swap = {
        "Папка/рис 1.png": "Папка/рис 2.png",
        "Папка/рис 2.png": "Корень.md.png",
        "Папка/Соседка.md": "Корень.md",
    }
    index.add_attachment("Корень.md.png")
    accepted, refused = rename.split_moves(index, swap)
    assert accepted == {}
    assert sorted(refused) == sorted(swap)


# Two sections, each with its own `## Доказательство 😀`: a heading path tells them apart.
PROOFS = "# Теорема A\n## Доказательство 😀\nпервое\n# Теорема B\n## Доказательство 😀\nвторое\n"
PROOF_LINKS = (
    "[[T#Доказательство 😀]] [[T#Теорема A#Доказательство 😀]] "
    "[[T#Теорема B#Доказательство 😀|второе]]\n"
)


def test_renaming_one_of_two_namesake_headings_rewrites_the_links_that_reach_it() -> None:
    index = _index({"T.md": PROOFS, "A.md": PROOF_LINKS})
    first, _, second = index.notes["T.md"].headings[1:4]
    edits = rename_heading_edits(index, "T.md", second, "Вывод")
    assert _applied(index, edits)["A.md"] == (
        "[[T#Доказательство 😀]] [[T#Теорема A#Доказательство 😀]] [[T#Теорема B#Вывод|второе]]\n"
    )
    edits = rename_heading_edits(index, "T.md", first, "Вывод")
    assert _applied(index, edits)["A.md"] == (
        "[[T#Вывод]] [[T#Теорема A#Вывод]] [[T#Теорема B#Доказательство 😀|второе]]\n"
    )
    # A section's own heading renamed: the path's part that names it follows.
    edits = rename_heading_edits(index, "T.md", index.notes["T.md"].headings[2], "Теорема C")
    assert _applied(index, edits)["A.md"] == PROOF_LINKS.replace("Теорема B", "Теорема C")


def test_a_note_moved_under_its_own_name_keeps_its_bare_links_as_written() -> None:
    links = "[[ЦЕЛЬ 😀#Раздел]] [[цель 😀.md|x]] [[Цель 😀]]\n"
    index = _index({"Цель 😀.md": "# Раздел\n", "a.md": links})
    assert rename.move_edits(index, {"Цель 😀.md": "sub/Цель 😀.md"}) == {}
    # A rename, even of the letter case only, writes the new name.
    edits = rename.move_edits(index, {"Цель 😀.md": "цель 😀.md"})
    assert _applied(index, edits)["a.md"] == "[[цель 😀#Раздел]] [[цель 😀.md|x]] [[цель 😀]]\n"


# --- block ids ------------------------------------------------------------------------------

BLOCKED = """\
---
aliases: [Псевдоним]
---
## Введение 😀 ^intro
Абзац. ^intro
См. [[#^INTRO]].
"""


def test_a_block_rename_reaches_links_by_alias_in_frontmatter_and_not_a_namesakes() -> None:
    index = _index(
        {
            "Блок.md": BLOCKED,
            "a/Ссылки.md": '---\nparent: "[[Псевдоним#^intro]]"\n---\n[[Блок#^intro|x]]\n',
            # A namesake farther from the vault root: bare links open the root's note, not it.
            "b/c/Блок.md": "Другое. ^intro\n",
            "b/Чужие.md": "[[b/c/Блок#^intro]]\n",
        }
    )
    target = rename_target_at(index, "a/Ссылки.md", index.notes["a/Ссылки.md"].text.index("intro"))
    assert isinstance(target, BlockRename) and target.path == "Блок.md"
    assert target.block.span.start == BLOCKED.index("^intro")  # the heading's: the first
    edits = rename_block_edits(index, target.path, target.block, "^vvod-2")
    assert _applied(index, edits) == {
        "Блок.md": BLOCKED.replace("😀 ^intro", "😀 ^vvod-2").replace("^INTRO", "^vvod-2"),
        "a/Ссылки.md": '---\nparent: "[[Псевдоним#^vvod-2]]"\n---\n[[Блок#^vvod-2|x]]\n',
    }


def test_renaming_the_second_of_two_namesake_block_ids_changes_its_line_only() -> None:
    index = _index({"Блок.md": BLOCKED, "Ссылки.md": "[[Блок#^intro]]\n"})
    second = index.notes["Блок.md"].block_ids[1]
    edits = rename_block_edits(index, "Блок.md", second, "abzac")
    assert _applied(index, edits) == {"Блок.md": BLOCKED.replace("Абзац. ^intro", "Абзац. ^abzac")}


def test_a_block_id_keeps_its_place_when_only_its_case_changes() -> None:
    index = _index({"Блок.md": "Абзац. ^intro\n[[#^intro]]\n"})
    (block,) = index.notes["Блок.md"].block_ids
    edits = rename_block_edits(index, "Блок.md", block, "Intro")
    assert _applied(index, edits) == {"Блок.md": "Абзац. ^Intro\n[[#^Intro]]\n"}


def test_a_tag_rename_keeps_the_nested_parts_as_written_whatever_the_case_folding() -> None:
    # `İ`.lower() is two characters: the nested part is found by its `/`s, not by length.
    index = _index({"Т.md": "#İzmir/Kordon #izmir #İzmirli\n", "У.md": "---\ntag: İzmir\n---\n"})
    target = rename_target_at(index, "Т.md", 2)  # on `İzmir`: that tag and those below it
    assert isinstance(target, rename.TagRename) and target.name == "İzmir"
    whole = rename_target_at(index, "Т.md", 9)
    assert isinstance(whole, rename.TagRename) and whole.name == "İzmir/Kordon"
    edits = rename_tag_edits(index, target.name, "Смирна")
    assert _applied(index, edits) == {
        "Т.md": "#Смирна/Kordon #izmir #İzmirli\n",
        "У.md": "---\ntag: Смирна\n---\n",
    }


def test_a_rename_to_the_same_name_changes_no_link_written_in_another_case() -> None:
    """F2 then Enter: the heading, block id or tag keeps its name, and links or tags written in
    another case (`[[N#intro]]`, `#ML`) are the user's; they stay as written."""
    index = _index(
        {
            "N.md": "## Intro\nАбзац #ml. ^intro-1\n",
            "L.md": "[[N#intro]] [[N#^INTRO-1]] #ML\n",
        }
    )
    note = index.notes["N.md"]
    assert rename_heading_edits(index, "N.md", note.headings[0], "Intro") == {}
    assert rename_block_edits(index, "N.md", note.block_ids[0], "intro-1") == {}
    assert rename_tag_edits(index, "ml", "ml") == {}


@pytest.mark.parametrize(
    ("frontmatter", "new_alias", "expected"),
    [
        ("aliases: [Старое]", "Новое: часть 2", 'aliases: ["Новое: часть 2"]'),
        ("aliases:\n  - Старое\n  - Другое", "true", 'aliases:\n  - "true"\n  - Другое'),
        ("aliases: ['Старое']", "it's", "aliases: ['it''s']"),
        ('aliases: ["Старое"]', 'Say "hi"', 'aliases: ["Say \\"hi\\""]'),
        ("aliases: [Старое, x]", "a, b", 'aliases: ["a, b", x]'),
    ],
)
def test_a_renamed_alias_is_written_so_that_yaml_reads_it_back(
    frontmatter: str, new_alias: str, expected: str
) -> None:
    index = _index({"N.md": f"---\n{frontmatter}\n---\n# N\n", "L.md": "[[старое|x]] [[N]]\n"})
    edits = rename_alias_edits(index, "N.md", "Старое", new_alias)
    after = _applied(index, edits)
    assert after["N.md"] == f"---\n{expected}\n---\n# N\n"
    assert after["L.md"] == f"[[{new_alias}|x]] [[N]]\n"
    renamed = parse_note(after["N.md"])
    assert renamed.frontmatter is not None and new_alias in renamed.frontmatter.data["aliases"]


def test_an_alias_is_not_renamed_onto_a_name_in_use_nor_to_a_link_breaker() -> None:
    index = _index({"N.md": "---\naliases: [Старое]\n---\n", "Другая.md": "# Д\n"})
    with pytest.raises(RenameError, match=r"already names Другая\.md"):
        rename_alias_edits(index, "N.md", "Старое", "другая")
    with pytest.raises(RenameError, match="cannot contain"):
        rename_alias_edits(index, "N.md", "Старое", "a#b")
    assert rename_alias_edits(index, "N.md", "Старое", "N") != {}  # its own name: fine


@pytest.mark.parametrize("new_alias", ["a/b", "a\\b"])
def test_an_alias_is_not_renamed_to_a_path_no_bare_link_reaches(new_alias: str) -> None:
    """`[[a/b]]` is read as a path: an alias holding `/` names nothing a link can write."""
    index = _index({"N.md": "---\naliases: [Старое]\n---\n"})
    with pytest.raises(RenameError, match="cannot contain"):
        rename_alias_edits(index, "N.md", "Старое", new_alias)
