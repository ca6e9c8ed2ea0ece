"""The LSP's lifecycle and the variety of clients, over raw JSON-RPC on the server's stdio.

Each test speaks for a client that is within the protocol (or within JSON-RPC 2.0) but less
usual than VS Code: minimal capabilities, param-less notifications, answers that do not fit
the server's expectations. The server must degrade, not stall or go silent.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from bench_resilience import Pending, RawClient, wait_answer, wait_for
from lsp_harness import write_files

pytestmark = pytest.mark.timeout(60)

METHOD_NOT_FOUND = -32601
REQUEST_FAILED = -32803
NOTE = "# Алгебра\nСм. [[Нет такой]] и [[Кольца]].\n\nSTART\nBasic\nFRONT: q 😀\nBACK: a\nEND\n"
NOTES = {"Алгебра.md": NOTE, "Кольца.md": "# Кольца\nТекст.\n"}

# Answers the server's request of this method with this JSON-RPC answer body (`result` or
# `error`); None: the default answer of RawClient.
Answer = Callable[[dict[str, Any]], dict[str, Any] | None]


class Client(RawClient):
    """RawClient that keeps every notification and server request, and may answer the
    server's requests its own way."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        super().__init__(process)
        self.received: list[tuple[str, Any]] = []
        self.requests_in: list[dict[str, Any]] = []
        self.answer: Answer | None = None
        self.never_answered: set[str] = set()  # methods of server requests left unanswered

    def _notification(self, method: str, params: Any) -> None:
        self.received.append((method, params))
        super()._notification(method, params)

    def _answer_server(self, message: dict[str, Any]) -> None:
        self.requests_in.append(message)
        if message["method"] in self.never_answered:
            return
        body = self.answer(message) if self.answer is not None else None
        if body is None:
            super()._answer_server(message)
            return
        self.send({"jsonrpc": "2.0", "id": message["id"], **body})

    def diagnostics(self, uri: str) -> list[dict[str, Any]] | None:
        """The last diagnostics published for `uri`; None before any."""
        found = None
        for method, params in self.received:
            if method == "textDocument/publishDiagnostics" and params["uri"] == uri:
                found = params["diagnostics"]
        return found

    def request_framed(
        self,
        method: str,
        params: Any,
        header_name: bytes = b"Content-Length",
        other_headers: bytes = b"",
    ) -> Pending:
        """A request whose frame names its length with `header_name`, after `other_headers`
        (whole header lines)."""
        self._next_id += 1
        msg_id = self._next_id
        loop = asyncio.get_running_loop()
        pending = Pending(method, time.monotonic(), loop.create_future(), False)
        self._pending[msg_id] = pending
        body = json.dumps({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        data = body.encode("utf-8")
        self._stdin.write(other_headers + header_name + b": %d\r\n\r\n" % len(data) + data)
        return pending

    def open(self, path: Path) -> str:
        uri = path.as_uri()
        text = path.read_text(encoding="utf-8")
        item = {"uri": uri, "languageId": "markdown", "version": 1, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": item})
        return uri


@asynccontextmanager
async def raw_client() -> AsyncIterator[Client]:
    process_client = await Client.start()
    assert isinstance(process_client, Client)
    try:
        yield process_client
    finally:
        await process_client.stop()


async def initialized(
    client: RawClient, root: Path, capabilities: dict[str, Any] | None = None
) -> None:
    """initialize on `root`, then initialized: how every session begins."""
    answer = await client.call("initialize", _initialize(root, capabilities or {}))
    assert "result" in answer, answer
    client.notify("initialized", {})


def _initialize(root: Path, capabilities: dict[str, Any]) -> dict[str, Any]:
    return {
        "processId": os.getpid(),
        "rootUri": root.as_uri(),
        "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
        "capabilities": capabilities,
    }


async def test_an_initialized_notification_without_params_still_starts_the_session(
    vault: Path,
) -> None:
    """JSON-RPC 2.0 lets a notification omit `params` (LSP's NotificationMessage:
    `params?`), and InitializedParams is an empty object. A client that sends
    `{"jsonrpc": "2.0", "method": "initialized"}` got a server that never asked for its
    settings, never indexed the vault and checked every note against nothing: a link to a
    note that does not exist was never reported, with no error shown to the user."""
    write_files(vault, NOTES)
    async with raw_client() as client:
        answer = await client.call("initialize", _initialize(vault, {}))
        assert "result" in answer, answer
        client.send({"jsonrpc": "2.0", "method": "initialized"})
        uri = client.open(vault / "Алгебра.md")
        await client.drain()

        def unresolved() -> bool:
            found = client.diagnostics(uri) or []
            return any(item.get("code") == "unresolved-link" for item in found)

        await wait_for(unresolved, 10, "the unresolved link of the opened note")
        symbols = await client.call("workspace/symbol", {"query": "Кольца"})
        assert symbols.get("result"), symbols  # the vault was indexed


@pytest.mark.parametrize("settings", [None, 5, {"notels": {}}], ids=["null", "number", "object"])
async def test_a_null_answer_to_workspace_configuration_does_not_hold_up_the_index(
    vault: Path, settings: object
) -> None:
    """A client that declares `workspace.configuration` but answers the request with `null`
    (instead of one value per item): the answer could not be read, the server's request
    stayed pending and the index waited the full 10 s settings timeout, with an
    `Invalid Params` traceback logged to the client as an error. An answer that cannot be
    read is a failed request: the server should go on at once with the settings it has."""
    write_files(vault, NOTES)
    capabilities = {"workspace": {"configuration": True}, "window": {"workDoneProgress": True}}
    async with raw_client() as client:

        def null_settings(message: dict[str, Any]) -> dict[str, Any] | None:
            if message["method"] == "workspace/configuration":
                return {"result": settings}
            return None

        client.answer = null_settings
        answer = await client.call("initialize", _initialize(vault, capabilities))
        assert "result" in answer, answer
        started = time.monotonic()
        client.notify("initialized", {})
        await client.drain()
        await wait_for(lambda: bool(client.progress_ended), 30, "the first indexing")
        waited = time.monotonic() - started
        asked = [m for m in client.requests_in if m["method"] == "workspace/configuration"]
        assert asked, "the server never asked for its settings"
        shown = [p["message"] for m, p in client.received if m == "window/showMessage"]
    # An object was read as the list of its keys: "settings: must be an object, not str".
    assert not any("must be an object" in message for message in shown), shown
    assert waited < 4.0, f"the index waited {waited:.1f} s for settings the client had answered"


async def test_a_progress_token_the_client_never_confirms_does_not_hold_up_the_index(
    vault: Path,
) -> None:
    """The server asks `window/workDoneProgress/create` before indexing and awaited the answer
    with no limit: a client that announces workDoneProgress but is slow to answer, or never
    does, got no index at all (no workspace symbols, links never checked against the vault).
    The server already bounds its wait for the settings and does not wait for its watcher
    registration; the progress report is as optional (LSP 3.17: the server must not use the
    token before the answer, but nothing makes the work wait for it)."""
    write_files(vault, NOTES)
    capabilities = {"window": {"workDoneProgress": True}}
    async with raw_client() as client:
        client.never_answered.add("window/workDoneProgress/create")
        await initialized(client, vault, capabilities)
        uri = client.open(vault / "Алгебра.md")
        await client.drain()

        def unresolved() -> bool:
            found = client.diagnostics(uri) or []
            return any(item.get("code") == "unresolved-link" for item in found)

        await wait_for(unresolved, 15, "the unresolved link of the opened note")
        symbols = await client.call("workspace/symbol", {"query": "Кольца"})
        assert symbols.get("result"), symbols


async def _code_actions_for_missing_id(client: Client, vault: Path) -> list[dict[str, Any]]:
    uri = client.open(vault / "Карточка.md")
    await client.drain()

    def missing_id() -> bool:
        return any(d.get("code") == "missing-id" for d in client.diagnostics(uri) or [])

    await wait_for(missing_id, 10, "the missing-id diagnostic")
    diagnostics = client.diagnostics(uri)
    assert diagnostics is not None
    everything = {"start": {"line": 0, "character": 0}, "end": {"line": 5, "character": 0}}
    answer = await client.call(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": everything,
            "context": {"diagnostics": diagnostics},
        },
    )
    assert "result" in answer, answer
    actions: list[dict[str, Any]] = answer["result"] or []
    return actions


@pytest.mark.parametrize("applies_edits", [True, False], ids=["applyEdit", "no-applyEdit"])
async def test_a_client_without_code_action_literals_gets_commands_only(
    vault: Path, applies_edits: bool
) -> None:
    """LSP 3.17, CodeActionClientCapabilities.codeActionLiteralSupport: "If the property is
    not set the request can only return `Command` literals." Was: such a client was answered
    with CodeAction literals (title, kind, edit), which it reads as Commands without a
    command. Now each quick fix is a Command that has the server send its edit back through
    workspace/applyEdit, for a client that takes that; for one that does not, there is none."""
    write_files(vault, {"Карточка.md": "START\nBasic\nFRONT: q\nBACK: a\nEND\n"})
    capabilities = {"workspace": {"applyEdit": True}} if applies_edits else {}
    async with raw_client() as client:
        client.apply_edits = True
        await initialized(client, vault, capabilities)
        actions = await _code_actions_for_missing_id(client, vault)
        literals = [a for a in actions if not isinstance(a.get("command"), str)]
        assert literals == [], f"CodeAction literals sent to a client without support: {literals}"
        if not applies_edits:
            assert actions == []
            return
        (generate,) = [a for a in actions if a["title"] == "Generate Anki ID"]
        assert generate["command"] == "notels.applyEdit"
        ran = await client.call(
            "workspace/executeCommand",
            {"command": generate["command"], "arguments": generate["arguments"]},
        )
        applied = [m for m in client.requests_in if m["method"] == "workspace/applyEdit"]
    assert ran.get("result") == {"applied": True}, ran
    (request,) = applied
    assert request["params"]["edit"] == generate["arguments"][0]
    (edits,) = request["params"]["edit"]["changes"].values()
    assert len(edits) == 1 and edits[0]["newText"].startswith("ID: "), edits


async def test_generate_ids_does_not_send_apply_edit_to_a_client_without_it(vault: Path) -> None:
    """WorkspaceClientCapabilities.applyEdit: the client supports `workspace/applyEdit`. Was: a
    client without it was sent the request anyway, and its MethodNotFound answer was passed
    on as the answer to `workspace/executeCommand`: the client was told the server does not
    know executeCommand, which it announced. It is not asked; the command fails with a
    reason (RequestFailed)."""
    write_files(vault, {"Карточка.md": "START\nBasic\nFRONT: q\nBACK: a\nEND\n"})
    async with raw_client() as client:

        def no_apply_edit(message: dict[str, Any]) -> dict[str, Any] | None:
            if message["method"] != "workspace/applyEdit":
                return None
            return {"error": {"code": METHOD_NOT_FOUND, "message": "Unhandled method"}}

        client.answer = no_apply_edit
        await initialized(client, vault)
        await client.drain()
        await asyncio.sleep(1.0)  # the index of one note
        answer = await client.call(
            "workspace/executeCommand", {"command": "notels.generateIds", "arguments": []}
        )
        sent = [m["method"] for m in client.requests_in]
    assert "workspace/applyEdit" not in sent
    assert answer.get("error", {}).get("code") == REQUEST_FAILED, answer


async def test_header_names_are_read_regardless_of_case(vault: Path) -> None:
    """The base protocol's header is HTTP-like, where field names are case-insensitive
    (vscode-jsonrpc and rust-analyzer's lsp-server read `content-length` too). A frame whose
    header was spelled `content-length` was skipped unanswered, and its body then swallowed
    the next, well-formed frame: that request got a Parse error with a null id instead of
    its answer."""
    write_files(vault, NOTES)
    async with raw_client() as client:
        await initialized(client, vault)
        lower = client.request_framed(
            "workspace/symbol", {"query": "Кольца"}, header_name=b"content-length"
        )
        following = client.request_framed("workspace/symbol", {"query": "Алгебра"})
        await client.drain()
        answers = []
        for pending in (lower, following):
            try:
                answers.append(await wait_answer(client, pending, 5))
            except AssertionError as error:
                answers.append({"unanswered": str(error)})
    assert all("result" in answer for answer in answers), answers


async def test_a_request_id_past_64_bits_gets_its_answer(vault: Path) -> None:
    """JSON-RPC ids are any number; answers are serialized by orjson, which takes no integer
    past 64 bits. Such an id must still get its answer (json's serialization), and answers
    after it stay plain UTF-8."""
    write_files(vault, NOTES)
    async with raw_client() as client:
        await initialized(client, vault)
        found: dict[str, Any] = {}

        async def indexed() -> bool:
            found.update(await client.call("workspace/symbol", {"query": "Кольца"}))
            return bool(found.get("result"))

        deadline = time.monotonic() + 10
        while not await indexed():
            assert time.monotonic() < deadline, found
            await asyncio.sleep(0.05)
        big_id = 2**70
        pending = Pending("workspace/symbol", time.monotonic(), asyncio.Future(), False)
        client._pending[big_id] = pending
        client.send(
            {
                "jsonrpc": "2.0",
                "id": big_id,
                "method": "workspace/symbol",
                "params": {"query": "Кольца"},
            }
        )
        await client.drain()
        answered = await wait_answer(client, pending, 10)
        assert answered.get("id") == big_id, answered
        assert answered.get("result") == found["result"], answered
        after = await client.call("workspace/symbol", {"query": "Кольца"})
        assert after.get("result") == found["result"], after


async def test_frames_are_read_however_the_bytes_arrive(vault: Path) -> None:
    """The server reads frames as the pipe hands them over: a request sent a byte at a time,
    with the next request's whole frame in the same write as its last byte, and both are
    answered. A header whose length has 5,000 digits (more than Python reads as a number: a
    ValueError that ended pygls' message loop, and with it the server) is skipped."""
    write_files(vault, NOTES)
    async with raw_client() as client:
        await initialized(client, vault)
        client._stdin.write(b"Content-Length: " + b"9" * 5000 + b"\r\n\r\n")
        loop = asyncio.get_running_loop()
        pendings, data = [], b""
        for msg_id in (9001, 9002):
            pending = Pending("workspace/symbol", time.monotonic(), loop.create_future(), False)
            client._pending[msg_id] = pending
            pendings.append(pending)
            message = {"jsonrpc": "2.0", "id": msg_id, "method": "workspace/symbol"}
            body = json.dumps({**message, "params": {"query": "Кольца"}}).encode()
            data += b"Content-Length: %d\r\n\r\n" % len(body) + body
        split = len(data) - len(body)
        for offset in range(split - 1):
            client._stdin.write(data[offset : offset + 1])
            await client.drain()
        client._stdin.write(data[split - 1 :])
        await client.drain()
        answers = [await wait_answer(client, pending, 10) for pending in pendings]
    assert [answer.get("id") for answer in answers] == [9001, 9002], answers
    assert all("result" in answer for answer in answers), answers


@pytest.mark.parametrize(
    "big_id", [2**64 + 1, 2**70 + 1, -(2**63) - 1], ids=["2^64+1", "2^70+1", "-2^63-1"]
)
async def test_a_request_id_past_64_bits_is_answered_with_the_same_id(
    vault: Path, big_id: int
) -> None:
    """JSON-RPC ids are any number, and the answer must carry the request's id exactly. orjson
    does not refuse an integer past 64 bits (which _message expects, to fall back on json): it
    reads it as a float, and the server answers with a rounded float id
    (`1.1805916207174113e+21` for 2**70 + 1) that matches no request of the client, which
    waits forever. (2**70 itself is a float exactly, which is why the test above passes.)
    Was: the answer's id was the rounded float, and the request stayed unanswered."""
    write_files(vault, NOTES)
    async with raw_client() as client:
        await initialized(client, vault)
        pending = Pending("workspace/symbol", time.monotonic(), asyncio.Future(), False)
        client._pending[big_id] = pending
        client.send(
            {"jsonrpc": "2.0", "id": big_id, "method": "workspace/symbol", "params": {"query": "x"}}
        )
        await client.drain()
        answered = await wait_answer(client, pending, 5)
    assert answered.get("id") == big_id and isinstance(answered.get("id"), int), answered


async def test_a_notification_whose_params_do_not_fit_is_one_log_line_not_a_traceback(
    vault: Path,
) -> None:
    """A client bug (`$/setTrace` with a value the LSP does not know, an empty
    didChangeConfiguration) is logged as one error line the user can read in the editor's
    output (the server's stderr), naming what did not fit where. It came with two tracebacks
    of pygls and cattrs reading the message, some eighty lines that buried it."""
    write_files(vault, NOTES)
    async with raw_client() as client:
        await initialized(client, vault)
        client.notify("$/setTrace", {"value": "bogus"})
        await client.drain()
        assert "result" in await client.call("workspace/symbol", {"query": "Кольца"})

        def logged() -> list[str]:
            return [line for line in client.stderr_tail if "$/setTrace" in line]

        await wait_for(lambda: bool(logged()), 10, "the log of the unreadable notification")
        stderr = "\n".join(client.stderr_tail)
    (line,) = logged()
    assert "expected TraceValue @ $.params.value" in line, line
    assert "Traceback" not in stderr and "Unable to" not in stderr, stderr


async def test_an_error_answer_is_no_traceback_in_the_log(vault: Path) -> None:
    """RequestFailed, ContentModified and the like are answers, not failures of the server:
    pygls logged each with its traceback on stderr, which editors show as the server's output
    (a refused rename: twenty lines)."""
    write_files(vault, NOTES)
    async with raw_client() as client:
        await initialized(client, vault)
        uri = (vault / "Алгебра.md").as_uri()
        item = {"uri": uri, "languageId": "markdown", "version": 1, "text": NOTE}
        client.notify("textDocument/didOpen", {"textDocument": item})
        await client.drain()
        # [[Кольца]] on line 1: renaming a note needs file operations this client lacks.
        position = {"line": 1, "character": 26}
        params = {"textDocument": {"uri": uri}, "position": position, "newName": "Поля"}
        refused = await client.call("textDocument/rename", params)
        assert refused.get("error", {}).get("code") == REQUEST_FAILED, refused
        assert "result" in await client.call("workspace/symbol", {"query": "Кольца"})
        await asyncio.sleep(0.3)
        stderr = "\n".join(client.stderr_tail)
    assert "Traceback" not in stderr, stderr
