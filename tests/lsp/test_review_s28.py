"""Review of 4da296b..dcbc8de (held workspace pull wake-ups, per-run result ids, vaultStatus
with a uri, worker pipes): defects found, each a failing test."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from lsp_harness import Editor, editor, wait_until, write_files
from lsprotocol import types

LINKS_TO_MISSING = "Смотри 🙂 [[Missing Note]].\n"
FAULT_HOOKS = Path(__file__).resolve().parent / "fault_hooks"


def _fault_env(folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "NOTELS_TEST_FAULTS": str(folder),
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(FAULT_HOOKS), os.environ.get("PYTHONPATH")])
        ),
    }


def _partial_results(client: Any, token: str) -> list[list[dict[str, Any]]]:
    batches: list[list[dict[str, Any]]] = []
    features = client.protocol.fm.features
    usual = features[types.PROGRESS]

    def progress(params: types.ProgressParams) -> None:
        if params.token == token:
            batches.append(params.value["items"])
        else:
            usual(params)

    features[types.PROGRESS] = progress
    return batches


def _held_pull(session: Editor, token: str, msg_id: str) -> asyncio.Future[Any]:
    return asyncio.ensure_future(
        session.client.protocol.send_request_async(
            types.WORKSPACE_DIAGNOSTIC,
            types.WorkspaceDiagnosticParams(previous_result_ids=[], partial_result_token=token),
            msg_id=msg_id,
        )
    )


async def _end(session: Editor, held: asyncio.Future[Any], msg_id: str) -> None:
    session.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
    await asyncio.wait([held], timeout=5)
    if held.done() and not held.cancelled():
        held.exception()
    else:
        held.cancel()


def _reports(batches: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [item for batch in batches for item in batch]


async def test_a_pass_that_raises_does_not_lose_the_reports_it_had_not_sent_yet(
    vault: Path, tmp_path: Path
) -> None:
    """Defect: `_workspace_reports` records each full report in `known` (the client's result
    ids) as soon as it is put in the batch, and sends the batch only at 200 reports or at the
    end of the pass. Since e66ef33 a pass that raises keeps the held pull (session.py
    workspace_diagnostic: `except Exception: log.exception`), with `known` as the failed pass
    left it: the reports of the unsent batch are taken as delivered. The next pass (after the
    fault is gone and something changes) finds their ids "known" and skips them: the client
    never gets those notes' problems, until each note's findings change."""
    faults = tmp_path / "faults"
    env = _fault_env(faults)
    # Sorted before Boom.md: in the batch when checking Boom.md raises.
    write_files(vault, {**{f"A {n}.md": LINKS_TO_MISSING for n in range(10)}, "Boom.md": "x\n"})
    (faults / "raise-Boom.md").touch()
    async with editor(vault, pull=True, env=env) as session:
        client = session.client
        batches = _partial_results(client, "held")
        held = _held_pull(session, "held", "held-pull")
        await asyncio.sleep(1.0)  # the first pass, which raises at Boom.md
        assert not batches, "the first pass did not raise: test set up wrong"
        assert not held.done(), "the pull ended: the pass's error was not kept in"

        (faults / "raise-Boom.md").unlink()  # the fault is gone (say, the note was fixed)
        session.open("Boom.md")  # and something wakes the held pull
        boom = session.uri("Boom.md")
        await wait_until(lambda: any(r["uri"] == boom for r in _reports(batches)))
        await asyncio.sleep(0.7)
        reported = {r["uri"] for r in _reports(batches)}
        await _end(session, held, "held-pull")
    missing = sorted(f"A {n}.md" for n in range(10) if session.uri(f"A {n}.md") not in reported)
    assert not missing, f"never reported to the client after the failed pass: {missing}"
