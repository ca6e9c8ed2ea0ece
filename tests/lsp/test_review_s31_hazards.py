"""Review s31: hazards that appear on disk while the server runs, told by file events.

Given an indexed vault, when a note or folder turns into something the vault scan skips (a
symlink, a FIFO, a folder of the same name, an unsearchable folder) and the editor's watcher
says so with `workspace/didChangeWatchedFiles`, the server should show what `notels check`
shows for the vault as it is on disk now (and as a restart would find): the hazard reported
once as `skipped-file`, and no note the scan no longer reads kept in the index.

Each file-event test changes a sentinel note in the same notification and waits until its new
finding is shown: the events before it were taken in by then.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

import lsp_harness
import pytest
from lsp_harness import Editor, editor, write_files
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from notels.checker import check_paths

Created, Changed, Deleted = (
    types.FileChangeType.Created,
    types.FileChangeType.Changed,
    types.FileChangeType.Deleted,
)
SENTINEL = "Сторож.md"
VAULT = {
    "Ссылки.md": "# Ссылки 😀\n[[Заметка]] [[Другая]]\n",
    "Заметка.md": "# Заметка\nТекст.\n",
    "Другая.md": "# Другая\nТекст.\n",
    SENTINEL: "# Сторож\nТекст.\n",
}
Codes = dict[str, list[str]]


def check_codes(vault: Path) -> Codes:
    """What `notels check` reports, as codes per vault-relative path (a symlink's own path,
    not where it leads)."""
    found: Codes = {}
    for item in check_paths([vault]).findings:
        found.setdefault(os.path.relpath(item.path, vault), []).append(item.finding.code)
    return {path: sorted(codes) for path, codes in found.items()}


Messages = dict[str, list[str]]


async def server_findings(session: Editor) -> tuple[Codes, Messages]:
    """(codes, messages) per vault-relative path, from a workspace pull."""
    report = await session.client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=[])
    )
    root = session.root.resolve()
    codes: Codes = {}
    messages: Messages = {}
    for item in report.items:
        relative = Path(unquote(urlparse(item.uri).path)).relative_to(root).as_posix()
        if item.items:
            codes[relative] = sorted(str(d.code) for d in item.items)
            messages[relative] = [d.message for d in item.items]
    return codes, messages


async def after_events(
    session: Editor, mark: str, *events: tuple[str, types.FileChangeType]
) -> tuple[Codes, Messages]:
    """Send the events, then a change of the sentinel to link `[[mark]]`, in one notification;
    the server's findings once the sentinel's new link is reported."""
    write_files(session.root, {SENTINEL: f"[[{mark}]]\n"})
    session.notify_files(*events, (SENTINEL, Changed))
    for _ in range(200):
        codes, messages = await server_findings(session)
        if any(mark in message for message in messages.get(SENTINEL, [])):
            return codes, messages
        await asyncio.sleep(0.05)
    raise AssertionError(f"the sentinel's [[{mark}]] was never reported")


REPLACED = (("Заметка.md", Deleted), ("Заметка.md", Created))


async def test_a_note_replaced_by_a_symlink_out_of_the_vault_is_not_followed(
    vault: Path, tmp_path: Path
) -> None:
    """Given `Заметка.md` linked from `Ссылки.md`; when it is replaced by a symlink to a file
    outside the vault, which links to `[[Только снаружи]]`, and the watcher says `Заметка.md`
    was deleted and created: the scan never follows a symlink out of the vault
    (`symlink-outside`), so `notels check` and a restart report `skipped-file` on
    `Заметка.md` and `unresolved-link` on `[[Заметка]]`, and never read the outside file.

    The server should say the same, and read nothing outside the vault. Instead it resolves
    each event's path through the symlink first (workspace.py, `_on_disk`): the events name a
    file outside the vault and are dropped, `Заметка.md` stays in the index, and when it is
    next looked at its changed stamp has it read again through the symlink: the outside
    file's text is indexed and checked as `Заметка.md` (its `[[Только снаружи]]` reported),
    and no hazard is."""
    write_files(vault, VAULT)
    outside = tmp_path / "снаружи.md"
    outside.write_text("# Снаружи\n[[Только снаружи]]\n", encoding="utf-8")
    async with editor(vault, pull=True) as session:
        (vault / "Заметка.md").unlink()
        (vault / "Заметка.md").symlink_to(outside)
        codes, messages = await after_events(session, "Нигде", *REPLACED)

    read_outside = [m for ms in messages.values() for m in ms if "Только снаружи" in m]
    assert read_outside == [], "the server read a file outside the vault through a symlink"
    expected = check_codes(vault)
    assert expected["Заметка.md"] == ["skipped-file"]
    assert expected["Ссылки.md"] == ["unresolved-link"]
    assert codes == expected


async def test_a_note_replaced_by_a_symlink_to_another_note_is_its_alias(vault: Path) -> None:
    """Given `Заметка.md` linked from `Ссылки.md`; when it is replaced by a symlink to
    `Другая.md` and the watcher says `Заметка.md` was deleted and created: the scan takes
    such a symlink for another name of `Другая.md` and does not index it twice
    (`symlink-alias`), so `notels check` and a restart report `skipped-file` on `Заметка.md`
    and `unresolved-link` on `[[Заметка]]`.

    The server should say the same. Instead the events' path is resolved through the
    symlink (workspace.py, `_on_disk`) and lands on `Другая.md`: `Заметка.md` stays a note of
    the index (read again through the symlink), `[[Заметка]]` resolves, no hazard is
    reported, and `--fix`-style edits would see one file under two names."""
    write_files(vault, VAULT)
    async with editor(vault, pull=True) as session:
        (vault / "Заметка.md").unlink()
        (vault / "Заметка.md").symlink_to(vault / "Другая.md")
        codes, _ = await after_events(session, "Нигде", *REPLACED)

    expected = check_codes(vault)
    assert expected["Заметка.md"] == ["skipped-file"]
    assert expected["Ссылки.md"] == ["unresolved-link"]
    assert codes == expected


def _loop(vault: Path) -> None:
    (vault / "Заметка.md").symlink_to(vault / "Заметка.md")


def _broken(vault: Path) -> None:
    (vault / "Заметка.md").symlink_to(vault / "Нет такого файла.txt")


def _fifo(vault: Path) -> None:
    os.mkfifo(vault / "Заметка.md")


@pytest.mark.parametrize("make", [_loop, _broken, _fifo], ids=["loop", "broken", "fifo"])
async def test_a_note_replaced_by_a_file_the_scan_skips_is_reported(
    vault: Path, make: Callable[[Path], None]
) -> None:
    """Given `Заметка.md`; when it is replaced by a symlink to itself (`loop`), a symlink to
    nothing (`broken`) or a FIFO (`fifo`), and the watcher says it was deleted and created:
    `notels check` and a restart report `skipped-file` on `Заметка.md` (`symlink-loop`,
    `symlink-broken`, `not-a-file`), and the link to it is unresolved.

    The server should report the hazard once, as it does when it finds it at startup.
    Instead `files_changed` takes any path that is neither a folder nor a regular file for a
    file gone: `Заметка.md` leaves the index silently, and no diagnostic says why."""
    write_files(vault, VAULT)
    async with editor(vault, pull=True) as session:
        (vault / "Заметка.md").unlink()
        make(vault)
        codes, _ = await after_events(session, "Нигде", *REPLACED)

    expected = check_codes(vault)
    assert expected["Заметка.md"] == ["skipped-file"]
    assert codes == expected


def _folder_to_file(vault: Path) -> None:
    shutil.rmtree(vault / "Папка.md")
    (vault / "Папка.md").write_text("# Файл\n", encoding="utf-8")


def _file_to_folder(vault: Path) -> None:
    (vault / "Заметка.md").unlink()
    write_files(vault, {"Заметка.md/Внутри.md": "# Внутри\n"})


@pytest.mark.parametrize(
    ("make", "path", "kinds"),
    [
        (_folder_to_file, "Папка.md", (Deleted, Created)),
        (_folder_to_file, "Папка.md", (Changed,)),
        (_file_to_folder, "Заметка.md", (Deleted, Created)),
    ],
    ids=["folder-to-file", "folder-to-file-changed", "file-to-folder"],
)
async def test_a_path_that_changes_from_folder_to_file_keeps_nothing_of_what_it_was(
    vault: Path,
    make: Callable[[Path], None],
    path: str,
    kinds: tuple[types.FileChangeType, ...],
) -> None:
    """Given a folder `Папка.md/` holding the note `Пусто.md`, and a note `Заметка.md`, both
    linked from `Ссылки.md`; when the folder is replaced by a file of the same name, or the
    note by a folder of the same name, and the watcher says the path was deleted and created
    (or, as some watchers coalesce it, changed): `notels check` and a restart see only what is
    there now: no `Папка.md/Пусто.md` or no note `Заметка.md`, so `Ссылки.md` has an
    `unresolved-link`, and the vault has 5 notes.

    The server should drop what the path no longer is. Instead `Session.files_changed` keeps
    only the last event of a path (created), and `Workspace.files_changed` reads the path as
    what it is now without looking at what the index held there: the folder's note or the
    replaced note stays in the index (6 notes in vaultStatus), and the link to it resolves."""
    write_files(
        vault,
        {
            **VAULT,
            "Ссылки.md": "[[Заметка]] [[Пусто]]\n",
            "Папка.md/Пусто.md": "# Пусто\n[[Нет такой]]\n",
        },
    )
    async with editor(vault, pull=True) as session:
        make(vault)
        codes, _ = await after_events(session, "Нигде", *((path, kind) for kind in kinds))
        status = await session.client.protocol.send_request_async("notels/vaultStatus", {})

    expected = check_codes(vault)
    assert expected["Ссылки.md"] == ["unresolved-link"]  # [[Заметка]] or [[Пусто]] is gone
    assert codes == expected
    assert status.notes == 5, "a note the path no longer is stays in the index"


# Starts the server with folders that cannot be searched while `<marks>/<name>` exists (the
# tests run as root, whom chmod 000 does not stop): listing one, or opening or stat-ing a
# file in it, fails with EACCES, as for a folder of mode 000; the folder's own stat works.
BOOTSTRAP = """
import io, os, sys
marks, lstat = sys.argv[1], os.lstat
def marked(name):
    if not name:
        return False
    try:
        return lstat(os.path.join(marks, name)) is not None
    except OSError:
        return False
def refuse(real, last=False):
    def call(path, *args, **kwargs):
        parts = [] if isinstance(path, int) else os.fspath(path).split(os.sep)
        if any(map(marked, parts[:-1])) or (last and parts and marked(parts[-1])):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path, *args, **kwargs)
    return call
os.open, io.open, os.stat = refuse(os.open), refuse(io.open), refuse(os.stat)
os.scandir = refuse(os.scandir, last=True)
from notels.cli import main
sys.exit(main(["serve"]))
"""


@contextmanager
def folders_closed_by(marks: Path) -> Iterator[None]:
    plain = lsp_harness.server_config()

    def config(extra_env: Mapping[str, str] | None = None) -> ClientServerConfig:
        env = {**(plain.server_env or {}), **(extra_env or {})}
        return ClientServerConfig(
            server_command=[sys.executable, "-c", BOOTSTRAP, str(marks)], server_env=env
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lsp_harness, "server_config", config)
        yield


async def test_a_folder_searchable_again_is_no_longer_reported(vault: Path, tmp_path: Path) -> None:
    """Given `Папка/Внутри.md` linked from `Ссылки.md`; when the folder is made unsearchable
    (`chmod 000 Папка`) and the watcher says it changed, the server reports `skipped-file`
    on `Папка` and `[[Внутри]]` is unresolved, as `notels check` says. When it is made
    searchable again (`chmod 755 Папка`) and the watcher says it changed again, the server
    should show what `check` and a restart show: nothing on `Папка`, `[[Внутри]]` resolved.

    Instead the `skipped-file` on `Папка` stays for good: a folder event rescans the folder
    and drops what the index held *under* it but not found (workspace.py, `under`), never the
    problem recorded for the folder's own path."""
    marks = tmp_path / "закрытые"
    marks.mkdir()
    write_files(vault, {**VAULT, "Ссылки.md": "[[Внутри]]\n", "Папка/Внутри.md": "# Внутри\n"})
    with folders_closed_by(marks):
        async with editor(vault, pull=True) as session:
            (marks / "Папка").touch()
            closed, _ = await after_events(session, "Нигде 1", ("Папка", Changed))
            (marks / "Папка").unlink()
            opened, _ = await after_events(session, "Нигде 2", ("Папка", Changed))

    assert closed.get("Папка") == ["skipped-file"]
    assert closed.get("Ссылки.md") == ["unresolved-link"]
    assert opened == check_codes(vault), "the folder is searchable again"


async def test_an_open_note_with_a_bom_is_held_to_the_size_limit_as_check_holds_it(
    vault: Path,
) -> None:
    """Given `max-file-size = 100` and `Заметка.md` saved with a UTF-8 BOM: 3 bytes of BOM and
    99 of text, 102 bytes on disk, over the limit: `notels check` (and the server, while the
    note is closed) reports `skipped-file` and checks nothing in it.

    When the editor opens it (its text without the BOM, as editors send it) and the user
    types nothing, the server should show what `check` shows for the file as saved (editors
    keep the BOM on save). Instead `_editor_text_problem` measures the text "as saved,
    without a BOM": 99 bytes, under the limit, so the open note is checked and its
    `unresolved-link` shown where `check` says `skipped-file`."""
    text = "[[Нигде]]\n" + "x" * (99 - len("[[Нигде]]\n".encode()) - 1) + "\n"
    assert len(text.encode()) == 99
    write_files(vault, {**VAULT, ".notels.toml": "max-file-size = 100\n"})
    (vault / "Заметка.md").write_bytes(b"\xef\xbb\xbf" + text.encode())
    expected = check_codes(vault)
    async with editor(vault, pull=True) as session:
        closed, _ = await server_findings(session)
        uri = session.open("Заметка.md", text)
        report = await session.client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        opened = sorted(str(d.code) for d in report.items)

    assert expected["Заметка.md"] == ["skipped-file"]
    assert closed["Заметка.md"] == ["skipped-file"]
    assert opened == expected["Заметка.md"]


async def test_a_fifo_named_as_an_attachment_is_passed_over_as_the_scan_does(vault: Path) -> None:
    """A FIFO named like an image appears in the vault (review s31 diff): the scan lists no
    such file, so `![[pipe.png]]` stays unresolved, and reading it would wait forever. Was:
    the file event registered it as an attachment, and the embed resolved."""
    write_files(vault, {**VAULT, "Ссылки.md": "![[pipe.png]]\n"})
    async with editor(vault, pull=True) as session:
        os.mkfifo(vault / "pipe.png")
        codes, _ = await after_events(session, "Нигде", ("pipe.png", Created))
    expected = check_codes(vault)
    assert expected["Ссылки.md"] == ["unresolved-link"]
    assert codes == expected


@pytest.mark.parametrize("ignored", [False, True], ids=["walked", "ignored"])
async def test_a_folder_symlink_out_of_the_vault_is_reported_not_scanned(
    vault: Path, tmp_path: Path, ignored: bool
) -> None:
    """A symlink to a folder outside the vault appears (in an ignored folder or not) and the
    watcher says it was created. The scan does not follow it: `skipped-file`
    (symlink-outside) where the vault walks it, nothing where it is ignored. Was (the
    resilience test, CI of 95917ec): the event's folder was scanned through the symlink and
    the scan raised ValueError on the outside path; the notification failed."""
    write_files(vault, {**VAULT, ".notels.toml": 'ignore = ["Скрытое/**"]\n'})
    outside = tmp_path / "снаружи"
    outside.mkdir()
    (outside / "Внешняя.md").write_text("# Внешняя\n[[Только снаружи]]\n", encoding="utf-8")
    link = "Скрытое/Ссылка" if ignored else "Ссылка"
    async with editor(vault, pull=True) as session:
        (vault / link).parent.mkdir(exist_ok=True)
        (vault / link).symlink_to(outside, target_is_directory=True)
        codes, messages = await after_events(session, "Нигде", (link, Created))
        errors = [
            m.message
            for m in session.client.log_messages
            if m.type == types.MessageType.Error and "Error" in m.message
        ]
    assert errors == []
    assert not [m for ms in messages.values() for m in ms if "Только снаружи" in m]
    assert codes == check_codes(vault)
