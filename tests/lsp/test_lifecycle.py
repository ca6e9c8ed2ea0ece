"""Starting, indexing, stopping: the server's life with and without a polite client."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, cast
from urllib.parse import unquote, urlparse

import pytest
from lsp_harness import SERVER_DIR, editor, index_finished, wait_until, write_files
from lsprotocol import types
from pygls.lsp.client import LanguageClient as PyglsClient
from pygls.lsp.server import LanguageServer

from notels.lsp import session as session_module

NOTES = {
    f"Папка {i % 7}/Заметка {i} 🙂.md": f"Текст {i} со ссылкой [[Заметка {i + 1} 🙂]].\n"
    for i in range(300)
}


async def test_initialize_announces_capabilities_and_reports_indexing_progress(vault: Path) -> None:
    """Given a vault of 300 notes, the client sees begin, "n/N notes" reports and end."""
    write_files(vault, NOTES)
    async with editor(vault) as session:
        reports = next(iter(session.client.progress_reports.values()))

    begin, *middle, end = reports
    assert isinstance(begin, types.WorkDoneProgressBegin)
    assert begin.title.startswith("notels: indexing")
    assert isinstance(end, types.WorkDoneProgressEnd)
    assert end.message == "300 notes indexed"
    assert middle and all(isinstance(r, types.WorkDoneProgressReport) for r in middle)
    counts = [re.fullmatch(r"(\d+)/300 notes", r.message or "") for r in middle]
    assert all(counts), [r.message for r in middle]
    done = [int(match.group(1)) for match in counts if match]
    assert done == sorted(done) and done[-1] == 300
    percentages = [r.percentage for r in middle]
    assert percentages == sorted(percentages) and percentages[-1] == 100


async def test_a_note_opened_during_the_handshake_has_its_vault_indexed_once(vault: Path) -> None:
    """Without workspace folders the note brings its vault in; opened while the server still
    asks for the settings, the vault was indexed, then indexed again with them."""
    write_files(vault, NOTES)
    async with editor(vault, folders=False) as session:
        uri = session.open("Папка 1/Заметка 1 🙂.md")
        await wait_until(lambda: index_finished(session.client))
        await session.wait_for_codes(uri, lambda codes: codes == [])
        await asyncio.sleep(0.3)  # a second run would have begun by now
        runs = list(session.client.progress_reports.values())
    assert len(runs) == 1
    assert isinstance(runs[0][-1], types.WorkDoneProgressEnd)
    assert runs[0][-1].message == "300 notes indexed"


def test_a_client_that_never_answers_a_registration_still_gets_its_vault_indexed(
    vault: Path, tmp_path: Path
) -> None:
    """The server asks to watch files right after `initialized`; waiting for the answer held
    up the settings and so the index, for good with a client that never sends one."""
    write_files(vault, NOTES)
    log_file = tmp_path / "notels.log"
    server = _start_raw("--log-file", str(log_file))
    assert server.stdin is not None and server.stdout is not None
    watching = {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}}
    params = {"processId": os.getpid(), "rootUri": vault.as_uri(), "capabilities": watching}
    try:
        server.stdin.write(
            _frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})
        )
        server.stdin.write(_frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        server.stdin.flush()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "indexed 300 notes" not in _read(log_file):
            time.sleep(0.05)
        assert "indexed 300 notes" in _read(log_file)
    finally:
        server.kill()
        server.wait()
        server.stdin.close()
        server.stdout.close()


async def test_settings_a_client_never_sends_are_waited_for_a_while_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The index waits for the settings; a client that never answers must not stall it."""

    class Silent:
        def workspace_configuration_async(self, params: object) -> asyncio.Future[object]:
            return asyncio.get_running_loop().create_future()

    monkeypatch.setattr(session_module, "_CLIENT_ANSWER_S", 0.05)
    session = session_module.Session(cast(LanguageServer, Silent()))
    session.initialize(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                workspace=types.WorkspaceClientCapabilities(configuration=True)
            )
        )
    )
    effects = await asyncio.wait_for(session.fetch_settings(), 5)
    assert (effects.index, effects.errors) == ([], [])


async def test_server_capabilities_and_dynamic_registrations(vault: Path) -> None:
    write_files(vault, {"Заметка.md": "Текст.\n"})
    async with editor(vault) as session:
        registrations = {r.method: r for r in session.registrations}

    watched = registrations[types.WORKSPACE_DID_CHANGE_WATCHED_FILES].register_options
    globs = [watcher["globPattern"] for watcher in watched["watchers"]]  # type: ignore[index]
    assert "**/*.{md,MD,Md,mD}" in globs and "**/.notels.toml" in globs
    assert registrations[types.WORKSPACE_DID_CHANGE_CONFIGURATION].register_options == {
        "section": "notels"
    }


def _watched_bases(registrations: list[types.Registration]) -> list[set[str]]:
    """The base folders of each file-watcher registration's patterns ("" for plain globs)."""
    bases = []
    for registration in registrations:
        if registration.method != types.WORKSPACE_DID_CHANGE_WATCHED_FILES:
            continue
        options = registration.register_options
        assert isinstance(options, dict)
        found = set()
        for watcher in options["watchers"]:
            pattern = watcher["globPattern"]
            found.add(
                "" if isinstance(pattern, str) else unquote(urlparse(pattern["baseUri"]).path)
            )
        bases.append(found)
    return bases


async def test_a_vault_above_the_workspace_folder_is_watched_from_its_root(vault: Path) -> None:
    # A folder opened inside a vault: clients watch files only inside their workspace folders,
    # so the vault gets watchers of its own, relative to its root, from clients that take them.
    write_files(
        vault,
        {
            ".obsidian/app.json": "{}",
            "Раздел/Заметка.md": "См. [[Другая]].\n",
            "Другая.md": "Текст.\n",
        },
    )
    async with editor(vault / "Раздел", relative_patterns=True) as session:
        await wait_until(lambda: len(_watched_bases(session.registrations)) == 2)
        bases = _watched_bases(session.registrations)
        # The note outside the folder is indexed: the link resolves.
        uri = session.open("Заметка.md")
        await session.wait_for_codes(uri, lambda codes: "unresolved-link" not in codes)
    assert bases == [{""}, {str(vault.resolve())}]

    # Opened at the vault's root, or by a client without relative patterns: none of its own.
    async with editor(vault, relative_patterns=True) as session:
        uri = session.open("Другая.md")
        await session.wait_for_codes(uri, lambda codes: True)
        assert _watched_bases(session.registrations) == [{""}]
    async with editor(vault / "Раздел") as session:
        uri = session.open("Заметка.md")
        await session.wait_for_codes(uri, lambda codes: True)
        assert _watched_bases(session.registrations) == [{""}]


async def test_initialize_result(vault: Path) -> None:
    write_files(vault, {})
    client = PyglsClient("raw", "1")
    await client.start_io(
        sys.executable, "-m", "notels", "serve", env={**os.environ, "PYTHONPATH": str(SERVER_DIR)}
    )
    result = await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                general=types.GeneralClientCapabilities(position_encodings=["utf-32", "utf-16"])
            ),
            root_uri=vault.as_uri(),
        )
    )
    capabilities = result.capabilities
    assert capabilities.position_encoding == types.PositionEncodingKind.Utf32
    sync = capabilities.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions)
    assert sync.change == types.TextDocumentSyncKind.Incremental and sync.open_close
    # This client announces no pull diagnostics: it gets pushed ones, and no pull provider.
    assert capabilities.diagnostic_provider is None
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    assert client._server is not None and client._server.returncode == 0


def _start_raw(*extra: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "notels", "serve", *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(SERVER_DIR), **(env or {})},
    )


def _frame(message: dict[str, object]) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def _initialize(process_id: int | None, root: Path) -> bytes:
    params: dict[str, object] = {
        "processId": process_id,
        "rootUri": root.as_uri(),
        "capabilities": {},
    }
    return _frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})


def test_exits_on_end_of_input_and_logs_to_the_log_file(vault: Path, tmp_path: Path) -> None:
    """An editor that crashes closes our stdin: the server must not linger."""
    write_files(vault, {"Заметка.md": "Текст.\n"})
    log_file = tmp_path / "notels.log"
    server = _start_raw("--log-file", str(log_file))
    assert server.stdin is not None and server.stdout is not None
    server.stdin.write(_initialize(os.getpid(), vault))
    server.stdin.write(_frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
    server.stdin.close()
    assert server.wait(timeout=10) == 1  # no shutdown request came first
    assert b'"id":1' in server.stdout.read()  # the initialize response, and only protocol
    assert "1 vault(s)" in log_file.read_text(encoding="utf-8")


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _worker_children(pid: int) -> list[int]:
    """The server's worker processes (Linux: /proc lists a thread's children)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii").split()
    workers = []
    for child in children:
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue  # it just ended
        if b"notels.worker" in command:
            workers.append(int(child))
    return workers


@pytest.mark.skipif(not Path(f"/proc/{os.getpid()}/task").is_dir(), reason="needs Linux /proc")
def test_workers_start_at_a_first_initialize_and_none_outlive_the_first_index(
    vault: Path, tmp_path: Path
) -> None:
    """A vault without an index cache: the index's worker processes start at `initialize`
    and wait for their job; once the first index run is over, none is left. With the cache
    the next start reads (nearly) nothing: none start."""
    write_files(vault, NOTES)
    env = {"NOTELS_INDEX_PROCESSES": "2", "NOTELS_CACHE_DIR": str(tmp_path / "cache")}
    for first in (True, False):
        log_file = tmp_path / f"notels-{first}.log"
        server = _start_raw("--log-file", str(log_file), env=env)
        assert server.stdin is not None and server.stdout is not None
        try:
            server.stdin.write(_initialize(os.getpid(), vault))
            server.stdin.flush()
            deadline = time.monotonic() + 30
            while "vault(s)" not in _read(log_file) and time.monotonic() < deadline:
                time.sleep(0.02)
            while len(_worker_children(server.pid)) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
                if not first:
                    break
            assert len(_worker_children(server.pid)) == (2 if first else 0)
            server.stdin.write(_frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
            server.stdin.flush()
            indexed = "indexed 300 notes"
            while time.monotonic() < deadline and indexed not in _read(log_file):
                time.sleep(0.02)
            assert indexed in _read(log_file)
            assert _worker_children(server.pid) == []
            if first:  # the shutdown request writes the cache
                server.stdin.write(_frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
                server.stdin.flush()
                while not any((tmp_path / "cache").glob("*.index")):
                    assert time.monotonic() < deadline
                    time.sleep(0.02)
        finally:
            server.kill()
            server.wait()
            server.stdin.close()
            server.stdout.close()


def test_exits_when_the_client_process_dies(vault: Path) -> None:
    """The editor died, but something else still holds our stdin open."""
    write_files(vault, {"Заметка.md": "Текст.\n"})
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    server = _start_raw()
    assert server.stdin is not None
    server.stdin.write(_initialize(parent.pid, vault))
    server.stdin.flush()
    time.sleep(0.5)
    assert server.poll() is None
    parent.kill()
    parent.wait()
    try:
        assert server.wait(timeout=10) == 1
    finally:
        server.kill()
        server.stdin.close()


async def test_tcp(vault: Path) -> None:
    write_files(vault, {"Заметка.md": "Привет 😀 [[Нет такой]]\n"})
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = _start_raw("--tcp", f"127.0.0.1:{port}")
    client = PyglsClient("tcp", "1")
    try:
        for _ in range(100):
            try:
                await client.start_tcp("127.0.0.1", port)
                break
            except OSError:
                time.sleep(0.05)
        result = await client.initialize_async(
            types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=vault.as_uri())
        )
        assert result.server_info is not None and result.server_info.name == "notels"
        await client.shutdown_async(None)
        client.exit(None)
        assert server.wait(timeout=10) == 0
    finally:
        server.kill()
        await client.stop()


def test_one_socket_as_stdin_and_stdout_keeps_every_answer(vault: Path) -> None:
    """socat- or inetd-style clients hand the server one socket as both stdin and stdout. The
    server must not make it non-blocking for its reads: its writes would then fail once the
    socket buffer fills while the client is not reading."""
    write_files(vault, {"Заметка.md": "Текст.\n"})
    client, server_end = socket.socketpair()
    server = subprocess.Popen(
        [sys.executable, "-m", "notels", "serve"],
        stdin=server_end.fileno(),
        stdout=server_end.fileno(),
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(SERVER_DIR)},
    )
    server_end.close()
    requests = 1500
    query = {"query": "x" * 200}
    messages = [_initialize(os.getpid(), vault)]
    messages += [
        _frame({"jsonrpc": "2.0", "id": 100 + i, "method": "workspace/symbol", "params": query})
        for i in range(requests)
    ]
    # Sending from a thread: the server stops reading while its answers wait to be read.
    sender = threading.Thread(target=client.sendall, args=(b"".join(messages),), daemon=True)
    try:
        sender.start()
        time.sleep(3)  # not reading: the server's answers fill the socket buffer
        client.settimeout(30)
        received = b""
        answered: set[bytes] = set()
        while len(answered) < requests + 1:
            chunk = client.recv(1 << 20)
            assert chunk, f"the server stopped after {len(answered)} answers"
            received += chunk
            answered = set(re.findall(rb'"id": ?(\d+)', received))
        assert server.poll() is None
    finally:
        client.close()
        server.kill()
        server.wait()


def _watcher_ids(registrations: Sequence[types.Registration | types.Unregistration]) -> list[str]:
    return [r.id for r in registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]


async def test_a_new_folder_holding_folders_makes_the_watchers_register_again(vault: Path) -> None:
    # Neovim's Linux watcher watches the folders it finds when a registration comes, later each
    # new folder it hears of, but not the folders inside one (a `cp -r`, a `git checkout`):
    # notes written there never reached the server. Registered again, it walks the tree anew.
    write_files(vault, {"Заметка.md": "См. [[Черновик]].\n"})
    async with editor(vault) as session:
        (first,) = _watcher_ids(session.registrations)
        # A note, and a new folder without folders in it: nothing to renew.
        write_files(vault, {"Плоская/Новая.md": "Текст.\n", "Вторая.md": "Текст.\n"})
        session.notify_files(
            ("Плоская", types.FileChangeType.Created),
            ("Вторая.md", types.FileChangeType.Created),
        )
        uri = session.open("Заметка.md")
        await session.wait_for_codes(uri, lambda codes: "unresolved-link" in codes)
        assert _watcher_ids(session.registrations) == [first]
        # A folder with a folder in it: new watchers first, then the old ones dropped.
        write_files(vault, {"Тема/Черновики/Черновик.md": "# Черновик\n"})
        session.notify_files(("Тема", types.FileChangeType.Created))
        await wait_until(lambda: _watcher_ids(session.unregistrations) == [first])
        (_, second) = _watcher_ids(session.registrations)
        assert second != first
        # The folder's notes were read as well.
        await session.wait_for_codes(uri, lambda codes: "unresolved-link" not in codes)


def _read_until_response(stream: IO[bytes], request_id: int) -> None:
    """Reads framed messages from `stream` until the response to `request_id`."""
    while True:
        length = 0
        while (line := stream.readline().strip()) != b"":
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        message = json.loads(stream.read(length))
        if message.get("id") == request_id and "method" not in message:
            return


def test_a_late_cancel_is_not_a_warning_on_stderr(vault: Path) -> None:
    """VS Code cancels pull-diagnostic requests the server has already answered (routinely:
    about 2,000 times in 6 minutes on a 10,000-note vault in code-server). Each was written to
    stderr as a pygls WARNING "Cancel notification for unknown message id", which VS Code shows
    in the notels output: noise hiding the real warnings."""
    write_files(vault, {"Заметка.md": "Текст.\n"})
    server = subprocess.Popen(
        [sys.executable, "-m", "notels", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(SERVER_DIR)},
    )
    assert server.stdin is not None and server.stdout is not None and server.stderr is not None
    try:
        server.stdin.write(_initialize(os.getpid(), vault))
        server.stdin.write(_frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        server.stdin.flush()
        _read_until_response(server.stdout, 1)
        query = {"query": "Заметка"}
        server.stdin.write(
            _frame({"jsonrpc": "2.0", "id": 2, "method": "workspace/symbol", "params": query})
        )
        server.stdin.flush()
        _read_until_response(server.stdout, 2)
        # Answered: now the client's cancel arrives, as it does when the user typed on.
        server.stdin.write(
            _frame({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 2}})
        )
        server.stdin.write(_frame({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}))
        server.stdin.flush()
        _read_until_response(server.stdout, 3)
        server.stdin.write(_frame({"jsonrpc": "2.0", "method": "exit"}))
        server.stdin.close()
        server.wait(timeout=10)
        stderr = server.stderr.read().decode("utf-8", "replace")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert "Cancel notification for unknown message id" not in stderr
