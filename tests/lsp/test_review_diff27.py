"""Review of the protocol, framing and edit changes since f45395d (NotelsProtocol's own
answers table and command cancellation, generateIds' shielded tail).

Each test fails on the code it was written against and says what is expected instead.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from bench_resilience import wait_answer, wait_for
from lsp_harness import write_files
from test_protocol_clients import NOTES, Client, _initialize, raw_client

pytestmark = pytest.mark.timeout(120)

REQUEST_CANCELLED = -32800
APPLY_EDIT = "workspace/applyEdit"


def _asked(client: Client, method: str = APPLY_EDIT) -> list[dict[str, Any]]:
    return [m for m in client.requests_in if m["method"] == method]


def _stderr_problems(client: Client) -> list[str]:
    return [
        line
        for line in client.stderr_tail
        if "InvalidStateError" in line
        or "never retrieved" in line
        or "Traceback" in line
        or "ERROR" in line
    ]


async def test_the_answer_to_apply_edit_after_its_command_was_cancelled_is_taken_quietly(
    vault: Path,
) -> None:
    """$/cancelRequest of workspace/executeCommand notels.applyEdit now reaches the command's
    coroutine (NotelsProtocol._run_generator). When that coroutine is waiting for the client's
    answer to the server's workspace/applyEdit, the cancellation cancels the pygls future of
    that request too, yet its id stays in `_asked` and in `_request_futures`. The client's
    answer (the LSP requires one to every request: the client did apply the edit) then reaches
    pygls' _handle_response, whose `future.set_result` on a cancelled
    concurrent.futures.Future raises InvalidStateError out of the message handler: logged as
    "Unable to handle message" with a traceback, reported as a server error.

    Expected: an answer to a request the server stopped waiting for is dropped quietly (or
    the request is forgotten when its waiter is cancelled), and the server goes on."""
    write_files(vault, NOTES)
    capabilities = {"workspace": {"applyEdit": True}}
    async with raw_client() as client:
        client.never_answered.add(APPLY_EDIT)  # answered by hand below
        answer = await client.call("initialize", _initialize(vault, capabilities))
        assert "result" in answer, answer
        client.notify("initialized", {})
        uri = (vault / "Кольца.md").as_uri()
        start = {"line": 0, "character": 0}
        edit = {"changes": {uri: [{"range": {"start": start, "end": start}, "newText": "x"}]}}
        pending = client.request(
            "workspace/executeCommand", {"command": "notels.applyEdit", "arguments": [edit]}
        )
        command_id = client.last_id()
        await client.drain()
        await wait_for(lambda: bool(_asked(client)), 10, "the server's workspace/applyEdit")
        client.notify("$/cancelRequest", {"id": command_id})
        await client.drain()
        answer = await wait_answer(client, pending, 10)
        assert answer.get("error", {}).get("code") == REQUEST_CANCELLED, answer
        (apply_edit,) = _asked(client)
        client.send({"jsonrpc": "2.0", "id": apply_edit["id"], "result": {"applied": True}})
        await client.drain()
        await asyncio.sleep(1.0)
        alive = await client.call("workspace/symbol", {"query": "Кольца"})
        assert "result" in alive, alive
        problems = _stderr_problems(client)
    assert problems == [], "\n".join(problems)
