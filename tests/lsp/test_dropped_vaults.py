"""Workspace folders coming and going. Vaults the server lets go of: a workspace folder removed,
the last note opened from outside every folder closed. The editor is left showing nothing of their notes, and the server neither
indexes nor watches them any more; a vault that a folder or an open note still holds stays.

Diagnostics are pushed for open notes only, and an open note holds its vault: a push client
never has diagnostics of a dropped vault's notes besides the one closing it clears. A pull
client is asked to pull again, and its next workspace pull clears the notes it held reports of.
A note open before a folder holding it is added becomes a note of that folder's vault.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import notes
from lsp_harness import Editor, editor, wait_until, write_files
from lsprotocol import types

from notels.lsp.convert import path_of_uri

ALGEBRA_CODES = ["duplicate-id", "missing-id", "unclosed-block", "unresolved-link"]
_REFRESH_SETTLED_S = 0.3  # longer than the server's refresh debounce: earlier refreshes are in

# A workspace pull, by path: the codes of a full report, None for an unchanged one.
Pulled = dict[Path, list[str] | None]


def _path(uri: str) -> Path:
    path = path_of_uri(uri)
    assert path is not None
    return path.resolve()


async def _symbol_paths(session: Editor, query: str) -> set[Path]:
    found = await session.client.workspace_symbol_async(types.WorkspaceSymbolParams(query=query))
    return {_path(symbol.location.uri) for symbol in found or ()}


async def _pull(session: Editor, previous: dict[str, str]) -> tuple[Pulled, dict[str, str]]:
    """workspace/diagnostic with the result ids held; (what came, the result ids now held)."""
    report = await session.client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(
            previous_result_ids=[
                types.PreviousResultId(uri=uri, value=value) for uri, value in previous.items()
            ]
        )
    )
    pulled: Pulled = {}
    held = dict(previous)
    for item in report.items:
        if isinstance(item, types.WorkspaceFullDocumentDiagnosticReport):
            pulled[_path(item.uri)] = sorted(str(d.code) for d in item.items)
        else:
            pulled[_path(item.uri)] = None
        if item.result_id:
            held[item.uri] = item.result_id
    return pulled, held


def _vault_watchers(session: Editor) -> list[str]:
    """Ids of the file-watcher registrations a vault outside every folder got of its own."""
    return [r.id for r in session.registrations if r.id.startswith("notels-watched-vault")]


def _folder_and_vault_outside(tmp_path: Path) -> tuple[Path, Path]:
    """(the workspace folder, a vault beside it that no folder holds)."""
    folder = write_files(tmp_path / "Папка", {"Заметка.md": "Текст 🙂\n"})
    other = write_files(tmp_path / "Другое", {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    return folder, other


async def _open_watched_from_outside(session: Editor, other: Path) -> tuple[str, str]:
    """Open the outside vault's note, which brings the vault in with watchers of its own:
    (the note's URI, the id of that registration)."""
    algebra = session.open_file(other / "Алгебра.md")
    await session.wait_for_codes(algebra, lambda codes: codes == ALGEBRA_CODES)
    await wait_until(lambda: len(_vault_watchers(session)) == 1)
    (watcher,) = _vault_watchers(session)
    return algebra, watcher


async def test_an_open_note_of_a_removed_folder_is_checked_until_it_closes(vault: Path) -> None:
    """The editor still shows the note: it keeps its vault, and its findings against the whole
    vault. Closed, it takes the vault along."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with editor(vault) as session:
        algebra = session.open("Алгебра.md")
        await session.wait_for_codes(algebra, lambda codes: codes == ALGEBRA_CODES)

        session.change_folders(removed=[vault])
        line = notes.LINK_LINE
        session.edit(algebra, (line, 12), (line, 21), "Копия")  # the link fixed
        # Still a duplicate of the card in Копия.md, which only the vault's index knows.
        fixed = ["duplicate-id", "missing-id", "unclosed-block"]
        await session.wait_for_codes(algebra, lambda codes: codes == fixed)
        kept = await _symbol_paths(session, "Копия")

        session.close(algebra)
        await session.wait_for_codes(algebra, lambda codes: codes == [])
        gone = await _symbol_paths(session, "Копия")
        shown = {uri for uri, diagnostics in session.client.diagnostics.items() if diagnostics}

    assert kept == {(vault / "Копия.md").resolve()}
    assert gone == set()  # the vault is dropped
    assert shown == set()


async def test_a_vault_another_workspace_folder_holds_stays(vault: Path) -> None:
    """Two folders of one vault (the vault and a folder in it): removing one changes nothing
    but the watchers, which the vault now needs of its own (it lies above the folder left)."""
    write_files(
        vault,
        {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY, "Раздел/Заметка.md": notes.CLEAN},
    )
    async with editor(vault, relative_patterns=True) as session:
        session.change_folders(added=[vault / "Раздел"])
        session.change_folders(removed=[vault])
        algebra = session.open("Алгебра.md")
        await session.wait_for_codes(algebra, lambda codes: codes == ALGEBRA_CODES)
        await wait_until(lambda: len(_vault_watchers(session)) == 1)
        kept = await _symbol_paths(session, "Копия")

    assert kept == {(vault / "Копия.md").resolve()}
    assert session.unregistrations == []
    assert session.indexed_runs() == 1  # indexed once, at startup


async def test_closing_the_last_note_opened_from_outside_every_folder_drops_its_vault(
    tmp_path: Path,
) -> None:
    """A note opened from a vault no folder holds brings the vault in, watched from its root;
    closing it lets the vault go: no index, no watchers. Opened again, it comes back."""
    folder, other = _folder_and_vault_outside(tmp_path)
    async with editor(folder, relative_patterns=True) as session:
        algebra, watcher = await _open_watched_from_outside(session, other)

        session.close(algebra)
        await session.wait_for_codes(algebra, lambda codes: codes == [])
        await wait_until(lambda: bool(session.unregistrations))
        gone = await _symbol_paths(session, "Копия")

        session.open_file(other / "Алгебра.md")
        await session.wait_for_codes(algebra, lambda codes: codes == ALGEBRA_CODES)
        await wait_until(lambda: len(_vault_watchers(session)) == 2)
        back = await _symbol_paths(session, "Копия")

    assert [u.id for u in session.unregistrations] == [watcher]
    assert [u.method for u in session.unregistrations] == ["workspace/didChangeWatchedFiles"]
    assert gone == set()
    assert back == {(other / "Копия.md").resolve()}
    assert _vault_watchers(session)[1] != watcher  # a registration of its own, not the old id


async def test_a_pull_client_pulls_again_and_clears_the_notes_of_a_removed_folder(
    tmp_path: Path,
) -> None:
    kept = write_files(tmp_path / "Папка", {"Заметка.md": "Текст 🙂\n"})
    removed = write_files(
        tmp_path / "Хранилище", {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY}
    )
    async with editor(kept, pull=True) as session:
        session.change_folders(added=[removed])
        await wait_until(lambda: session.indexed_runs() >= 2)
        first, held = await _pull(session, {})
        await asyncio.sleep(_REFRESH_SETTLED_S)
        refreshes = session.client.diagnostic_refresh_count

        session.change_folders(removed=[removed])
        await wait_until(lambda: session.client.diagnostic_refresh_count > refreshes)
        again, _ = await _pull(session, held)

    algebra, copy = (removed / "Алгебра.md").resolve(), (removed / "Копия.md").resolve()
    note = (kept / "Заметка.md").resolve()
    assert first == {algebra: ALGEBRA_CODES, copy: ["duplicate-id"], note: []}
    assert again == {algebra: [], copy: [], note: None}  # cleared; the other folder's unchanged


async def test_a_pull_client_clears_the_notes_of_a_vault_whose_last_open_note_closed(
    tmp_path: Path,
) -> None:
    folder, other = _folder_and_vault_outside(tmp_path)
    async with editor(folder, pull=True) as session:
        algebra_uri = session.open_file(other / "Алгебра.md")
        await wait_until(lambda: session.indexed_runs() >= 2)
        first, held = await _pull(session, {})
        await asyncio.sleep(_REFRESH_SETTLED_S)
        refreshes = session.client.diagnostic_refresh_count

        session.close(algebra_uri)
        await wait_until(lambda: session.client.diagnostic_refresh_count > refreshes)
        again, _ = await _pull(session, held)

    algebra, copy = (other / "Алгебра.md").resolve(), (other / "Копия.md").resolve()
    note = (folder / "Заметка.md").resolve()
    assert first == {algebra: ALGEBRA_CODES, copy: ["duplicate-id"], note: []}
    assert again == {algebra: [], copy: [], note: None}


async def test_a_note_opened_before_its_folder_is_added_joins_that_folders_vault(
    tmp_path: Path,
) -> None:
    """Opened from a folder without a vault's marks, a note is no vault's and gets no findings;
    once the folder is added to the workspace, it is a note of that vault."""
    folder = write_files(tmp_path / "Папка", {"Заметка.md": "Текст 🙂\n"})
    plain = tmp_path / "Без отметок"
    plain.mkdir()
    (plain / "Алгебра.md").write_text(notes.ALGEBRA, encoding="utf-8")
    (plain / "Копия.md").write_text(notes.COPY, encoding="utf-8")
    async with editor(folder) as session:
        algebra = session.open_file(plain / "Алгебра.md")
        await session.wait_for_codes(algebra, lambda codes: codes == [])
        session.change_folders(added=[plain])
        joined = await session.wait_for_codes(algebra, lambda codes: codes == ALGEBRA_CODES)
        found = await _symbol_paths(session, "Копия")

    assert joined == ALGEBRA_CODES
    assert found == {(plain / "Копия.md").resolve()}


async def test_a_folder_swapped_for_its_subfolder_in_one_event_keeps_the_vault(
    vault: Path,
) -> None:
    """One folders event replacing the vault's folder by a folder inside it: the vault and its
    index stay, nothing is indexed again."""
    write_files(
        vault,
        {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY, "Раздел/Заметка.md": notes.CLEAN},
    )
    async with editor(vault) as session:
        await wait_until(lambda: session.indexed_runs() == 1)
        session.change_folders(added=[vault / "Раздел"], removed=[vault])
        algebra = session.open("Алгебра.md")
        await session.wait_for_codes(algebra, lambda codes: codes == ALGEBRA_CODES)
        kept = await _symbol_paths(session, "Копия")
        await asyncio.sleep(_REFRESH_SETTLED_S)

    assert kept == {(vault / "Копия.md").resolve()}
    assert session.indexed_runs() == 1


async def test_a_vault_watched_on_its_own_stops_when_a_folder_covers_it(tmp_path: Path) -> None:
    """A note opened from a vault no folder holds gets the vault watchers of its own; once the
    vault's folder is added, the client's watchers cover it and those go."""
    folder, other = _folder_and_vault_outside(tmp_path)
    async with editor(folder, relative_patterns=True) as session:
        algebra, watcher = await _open_watched_from_outside(session, other)

        session.change_folders(added=[other])
        await wait_until(lambda: bool(session.unregistrations))
        session.close(algebra)
        await asyncio.sleep(_REFRESH_SETTLED_S)
        kept = await _symbol_paths(session, "Копия")

    assert [u.id for u in session.unregistrations] == [watcher]
    assert len(_vault_watchers(session)) == 1  # none registered again
    assert kept == {(other / "Копия.md").resolve()}  # the folder holds the vault now


def test_a_dropped_vaults_index_is_freed(tmp_path: Path) -> None:
    """An index is frozen with what survived its run (vault/loader.paused_gc), and it and its
    vault refer to each other: once nothing holds the vault, the settling that follows the
    drop collects them. Was: nothing did, and a removed folder's whole index stayed in memory
    for as long as the server ran (117 MB kept after a 6,000-note folder was removed)."""
    import gc
    import threading
    import weakref

    from workspace_harness import indexed

    from notels.lsp.indexer import Settling

    root = write_files(tmp_path / "V", {"a.md": "# A [[b]]\n", "b.md": "# B\n"})
    workspace = indexed(root)
    gone = weakref.ref(next(iter(workspace.vaults.values())))
    assert gc.is_tracked(gone()) and gone() not in gc.get_objects()  # frozen by the run
    quiet = threading.Event()
    settling = Settling(quiet.wait)
    effects = workspace.remove_folder(root)
    assert effects.dropped == [gone()]
    for vault in effects.dropped:
        settling.after_drop(vault)
    del effects, vault
    gc.collect()
    assert gone() is not None  # frozen: only the settling's collection frees it
    quiet.set()
    deadline = time.monotonic() + 10
    while gone() is not None:
        assert time.monotonic() < deadline, "the dropped vault is still alive"
        time.sleep(0.01)


def test_the_collection_after_a_drop_waits_for_a_load_holding_the_collector_paused(
    tmp_path: Path,
) -> None:
    """The name catalog is built after each indexing run with the collector paused, so that
    what it builds is frozen with the index (a full collection scanning it stalled a keystroke
    0.12 s at 50,000 notes). A settling that came meanwhile did nothing (collect_and_freeze
    refuses while a load runs) and left the garbage frozen; now it waits for the load, and
    for the client to pause again."""
    import gc
    import threading
    import weakref

    from workspace_harness import indexed

    from notels.lsp.indexer import Settling
    from notels.vault.loader import paused_gc

    root = write_files(tmp_path / "V", {"a.md": "# A [[b]]\n", "b.md": "# B\n"})
    workspace = indexed(root)
    gone = weakref.ref(next(iter(workspace.vaults.values())))
    loading, release = threading.Event(), threading.Event()

    def load() -> None:
        with paused_gc():
            loading.set()
            release.wait(10)

    loader = threading.Thread(target=load)
    loader.start()
    try:
        assert loading.wait(5)
        quiet = threading.Event()
        quiet.set()
        settling = Settling(quiet.wait)
        effects = workspace.remove_folder(root)
        for vault in effects.dropped:
            settling.after_drop(vault)
        del effects, vault
        time.sleep(0.3)  # the settling came, and found the collector paused
        gc.collect()
        assert gone() is not None  # frozen: only the settling's collection frees it
    finally:
        release.set()
        loader.join()
    deadline = time.monotonic() + 10
    while gone() is not None:
        assert time.monotonic() < deadline, "the dropped vault is still alive"
        time.sleep(0.01)
