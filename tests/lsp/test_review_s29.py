"""Review of b9f074f..135b837 (whole-vault passes have worker processes check the notes not
cached: lsp/warm_findings.py, rules/in_workers.py, vault/shipped.py): defects found, each a
failing test."""

from __future__ import annotations

import asyncio
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest
from lsp_harness import editor, wait_until, write_files
from lsprotocol import types
from pull_harness import plain_pull

WORKER_HOOKS = Path(__file__).resolve().parent / "worker_hooks" / "sitecustomize.py"

# The server's own hooks, beside the workers' (worker_hooks/sitecustomize.py, run first: one
# sitecustomize is imported per process). With NOTELS_TEST_SERVER_HOOKS set to a folder, in
# the server process (`notels serve`) only:
# - the thread of a WarmRun leaves `thread-started` there as it begins, and then waits while
#   `hold-thread` exists before it takes the vault's lock: as a thread the OS runs late would;
# - starting that thread fails, as `threading.Thread.start` does when the process may start
#   no more threads, while `no-thread` exists.
_SERVER_HOOKS = textwrap.dedent(
    """
    import os
    import sys

    _worker_hooks = {worker_hooks!r}
    exec(compile(open(_worker_hooks, encoding="utf-8").read(), _worker_hooks, "exec"))

    _SERVER = os.environ.get("NOTELS_TEST_SERVER_HOOKS")
    if _SERVER and "serve" in sys.orig_argv:
        import time
        from pathlib import Path

        import notels.lsp.warm_findings as _warm

        _server = Path(_SERVER)
        _check = _warm.WarmFindings._check
        _start_thread = _warm.start_thread

        def _held_check(self, warm, workers, loop):
            (_server / "thread-started").touch()
            while (_server / "hold-thread").exists():
                time.sleep(0.02)
            _check(self, warm, workers, loop)

        def _failing_start_thread(name, target):
            if (_server / "no-thread").exists():
                raise RuntimeError("can't start new thread")
            return _start_thread(name, target)

        _warm.WarmFindings._check = _held_check
        _warm.start_thread = _failing_start_thread
    """
)


def _with_workers(tmp_path: Path) -> tuple[dict[str, str], Path, Path]:
    """Two workers whatever the vault's size, with the workers' and the server's hooks:
    (env, the workers' hook folder, the server's hook folder)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        _SERVER_HOOKS.format(worker_hooks=str(WORKER_HOOKS)), encoding="utf-8"
    )
    workers, server = tmp_path / "worker_hooks", tmp_path / "server_hooks"
    workers.mkdir()
    server.mkdir()
    env = {
        "NOTELS_INDEX_PROCESSES": "2",
        "NOTELS_TEST_WORKERS": str(workers),
        "NOTELS_TEST_SERVER_HOOKS": str(server),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])),
    }
    return env, workers, server


async def _partial_status(session: Any) -> Any:
    """A request answered at once: every notification sent before it has been handled."""
    return await session.client.protocol.send_request_async("notels/vaultStatus", {"partial": True})


CLEAN_NOTES = {f"Заметка {n:03} 😀.md": "Текст.\n" for n in range(200)}


async def test_a_note_opened_as_the_workers_start_is_reported_from_the_file_not_the_editor(
    vault: Path, tmp_path: Path
) -> None:
    """Defect: WarmFindings.start picks the notes to check (leaving out those open in the
    editor) on the event loop, but the moment the workers' results are judged by
    (`vault.cache.moment()`) is only taken later, on the new thread, when it gets the vault's
    lock. A note opened in between is among the notes the workers check, and its drop (the
    open) comes before the moment, so `put_if_current` takes their findings. The workers read
    the note from disk, and the index's summary of an open note has no stamp, so they do not
    even see it as stale: the findings of the file's text stand, cached, for the editor's
    text, until something else drops them. Here the editor's text has a broken link; the pull
    (and every pull after it) reports none.

    The server hook only holds the thread before it takes the lock, as a thread the OS
    schedules late does (the loop goes on handling messages meanwhile)."""
    write_files(vault, CLEAN_NOTES)
    env, _, server = _with_workers(tmp_path)
    (server / "hold-thread").touch()
    async with editor(vault, pull=True, env=env) as session:
        pull = asyncio.ensure_future(plain_pull(session))
        await wait_until(lambda: (server / "thread-started").exists())
        opened = session.open("Заметка 007 😀.md", "Теперь [[Нигде 😀]].\n")
        await _partial_status(session)  # the open is handled
        (server / "hold-thread").unlink()
        reports = await asyncio.wait_for(pull, 30)
        again = await plain_pull(session)
    assert "unresolved-link" in reports[opened], reports[opened]
    assert "unresolved-link" in again[opened], again[opened]


async def test_a_warm_run_whose_thread_did_not_start_hangs_every_pass_after_it(
    vault: Path, tmp_path: Path
) -> None:
    """Defect: WarmFindings.start registers the WarmRun (`self._runs[vault] = warm`) before it
    starts its thread. When the thread cannot start (RuntimeError: can't start new thread,
    under a process or memory limit), the pass fails with it, although the workers are only an
    optimisation and `start` may answer None ("the caller checks them itself"); worse, the
    WarmRun stays registered, never finished, with nothing to advance it. Every later pass of
    the same indexing run gets it back from `start` and waits in `until_checked` forever: no
    workspace pull ever answers again, nor a full vaultStatus, until the vault is re-indexed.
    """
    write_files(vault, CLEAN_NOTES)
    env, _, server = _with_workers(tmp_path)
    (server / "no-thread").touch()
    async with editor(vault, pull=True, env=env) as session:
        first: dict[str, str] | Exception
        try:
            first = await asyncio.wait_for(plain_pull(session), 10)
        except Exception as error:  # the pass raised with the thread's start
            first = error
        (server / "no-thread").unlink()  # threads start again
        try:
            second = await asyncio.wait_for(plain_pull(session), 10)
        except TimeoutError:
            second = None
    assert second is not None, "the next pull waits forever on the WarmRun that never ran"
    assert isinstance(first, dict), f"the pull failed as the thread did not start: {first!r}"


async def test_a_warm_run_keeps_a_dropped_vault_alive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defect: WarmFindings._runs is a WeakKeyDictionary keyed by the vault, so that "a vault
    nothing holds any more must not stay in memory" (as session._read_locks); but its value,
    the WarmRun, holds the vault (`warm.vault`), and a weak-keyed dictionary holds its values
    strongly: the key can never die. Nothing removes a finished run. A vault checked once by
    workers (any workspace pull or full vaultStatus of a large vault) stays in memory with
    its whole index after its folder is removed, for as long as the server runs; each remove
    and re-add of the folder keeps one more."""
    import gc
    import weakref

    from workspace_harness import indexed

    from notels.lsp.warm_findings import WarmFindings

    monkeypatch.setenv("NOTELS_INDEX_PROCESSES", "2")
    root = write_files(tmp_path / "V", {f"n{n:03}.md": f"[[n{n + 1:03}]]\n" for n in range(200)})
    workspace = indexed(root)
    warm_findings = WarmFindings(workspace)
    (vault,) = workspace.vaults.values()
    paths = sorted(vault.index.summaries)
    warm = warm_findings.start(vault, vault.run, paths)
    assert warm is not None
    await asyncio.wait_for(warm.until_checked(paths[-1]), 30)
    for _ in range(500):
        if warm.finished:
            break
        await asyncio.sleep(0.02)
    assert warm.finished
    assert len(vault.cache) == len(paths)  # checked by the workers

    gone = weakref.ref(vault)
    assert workspace.remove_folder(root).dropped == [vault]
    del vault, warm
    gc.unfreeze()  # the indexing run froze the index with the objects that survived it
    gc.collect()
    assert gone() is None, "the dropped vault is kept by WarmFindings._runs' WarmRun"


def _workers_ran(hooks: Path) -> int:
    return len(list(hooks.glob("checked-*")))


async def test_a_pass_after_the_cache_is_cleared_waits_on_the_workers_results_then_drops_them(
    vault: Path, tmp_path: Path
) -> None:
    """Defect (the work goes back to the event loop): WarmFindings.start hands a pass the run
    already under way for the same indexing run, whatever its moment. A settings change that
    does not re-index (a rule's severity) clears the findings cache: every result of that run
    is refused by `put_if_current` from then on, yet a pull begun after the change waits on it
    note by note and then checks every note itself, on the event loop: what the workers were
    to spare it (7.8 s of the loop at 10,000 notes), with their processes busy beside it for
    nothing. No new run is started for the pull; the log says "checked 200 of 200 notes" in
    workers all the same."""
    write_files(vault, {f"Ссылка {n:03} 😀.md": "См. [[Нет 😀]].\n" for n in range(200)})
    env, workers, _ = _with_workers(tmp_path)
    (workers / "hold").touch()
    async with editor(vault, pull=True, env=env) as session:
        counting = asyncio.ensure_future(
            session.client.protocol.send_request_async("notels/vaultStatus", {})
        )
        await wait_until(lambda: _workers_ran(workers) == 2)  # the status' run, held
        session.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(
                settings={"notels": {"rules": {"unresolved-link": "warning"}}}
            )
        )
        await _partial_status(session)  # the settings are in: the cache is cleared
        pull = asyncio.ensure_future(plain_pull(session))
        await asyncio.sleep(0.5)  # the pull's pass is under way
        (workers / "hold").unlink()
        reports = await asyncio.wait_for(pull, 30)
        await asyncio.wait_for(counting, 30)
        await asyncio.sleep(0.2)
        logged = [
            m.message for m in session.client.log_messages if "worker processes in" in m.message
        ]
    assert all("unresolved-link" in report for report in reports.values())
    assert _workers_ran(workers) == 4, (
        f"the pull's notes were checked on the event loop, not in workers; logged: {logged}"
    )
