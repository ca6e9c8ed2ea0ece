"""Renaming notes and headings from the editor, and link updates when the editor renames a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from edit_harness import (
    edit_editor,
    position,
    rename_at,
    span,
    text_edits,
    texts_after,
    texts_with,
)
from lsp_harness import Editor, write_files
from lsprotocol import types
from pygls.exceptions import JsonRpcException

TOPIC = """\
# Тема 😀
См. [[#Раздел 😀]] ниже.
## Раздел 😀
Текст.
"""
# Line 4: `Текст 😀 [[` is 11 UTF-16 units, so `Тема` spans 11..15.
LINKS = """\
---
aliases:
parent: "[[Тема]]"
---
Текст 😀 [[Тема#Раздел 😀|показ]], [[тема]] и [[Прозвище]].
"""
DEEP = "Глубоко: [[Тема]] и [[Тема#раздел 😀]].\n"
VAULT = {
    "Тема.md": "---\naliases: [Прозвище]\n---\n" + TOPIC,
    "Ссылки.md": LINKS,
    "sub/Глубоко.md": DEEP,
}


async def _prepare(
    session: Editor, uri: str, line: int, character: int
) -> types.PrepareRenameResult | None:
    return await session.client.text_document_prepare_rename_async(
        types.PrepareRenameParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position(line, character)
        )
    )


async def _refused(session: Editor, renames: list[tuple[str, int, int, str]]) -> list[str]:
    """The message of each rename (uri, line, character, new name), every one refused with
    RequestFailed."""
    messages: list[str] = []
    for uri, line, character, name in renames:
        with pytest.raises(JsonRpcException) as caught:
            await rename_at(session, uri, line, character, name)
        assert caught.value.code == types.LSPErrorCodes.RequestFailed.value
        messages.append(caught.value.message)
    return messages


async def test_renaming_a_note_from_a_link_renames_the_file_and_every_link(vault: Path) -> None:
    write_files(vault, VAULT)
    async with edit_editor(vault) as (session, _):
        links = session.open("Ссылки.md")
        prepared = await _prepare(session, links, 4, 13)
        edit = await rename_at(session, links, 4, 13, "Новая тема 🙂")

    assert prepared == types.PrepareRenamePlaceholder(
        range=span((4, 11), (4, 15)), placeholder="Тема"
    )
    changes = list(edit.document_changes or ())
    *documents, rename = changes
    assert rename == types.RenameFile(
        old_uri=(vault / "Тема.md").resolve().as_uri(),
        new_uri=(vault / "Новая тема 🙂.md").resolve().as_uri(),
        options=types.RenameFileOptions(overwrite=False),
    )
    versions = {
        change.text_document.uri: change.text_document.version
        for change in documents
        if isinstance(change, types.TextDocumentEdit)
    }
    assert versions == {
        links: 1,  # open: the editor's version
        (vault / "sub/Глубоко.md").resolve().as_uri(): None,
    }
    assert texts_after(vault, edit) == {
        "Ссылки.md": LINKS.replace("[[Тема", "[[Новая тема 🙂").replace(
            "[[тема]]", "[[Новая тема 🙂]]"
        ),
        "sub/Глубоко.md": DEEP.replace("[[Тема", "[[Новая тема 🙂"),
    }
    ranges = [r for r, _ in text_edits(edit)[links]]
    assert ranges == [span((2, 11), (2, 15)), span((4, 11), (4, 15)), span((4, 37), (4, 41))]


async def test_renaming_a_heading_updates_links_to_it_in_the_vault(vault: Path) -> None:
    write_files(vault, VAULT)
    async with edit_editor(vault) as (session, _):
        links = session.open("Ссылки.md")
        prepared = await _prepare(session, links, 4, 18)
        edit = await rename_at(session, links, 4, 18, "Начало 😀")

    assert prepared == types.PrepareRenamePlaceholder(
        range=span((4, 16), (4, 25)), placeholder="Раздел 😀"
    )
    assert not any(isinstance(c, types.RenameFile) for c in edit.document_changes or ())
    assert texts_after(vault, edit) == {
        "Тема.md": VAULT["Тема.md"].replace("Раздел 😀", "Начало 😀"),
        "Ссылки.md": LINKS.replace("#Раздел 😀", "#Начало 😀"),
        "sub/Глубоко.md": DEEP.replace("#раздел 😀", "#Начало 😀"),
    }


async def test_a_rename_that_cannot_work_is_refused_with_the_reason(vault: Path) -> None:
    write_files(vault, VAULT)
    async with edit_editor(vault) as (session, _):
        links = session.open("Ссылки.md")
        topic = session.open("Тема.md")
        nothing = await _prepare(session, links, 4, 2)
        messages = await _refused(
            session,
            [
                (links, 4, 13, "Ссылки"),  # taken
                (links, 4, 13, "a/b"),
                (links, 4, 13, " "),
                (links, 4, 48, "Ссылки"),  # `[[Прозвище]]`: an alias, onto another note's name
                (topic, 5, 4, "Тема 😀"),  # the heading `Раздел 😀` -> the note's other heading
                (links, 4, 13, "Я" * 300),  # more than the disk takes (was: an OSError)
            ],
        )

    assert nothing is None  # plain text: nothing to rename
    assert messages[0] == "Ссылки.md already exists."
    assert "cannot contain /" in messages[1]
    assert "cannot be empty" in messages[2]
    assert messages[3] == "'Ссылки' already names Ссылки.md: links by it would open that note."
    assert "already has a heading 'Тема 😀'" in messages[4]
    assert messages[5].endswith("File name too long"), messages[5]


async def test_the_editor_renaming_a_note_gets_the_link_updates(vault: Path) -> None:
    write_files(vault, VAULT)
    async with edit_editor(vault) as (session, _):
        links = session.open("Ссылки.md")
        edit = await session.client.workspace_will_rename_files_async(
            types.RenameFilesParams(
                files=[
                    types.FileRename(
                        old_uri=(vault / "Тема.md").as_uri(),
                        new_uri=(vault / "Предмет.md").as_uri(),
                    )
                ]
            )
        )

    assert edit is not None
    assert all(isinstance(c, types.TextDocumentEdit) for c in edit.document_changes or ())
    assert texts_after(vault, edit) == {
        "Ссылки.md": LINKS.replace("[[Тема", "[[Предмет").replace("[[тема]]", "[[Предмет]]"),
        "sub/Глубоко.md": DEEP.replace("[[Тема", "[[Предмет"),
    }
    assert links in text_edits(edit)


async def test_the_editor_renaming_a_folder_gets_the_link_updates_of_every_file_in_it(
    vault: Path,
) -> None:
    """VS Code names only the folder: each note and attachment in it moves, and path links
    follow it, those from inside the folder too (edited under their old names, before the
    move). A relative link between two moved notes still reaches: it gets no edit (it got two,
    overlapping, when each note's move was built alone)."""
    write_files(
        vault,
        {
            "Папка/Тема 😀.md": "# Тема\n## Раздел\n[[./Внутри]] ![[./рис.png]]\n",
            "Папка/Внутри.md": "См. [[Папка/Тема 😀#Раздел]], [[../Ссылки]].\n",
            "Папка/рис.png": "png",
            "Ссылки.md": "[[Папка/Тема 😀]], [[Тема 😀|она]] и [[Папка/Внутри]]. "
            "![[Папка/рис.png|100]] [[./Папка/Тема 😀]]\n",
        },
    )
    async with edit_editor(vault) as (session, _):
        edit = await session.client.workspace_will_rename_files_async(
            types.RenameFilesParams(
                files=[
                    types.FileRename(
                        old_uri=(vault / "Папка").as_uri(),
                        new_uri=(vault / "Новая папка").as_uri(),
                    )
                ]
            )
        )
    registrations = session.capabilities.workspace

    assert edit is not None
    assert texts_after(vault, edit) == {
        "Папка/Внутри.md": "См. [[Новая папка/Тема 😀#Раздел]], [[../Ссылки]].\n",
        "Ссылки.md": "[[Новая папка/Тема 😀]], [[Тема 😀|она]] и [[Новая папка/Внутри]]. "
        "![[Новая папка/рис.png|100]] [[./Новая папка/Тема 😀]]\n",
    }
    assert registrations is not None and registrations.file_operations is not None
    filters = registrations.file_operations.will_rename
    assert filters is not None
    assert [(f.pattern.glob, f.pattern.matches) for f in filters.filters] == [
        ("**/*", types.FileOperationPatternKind.File),
        ("**/*", types.FileOperationPatternKind.Folder),
    ]


async def test_the_editor_renaming_an_image_updates_its_embeds(vault: Path) -> None:
    write_files(
        vault,
        {
            "img/схема 😀.png": "png",
            "Заметка.md": '---\nimage: "[[img/схема 😀.png]]"\n---\n'
            "![[схема 😀.png]] и ![[img/схема 😀.png|200]], [[Заметка]]\n",
        },
    )
    async with edit_editor(vault) as (session, _):
        session.open("Заметка.md")  # the editor's text is what the edit is made for
        edit = await session.client.workspace_will_rename_files_async(
            types.RenameFilesParams(
                files=[
                    types.FileRename(
                        old_uri=(vault / "img/схема 😀.png").as_uri(),
                        new_uri=(vault / "рисунки/схема 2.png").as_uri(),
                    )
                ]
            )
        )

    assert edit is not None
    assert texts_after(vault, edit) == {
        "Заметка.md": '---\nimage: "[[рисунки/схема 2.png]]"\n---\n'
        "![[схема 2.png]] и ![[рисунки/схема 2.png|200]], [[Заметка]]\n"
    }


async def test_a_rename_that_would_take_other_notes_links_keeps_them_where_they_were(
    vault: Path,
) -> None:
    """One request: `Черновик.md` becomes `Прозвище.md` (the alias of `Тема.md`), `Старый.md`
    becomes the root's `Глубоко.md`, and `Лишний.md` goes onto a note that stays. A name opens
    before an alias, and a path is read from the vault root before the note's folder: the
    links the arrivals would take get forms that still open their notes. The refused move
    takes nothing from the others' updates (it took them all before)."""
    write_files(
        vault,
        {
            **VAULT,
            "Черновик.md": "",
            "Старый.md": "",
            "Лишний.md": "",
            "sub/Ссылки 😀.md": "[[./Глубоко]] и [[./Глубоко#Раздел|там]]\n",
        },
    )
    moves = {"Черновик.md": "Прозвище.md", "Старый.md": "Глубоко.md", "Лишний.md": "Ссылки.md"}
    async with edit_editor(vault) as (session, _):
        links = session.open("Ссылки.md")
        edit = await session.client.workspace_will_rename_files_async(
            types.RenameFilesParams(
                files=[
                    types.FileRename(old_uri=(vault / old).as_uri(), new_uri=(vault / new).as_uri())
                    for old, new in moves.items()
                ]
            )
        )

    assert edit is not None
    assert texts_after(vault, edit) == {
        "Ссылки.md": LINKS.replace("[[Прозвище]]", "[[Тема|Прозвище]]"),
        "sub/Ссылки 😀.md": "[[sub/Глубоко]] и [[sub/Глубоко#Раздел|там]]\n",
    }
    assert links in text_edits(edit)


async def test_a_closed_note_renames_as_if_it_were_open_at_its_text_on_disk(vault: Path) -> None:
    """Renaming from a note that is not open (hover and references answer there too) gives
    what it gives once the note is open. The note changed on disk without a file event first:
    the edits fit that text, the one the editor opens."""
    write_files(vault, VAULT)
    topic_text = VAULT["Тема.md"].replace("# Тема 😀\n", "# Тема 😀\nНовая строка 😀.\n")
    async with edit_editor(vault) as (session, _):
        (vault / "Тема.md").write_bytes(topic_text.encode("utf-8"))
        topic, links = session.uri("Тема.md"), session.uri("Ссылки.md")
        requests = [
            (topic, 6, 5, "Начало 😀"),  # the heading `## Раздел 😀`, a line lower now
            (links, 4, 13, "Новая тема 🙂"),  # the note, from the link `[[Тема#Раздел 😀|показ]]`
        ]

        async def answers() -> list[object]:
            found: list[object] = []
            for uri, line, character, name in requests:
                prepared = await _prepare(session, uri, line, character)
                edit = await rename_at(session, uri, line, character, name)
                moves = [c for c in edit.document_changes or () if isinstance(c, types.RenameFile)]
                found += [prepared, text_edits(edit), moves]
            return found

        closed = await answers()
        session.open("Тема.md")
        session.open("Ссылки.md")
        opened = await answers()

    assert closed == opened
    prepared_heading, heading_edits = closed[0], closed[1]
    assert prepared_heading == types.PrepareRenamePlaceholder(
        range=span((6, 3), (6, 12)), placeholder="Раздел 😀"
    )
    assert isinstance(heading_edits, dict)
    assert texts_with(vault, heading_edits) == {
        "Тема.md": topic_text.replace("Раздел 😀", "Начало 😀"),
        "Ссылки.md": LINKS.replace("#Раздел 😀", "#Начало 😀"),
        "sub/Глубоко.md": DEEP.replace("#раздел 😀", "#Начало 😀"),
    }


BLOCKS = """\
# Блоки
Формула 😀 $E=mc^2$ важна. ^energy-1
Выше: [[#^energy-1]].

- пункт
- ещё

^list-A
"""
BLOCK_LINKS = "См. [[Блоки#^energy-1]] и ![[блоки#^ENERGY-1|показ]], [[Блоки#^list-A]].\n"


async def test_renaming_a_block_id_updates_its_line_and_every_link_to_it(vault: Path) -> None:
    """F2 on the `^id` of `[[N#^id]]` offered to rename the note N."""
    write_files(vault, {"Блоки.md": BLOCKS, "Ссылки.md": BLOCK_LINKS})
    async with edit_editor(vault) as (session, _):
        links = session.open("Ссылки.md")
        blocks = session.open("Блоки.md")
        from_link = await _prepare(session, links, 0, 15)
        from_line = await _prepare(session, blocks, 1, 29)
        edit = await rename_at(session, links, 0, 15, "^energy-2")

    assert from_link == types.PrepareRenamePlaceholder(
        range=span((0, 13), (0, 21)), placeholder="energy-1"
    )
    # `Формула 😀 $E=mc^2$ важна. ` is 27 UTF-16 units: `^` at 27, the name after it.
    assert from_line == types.PrepareRenamePlaceholder(
        range=span((1, 28), (1, 36)), placeholder="energy-1"
    )
    assert not any(isinstance(c, types.RenameFile) for c in edit.document_changes or ())
    assert texts_after(vault, edit) == {
        "Блоки.md": BLOCKS.replace("energy-1", "energy-2"),
        "Ссылки.md": BLOCK_LINKS.replace("energy-1", "energy-2").replace("ENERGY-1", "energy-2"),
    }


async def test_a_block_id_rename_that_cannot_work_is_refused_with_the_reason(vault: Path) -> None:
    write_files(vault, {"Блоки.md": BLOCKS, "Ссылки.md": BLOCK_LINKS + "[[Блоки#^nowhere]]\n"})
    async with edit_editor(vault) as (session, _):
        links = session.open("Ссылки.md")
        blocks = session.open("Блоки.md")
        messages = await _refused(
            session,
            [
                (blocks, 1, 30, "two words"),
                (blocks, 1, 30, "энергия"),
                (blocks, 1, 30, "LIST-a"),  # the note's other block id, but for case
                (links, 1, 12, "x"),  # `^nowhere`: no such block
            ],
        )

    assert "letters A-Z, digits and dashes" in messages[0]
    assert "letters A-Z, digits and dashes" in messages[1]
    assert messages[2] == "Блоки.md already has a block ^list-A."
    assert messages[3] == "No block ^nowhere in 'Блоки.md'."


TAGGED = """\
---
tags:
  - ml
  - ML/nlp
connected: "#ml/cv"
---
# Заметка #ml
Текст 😀 #ml и #ml/nlp/bert, не #mlops, `#ml` в коде.
START
Basic
Front: q #ml
Tags: ml
ID: 1737306548883
END
"""
FLOW = "---\ntags: [ml, other]\n---\nСм. #Ml.\n"


async def test_renaming_a_tag_renames_it_and_the_tags_below_it_in_every_note(vault: Path) -> None:
    write_files(vault, {"Теги.md": TAGGED, "Другая.md": FLOW, "Нет.md": "Без #mlx.\n"})
    async with edit_editor(vault) as (session, _):
        tagged = session.open("Теги.md")
        in_body = await _prepare(session, tagged, 7, 11)
        in_frontmatter = await _prepare(session, tagged, 3, 8)
        its_first_part = await _prepare(session, tagged, 3, 5)
        edit = await rename_at(session, tagged, 7, 11, "#ИИ")

    # `Текст 😀 ` is 9 UTF-16 units: `#` at 9, the name after it.
    assert in_body == types.PrepareRenamePlaceholder(range=span((7, 10), (7, 12)), placeholder="ml")
    assert in_frontmatter == types.PrepareRenamePlaceholder(
        range=span((3, 4), (3, 10)), placeholder="ML/nlp"
    )
    assert its_first_part == types.PrepareRenamePlaceholder(
        range=span((3, 4), (3, 6)), placeholder="ML"
    )
    assert texts_after(vault, edit) == {
        "Теги.md": TAGGED.replace("- ml\n", "- ИИ\n")
        .replace("ML/nlp", "ИИ/nlp")
        .replace('"#ml/cv"', '"#ИИ/cv"')
        .replace("Заметка #ml", "Заметка #ИИ")
        .replace("😀 #ml и #ml/nlp/bert", "😀 #ИИ и #ИИ/nlp/bert")
        .replace("q #ml", "q #ИИ"),  # `#mlops`, code, the card's Anki `Tags:` stay
        "Другая.md": FLOW.replace("[ml,", "[ИИ,").replace("#Ml.", "#ИИ."),
    }


async def test_a_tag_rename_to_no_tag_is_refused_with_the_reason(vault: Path) -> None:
    write_files(vault, {"Теги.md": TAGGED})
    async with edit_editor(vault) as (session, _):
        tagged = session.open("Теги.md")
        names = ["two words", "2024", "a//b", "#", "ml/"]
        messages = await _refused(session, [(tagged, 7, 11, name) for name in names])
    assert all("is no tag" in message for message in messages), messages


async def test_renaming_an_alias_rewrites_it_and_the_links_by_it(vault: Path) -> None:
    """F2 on `[[Прозвище]]`, a link by an alias, was refused: rename it in the frontmatter."""
    write_files(vault, VAULT)
    async with edit_editor(vault) as (session, _):
        links = session.open("Ссылки.md")
        topic = session.open("Тема.md")
        from_link = await _prepare(session, links, 4, 48)
        from_frontmatter = await _prepare(session, topic, 1, 12)
        edit = await rename_at(session, topic, 1, 12, "Кличка 😀")

    # `Текст 😀 [[Тема#Раздел 😀|показ]], [[тема]] и [[` is 48 UTF-16 units.
    assert from_link == types.PrepareRenamePlaceholder(
        range=span((4, 48), (4, 56)), placeholder="Прозвище"
    )
    assert from_frontmatter == types.PrepareRenamePlaceholder(
        range=span((1, 10), (1, 18)), placeholder="Прозвище"
    )
    assert texts_after(vault, edit) == {
        "Тема.md": VAULT["Тема.md"].replace("Прозвище", "Кличка 😀"),
        "Ссылки.md": LINKS.replace("[[Прозвище]]", "[[Кличка 😀]]"),
    }
