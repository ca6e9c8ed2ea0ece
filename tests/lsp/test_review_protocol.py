"""Protocol-conformance review: LSP 3.17 / JSON-RPC 2.0 behaviour the server gets wrong.

Each test speaks for a client within the protocol (or one whose mistake the protocol says how
to survive), names the part of the specification it rests on, and fails on the code it was
written against. What the review found right is in its report, not here.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from bench_resilience import Pending, ServerDied, wait_answer, wait_for
from edit_harness import RENAME_CAPABILITIES
from lsp_harness import Editor, write_files
from lsprotocol import types
from race_harness import Gate, gated_editor
from test_protocol_clients import NOTES, Client, initialized, raw_client

pytestmark = pytest.mark.timeout(90)

CONTENT_MODIFIED = -32801
REQUEST_CANCELLED = -32800


def apply_edit_command(client: Client, vault: Path) -> tuple[Pending, int]:
    """Sends workspace/executeCommand notels.applyEdit of an `x` typed at the start of
    Кольца.md (the server then asks the client to apply it); the request and its id."""
    uri = (vault / "Кольца.md").as_uri()
    start = {"line": 0, "character": 0}
    edit = {"changes": {uri: [{"range": {"start": start, "end": start}, "newText": "x"}]}}
    pending = client.request(
        "workspace/executeCommand", {"command": "notels.applyEdit", "arguments": [edit]}
    )
    return pending, client.last_id()


async def test_a_response_naming_the_clients_own_request_id_does_not_answer_that_request(
    vault: Path,
) -> None:
    """JSON-RPC 2.0 section 5: a Response "MUST be the same as the value of the id member in
    the Request Object" it answers, and each side numbers its own requests (LSP 3.17, Base
    Protocol, "Response Message": sent "as the result of a request"). A client message
    `{"id": N, "result": ...}` can therefore only answer one of the *server's* requests;
    for an id the server never used it is to be ignored.

    pygls keeps the client's pending requests and the server's own in one table, keyed by id,
    so a stray response whose id is that of a request of the client still being worked on
    (here workspace/executeCommand notels.applyEdit, waiting for the client's answer to
    workspace/applyEdit) completed that request with the stray value: the server answered
    executeCommand with whatever the client had sent, and its real answer was lost (an
    InvalidStateError traceback on stderr once the command finished)."""
    write_files(vault, NOTES)
    capabilities = {"workspace": {"applyEdit": True}}
    async with raw_client() as client:
        client.never_answered.add("workspace/applyEdit")  # answered by hand below
        await initialized(client, vault, capabilities)
        pending, command_id = apply_edit_command(client, vault)
        await client.drain()

        def asked() -> list[dict[str, Any]]:
            return [m for m in client.requests_in if m["method"] == "workspace/applyEdit"]

        await wait_for(lambda: bool(asked()), 10, "the server's workspace/applyEdit")
        # A stray response (a buggy client, a proxy replaying a message) with the id of the
        # client's own pending request: not an answer to anything the server asked.
        client.send({"jsonrpc": "2.0", "id": command_id, "result": "stray"})
        await client.drain()
        await asyncio.sleep(0.5)
        # The real answer to the server's request.
        (apply_edit,) = asked()
        client.send({"jsonrpc": "2.0", "id": apply_edit["id"], "result": {"applied": True}})
        await client.drain()
        answer = await wait_answer(client, pending, 10)
    assert answer.get("result") == {"applied": True}, answer


def _rename_at(session: Editor, uri: str, line: int, character: int, new_name: str) -> Any:
    return session.client.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
            new_name=new_name,
        )
    )


def _renamed_files(edit: types.WorkspaceEdit | None) -> list[tuple[str, str]]:
    return [
        (change.old_uri, change.new_uri)
        for change in (edit.document_changes if edit is not None else None) or ()
        if isinstance(change, types.RenameFile)
    ]


async def test_a_rename_whose_document_changed_while_it_waited_does_not_rename_another_note(
    vault: Path, tmp_path: Path
) -> None:
    """The request's position is a position in the document as the client had it when it
    asked (LSP 3.17, "Text Documents": positions refer to the text of the document's version
    at the time of the request). The rename waits for the index (seconds on a large vault at
    start-up); an edit that comes meanwhile moves another link under that position.

    LSP 3.17, "Implementation Considerations": "if a server detects a state change that
    invalidates the result of a request in execution the server can error these requests
    with ContentModified". The server did neither: it read the old position in the new text
    and renamed the note linked there now, `C.md`, which the user never pointed at. Either
    ContentModified or the rename of `B.md` (the note under the cursor when F2 was pressed)
    is right; renaming C is not."""
    write_files(
        vault,
        {
            "A.md": "[[B]] [[C]]\n",
            "B.md": "# B\n",
            "C.md": "# C\n",
            "D.md": "See [[B]] and [[C]].\n",
        },
    )
    gate = Gate(tmp_path / "gate")
    gate.hold("index")
    async with gated_editor(vault, gate, capabilities=RENAME_CAPABILITIES) as session:
        await gate.wait_reached("index")
        uri = session.open("A.md")
        # F2 in [[B]].
        renaming = asyncio.ensure_future(_rename_at(session, uri, 0, 2, "Renamed"))
        await asyncio.sleep(0.3)
        assert not renaming.done(), "answered while the index was held"
        # The user goes on typing: `[[B]] ` deleted, so [[C]] now stands at (0, 2).
        session.edit(uri, (0, 0), (0, 6), "")
        await asyncio.sleep(0.3)
        gate.open("index")
        try:
            edit = await renaming
        except Exception as error:  # pygls raises the error answer
            assert getattr(error, "code", None) == CONTENT_MODIFIED, error
            return
    renamed = _renamed_files(edit)
    assert (session.uri("C.md"), session.uri("Renamed.md")) not in renamed, renamed
    assert renamed == [(session.uri("B.md"), session.uri("Renamed.md"))], renamed


def _frame_counting_characters(body: bytes) -> bytes:
    # The classic client bug: the length of the string, not of its UTF-8 bytes.
    return b"Content-Length: %d\r\n\r\n" % len(body.decode("utf-8")) + body


@pytest.mark.parametrize(
    "framed",
    [
        _frame_counting_characters,
        lambda body: body,  # no header at all
        lambda body: b"Content-Length: many\r\n\r\n" + body,
        lambda body: b"Content-Length: %d\r\n\r\n" % (len(body) + 5) + body,
    ],
    ids=["length-in-characters", "no-header", "length-not-a-number", "length-too-long"],
)
async def test_one_badly_framed_message_does_not_leave_the_server_deaf(
    vault: Path, framed: Any
) -> None:
    """LSP 3.17, Base Protocol, "Header Part": every message is a header with a
    Content-Length, then that many bytes of content. A client that gets one frame wrong
    (most often: the length of a non-ASCII body counted in characters instead of UTF-8
    bytes) broke the server for good: its frame reader only takes a header line that is
    nothing but `Content-Length: N`, and the rest of the bad frame stays glued to the front of
    the next header line, then each body (JSON has no line break) to the next header: every
    later request, well framed, was swallowed unanswered, while the server stayed up. The
    editor's requests hang for the rest of the session, and nothing tells the user why.

    Either way out is fine: find the next header and go on, or exit (rust-analyzer's
    lsp-server gives up on a malformed header; the editor sees it and can restart it).
    Alive and deaf is not."""
    write_files(vault, NOTES)
    async with raw_client() as client:
        await initialized(client, vault)
        await client.call("workspace/symbol", {"query": "Кольца"})
        bad = {"jsonrpc": "2.0", "id": "bad", "method": "workspace/symbol"}
        body = json.dumps({**bad, "params": {"query": "Алгебра"}}, ensure_ascii=False)
        client._stdin.write(framed(body.encode("utf-8")))
        # Well-framed requests after it: the first may be lost with the bad frame (a length
        # too long eats its header), not all of them.
        pending = [client.request("workspace/symbol", {"query": "Кольца"}) for _ in range(3)]
        await client.drain()
        try:
            answer = await wait_answer(client, pending[-1], 10)
        except ServerDied:
            return  # it exited: the editor sees that, and can start it again
        except AssertionError:
            client.process.kill()  # deaf: no shutdown answer to wait for either
            raise
        assert "result" in answer, answer


async def test_a_cancelled_generate_ids_writes_nothing_after_answering_that_it_was_cancelled(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LSP 3.17, "Cancellation Support" ($/cancelRequest): the server answers a cancelled
    request, and "if the request returns an error response on cancellation it is advised to
    set the error code to ErrorCodes.RequestCancelled". That answer tells the client the
    command did not run. notels.generateIds, cancelled while it waited for the index (the
    user pressed Cancel, or the editor gave up), was answered RequestCancelled at once, and
    then ran all the same once the index was done: it wrote new `ID:` lines into the notes
    not open (writeClosedNotes) and sent workspace/applyEdit for the open one. pygls'
    executeCommand wrapper cancels its own future, not the command's task under it.

    Either the command stops (RequestCancelled, nothing written, no applyEdit), or it is
    answered with its normal result once it has run; not both."""
    card = "START\nBasic\nFront: q\nBack: a\nEND\n"
    write_files(vault, {"Open.md": card, "Closed.md": card})
    gate = Gate(tmp_path / "gate")
    gate.hold("index")
    for name, value in gate.env().items():
        monkeypatch.setenv(name, value)
    capabilities = {"workspace": {"applyEdit": True}}
    async with raw_client() as client:
        client.apply_edits = True
        await initialized(client, vault, capabilities)
        await client.drain()
        await wait_for(lambda: bool(gate.reached("index")), 20, "the index run")
        client.open(vault / "Open.md")
        pending = client.request(
            "workspace/executeCommand",
            {"command": "notels.generateIds", "arguments": [{"writeClosedNotes": True}]},
        )
        command_id = client.last_id()
        await client.drain()
        await asyncio.sleep(0.5)  # waiting for the index
        client.notify("$/cancelRequest", {"id": command_id})
        await client.drain()
        answer = await wait_answer(client, pending, 10)
        gate.open("index")
        await client.call("workspace/symbol", {"query": "Open"})
        await asyncio.sleep(2.0)  # the index run ends, and the command, if it still runs
        sent = [m for m in client.requests_in if m["method"] == "workspace/applyEdit"]
    on_disk = (vault / "Closed.md").read_text(encoding="utf-8")
    if answer.get("error", {}).get("code") == REQUEST_CANCELLED:
        assert on_disk == card, f"written after the command was answered cancelled:\n{on_disk}"
        assert sent == [], "workspace/applyEdit sent after the command was answered cancelled"
    else:
        assert "result" in answer, answer


async def test_an_unknown_file_change_type_does_not_drop_the_other_events(vault: Path) -> None:
    """LSP 3.17, workspace/didChangeWatchedFiles: the notification carries many FileEvents.
    One with a type outside FileChangeType's 1..3 (a client bug, or a later protocol's
    addition) made lsprotocol refuse the whole notification: every other event in it was
    lost, here a note created on disk, which stayed unknown to the index (no workspace
    symbol, links to it reported broken) until something else made the server read it; and
    the client was sent an Error log with a 40-line traceback. The unknown event is to be
    skipped, as an event for a path holding a NUL already is (test_robustness)."""
    write_files(vault, NOTES)
    async with raw_client() as client:
        capabilities = {"window": {"workDoneProgress": True}}
        await initialized(client, vault, capabilities)
        await client.drain()
        await wait_for(lambda: bool(client.progress_ended), 30, "the first indexing")
        write_files(vault, {"Новая.md": "# Новая\n"})
        client.notify(
            "workspace/didChangeWatchedFiles",
            {
                "changes": [
                    {"uri": (vault / "Новая.md").as_uri(), "type": 1},  # Created
                    {"uri": (vault / "Другая.md").as_uri(), "type": 4},  # no such type
                ]
            },
        )
        await client.drain()

        async def found() -> bool:
            answer = await client.call("workspace/symbol", {"query": "Новая"})
            return any(symbol["name"] == "Новая" for symbol in answer.get("result") or [])

        for _ in range(50):
            if await found():
                return
            await asyncio.sleep(0.1)
    raise AssertionError("the note created on disk never reached the index")


@pytest.mark.parametrize("bad_id", [{"a": 1}, [7], True], ids=["object", "array", "boolean"])
async def test_a_request_whose_id_is_no_string_or_number_is_an_invalid_request(
    vault: Path, bad_id: object
) -> None:
    """LSP 3.17, Base Protocol, RequestMessage: `id: integer | string`; JSON-RPC 2.0, section
    4: the id "MUST contain a String, Number, or NULL value", and section 5: an Invalid
    Request (-32600) is answered with a null id when the id could not be read. The server
    ran such a request and answered it, echoing the object, array or boolean back as the id,
    which no client can match to anything: with a normal result, or (its id unhashable in
    pygls' table of requests) with an Internal Error and a traceback."""
    write_files(vault, NOTES)
    async with raw_client() as client:
        await initialized(client, vault)
        await client.call("workspace/symbol", {"query": "Кольца"})
        seen: list[dict[str, Any]] = []
        dispatch = client._dispatch

        def keep(message: dict[str, Any]) -> None:
            seen.append(message)
            if not isinstance(message.get("id"), (dict, list)):  # the client's table: hashable
                dispatch(message)

        client._dispatch = keep
        request = {"jsonrpc": "2.0", "method": "workspace/symbol", "params": {"query": "x"}}
        client.send({**request, "id": bad_id})
        # Still serving, and what it answered to the bad one came before this.
        answer = await client.call("workspace/symbol", {"query": "Кольца"})
        assert "result" in answer, answer
    echoed = [m for m in seen if m.get("id") == bad_id]
    assert echoed == [], f"answered as a request: {echoed}"
    refused = [m for m in seen if m.get("id") is None and "error" in m]
    assert [m["error"]["code"] for m in refused] == [-32600], seen


async def test_a_request_before_initialize_is_refused_as_such_whatever_its_params(
    vault: Path,
) -> None:
    """LSP 3.17, "Initialize Request": "If the server receives a request or notification
    before the initialize request it should act as follows: for a request the response
    should be an error with code: -32002". A request before initialize whose params do not
    fit its type was answered InvalidParams (-32602) instead, its params being read before
    the session's state was looked at: a client that retries on ServerNotInitialized (it
    started sending before its initialize went out) takes InvalidParams as final."""
    write_files(vault, NOTES)
    async with raw_client() as client:
        early = client.request("textDocument/hover", {"textDocument": {"uri": "x"}})
        await client.drain()
        answer = await wait_answer(client, early, 10)
        assert answer.get("error", {}).get("code") == -32002, answer
