"""Notes changed on disk reach the server when the editor tells of no file events: notels
then watches the vault itself (watchfiles), as rust-analyzer falls back to its own watcher."""

from __future__ import annotations

import asyncio
from pathlib import Path

import notes
import pytest
from lsp_harness import editor, write_files

from notels.config import Config, ConfigError, config_from_mapping

MISSING = "Подпапка/Missing Note.md"


def _write_missing(vault: Path) -> None:
    (vault / "Подпапка").mkdir(exist_ok=True)
    (vault / MISSING).write_text("Теперь есть 🙂\n", encoding="utf-8")


async def test_a_client_that_watches_no_files_still_sees_notes_change_on_disk(
    vault: Path,
) -> None:
    """Given a client that announces no file watching (no events will come); when a note
    that a link names is written on disk by another program, then deleted: the link resolves,
    then breaks again. Was: the index kept what it read at startup until a restart."""
    write_files(vault, {"Ссылки.md": notes.LINKS_TO_MISSING, "Алгебра.md": notes.ALGEBRA})
    async with editor(vault, watched_files=False) as session:
        linking = session.open("Ссылки.md")
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])
        _write_missing(vault)
        await session.wait_for_codes(linking, lambda codes: codes == [])
        (vault / MISSING).unlink()
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])


async def test_file_watcher_server_watches_for_a_client_that_registers_but_tells_nothing(
    vault: Path,
) -> None:
    """Helix takes the server's watchers and forwards only its own writes: `file-watcher =
    "server"` has notels watch all the same."""
    write_files(vault, {"Ссылки.md": notes.LINKS_TO_MISSING, "Алгебра.md": notes.ALGEBRA})
    async with editor(vault, settings={"file-watcher": "server"}) as session:
        linking = session.open("Ссылки.md")
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])
        _write_missing(vault)
        await session.wait_for_codes(linking, lambda codes: codes == [])


async def test_a_client_that_watches_is_left_to_tell(vault: Path) -> None:
    """By default a client that takes the server's watchers tells of the changes itself: a
    second watcher would read every change twice."""
    write_files(vault, {"Ссылки.md": notes.LINKS_TO_MISSING, "Алгебра.md": notes.ALGEBRA})
    async with editor(vault) as session:
        linking = session.open("Ссылки.md")
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])
        _write_missing(vault)
        await asyncio.sleep(1.5)  # the server's own watcher would have told within 0.5 s
        assert session.codes(linking) == ["unresolved-link"]


@pytest.mark.parametrize("value", ["sometimes", True, 1])
def test_a_bad_file_watcher_setting_is_refused_by_name(value: object) -> None:
    with pytest.raises(ConfigError, match="file-watcher"):
        config_from_mapping({"file-watcher": value}, frozenset())
    assert config_from_mapping({"fileWatcher": "client"}, frozenset()).file_watcher == "client"
    assert Config().file_watcher == "auto"


def test_a_batch_is_taken_as_the_disk_holds_it(tmp_path: Path) -> None:
    import watchfiles

    from notels.lsp.disk_watch import sorted_changes

    (tmp_path / "saved.md").write_text("x", encoding="utf-8")
    (tmp_path / "new.md").write_text("y", encoding="utf-8")
    changes = {
        (watchfiles.Change.deleted, str(tmp_path / "saved.md")),  # replaced: there again
        (watchfiles.Change.added, str(tmp_path / "saved.md")),
        (watchfiles.Change.added, str(tmp_path / "new.md")),
        (watchfiles.Change.added, str(tmp_path / "gone.md")),  # written and deleted at once
    }
    assert sorted_changes(changes) == (
        [tmp_path / "gone.md"],
        [tmp_path / "new.md", tmp_path / "saved.md"],
        [],
    )
