"""Drive the real `python -m notels serve` process with pytest-lsp's client.

`editor(...)` starts a server on a vault written into tmp_path, initializes it with the client
capabilities a test asks for, and waits until the startup indexing is done.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

SERVER_DIR = Path(__file__).resolve().parents[2] / "server"
TIMEOUT = 10.0

if str(SERVER_DIR) not in sys.path:  # tests also import notels itself, installed or not
    sys.path.append(str(SERVER_DIR))


FAULT_HOOKS = Path(__file__).resolve().parent / "fault_hooks"


def hooked_env(**variables: str) -> dict[str, str]:
    """`variables` for the server process, with the test-only hooks of fault_hooks/ loaded
    (sitecustomize.py reads them)."""
    return {
        **variables,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(FAULT_HOOKS), os.environ.get("PYTHONPATH")])
        ),
    }


def server_config(extra_env: Mapping[str, str] | None = None) -> ClientServerConfig:
    """`python -m notels serve` that imports this checkout, installed or not."""
    env = {**os.environ, **(extra_env or {})}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SERVER_DIR), env.get("PYTHONPATH")]))
    return ClientServerConfig(
        server_command=[sys.executable, "-m", "notels", "serve"], server_env=env
    )


def write_files(root: Path, files: Mapping[str, str]) -> Path:
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return root


# (line, character, end line, end character, code, message): a finding as the editor shows it.
Row = tuple[int, int, int, int, str, str]


# A Row and the related locations of its finding: (vault-relative path, line, character,
# message) each, 0-based, in code points.
RelatedRow = tuple[int, int, int, int, str, str, tuple[tuple[str, int, int, str], ...]]


def check_rows(vault: Path) -> dict[str, list[Row]]:
    """What `notels check` reports, per vault-relative path, 0-based, columns in code points
    (what an editor that negotiated UTF-32 shows)."""
    return {path: [row[:6] for row in rows] for path, rows in check_rows_related(vault).items()}


def check_rows_related(vault: Path) -> dict[str, list[RelatedRow]]:
    """check_rows, each row with its finding's related locations."""
    from notels.checker import check_paths

    root = vault.resolve()
    found: dict[str, list[RelatedRow]] = {}
    for item in check_paths([vault]).findings:
        relative = Path(item.path).resolve().relative_to(root).as_posix()
        related = tuple(
            (Path(path).resolve().relative_to(root).as_posix(), line - 1, column - 1, message)
            for path, line, column, message in item.related
        )
        found.setdefault(relative, []).append(
            (
                item.line - 1,
                item.column - 1,
                item.end_line - 1,
                item.end_column - 1,
                item.finding.code,
                item.finding.message,
                related,
            )
        )
    return {path: sorted(rows) for path, rows in found.items()}


def diagnostic_rows(diagnostics: Sequence[types.Diagnostic]) -> list[Row]:
    return sorted(
        (
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
            str(d.code),
            d.message,
        )
        for d in diagnostics
    )


def capabilities(
    *,
    encodings: Sequence[str] | None = None,
    pull: bool = False,
    progress: bool = True,
    refresh: bool = True,
    relative_patterns: bool = False,
    symbol_ranges_later: bool = False,
    watched_files: bool = True,
) -> types.ClientCapabilities:
    """What a modern editor announces; `pull` adds pull diagnostics (VS Code style), and
    `symbol_ranges_later` resolving workspace symbols' ranges when one is picked (VS Code);
    without `watched_files`, the client watches no files for the server."""
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(
            position_encodings=list(encodings) if encodings is not None else None
        ),
        window=types.WindowClientCapabilities(work_done_progress=progress),
        workspace=types.WorkspaceClientCapabilities(
            configuration=True,
            workspace_folders=True,
            did_change_configuration=types.DidChangeConfigurationClientCapabilities(
                dynamic_registration=True
            ),
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True, relative_pattern_support=relative_patterns or None
            )
            if watched_files
            else None,
            file_operations=types.FileOperationClientCapabilities(
                did_create=True, did_rename=True, did_delete=True
            ),
            diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
            if pull and refresh
            else None,
            symbol=types.WorkspaceSymbolClientCapabilities(
                resolve_support=types.ClientSymbolResolveOptions(properties=["location.range"])
            )
            if symbol_ranges_later
            else None,
        ),
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                related_information=True,
                version_support=True,
                code_description_support=True,
                tag_support=types.ClientDiagnosticsTagOptions(
                    value_set=[types.DiagnosticTag.Unnecessary]
                ),
            ),
            diagnostic=types.DiagnosticClientCapabilities(related_document_support=False)
            if pull
            else None,
        ),
    )


def document(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


def _at(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


@dataclass
class Editor:
    """A test's view of one client connected to one server over one vault."""

    client: LanguageClient
    root: Path
    registrations: list[types.Registration] = field(default_factory=list)
    unregistrations: list[types.Unregistration] = field(default_factory=list)
    capabilities: types.ServerCapabilities | None = None
    versions: dict[str, int] = field(default_factory=dict)

    def uri(self, relative: str) -> str:
        return (self.root / relative).as_uri()

    def open(self, relative: str, text: str | None = None) -> str:
        return self.open_file(self.root / relative, text)

    def open_file(self, path: Path, text: str | None = None) -> str:
        """Open any file, in the vault or not, with its text on disk unless given."""
        uri = path.as_uri()
        if text is None:
            text = path.read_text(encoding="utf-8")
        self.versions[uri] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="markdown", version=1, text=text
                )
            )
        )
        return uri

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(document(uri)))

    def edit(self, uri: str, start: tuple[int, int], end: tuple[int, int], text: str) -> None:
        """One incremental change, as an editor sends a keystroke or a paste."""
        self.versions[uri] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=uri, version=self.versions[uri]
                ),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=start[0], character=start[1]),
                            end=types.Position(line=end[0], character=end[1]),
                        ),
                        text=text,
                    )
                ],
            )
        )

    async def definition(self, uri: str, line: int, character: int) -> Any:
        return await self.client.text_document_definition_async(
            types.DefinitionParams(text_document=document(uri), position=_at(line, character))
        )

    async def references(
        self, uri: str, line: int, character: int, include_declaration: bool = False
    ) -> list[tuple[str, types.Range]]:
        """(uri, range) of each location found."""
        found = await self.client.text_document_references_async(
            types.ReferenceParams(
                text_document=document(uri),
                position=_at(line, character),
                context=types.ReferenceContext(include_declaration=include_declaration),
            )
        )
        return [(location.uri, location.range) for location in found or ()]

    async def hover(self, uri: str, line: int, character: int) -> types.Hover | None:
        return await self.client.text_document_hover_async(
            types.HoverParams(text_document=document(uri), position=_at(line, character))
        )

    def diagnostics(self, uri: str) -> list[types.Diagnostic]:
        return list(self.client.diagnostics.get(uri, []))

    def codes(self, uri: str) -> list[str]:
        return sorted(str(d.code) for d in self.diagnostics(uri))

    async def wait_for_codes(self, uri: str, predicate: Callable[[list[str]], bool]) -> list[str]:
        await wait_until(lambda: uri in self.client.diagnostics and predicate(self.codes(uri)))
        return self.codes(uri)

    def rename(self, old: str, new: str) -> None:
        """Rename a file or folder on disk as the editor does, and tell the server."""
        (self.root / old).rename(self.root / new)
        self.client.workspace_did_rename_files(
            types.RenameFilesParams(
                files=[types.FileRename(old_uri=self.uri(old), new_uri=self.uri(new))]
            )
        )

    def change_folders(self, added: Sequence[Path] = (), removed: Sequence[Path] = ()) -> None:
        """Workspace folders added or removed, as when the user edits a multi-root workspace."""

        def folders(paths: Sequence[Path]) -> list[types.WorkspaceFolder]:
            return [types.WorkspaceFolder(uri=path.as_uri(), name=path.name) for path in paths]

        self.client.workspace_did_change_workspace_folders(
            types.DidChangeWorkspaceFoldersParams(
                event=types.WorkspaceFoldersChangeEvent(
                    added=folders(added), removed=folders(removed)
                )
            )
        )

    def indexed_runs(self) -> int:
        """How many indexing runs have finished (each reports its progress)."""
        return sum(
            any(isinstance(value, types.WorkDoneProgressEnd) for value in reports)
            for reports in self.client.progress_reports.values()
        )

    def notify_files(self, *changes: tuple[str, types.FileChangeType]) -> None:
        self.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=self.uri(rel), type=kind) for rel, kind in changes]
            )
        )


async def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for the server")
        await asyncio.sleep(0.02)


def index_finished(client: LanguageClient) -> bool:
    return any(
        any(isinstance(value, types.WorkDoneProgressEnd) for value in reports)
        for reports in client.progress_reports.values()
    )


@asynccontextmanager
async def editor(
    root: Path,
    *,
    encodings: Sequence[str] | None = None,
    pull: bool = False,
    refresh: bool = True,
    settings: dict[str, Any] | None = None,
    folders: bool = True,
    env: Mapping[str, str] | None = None,
    relative_patterns: bool = False,
    symbol_ranges_later: bool = False,
    wait_for_index: bool = True,
    watched_files: bool = True,
) -> AsyncIterator[Editor]:
    """A client session with the server over `root`, indexed before it is handed over (unless
    `folders` is False, or `wait_for_index` is: the test then says when indexing may end)."""
    client = await server_config(env).start()
    assert isinstance(client, LanguageClient)
    session = Editor(client, root)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        session.registrations.extend(params.registrations)

    @client.feature(types.CLIENT_UNREGISTER_CAPABILITY)
    def unregister(params: types.UnregistrationParams) -> None:
        session.unregistrations.extend(params.unregisterations)

    if settings is not None:
        client.set_configuration(settings, section="notels")
    try:
        result = await client.initialize_session(
            types.InitializeParams(
                capabilities=capabilities(
                    encodings=encodings,
                    pull=pull,
                    refresh=refresh,
                    relative_patterns=relative_patterns,
                    symbol_ranges_later=symbol_ranges_later,
                    watched_files=watched_files,
                ),
                workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)]
                if folders
                else None,
            )
        )
        assert result.server_info is not None and result.server_info.name == "notels"
        session.capabilities = result.capabilities
        if folders and wait_for_index:
            await wait_until(lambda: index_finished(client))
        yield session
        await client.shutdown_session()
    finally:
        await stop_client(client)


async def stop_client(client: LanguageClient) -> None:
    """After a failure the server got no exit notification: stop it, or stop() waits forever."""
    server = client._server
    if server is not None and server.returncode is None:
        server.kill()
    await client.stop()
