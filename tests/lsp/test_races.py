"""Races between the editor's messages and the server's background work (indexing, re-reads
of notes changed on disk), made deterministic by holding that work at a gate (race_harness)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import notes
from edit_harness import RENAME_CAPABILITIES, apply_text_edits, text_edits
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


async def test_f2_from_an_outer_vault_waits_for_the_nested_vault_to_be_indexed(
    tmp_path: Path,
) -> None:
    """Sub is a vault nested in Outer; the user adds Sub as a workspace folder and, while Sub is
    still being indexed, presses F2 on Outer's `[[Sub/A/Card]]` to rename Card to Renamed.
    Sub's Other (open) links `[[Card]]`; Sub already has a Renamed.md, so in Sub the link must
    become `[[A/Renamed]]`, as it does once Sub is indexed. The rename must wait for Sub's
    index, as it waits for Outer's. Was: the answer came at once from Sub's partial index,
    which knew only the open notes: `[[Renamed]]`, which opens the other note, and Outer's
    edit of that link was dropped as overlapping Sub's."""
    outer = write_files(tmp_path / "Outer", {"Top.md": "See [[Sub/A/Card]].\n"})
    inner = write_files(
        outer / "Sub",
        {"A/Card.md": "# Card\n", "Other.md": "[[Card]]\n", "Renamed.md": "# Another note\n"},
    )
    gate = Gate(tmp_path / "gate")
    async with gated_editor(outer, gate, capabilities=RENAME_CAPABILITIES) as session:
        await wait_until(lambda: session.indexed_runs() >= 1)
        gate.hold("index")
        session.change_folders(added=[inner])
        sub_notes = ("A/Card.md", "Other.md", "Renamed.md")
        await wait_until(lambda: any(p in sub_notes for p in gate.reached("index")))
        session.open("Sub/A/Card.md")
        other = session.open("Sub/Other.md")
        top = session.open("Top.md")
        asked = asyncio.ensure_future(
            session.client.text_document_rename_async(
                types.RenameParams(
                    text_document=types.TextDocumentIdentifier(uri=top),
                    position=types.Position(line=0, character=8),
                    new_name="Renamed",
                )
            )
        )
        await asyncio.sleep(0.3)
        gate.open("index")
        renamed = await asked
    edits = text_edits(renamed) if renamed is not None else {}
    assert apply_text_edits("[[Card]]\n", edits.get(other, [])) == "[[A/Renamed]]\n", edits


async def test_a_workspace_pull_while_the_vault_is_indexed_leaves_it_to_the_refresh(
    vault: Path, tmp_path: Path
) -> None:
    """VS Code pulls the workspace's diagnostics as it starts, while the vault is indexed.
    Was: every note read so far was checked without the others, then checked again once the
    run ended (10,000 notes: a 7 s pull, sharing the cores with the run). Now the pull
    reports nothing of the vault, keeps what the client holds from before, and the end of
    the run asks the client to pull again."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    gate = Gate(tmp_path / "gate")
    gate.hold("index")
    async with gated_editor(vault, gate, pull=True) as session:
        client = session.client
        await gate.wait_reached("index")
        held = types.PreviousResultId(uri=session.uri("Копия.md"), value="from before")
        early = await client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=[held])
        )
        # Nothing of it, not even an empty report for the note the client holds one of.
        assert not early.items
        refreshes = client.diagnostic_refresh_count
        gate.open("index")
        await wait_until(lambda: client.diagnostic_refresh_count > refreshes)
        report = await client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
    codes = {item.uri: sorted(str(d.code) for d in item.items) for item in report.items}
    assert codes == {
        session.uri("Алгебра.md"): [
            "duplicate-id",
            "missing-id",
            "unclosed-block",
            "unresolved-link",
        ],
        session.uri("Копия.md"): ["duplicate-id"],
    }
