"""File events that disagree with the disk: the disk is what the vault holds."""

from __future__ import annotations

from pathlib import Path

import notes
from lsp_harness import editor, write_files
from lsprotocol import types

Created, Deleted = types.FileChangeType.Created, types.FileChangeType.Deleted


async def test_a_deleted_event_for_a_file_still_on_disk_keeps_the_note(vault: Path) -> None:
    """Given `Missing Note.md` on disk and a note linking to it and to `Алгебра`; when the
    editor reports the note deleted while it is there (a save by rename told out of order,
    a watcher that coalesced `deleted, created` into its first event), then `Алгебра.md`
    created: both links resolve. Was: the note was dropped from the index until it changed
    again, and every link to it reported as unresolved."""
    write_files(vault, {"Ссылки.md": notes.LINKS_TO_MISSING, "Missing Note.md": "Здесь 🙂\n"})
    async with editor(vault) as session:
        linking = session.open("Ссылки.md")
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])
        session.notify_files(("Missing Note.md", Deleted))
        (vault / "Алгебра.md").write_text(notes.ALGEBRA, encoding="utf-8")
        session.notify_files(("Алгебра.md", Created))
        await session.wait_for_codes(linking, lambda codes: codes == [])


async def test_a_deleted_event_for_a_file_really_gone_still_drops_it(vault: Path) -> None:
    write_files(
        vault,
        {
            "Ссылки.md": notes.LINKS_TO_MISSING,
            "Missing Note.md": "Здесь 🙂\n",
            "Алгебра.md": notes.ALGEBRA,
        },
    )
    async with editor(vault) as session:
        linking = session.open("Ссылки.md")
        await session.wait_for_codes(linking, lambda codes: codes == [])
        (vault / "Missing Note.md").unlink()
        session.notify_files(("Missing Note.md", Deleted))
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])
