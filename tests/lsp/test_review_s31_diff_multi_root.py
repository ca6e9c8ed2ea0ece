"""Review s31 diff: a workspace folder inside another one's vault, once the outer one goes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsp_harness import editor
from lsprotocol import types


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


async def test_a_subfolder_whose_marker_goes_is_a_folder_of_the_vault_around_it_again(
    tmp_path: Path,
) -> None:
    """`Notes` (an Obsidian vault) and `Notes/sub` are both workspace folders; `sub` has a
    `.notels.toml`, so it is a vault of its own nested in Notes, and `sub/X.md` is open. The
    user deletes `sub/.notels.toml` (the client reports it deleted): `sub` is a folder of Notes
    again, as a restart and `notels check Notes` read it, and `[[Y]]` (Y.md in Notes)
    resolves. Was: the open note held on to the vault `sub` no longer is, and its link stayed
    unresolved. (With an unmarked `Notes`, which then stood for the vault below it only, it
    stands for none once the marker goes, by design: see Workspace._find_vaults_again.)"""
    root = tmp_path / "Notes"
    (root / "sub").mkdir(parents=True)
    (root / "Y.md").write_text("# Y\nТекст.\n", encoding="utf-8")
    (root / "sub" / "X.md").write_text("# X\nСм. [[Y]] 😀\n", encoding="utf-8")
    (root / "sub" / ".notels.toml").write_text("", encoding="utf-8")
    (root / ".obsidian").mkdir()
    async with editor(root) as session:
        session.change_folders(added=[root / "sub"])
        await asyncio.sleep(1.0)
        x = session.open("sub/X.md")
        before = await session.wait_for_codes(x, lambda codes: True)
        assert "unresolved-link" in before  # sub is a vault of its own: Y is not in it
        (root / "sub" / ".notels.toml").unlink()
        session.notify_files(("sub/.notels.toml", types.FileChangeType.Deleted))
        await asyncio.sleep(1.5)
        codes = session.codes(x)
    assert codes == [], f"the marker gone, sub/X.md still shows {codes}"
