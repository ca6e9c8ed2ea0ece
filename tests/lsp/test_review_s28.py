"""Review of 4da296b..dcbc8de (held workspace pull wake-ups, per-run result ids, vaultStatus
with a uri, worker pipes): defects found, each a failing test."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsp_harness import editor, hooked_env, wait_until, write_files
from lsprotocol import types
from pull_harness import end_pull, held_pull, partial_results, reports
from race_harness import Gate, indexed_then_held, reindex

LINKS_TO_MISSING = "Смотри 🙂 [[Missing Note]].\n"


def _fault_env(folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    return hooked_env(NOTELS_TEST_FAULTS=str(folder))


async def test_a_note_that_fails_its_check_is_reported_once_it_can_be_checked(
    vault: Path, tmp_path: Path
) -> None:
    """Was: a pass that raised kept the held pull, with `known` (the client's result ids)
    already holding the reports of its unsent batch: the next pass skipped them, and the
    client never got those notes' problems. A note whose check fails is now left out of the
    pass alone (see the next-but-one test), and `known` counts a report only once it is sent.
    Here: the notes beside the failing one are reported at once; the failing one once its
    check works again and something wakes the pull."""
    faults = tmp_path / "faults"
    env = _fault_env(faults)
    # Sorted before Boom.md: in the batch when checking Boom.md raises.
    write_files(vault, {**{f"A {n}.md": LINKS_TO_MISSING for n in range(10)}, "Boom.md": "x\n"})
    (faults / "raise-Boom.md").touch()
    async with editor(vault, pull=True, env=env) as session:
        client = session.client
        batches = partial_results(client, "held")
        held = held_pull(session, "held", "held-pull")
        await wait_until(lambda: len(reports(batches)) == 10)
        boom = session.uri("Boom.md")
        assert boom not in {r["uri"] for r in reports(batches)}
        assert not held.done(), "the pull ended: the note's error was not kept in"

        (faults / "raise-Boom.md").unlink()  # the fault is gone: the note was fixed on disk
        (vault / "Boom.md").write_text("y\n", encoding="utf-8")
        session.notify_files(("Boom.md", types.FileChangeType.Changed))
        await wait_until(lambda: any(r["uri"] == boom for r in reports(batches)))
        await asyncio.sleep(0.7)
        reported = [r["uri"] for r in reports(batches)]
        await end_pull(session, held, "held-pull")
    assert sorted(reported) == sorted({*reported}), "a note was reported twice"
    assert {session.uri(f"A {n}.md") for n in range(10)} | {boom} == set(reported)


async def test_a_full_vault_status_counted_while_the_vault_is_reindexed_says_so(
    vault: Path, tmp_path: Path
) -> None:
    """Defect: 7c60ed4 made the workspace pull stop at a vault whose run began during its pass,
    but `vault_status` (status.py) has the same loop, unfixed: it takes the note list and
    `indexing` once, before its turns, then checks each remaining note with `findings_at`
    against whatever index the vault has by then. A settings change that re-indexes the vault
    mid-count starts a fresh, empty index: the rest of the notes count with no findings, and
    the answer says `indexing: false`. The status bar (or any client of notels/vaultStatus)
    shows far too few problems as a finished count."""
    count = 3000
    write_files(vault, {f"Заметка {n:04}.md": LINKS_TO_MISSING for n in range(count)})
    gate = Gate(tmp_path / "gate")
    async with indexed_then_held(vault, gate) as session:
        counting = asyncio.ensure_future(
            session.client.protocol.send_request_async("notels/vaultStatus", {})
        )
        await asyncio.sleep(0.05)  # the count is under way (0.3 s for 3000 notes here)
        assert not counting.done(), "the count ended before the settings changed: too quick"
        await reindex(session, gate, count)
        answer = await asyncio.wait_for(counting, 20)
    status = {k: getattr(answer, k) for k in ("notes", "errors", "warnings", "indexing")}
    problems = status["errors"] + status["warnings"]
    assert status["indexing"] or problems == count, (
        f"a finished count of {problems} problems for {count} notes with a broken link each: "
        f"{status}"
    )


async def test_a_note_whose_check_keeps_failing_does_not_hide_the_notes_after_it(
    vault: Path, tmp_path: Path
) -> None:
    """Defect: e66ef33 catches a failure around the whole pass (session.py
    workspace_diagnostic), not around the note that failed. A note whose check raises every
    time (a rule that crashes on its text) ends every pass where it stands: no note sorted after
    it, in its vault or any vault after it, is ever reported, nor is any deleted note emptied,
    for as long as that note stays; only a log line says so. The Problems panel silently
    misses most of the workspace's problems."""
    faults = tmp_path / "faults"
    env = _fault_env(faults)
    write_files(vault, {"Boom.md": "x\n", **{f"C {n}.md": LINKS_TO_MISSING for n in range(5)}})
    (faults / "raise-Boom.md").touch()  # and it stays
    async with editor(vault, pull=True, env=env) as session:
        client = session.client
        batches = partial_results(client, "held")
        held = held_pull(session, "held", "held-pull")
        await asyncio.sleep(1.5)
        reported = {r["uri"] for r in reports(batches)}
        await end_pull(session, held, "held-pull")
        # Each of them alone is checked fine: a document pull reports its broken link.
        alone = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(
                text_document=types.TextDocumentIdentifier(uri=session.uri("C 0.md"))
            )
        )
    assert [str(d.code) for d in alone.items] == ["unresolved-link"]
    missing = sorted(f"C {n}.md" for n in range(5) if session.uri(f"C {n}.md") not in reported)
    assert not missing, f"never reported while Boom.md's check fails: {missing}"


async def test_a_note_whose_check_keeps_failing_is_logged_once_until_it_checks_again(
    vault: Path, tmp_path: Path
) -> None:
    """Left alone at stop 28: every pass of a held pull (each wake-up) checked the note again
    and logged the same traceback, so a sync client writing notes every few seconds filled the
    log with it. Now once, until the note checks again; failing after that logs anew."""
    faults = tmp_path / "faults"
    env = _fault_env(faults)
    write_files(vault, {"Boom.md": "x\n", "Другая 😀.md": "y\n"})
    (faults / "raise-Boom.md").touch()
    async with editor(vault, pull=True, env=env) as session:
        client = session.client
        batches = partial_results(client, "held")
        held = held_pull(session, "held", "held-pull")
        other, boom = session.uri("Другая 😀.md"), session.uri("Boom.md")

        def reported(uri: str, text: str) -> bool:
            return any(r["uri"] == uri and text in str(r["items"]) for r in reports(batches))

        def logged() -> int:
            return sum("checking Boom.md failed" in m.message for m in client.log_messages)

        for n in range(3):  # three passes, each checking Boom.md again
            (vault / "Другая 😀.md").write_text(f"[[Нет {n}]]\n", encoding="utf-8")
            session.notify_files(("Другая 😀.md", types.FileChangeType.Changed))
            await wait_until(lambda n=n: reported(other, f"Нет {n}"))
        assert logged() == 1

        (faults / "raise-Boom.md").unlink()
        (vault / "Boom.md").write_text("[[Нигде]]\n", encoding="utf-8")
        session.notify_files(("Boom.md", types.FileChangeType.Changed))
        await wait_until(lambda: reported(boom, "Нигде"))
        (faults / "raise-Boom.md").touch()
        (vault / "Boom.md").write_text("[[Опять]]\n", encoding="utf-8")
        session.notify_files(("Boom.md", types.FileChangeType.Changed))
        await wait_until(lambda: logged() == 2)
        await end_pull(session, held, "held-pull")
