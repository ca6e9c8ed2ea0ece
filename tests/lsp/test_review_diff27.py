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
from test_protocol_clients import NOTES, Client, initialized, raw_client
from test_review_protocol import apply_edit_command

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
        await initialized(client, vault, capabilities)
        pending, command_id = apply_edit_command(client, vault)
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


CARD = "START\nBasic\nFront: q\nBack: a\nEND\n"


async def _generate_ids_waiting_for_apply_edit(client: Client, vault: Path) -> Any:
    """generateIds (writeClosedNotes) started, and waiting for the client's answer to its
    workspace/applyEdit for the open note: the closed note is written by then."""
    write_files(vault, {"Open.md": CARD, "Closed.md": CARD})
    client.never_answered.add(APPLY_EDIT)
    await initialized(client, vault, {"workspace": {"applyEdit": True}})
    client.open(vault / "Open.md")
    await client.drain()
    await client.call("workspace/symbol", {"query": "Open"})
    pending = client.request(
        "workspace/executeCommand",
        {"command": "notels.generateIds", "arguments": [{"writeClosedNotes": True}]},
    )
    await client.drain()
    await wait_for(lambda: bool(_asked(client)), 30, "generateIds' workspace/applyEdit")
    return pending


async def test_generate_ids_cancelled_after_it_wrote_is_not_answered_request_cancelled(
    vault: Path,
) -> None:
    """LSP 3.17, "Cancellation Support": a RequestCancelled answer tells the client the
    request did not run (the rule of test_a_cancelled_generate_ids_writes_nothing_after_
    answering_that_it_was_cancelled: either the command stops and writes nothing, or it is
    answered with its normal result; not both). Since the diff, generateIds' tail is shielded
    once writing begins, so a cancellation there does not stop it; but the request is still
    answered RequestCancelled at once (pygls cancels the executeCommand future), while the
    closed note has its ID on disk already and the open note's edit is at the client.

    Expected: a generateIds that goes on after the cancellation answers with its summary
    (ids, files, written, applied) once done, as the commit message intends ("a cancelled
    request still finishes the job")."""
    async with raw_client() as client:
        pending = await _generate_ids_waiting_for_apply_edit(client, vault)
        written = (vault / "Closed.md").read_text(encoding="utf-8")
        assert written != CARD and "ID: " in written  # the closed note is written already
        client.notify("$/cancelRequest", {"id": client.last_id()})
        await client.drain()
        await asyncio.sleep(0.5)
        (apply_edit,) = _asked(client)
        client.send({"jsonrpc": "2.0", "id": apply_edit["id"], "result": {"applied": True}})
        await client.drain()
        answer = await wait_answer(client, pending, 10)
    assert answer.get("error", {}).get("code") != REQUEST_CANCELLED, (
        f"answered RequestCancelled, yet {written!r} was written and the edit applied: {answer}"
    )
    assert answer.get("result", {}).get("written") == 1, answer


async def test_a_second_generate_ids_waits_for_a_cancelled_one_still_delivering(
    vault: Path,
) -> None:
    """generate_ids runs one at a time (`async with self._generating`): a second one planned
    on notes the first was still writing and gave their cards a second ID line. The shielded
    tail (_deliver_ids) goes on after a cancellation, but the cancellation ends
    `generate_ids`' `async with` at once: the lock is free while the first still waits for
    the client to apply its IDs to the open note. A second generateIds then plans on the open
    note as it still is (no ID yet) and sends a second workspace/applyEdit giving the same card
    another ID: two `ID:` lines once the client applies both.

    Expected: no second workspace/applyEdit while the first one's answer is still awaited."""
    async with raw_client() as client:
        await _generate_ids_waiting_for_apply_edit(client, vault)
        client.notify("$/cancelRequest", {"id": client.last_id()})
        second = client.request(
            "workspace/executeCommand",
            {"command": "notels.generateIds", "arguments": [{"writeClosedNotes": True}]},
        )
        await client.drain()
        await asyncio.sleep(3.0)
        asked = _asked(client)
        # This client applies nothing: the second, once the first is done, plans on the open
        # note as it still is and asks again, answered by the client's default from here on.
        client.never_answered.discard(APPLY_EDIT)
        for request in asked:
            client.send({"jsonrpc": "2.0", "id": request["id"], "result": {"applied": True}})
        await client.drain()
        await wait_answer(client, second, 30)
    assert len(asked) == 1, (
        "a second generateIds sent its own IDs for the open note while the first one's "
        f"workspace/applyEdit was unanswered: {[r['params']['edit'] for r in asked]}"
    )


async def test_a_failure_of_generate_ids_after_its_cancellation_is_not_lost(
    vault: Path,
) -> None:
    """The shielded _deliver_ids runs as a task of its own once the request is cancelled:
    nobody awaits it any more. When it then fails (here the client answers workspace/applyEdit
    with an error, which _client_applies turns into RequestFailed), its exception is never
    retrieved: asyncio's "Task exception was never retrieved" on stderr, at whatever time the
    task is collected, and no log line of notels saying generateIds failed.

    Expected: the failure of the shielded tail is retrieved and logged by notels (or answered),
    not left to asyncio's garbage-time warning."""
    async with raw_client() as client:
        await _generate_ids_waiting_for_apply_edit(client, vault)
        client.notify("$/cancelRequest", {"id": client.last_id()})
        await client.drain()
        await asyncio.sleep(0.5)
        (apply_edit,) = _asked(client)
        client.send(
            {
                "jsonrpc": "2.0",
                "id": apply_edit["id"],
                "error": {"code": -32603, "message": "the editor refuses"},
            }
        )
        await client.drain()
        await asyncio.sleep(1.0)
        alive = await client.call("workspace/symbol", {"query": "Open"})
        assert "result" in alive, alive
        await asyncio.sleep(0.5)
        lost = [line for line in client.stderr_tail if "never retrieved" in line]
    assert lost == [], "\n".join(client.stderr_tail)


async def test_a_header_whose_name_only_contains_content_length_is_skipped(vault: Path) -> None:
    """LSP 3.17, Base Protocol: the header part is HTTP-like fields, of which Content-Length
    and Content-Type are defined; any other field is to be skipped (the reader's docstring:
    "any header but Content-Length is skipped"). Since the frame reader *searches* each line
    for `content-length: N` (to resync after a badly framed message), a field such as
    `X-Original-Content-Length: 99999` is taken for the frame's length: the reader then waits
    for 99,999 bytes of body, and this request and every one after it, until that many bytes
    came, go unanswered. (Before the diff, the line had to be the Content-Length field.)

    Expected: only a line whose field name is Content-Length gives the length (the resync can
    look for the name at the start of a line, or right after a JSON body)."""
    write_files(vault, NOTES)
    async with raw_client() as client:
        await initialized(client, vault)
        await client.drain()
        odd = client.request_framed(
            "workspace/symbol",
            {"query": "Кольца"},
            other_headers=b"X-Original-Content-Length: 99999\r\n",
        )
        following = client.request("workspace/symbol", {"query": "Алгебра"})
        await client.drain()
        answers = []
        for waiting in (odd, following):
            try:
                answers.append(await wait_answer(client, waiting, 5))
            except AssertionError as error:
                answers.append({"unanswered": str(error)})
    assert all("result" in answer for answer in answers), answers


async def test_a_request_id_no_float_can_hold_is_not_answered_with_a_null_id(vault: Path) -> None:
    """JSON-RPC 2.0, section 5: a success Response's id is the id of the request it answers;
    null only in an error for a request whose id could not be read. `_is_message_id` (new:
    objects, arrays and booleans are refused with InvalidRequest and a null id) takes any
    float, infinity included: the id `1e400`, a JSON number, is read by json as `inf`, the
    request is run, and its answer goes out as `{"id": null, "result": [...]}` (orjson writes
    infinity as null), an answer the client cannot match to anything.

    Expected: that id is echoed as sent, or the request is refused (InvalidRequest, null id)
    like the other ids the server cannot echo; never a result under a null id."""
    write_files(vault, NOTES)
    async with raw_client() as client:
        answers: list[dict[str, Any]] = []
        dispatch = client._dispatch

        def keep(message: dict[str, Any]) -> None:
            if "method" not in message:
                answers.append(message)
            dispatch(message)

        client._dispatch = keep
        await initialized(client, vault)
        body = b'{"jsonrpc":"2.0","id":1e400,"method":"workspace/symbol","params":{"query":"x"}}'
        client.send_bytes(body)
        await client.drain()
        await wait_for(lambda: len(answers) >= 2, 10, "an answer to the request")
    null_results = [a for a in answers if a.get("id") is None and "result" in a]
    assert null_results == [], null_results
