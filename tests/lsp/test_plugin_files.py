"""Files of popular Obsidian plugins through the server: templates of the core Templates plugin
and Templater."""

from __future__ import annotations

from pathlib import Path

from edit_harness import edit_editor, text_edits
from lsp_harness import wait_until, write_files
from lsprotocol import types


async def test_templates_have_no_diagnostics_and_get_no_ids(vault: Path) -> None:
    """Obsidian's templates folder (`.obsidian/templates.json`) holds templates, not notes: an
    open template shows no findings, and "Generate IDs" for the vault leaves its card skeleton
    without an ID (every note made from it would share one). Was: `missing-id` and
    `invalid-created` on the template, and an ID written into it."""
    template = "---\ncreated: {{date}} {{time}}\n---\n# {{title}}\nSTART\nBasic\nFront: \nEND\n"
    write_files(
        vault,
        {
            ".obsidian/templates.json": '{"folder": "/Шаблоны/"}',
            "Шаблоны/Карточка.md": template,
            "Заметка.md": "# Заметка 😀\nSTART\nBasic\nFront: q\nEND\n",
        },
    )
    async with edit_editor(vault) as (session, applied):
        opened = session.open("Шаблоны/Карточка.md")
        note = session.open("Заметка.md")
        await session.wait_for_codes(note, lambda codes: "missing-id" in codes)
        await wait_until(lambda: opened in session.client.diagnostics)
        assert session.diagnostics(opened) == []
        summary = await session.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="notels.generateIds", arguments=[])
        )
    assert summary == {"ids": 1, "files": 1, "skipped": 0, "applied": True}
    (edit,) = applied
    assert list(text_edits(edit)) == [note]
