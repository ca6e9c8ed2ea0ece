"""`notels.applyEdit` with `{"writeClosedNotes": true}` (what the Neovim configs send with a
rename's WorkspaceEdit): the client applies the part it must (the open notes, the file renamed)
first; once it has, the server writes the notes that are not open itself, as `notels check
--fix` writes them. Neovim applying the whole edit loaded every note into a buffer (4 s with
its main loop blocked for a note 300 notes link to) and left them modified while the note was
already renamed on disk (review s30)."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path
from typing import Any

from edit_harness import (
    apply_writing_closed,
    disk_applying,
    edit_editor,
    rename_at,
    text_edits,
)
from lsp_harness import Editor, hooked_env, write_files
from lsprotocol import types

_CLOSED = (
    "\ufeff# Закрытая 😀\r\nСм. 😀 [[Target|цель 😀]] и [[Target#Раздел]].\r\nКонец без перевода"
)
_VAULT = {
    "Open.md": "# Open\nSee [[Target]] here.\n",
    "Target.md": "# Target\n## Раздел\nSelf: [[Target#Раздел]].\n",
    "Только чтение.md": "Read only: [[Target]].\n",
}


async def _rename_then_apply(session: Editor) -> tuple[types.WorkspaceEdit, Any]:
    uri = session.open("Open.md")
    edit = await rename_at(session, uri, 1, 8, "Renamed 😀")
    return edit, await apply_writing_closed(session, edit)


async def test_a_rename_has_the_closed_notes_written_after_the_client_renamed_the_file(
    vault: Path,
) -> None:
    write_files(vault, _VAULT)
    closed = vault / "sub" / "Закрытая.md"
    closed.parent.mkdir()
    closed.write_bytes(_CLOSED.encode())
    locked = vault / "Только чтение.md"
    locked.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        async with edit_editor(vault) as (session, _):
            applied: list[types.WorkspaceEdit] = []
            disk_applying(session, applied, answer=True)
            _, answer = await _rename_then_apply(session)
    finally:
        locked.chmod(stat.S_IRUSR | stat.S_IWUSR)

    assert answer == {"applied": True, "written": 2, "skipped": 0}
    # First the open note and the rename; then the note the server could not write.
    first, second = applied
    open_uri = (vault / "Open.md").resolve().as_uri()
    assert sorted(text_edits(first)) == [open_uri]
    assert [type(change) for change in first.document_changes or ()] == [
        types.TextDocumentEdit,
        types.RenameFile,
    ]
    assert sorted(text_edits(second)) == [locked.resolve().as_uri()]
    assert locked.read_text(encoding="utf-8") == _VAULT["Только чтение.md"]
    # Every other byte kept: the BOM, CRLF, emoji, no final newline.
    assert closed.read_bytes() == _CLOSED.replace("[[Target", "[[Renamed 😀").encode()
    assert not (vault / "Target.md").exists()
    renamed = (vault / "Renamed 😀.md").read_text(encoding="utf-8")
    assert renamed == _VAULT["Target.md"].replace("[[Target#", "[[Renamed 😀#")
    assert not [p for p in vault.rglob(".notels-*")]


async def test_nothing_is_written_when_the_client_does_not_apply_its_part(vault: Path) -> None:
    write_files(vault, _VAULT)
    before = {path: path.read_bytes() for path in vault.rglob("*.md")}
    async with edit_editor(vault) as (session, _):
        applied: list[types.WorkspaceEdit] = []
        disk_applying(session, applied, answer=False)
        _, answer = await _rename_then_apply(session)

    assert answer == {"applied": False, "written": 0, "skipped": 0}
    assert len(applied) == 1
    assert {path: path.read_bytes() for path in vault.rglob("*.md")} == before


async def test_a_note_changed_since_the_rename_was_planned_is_left_alone(vault: Path) -> None:
    """A sync changes a closed note between the rename's answer and its application: the edit
    planned on its old text would land at the wrong places, on disk or in a buffer."""
    write_files(vault, _VAULT)
    other = vault / "Другая.md"
    other.write_text("Ссылка: [[Target]].\n", encoding="utf-8")
    async with edit_editor(vault) as (session, _):
        applied: list[types.WorkspaceEdit] = []
        disk_applying(session, applied, answer=True)
        uri = session.open("Open.md")
        edit = await rename_at(session, uri, 1, 8, "Renamed")
        synced = "Synced 😀 first: [[Open]].\nСсылка: [[Target]].\n"
        other.write_text(synced, encoding="utf-8")
        answer = await apply_writing_closed(session, edit)

    assert answer == {"applied": True, "written": 2, "skipped": 1}
    assert other.read_text(encoding="utf-8") == synced
    assert [sorted(text_edits(each)) for each in applied] == [[uri]]
    assert (vault / "Только чтение.md").read_text(encoding="utf-8").endswith("[[Renamed]].\n")


async def test_once_the_planned_texts_are_forgotten_the_client_applies_every_edit(
    vault: Path,
) -> None:
    """The server keeps a rename's planned texts for a while only (60 s; here 0.3 s): a
    notels.applyEdit after that cannot know what the closed notes held when the edit was
    planned, so it writes nothing itself and sends the client the whole edit, as it would
    without writeClosedNotes."""
    write_files(vault, _VAULT)
    before = (vault / "Только чтение.md").read_bytes()
    async with edit_editor(vault, env=hooked_env(NOTELS_TEST_PLANNED_KEPT_S="0.3")) as (session, _):
        applied: list[types.WorkspaceEdit] = []
        disk_applying(session, applied, answer=True)
        uri = session.open("Open.md")
        edit = await rename_at(session, uri, 1, 8, "Renamed")
        await asyncio.sleep(1.0)
        answer = await apply_writing_closed(session, edit)

    assert answer == {"applied": True, "written": 0, "skipped": 0}
    (whole,) = applied
    closed_uri = (vault / "Только чтение.md").resolve().as_uri()
    assert closed_uri in text_edits(whole)
    assert (vault / "Только чтение.md").read_bytes() == before  # the client's to write
