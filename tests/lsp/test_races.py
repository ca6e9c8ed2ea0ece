"""Races between the editor's messages and the server's background work (indexing, re-reads
of notes changed on disk), made deterministic by holding that work at a gate (race_harness)."""

from __future__ import annotations

from pathlib import Path

from lsp_harness import Editor, editor, wait_until, write_files
from lsprotocol import types
from race_harness import Gate, gated_editor


def _rename_params(session: Editor, old: str, new: str) -> types.RenameFilesParams:
    return types.RenameFilesParams(
        files=[types.FileRename(old_uri=session.uri(old), new_uri=session.uri(new))]
    )


def _edited_uris(edit: types.WorkspaceEdit | None) -> set[str]:
    if edit is None:
        return set()
    uris = set((edit.changes or {}).keys())
    for change in edit.document_changes or ():
        if isinstance(change, types.TextDocumentEdit):
            uris.add(change.text_document.uri)
    return uris


async def test_a_note_renamed_while_the_vault_is_indexed_gets_its_links_updated(
    vault: Path, tmp_path: Path
) -> None:
    """The user renames a note in the editor's file explorer in the first seconds after the
    editor starts, while the vault is still being indexed (9 s cold for 50,000 notes). The
    editor asks willRenameFiles for the link updates and then moves the file: every note
    linking to the old name must be in the answer, or its links break on disk for good."""
    write_files(
        vault,
        {
            "Target.md": "# Target\n",
            "Linker.md": "See [[Target]].\n",
            "Other.md": "Also [[Target#Target]].\n",
        },
    )
    gate = Gate(tmp_path / "gate")
    gate.hold("index")
    async with gated_editor(vault, gate) as session:
        await gate.wait_reached("index")  # the run has scanned the vault, read no note yet
        # The answer waits for the index run.
        edit = await gate.answer_after(
            "index",
            session.client.workspace_will_rename_files_async(
                _rename_params(session, "Target.md", "Renamed.md")
            ),
        )
        # Was: None, no link updated (the index held no note yet): both links broke on disk.
        assert _edited_uris(edit) == {session.uri("Linker.md"), session.uri("Other.md")}


async def test_a_rename_while_the_vault_is_indexed_waits_for_the_index(
    vault: Path, tmp_path: Path
) -> None:
    """F2 on a heading while the vault is being indexed: the rename's edit must hold every
    link to the heading, not only those in the notes read so far."""
    write_files(
        vault,
        {
            "Target.md": "# Target\n## Part\n",
            "Linker.md": "See [[Target#Part]].\n",
            "Other.md": "Also [[Target#Part|it]].\n",
        },
    )
    gate = Gate(tmp_path / "gate")
    gate.hold("index")
    async with gated_editor(vault, gate) as session:
        await gate.wait_reached("index")
        uri = session.open("Target.md")
        edit = await gate.answer_after(
            "index",
            session.client.text_document_rename_async(
                types.RenameParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(line=1, character=4),
                    new_name="Section",
                )
            ),
        )
        # Was: only the open note was known: the links in Linker.md and Other.md were left.
        expected = {session.uri("Target.md"), session.uri("Linker.md"), session.uri("Other.md")}
        assert _edited_uris(edit) == expected


async def test_a_workspace_folder_added_during_the_session_gets_its_own_settings(
    tmp_path: Path,
) -> None:
    """VS Code keeps notels settings per workspace folder. The user adds a second vault's
    folder to the workspace while the server runs; its folder settings turn `missing-id` off.
    The server only asks for per-folder settings at `initialized` (and on a configuration
    change), for the vaults it knew when it asked: a folder added later, or added while that
    answer was awaited, is indexed and checked with the global settings only, until the user
    happens to change a setting."""
    first = write_files(tmp_path / "first", {"a.md": "x\n"})
    second = write_files(tmp_path / "second", {"n.md": "START\nBasic\nFront: q\nBack: a\nEND\n"})
    async with editor(first) as session:
        session.client.set_configuration(
            {"rules": {"missing-id": "off"}}, section="notels", scope_uri=second.as_uri()
        )
        session.change_folders(added=[second])
        await wait_until(lambda: session.indexed_runs() >= 2)  # the second vault is indexed
        uri = session.open_file(second / "n.md")
        await session.wait_for_codes(uri, lambda codes: "missing-target-deck" in codes)
        # Was: ['empty-note', 'missing-id', 'missing-target-deck']: the folder's settings unread.
        assert "missing-id" not in session.codes(uri)
