"""`notels.generateIds` with `{"writeClosedNotes": true}` (what the Neovim configs send): the
server writes the notes that are not open itself, as `notels check --fix` writes them, and
sends the client an edit of the open notes only. Neovim applies an edit by loading every file
it names into a buffer, its main loop blocked: 11 s for the 832 notes lacking IDs of a
10,000-note vault (tests/editors/test_neovim_scale.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from edit_harness import ID_LINE, WRITE_CLOSED, edit_editor, generate_ids, text_edits
from lsp_harness import write_files


async def test_closed_notes_are_written_on_disk_and_only_open_ones_go_to_the_client(
    vault: Path,
) -> None:
    # A BOM, CRLF, Cyrillic and emoji, no final newline: every byte but the new ID line kept.
    closed_bytes = (
        "\ufeff# Закрытая 😀\r\n\r\nSTART\r\nBasic\r\nFRONT: ж 😀\r\nBack: 𝔸\r\nEND".encode()
    )
    write_files(
        vault,
        {
            "Открытая.md": "START\nBasic\nFRONT: 😀\nEND\n",
            "Готовая.md": "START\nBasic\nFRONT: q\nID: 1737306548883\nEND\n",
        },
    )
    closed = vault / "sub" / "Закрытая.md"
    closed.parent.mkdir()
    closed.write_bytes(closed_bytes)
    ready_before = (vault / "Готовая.md").read_bytes()
    async with edit_editor(vault) as (session, applied):
        uri = session.open("Открытая.md")
        first = await generate_ids(session, WRITE_CLOSED)
        # The server took its own write in: asked again, it plans nothing for that note.
        second = await generate_ids(session, WRITE_CLOSED)

    assert first == {"ids": 2, "files": 2, "written": 1, "skipped": 0, "applied": True}
    assert second == {"ids": 1, "files": 1, "written": 0, "skipped": 0, "applied": True}
    assert [sorted(text_edits(edit)) for edit in applied] == [[uri], [uri]]
    written = closed.read_bytes()
    (match,) = ID_LINE.finditer(written)
    assert match.group() == b"ID: " + match.group(1) + b"\r\n"
    assert written == closed_bytes.replace(b"\r\nEND", b"\r\n" + match.group() + b"END")
    open_id = text_edits(applied[0])[uri][0][1]
    assert match.group(1).decode() not in open_id
    assert (vault / "Готовая.md").read_bytes() == ready_before
    assert not [p for p in closed.parent.iterdir() if p.name.startswith(".notels-")]


async def test_with_every_note_closed_no_edit_is_sent(vault: Path) -> None:
    notes = {f"Карточка {n}.md": f"START\nBasic\nFRONT: q{n}\nEND\n" for n in range(5)}
    write_files(vault, notes)
    async with edit_editor(vault) as (session, applied):
        summary = await generate_ids(session, WRITE_CLOSED)
    assert summary == {"ids": 5, "files": 5, "written": 5, "skipped": 0, "applied": True}
    assert applied == []
    ids = [ID_LINE.findall((vault / name).read_bytes()) for name in notes]
    assert all(len(found) == 1 for found in ids)
    assert len({found[0] for found in ids}) == 5


async def test_a_read_only_closed_note_is_left_to_the_client(vault: Path) -> None:
    # --fix never writes a read-only file; the editor may ask the user, so it gets the edit.
    write_files(vault, {"Только чтение.md": "START\nBasic\nFRONT: q\nEND\n"})
    locked = vault / "Только чтение.md"
    locked.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        async with edit_editor(vault) as (session, applied):
            summary = await generate_ids(session, WRITE_CLOSED)
    finally:
        locked.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert summary == {"ids": 1, "files": 1, "written": 0, "skipped": 0, "applied": True}
    (edit,) = applied
    assert sorted(text_edits(edit)) == [locked.resolve().as_uri()]
    assert b"ID:" not in locked.read_bytes()


async def test_without_the_option_every_note_goes_to_the_client(vault: Path) -> None:
    # VS Code's command sends no argument: one undoable edit, closed notes included.
    write_files(vault, {"A.md": "START\nBasic\nFRONT: q\nEND\n"})
    before = (vault / "A.md").read_bytes()
    async with edit_editor(vault) as (session, applied):
        summary = await generate_ids(session)
    assert summary == {"ids": 1, "files": 1, "skipped": 0, "applied": True}
    assert len(applied) == 1
    assert (vault / "A.md").read_bytes() == before
    assert os.access(vault / "A.md", os.W_OK)
