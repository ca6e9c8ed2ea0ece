"""Document highlights through the server: what the cursor's link, heading, block id, tag or
Anki ID refers to, and what refers to it, in the open note only; UTF-16 positions on lines of
Cyrillic and emoji."""

from __future__ import annotations

from pathlib import Path

from lsp_harness import Editor, document, editor, wait_until, write_files
from lsprotocol import types

READ = types.DocumentHighlightKind.Read
WRITE = types.DocumentHighlightKind.Write
TEXT = types.DocumentHighlightKind.Text

NOTE = """\
---
tags: [тема]
---
# Векторы 😀
Плотные 😀 векторы. ^blk1

## Обучение 😀
См. [[#Обучение 😀]] и [[Embeddings]], #тема и [[#^blk1]].
Ещё 😀 [[Embeddings|эмбеддинги]], [[Embeddings#Training]], [[Нет такой]] и [[нет такой]].
#тема/sub и #тема, [[#^blk1|блок]]
START
Basic
Front: q
ID: 1737306548883
END
START
Basic
Front: r
ID: 1737306548883
END
"""
VAULT = {
    "Векторы.md": NOTE,
    "Embeddings.md": "# Embeddings\n\n## Training\n[[Векторы]] and #тема.\n",
}


def _range(needle: str, nth: int = 0, text: str = NOTE) -> types.Range:
    """The range of the `nth` occurrence of `needle` (within one line), in UTF-16 units."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset)
    line_start = text.rfind("\n", 0, offset) + 1

    def units(part: str) -> int:
        return len(part.encode("utf-16-le")) // 2

    start = units(text[line_start:offset])
    return types.Range(
        start=types.Position(line=line, character=start),
        end=types.Position(line=line, character=start + units(needle)),
    )


def _inside(needle: str, nth: int = 0) -> types.Position:
    """A position one character into the `nth` `needle`."""
    found = _range(needle, nth)
    return types.Position(line=found.start.line, character=found.start.character + 1)


async def _highlights(
    session: Editor, uri: str, at: types.Position
) -> list[tuple[types.Range, int]]:
    found = await session.client.text_document_document_highlight_async(
        types.DocumentHighlightParams(text_document=document(uri), position=at)
    )
    return [(item.range, item.kind) for item in found or ()]


async def _open_indexed(session: Editor) -> str:
    uri = session.open("Векторы.md")
    await wait_until(lambda: "unresolved-link" in session.codes(uri))
    return uri


async def test_a_link_highlights_the_links_to_the_same_note_and_heading(vault: Path) -> None:
    write_files(vault, VAULT)
    async with editor(vault) as session:
        uri = await _open_indexed(session)
        # A link to the note: every link to it, its headings' too (as references count them).
        plain = [
            (_range("[[Embeddings]]"), READ),
            (_range("[[Embeddings|эмбеддинги]]"), READ),
            (_range("[[Embeddings#Training]]"), READ),
        ]
        assert await _highlights(session, uri, _inside("[[Embeddings]]")) == plain
        assert await _highlights(session, uri, _inside("[[Embeddings|")) == plain
        # A link to a heading of another note: only the links to that heading, and no
        # declaration (it is in the other note).
        training = [(_range("[[Embeddings#Training]]"), READ)]
        assert await _highlights(session, uri, _inside("[[Embeddings#Training]]")) == training


async def test_a_heading_and_the_links_to_it_in_the_note(vault: Path) -> None:
    write_files(vault, VAULT)
    async with editor(vault) as session:
        uri = await _open_indexed(session)
        expected = [(_range("## Обучение 😀"), WRITE), (_range("[[#Обучение 😀]]"), READ)]
        assert await _highlights(session, uri, _inside("## Обучение 😀")) == expected
        assert await _highlights(session, uri, _inside("[[#Обучение 😀]]")) == expected


async def test_a_block_id_and_the_links_to_it(vault: Path) -> None:
    write_files(vault, VAULT)
    async with editor(vault) as session:
        uri = await _open_indexed(session)
        expected = [
            (_range("^blk1"), WRITE),
            (_range("[[#^blk1]]"), READ),
            (_range("[[#^blk1|блок]]"), READ),
        ]
        assert await _highlights(session, uri, _inside("^blk1")) == expected
        assert await _highlights(session, uri, _inside("[[#^blk1|блок]]")) == expected


async def test_a_tag_highlights_its_uses_in_body_and_frontmatter_only(vault: Path) -> None:
    write_files(vault, VAULT)
    async with editor(vault) as session:
        uri = await _open_indexed(session)
        # The frontmatter's `тема` (no `#` there) and the body's two; `#тема/sub` is another
        # tag, and Embeddings.md's `#тема` is in another note.
        expected = [
            (_range("тема"), TEXT),
            (_range("#тема", 0), TEXT),
            (_range("#тема", 2), TEXT),
        ]
        assert await _highlights(session, uri, _inside("#тема", 2)) == expected
        assert await _highlights(session, uri, _inside("тема")) == expected


async def test_an_anki_id_highlights_every_card_holding_it_here(vault: Path) -> None:
    write_files(vault, VAULT)
    async with editor(vault) as session:
        uri = await _open_indexed(session)
        line = "ID: 1737306548883"
        expected = [(_range(line, 0), TEXT), (_range(line, 1), TEXT)]
        assert await _highlights(session, uri, _inside("1737306548883", 1)) == expected


async def test_plain_text_and_frontmatter_highlight_nothing(vault: Path) -> None:
    write_files(vault, VAULT)
    async with editor(vault) as session:
        uri = await _open_indexed(session)
        assert await _highlights(session, uri, _inside("Плотные")) == []
        assert await _highlights(session, uri, types.Position(line=0, character=1)) == []
        # Past the end of the note, and in a note the server does not know: no error either.
        assert await _highlights(session, uri, types.Position(line=999, character=999)) == []
        unknown = session.uri("Никогда.md")
        assert await _highlights(session, unknown, types.Position(line=0, character=0)) == []


async def test_unresolved_links_highlight_the_links_to_the_same_missing_note(vault: Path) -> None:
    write_files(vault, VAULT)
    async with editor(vault) as session:
        uri = await _open_indexed(session)
        expected = [(_range("[[Нет такой]]"), READ), (_range("[[нет такой]]"), READ)]
        assert await _highlights(session, uri, _inside("[[нет такой]]")) == expected


async def test_the_highlights_follow_unsaved_edits(vault: Path) -> None:
    write_files(vault, VAULT)
    async with editor(vault) as session:
        uri = await _open_indexed(session)
        line = _range("[[Embeddings]]").start.line
        session.edit(uri, (line, 0), (line, 0), "[[Embeddings#Training]] ")
        shift = len("[[Embeddings#Training]] ")
        found = await _highlights(session, uri, types.Position(line=line, character=2))
        first = types.Range(
            start=types.Position(line=line, character=0),
            end=types.Position(line=line, character=shift - 1),
        )
        assert found == [(first, READ), (_range("[[Embeddings#Training]]"), READ)]


IDS = """\
START
Basic
Front: q
ID: 1737306548883
END

STARTI Basic inline q back ID: 1737306548883 ENDI

DELETE
ID: 1737306548883

START
Basic
Front: r
ID: 1737306548883
"""


async def test_an_anki_id_outside_a_closed_card_highlights_itself(vault: Path) -> None:
    """The ID under the cursor is highlighted wherever it stands: in an inline card, on a
    DELETE line, in a card left unclosed. Was: when a closed card of the note holds the same
    ID, only that card's ID line lit up, never the one under the cursor."""
    write_files(vault, {"Ids.md": IDS})
    async with editor(vault) as session:
        uri = session.open("Ids.md")
        await wait_until(lambda: "unclosed-block" in session.codes(uri))
        line = "ID: 1737306548883"
        for nth, where in ((1, "inline card"), (2, "DELETE line"), (3, "unclosed card")):
            mine = _range(line, nth, IDS)
            at = types.Position(line=mine.start.line, character=mine.start.character + 5)
            found = await _highlights(session, uri, at)
            assert (mine, TEXT) in found, (where, found)
