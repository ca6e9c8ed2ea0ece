"""Review s31: multi-root workspaces where one workspace folder lies inside another."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsp_harness import check_rows, editor


async def test_a_subfolder_added_as_a_second_root_keeps_its_notes_links_to_the_outer_folder(
    tmp_path: Path,
) -> None:
    """Given a notes folder without `.obsidian/` (a repository of Markdown notes) open as the
    workspace folder, and `sub/X.md` in it linking to `[[Y]]`, which is `Y.md` at the top:
    the link resolves, and `notels check Notes` (the same rules, in CI) reports nothing.

    When the user adds `Notes/sub` as a second workspace folder (VS Code's "Add Folder to
    Workspace"; a `.code-workspace` listing both), no file changes: the note should keep the
    findings it had, those `notels check` gives, as it does when `Notes` has `.obsidian/`
    (the subfolder then lies in that vault). Instead the server makes `Notes/sub` a vault of
    its own nested in `Notes`, moves the open note into it, and publishes `unresolved-link`
    for `[[Y]]`, a note that is still right there in the workspace."""
    root = tmp_path / "Notes"
    (root / "sub").mkdir(parents=True)
    (root / "Y.md").write_text("# Y\nТекст.\n", encoding="utf-8")
    (root / "sub" / "X.md").write_text("См. [[Y]] 😀\n", encoding="utf-8")
    assert check_rows(root) == {}  # CI: nothing to report
    async with editor(root) as session:
        x = session.open("sub/X.md")
        assert await session.wait_for_codes(x, lambda codes: True) == []
        session.change_folders(added=[root / "sub"])
        await asyncio.sleep(1.5)  # the new folder indexed, the open note checked again
        after = session.codes(x)
        found = await session.definition(x, 0, 7)

    assert after == [], f"adding a subfolder as a root made the note's link {after}"
    assert found, "go to definition on [[Y]] finds nothing once the subfolder is a root"


async def test_an_outer_folder_added_after_its_subfolder_takes_the_subfolder_in(
    tmp_path: Path,
) -> None:
    """The same two folders, the subfolder first: once the outer one is added, the subfolder
    is a folder of its vault, and a note opened there resolves its link to the outer folder."""
    root = tmp_path / "Notes"
    (root / "sub").mkdir(parents=True)
    (root / "Y.md").write_text("# Y\nТекст.\n", encoding="utf-8")
    (root / "sub" / "X.md").write_text("См. [[Y]] 😀\n", encoding="utf-8")
    async with editor(root / "sub") as session:
        session.change_folders(added=[root])
        await asyncio.sleep(1.0)
        x = session.uri("X.md")
        session.open("X.md")
        codes = await session.wait_for_codes(x, lambda codes: True)
        found = await session.definition(x, 0, 7)

    assert codes == []
    assert found, "go to definition on [[Y]] finds nothing"
