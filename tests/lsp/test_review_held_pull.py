"""Review of the streamed, held workspace pull (notels/lsp/session.py workspace_diagnostic):
defects found, each a failing test."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from lsp_harness import editor, wait_until, write_files
from lsprotocol import types
from pull_harness import end_pull, held_pull, partial_results, reports
from race_harness import Gate, indexed_then_held, reindex

LINKS_TO_MISSING = "Смотри 🙂 [[Missing Note]].\n"


async def test_a_vault_reindexed_during_a_pass_is_not_reported_from_its_empty_index(
    vault: Path, tmp_path: Path
) -> None:
    """Defect: `_workspace_reports` checks `vault.state` once per vault, before its notes.
    A settings change that re-indexes the vault (here `ignore`) while the held pull's pass is
    in that vault starts a run on a fresh, empty index; the pass goes on and reports each
    remaining note from that index: no findings at all, under a new result id. The Problems
    panel loses those notes' problems until the run ends (15-25 s at 10,000 notes)."""
    count = 3000
    write_files(vault, {f"Заметка {n:04}.md": LINKS_TO_MISSING for n in range(count)})
    gate = Gate(tmp_path / "gate")
    async with indexed_then_held(vault, gate) as session:
        batches = partial_results(session.client, "held")
        held = held_pull(session, "held", msg_id="held-pull")
        await wait_until(lambda: len(batches) >= 1)
        sent_at = len(reports(batches))
        await reindex(session, gate, count)
        await asyncio.sleep(1.5)  # the pass goes on meanwhile
        sent = reports(batches)
        await end_pull(session, held, "held-pull")
    assert sent_at < count, "the pass ended before the settings changed: test too quick"
    emptied = [r for r in sent if not r["items"]]
    assert not emptied, (
        f"{len(emptied)} of {len(sent)} notes reported without their unresolved link "
        f"while the vault was re-indexed (settings changed after {sent_at} reports)"
    )


async def test_a_note_opened_through_a_symlinked_folder_is_not_left_stale_under_its_real_path(
    vault: Path, tmp_path: Path
) -> None:
    """Defect: the held pull reports a note under `vault.open_docs`' URI when it is open, else
    under the resolved vault root's, but it only runs a pass when `Effects.vaults_changed`
    (session.py apply -> _wake_workspace_pulls). Opening a note, or an edit that changes only
    that note's own findings, sets no such flag. A vault opened through a symlink (VS Code does
    not resolve the folder's path): the note's problems stay listed under the real path beside
    the editor's own under the link, and a problem fixed in the editor stays listed there until
    the note is closed or something else in the vault changes. A plain pull (VS Code pulled
    again every 2 s before) answers the real path's report empty as soon as the note is open."""
    write_files(vault, {"M.md": LINKS_TO_MISSING, "Other.md": "Просто текст.\n"})
    link = tmp_path / "link"
    link.symlink_to(vault, target_is_directory=True)
    real = (vault.resolve() / "M.md").as_uri()
    async with editor(link, pull=True) as session:
        client = session.client
        batches = partial_results(client, "held")
        held = held_pull(session, "held", msg_id="held-pull")
        await wait_until(lambda: any(r["uri"] == real for r in reports(batches)))
        await asyncio.sleep(0.6)  # the wake-up the end of the startup indexing scheduled

        uri = session.open("M.md")  # through the link, as VS Code opens it
        assert uri != real
        session.edit(uri, (0, 0), (1, 0), "Смотри 🙂.\n")  # the broken link fixed
        fixed = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert isinstance(fixed, types.RelatedFullDocumentDiagnosticReport)
        assert not fixed.items  # the editor shows the note clean

        deadline = time.monotonic() + 2.5  # VS Code's own re-pull came within 2 s
        while time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        last = {r["uri"]: [d["code"] for d in r["items"]] for r in reports(batches)}
        await end_pull(session, held, "held-pull")
    assert last.get(real) == [], (
        f"the fixed note still listed with {last.get(real)} under its real path {real}"
    )


async def test_a_partial_status_for_a_vault_with_a_nested_one_counts_the_notes_pulls_checked(
    vault: Path,
) -> None:
    """Defect (minor): `notels/vaultStatus {uri, partial}` describes the vault of `uri` with the
    notes of the vaults nested in it (status.py: `nested` is empty unless `whole`), and looks
    each one up in that outer vault's cache (`known_findings(vault, relative)`). Workspace and
    document pulls check a nested vault's notes in the nested vault only (session.py skips them
    in the outer one), so once every note is checked the answer still leaves them all out as
    `unchecked`, and the client must ask for a full count, checking them again."""
    write_files(
        vault,
        {
            "Outer.md": LINKS_TO_MISSING,
            "inner/.obsidian/app.json": "{}",
            "inner/A.md": LINKS_TO_MISSING,
            "inner/B.md": LINKS_TO_MISSING,
        },
    )
    async with editor(vault, pull=True) as session:
        client = session.client
        session.change_folders(added=[vault / "inner"])
        await wait_until(lambda: session.indexed_runs() >= 2)
        await asyncio.sleep(0.2)
        pulled = await client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
        assert len(pulled.items) == 3  # every note checked, each once

        async def status(**params: object) -> dict[str, object]:
            answer = await client.protocol.send_request_async("notels/vaultStatus", params)
            return {k: getattr(answer, k) for k in ("notes", "errors", "warnings", "unchecked")}

        where = session.uri("Outer.md")
        partial = await status(uri=where, partial=True)
        full = await status(uri=where)
    assert partial == full, f"partial {partial} after every note was pulled; full {full}"
