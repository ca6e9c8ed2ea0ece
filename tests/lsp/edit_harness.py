"""An editor that applies edits: lsp_harness.editor plus the workspace-edit capabilities.

`edit_editor(...)` announces what VS Code does for code actions, renames and workspace edits
(documentChanges, create/rename resource operations, prepareRename, willRenameFiles), and
records every `workspace/applyEdit` the server sends, answering that it was applied.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import lsp_harness
from lsp_harness import Editor
from lsprotocol import types
from lsprotocol.converters import get_converter
from pygls.uris import to_fs_path

_plain_capabilities = lsp_harness.capabilities


def edit_capabilities(
    *, document_changes: bool, resource_operations: Sequence[types.ResourceOperationKind]
) -> Any:
    def capabilities(**kwargs: Any) -> types.ClientCapabilities:
        result = _plain_capabilities(**kwargs)
        assert result.workspace is not None and result.text_document is not None
        result.workspace.apply_edit = True
        result.workspace.workspace_edit = types.WorkspaceEditClientCapabilities(
            document_changes=document_changes, resource_operations=list(resource_operations)
        )
        assert result.workspace.file_operations is not None
        result.workspace.file_operations.will_rename = True
        result.text_document.rename = types.RenameClientCapabilities(prepare_support=True)
        result.text_document.code_action = types.CodeActionClientCapabilities(
            code_action_literal_support=types.ClientCodeActionLiteralOptions(
                code_action_kind=types.ClientCodeActionKindOptions(
                    value_set=[types.CodeActionKind.QuickFix, types.CodeActionKind.Source]
                )
            ),
            is_preferred_support=True,
        )
        return result

    return capabilities


# What VS Code announces for renames: documentChanges, creating and renaming files.
RENAME_CAPABILITIES = edit_capabilities(
    document_changes=True,
    resource_operations=[types.ResourceOperationKind.Create, types.ResourceOperationKind.Rename],
)


@asynccontextmanager
async def edit_editor(
    root: Path,
    *,
    encodings: Sequence[str] | None = None,
    settings: dict[str, Any] | None = None,
    document_changes: bool = True,
    resource_operations: Sequence[types.ResourceOperationKind] = (
        types.ResourceOperationKind.Create,
        types.ResourceOperationKind.Rename,
    ),
    capabilities: Any = None,
    env: Mapping[str, str] | None = None,
) -> AsyncIterator[tuple[Editor, list[types.WorkspaceEdit]]]:
    """(the editor, the workspace edits the server asked it to apply, in order).

    `capabilities` replaces the ones built from `document_changes` and `resource_operations`.
    """
    lsp_harness.capabilities = capabilities or edit_capabilities(
        document_changes=document_changes, resource_operations=resource_operations
    )
    try:
        async with lsp_harness.editor(
            root, encodings=encodings, settings=settings, env=env
        ) as session:
            lsp_harness.capabilities = _plain_capabilities
            applied: list[types.WorkspaceEdit] = []

            @session.client.feature(types.WORKSPACE_APPLY_EDIT)
            def apply_edit(
                params: types.ApplyWorkspaceEditParams,
            ) -> types.ApplyWorkspaceEditResult:
                applied.append(params.edit)
                return types.ApplyWorkspaceEditResult(applied=True)

            yield session, applied
    finally:
        lsp_harness.capabilities = _plain_capabilities


def position(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def span(start: tuple[int, int], end: tuple[int, int]) -> types.Range:
    return types.Range(start=position(*start), end=position(*end))


async def will_rename(session: Editor, old: str, new: str) -> types.WorkspaceEdit | None:
    """`workspace/willRenameFiles` for one file or folder of the vault, as the editor asks."""
    return await session.client.workspace_will_rename_files_async(
        types.RenameFilesParams(
            files=[types.FileRename(old_uri=session.uri(old), new_uri=session.uri(new))]
        )
    )


async def rename_at(
    session: Editor, uri: str, line: int, character: int, name: str
) -> types.WorkspaceEdit:
    """textDocument/rename at (line, character) of `uri`; the edit, which must be there."""
    edit = await session.client.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position(line, character),
            new_name=name,
        )
    )
    assert edit is not None
    return edit


def disk_applying(session: Editor, applied: list[types.WorkspaceEdit], answer: bool = True) -> None:
    """The client's workspace/applyEdit from now on: each edit recorded; when `answer`, its
    file renames done on disk (as Neovim does them) and it is answered applied, else refused."""

    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        applied.append(params.edit)
        if answer:
            for change in params.edit.document_changes or ():
                if isinstance(change, types.RenameFile):
                    Path(to_fs_path(change.old_uri) or "").rename(to_fs_path(change.new_uri) or "")
        return types.ApplyWorkspaceEditResult(applied=answer)

    session.client.protocol.fm.features[types.WORKSPACE_APPLY_EDIT] = apply_edit


async def apply_writing_closed(session: Editor, edit: types.WorkspaceEdit | dict[str, Any]) -> Any:
    """`notels.applyEdit` of `edit` with `{"writeClosedNotes": true}`, as the Neovim configs
    send a rename's edit; the server's answer."""
    raw = edit if isinstance(edit, dict) else get_converter().unstructure(edit)
    return await session.client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="notels.applyEdit", arguments=[raw, {"writeClosedNotes": True}]
        )
    )


def texts_after(vault: Path, edit: types.WorkspaceEdit) -> dict[str, str]:
    """Vault-relative path -> the file's text on disk with the edit's text edits applied, for
    every file the edit changes."""
    return texts_with(vault, text_edits(edit))


def texts_with(
    vault: Path, edits_by_uri: dict[str, list[tuple[types.Range, str]]]
) -> dict[str, str]:
    """Vault-relative path -> text after its edits (see text_edits), for every file edited."""
    root = vault.resolve()
    result: dict[str, str] = {}
    for uri, edits in edits_by_uri.items():
        path = Path(unquote(urlparse(uri).path))
        text = path.read_bytes().decode("utf-8")
        result[path.relative_to(root).as_posix()] = apply_text_edits(text, edits)
    return result


def text_edits(edit: types.WorkspaceEdit) -> dict[str, list[tuple[types.Range, str]]]:
    """URI -> (range, new text) of every text edit, from documentChanges or changes."""
    found: dict[str, list[tuple[types.Range, str]]] = {}
    for change in edit.document_changes or ():
        if isinstance(change, types.TextDocumentEdit):
            found.setdefault(change.text_document.uri, []).extend(
                (e.range, e.new_text) for e in change.edits
            )
    for uri, edits in (edit.changes or {}).items():
        found.setdefault(uri, []).extend((e.range, e.new_text) for e in edits)
    return found


def apply_text_edits(text: str, edits: Sequence[tuple[types.Range, str]]) -> str:
    """What the client does with UTF-16 positions: splice from the back."""
    lines = text.splitlines(keepends=True) or [""]

    def offset(pos: types.Position) -> int:
        before = sum(len(line) for line in lines[: pos.line])
        line = lines[pos.line] if pos.line < len(lines) else ""
        units, index = 0, 0
        while units < pos.character and index < len(line):
            units += 2 if ord(line[index]) > 0xFFFF else 1
            index += 1
        return before + index

    for edit_range, new_text in sorted(edits, key=lambda e: offset(e[0].start), reverse=True):
        start, end = offset(edit_range.start), offset(edit_range.end)
        text = text[:start] + new_text + text[end:]
    return text


# A card's ID line as notels writes it, on disk (either line ending).
ID_LINE = re.compile(rb"ID: (\d{13})\r?\n")
# notels.generateIds' argument that has the server write the notes not open (Neovim's).
WRITE_CLOSED = {"writeClosedNotes": True}


def generate_ids(session: Editor, *arguments: object) -> Awaitable[Any]:
    """Send notels.generateIds; the answer, awaited (several may be sent before one is)."""
    return session.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="notels.generateIds", arguments=list(arguments))
    )
