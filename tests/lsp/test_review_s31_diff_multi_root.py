"""Review s31 diff: a workspace folder inside another one's vault, once the outer one goes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsp_harness import editor


async def _fresh_codes(root: Path, relative: str) -> list[str]:
    """The codes a session opened on `root` alone publishes for the note at `relative`."""
    async with editor(root) as session:
        uri = session.open(relative)
        return await session.wait_for_codes(uri, lambda codes: True)


async def test_removing_the_outer_folder_leaves_the_subfolder_standing_for_the_whole_outer_vault(
    tmp_path: Path,
) -> None:
    """`Notes` (no `.obsidian/`, no `.notels.toml`) is open; the user adds `Notes/sub` as a
    second workspace folder (it now joins Notes's vault, 2f90913), then removes `Notes` from
    the workspace. Only `Notes/sub` is left: the server should read it as it does when a
    session starts with `Notes/sub` alone, a vault of its own, where `sub/X.md`'s `[[Y]]`
    (Y.md lies in Notes, outside every workspace folder now) is an unresolved-link. Instead
    `Notes/sub` keeps standing for the vault `Notes`, which stays indexed whole although no
    workspace folder holds it: the findings depend on the order folders came and went, and
    the link resolves to a note outside the workspace."""
    root = tmp_path / "Notes"
    (root / "sub").mkdir(parents=True)
    (root / "Y.md").write_text("# Y\nТекст.\n", encoding="utf-8")
    (root / "sub" / "X.md").write_text("# X\nСм. [[Y]] 😀\n", encoding="utf-8")
    fresh = await _fresh_codes(root / "sub", "X.md")
    assert "unresolved-link" in fresh  # the subfolder alone: Y is not in it
    async with editor(root) as session:
        session.change_folders(added=[root / "sub"])
        await asyncio.sleep(1.0)
        session.change_folders(removed=[root])
        await asyncio.sleep(1.0)
        x = session.open("sub/X.md")
        await asyncio.sleep(1.0)
        codes = await session.wait_for_codes(x, lambda codes: True)
    assert codes == fresh, f"after the outer folder went: {codes}, a fresh session: {fresh}"
