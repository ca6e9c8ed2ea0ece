"""Files of popular Obsidian plugins through the server: templates (core Templates, Templater),
Excalidraw drawings and Canvas boards."""

from __future__ import annotations

import json
from pathlib import Path

from edit_harness import apply_text_edits, edit_editor, text_edits, will_rename
from lsp_harness import editor, wait_until, write_files
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


BOARD = {
    "nodes": [
        {"id": "a1", "type": "file", "file": "ML/Gradient Descent.md", "x": 0, "y": 0},
        {"id": "a2", "type": "text", "text": "Шаг 😀 [[Gradient Descent]]", "x": 0, "y": 500},
        {"id": "a3", "type": "file", "file": "ML/Adam.md", "x": 500, "y": 0},
    ],
    "edges": [{"id": "e1", "fromNode": "a1", "toNode": "a3"}],
}


def _board(board: object) -> str:
    return json.dumps(board, indent="\t", ensure_ascii=False)


async def test_renaming_a_note_in_the_editor_updates_the_canvas_that_shows_it(
    vault: Path,
) -> None:
    """A `.canvas` board shows notes by path (`"file": "ML/Gradient Descent.md"`); Obsidian
    rewrites it when a note is renamed, and so does the rename's edit, in the file explorer
    (willRenameFiles) and by F2 on a link. Was: only the Markdown notes were edited, and the
    board then showed a missing-file card. (A wikilink in a text card is left as written.)"""
    write_files(
        vault,
        {
            "ML/Gradient Descent.md": "Gradient descent steps against the gradient.\n",
            "ML/Adam.md": "Adam improves on [[Gradient Descent]].\n",
            "Доски/Study 😀.canvas": _board(BOARD),
        },
    )
    moved = json.loads(_board(BOARD))
    moved["nodes"][0]["file"] = "ML/Gradient descent (GD).md"
    board_uri = (vault / "Доски/Study 😀.canvas").as_uri()
    async with edit_editor(vault) as (session, _):
        edit = await will_rename(session, "ML/Gradient Descent.md", "ML/Gradient descent (GD).md")
        assert edit is not None
        edited = text_edits(edit)
        assert session.uri("ML/Adam.md") in edited  # the note's link is updated
        assert apply_text_edits(_board(BOARD), edited[board_uri]) == _board(moved)
        adam = session.open("ML/Adam.md")
        renamed = await session.client.text_document_rename_async(
            types.RenameParams(
                text_document=types.TextDocumentIdentifier(uri=adam),
                position=types.Position(line=0, character=20),
                new_name="Gradient descent (GD)",
            )
        )
        assert renamed is not None
        edited = text_edits(renamed)
        assert apply_text_edits(_board(BOARD), edited[board_uri]) == _board(moved)


async def test_a_templates_folder_set_in_obsidian_while_the_server_runs_is_left_out(
    vault: Path,
) -> None:
    """Obsidian is open beside the editor; the user turns on the Templates core plugin and picks
    `Templates` as its folder: Obsidian writes `.obsidian/templates.json`, which the server
    watches and reads as it reads `.notels.toml`. Was: read only when the vault came in, so the
    template kept its findings and "Generate IDs" still wrote an ID into its card skeleton
    until the editor restarted."""
    template = "---\ncreated: {{date}}\n---\n# {{title}}\nSTART\nBasic\nFront: \nEND\n"
    write_files(vault, {".obsidian/app.json": "{}", "Templates/Card.md": template})
    async with edit_editor(vault) as (session, applied):
        opened = session.open("Templates/Card.md")
        await session.wait_for_codes(opened, lambda codes: "missing-id" in codes)
        write_files(vault, {".obsidian/templates.json": '{"folder": "Templates"}'})
        session.notify_files((".obsidian/templates.json", types.FileChangeType.Created))
        # Was: ['invalid-created', 'missing-id', ...] as before Obsidian's setting changed.
        await session.wait_for_codes(opened, lambda codes: codes == [])
        summary = await session.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="notels.generateIds", arguments=[])
        )
    assert summary["ids"] == 0, summary
    assert applied == []


CARD = "START\nBasic\nFront: q\nBack: a\nID: 1737306548883\nEND\n"


async def test_a_note_edited_into_and_out_of_a_drawing_drops_and_restores_its_ids(
    vault: Path,
) -> None:
    """Frontmatter made a drawing's while the note is open: its card and the ID it copies leave
    the index (no duplicate-id on the real card), and come back when the frontmatter goes."""
    write_files(vault, {"Cell.md": "TARGET DECK: Bio\n\n" + CARD, "Copy.md": "x\n\n" + CARD})
    async with editor(vault) as session:
        cell = session.open("Cell.md")
        copy = session.open("Copy.md")
        await session.wait_for_codes(cell, lambda codes: "duplicate-id" in codes)
        session.edit(copy, (0, 0), (0, 0), "---\nexcalidraw-plugin: parsed\n---\n")
        await session.wait_for_codes(cell, lambda codes: "duplicate-id" not in codes)
        await session.wait_for_codes(copy, lambda codes: codes == [])
        session.edit(copy, (0, 0), (3, 0), "")
        await session.wait_for_codes(cell, lambda codes: "duplicate-id" in codes)
        await session.wait_for_codes(copy, lambda codes: "duplicate-id" in codes)


async def test_templates_json_deleted_or_emptied_while_running_brings_the_findings_back(
    vault: Path,
) -> None:
    """The templates folder follows Obsidian's settings file both ways: emptied or deleted, the
    folder's notes are notes again; written again, templates."""
    template = "# {{title}}\nSTART\nBasic\nFront: \nEND\n"
    write_files(
        vault,
        {".obsidian/templates.json": '{"folder": "Templates"}', "Templates/Card.md": template},
    )
    async with editor(vault) as session:
        opened = session.open("Templates/Card.md")
        await wait_until(lambda: opened in session.client.diagnostics)
        assert session.codes(opened) == []
        (vault / ".obsidian/templates.json").write_text("", encoding="utf-8")
        session.notify_files((".obsidian/templates.json", types.FileChangeType.Changed))
        await session.wait_for_codes(opened, lambda codes: "missing-id" in codes)
        (vault / ".obsidian/templates.json").write_text('{"folder": "Templates"}', encoding="utf-8")
        session.notify_files((".obsidian/templates.json", types.FileChangeType.Changed))
        await session.wait_for_codes(opened, lambda codes: codes == [])
        (vault / ".obsidian/templates.json").unlink()
        session.notify_files((".obsidian/templates.json", types.FileChangeType.Deleted))
        await session.wait_for_codes(opened, lambda codes: "missing-id" in codes)


async def test_a_watcher_is_registered_for_templates_json(vault: Path) -> None:
    """The client is asked to watch every template settings file, or no change would come."""
    write_files(vault, {".obsidian/app.json": "{}", "A.md": "x\n"})
    async with editor(vault) as session:
        await wait_until(lambda: bool(session.registrations))
        text = repr([r.register_options for r in session.registrations])
        assert ".obsidian/templates.json" in text
        assert "templater-obsidian/data.json" in text
        assert "periodic-notes/data.json" in text
        assert "quickadd/data.json" in text
