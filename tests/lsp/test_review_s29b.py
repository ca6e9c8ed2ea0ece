"""Second review of b9f074f..d00a924 (whole-vault passes have worker processes check the notes
not cached; a held pull logs a failing note once): defects found, each a failing test."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from lsp_harness import editor, hooked_env, wait_until, write_files
from lsprotocol import types
from worker_harness import with_workers, workers_ran


async def _partial_status(session: Any) -> Any:
    """A request answered at once: every notification sent before it has been handled."""
    return await session.client.protocol.send_request_async("notels/vaultStatus", {"partial": True})


async def _plain_pull(session: Any) -> dict[str, list[str]]:
    """uri -> the codes of the report's diagnostics."""
    answer = await session.client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=[])
    )
    return {item.uri: sorted(str(d.code) for d in item.items) for item in answer.items}


_TAKEN = re.compile(r"checked (\d+) of (\d+) notes of .* in \d+ worker processes")


async def test_a_pass_under_way_when_the_cache_is_cleared_has_every_note_checked_twice(
    vault: Path, tmp_path: Path
) -> None:
    """Defect: d00a924 supersedes a WarmRun whose findings a cache clear made worthless only
    when a *new* pass calls `WarmFindings.start`. The pass already waiting on it (a full
    vaultStatus, or the pass of a held pull under way, which only starts its next pass once
    this one is over) keeps waiting on it, and `_put` never looks at `cleared_since`: the
    workers check every note to the end, `put_if_current` refuses each result (the log says
    "checked 0 of 200 notes ... in 2 worker processes"), and the pass then checks every note
    again itself, on the event loop, which is what the workers were to spare it (7.8 s of the
    loop at 10,000 notes). A severity change (settings, `.notels.toml`) while the first
    whole-vault pass runs is enough. Expected: the findings of the notes come from workers
    (a run started against the cleared cache), not from the loop after the workers' are
    thrown away."""
    write_files(vault, {f"Ссылка {n:03} 😀.md": "См. [[Нет 😀]].\n" for n in range(200)})
    hooks = tmp_path / "hooks"
    env = with_workers(hooks)
    (hooks / "hold").touch()
    async with editor(vault, pull=True, env=env) as session:
        counting = asyncio.ensure_future(
            session.client.protocol.send_request_async("notels/vaultStatus", {})
        )
        await wait_until(lambda: workers_ran(hooks) == 2)  # the count's run, held
        session.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(
                settings={"notels": {"rules": {"unresolved-link": "warning"}}}
            )
        )
        await _partial_status(session)  # the settings are in: the cache is cleared
        (hooks / "hold").unlink()
        status = await asyncio.wait_for(counting, 60)

        def logged() -> list[str]:
            return [m.message for m in session.client.log_messages if _TAKEN.search(m.message)]

        def taken() -> int:
            return sum(int(match.group(1)) for line in logged() if (match := _TAKEN.search(line)))

        # The runs' log lines come after the count's answer; the workers are long done by then.
        for _ in range(100):
            if taken() >= 200:
                break
            await asyncio.sleep(0.05)
    assert status.warnings == 200 and status.errors == 0 and status.unchecked == 0
    assert taken() == 200, (
        f"every note's findings from the workers were refused and the pass checked all of them "
        f"again on the event loop; workers started: {workers_ran(hooks)}; logged: {logged()}"
    )


def _fault_env(folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    return hooked_env(NOTELS_TEST_FAULTS=str(folder), NOTELS_INDEX_PROCESSES="0")


async def test_a_new_note_whose_check_fails_is_logged_though_a_deleted_one_at_its_path_was(
    vault: Path, tmp_path: Path
) -> None:
    """Defect: WorkspacePulls._failing (6e9d4e9) forgets a note only when a pass checks it
    without an error. A note that is deleted (or renamed away, or whose vault is removed) while
    its check fails is never checked again, so it stays in the set for as long as the server
    runs; a new note made later at the same path (a re-created daily note, a file restored from
    git, a folder renamed back), whose check fails for its own reasons, is then never logged:
    the only trace of a rule crashing on it is missing, and the note silently has no
    diagnostics. The commit promises "logged once, until it checks again"; this note never
    checked, and it is another note. (The set also grows without bound with such paths.)"""
    faults = tmp_path / "faults"
    write_files(vault, {"Boom.md": "x\n", "Другая 😀.md": "y\n"})
    (faults / "raise-Boom.md").parent.mkdir(parents=True, exist_ok=True)
    (faults / "raise-Boom.md").touch()
    async with editor(vault, pull=True, env=_fault_env(faults)) as session:

        def logged() -> int:
            return sum("checking Boom.md failed" in m.message for m in session.client.log_messages)

        first = await _plain_pull(session)
        await wait_until(lambda: logged() == 1)
        assert session.uri("Boom.md") not in first

        (vault / "Boom.md").unlink()
        session.notify_files(("Boom.md", types.FileChangeType.Deleted))
        assert (await _partial_status(session)).notes == 1
        await _plain_pull(session)  # a pass without it

        # Another note, made at the same path later; its check fails too.
        (vault / "Boom.md").write_text("[[Нигде]] новая\n", encoding="utf-8")
        session.notify_files(("Boom.md", types.FileChangeType.Created))
        for _ in range(200):
            if (await _partial_status(session)).notes == 2:
                break
            await asyncio.sleep(0.05)
        third = await _plain_pull(session)
        assert session.uri("Другая 😀.md") in third
        assert session.uri("Boom.md") not in third  # its check failed
        for _ in range(60):  # the log messages of the pass
            if logged() >= 2:
                break
            await asyncio.sleep(0.05)
        count = logged()
    assert count == 2, "the new note's failing check was never logged"
