"""Files of popular Obsidian plugins through the server: templates (core Templates, Templater)
and Excalidraw drawings."""

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


DRAWING = (
    "---\n\nexcalidraw-plugin: parsed\ntags: [excalidraw]\n\n---\n"
    "==⚠  Switch to EXCALIDRAW VIEW in the MORE OPTIONS menu of this document. ⚠==\n\n\n"
    "# Text Elements\nSTART ^Ab12Cd34\n\nBasic\nFront: шаг 😀 ^Ef56Gh78\n\nEND ^Ij90Kl12\n\n"
    "Loop\nSTART\nBasic\nFront: again\nEND ^Mn34Op56\n\n"
    '%%\n# Drawing\n```json\n{"type": "excalidraw", "elements": []}\n```\n%%'
)


async def test_an_excalidraw_drawing_holds_no_cards(vault: Path) -> None:
    """A flowchart's boxes read START and END in a drawing's text elements, even on lines of
    their own: no card findings, no card symbols, and no "Generate IDs" there, in the editor
    or for the vault. Was: start-trailing-text (an error), missing-id and missing-target-deck
    on the drawing, and an ID written into it."""
    write_files(
        vault,
        {
            "Excalidraw/Схема.excalidraw.md": DRAWING,
            "Заметка.md": "See ![[Схема.excalidraw]].\nSTART\nBasic\nFront: q\nEND\n",
        },
    )
    async with edit_editor(vault) as (session, applied):
        drawing = session.open("Excalidraw/Схема.excalidraw.md")
        note = session.open("Заметка.md")
        await session.wait_for_codes(note, lambda codes: "missing-id" in codes)
        await wait_until(lambda: drawing in session.client.diagnostics)
        assert session.codes(drawing) == []
        symbols = await session.client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=drawing))
        )
        names = [symbol.name for symbol in symbols or ()]
        assert names == ["Text Elements", "Drawing"], names
        actions = await session.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=drawing),
                range=types.Range(
                    start=types.Position(line=0, character=0),
                    end=types.Position(line=20, character=0),
                ),
                context=types.CodeActionContext(diagnostics=[]),
            )
        )
        assert [action.title for action in actions or ()] == []
        summary = await session.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="notels.generateIds", arguments=[])
        )
    assert summary == {"ids": 1, "files": 1, "skipped": 0, "applied": True}
    (edit,) = applied
    assert list(text_edits(edit)) == [note]
