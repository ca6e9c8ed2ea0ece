"""Workspace pulls with a partial result token, as VS Code sends them: the server streams the
reports as `$/progress` partial results and holds the request open until it is cancelled."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from lsp_harness import Editor, wait_until
from lsprotocol import types
from lsprotocol.converters import get_converter

Batch = list[dict[str, Any]]


def partial_results(client: Any, token: str) -> list[Batch]:
    """The batches of reports the server sends as partial results for `token`, as they come.
    (pytest-lsp's own `$/progress` handler takes every value for work done progress.)"""
    batches: list[Batch] = []
    features = client.protocol.fm.features
    usual = features[types.PROGRESS]

    def progress(params: types.ProgressParams) -> None:
        if params.token == token:
            batches.append(params.value["items"])
        else:
            usual(params)

    features[types.PROGRESS] = progress
    return batches


def held_pull(session: Editor, token: str, msg_id: str | None = None) -> asyncio.Future[Any]:
    """A streamed workspace pull, sent; `msg_id` to cancel it by."""
    return asyncio.ensure_future(
        session.client.protocol.send_request_async(
            types.WORKSPACE_DIAGNOSTIC,
            types.WorkspaceDiagnosticParams(previous_result_ids=[], partial_result_token=token),
            msg_id=msg_id,
        )
    )


async def end_pull(session: Editor, held: asyncio.Future[Any], msg_id: str) -> None:
    """Cancel the held pull as VS Code does, and take its answer (RequestCancelled)."""
    session.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
    await asyncio.wait([held], timeout=5)
    if held.done() and not held.cancelled():
        held.exception()  # retrieved: RequestCancelled, as expected
    else:
        held.cancel()


def reports(batches: list[Batch]) -> Batch:
    return [item for batch in batches for item in batch]


def reported_codes(batches: list[Batch], path_of: Any) -> dict[Path, list[str]]:
    """The last report of each note in the batches (a later one replaces an earlier), by the
    path `path_of` gives its URI."""
    return {
        path_of(str(item["uri"])): sorted(str(d["code"]) for d in item["items"])
        for item in reports(batches)
    }


async def after_first_pass(
    session: Editor, token: str, notes: int
) -> tuple[list[Batch], asyncio.Future[Any]]:
    """(batches, the pull) of a streamed pull sent once the vault is indexed, after its first
    pass reported `notes` notes and the wake-up the end of indexing scheduled has passed."""
    batches = partial_results(session.client, token)
    pull = held_pull(session, token)
    await wait_until(lambda: len(reports(batches)) >= notes)
    await asyncio.sleep(0.6)
    return batches, pull


async def plain_pull(session: Editor) -> dict[str, str]:
    """A workspace pull without a token: uri -> the report's diagnostics, as JSON text (to
    compare the answers of two servers, whose result ids differ)."""
    answer = await session.client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=[])
    )
    converter = get_converter()
    return {
        item.uri: json.dumps(converter.unstructure(item.items), sort_keys=True)
        for item in answer.items
    }
