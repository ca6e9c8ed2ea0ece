"""JSON-RPC's and the LSP's rules for messages out of place (before initialize, a second
initialize) and for broken ones (no JSON, no JSON-RPC). The client sees the error codes the
specifications name, and the session goes on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bench_resilience import RawClient, wait_for
from lsp_harness import editor, write_files
from lsprotocol import types
from pygls.exceptions import JsonRpcException

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
SERVER_NOT_INITIALIZED = -32002


class _Client(RawClient):
    """The raw client, keeping the answers to no request of its own: those with a null id, or
    an id it sent by hand."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.unmatched: list[dict[str, Any]] = []

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "method" not in message and message.get("id") not in self._pending:
            self.unmatched.append(message)
            return
        super()._dispatch(message)

    def errors(self) -> list[tuple[object, int]]:
        """(id, error code) of each answer kept."""
        return [(answer["id"], answer["error"]["code"]) for answer in self.unmatched]


async def _still_answers(client: RawClient, root: Path) -> list[str]:
    """The symbols of a note opened now: the session goes on."""
    uri = (root / "Алгебра.md").as_uri()
    item = {"uri": uri, "languageId": "markdown", "version": 1, "text": "# Алгебра\n"}
    client.notify("textDocument/didOpen", {"textDocument": item})
    symbols = await client.call("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    return [symbol["name"] for symbol in symbols["result"]]


def _initialize_params(root: Path) -> dict[str, object]:
    return {
        "processId": None,
        "rootUri": None,
        "capabilities": {},
        "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
    }


async def test_before_initialize_requests_are_refused_and_notifications_dropped(
    vault: Path,
) -> None:
    """Given a server not yet initialized, a request gets ServerNotInitialized, a notification
    is dropped, and a shutdown changes nothing: initialize still starts the session."""
    write_files(vault, {"Алгебра.md": "# Алгебра\n[[Черновик]]\n"})
    draft = (vault / "Черновик.md").as_uri()
    client = await RawClient.start()
    try:
        client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": draft,
                    "languageId": "markdown",
                    "version": 1,
                    "text": "# Черновик\n",
                }
            },
        )
        position = {"line": 1, "character": 3}
        hover = await client.call(
            "textDocument/hover",
            {"textDocument": {"uri": (vault / "Алгебра.md").as_uri()}, "position": position},
        )
        shutdown = await client.call("shutdown")
        initialized = await client.call("initialize", _initialize_params(vault))
        symbols = await client.call("textDocument/documentSymbol", {"textDocument": {"uri": draft}})
    finally:
        exit_code = await client.stop()

    assert hover["error"]["code"] == SERVER_NOT_INITIALIZED
    assert shutdown["error"]["code"] == SERVER_NOT_INITIALIZED
    assert initialized["result"]["serverInfo"]["name"] == "notels"
    assert symbols["result"] == []  # the didOpen sent before initialize was never applied
    assert exit_code == 0  # the shutdown that counts came after initialize


async def test_exit_before_initialize_ends_the_server_with_1(vault: Path) -> None:
    client = await RawClient.start()
    client.notify("exit")
    await client.drain()
    assert await client.stop() == 1


async def test_a_second_initialize_is_refused_and_keeps_the_session(
    vault: Path, tmp_path: Path
) -> None:
    """Given a session that negotiated UTF-8 positions, a second initialize (asking for the
    default UTF-16) gets InvalidRequest, and answers stay in UTF-8."""
    write_files(vault, {"А.md": "ЖЖЖ [[Б]]\n", "Б.md": "# Б\n"})
    other = write_files(tmp_path / "Другое", {"В.md": "# В\n"})
    async with editor(vault, encodings=["utf-8"]) as session:
        uri = session.open("А.md")
        link_range = types.Range(
            start=types.Position(line=0, character=9), end=types.Position(line=0, character=11)
        )

        async def link_ranges() -> list[types.Range]:
            links = await session.client.text_document_document_link_async(
                types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=uri))
            )
            return [link.range for link in links or ()]

        assert await link_ranges() == [link_range]
        with pytest.raises(JsonRpcException) as refused:
            await session.client.initialize_async(
                types.InitializeParams(
                    capabilities=types.ClientCapabilities(),
                    workspace_folders=[types.WorkspaceFolder(uri=other.as_uri(), name="Другое")],
                )
            )
        assert refused.value.code == INVALID_REQUEST
        assert await link_ranges() == [link_range]


async def test_a_body_that_is_no_json_gets_a_parse_error_and_the_server_goes_on(
    vault: Path,
) -> None:
    write_files(vault, {"Алгебра.md": "# Алгебра\n"})
    client = await _Client.start()
    try:
        await client.call("initialize", _initialize_params(vault))
        client.send_bytes(b"{not json")
        client.send_bytes(b'{"jsonrpc": "2.0", "id": 9, "method": "\xff"}')  # no UTF-8
        symbols = await _still_answers(client, vault)
        await wait_for(lambda: len(client.unmatched) >= 2, 10, "the parse errors")
    finally:
        await client.stop()

    assert client.errors() == [(None, PARSE_ERROR), (None, PARSE_ERROR)]
    assert symbols == ["Алгебра"]


async def test_json_that_is_no_request_gets_an_invalid_request_error(vault: Path) -> None:
    """A method that is no string, a message without `"jsonrpc"` or of another version, a batch
    (the LSP has none): Invalid Request, with the id when there is one; a notification without
    `"jsonrpc"` is dropped."""
    write_files(vault, {"Алгебра.md": "# Алгебра\n"})
    client = await _Client.start()
    try:
        await client.call("initialize", _initialize_params(vault))
        client.send({"jsonrpc": "2.0", "id": 500, "method": 5, "params": {}})
        client.send({"id": 501, "method": "workspace/symbol", "params": {"query": ""}})
        client.send_bytes(b"[]")  # an empty batch
        client.send({"jsonrpc": "1.0", "id": 502, "method": "workspace/symbol", "params": {}})
        client.send({"method": "initialized", "params": {}})
        symbols = await _still_answers(client, vault)
        await wait_for(lambda: len(client.unmatched) >= 4, 10, "the errors")
    finally:
        await client.stop()

    assert client.errors() == [
        (500, INVALID_REQUEST),
        (501, INVALID_REQUEST),
        (None, INVALID_REQUEST),
        (502, INVALID_REQUEST),
    ]
    assert symbols == ["Алгебра"]
