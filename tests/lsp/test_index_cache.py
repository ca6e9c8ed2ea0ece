"""Startup indexing through the real server: the persistent cache and the worker processes."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import notes
from lsp_harness import SERVER_DIR, editor, wait_until, write_files
from lsprotocol import types
from pytest_lsp import LanguageClient

REPO = Path(__file__).resolve().parents[2]


async def _indexed_line(client: LanguageClient) -> str:
    """The server's "indexed N notes of R in S s (C from the cache)" log line."""

    def lines() -> list[str]:
        return [m.message for m in client.log_messages if m.message.startswith("indexed ")]

    await wait_until(lambda: bool(lines()))  # logged right after the progress end
    assert len(lines()) == 1, lines()
    return lines()[0]


def age(root: Path) -> Path:
    """Files written an hour ago: the cache does not trust files changed just before it."""
    then = time.time() - 3600
    for path in root.rglob("*"):
        os.utime(path, (then, then))
    return root


def _cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.index")) if cache.exists() else []


async def _wait_for_cache(cache: Path) -> None:
    await wait_until(lambda: bool(_cache_files(cache)))


async def test_a_second_start_reads_unchanged_notes_from_the_cache(
    vault: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    env = {"NOTELS_CACHE_DIR": str(cache)}
    write_files(
        vault,
        {
            "Алгебра.md": "# Алгебра\n\nSee [[Группа]], [[Кольцо#Аксиомы]] and [[Поле]].\n",
            "Группа.md": "# Группа\n\nA set with one operation. 🙂\n",
            "Кольцо.md": "# Кольцо\n\n## Определение\n",
            "Поле.md": "# Поле\n",
        },
    )
    age(vault)
    async with editor(vault, env=env) as session:
        uri = session.open("Алгебра.md")
        codes = await session.wait_for_codes(uri, lambda codes: bool(codes))
        assert codes == ["unresolved-heading"]
        assert "(0 from the cache)" in await _indexed_line(session.client)
        await _wait_for_cache(cache)

    # While no server runs: one note gains the heading, one is deleted, one is untouched.
    (vault / "Кольцо.md").write_text("# Кольцо\n\n## Аксиомы\n", encoding="utf-8")
    (vault / "Поле.md").unlink()
    async with editor(vault, env=env) as session:
        line = await _indexed_line(session.client)
        assert line.startswith("indexed 3 notes") and "(2 from the cache)" in line, line
        uri = session.open("Алгебра.md")
        codes = await session.wait_for_codes(uri, lambda codes: bool(codes))
        assert codes == ["unresolved-link"]  # [[Поле]] is gone; the heading now exists
        # A note known only from the cache is parsed on demand, with its current text.
        hover = await session.hover(uri, 2, 7)
        assert hover is not None and "A set with one operation" in str(hover.contents)


async def test_the_cache_waits_for_a_pause_of_the_client_or_its_shutdown(
    vault: Path, tmp_path: Path
) -> None:
    """Writing it holds the server up (0.5 s with 50,000 notes): not while the client talks."""
    cache = tmp_path / "cache"
    age(write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY}))
    async with editor(vault, env={"NOTELS_CACHE_DIR": str(cache)}) as session:
        uri = session.open("Алгебра.md")
        document = types.TextDocumentIdentifier(uri=uri)
        for _ in range(40):  # 2 s of requests, 50 ms apart
            await session.client.text_document_document_symbol_async(
                types.DocumentSymbolParams(text_document=document)
            )
            await asyncio.sleep(0.05)
        assert _cache_files(cache) == []
    # The shutdown request wrote it.
    async with editor(vault, env={"NOTELS_CACHE_DIR": str(cache)}) as session:
        assert "(2 from the cache)" in await _indexed_line(session.client)


async def test_a_damaged_cache_is_ignored_and_replaced(vault: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {"NOTELS_CACHE_DIR": str(cache)}
    age(write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY}))
    async with editor(vault, env=env) as session:
        await _wait_for_cache(cache)
    (cache_file,) = _cache_files(cache)
    data = cache_file.read_bytes()
    damaged = data[: len(data) // 2] + b"\x00garbage"
    cache_file.write_bytes(damaged)
    async with editor(vault, env=env) as session:
        assert "(0 from the cache)" in await _indexed_line(session.client)
        uri = session.open("Копия.md")
        codes = await session.wait_for_codes(uri, lambda codes: bool(codes))
        assert codes == ["duplicate-id"]
        await wait_until(lambda: cache_file.read_bytes() != damaged)
    for _ in range(3):  # the run rewrote it whole
        async with editor(vault, env=env) as session:
            assert "(2 from the cache)" in await _indexed_line(session.client)


async def test_no_cache_is_written_when_it_is_turned_off(vault: Path, tmp_path: Path) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA})
    home = tmp_path / "home"
    env = {"NOTELS_CACHE_DIR": "off", "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    async with editor(vault, env=env) as session:
        assert "(0 from the cache)" in await _indexed_line(session.client)
    assert not home.exists()


async def test_worker_processes_index_what_check_reports(tmp_path: Path) -> None:
    """examples/vault indexed by two worker processes: the server's workspace diagnostics are
    the findings of `notels check` (every rule fires there, hazards included)."""
    vault = tmp_path / "vault"
    shutil.copytree(REPO / "examples" / "vault", vault, symlinks=True)
    checked = subprocess.run(
        [sys.executable, "-m", "notels", "check", str(vault), "--format", "json", "--exit-zero"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SERVER_DIR)},
        check=True,
    )
    expected = {
        (Path(f["path"]).resolve(), f["code"], f["line"] - 1) for f in json.loads(checked.stdout)
    }
    env = {"NOTELS_INDEX_PROCESSES": "2", "NOTELS_CACHE_DIR": str(tmp_path / "cache")}
    async with editor(vault, pull=True, env=env) as session:
        report = await session.client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
    found = {
        (Path(types_path(item.uri)).resolve(), str(d.code), d.range.start.line)
        for item in report.items
        if isinstance(item, types.WorkspaceFullDocumentDiagnosticReport)
        for d in item.items
    }
    assert found == expected


def types_path(uri: str) -> str:
    from urllib.parse import unquote, urlparse

    return unquote(urlparse(uri).path)
