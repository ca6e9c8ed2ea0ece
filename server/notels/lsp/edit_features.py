"""Code actions, `notels.generateIds`, rename and willRenameFiles: protocol glue over notels.edits.

Every handler flushes pending edits (so it answers about the text the client has), calls the
pure builders in notels.edits under the vault's lock, and converts their TextEdits with the
negotiated position encoding. Notes that are not open are edited by the positions of their text
on disk: it is re-read first, and re-indexed when it changed behind the server's back. Renames
start from closed notes too, as hover and references do.

One IdGenerator serves every vault and lives as long as the server: IDs it handed out (even in
code actions never applied) stay taken, so two quick fixes can never offer the same ID, nor
two vaults that sync to one Anki collection get the same new ID. Asking again for one
note's code actions offers the IDs it offered last time (see OfferedIds), so the editor asking
on every cursor move takes no new ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types
from lsprotocol.converters import get_converter
from pygls.exceptions import JsonRpcContentModified, JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer

from notels.edits.canvas import CANVAS_SUFFIX, canvas_move_edits
from notels.edits.editor_fixes import (
    NewNote,
    delete_deck_fix,
    move_cards_fix,
    new_note_for,
    path_link_fixes,
    similar_name_fixes,
    similar_part_fixes,
)
from notels.edits.fixes import (
    all_missing_ids_fix,
    fixes_for_finding,
    missing_id_edits_for_vault,
)
from notels.edits.ids import IdGenerator, note_ids, vault_ids
from notels.edits.rename import (
    AliasRename,
    BlockRename,
    HeadingRename,
    NoteRename,
    RenameError,
    RenameTarget,
    TagRename,
    move_edits,
    notes_to_read,
    rename_heading_edits,
    rename_note_edits,
    rename_target_at,
    renamed_path,
    split_moves,
)
from notels.edits.rename_labels import (
    rename_alias_edits,
    rename_block_edits,
    rename_tag_edits,
    tag_users,
)
from notels.edits.text_edit import TextEdit
from notels.features.catalog import name_catalog
from notels.findings import Finding
from notels.fixer import file_created_ns, note_fixed_in_passes, write_edited
from notels.syntax.lines import Encoding, LineIndex
from notels.syntax.model import BlockId, Card, Heading
from notels.syntax.note import Note
from notels.syntax.spans import Span
from notels.vault.drawings import holds_cards
from notels.vault.files import MARKDOWN_SUFFIX, is_walked, read_note, relative_key, resolved
from notels.vault.resolve import target_key

from .cancelling import finish_even_if_cancelled
from .convert import SOURCE, path_of_uri, to_offset, to_range, uri_of_path
from .session import Session, capability, in_thread
from .workspace import OpenDocument, Vault, under

if TYPE_CHECKING:
    from .server import NotelsServer

log = logging.getLogger("notels.lsp")
_CONVERTER = get_converter()

GENERATE_IDS = "notels.generateIds"
# Applies the edit in its argument: the code actions of a client that takes only Commands.
APPLY_EDIT = "notels.applyEdit"
FIX_ALL = "source.fixAll.notels"
CODE_ACTION_KINDS = [types.CodeActionKind.QuickFix, types.CodeActionKind.Source, FIX_ALL]
# How long an edit of many notes (a rename, IDs for the vault) waits for an index run to end:
# built from a partial index, it would miss the notes not read yet. VS Code waits a minute for
# a rename's link updates; 50,000 notes take about 9 s to index.
_INDEXED_WAIT_S = 30.0
_OFFERS_KEPT = 256  # notes whose offered IDs are remembered; the least recently asked go first
# Notes, attachments (links and embeds name them too) and folders, whose rename moves every
# file in them: VS Code names only the folder.
RENAMED_FILES = types.FileOperationRegistrationOptions(
    filters=[
        types.FileOperationFilter(
            pattern=types.FileOperationPattern(glob="**/*", matches=kind), scheme="file"
        )
        for kind in (types.FileOperationPatternKind.File, types.FileOperationPatternKind.Folder)
    ]
)


def register_edit_features(server: NotelsServer) -> None:
    edits = EditFeatures(server.session)
    feature = server.feature

    @feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=CODE_ACTION_KINDS, resolve_provider=False),
    )
    def code_action(
        ls: NotelsServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | list[types.Command]:
        return edits.code_action_answer(params)

    # pygls reads these handlers' annotations at run time: they must name importable types.
    @server.command(GENERATE_IDS)
    async def generate_ids(ls: LanguageServer, *args: Any) -> dict[str, Any]:
        options = args[0] if args and isinstance(args[0], dict) else {}
        return await edits.generate_ids(write_closed=options.get("writeClosedNotes") is True)

    @server.command(APPLY_EDIT)
    async def apply_edit(ls: LanguageServer, *args: Any) -> dict[str, Any]:
        return await edits.apply_edit(args)

    @feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    def prepare_rename(
        ls: NotelsServer, params: types.PrepareRenameParams
    ) -> types.PrepareRenamePlaceholder | None:
        return edits.prepare_rename(params)

    @feature(types.TEXT_DOCUMENT_RENAME)
    async def rename(ls: NotelsServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
        return await edits.rename(params)

    @feature(types.WORKSPACE_WILL_RENAME_FILES, RENAMED_FILES)
    async def will_rename_files(
        ls: NotelsServer, params: types.RenameFilesParams
    ) -> types.WorkspaceEdit | None:
        return await edits.will_rename_files(params)


# How long a rename's planned texts wait for notels.applyEdit (Neovim sends it at once).
_PLANNED_KEPT_S = 60.0
# How long an applied edit's file operations wait for the client's changes of its open notes.
_CHANGES_WAIT_S = 1.0
_DocumentChange = types.TextDocumentEdit | types.CreateFile | types.RenameFile | types.DeleteFile


class RequestFailed(JsonRpcException):
    """The request was understood but cannot be done; the editor shows the message."""

    CODE = types.LSPErrorCodes.RequestFailed.value


@dataclass(frozen=True, slots=True)
class _ClosedNote:
    """A note the server writes itself (generateIds, a rename's notels.applyEdit): its
    edits, planned on `text`."""

    vault: Vault
    path: str  # vault-relative
    file: Path  # the file it resolves to, as an open document's path is
    text: str
    edits: Sequence[TextEdit]


@dataclass(frozen=True, slots=True)
class NotePlace:
    """A note a request is about: the editor's text, its pending edits indexed, when open;
    else the indexed text, just read again from disk."""

    vault: Vault
    relative: str
    note: Note
    uri: str


@dataclass(frozen=True, slots=True)
class PlannedNote:
    """A note not open in the editor, and the text a rename planned its edits on."""

    vault: Vault
    relative: str
    text: str


@dataclass
class EditBuilder:
    """Collects edits per file and makes the WorkspaceEdit the client can apply."""

    session: Session
    # The note the request came from: its edits go to the buffer it came from, which may be
    # one of two open for the note (see Workspace.in_step).
    here: NotePlace | None = None
    files: dict[str, tuple[int | None, LineIndex, list[TextEdit]]] = field(default_factory=dict)
    creates: list[str] = field(default_factory=list)
    renames: list[tuple[str, str]] = field(default_factory=list)
    # The vaults planning one rename or move, each from its own view (see add_from).
    planners: list[Vault] = field(default_factory=list)
    # URI -> the note not open in the editor whose edits were planned on this text.
    closed_notes: dict[str, PlannedNote] = field(default_factory=dict)

    def add(self, vault: Vault, relative: str, edits: Iterable[TextEdit]) -> None:
        uri, version, lines = self.session_file(vault, relative)
        self._note(uri, version, vault, relative, lines)
        self.files.setdefault(uri, (version, lines, []))[2].extend(edits)

    def _note(
        self, uri: str, version: int | None, vault: Vault, relative: str, lines: LineIndex
    ) -> None:
        if version is None:
            self.closed_notes[uri] = PlannedNote(vault, relative, lines.text)

    def decides(self, vault: Vault, path: Path) -> bool:
        """Does `vault`'s plan hold for the file at `path`? A vault nested in another is a
        folder of the outer one, and each of the `planners` plans a rename from its own view:
        the file's edits are those of the innermost planner holding it, none included (a link
        it keeps as written, which an outer view would rewrite into one naming nothing in
        it). Files no inner planner holds (an inner note linking to an outer file) are the
        outer vault's to edit."""
        holding = [planner for planner in self.planners if planner.contains(path)]
        return not holding or max(holding, key=lambda p: len(p.root.parts)) is vault

    def add_from(self, vault: Vault, relative: str, edits: Iterable[TextEdit]) -> None:
        """Edits of a note that one of `planners` plans; see `decides`. A note open in the
        editor under another vault (its text reaches only that vault) is edited only when the
        editor's text is the one this vault planned from."""
        path = vault.root / relative
        if not self.decides(vault, path):
            return
        document = self._open_elsewhere(vault, path)
        if document is None:
            uri, version, lines = self.session_file(vault, relative)
        else:
            planned_from = vault.index.lines(relative)
            if planned_from is None or planned_from.text != document.text:
                log.warning("%s not edited: open with changes %s cannot see", path, vault.root)
                return
            uri, version, lines = document.uri, document.version, document.lines
        self._note(uri, version, vault, relative, lines)
        self.files.setdefault(uri, (version, lines, []))[2].extend(edits)

    def _open_elsewhere(self, vault: Vault, path: Path) -> OpenDocument | None:
        """The editor's document of the file at `path`, when another vault holds its text."""
        for document in self.session.workspace.documents.values():
            if document.path == path and document.vault is not vault:
                return document
        return None

    def add_file(self, uri: str, lines: LineIndex, edits: Iterable[TextEdit]) -> None:
        """Edits of a file that is not a note (a board), at positions in `lines`, its text."""
        self.files.setdefault(uri, (None, lines, []))[2].extend(edits)

    def session_file(self, vault: Vault, relative: str) -> tuple[str, int | None, LineIndex]:
        """(URI, version when open, lines) of a note: the editor's text, else the indexed one."""
        here = self.here
        uri = vault.open_docs.get(relative)
        if here is not None and here.vault is vault and here.relative == relative:
            uri = here.uri
        document = self.session.workspace.documents.get(uri) if uri else None
        if uri is not None and document is not None:
            return uri, document.version, document.lines
        lines = vault.index.lines(relative) or LineIndex("")
        return uri_of_path(vault.root / relative), None, lines

    @property
    def edit_count(self) -> int:
        return sum(len(edits) for _, _, edits in self.files.values())

    def build(self) -> types.WorkspaceEdit:
        encoding = self.session.workspace.encoding
        converted = {
            uri: (
                version,
                [types.TextEdit(to_range(lines, e.span, encoding), e.new_text) for e in edits],
            )
            for uri, (version, lines, edits) in self.files.items()
        }
        if not _supports_document_changes(self.session):
            return types.WorkspaceEdit(changes={uri: e for uri, (_, e) in converted.items()})
        changes: list[
            types.TextDocumentEdit | types.CreateFile | types.RenameFile | types.DeleteFile
        ] = [
            # Never into an existing file: the content that follows would be inserted into it.
            types.CreateFile(
                uri=uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=False)
            )
            for uri in self.creates
        ]
        changes += [
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=v),
                edits=edits,
            )
            for uri, (v, edits) in converted.items()
        ]
        changes += [
            types.RenameFile(
                old_uri=old, new_uri=new, options=types.RenameFileOptions(overwrite=False)
            )
            for old, new in self.renames
        ]
        return types.WorkspaceEdit(document_changes=changes)


class OfferedIds(IdGenerator):
    """New IDs for one request's code actions on a note: those offered last time, if still free.

    Editors ask for code actions on every cursor move. Taking new IDs each time kept every one
    ever offered (45 MB after 1,000 asks in a note of 300 cards without IDs) and pushed new IDs
    ever further ahead of the clock (ten minutes there). The n-th ID a request asks for is the
    n-th one offered last time, unless a note now holds it: only then is a new one taken from
    the vault's generator, so offers for different notes still never share an ID.
    """

    __slots__ = ("_asked", "_offered", "_source", "_written")

    def __init__(self, source: IdGenerator, offered: list[int], written: set[int]) -> None:
        super().__init__()
        self._source = source
        self._offered = offered  # updated in place: the next request's offers
        self._written = written
        self._asked = 0

    def next_id(self, not_before: int = 0) -> int:
        number = self._asked
        self._asked += 1
        if (
            number < len(self._offered)
            and self._offered[number] not in self._written
            and self._offered[number] >= self._source.floor(not_before)
        ):
            return self._offered[number]
        value = self._source.next_id(not_before)
        if number < len(self._offered):
            self._offered[number] = value
        else:
            self._offered.append(value)
        return value


class EditFeatures:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._ids = IdGenerator()
        self._ids_read: set[Path] = set()  # roots of the vaults whose every ID it was told
        self._offered: dict[tuple[Path, str], list[int]] = {}  # see OfferedIds
        self._generating = asyncio.Lock()  # one generateIds at a time
        # The closed notes of the last rename answered, by URI, with the text each edit was
        # planned on: all notels.applyEdit writes itself (see _apply_writing_closed).
        self._planned: dict[str, PlannedNote] = {}

    # --- code actions -----------------------------------------------------------------------------

    def code_action_answer(
        self, params: types.CodeActionParams
    ) -> list[types.CodeAction] | list[types.Command]:
        """The code actions; for a client without CodeAction literals (LSP: "the request can
        only return Command literals"), each as a Command applying its edit, when the client
        takes workspace/applyEdit."""
        actions = self.code_actions(params)
        capabilities = self.session.client_capabilities
        if capability(capabilities, "text_document", "code_action", "code_action_literal_support"):
            return actions
        applies_edits = _applies_edits(self.session)
        commands: list[types.Command] = []
        for action in actions:
            if action.edit is not None and applies_edits:
                edit = _CONVERTER.unstructure(action.edit)
                commands.append(types.Command(action.title, APPLY_EDIT, arguments=[edit]))
            elif action.edit is None and action.command is not None:
                commands.append(action.command)
        return commands

    async def apply_edit(self, arguments: Sequence[Any]) -> dict[str, Any]:
        """`notels.applyEdit`: send the client the WorkspaceEdit of its argument to apply."""
        if not arguments:
            raise JsonRpcInvalidParams("notels.applyEdit takes a WorkspaceEdit")
        try:
            edit = _CONVERTER.structure(arguments[0], types.WorkspaceEdit)
        except Exception as error:
            raise JsonRpcInvalidParams(f"not a WorkspaceEdit: {error}") from error
        options = arguments[1] if len(arguments) > 1 and isinstance(arguments[1], dict) else {}
        if options.get("writeClosedNotes") is True and edit.document_changes:
            return await self._apply_writing_closed(edit.document_changes)
        applied = await self._client_applies(edit, "notels")
        return {"applied": applied}

    async def _apply_writing_closed(self, changes: Sequence[_DocumentChange]) -> dict[str, Any]:
        """`notels.applyEdit` with writeClosedNotes: the edits of notes not open in the editor
        (no version: planned on the file) are written on disk here, as generateIds writes
        them; the rest (open notes, files created or renamed) goes to the client first, and
        when it does not apply that, nothing is written. Neovim renaming a note that 300 notes
        link to loaded each into a buffer (4 s with its main loop blocked) and left them
        modified, the note renamed on disk and their links not (review s30)."""
        open_paths = self._open_paths()
        planned, self._planned = self._planned, {}
        to_client: list[_DocumentChange] = []
        closed: list[tuple[PlannedNote, list[types.TextEdit]]] = []
        moved: dict[Path, Path] = {}
        for change in changes:
            if isinstance(change, types.RenameFile):
                old, new = path_of_uri(change.old_uri), path_of_uri(change.new_uri)
                if old is not None and new is not None:
                    moved[old] = new
            here = self._written_here(change, planned, open_paths)
            if here is None:
                to_client.append(change)
            else:
                closed.append(here)
        if to_client and not await self._client_applies(
            types.WorkspaceEdit(document_changes=to_client), "notels"
        ):
            return {"applied": False, "written": 0, "skipped": 0}
        # From here on the client has renamed what it was asked to: the links must follow.
        finish_even_if_cancelled()
        encoding = self.session.workspace.encoding
        notes: list[_ClosedNote] = []
        skipped = 0
        for planned_note, edits in closed:
            vault = planned_note.vault
            file = vault.root / planned_note.relative
            file = moved.get(file, file)  # a closed note renamed by the edit itself
            relative = relative_key(vault.root, file) if vault.contains(file) else "../"
            if relative.startswith("../"):
                log.warning("applyEdit: %s moved out of its vault: not edited", file)
                skipped += 1
                continue
            lines = LineIndex(planned_note.text)
            offsets = [
                TextEdit(
                    Span(
                        to_offset(lines, edit.range.start, encoding),
                        to_offset(lines, edit.range.end, encoding),
                    ),
                    edit.new_text,
                )
                for edit in edits
            ]
            notes.append(_ClosedNote(vault, relative, resolved(file), planned_note.text, offsets))
        written, unwritten = await self._write_closed(notes, "applyEdit")
        skipped += len(notes) - len(written) - len(unwritten)
        applied = True
        if unwritten:  # read-only, hard-linked, opened meanwhile: the client's buffers take them
            left: list[_DocumentChange] = [_document_edit(each, encoding) for each in unwritten]
            applied = await self._client_applies(
                types.WorkspaceEdit(document_changes=left), "notels"
            )
        return {"applied": applied, "written": len(written), "skipped": skipped}

    def _written_here(
        self, change: _DocumentChange, planned: dict[str, PlannedNote], open_paths: set[Path]
    ) -> tuple[PlannedNote, list[types.TextEdit]] | None:
        """(the note, its edits) when the server writes this change itself. Only a note the
        last rename planned, on the text it planned on, and not open: an edit from elsewhere
        (a file outside the vault, `.obsidian/`) is the client's to apply."""
        if (
            not isinstance(change, types.TextDocumentEdit)
            or change.text_document.version is not None
        ):
            return None
        note = planned.get(change.text_document.uri)
        edits = [edit for edit in change.edits if isinstance(edit, types.TextEdit)]
        if note is None or len(edits) != len(change.edits):
            return None  # not planned here, or a snippet edit
        file = resolved(note.vault.root / note.relative)
        return None if self._is_open(note.vault, note.relative, file, open_paths) else (note, edits)

    async def _client_applies(self, edit: types.WorkspaceEdit, label: str) -> bool:
        """Ask the client to apply `edit`; RequestFailed when it cannot."""
        if not _applies_edits(self.session):
            raise RequestFailed("This editor does not apply edits sent by the server.")
        try:
            result = await self.session.server.workspace_apply_edit_async(
                types.ApplyWorkspaceEditParams(edit=edit, label=label)
            )
        except JsonRpcException as error:
            raise RequestFailed(f"The editor did not apply the edit: {error.message}") from error
        if not result.applied:
            log.warning("the client did not apply %s: %s", label, result.failure_reason)
            return False
        self.session.spawn(self._take_in_file_operations(edit))
        return True

    async def _take_in_file_operations(self, edit: types.WorkspaceEdit) -> None:
        """The files an applied edit created, renamed or deleted, taken in before their file
        events come (Neovim's, half a second later): its open notes, meanwhile checked against
        an index still without the renamed note, showed the new link as unresolved (review
        s30). Not before the client has sent the open notes' own changes of the edit (Neovim
        waits 150 ms to send them), or the old link would show as unresolved instead."""
        changes = edit.document_changes or ()
        # Each path as it is on disk: a client that says it applied the edit but skipped a
        # file (or applied it in part) must not have a note it left in place forgotten.
        paths: list[str] = []
        for change in changes:
            if isinstance(change, types.RenameFile):
                paths += (change.old_uri, change.new_uri)
            elif isinstance(change, (types.CreateFile, types.DeleteFile)):
                paths.append(change.uri)
        if not paths:
            return
        edited = {
            c.text_document.uri: c.text_document.version
            for c in changes
            if isinstance(c, types.TextDocumentEdit) and c.text_document.version is not None
        }
        await self.session.until_changed(edited, _CHANGES_WAIT_S)
        self.session.files_as_on_disk(paths)

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        place = self._open_note(params.text_document.uri)
        if place is None:
            return []
        only = params.context.only
        vault, note = place.vault, place.note
        actions: list[types.CodeAction] = []
        with vault.lock:
            _, findings = self.session.workspace.findings(place.uri)
            generator = self._offers(vault, place.relative, note)
            created = file_created_ns(vault.root)
            if _wanted(only, types.CodeActionKind.QuickFix):
                shown = _FindingsShown(findings, note, self.session.workspace.encoding)
                for diagnostic in params.context.diagnostics:
                    finding = shown.finding_for(diagnostic)
                    if finding is None:
                        continue
                    fixes = fixes_for_finding(
                        place.relative, note, vault.index, vault.config, finding, generator, created
                    )
                    fixes += path_link_fixes(place.relative, note, vault.index, finding)
                    # Asked here, not only inside: "Create note" is the preferred fix without.
                    typos = (
                        similar_name_fixes(
                            place.relative, note, vault.index, name_catalog(vault.index), finding
                        )
                        if finding.code == "unresolved-link"
                        else []
                    )
                    fixes += typos
                    fixes += similar_part_fixes(place.relative, note, vault.index, finding)
                    deck = delete_deck_fix(note, finding)
                    fixes += [deck] if deck is not None else []
                    for number, fix in enumerate(fixes):
                        action = self._action(
                            place, fix.title, fix.edits, types.CodeActionKind.QuickFix
                        )
                        action.diagnostics = [diagnostic]
                        action.is_preferred = number == 0 or None
                        actions.append(action)
                    actions += self._create_note(place, finding, diagnostic, not typos)
                    actions += self._move_cards(place, finding, diagnostic)
            if _wanted(only, types.CodeActionKind.Source) and holds_cards(
                place.relative, note.frontmatter
            ):
                all_ids = all_missing_ids_fix(note, vault.config, generator)
                if all_ids is not None:
                    source = types.CodeActionKind.Source
                    actions.append(self._action(place, all_ids.title, all_ids.edits, source))
            if _wanted(only, FIX_ALL):
                safe = note_fixed_in_passes(
                    place.relative, note, vault.index, vault.config, findings, generator, created
                )
                if safe:
                    actions.append(
                        self._action(place, "Fix all safe notels problems", safe, FIX_ALL)
                    )
        return actions

    def _action(
        self, place: NotePlace, title: str, edits: Iterable[TextEdit], kind: str
    ) -> types.CodeAction:
        builder = EditBuilder(self.session, here=place)
        builder.add(place.vault, place.relative, edits)
        return types.CodeAction(title=title, kind=kind, edit=builder.build())

    def _create_note(
        self, place: NotePlace, finding: Finding, diagnostic: types.Diagnostic, preferred: bool
    ) -> list[types.CodeAction]:
        if finding.code != "unresolved-link" or not _supports_resource(
            self.session, types.ResourceOperationKind.Create
        ):
            return []
        config = place.vault.config
        new = new_note_for(
            place.relative,
            place.note,
            place.vault.index,
            finding,
            folder=config.new_note_folder,
            template=self._template_text(place.vault),
            now=datetime.now(),
        )
        return self._new_note_action(place, new, diagnostic, preferred)

    def _move_cards(
        self, place: NotePlace, finding: Finding, diagnostic: types.Diagnostic
    ) -> list[types.CodeAction]:
        if finding.code != "shadowed-target-deck":
            return []
        root = place.vault.root
        new = move_cards_fix(
            place.relative,
            place.note,
            place.vault.index,
            finding,
            lambda path: _taken(root / path),
        )
        return self._new_note_action(place, new, diagnostic, preferred=False)

    def _new_note_action(
        self, place: NotePlace, new: NewNote | None, diagnostic: types.Diagnostic, preferred: bool
    ) -> list[types.CodeAction]:
        """A quick fix creating `new.path` with its content, and editing the current note."""
        if new is None or not _supports_resource(self.session, types.ResourceOperationKind.Create):
            return []
        if _taken(place.vault.root / new.path) or not is_walked(
            new.path, place.vault.config.ignored
        ):
            return []  # a file there already, or one the vault would not hold (`.hidden.md`)
        builder = EditBuilder(self.session, here=place)
        builder.creates.append(uri_of_path(place.vault.root / new.path))
        if new.content:
            builder.add(place.vault, new.path, [TextEdit(Span(0, 0), new.content)])
        if new.edits:
            builder.add(place.vault, place.relative, new.edits)
        return [
            types.CodeAction(
                title=new.title,
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=builder.build(),
                is_preferred=preferred or None,
            )
        ]

    def _template_text(self, vault: Vault) -> str | None:
        """The `new-note-template`: the editor's copy when open, else the file; None if neither."""
        relative = vault.config.new_note_template
        if relative is None:
            return None
        path = resolved(vault.root / relative)
        for document in list(self.session.workspace.documents.values()):
            open_path = path_of_uri(document.uri)
            if open_path is not None and resolved(open_path) == path:
                return document.text
        read = read_note(vault.root, relative, vault.config.max_file_bytes)
        if read.text is None:
            log.debug("new-note template %s not read: %s", relative, read.problem)
        return read.text

    # --- notels.generateIds -----------------------------------------------------------------------

    async def when_indexed(self, vaults: Iterable[Vault]) -> None:
        """Wait for the vaults' index runs to end: an edit of many notes built from a partial
        index misses the notes not read yet (a renamed note's links in them, their cards).
        RequestFailed when that takes too long."""
        if not await self.session.until_indexed(vaults, _INDEXED_WAIT_S):
            raise RequestFailed("The vault is still being indexed: try again when it is done.")

    def _vaults_renamed(self, params: types.RenameFilesParams) -> list[Vault]:
        """The vaults holding the files a willRenameFiles request moves."""
        found: list[Vault] = []
        for file in params.files:
            old = path_of_uri(file.old_uri)
            holding = self.session.workspace.vaults_holding(resolved(old)) if old else []
            found += [vault for vault in holding if vault not in found]
        return found

    async def generate_ids(self, write_closed: bool = False) -> dict[str, Any]:
        """Give every card without an ID in every vault a new one, through workspace/applyEdit.

        Cards whose ID would be a guess (see fixes.py: merged blocks, `ENDPOINT`, a misplaced ID
        line) are left for their quick fixes and counted as skipped. With `write_closed`, notes
        not open in the editor are written on disk as `notels check --fix` writes them, and
        only the open ones are left to the client: Neovim applies an edit by loading every
        file it names into a buffer, about 12 ms each, with its main loop blocked meanwhile
        (11 s for the 832 notes lacking IDs of a 10,000-note vault).

        One runs at a time: a second one planned on notes the first was still writing, and
        wrote a second ID line into their cards.
        """
        async with self._generating:
            return await self._generate_ids(write_closed)

    async def _generate_ids(self, write_closed: bool) -> dict[str, Any]:
        await self.when_indexed(list(self.session.workspace.vaults.values()))
        self.session.flush_documents()
        builder = EditBuilder(self.session)
        closed: list[_ClosedNote] = []
        lacking = 0
        vaults = list(self.session.workspace.vaults.values())
        for vault in vaults:
            with vault.lock:
                self._generator(vault)  # no new ID in one vault takes an ID another holds
        open_paths = self._open_paths()
        for vault in vaults:
            nested = self.session.workspace.nested_roots(vault)
            with vault.lock:
                candidates = [
                    path
                    for path, summary in vault.index.summaries.items()
                    if summary.lacks_ids()
                    and holds_cards(path)
                    and not (nested and under(path, nested))  # given by the nested vault
                ]
            self._sync_from_disk(vault, candidates)
            with vault.lock:
                for path in candidates:
                    note = vault.index.notes.get(path)
                    lacking += sum(_lacks_id(c) for c in note.anki.cards) if note else 0
                generator = self._generator(vault)
                planned = missing_id_edits_for_vault(
                    vault.index, vault.config, generator, candidates
                )
                for path, text, edits in planned:
                    file = resolved(vault.root / path) if write_closed else None
                    if file is not None and not self._is_open(vault, path, file, open_paths):
                        closed.append(_ClosedNote(vault, path, file, text, edits))
                    else:
                        builder.add(vault, path, edits)
        applies = _applies_edits(self.session)
        if builder.edit_count and not applies:
            # Before anything is written: an error answer means nothing changed.
            raise RequestFailed("This editor does not apply edits sent by the server.")
        # Stopped once notes are being written, the index would not know what was written,
        # and the open notes would lack the IDs the others got: a cancellation from here on is
        # answered with the summary of what was done.
        finish_even_if_cancelled()
        written, unwritten = await self._write_closed(closed, "generateIds")
        for note in unwritten if applies else ():
            builder.add(note.vault, note.path, note.edits)
        count = builder.edit_count + sum(len(note.edits) for note in written)
        summary: dict[str, Any] = {
            "ids": count,
            "files": len(builder.files) + len(written),
            "skipped": lacking - count,
            "applied": False,
        }
        if write_closed:
            summary["written"] = len(written)
        if builder.edit_count:
            summary["applied"] = await self._client_applies(builder.build(), "Generate Anki IDs")
        elif written:
            summary["applied"] = True
        log.info("generateIds: %s", summary)
        return summary

    def _open_paths(self) -> set[Path]:
        # list() first: the writer thread asks too, while the loop may open a document.
        documents = list(self.session.workspace.documents.values())
        return {document.path for document in documents if document.path is not None}

    @staticmethod
    def _is_open(vault: Vault, relative: str, file: Path, open_paths: set[Path]) -> bool:
        """Is the note open in the editor, under this vault or another, or through a symlink
        (`file` is what it resolves to, as a document's path is)?"""
        return relative in vault.open_docs or file in open_paths

    async def _write_closed(
        self, closed: list[_ClosedNote], label: str
    ) -> tuple[list[_ClosedNote], list[_ClosedNote]]:
        """Write the closed notes' edits on disk, on another thread (each file is fsynced):
        (the notes written, those not written whose text is still the one planned on). A note
        not written (read-only, hard-linked, opened in the meantime) is the client's to edit
        then; one whose text changed is left alone: its edits would land elsewhere."""
        if not closed:
            return [], []

        def write_all() -> list[str | None]:
            refusals: list[str | None] = []
            for note in closed:
                if self._is_open(note.vault, note.path, note.file, self._open_paths()):
                    refusals.append("opened in the editor meanwhile")
                    continue
                try:
                    refusals.append(write_edited(note.vault.root, note.path, note.text, note.edits))
                except ValueError as error:  # a client's edits that overlap
                    refusals.append(str(error))
            return refusals

        refusals = await in_thread(f"notels-{label}", write_all)
        written: list[_ClosedNote] = []
        unwritten: list[_ClosedNote] = []
        for note, refusal in zip(closed, refusals, strict=True):
            vault, path = note.vault, note.path
            if refusal is None:
                written.append(note)
                # The watcher would tell too, later: the index must not offer these IDs again,
                # nor a renamed note's links name the old note.
                self.session.apply(self.session.workspace.file_changed(vault.root / path))
                continue
            log.info("%s: %s not written (%s)", label, path, refusal)
            if self._text_now(vault, path) == note.text:
                unwritten.append(note)
            else:
                log.warning("%s: %s changed since its edit was planned: not edited", label, path)
        return written, unwritten

    def _text_now(self, vault: Vault, relative: str) -> str | None:
        """The note's text in the editor when open there, else on disk."""
        uri = vault.open_docs.get(relative)
        document = self.session.workspace.documents.get(uri) if uri else None
        if document is not None:
            return document.text
        return read_note(vault.root, relative, vault.config.max_file_bytes).text

    # --- rename -----------------------------------------------------------------------------------

    def prepare_rename(
        self, params: types.PrepareRenameParams
    ) -> types.PrepareRenamePlaceholder | None:
        place = self._note_at(params.text_document.uri)
        if place is None:
            return None
        target = self._rename_target(place, params.position)
        if target is None:
            return None
        span = to_range(place.note.lines, target.span, self.session.workspace.encoding)
        return types.PrepareRenamePlaceholder(range=span, placeholder=target.placeholder)

    async def rename(self, params: types.RenameParams) -> types.WorkspaceEdit | None:
        place = self._note_at(params.text_document.uri)
        if place is None:
            return None
        asked_on = place.note.text  # the text the request's position is in
        # The vaults around the note's own hold its notes too, links to the target among them.
        await self.when_indexed(self.session.workspace.vaults_holding(place.vault.root))
        place = self._unchanged(params.text_document.uri, asked_on)
        target = self._rename_target(place, params.position)
        if target is None:
            return None
        vault = place.vault
        # And those holding the renamed file: a vault nested in the note's decides the edits of
        # its own notes, from its whole index.
        await self.when_indexed(self.session.workspace.vaults_holding(vault.root / target.path))
        self._unchanged(params.text_document.uri, asked_on)
        self._sync_from_disk(vault, self._to_read(vault, target.path, target, params.new_name))
        # The index may have moved on, a closed note's text with it.
        place = self._note_at(params.text_document.uri)
        if place is None:
            return None
        target = self._rename_target(place, params.position)
        if target is None:
            return None
        builder = EditBuilder(self.session, here=place)
        file = vault.root / target.path
        try:
            with vault.lock:
                if isinstance(target, NoteRename):
                    if not self._note_renamed(vault, target, params.new_name):
                        return builder.build()  # the same name (F2, Enter): nothing to do
                    edits = rename_note_edits(vault.index, target.path, params.new_name)
                elif isinstance(target, BlockRename):
                    edits = rename_block_edits(
                        vault.index, target.path, target.block, params.new_name
                    )
                elif isinstance(target, TagRename):
                    edits = rename_tag_edits(vault.index, target.name, params.new_name)
                elif isinstance(target, AliasRename):
                    edits = rename_alias_edits(
                        vault.index, target.path, target.alias, params.new_name
                    )
                else:
                    edits = rename_heading_edits(
                        vault.index, target.path, target.heading, params.new_name
                    )
        except RenameError as error:
            raise RequestFailed(str(error)) from None
        # A vault nested in another is a folder of the outer one: every vault holding the
        # file plans the links' edits, and the innermost one holding a note decides its edits
        # (see EditBuilder.decides).
        planned = [(vault, edits)]
        holding = self.session.workspace.vaults_holding(file)
        if isinstance(target, TagRename):
            # A tag is one in the whole vault: those nested in it hold some of its notes, and
            # the editor's text of the ones open there.
            nested = self.session.workspace.vaults.values()
            holding += [n for n in nested if any(n.root.is_relative_to(h.root) for h in holding)]
        for other in dict.fromkeys(holding):
            if other is vault:
                continue
            if isinstance(target, TagRename):
                planned.append((other, self._tag_renamed_in(other, target, params.new_name)))
            else:
                planned.append(
                    (other, self._renamed_in(other, file, place, target, params.new_name))
                )
        planned.sort(key=lambda pair: len(pair[0].root.parts), reverse=True)
        builder.planners = [each for each, _ in planned]
        for each, each_edits in planned:
            for path, path_edits in each_edits.items():
                builder.add_from(each, path, path_edits)
        if isinstance(target, NoteRename):
            new_file = vault.root / renamed_path(target.path, params.new_name)
            for each, _ in planned:
                relative = relative_key(each.root, file)
                self._follow_in_boards(builder, each, {relative: relative_key(each.root, new_file)})
            innermost = planned[0][0]
            old_uri = builder.session_file(innermost, relative_key(innermost.root, file))[0]
            builder.renames.append((old_uri, uri_of_path(new_file)))
        self._keep_planned(builder.closed_notes)
        return builder.build()

    def _keep_planned(self, planned: dict[str, PlannedNote]) -> None:
        """Keep the closed notes' planned texts for notels.applyEdit, for a while: a client
        that applies the edit itself (VS Code) never asks, and they hold whole notes."""
        self._planned = planned

        def forget() -> None:
            if self._planned is planned:
                self._planned = {}

        asyncio.get_running_loop().call_later(_PLANNED_KEPT_S, forget)

    def _note_renamed(self, vault: Vault, target: NoteRename, new_name: str) -> bool:
        """Can the note take the new name (RenameError if not)? False for its own name."""
        if not _supports_resource(self.session, types.ResourceOperationKind.Rename):
            raise RenameError("This editor cannot rename files through the language server.")
        new_path = renamed_path(target.path, new_name)
        if new_path == target.path:
            return False  # and no file renamed onto itself
        new_file = vault.root / new_path
        try:
            os.lstat(new_file)
        except FileNotFoundError:
            return True
        except OSError as error:  # a name too long for the disk, a folder that is a file
            raise RenameError(f"{new_path}: {error.strerror or error}") from None
        if not _same_file(new_file, vault.root / target.path):
            # Another file: one spelled alike but for case is the note itself only on a
            # case-insensitive disk.
            raise RenameError(f"{new_path} already exists.")
        return True

    def _renamed_in(
        self,
        vault: Vault,
        file: Path,
        place: NotePlace,
        target: NoteRename | HeadingRename | BlockRename | AliasRename,
        new_name: str,
    ) -> dict[str, list[TextEdit]]:
        """The rename's edits as another vault holding `file` sees it; none when it cannot."""
        relative = relative_key(vault.root, file)
        try:
            self._sync_from_disk(vault, self._to_read(vault, relative, target, new_name))
            if isinstance(target, AliasRename):
                with vault.lock:
                    return rename_alias_edits(vault.index, relative, target.alias, new_name)
            known = None
            if not isinstance(target, NoteRename):
                with place.vault.lock:  # one vault's lock at a time
                    known = place.vault.index.notes.get(target.path)
            with vault.lock:
                if isinstance(target, NoteRename):
                    return rename_note_edits(vault.index, relative, new_name)
                here = vault.index.notes.get(relative)
                if isinstance(target, BlockRename):
                    block = _same_named(
                        target.block,
                        known.block_ids if known else None,
                        here.block_ids if here else None,
                        lambda block: block.name,
                    )
                    if block is None:
                        return {}
                    return rename_block_edits(vault.index, relative, block, new_name)
                heading = _same_named(
                    target.heading,
                    known.headings if known else None,
                    here.headings if here else None,
                    lambda heading: heading.text,
                )
                if heading is None:
                    return {}
                return rename_heading_edits(vault.index, relative, heading, new_name)
        except RenameError as error:
            log.warning("links in %s not updated: %s", vault.root, error)
            return {}

    def _tag_renamed_in(
        self, vault: Vault, target: TagRename, new_name: str
    ) -> dict[str, list[TextEdit]]:
        """The tag rename's edits in another vault holding the note or nested in its vault."""
        try:
            self._sync_from_disk(vault, self._to_read(vault, "", target, new_name))
            with vault.lock:
                return rename_tag_edits(vault.index, target.name, new_name)
        except RenameError as error:
            log.warning("tags in %s not renamed: %s", vault.root, error)
            return {}

    def _to_read(
        self, vault: Vault, relative: str, target: RenameTarget, new_name: str
    ) -> set[str]:
        """The notes of `vault` a rename may edit, `relative` being the target's path there."""
        with vault.lock:
            if isinstance(target, TagRename):  # the note under the cursor is one of them
                return tag_users(vault.index, target.name)
            if isinstance(target, AliasRename):
                return vault.index.linkers_of_name(target_key(target.alias)) | {relative}
            moves = {relative: relative}
            if isinstance(target, NoteRename):
                with contextlib.suppress(RenameError):  # refused later, with the reason
                    moves[relative] = renamed_path(relative, new_name)
            return notes_to_read(vault.index, moves) | {relative}

    def _rename_target(self, place: NotePlace, position: types.Position) -> RenameTarget | None:
        offset = to_offset(place.note.lines, position, self.session.workspace.encoding)
        try:
            with place.vault.lock:
                return rename_target_at(place.vault.index, place.relative, offset)
        except RenameError as error:
            raise RequestFailed(str(error)) from None

    async def will_rename_files(
        self, params: types.RenameFilesParams
    ) -> types.WorkspaceEdit | None:
        """The editor renames or moves files itself (notes, attachments, folders): answer with
        the link updates, those of every file the request moves at once."""
        await self.when_indexed(self._vaults_renamed(params))
        self.session.flush_documents()
        moves_by_vault: dict[Path, tuple[Vault, dict[str, str]]] = {}
        for file in params.files:
            for vault, old, new in self._moves(file.old_uri, file.new_uri):
                moves_by_vault.setdefault(vault.root, (vault, {}))[1][old] = new
        builder = EditBuilder(self.session)
        # A vault nested in another is a folder of the outer one: each holding a file moved
        # plans the links' edits, and the innermost one holding a note decides its edits.
        builder.planners = [vault for vault, _ in moves_by_vault.values()]
        for vault, moves in moves_by_vault.values():
            with vault.lock:
                synced = notes_to_read(vault.index, moves)
            self._sync_from_disk(vault, synced)
            with vault.lock:
                accepted, refused = split_moves(vault.index, moves)
                try:
                    edits = move_edits(vault.index, accepted, vault.config.ignored)
                except RenameError as error:
                    # The editor moves the files anyway: the links stay as written, and are
                    # reported if they no longer resolve.
                    log.warning("links not updated: %s", error)
                    edits = {}
            for old_path, reason in sorted(refused.items()):
                log.warning("links to %s not updated: %s", old_path, reason)
            for path, path_edits in edits.items():
                builder.add_from(vault, path, path_edits)
            # A board names files by path: it follows every move, refused ones too.
            self._follow_in_boards(builder, vault, moves)
        return builder.build() if builder.files else None

    @staticmethod
    def _follow_in_boards(builder: EditBuilder, vault: Vault, moves: dict[str, str]) -> None:
        """The Canvas boards showing a moved file show it under its new path."""
        if not moves:
            return
        boards = [
            a
            for a in vault.index.attachments()
            if a.lower().endswith(CANVAS_SUFFIX) and builder.decides(vault, vault.root / a)
        ]
        for board in sorted(boards):
            read = read_note(vault.root, board, vault.config.max_file_bytes)
            if read.text is None or read.problem is not None:
                continue  # unreadable, or not UTF-8: never rewritten
            edits = canvas_move_edits(read.text, moves)
            if edits:
                builder.add_file(uri_of_path(vault.root / board), LineIndex(read.text), edits)

    def _moves(self, old_uri: str, new_uri: str) -> list[tuple[Vault, str, str]]:
        """(vault, old path, new path) of each file a rename moves: a note or attachment, or
        every one in a renamed folder."""
        old, new = path_of_uri(old_uri), path_of_uri(new_uri)
        if old is None or new is None:
            return []
        old = resolved(old)
        new = resolved(new.parent) / new.name  # the new file or folder does not exist yet
        return [
            move
            for vault in self.session.workspace.vaults_holding(old)
            for move in self._moves_in(vault, old, new)
        ]

    @staticmethod
    def _moves_in(vault: Vault, old: Path, new: Path) -> list[tuple[Vault, str, str]]:
        if old == vault.root or not vault.contains(new):
            return []
        relative, moved = relative_key(vault.root, old), relative_key(vault.root, new)
        index = vault.index
        with vault.lock:
            if relative in index.notes:
                # A note renamed to another kind of file leaves the notes: its links are
                # reported as broken, not rewritten.
                return [(vault, relative, moved)] if new.suffix.lower() == MARKDOWN_SUFFIX else []
            if index.has_attachment(relative):
                # It keeps its kind: an image stays a file, a note notels does not read (an
                # ignored one) a note.
                stays = relative.lower().endswith(MARKDOWN_SUFFIX) == (
                    new.suffix.lower() == MARKDOWN_SUFFIX
                )
                return [(vault, relative, moved)] if stays else []
            prefix = f"{relative}/"
            inside = sorted(
                path
                for path in chain(index.summaries, index.attachments())
                if path.startswith(prefix)
            )
        return [(vault, path, moved + path[len(relative) :]) for path in inside]

    # --- shared -----------------------------------------------------------------------------------

    def _open_note(self, uri: str) -> NotePlace | None:
        # Every open document, not only this one: the edits may reach into any of them.
        self.session.flush_documents()
        document = self.session.workspace.documents.get(uri)
        if document is None or document.note is None:
            return None
        vault, relative = document.vault, document.relative
        if vault is None or relative is None or not self.session.workspace.in_step(uri):
            return None  # outside every vault, ignored by its config, or a twin's other text
        return NotePlace(vault, relative, document.note, uri)

    def _unchanged(self, uri: str, asked_on: str) -> NotePlace:
        """The note at `uri` after a wait, if its text is still the one a request's position was
        given in; else ContentModified (LSP 3.17, "Implementation Considerations"). An edit
        typed while a rename waited for the index moved another link under that position, and
        the rename renamed the note that link names."""
        place = self._note_at(uri)
        if place is None or place.note.text != asked_on:
            raise JsonRpcContentModified("The note changed: ask again.")
        return place

    def _note_at(self, uri: str) -> NotePlace | None:
        """The open note at `uri`, else the closed one (as hover and references answer on
        closed notes too): read again from disk first, so that edits into it are made at the
        positions of its current text, which the client edits."""
        place = self._open_note(uri)
        if place is not None or uri in self.session.workspace.documents:
            return place  # open: the editor's text, or no note of a vault
        path = path_of_uri(uri)
        found = self.session.workspace.document_at(path) if path is not None else None
        if found is None:
            return None
        vault, relative = found
        with vault.lock:
            if vault.index.summary(relative) is None:
                return None  # no note of the index (an attachment, an ignored file, none)
        self._sync_from_disk(vault, [relative])
        with vault.lock:
            note = vault.index.notes.get(relative)
        return NotePlace(vault, relative, note, uri) if note is not None else None

    def _generator(self, vault: Vault, *notes: Note) -> IdGenerator:
        """The generator, told about the vault's IDs (and the notes') written since it last
        looked; call with the vault locked."""
        generator = self._ids
        if vault.root in self._ids_read:
            generator.reserve(vault.index.card_ids())
        else:
            generator.reserve(vault_ids(vault.index))
            self._ids_read.add(vault.root)
        for note in notes:
            generator.reserve(note_ids(note))
        return generator

    def _offers(self, vault: Vault, relative: str, note: Note) -> OfferedIds:
        """IDs for the code actions of one request on a note; call with the vault locked."""
        source = self._generator(vault, note)
        key = (vault.root, relative)
        offered = self._offered.pop(key, [])
        self._offered[key] = offered  # now the most recently asked
        if len(self._offered) > _OFFERS_KEPT:
            del self._offered[next(iter(self._offered))]
        written: set[int] = set()
        if offered:  # only an earlier offer is checked against what the notes hold now
            # Every ID the vault holds, in cards and elsewhere (an unclosed block, a misplaced
            # line, DELETE): a card cut and pasted into another note, END not typed yet, still
            # carries the ID it was offered.
            held = (*vault_ids(vault.index), *note_ids(note))
            written = {int(value) for value in held if value.isdigit()}
        return OfferedIds(source, offered, written)

    def _sync_from_disk(self, vault: Vault, paths: Iterable[str]) -> None:
        """Re-index the notes (not open in the editor) whose file changed since it was indexed."""
        for path in sorted(paths):
            if path in vault.open_docs:
                continue
            read = read_note(vault.root, path, vault.config.max_file_bytes)
            summary = vault.index.summary(path)
            if read.text is None or summary is None or summary.stamp != read.stamp:
                self.session.apply(self.session.workspace.file_changed(vault.root / path))


_Named = TypeVar("_Named", Heading, BlockId)


def _same_named(
    item: _Named,
    known: Sequence[_Named] | None,
    other: Sequence[_Named] | None,
    name: Callable[[_Named], str],
) -> _Named | None:
    """The heading or block id of `other` (another vault's text of a note) that is `item` of
    `known`: the same name, as many times over before it."""
    if known is None or other is None:
        return None
    alike = [each for each in known if name(each) == name(item)]
    if item not in alike:
        return None
    others = [each for each in other if name(each) == name(item)]
    place = alike.index(item)
    return others[place] if place < len(others) else None


def _document_edit(note: _ClosedNote, encoding: Encoding) -> types.TextDocumentEdit:
    """A closed note's edits as the client applies them, at positions in its planned text."""
    lines = LineIndex(note.text)
    return types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(
            uri=uri_of_path(note.vault.root / note.path)
        ),
        edits=[types.TextEdit(to_range(lines, e.span, encoding), e.new_text) for e in note.edits],
    )


def _taken(path: Path) -> bool:
    """Is there a file at `path`, or can there be none (a name too long for the disk)?"""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    return True


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def _lacks_id(card: Card) -> bool:
    return card.closed and card.end_span is not None and card.id is None


def _wanted(only: Sequence[str] | None, kind: str) -> bool:
    """Does the client's `only` filter let `kind` through (`source` covers `source.x`)?"""
    if only is None:
        return True
    return any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in only)


class _FindingsShown:
    """The current findings of a note by what a diagnostic of each shows: its code and range.

    A client selecting a whole note sends its every diagnostic in one code action request: a
    walk of the findings for each was quadratic (4,000 diagnostics: 33 s).
    """

    def __init__(self, findings: list[Finding], note: Note, encoding: Encoding) -> None:
        self._findings = findings
        self._note = note
        self._encoding = encoding
        self._by_shown: dict[tuple[str, int, int, int, int], Finding] | None = None

    def finding_for(self, diagnostic: types.Diagnostic) -> Finding | None:
        """The finding the client's diagnostic shows: same code, same range (the first such)."""
        if diagnostic.source not in (SOURCE, None):
            return None
        by_shown = self._by_shown
        if by_shown is None:
            by_shown = self._by_shown = {}
            lines, encoding = self._note.lines, self._encoding
            for finding in self._findings:
                key = (
                    finding.code,
                    *lines.positions(finding.span.start, finding.span.end, encoding),
                )
                by_shown.setdefault(key, finding)
        shown = diagnostic.range
        return by_shown.get(
            (
                str(diagnostic.code),
                shown.start.line,
                shown.start.character,
                shown.end.line,
                shown.end.character,
            )
        )


def _workspace_edit_capabilities(
    session: Session,
) -> types.WorkspaceEditClientCapabilities | None:
    workspace = session.client_capabilities.workspace
    return workspace.workspace_edit if workspace is not None else None


def _applies_edits(session: Session) -> bool:
    return bool(capability(session.client_capabilities, "workspace", "apply_edit"))


def _supports_document_changes(session: Session) -> bool:
    """Does the client take `documentChanges`? Resource operations are written only there, so
    a client that lists them takes it: Neovim 0.11 lists them and applies `documentChanges`,
    but does not say `documentChanges: true`."""
    capabilities = _workspace_edit_capabilities(session)
    if capabilities is None or capabilities.document_changes is False:
        return False  # said outright
    return bool(capabilities.document_changes or capabilities.resource_operations)


def _supports_resource(session: Session, kind: types.ResourceOperationKind) -> bool:
    capabilities = _workspace_edit_capabilities(session)
    if capabilities is None or not _supports_document_changes(session):
        return False
    return any(
        str(getattr(k, "value", k)) == kind.value for k in capabilities.resource_operations or ()
    )
