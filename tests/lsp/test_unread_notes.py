"""Notes notels does not read (an ignored folder, a file over `max-file-size`) are files all the
same: Obsidian opens a link to them, so the server resolves it, as the editor and the disk
change them. Each through a real `notels serve` session."""

from __future__ import annotations

from pathlib import Path

from lsp_harness import editor, write_files
from lsprotocol import types

CREATED, DELETED = types.FileChangeType.Created, types.FileChangeType.Deleted


async def test_a_note_in_an_ignored_folder_is_a_link_target_as_it_comes_and_goes(
    vault: Path,
) -> None:
    # Was: every link to an ignored note was unresolved-link ("No note named ..."), and its
    # quick fix offered to create a second note of the name.
    write_files(
        vault,
        {
            ".obsidian/app.json": "{}",
            ".notels.toml": 'ignore = ["Archive/**"]\n',
            "Now.md": "Продолжение [[Old Project]] и [[Archive/2023/Old Project#Итоги]] 😀\n",
        },
    )
    async with editor(vault) as session:
        uri = session.open("Now.md")
        await session.wait_for_codes(uri, lambda codes: codes.count("unresolved-link") == 2)
        archived = vault / "Archive" / "2023" / "Old Project.md"
        archived.parent.mkdir(parents=True)
        archived.write_text("# Old Project\n", encoding="utf-8")
        session.notify_files(("Archive/2023/Old Project.md", CREATED))
        await session.wait_for_codes(uri, lambda codes: "unresolved-link" not in codes)
        # Not read: its headings are not checked, nor is the note itself.
        assert session.codes(uri) == []
        found = await session.definition(uri, 0, 16)
        assert [location.uri for location in found] == [archived.as_uri()]
        hover = await session.hover(uri, 0, 16)
        assert hover is not None and isinstance(hover.contents, types.MarkupContent)
        assert hover.contents.value == "`Archive/2023/Old Project.md` (a note notels does not read)"
        archived.unlink()
        session.notify_files(("Archive/2023/Old Project.md", DELETED))
        await session.wait_for_codes(uri, lambda codes: codes.count("unresolved-link") == 2)


async def test_a_note_too_large_to_read_is_a_link_target(vault: Path) -> None:
    # Was: the skipped-file finding, and an unresolved-link on every link to it.
    write_files(
        vault,
        {
            ".obsidian/app.json": "{}",
            ".notels.toml": "max-file-size = 1000\n",
            "Board.excalidraw.md": "# Доска\n" + "x" * 2000 + "\n",
            "Plan.md": "![[Board.excalidraw]] и [[Board.excalidraw|доска]], [[Нет такой]]\n",
        },
    )
    async with editor(vault) as session:
        uri = session.open("Plan.md")
        # Links are checked once the index is done: the one to no note at all is reported.
        await session.wait_for_codes(uri, lambda codes: codes == ["unresolved-link"])
        (finding,) = session.diagnostics(uri)
        assert "Нет такой" in finding.message
