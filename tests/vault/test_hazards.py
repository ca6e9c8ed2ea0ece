"""Hostile vaults: each odd file is reported once, and none of them stops the indexing.

Given a vault with a 10 MB note, a binary file named `.md`, invalid UTF-8, symlink loops, symlinks
leading outside, a FIFO named `.md`, an unreadable file, a file deleted while the vault is read and 5,000 notes in one
folder, `load_vault` (what `notels check` reads) and the language server both index every other
note, and the server's indexing run ends with its progress `end`.
"""

from __future__ import annotations

import io
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from notels.config import Config
from notels.vault import loader
from notels.vault.files import FileProblem, ProblemKind, scan_vault
from notels.vault.index import VaultIndex
from notels.vault.loader import load_vault

sys.path.append(str(Path(__file__).resolve().parents[1] / "lsp"))
import lsp_harness

MB = 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" + bytes(200)
GOOD = {
    "Обычная.md": "# Обычная 😀\n[[Другая]]\n",
    "папка/Другая.md": "---\naliases: [Вторая]\n---\n[[Обычная]]\n",
}


def build_hazards(root: Path) -> dict[str, ProblemKind | None]:
    """Write the hazards into `root`; path -> the problem each must give (None: just indexed)."""
    outside = root.parent / f"{root.name} снаружи"
    outside.mkdir(parents=True)
    (outside / "Чужая.md").write_text("[[Обычная]]\n", encoding="utf-8")
    lsp_harness.write_files(root, GOOD)
    with (root / "Огромная.md").open("wb") as handle:  # over the default limit of 5 MB
        handle.write(b"# Big\n" + b"x" * (10 * MB))
    (root / "Картинка.md").write_bytes(PNG)
    (root / "Кодировка.md").write_bytes("[[Обычная]]\n".encode() + "Привет\n".encode("cp1251"))
    (root / "папка" / "петля").symlink_to(root, target_is_directory=True)
    (root / "сама.md").symlink_to(root / "сама.md")
    (root / "наружу").symlink_to(outside, target_is_directory=True)
    (root / "Чужая.md").symlink_to(outside / "Чужая.md")
    os.mkfifo(root / "Труба.md")  # opened, it would wait for a writer forever
    return {
        "Труба.md": ProblemKind.NOT_A_FILE,
        "Огромная.md": ProblemKind.TOO_LARGE,
        "Картинка.md": ProblemKind.BINARY,
        "Кодировка.md": ProblemKind.INVALID_UTF8,
        "папка/петля": ProblemKind.SYMLINK_LOOP,
        "сама.md": ProblemKind.SYMLINK_LOOP,
        "наружу": ProblemKind.SYMLINK_OUTSIDE,
        "Чужая.md": ProblemKind.SYMLINK_OUTSIDE,
    }


def problems_by_path(problems: list[FileProblem]) -> dict[str, ProblemKind]:
    counts = Counter(problem.path for problem in problems)
    assert [path for path, count in counts.items() if count > 1] == []  # each reported once
    return {problem.path: problem.kind for problem in problems}


def indexed(root: Path) -> tuple[VaultIndex, list[tuple[int, int]]]:
    calls: list[tuple[int, int]] = []
    index = load_vault(root, Config(), lambda done, total: calls.append((done, total)))
    return index, calls


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "Хранилище"


def test_every_hazard_is_reported_once_and_the_other_notes_are_indexed(root: Path) -> None:
    expected = build_hazards(root)
    index, calls = indexed(root)

    assert problems_by_path(list(index.file_problems.values())) == expected
    # Invalid UTF-8 is read with replacement characters; the rest is skipped or not followed.
    assert sorted(index.notes) == ["Кодировка.md", "Обычная.md", "папка/Другая.md"]
    assert "\ufffd" in index.notes["Кодировка.md"].text
    assert calls[-1][0] == calls[-1][1]  # the progress reached its end
    # The scan itself sees the links, not what they lead to, and reports each link once.
    files = scan_vault(root)
    assert problems_by_path(list(files.problems)) == {
        path: kind
        for path, kind in expected.items()
        if "SYMLINK" in kind.name or kind is ProblemKind.NOT_A_FILE
    }
    assert not any(path.startswith(("наружу/", "папка/петля/")) for path in files.notes)


@contextmanager
def unreadable(name: str) -> Iterator[None]:
    """Opening `name` fails as without permission (the tests run as root, so chmod would not)."""
    real_os_open, real_io_open = os.open, io.open

    def refuse(real: Callable[..., Any]) -> Callable[..., Any]:
        def open_(path: Any, *args: Any, **kwargs: Any) -> Any:
            if not isinstance(path, int) and os.fspath(path).endswith(name):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real(path, *args, **kwargs)

        return open_

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "open", refuse(real_os_open))
        patch.setattr(io, "open", refuse(real_io_open))
        yield


def test_an_unreadable_note_is_reported_once(root: Path) -> None:
    lsp_harness.write_files(root, {**GOOD, "Закрытая.md": "[[Обычная]]\n"})
    with unreadable("Закрытая.md"):
        index, _ = indexed(root)
    assert problems_by_path(list(index.file_problems.values())) == {
        "Закрытая.md": ProblemKind.UNREADABLE
    }
    assert sorted(index.notes) == ["Обычная.md", "папка/Другая.md"]


def test_a_note_deleted_while_the_vault_is_read_does_not_stop_it(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lsp_harness.write_files(root, {**GOOD, "Удалённая.md": "[[Обычная]]\n"})
    real_scan = loader.scan_vault

    def scan_then_delete(*args: Any, **kwargs: Any) -> Any:
        files = real_scan(*args, **kwargs)
        (root / "Удалённая.md").unlink()
        return files

    monkeypatch.setattr(loader, "scan_vault", scan_then_delete)
    index, calls = indexed(root)
    assert sorted(index.notes) == ["Обычная.md", "папка/Другая.md"]
    # At most once: `check` says it could not read it (the server, which knows it is gone, says
    # nothing; see the server test below).
    assert set(index.file_problems) <= {"Удалённая.md"}
    assert calls[-1] == (3, 3)


def write_many(root: Path, count: int = 5000) -> None:
    lsp_harness.write_files(root, GOOD)
    folder = root / "много"
    folder.mkdir()
    for number in range(count):
        text = f"# Заметка {number}\n[[Обычная]] [[{(number + 1) % count:04}]]\n"
        (folder / f"{number:04}.md").write_bytes(text.encode("utf-8"))


def test_five_thousand_notes_in_one_folder_are_all_indexed(root: Path) -> None:
    write_many(root)
    index, calls = indexed(root)
    assert len(index.notes) == 5002 and not index.file_problems
    assert len(calls) == 5002 and calls[-1] == (5002, 5002)
    assert len(index.linkers_of("Обычная.md")) == 5001


# --- the language server ------------------------------------------------------------------------

# Starts the server with one hazard the file system cannot make for root: argv[1] names it.
BOOTSTRAP = """
import io, os, sys
hazard, victim = sys.argv[1], sys.argv[2]
if hazard == "unreadable":
    def refuse(real):
        def open_(path, *args, **kwargs):
            if not isinstance(path, int) and os.fspath(path).endswith(victim):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real(path, *args, **kwargs)
        return open_
    os.open, io.open = refuse(os.open), refuse(io.open)
elif hazard == "deleted":
    from notels.lsp import indexer
    real_scan = indexer.scan_vault
    def scan_vault(root, *args, **kwargs):
        files = real_scan(root, *args, **kwargs)
        os.unlink(os.path.join(root, victim))
        return files
    indexer.scan_vault = scan_vault
from notels.cli import main
sys.exit(main(["serve"]))
"""


@contextmanager
def server_with(hazard: str, victim: str) -> Iterator[None]:
    plain = lsp_harness.server_config()

    def config(extra_env: Mapping[str, str] | None = None) -> ClientServerConfig:
        command = [sys.executable, "-c", BOOTSTRAP, hazard, victim]
        env = {**(plain.server_env or {}), **(extra_env or {})}
        return ClientServerConfig(server_command=command, server_env=env)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lsp_harness, "server_config", config)
        yield


async def server_problems(root: Path) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """(vault-relative path -> diagnostic codes, vault status), once the indexing ended."""
    async with lsp_harness.editor(root, pull=True) as session:
        client = session.client
        assert lsp_harness.index_finished(client)  # `editor` waited for the progress end
        report = await client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
        status = await client.protocol.send_request_async("notels/vaultStatus", {})
    codes: dict[str, list[str]] = {}
    for item in report.items:
        path = Path(unquote(urlparse(item.uri).path))
        codes[path.relative_to(root.resolve()).as_posix()] = sorted(str(d.code) for d in item.items)
    return codes, {"notes": status.notes, "indexing": status.indexing}


SKIPPED, ENCODING = "skipped-file", "invalid-encoding"


async def test_the_server_reports_each_hazard_once_and_indexes_the_rest(root: Path) -> None:
    expected = build_hazards(root)
    codes, status = await server_problems(root)
    for path, kind in expected.items():
        assert codes[path] == [ENCODING if kind is ProblemKind.INVALID_UTF8 else SKIPPED], path
    assert codes["Обычная.md"] == [] and codes["папка/Другая.md"] == []
    assert status == {"notes": 3, "indexing": False}


async def test_the_server_indexes_five_thousand_notes_in_one_folder(root: Path) -> None:
    write_many(root)
    _, status = await server_problems(root)
    assert status == {"notes": 5002, "indexing": False}


async def test_the_server_reports_an_unreadable_note_once(root: Path) -> None:
    lsp_harness.write_files(root, {**GOOD, "Закрытая.md": "[[Обычная]]\n"})
    with server_with("unreadable", "Закрытая.md"):
        codes, status = await server_problems(root)
    assert codes["Закрытая.md"] == [SKIPPED]
    assert status == {"notes": 2, "indexing": False}


async def test_the_server_forgets_a_note_deleted_while_it_indexes(root: Path) -> None:
    lsp_harness.write_files(root, {**GOOD, "Удалённая.md": "[[Обычная]]\n"})
    with server_with("deleted", "Удалённая.md"):
        codes, status = await server_problems(root)
    assert "Удалённая.md" not in codes and not (root / "Удалённая.md").exists()
    assert status == {"notes": 2, "indexing": False}
