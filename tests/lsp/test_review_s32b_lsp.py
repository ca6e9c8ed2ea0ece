"""Review s32b: tag rename from the editor with one workspace folder inside another."""

from __future__ import annotations

import asyncio
from pathlib import Path

from edit_harness import edit_editor, rename_at, span, text_edits
from lsp_harness import write_files


async def test_a_tag_rename_reaches_an_open_changed_note_of_a_nested_vault(tmp_path: Path) -> None:
    """Two vaults, `Notes` and `Notes/sub` inside it, both workspace folders. `sub/X.md` uses
    `#ml` and is open with an unsaved change (a word typed at its start). From `Y.md` of the
    outer vault the user renames `#ml` to `#ai`: every other use changes, but X.md keeps
    `#ml` (the server logs "not edited: open with changes .../Notes cannot see"): only the
    outer vault planned the tag rename, and it knows X.md from disk. The same rename from
    X.md does reach Y.md. A tag is the same in every vault holding the note: the nested vault,
    which holds the editor's text, should plan its notes' edits."""
    root = tmp_path / "Notes"
    write_files(
        root,
        {
            ".obsidian/app.json": "{}",
            "Y.md": "Текст #ml\n",
            "sub/.obsidian/app.json": "{}",
            "sub/X.md": "Тоже 😀 #ml\n",
        },
    )
    async with edit_editor(root) as (session, _):
        session.change_folders(added=[root / "sub"])
        await asyncio.sleep(1.5)  # the nested vault indexed
        x = session.open("sub/X.md")
        session.edit(x, (0, 0), (0, 0), "Новое ")
        await asyncio.sleep(0.3)
        y = session.open("Y.md")
        edit = await rename_at(session, y, 0, 7, "ai")

    edits = text_edits(edit)
    # `Новое Тоже 😀 #` is 15 UTF-16 units: the name after it.
    assert edits.get(x) == [(span((0, 15), (0, 17)), "ai")], edits
