"""Review s30 (diff 68e34f9..HEAD): notels.applyEdit with writeClosedNotes, fix-all passes,
the notes re-checked after a change, the held pull's `issued` map."""

from __future__ import annotations

from pathlib import Path

from edit_harness import apply_writing_closed, disk_applying, edit_editor, position, rename_at
from lsp_harness import write_files
from lsprotocol import types


async def test_write_closed_notes_writes_no_file_outside_the_vault(vault: Path) -> None:
    """A client's edit naming `<vault>/../outside.md` (unversioned, so "closed") is written
    by the server on disk: the path is not normalized before `vault_of` (a pure
    `is_relative_to`) and `read_note`/`write_edited` join `../outside.md` to the root. The
    server should write only the vault's own notes, and leave anything else to the client."""
    write_files(vault, {"Open.md": "# Open\nSee [[Target]] here.\n", "Target.md": "# Target\n"})
    outside = vault.parent / "outside.md"
    outside.write_text("secret\n", encoding="utf-8")
    async with edit_editor(vault) as (session, _):
        applied: list[types.WorkspaceEdit] = []
        disk_applying(session, applied)
        session.open("Open.md")
        uri = vault.resolve().as_uri() + "/../outside.md"
        document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None)
        whole_line = types.Range(start=position(0, 0), end=position(0, 6))
        edit = types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=document, edits=[types.TextEdit(range=whole_line, new_text="x")]
                )
            ]
        )
        await apply_writing_closed(session, edit)
    assert outside.read_text(encoding="utf-8") == "secret\n"


async def test_a_closed_note_changed_after_the_plan_is_not_written_at_the_old_positions(
    vault: Path,
) -> None:
    """The rename's edit of a closed note is planned on the text the index holds; the note
    changes on disk (a sync, git) before the edit comes back with writeClosedNotes. The server
    reads the new text and writes the old positions into it: `[[Other]]` on the new first line
    becomes `Renamedr]]` and the real link keeps the old name. generateIds' writer refuses
    this case (take_snapshot of the planned text); here it should too (leave the note, or hand
    it to the client), never splice at stale offsets."""
    write_files(
        vault,
        {
            "Open.md": "# Open\nSee [[Target]] here.\n",
            "Target.md": "# Target\n",
            "Closed.md": "Link: [[Target]] end.\n",
        },
    )
    closed = vault / "Closed.md"
    synced = "Synced: [[Other]].\nLink: [[Target]] end.\n"
    async with edit_editor(vault) as (session, _):
        applied: list[types.WorkspaceEdit] = []
        disk_applying(session, applied)
        uri = session.open("Open.md")
        edit = await rename_at(session, uri, 1, 8, "Renamed")
        closed.write_text(synced, encoding="utf-8")
        await apply_writing_closed(session, edit)
    assert closed.read_text(encoding="utf-8") in (synced, synced.replace("[[Target", "[[Renamed"))
