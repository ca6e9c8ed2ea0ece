"""Edges of reading messages, settings errors, and renames of notes notels does not read, each
through a real `notels serve` session (raw JSON-RPC, or the editor harness)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bench_resilience import RawClient
from edit_harness import apply_text_edits, edit_editor, position, text_edits, will_rename
from lsp_harness import write_files
from lsprotocol import types
from test_protocol_clients import _initialize

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize(
    "argument", [{"id": ["a", 1]}, {"id": {"kind": "x"}}, {"method": ["x"]}], ids=str
)
async def test_a_nested_object_with_an_id_key_does_not_drop_the_request(
    vault: Path, argument: dict[str, Any]
) -> None:
    """pygls calls structure_message for every JSON object of a message (json.loads'
    object_hook), the nested ones first. The new answer check (`"method" not in data and "id"
    in data` -> `self._result_types.get(data["id"])`) and the params default
    (`_params_required(data["method"])`) run on nested objects too: an object in the params
    whose `id` (or `method`) is a list or an object raises TypeError (unhashable), the whole
    message is dropped, and the request is never answered. Before, such a request was
    answered."""
    write_files(vault, {".obsidian/app.json": "{}", "A.md": "# A\n"})
    client = await RawClient.start()
    try:
        answer = await client.call("initialize", _initialize(vault, {}))
        assert "result" in answer, answer
        client.notify("initialized", {})
        await client.drain()
        symbols = await client.call(
            "workspace/symbol", {"query": "A", "x-extra": argument}, timeout=5
        )
        assert "result" in symbols or "error" in symbols, symbols
        ran = await client.call(
            "workspace/executeCommand",
            {"command": "notels.generateIds", "arguments": [argument]},
            timeout=5,
        )
        assert "result" in ran or "error" in ran, ran
    finally:
        await client.stop()


def test_a_bad_folder_setting_is_not_reported_again_after_every_change_of_another(
    tmp_path: Path,
) -> None:
    """Session.fetch_settings applies the global section, then each vault's own (a workspace
    folder's settings in VS Code) where it differs. The new dedupe files an error of the
    settings alone under `None`, the key of the global section, whichever section it came from;
    the global section, which is fine, then clears it on every fetch: a bad folder setting is
    reported again each time the user changes any setting, though it stayed the same."""
    from notels.lsp.workspace import Workspace

    root = write_files(tmp_path / "vault", {".obsidian/app.json": "{}", "n.md": "# N\n"})
    workspace = Workspace()
    workspace.add_folder(root)
    (vault,) = workspace.vaults.values()
    bad = {"rules": {"no-such-rule": "off"}}
    reported = []
    for global_section in ({}, {"debounce-ms": 300}, {"debounce-ms": 400}):  # three fetches
        effects = workspace.apply_settings(global_section)
        effects.merge(workspace.apply_settings(bad, vault))
        reported.append(effects.errors)
    assert len(reported[0]) == 1 and "no-such-rule" in reported[0][0], reported
    assert reported[1:] == [[], []], reported


async def test_renaming_a_note_of_an_ignored_folder_updates_the_links_that_open_it(
    vault: Path,
) -> None:
    """Links now open a note of an ignored folder (filed as an attachment). Renaming that file
    in the editor (workspace/willRenameFiles) answered no edit: `_moves` refuses an attachment
    renamed to a `.md` name ("an attachment renamed to a note"), which every rename of such a
    note is, so the links that opened it became unresolved-link. Renaming its folder does
    update them (the folder's files are moved one by one): the single file should too."""
    write_files(
        vault,
        {
            ".obsidian/app.json": "{}",
            ".notels.toml": 'ignore = ["Archive/**"]\n',
            "Archive/Old Project.md": "# Old Project\n",
            "Now.md": "См. [[Old Project]] и [[Archive/Old Project]]\n",
        },
    )
    async with edit_editor(vault) as (session, _):
        uri = session.open("Now.md")
        await session.wait_for_codes(uri, lambda codes: "unresolved-link" not in codes)
        edit = await will_rename(session, "Archive/Old Project.md", "Archive/Older.md")
    assert edit is not None, "no link update for the renamed note"
    assert _now_after(vault, edit) == "См. [[Older]] и [[Archive/Older]]\n"


async def test_a_note_may_take_the_name_of_a_note_in_an_ignored_folder(vault: Path) -> None:
    """rename_note_edits refuses a name an attachment's stem has ("links [[X]] would open it,
    not the note"), meant for `photo.png`. Notes of ignored folders are attachments now, and
    `_stem` drops their `.md`: renaming any note to the name of a template in an ignored
    `Templates/` fails with that message, though a link by the name opens the note (notes are
    resolved before the files notels does not read)."""
    from pygls.exceptions import JsonRpcException

    write_files(
        vault,
        {
            ".obsidian/app.json": "{}",
            ".notels.toml": 'ignore = ["Templates/**"]\n',
            "Templates/Daily note.md": "# {{date}}\n",
            "Draft.md": "# Draft\n",
            "Now.md": "См. [[Draft]]\n",
        },
    )
    async with edit_editor(vault) as (session, _):
        uri = session.open("Now.md")
        await session.wait_for_codes(uri, lambda codes: "unresolved-link" not in codes)
        try:
            edit = await session.client.text_document_rename_async(
                types.RenameParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=position(0, 7),
                    new_name="Daily note",
                )
            )
        except JsonRpcException as error:
            raise AssertionError(f"rename refused: {error.message}") from error
    assert edit is not None


@pytest.mark.parametrize(
    "header",
    [b"Content-Length:  %d\r\n", b"Content-Length: %d \r\n"],
    ids=["two-spaces", "trailing"],
)
async def test_the_canonical_header_name_with_extra_whitespace_is_read_too(
    vault: Path, header: bytes
) -> None:
    """stdio._PipeReader now reads `content-length` in any case, and its pattern allows
    whitespace around the value (`[ \\t]*`, HTTP's optional whitespace): `content-length:  12`
    is read. The fast path returns any line starting `Content-Length: ` and ending in CRLF
    untouched, so `Content-Length:  12` or `Content-Length: 12 ` (the usual spelling) is not:
    pygls skips the frame and its body swallows the next one, as the commit describes for the
    lowercase name."""
    import asyncio
    import json
    import time

    from bench_resilience import Pending, wait_answer

    write_files(vault, {".obsidian/app.json": "{}", "A.md": "# A\n"})
    client = await RawClient.start()
    try:
        answer = await client.call("initialize", _initialize(vault, {}))
        assert "result" in answer, answer
        client.notify("initialized", {})
        await client.drain()
        pendings = []
        for framed in (header, b"Content-Length: %d\r\n"):
            client._next_id += 1
            msg_id = client._next_id
            loop = asyncio.get_running_loop()
            pending = Pending("workspace/symbol", time.monotonic(), loop.create_future(), False)
            client._pending[msg_id] = pending
            body = json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": msg_id,
                    "method": "workspace/symbol",
                    "params": {"query": "A"},
                }
            ).encode("utf-8")
            client._stdin.write(framed % len(body) + b"\r\n" + body)
            pendings.append(pending)
        await client.drain()
        answers = []
        for pending in pendings:
            try:
                answers.append(await wait_answer(client, pending, 5))
            except AssertionError as error:
                answers.append({"unanswered": str(error)})
    finally:
        await client.stop()
    assert all("result" in answer for answer in answers), answers


async def test_moving_an_ignored_folder_into_the_vault_keeps_links_to_their_namesakes(
    vault: Path,
) -> None:
    """A note of an ignored folder is an attachment of the index, and willRenameFiles now moves
    it with its folder; but `_MovedNames` (edits/rename.py) then files it as an attachment
    arriving, though at its new path it is a note, which wins a bare name. `[[X]]` opened
    Notes/X.md; once `Archive/` is renamed `Old/` (not ignored), `[[X]]` opens Old/X.md
    (closest to the root, then the shortest path), and the rename did not rewrite it."""
    write_files(
        vault,
        {
            ".obsidian/app.json": "{}",
            ".notels.toml": 'ignore = ["Archive/**"]\n',
            "Archive/X.md": "# Old X\n",
            "Notes/X.md": "# X\n",
            "Now.md": "См. [[X]]\n",
        },
    )
    async with edit_editor(vault) as (session, _):
        uri = session.open("Now.md")
        await session.wait_for_codes(uri, lambda codes: "unresolved-link" not in codes)
        found = await session.definition(uri, 0, 6)
        assert [location.uri for location in found] == [(vault / "Notes" / "X.md").as_uri()]
        edit = await will_rename(session, "Archive", "Old")
    assert edit is not None, "`[[X]]` would open Old/X.md after the move, and is not rewritten"
    assert _now_after(vault, edit) == "См. [[Notes/X]]\n"


def _now_after(vault: Path, edit: types.WorkspaceEdit) -> str:
    """Now.md with the one note's edits of `edit` applied."""
    (edits,) = text_edits(edit).values()
    return apply_text_edits((vault / "Now.md").read_text(encoding="utf-8"), edits)
