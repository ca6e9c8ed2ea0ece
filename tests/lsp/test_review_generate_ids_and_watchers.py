"""Review of today's changes: `notels.generateIds` with `{"writeClosedNotes": true}` (the server
writes closed notes itself) and the renewal of the file watchers when a folder holding folders
appears. Each test names one defect and fails on the code as committed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import edit_harness
import lsp_harness
from edit_harness import ID_LINE, WRITE_CLOSED, edit_editor, generate_ids
from lsp_harness import (
    Editor,
    capabilities,
    editor,
    index_finished,
    server_config,
    stop_client,
    wait_until,
    write_files,
)
from lsprotocol import types
from pygls.exceptions import JsonRpcException

CARD = "START\nBasic\nFRONT: {front}\nEND\n"
WATCHED = types.WORKSPACE_DID_CHANGE_WATCHED_FILES


# --- notels.generateIds {"writeClosedNotes": true} ---------------------------------------------


async def test_two_generate_ids_at_once_never_write_two_ids_into_one_card(vault: Path) -> None:
    # A second :NotelsGenerateIds (or a second editor's server) while the first one's writer
    # thread runs. Each card must end with exactly one `ID:` line: a second one is field text
    # to the Anki plugin, which then makes a duplicate card (DIALECT.md section 4).
    # Cause: generate_ids plans the edits on one read of each closed note (the NoteStore reads
    # notes beyond its 256 recent ones from disk again) and takes `note.text` for the write
    # from a second read; a file written in between (here by the first command's thread) is
    # taken as the planned text, so the snapshot check passes and the old offsets are applied
    # to the new text.
    notes = {f"N{n:04}.md": CARD.format(front=f"q{n}") for n in range(800)}
    write_files(vault, notes)
    first = vault / "N0000.md"
    async with edit_editor(vault) as (session, _applied):
        one = asyncio.ensure_future(generate_ids(session, WRITE_CLOSED))
        while b"ID:" not in first.read_bytes():  # the first command's writer thread runs
            await asyncio.sleep(0.001)
        two = asyncio.ensure_future(generate_ids(session, WRITE_CLOSED))
        await one
        await two
    doubled = {
        name: data
        for name in notes
        if len(ID_LINE.findall(data := (vault / name).read_bytes())) != 1
    }
    assert doubled == {}


async def test_an_error_reply_means_no_closed_note_was_written(vault: Path) -> None:
    # A client without workspace.applyEdit, one note open and one closed. Before today the
    # command failed before anything changed; now the closed note is written first and the
    # reply is still the error "This editor does not apply edits sent by the server.", so
    # the editor reports a failure (Neovim: `notels: <message>` as an ERROR) while a note
    # on disk changed. Cause: _write_closed runs before _client_applies checks the client.
    write_files(vault, {"Open.md": CARD.format(front="o"), "Closed.md": CARD.format(front="c")})
    before = (vault / "Closed.md").read_bytes()
    async with editor(vault) as session:  # no applyEdit capability
        session.open("Open.md")
        try:
            summary = await generate_ids(session, WRITE_CLOSED)
        except JsonRpcException:
            assert (vault / "Closed.md").read_bytes() == before
        else:
            assert summary["written"] == 1


async def test_the_summary_tells_the_notes_written_from_an_edit_the_client_refused(
    vault: Path,
) -> None:
    # The client answers the open note's edit with applied: false. One ID is on disk (the
    # closed note), the other was refused. Was: Neovim said "the 2 new Anki IDs could not be
    # applied." although a note was changed. The reply counts the IDs given, the notes the
    # server wrote, and whether the client applied its part; the configs word it from those.
    write_files(vault, {"Open.md": CARD.format(front="o"), "Closed.md": CARD.format(front="c")})
    lsp_harness.capabilities = edit_harness.edit_capabilities(
        document_changes=True, resource_operations=()
    )
    try:
        async with editor(vault) as session:
            lsp_harness.capabilities = edit_harness._plain_capabilities

            @session.client.feature(types.WORKSPACE_APPLY_EDIT)
            def refuse(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
                return types.ApplyWorkspaceEditResult(applied=False, failure_reason="busy")

            session.open("Open.md")
            summary = await generate_ids(session, WRITE_CLOSED)
    finally:
        lsp_harness.capabilities = edit_harness._plain_capabilities
    assert len(ID_LINE.findall((vault / "Closed.md").read_bytes())) == 1
    assert summary == {"ids": 2, "files": 2, "written": 1, "skipped": 0, "applied": False}
    assert b"ID:" not in (vault / "Open.md").read_bytes()


async def test_a_note_open_through_a_symlink_into_an_ignored_folder_is_not_written(
    vault: Path,
) -> None:
    # `Link.md -> archive/Real.md`, archive/ ignored: the scan follows the symlink and indexes
    # the note as `Link.md`. The user has `Link.md` open with unsaved typing. The server must
    # leave the file to the editor; it writes archive/Real.md on disk under the open buffer.
    # Cause: _is_open compares `vault.open_docs` (the document was resolved to
    # archive/Real.md, an ignored path, so it is not among them) and `document.path` (resolved)
    # with `vault.root / "Link.md"` (not resolved).
    write_files(
        vault,
        {".notels.toml": 'ignore = ["archive/**"]\n', "archive/Real.md": CARD.format(front="c")},
    )
    real = vault / "archive" / "Real.md"
    (vault / "Link.md").symlink_to(real)
    before = real.read_bytes()
    async with edit_editor(vault) as (session, _applied):
        uri = session.open("Link.md")
        session.edit(uri, (0, 0), (0, 0), "typed, not saved ")
        await generate_ids(session, WRITE_CLOSED)
    assert real.read_bytes() == before


# --- watcher renewal ----------------------------------------------------------------------------


@asynccontextmanager
async def watching_editor(
    root: Path,
    register: Callable[[Editor], Callable[..., Any]],
    unregister: Callable[[Editor], Callable[..., Any]],
) -> AsyncIterator[Editor]:
    """lsp_harness.editor with the test's own registerCapability/unregisterCapability."""
    client = await server_config().start()
    session = Editor(client, root)
    client.feature(types.CLIENT_REGISTER_CAPABILITY)(register(session))
    client.feature(types.CLIENT_UNREGISTER_CAPABILITY)(unregister(session))
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=capabilities(),
                workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            )
        )
        await wait_until(lambda: index_finished(client))
        yield session
        await client.shutdown_session()
    finally:
        await stop_client(client)


def _watcher_ids(items: Sequence[types.Registration | types.Unregistration]) -> list[str]:
    return [item.id for item in items if item.method == WATCHED]


def _recording_unregister(session: Editor) -> Callable[..., Any]:
    def unregister(params: types.UnregistrationParams) -> None:
        session.unregistrations.extend(params.unregisterations)

    return unregister


async def test_a_failed_renewal_keeps_the_old_file_watchers(vault: Path) -> None:
    # The client answers the renewal's client/registerCapability with an error. The server
    # logs it and unregisters the old watchers anyway: the client is left with none, and no
    # note changed on disk reaches the server again. (It also takes the new, never registered
    # id for its watcher and would unregister that at the next renewal.)
    # Cause: _register swallows the error and renew() goes on to _unregister(old).
    write_files(vault, {"A.md": "x\n"})
    calls: list[types.RegistrationParams] = []

    def register(session: Editor) -> Callable[..., Any]:
        def handler(params: types.RegistrationParams) -> None:
            calls.append(params)
            if len(calls) > 1:
                raise RuntimeError("cannot register now")
            session.registrations.extend(params.registrations)

        return handler

    async with watching_editor(vault, register, _recording_unregister) as session:
        await wait_until(lambda: len(_watcher_ids(session.registrations)) == 1)
        write_files(vault, {"Тема/Черновики/Черновик.md": "# Черновик\n"})
        session.notify_files(("Тема", types.FileChangeType.Created))
        await wait_until(lambda: len(calls) == 2)
        await asyncio.sleep(0.5)  # an unregistration, if any, comes right after the error
        registered = set(_watcher_ids(session.registrations))
        assert registered - set(_watcher_ids(session.unregistrations))


async def test_a_folder_tree_created_while_the_watchers_are_renewed_renews_them_again(
    vault: Path,
) -> None:
    # Neovim walks the tree when the new registration comes; a folder holding folders that it
    # reports after that (here: while the server's unregistration of the old watchers is still
    # unanswered) is no part of that walk, so its subfolders go unwatched unless the server
    # renews again. The server drops the event's renewal because one is under way.
    # Cause: `if self._renewing ...: return` in _renew_watchers, with nothing remembered.
    write_files(vault, {"A.md": "x\n"})
    release = asyncio.Event()

    def register(session: Editor) -> Callable[..., Any]:
        def handler(params: types.RegistrationParams) -> None:
            session.registrations.extend(params.registrations)

        return handler

    def unregister(session: Editor) -> Callable[..., Any]:
        async def handler(params: types.UnregistrationParams) -> None:
            session.unregistrations.extend(params.unregisterations)
            await release.wait()

        return handler

    async with watching_editor(vault, register, unregister) as session:
        await wait_until(lambda: len(_watcher_ids(session.registrations)) == 1)
        write_files(vault, {"Тема/Черновики/Черновик.md": "# Черновик\n"})
        session.notify_files(("Тема", types.FileChangeType.Created))
        # The new watchers are registered (the client walked the tree); the old ones' removal
        # is not answered yet when a second tree appears.
        await wait_until(lambda: len(_watcher_ids(session.unregistrations)) == 1)
        write_files(vault, {"Другая/Вложенная/Заметка.md": "# Заметка\n"})
        session.notify_files(("Другая", types.FileChangeType.Created))
        await asyncio.sleep(0.3)
        release.set()
        await wait_until(lambda: len(_watcher_ids(session.registrations)) >= 3, timeout=3.0)
