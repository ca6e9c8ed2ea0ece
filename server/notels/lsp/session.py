"""One editor session: turns workspace effects into protocol messages.

The handlers in server.py call these methods; the methods call the Workspace (pure state) and
convert its answers. Everything here runs on the event loop thread, except `fill_index` and
`read_changed` (notes changed on disk) on threads of their own, which reach the loop through
`call_soon_threadsafe` only, and `wait_until_quiet`, on the thread settling an indexing run.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from notels.findings import Finding
from notels.syntax.lines import LineIndex
from notels.vault.cache import has_cache
from notels.vault.templates import TEMPLATE_SETTINGS
from notels.vault.workers import release_spares, start_spares

from .convert import (
    Json,
    JsonAnswer,
    choose_encoding,
    diagnostics_json,
    note_uri,
    path_of_uri,
    uri_of_path,
)
from .debounce import Debouncer
from .disk_watch import DiskChanges, DiskWatcher
from .indexer import Settling, fill_index, read_changed, start_thread
from .lifecycle import forward_logs_to_client
from .warm_findings import WarmFindings
from .workspace import Effects, IndexState, OpenDocument, TextChange, Vault, Workspace
from .workspace_pull import WorkspacePulls

log = logging.getLogger("notels.lsp")
_Result = TypeVar("_Result")

SETTINGS_SECTION = "notels"
_ATTACHMENTS = "png,jpg,jpeg,gif,bmp,svg,webp,avif,pdf,mp3,mp4,webm,wav,ogg,m4a,mov,canvas"
WATCHED_GLOBS = (
    # In any letter case, as the scan takes notes (Linux editors match globs case-sensitively;
    # Neovim 0.11's vim.glob matches nothing with a `[mM]` class, hence the braces).
    "**/*.{md,MD,Md,mD}",
    "**/.notels.toml",
    # Where Obsidian's Templates and Templater name their folder, left out (vault.templates).
    *(f"**/{settings}" for settings in TEMPLATE_SETTINGS),
    # Attachments, so that `![[image.png]]` resolves as soon as the image is pasted.
    f"**/*.{{{_ATTACHMENTS}}}",
)
# Paths ending so are taken for files, not folders (see _holds_folders).
_WATCHED_SUFFIXES = frozenset(
    [".md", ".toml", ".json", *(f".{extension}" for extension in _ATTACHMENTS.split(","))]
)


def _watchers(base_uri: str | None = None) -> list[types.FileSystemWatcher]:
    """The files a vault's index follows: everywhere (`base_uri` None: the client's workspace
    folders), or under `base_uri` (an LSP 3.17 relative pattern)."""

    def pattern(glob: str) -> types.GlobPattern:
        return glob if base_uri is None else types.RelativePattern(base_uri=base_uri, pattern=glob)

    watchers = [types.FileSystemWatcher(glob_pattern=pattern(glob)) for glob in WATCHED_GLOBS]
    # Folders created or deleted (moved in or out, `git checkout`); also what Neovim's Linux
    # watcher needs to watch subfolders at all: it enters only the folders some pattern
    # matches. Changes to other files (Obsidian's own) are not asked for.
    watchers.append(
        types.FileSystemWatcher(
            glob_pattern=pattern("**/*"), kind=types.WatchKind.Create | types.WatchKind.Delete
        )
    )
    return watchers


NOTE_OPERATIONS = types.FileOperationRegistrationOptions(
    filters=[
        types.FileOperationFilter(
            pattern=types.FileOperationPattern(
                glob="**/*.md", options=types.FileOperationPatternOptions(ignore_case=True)
            ),
            scheme="file",
        ),
        # A renamed or deleted folder takes its notes along.
        types.FileOperationFilter(
            pattern=types.FileOperationPattern(
                glob="**/*", matches=types.FileOperationPatternKind.Folder
            ),
            scheme="file",
        ),
    ]
)
_REFRESH_KEY = "\0refresh"  # debouncer key of the pull-diagnostics refresh request
_REFRESH_DELAY_MS = 50
_WAKE_KEY = "\0wake-workspace-pulls"  # no URI starts with a NUL
_WAKE_DELAY_MS = 300
_PROGRESS_INTERVAL_S = 0.1  # at most this often a progress report, besides the percentage steps
# How long the settings may take to come from the client before the server goes on without:
# the index waits for them.
_CLIENT_ANSWER_S = 10.0
_INDEX_POLL_S = 0.02  # how often a request waiting for an index run looks at it
# Notes changed on disk read on the event loop, at about half a millisecond each; more are read
# on another thread.
_READ_AT_ONCE = 32
# How often until_changed looks for the client's change of a document.
_CHANGE_POLL_S = 0.01
# Work that holds the GIL for long, and can wait, waits for this long a pause in the client's
# messages; but not longer than the limit.
_QUIET_S = 1.0
_QUIET_LIMIT_S = 60.0


@dataclass(eq=False)
class _IndexProgress:
    """An indexing run's `$/progress` report: it begins once the client confirms the token
    (`confirmed`) and ends once that and the run are done (`end_message` set)."""

    token: str
    vault_name: str
    confirmed: bool = False
    done: tuple[int, int] | None = None  # (notes indexed, notes in all) last reported
    end_message: str | None = None


class Session:
    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.workspace = Workspace()
        self.debouncer = Debouncer()
        self.pull = False  # the client asks for diagnostics; we never push them
        self._capabilities = types.ClientCapabilities()
        self._loop: asyncio.AbstractEventLoop | None = None
        # The client's settings are known (asked for after `initialized`): until then, a vault
        # is not indexed, as they may change what it ignores.
        self._settings_known = False
        self._startup_errors: list[str] = []
        self._progress_tokens = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._watching = False  # the client was asked for file events
        # Vault roots given watchers of their own -> the id of that registration.
        self._watched_roots: dict[Path, str] = {}
        self._registrations = 0  # registrations made, to give each an id of its own
        self._files_watcher: str | None = None  # the id of the workspace-wide registration
        self._renewing = False  # watchers are being registered again (see _renew_watchers)
        self._renew_again = False  # and a folder came meanwhile that needs another renewal
        # The vaults whose files the client does not watch (see _sync_disk_watcher).
        self._disk_watcher = DiskWatcher(self._disk_changed_soon)
        # Feature modules listen here (on the event loop): a vault's indexing run finished; any
        # effects were applied (settings and `.notels.toml` changes arrive this way).
        self.indexed_listeners: list[Callable[[Vault], None]] = []
        self._edit_ms: dict[str, float] = {}  # time spent applying edits not yet checked
        # Effects of documents indexed early for a request, applied when their debounce ends.
        self._deferred: dict[str, Effects] = {}
        self.applied_listeners: list[Callable[[Effects], None]] = []
        # Notes checked in worker processes ahead of a pass over them all (pull, status).
        self.warm_findings = WarmFindings(self.workspace)
        self.workspace_pulls = WorkspacePulls(
            self.workspace,
            self.warm_findings,
            self.flush_document,
            self._diagnostics,
            self._notify_json,
        )
        # Weak: a vault nothing holds any more must not stay in memory, index and all.
        self._read_locks: weakref.WeakKeyDictionary[Vault, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._heard_at = time.monotonic()  # when the client's last message came
        self.settling = Settling(self.wait_until_quiet)

    # --- lifecycle --------------------------------------------------------------------------

    def initialize(self, params: types.InitializeParams) -> None:
        capabilities = self._capabilities = params.capabilities
        general = capabilities.general
        self.workspace.encoding = choose_encoding(general.position_encodings if general else None)
        # Pull only when the client can also be told to pull again (refresh): without it, a
        # change elsewhere in the vault (indexing done, a file renamed) would leave an open
        # note's diagnostics stale until the next keystroke. Neovim 0.11 is such a client.
        self.pull = capability(capabilities, "text_document", "diagnostic") is not None and bool(
            capability(capabilities, "workspace", "diagnostics", "refresh_support")
        )
        options = params.initialization_options
        # Clients without workspace/configuration can send `{"notels": {...}}` this way.
        if isinstance(options, dict) and SETTINGS_SECTION in options:
            settings = options[SETTINGS_SECTION]
            self._startup_errors += self.workspace.apply_settings(settings).errors
        for folder in _folders(params):
            self._startup_errors += self.workspace.add_folder(folder).errors
        if any(not has_cache(vault.root) for vault in self.workspace.vaults.values()):
            # A first start: the index will read every note, in worker processes. They import
            # the parser while the client answers and the vault is scanned.
            start_spares()
        log.info(
            "notels: %d vault(s), positions in %s, %s diagnostics",
            len(self.workspace.vaults),
            self.workspace.encoding.value,
            "pull" if self.pull else "push",
        )

    def heard(self) -> None:
        """A message came from the client."""
        self._heard_at = time.monotonic()

    def wait_until_quiet(self) -> None:
        """On a background thread: return once the client has sent nothing for a while."""
        deadline = time.monotonic() + _QUIET_LIMIT_S
        while (now := time.monotonic()) < deadline:
            left = self._heard_at + _QUIET_S - now
            if left <= 0:
                return
            time.sleep(min(left, deadline - now))

    def _apply_soon(self, effects: Effects) -> None:
        """Later, not now: the reader that met a stale note may hold state this changes."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.apply, effects)

    async def initialized(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.workspace.on_effects = self._apply_soon
        forward_logs_to_client(self.server)
        for error in self._startup_errors:
            self.show_error(error)
        # Asked, not awaited: a client slow to answer (or that never does) must not hold up
        # the settings and the index.
        self._register_watchers()
        effects = await self.fetch_settings()
        # Every vault, those a note opened meanwhile brought in too: indexed once, now.
        effects.index[:] = list(self.workspace.vaults.values())
        self._settings_known = True
        self.apply(effects)

    def shutdown(self) -> None:
        self._disk_watcher.stop()
        self.debouncer.cancel_all()
        release_spares()
        self.settling.save_now()  # the editor is closing: the next start needs the cache
        for vault in self.workspace.vaults.values():
            vault.run += 1  # indexing threads stop at their next batch

    # --- documents --------------------------------------------------------------------------

    def did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        effects = self.workspace.open(item.uri, path_of_uri(item.uri), item.text, item.version)
        if self.pull:
            self.apply_others(item.uri, effects)  # the client pulls what it opens
            if self._opened_under_another_uri(item.uri):
                # Reported under the editor's URI from now on (a symlinked folder): a held pull
                # says so, emptying the file's report.
                self._wake_workspace_pulls_soon()
        else:
            self.apply(effects)

    def did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        changes = [_text_change(change) for change in params.content_changes]
        self._change(params.text_document.uri, params.text_document.version, changes)

    def _change(self, uri: str, version: int | None, changes: list[TextChange]) -> None:
        started = time.perf_counter()
        if not self.workspace.change(uri, version, changes):
            log.warning("change to a document that is not open: %s", uri)
            return
        document = self.workspace.documents[uri]
        delay = document.vault.config.debounce_ms if document.vault else 0
        edit_ms = (time.perf_counter() - started) * 1000
        self._edit_ms[uri] = self._edit_ms.get(uri, 0.0) + edit_ms
        self.debouncer.schedule(uri, delay, lambda: self._edited(uri))

    def did_save(self, params: types.DidSaveTextDocumentParams) -> None:
        """The saved text, when it is not the text the changes made: Neovim sends no change
        when only a buffer's line endings change (`:set ff=unix`, then `:w`), and the note went
        on showing the CRLF findings of a file that no longer has them."""
        uri = params.text_document.uri
        document = self.workspace.documents.get(uri)
        if params.text is None or document is None or params.text == document.text:
            return
        log.info("saved text differs from the changes sent, taken whole: %s", uri)
        self._change(uri, document.version, [TextChange(params.text)])

    def _edited(self, uri: str) -> None:
        """Typing paused: index the new text, re-check it and the notes that depend on it."""
        started = time.perf_counter()
        effects = self._flush(uri)
        if self.pull:
            self.apply_others(uri, effects)
        else:
            effects.recheck.add(uri)
            self.apply(effects)
        if log.isEnabledFor(logging.DEBUG):
            # The work of a keystroke, the debounce excluded: benchmarks read this line.
            check_ms = (time.perf_counter() - started) * 1000
            edit_ms = self._edit_ms.pop(uri, 0.0)
            document = self.workspace.documents.get(uri)
            log.debug(
                "keystroke work %s v%s: %.2f ms (edits %.2f ms, check and publish %.2f ms)",
                uri,
                document.version if document is not None else None,
                edit_ms + check_ms,
                edit_ms,
                check_ms,
            )
        else:
            self._edit_ms.pop(uri, None)

    def flush_document(self, uri: str) -> None:
        """Index the document's pending edits now: a request needs them.

        Checking it and publishing stay with the debouncer: a completion typed right after a
        keystroke would otherwise wait for that keystroke's diagnostics.
        """
        document = self.workspace.documents.get(uri)
        if document is None or document.note is not None:
            return
        started = time.perf_counter()
        self._deferred.setdefault(uri, Effects()).merge(self.workspace.flush(uri))
        self._edit_ms[uri] = self._edit_ms.get(uri, 0.0) + (time.perf_counter() - started) * 1000
        if not self.debouncer.pending(uri):
            self.debouncer.schedule(uri, 0, lambda: self._edited(uri))

    def flush_documents(self) -> None:
        """Index every open document's pending edits: an answer may point into any of them (a
        rename edits every note linking to the renamed one)."""
        for uri in list(self.workspace.documents):
            self.flush_document(uri)

    def _flush(self, uri: str) -> Effects:
        """Index the document's pending edits; with the effects of an early flush for a request."""
        effects = self.workspace.flush(uri)
        deferred = self._deferred.pop(uri, None)
        return deferred.merge(effects) if deferred is not None else effects

    @property
    def client_capabilities(self) -> types.ClientCapabilities:
        return self._capabilities

    def did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        another_uri = self.pull and self._opened_under_another_uri(uri)
        self.debouncer.cancel(uri)
        self._edit_ms.pop(uri, None)
        deferred = self._deferred.pop(uri, None)
        effects = self.workspace.close(uri)
        self.apply(deferred.merge(effects) if deferred is not None else effects)
        if another_uri:
            self._wake_workspace_pulls_soon()  # reported under its file's URI again
        if not self.pull:  # its problems are shown again when it is opened again
            self._publish(uri, [], None)

    # --- files and configuration ------------------------------------------------------------

    def files_changed(self, changes: Sequence[types.FileEvent]) -> None:
        # The last event of a path says what it is now: a file saved by replacing it is
        # deleted and created again.
        last: dict[Path, types.FileChangeType] = {}
        for change in changes:
            path = path_of_uri(change.uri)
            if path is not None:
                last.pop(path, None)
                last[path] = change.type
        # A path told of as deleted that is there is read as it is: a save by rename reported
        # out of order, or a watcher that coalesced "deleted, created" into its first event.
        deleted = [
            path
            for path, kind in last.items()
            if kind == types.FileChangeType.Deleted and not os.path.lexists(path)
        ]
        gone = set(deleted)
        changed = [path for path in last if path not in gone]
        self._on_disk(deleted, changed)
        created = [path for path, kind in last.items() if kind == types.FileChangeType.Created]
        if self._watching and any(_holds_folders(path) for path in created):
            self._renew_watchers()

    def _disk_changed_soon(self, changes: DiskChanges) -> None:
        """From the watcher's thread: the changes are taken on the event loop, as the client's."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._disk_changed, changes)

    def _disk_changed(self, changes: DiskChanges) -> None:
        deleted, created, changed = changes
        self._on_disk(deleted, created + changed)

    def _sync_disk_watcher(self) -> None:
        """Watch the vaults whose files no client event tells of: with `file-watcher` "auto",
        those the client does not watch (it takes no watchers, or a vault lies outside its
        folders and it takes no watchers relative to one); with "server", all."""
        anywhere = self._watches_by_root()
        roots: list[Path] = []
        for root, vault in self.workspace.vaults.items():
            mode = vault.config.file_watcher
            if mode == "client":
                continue
            told = self._watching and (anywhere or self._in_folders(root))
            if mode == "server" or not told:
                roots.append(root)
        # A vault inside another is watched with it: twice, each change would come twice.
        self._disk_watcher.watch(
            r for r in roots if not any(r != o and r.is_relative_to(o) for o in roots)
        )

    def files_as_on_disk(self, uris: Iterable[str]) -> None:
        """Files created (didCreateFiles), or that an applied edit may have created, renamed or
        deleted: each taken as it is on disk now (one found missing is deleted, see
        Workspace.files_changed)."""
        self._on_disk([], [p for p in map(path_of_uri, uris) if p is not None])

    def files_deleted(self, uris: Iterable[str]) -> None:
        self._on_disk([p for p in map(path_of_uri, uris) if p is not None], [])

    def files_renamed(self, renames: Iterable[tuple[str, str]]) -> None:
        olds, news = [], []
        for old_uri, new_uri in renames:
            old, new = path_of_uri(old_uri), path_of_uri(new_uri)
            if old is not None and new is not None:
                olds.append(old)
                news.append(new)
        self._on_disk(olds, news)

    def _on_disk(self, deleted: list[Path], changed: list[Path]) -> None:
        """Deletions first, then what changed or appeared (read again, a folder's notes too).

        A few notes are read at once; many (a `git checkout`, a folder pasted) on another
        thread, or in worker processes like a first indexing, while the editor goes on. The
        editor hears of the deletions with the rest: a folder renamed is deleted, then read
        under its new name, and its notes were never missing meanwhile.
        """
        effects = self.workspace.files_deleted(deleted)
        more, to_read = self.workspace.files_changed(changed)
        effects.merge(more)
        elsewhere = []
        for vault, relatives in to_read.items():
            if len(relatives) <= _READ_AT_ONCE or self._loop is None:
                effects.merge(self.workspace.read_notes(vault, relatives))
            else:
                elsewhere.append((vault, relatives))
        if not elsewhere:
            self.apply(effects)
        for vault, relatives in elsewhere:
            self.spawn(self._read_elsewhere(vault, relatives, effects))
            effects = Effects()

    async def _read_elsewhere(self, vault: Vault, relatives: list[str], effects: Effects) -> None:
        """Read notes on another thread, then apply their effects and `effects`."""
        # One job at a time per vault: a later job must not land before an earlier one.
        lock = self._read_locks.setdefault(vault, asyncio.Lock())
        async with lock:
            job = self.workspace.start_read(vault, relatives)
            started = time.perf_counter()
            try:
                await in_thread(
                    f"notels-read-{vault.root.name}", lambda: read_changed(self.workspace, job)
                )
                log.info(
                    "read %d notes changed on disk in %.2f s",
                    len(relatives),
                    time.perf_counter() - started,
                )
            finally:
                # What landed before a failure is announced too.
                self.apply(effects.merge(self.workspace.effects_of(vault, job.affected)))

    def folders_changed(self, event: types.WorkspaceFoldersChangeEvent) -> None:
        # Added first: a folder swapped for another of the same vault (its parent, a subfolder)
        # keeps the vault and its index, rather than dropping it and indexing it again.
        effects = Effects()
        for folder in event.added:
            path = path_of_uri(folder.uri)
            if path is not None:
                effects.merge(self.workspace.add_folder(path))
        for folder in event.removed:
            path = path_of_uri(folder.uri)
            if path is not None:
                effects.merge(self.workspace.remove_folder(path))
        self.apply(effects)

    async def settings_changed(self, settings: object) -> None:
        """Push-style clients send the new settings; pull-style ones send null: ask them."""
        if isinstance(settings, dict) and SETTINGS_SECTION in settings:
            self.apply(self.workspace.apply_settings(settings[SETTINGS_SECTION]))
        else:
            self.apply(await self.fetch_settings())

    async def fetch_settings(self) -> Effects:
        """`workspace/configuration`: the global section, then one per vault (folder scope)."""
        vaults = list(self.workspace.vaults.values())
        values = await self._ask_settings(vaults)
        if values is None:
            return Effects()
        # null: the client knows no such section; keep what initializationOptions gave.
        effects = Effects()
        if values and values[0] is not None:
            effects = self.workspace.apply_settings(values[0])
        for vault, value in zip(vaults, values[1:], strict=False):
            if value is not None and value != values[0]:
                effects.merge(self.workspace.apply_settings(value, vault))
        return effects

    async def _fetch_vault_settings(self, vault: Vault) -> None:
        """The settings of a vault that came in after the client was asked (a folder added, a
        note opened outside every folder), before it is indexed with them."""
        values = await self._ask_settings([vault])
        if values is None or len(values) < 2:
            return
        value = values[1]
        if (
            value is None
            or value == values[0]
            or self.workspace.vaults.get(vault.root) is not vault
        ):
            return
        effects = self.workspace.apply_settings(value, vault)
        effects.index[:] = [v for v in effects.index if v is not vault]  # indexed next anyway
        self.apply(effects)

    async def _ask_settings(self, vaults: list[Vault]) -> Sequence[Any] | None:
        """The client's answer for the global section and each vault's folder; None when the
        client does not take the request, or fails it."""
        for vault in vaults:
            vault.settings_asked = True
        if not capability(self._capabilities, "workspace", "configuration"):
            return None
        items = [types.ConfigurationItem(section=SETTINGS_SECTION)] + [
            types.ConfigurationItem(
                scope_uri=uri_of_path(self.workspace.settings_scope(v)), section=SETTINGS_SECTION
            )
            for v in vaults
        ]
        try:
            asked = self.server.workspace_configuration_async(
                types.ConfigurationParams(items=items)
            )
            # Shielded: a late answer then finds its request still pending, not cancelled.
            values = await asyncio.wait_for(asyncio.shield(asked), _CLIENT_ANSWER_S)
        except Exception as error:  # a client that fails here still gets diagnostics
            log.warning("workspace/configuration failed: %r", error)
            return None
        return values

    def _register_watchers(self) -> None:
        registrations: list[types.Registration] = []
        workspace = self._capabilities.workspace
        if capability(workspace, "did_change_watched_files", "dynamic_registration"):
            registrations.append(self._files_watcher_registration())
        if capability(workspace, "did_change_configuration", "dynamic_registration"):
            registrations.append(
                types.Registration(
                    id="notels-configuration",
                    method=types.WORKSPACE_DID_CHANGE_CONFIGURATION,
                    register_options=types.DidChangeConfigurationRegistrationOptions(
                        section=SETTINGS_SECTION
                    ),
                )
            )
        self.spawn(self._register(registrations))
        self._watching = bool(
            capability(workspace, "did_change_watched_files", "dynamic_registration")
        )
        self._watch_vaults_outside_folders()

    def _watch_vaults_outside_folders(self) -> None:
        """Clients watch files only inside their workspace folders (VS Code): a vault whose root
        lies above every folder (a folder opened inside a vault, a note opened from a vault that
        no folder holds) gets watchers of its own, relative to its root, where the client can.
        A vault dropped (its folder removed, its last open note closed) loses them: its files
        are nobody's concern any more. So does one a folder added since now covers: the
        client's own watchers see its files, and each event would come twice."""
        vaults = self.workspace.vaults
        covered = self._in_folders
        gone = [root for root in self._watched_roots if root not in vaults or covered(root)]
        if gone:
            self.spawn(self._unregister_watchers([self._watched_roots.pop(r) for r in gone]))
        if not self._watches_by_root():
            return
        roots = [root for root in vaults if root not in self._watched_roots and not covered(root)]
        if not roots:
            return
        self.spawn(self._register([self._vault_watcher_registration(root) for root in roots]))

    def _in_folders(self, root: Path) -> bool:
        """Does a workspace folder hold this vault's root? The client's own watchers, for the
        folders, see its files then."""
        return any(root.is_relative_to(folder) for folder in self.workspace.folders)

    def _watches_by_root(self) -> bool:
        """Does the client watch a vault outside its folders, by watchers relative to its root?"""
        watched = capability(self._capabilities.workspace, "did_change_watched_files")
        return self._watching and bool(getattr(watched, "relative_pattern_support", False))

    def _files_watcher_registration(self) -> types.Registration:
        """The workspace-wide file watchers, under a new id (kept in `_files_watcher`)."""
        self._files_watcher = self._new_registration_id("notels-watched-files")
        return _watcher_registration(self._files_watcher, None)

    def _vault_watcher_registration(self, root: Path) -> types.Registration:
        """The watchers of a vault outside every folder, under a new id (in `_watched_roots`)."""
        registration_id = self._watched_roots[root] = self._new_registration_id(
            "notels-watched-vault"
        )
        return _watcher_registration(registration_id, uri_of_path(root))

    def _new_registration_id(self, prefix: str) -> str:
        self._registrations += 1
        return f"{prefix}-{self._registrations}"

    def _renew_watchers(self) -> None:
        """Register the file watchers again, then drop the old ones: a folder appeared that
        holds folders (a `git checkout`, a sync, `cp -r`).

        Neovim's Linux watcher (without inotifywait) watches the folders it finds when a
        registration comes, and later each new folder it hears of, but not the folders inside
        one: notes written there afterwards never reached the server. A new registration makes
        it look at the whole tree again (about 30 ms for 10,000 notes in 100 folders); other
        clients just replace their watchers. The new ones come first: no event is lost between,
        and the old ones stay when the client refuses the new ones (or does not answer).
        """
        if self._files_watcher is None and not self._watched_roots:
            return
        if self._renewing:
            self._renew_again = True  # the walk under way may have come before this folder
            return
        self._renewing = True
        old_files = self._files_watcher
        old_roots = dict(self._watched_roots)
        registrations = [self._files_watcher_registration()] if old_files is not None else []
        registrations += [self._vault_watcher_registration(root) for root in old_roots]
        renewed = {registration.id for registration in registrations}

        async def renew() -> None:
            try:
                try:
                    taken = await asyncio.wait_for(self._register(registrations), _CLIENT_ANSWER_S)
                except TimeoutError:
                    log.warning("client/registerCapability: no answer")
                    taken = False
                if taken:
                    old = [old_files] if old_files is not None else []
                    old += old_roots.values()
                else:  # the old ones still watch: keep them, and their ids
                    old = []
                    if self._files_watcher in renewed:
                        self._files_watcher = old_files
                    for root, registration in old_roots.items():
                        if self._watched_roots.get(root) in renewed:
                            self._watched_roots[root] = registration
                if old:
                    await self._unregister_watchers(old)
            finally:
                self._renewing = False
            if self._renew_again:
                self._renew_again = False
                self._renew_watchers()

        self.spawn(renew())

    async def _register(self, registrations: list[types.Registration]) -> bool:
        """Ask the client to register; False when it answered with an error."""
        if not registrations:
            return True
        try:
            await self.server.client_register_capability_async(
                types.RegistrationParams(registrations=registrations)
            )
        except Exception as error:
            log.warning("client/registerCapability failed: %s", error)
            return False
        return True

    async def _unregister_watchers(self, registration_ids: list[str]) -> None:
        method = types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        try:
            await self.server.client_unregister_capability_async(
                types.UnregistrationParams(
                    unregisterations=[
                        types.Unregistration(id=registration, method=method)
                        for registration in registration_ids
                    ]
                )
            )
        except Exception as error:
            log.warning("client/unregisterCapability failed: %s", error)

    # --- effects ----------------------------------------------------------------------------

    def apply(self, effects: Effects) -> None:
        for error in effects.errors:
            self.show_error(error)
        for vault in effects.dropped:
            self.settling.after_drop(vault)
        if self._settings_known:
            for vault in effects.index:
                self.spawn(self._index(vault))
            self._watch_vaults_outside_folders()
            self._sync_disk_watcher()
        if self.pull:
            if effects.vaults_changed or effects.recheck:
                self._request_refresh()
            if effects.vaults_changed:
                self._wake_workspace_pulls_soon()
        else:
            self.publish(effects.recheck)
        for listener in self.applied_listeners:
            listener(effects)

    def publish(self, uris: Iterable[str]) -> None:
        # Index every pending edit first (each may affect more open notes), then check: a note
        # is checked against all the others' latest texts.
        todo, flushed = set(uris), set[str]()
        while todo:
            uri = todo.pop()
            flushed.add(uri)
            self.debouncer.cancel(uri)  # checked now, with every edit so far
            todo |= self._flush(uri).recheck - flushed
        for uri in sorted(flushed):
            document = self.workspace.documents.get(uri)
            if document is not None:
                _, findings = self.workspace.findings(uri)
                self._publish(uri, self._document_diagnostics(document, findings), document.version)

    def _publish(self, uri: str, diagnostics: list[Json], version: int | None) -> None:
        params: Json = {"uri": uri, "diagnostics": diagnostics}
        if version is not None:
            params["version"] = version
        self._notify_json(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, params)

    def _notify_json(self, method: str, params: Json) -> None:
        # Sent as the JSON values they are: pygls' notify would want lsprotocol objects, only to
        # turn them back into these values.
        self.server.protocol._send_data({"jsonrpc": "2.0", "method": method, "params": params})

    def _request_refresh(self) -> None:
        if not capability(self._capabilities, "workspace", "diagnostics", "refresh_support"):
            return
        if self._loop is None:
            return
        self.debouncer.schedule(
            _REFRESH_KEY,
            _REFRESH_DELAY_MS,
            self._send_refresh,
        )

    def _send_refresh(self) -> None:
        self.server.workspace_diagnostic_refresh(None)

    def show_error(self, message: str) -> None:
        log.error("%s", message)
        self.server.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Error, message=message)
        )

    async def until_changed(self, versions: dict[str, int], timeout: float) -> None:
        """Wait until each open document of `versions` (URI -> version) is past that version,
        closed, or `timeout` seconds passed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline and any(
            (document := self.workspace.documents.get(uri)) is not None
            and document.version is not None
            and document.version <= version
            for uri, version in versions.items()
        ):
            await asyncio.sleep(_CHANGE_POLL_S)

    def spawn(self, coroutine: Any) -> None:
        """Run `coroutine` on its own, kept alive and its failure logged."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(_log_failure)

    # --- indexing ---------------------------------------------------------------------------

    async def until_indexed(self, vaults: Iterable[Vault], timeout: float) -> bool:
        """Wait until none of `vaults` is being indexed (one dropped meanwhile no longer
        counts; one made again at its root counts as the new one); False when `timeout`
        seconds passed first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        roots = [vault.root for vault in vaults]

        def indexing() -> bool:
            return any(
                (vault := self.workspace.vaults.get(root)) is not None
                and vault.state is not IndexState.READY
                for root in roots
            )

        while indexing():
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(_INDEX_POLL_S)
        return True

    async def _index(self, vault: Vault) -> None:
        if not vault.settings_asked and self.workspace.vaults.get(vault.root) is vault:
            await self._fetch_vault_settings(vault)
        if self.workspace.vaults.get(vault.root) is not vault:
            release_spares()  # the run they were started for will not come
            return  # dropped before its turn came
        loop = asyncio.get_running_loop()
        run, _ = self.workspace.start_indexing(vault)
        progress = self._progress_begin(vault)
        last = [-1, 0.0]  # percentage, time of the last report

        def report(count: int, total: int) -> None:  # on the indexing thread
            percentage = 100 * count // total if total else 100
            now = time.monotonic()
            if percentage != last[0] or now - last[1] >= _PROGRESS_INTERVAL_S:
                last[:] = [percentage, now]
                loop.call_soon_threadsafe(self._progress_report, progress, count, total)

        started = time.perf_counter()
        try:
            finished = await in_thread(
                f"notels-index-{vault.root.name}", lambda: fill_index(vault, run, report)
            )
        except Exception:
            # What was indexed stays usable; a stuck "indexing" state would disable caching.
            log.exception("indexing %s failed", vault.root)
            finished = True
        finally:
            self._progress_end(progress, vault)
            release_spares()  # workers started at initialize that no run took
        if finished:
            seconds = time.perf_counter() - started
            log.info(
                "indexed %d notes of %s in %.2f s (%d from the cache)",
                len(vault.index.notes),
                vault.root,
                seconds,
                vault.reused,
            )
            self.apply(self.workspace.finish_indexing(vault, run))
            if self.workspace.vaults.get(vault.root) is not vault:
                return  # dropped while the last batch went in: nobody asks about it any more
            for listener in self.indexed_listeners:
                listener(vault)
            # Once the index is announced, and the client pauses (see Settling).
            self.settling.after_run(vault, run)

    def _progress_begin(self, vault: Vault) -> _IndexProgress | None:
        """Ask the client for a progress token; the run does not wait for its answer (a client
        may be slow to give it, or never does): the report begins once it comes."""
        if not capability(self._capabilities, "window", "work_done_progress"):
            return None
        self._progress_tokens += 1
        progress = _IndexProgress(f"notels-index-{self._progress_tokens}", vault.root.name)
        self.spawn(self._confirm_progress(progress))
        return progress

    async def _confirm_progress(self, progress: _IndexProgress) -> None:
        try:
            await self.server.work_done_progress.create_async(progress.token)
        except Exception as error:
            log.warning("window/workDoneProgress/create failed: %s", error)
            return
        progress.confirmed = True
        self.server.work_done_progress.begin(
            progress.token,
            types.WorkDoneProgressBegin(
                title=f"notels: indexing {progress.vault_name}", percentage=0, cancellable=False
            ),
        )
        if progress.done is not None:  # where the run got to before the answer came
            self._send_progress_report(progress)
        if progress.end_message is not None:
            self._send_progress_end(progress)

    def _progress_report(self, progress: _IndexProgress | None, count: int, total: int) -> None:
        if progress is None or progress.end_message is not None:
            return
        progress.done = (count, total)
        if progress.confirmed:
            self._send_progress_report(progress)

    def _send_progress_report(self, progress: _IndexProgress) -> None:
        assert progress.done is not None
        count, total = progress.done
        percentage = 100 * count // total if total else 100
        self.server.work_done_progress.report(
            progress.token,
            types.WorkDoneProgressReport(message=f"{count}/{total} notes", percentage=percentage),
        )

    def _progress_end(self, progress: _IndexProgress | None, vault: Vault) -> None:
        if progress is None:
            return
        progress.end_message = f"{len(vault.index.notes)} notes indexed"
        if progress.confirmed:
            self._send_progress_end(progress)

    def _send_progress_end(self, progress: _IndexProgress) -> None:
        self.server.work_done_progress.end(
            progress.token, types.WorkDoneProgressEnd(message=progress.end_message)
        )
        self.server.work_done_progress.tokens.pop(progress.token, None)

    # --- pull diagnostics -------------------------------------------------------------------

    def document_diagnostic(self, params: types.DocumentDiagnosticParams) -> JsonAnswer:
        """A RelatedFull- or RelatedUnchangedDocumentDiagnosticReport, as JSON (VS Code pulls
        after every keystroke)."""
        uri = params.text_document.uri
        document = self.workspace.documents.get(uri)
        if document is not None:
            self.debouncer.cancel(uri)
            self.apply_others(uri, self._flush(uri))
            result_id, findings = self.workspace.findings(uri)
            if result_id == params.previous_result_id:
                return JsonAnswer(kind="unchanged", resultId=result_id)
            items = self._document_diagnostics(document, findings)
            return JsonAnswer(kind="full", items=items, resultId=result_id)
        place = self._note_on_disk(uri)
        if place is None:
            return JsonAnswer(kind="full", items=[])
        vault, relative = place
        result_id, findings = self.workspace.findings_at(vault, relative)
        if result_id == params.previous_result_id:
            return JsonAnswer(kind="unchanged", resultId=result_id)
        items = self._diagnostics(vault, relative, findings)
        return JsonAnswer(kind="full", items=items, resultId=result_id)

    def apply_others(self, uri: str, effects: Effects) -> None:
        """Effects of checking `uri` now: the client pulls `uri` itself, but not its dependents."""
        effects.recheck.discard(uri)
        self.apply(effects)

    async def workspace_diagnostic(self, params: types.WorkspaceDiagnosticParams) -> JsonAnswer:
        return await self.workspace_pulls.answer(params)

    def _opened_under_another_uri(self, uri: str) -> bool:
        """Is the open document a note whose file's URI is another?"""
        document = self.workspace.documents.get(uri)
        if document is None or document.vault is None or document.relative is None:
            return False
        return uri != note_uri(document.vault.root, document.relative)

    def _wake_workspace_pulls_soon(self) -> None:
        # One pass for the changes of the next 300 ms: typing a link changes other notes'
        # findings at each key. Not postponed by each change (a debounce): a stream of them,
        # as a sync client writes, would hold back every report until it ended.
        if self._loop is not None and not self.debouncer.pending(_WAKE_KEY):
            self.debouncer.schedule(_WAKE_KEY, _WAKE_DELAY_MS, self.workspace_pulls.wake)

    def _note_on_disk(self, uri: str) -> tuple[Vault, str] | None:
        path = path_of_uri(uri)
        if path is None:
            return None
        place = self.workspace.document_at(path)
        if place is None:
            return None
        vault, relative = place
        with vault.lock:
            known = relative in vault.index.notes or relative in vault.index.file_problems
        return place if known else None

    # --- conversion -------------------------------------------------------------------------

    def _document_diagnostics(self, document: OpenDocument, findings: list[Finding]) -> list[Json]:
        if document.vault is None or document.relative is None or document.note is None:
            return []
        return self._convert(document.vault, document.note.lines, findings)

    def _diagnostics(self, vault: Vault, relative: str, findings: list[Finding]) -> list[Json]:
        lines = self.workspace.lines_of(vault, relative) or LineIndex("")
        return self._convert(vault, lines, findings)

    def _convert(self, vault: Vault, lines: LineIndex, findings: list[Finding]) -> list[Json]:
        def locate(path: str) -> tuple[str, LineIndex]:
            uri = vault.open_docs.get(path) or note_uri(vault.root, path)
            return uri, self.workspace.lines_of(vault, path) or LineIndex("")

        return diagnostics_json(findings, lines, self.workspace.encoding, locate)


def _text_change(change: types.TextDocumentContentChangeEvent) -> TextChange:
    if isinstance(change, types.TextDocumentContentChangePartial):
        start, end = change.range.start, change.range.end
        return TextChange(change.text, (start.line, start.character), (end.line, end.character))
    return TextChange(change.text)


def _folders(params: types.InitializeParams) -> list[Path]:
    """Workspace folders, else the root URI (or path) of older clients."""
    uris = [folder.uri for folder in params.workspace_folders or ()]
    if not uris and params.root_uri:
        uris = [params.root_uri]
    paths = [p for p in map(path_of_uri, uris) if p is not None]
    if not paths and params.root_path:
        paths = [Path(params.root_path)]
    return [path for path in paths if path.is_dir()]


def _watcher_registration(registration_id: str, base_uri: str | None) -> types.Registration:
    return types.Registration(
        id=registration_id,
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(_watchers(base_uri)),
    )


def _holds_folders(path: Path) -> bool:
    """Is `path` a folder with a folder in it? Files of the kinds watched are not looked at."""
    if path.suffix.lower() in _WATCHED_SUFFIXES:
        return False
    try:
        with os.scandir(path) as entries:
            return any(entry.is_dir(follow_symlinks=False) for entry in entries)
    except OSError:  # not a folder, or gone again
        return False


def capability(value: object, *names: str) -> Any:
    """A nested optional capability, e.g. `capability(caps, "workspace", "configuration")`."""
    for name in names:
        if value is None:
            return None
        value = getattr(value, name, None)
    return value


async def in_thread(name: str, work: Callable[[], _Result]) -> _Result:
    """`work()` on a daemon thread of its own (see `start_thread`), awaited on the loop."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[_Result] = loop.create_future()

    def run() -> None:
        try:
            result = work()
        except Exception as error:
            loop.call_soon_threadsafe(_set_exception, done, error)
            return
        loop.call_soon_threadsafe(_set_result, done, result)

    start_thread(name, run)
    return await done


def _set_result(future: asyncio.Future[_Result], value: _Result) -> None:
    if not future.done():
        future.set_result(value)


def _set_exception(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("background task failed", exc_info=error)
