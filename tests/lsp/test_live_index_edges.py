"""The vault index over a live session, where a note or a vault is reached in more than one way:
two URIs of one file, a vault nested in another, vaults below a workspace folder coming and going,
`file://localhost/` URIs."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import notes
from edit_harness import edit_editor
from lsp_harness import Editor, check_rows, editor, wait_until, write_files
from lsprotocol import types

from notels.lsp.convert import path_of_uri

Created, Changed, Deleted = (
    types.FileChangeType.Created,
    types.FileChangeType.Changed,
    types.FileChangeType.Deleted,
)
NOWHERE = "[[Nowhere]] "  # an unresolved link typed at the start of line 0


async def expect_codes(session: Editor, uri: str, predicate: Callable[[list[str]], bool]) -> None:
    """Wait for the published codes to satisfy `predicate`; on timeout, say what they are."""
    try:
        await session.wait_for_codes(uri, predicate)
    except AssertionError:
        raise AssertionError(f"published codes stay {session.codes(uri)}") from None


@asynccontextmanager
async def _open_twice(vault: Path, tmp_path: Path) -> AsyncIterator[tuple[Editor, str, str]]:
    """A session with one note open under two URIs: its path, and through a symlinked folder."""
    write_files(vault, {"Чистая.md": notes.CLEAN, "Алгебра.md": notes.ALGEBRA})
    os.symlink(vault, tmp_path / "alias")
    async with editor(vault) as session:
        first = session.open("Чистая.md")
        second = session.open_file(tmp_path / "alias" / "Чистая.md")
        await wait_until(lambda: first in session.client.diagnostics)
        yield session, first, second


async def test_a_note_open_under_two_uris_keeps_its_diagnostics_after_one_closes(
    vault: Path, tmp_path: Path
) -> None:
    """The vault's folder is also reachable through a symlink; the user opened the note under
    both paths and closes the second buffer. The first stays open, and edits in it must still
    be checked."""
    async with _open_twice(vault, tmp_path) as (session, first, second):
        session.close(second)
        session.edit(first, (0, 0), (0, 0), NOWHERE)
        # Was: the remaining URI got an empty list forever (its text was not even indexed).
        await expect_codes(session, first, lambda codes: codes == ["unresolved-link"])


async def test_a_note_open_under_two_uris_shows_findings_of_its_edits_in_either(
    vault: Path, tmp_path: Path
) -> None:
    async with _open_twice(vault, tmp_path) as (session, first, second):
        session.edit(first, (0, 0), (0, 0), NOWHERE)
        # Was: the edit was indexed, but the URI edited was published with no findings.
        await expect_codes(session, first, lambda codes: codes == ["unresolved-link"])
        # The other buffer holds the old text: the findings of the new one do not fit it.
        assert session.codes(second) == []
        session.edit(second, (0, 0), (0, 0), NOWHERE)  # the same text again in both
        await expect_codes(session, second, lambda codes: codes == ["unresolved-link"])
        await expect_codes(session, first, lambda codes: codes == ["unresolved-link"])


async def test_the_buffer_that_does_not_stand_for_a_note_open_twice_still_answers(
    vault: Path, tmp_path: Path
) -> None:
    """The note is open under two URIs with the same text; the buffer opened first no longer
    stands for it (the one opened last does). Requests in it must still be answered, and
    the edits they propose must go to that buffer, the one the user looks at."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Чистая.md": notes.CLEAN})
    os.symlink(vault, tmp_path / "alias")
    async with edit_editor(vault) as (session, _):
        second = session.open_file(tmp_path / "alias" / "Чистая.md")
        first = session.open("Алгебра.md")
        twin = session.open_file(tmp_path / "alias" / "Алгебра.md")  # stands for the note now
        await session.wait_for_codes(first, lambda codes: "missing-id" in codes)
        await session.wait_for_codes(twin, lambda codes: "missing-id" in codes)

        # Was: every request on the first buffer answered nothing.
        found = await session.definition(second, 0, notes.CLEAN.index("[[") + 3)
        assert [location.uri for location in found] == [twin]
        symbols = await session.client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=first))
        )
        assert [symbol.name for symbol in symbols or ()][:2] == ["Алгебра", "Anki"]
        diagnostic = next(d for d in session.diagnostics(first) if d.code == "missing-id")
        actions = await session.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=first),
                range=diagnostic.range,
                context=types.CodeActionContext(
                    diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]
                ),
            )
        )
        assert actions, "no quick fix for the missing ID"
        fix = actions[0]
        assert isinstance(fix, types.CodeAction) and fix.edit is not None
        (change,) = fix.edit.document_changes or []
        assert isinstance(change, types.TextDocumentEdit)
        assert change.text_document.uri == first
        (edit,) = change.edits
        assert edit.range.start.line == notes.FIRST_END_LINE

        renamed = await session.client.text_document_rename_async(
            types.RenameParams(
                text_document=types.TextDocumentIdentifier(uri=first),
                position=types.Position(line=0, character=3),
                new_name="Группы",
            )
        )
        assert renamed is not None
        (change,) = renamed.document_changes or []
        assert isinstance(change, types.TextDocumentEdit)
        assert change.text_document.uri == first
        assert [edit.new_text for edit in change.edits] == ["Группы"]

        # A buffer whose text differs from the one standing for the note gets no edits made
        # from the other text.
        session.edit(twin, (0, 0), (0, 0), "\n")
        await session.wait_for_codes(first, lambda codes: codes == [])
        assert not await session.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=first),
                range=diagnostic.range,
                context=types.CodeActionContext(
                    diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]
                ),
            )
        )


async def test_a_disk_change_in_a_nested_vault_reaches_the_outer_vault(vault: Path) -> None:
    """Workspace folders: a vault and a vault nested in it (`inner/.obsidian`). The outer
    vault indexes inner/ too (as `notels check` on it does); a file event for a note in
    inner/ must update that copy as well."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "inner/Копия.md": notes.COPY})
    (vault / "inner" / ".obsidian").mkdir()
    async with editor(vault) as session:
        session.change_folders(added=[vault / "inner"])
        algebra = session.open("Алгебра.md")
        await session.wait_for_codes(algebra, lambda codes: "duplicate-id" in codes)

        fixed = notes.COPY.replace("ID: 1737306548883", "ID: 1737306548884")
        (vault / "inner" / "Копия.md").write_text(fixed, encoding="utf-8")
        session.notify_files(("inner/Копия.md", Changed))
        assert "duplicate-id" not in [row[4] for row in check_rows(vault)["Алгебра.md"]]
        # Was: the outer vault kept the old copy; Алгебра.md kept its duplicate-id.
        await expect_codes(session, algebra, lambda codes: "duplicate-id" not in codes)


async def _reported(
    session: Editor, until: Callable[[dict[str, list[str]]], bool] = lambda _: True
) -> dict[str, list[str]]:
    """Workspace pull diagnostics: codes by the path each report names; asked again until
    `until` holds of them (file events are handled on other threads), for a few seconds."""
    for _ in range(100):
        report = await session.client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
        found: dict[str, list[str]] = {}
        for item in report.items:
            path = path_of_uri(item.uri)
            assert path is not None
            found[path.as_posix()] = sorted(str(d.code) for d in item.items)
        if until(found):
            break
        await asyncio.sleep(0.1)
    return found


async def test_a_vault_deleted_under_a_folder_that_holds_vaults_leaves_no_findings(
    tmp_path: Path,
) -> None:
    """The workspace folder has no vault marks and stands for the vaults below it. One of
    them is deleted (the editor reports the folder's deletion, as VS Code does)."""
    holder = tmp_path / "Хранилища"
    write_files(holder / "Первое", {"Ссылки.md": notes.LINKS_TO_MISSING})
    write_files(holder / "Второе", {"Алгебра.md": notes.ALGEBRA})
    gone = (holder / "Первое" / "Ссылки.md").as_posix()
    async with editor(holder, pull=True) as session:
        # Both vaults indexed (the session waits for the first to finish only).
        assert gone in await _reported(session, lambda found: gone in found)
        shutil.rmtree(holder / "Первое")
        session.notify_files(("Первое", Deleted))
        # Was: the deleted note was still reported with its findings.
        assert gone not in await _reported(session, lambda found: gone not in found)


async def test_a_vault_created_under_a_folder_that_holds_vaults_is_indexed(
    tmp_path: Path,
) -> None:
    """A new vault appears below the workspace folder (a `git clone`, a folder pasted)."""
    holder = tmp_path / "Хранилища"
    write_files(holder / "Первое", {"Алгебра.md": notes.ALGEBRA})
    async with editor(holder, pull=True) as session:
        write_files(holder / "Второе", {"Ссылки.md": notes.LINKS_TO_MISSING})
        session.notify_files(("Второе", Created))
        # Was: nothing of the new vault was indexed or reported until a note of it was opened.
        expected = [row[4] for row in check_rows(holder / "Второе")["Ссылки.md"]]
        assert expected == ["unresolved-link"] * 2  # [[Missing Note]], [[Алгебра]]
        new = (holder / "Второе" / "Ссылки.md").as_posix()
        reported = await _reported(session, lambda found: found.get(new) == expected)
        assert reported.get(new) == expected


async def test_a_note_opened_as_a_localhost_file_uri_is_checked(vault: Path) -> None:
    """`file://localhost/p` names the same file as `file:///p` (RFC 8089)."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with editor(vault) as session:
        uri = session.uri("Копия.md").replace("file:///", "file://localhost/", 1)
        session.versions[uri] = 1
        session.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="markdown", version=1, text=notes.COPY
                )
            )
        )
        # Was: published with no findings (the path was taken as //localhost/...).
        await expect_codes(session, uri, lambda codes: codes == ["duplicate-id"])


async def test_a_note_of_a_nested_vault_gets_one_workspace_report(vault: Path) -> None:
    """The outer vault indexes inner/ too; the workspace report names each file once, with
    what the inner vault (its innermost) finds."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "inner/Копия.md": notes.COPY})
    (vault / "inner" / ".obsidian").mkdir()
    async with editor(vault, pull=True) as session:
        session.change_folders(added=[vault / "inner"])
        copy = (vault / "inner" / "Копия.md").as_posix()
        await _reported(session, lambda found: copy in found)
        report = await session.client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
    uris = [item.uri for item in report.items]
    assert len(uris) == len(set(uris)), sorted(uris)
