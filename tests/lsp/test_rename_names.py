"""Renames between names that differ only in letter case or Unicode form, through a real
client session, as a vault synced between case-sensitive and case-insensitive disks has them."""

from __future__ import annotations

from pathlib import Path

import pytest
from edit_harness import edit_editor, position
from lsp_harness import write_files
from lsprotocol import types
from pygls.exceptions import JsonRpcException


async def test_a_rename_onto_a_case_twin_is_refused_as_taken(vault: Path) -> None:
    """On Linux (git, Syncthing) `Note.md` and `note.md` can both exist. Renaming `Note.md` to
    `note` from a link lands on the other file: the rename must be refused, as one onto any
    other existing note is ("note.md already exists.").

    Was: the server answered with the link edits (`[[Note]]` -> `[[note]]`) and a RenameFile
    `Note.md` -> `note.md` onto the existing file, which the client then fails (or, told to
    overwrite, replaces `note.md`), leaving the links rewritten for a move that did not happen."""
    write_files(
        vault,
        {"Note.md": "Upper.\n", "note.md": "Lower.\n", "Links.md": "See [[Note]].\n"},
    )
    async with edit_editor(vault) as (session, _):
        links = session.open("Links.md")
        with pytest.raises(JsonRpcException, match="already exists"):
            await session.client.text_document_rename_async(
                types.RenameParams(
                    text_document=types.TextDocumentIdentifier(uri=links),
                    position=position(0, 7),
                    new_name="note",
                )
            )
    assert (vault / "note.md").read_text("utf-8") == "Lower.\n"
