"""The server's state without the protocol: vaults, open documents, and who to re-check.

Every change to a note goes through `Workspace._replace`, which updates the vault index by that
note's delta and answers which other notes may now have different findings. The server only
turns those answers into diagnostics. Paths here are resolved absolute `Path`s or vault-relative
`/`-separated keys, never URIs; a document's URI is only carried along to report back to the
editor in its own spelling.

Threads: a vault's index is filled by a background thread (see indexer.py) while the event loop
reads and edits it, so both hold `Vault.lock` around every touch of the index.
"""

from __future__ import annotations

import collections
import itertools
import logging
import os
import stat
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from functools import partial
from pathlib import Path

from notels.config import (
    CONFIG_FILE_NAME,
    VAULT_MARKERS,
    Config,
    ConfigError,
    config_from_mapping,
    find_vault_root,
    find_vaults_below,
    has_vault_marker,
    load_vault_config,
    vault_defaults,
)
from notels.findings import Finding
from notels.rules import check_note, known_codes, problem_findings
from notels.syntax.lines import Encoding, LineIndex
from notels.syntax.markdown import Same
from notels.syntax.note import Note, ParsedNote, parse_keeping
from notels.vault.files import (
    MARKDOWN_SUFFIX,
    FileProblem,
    ProblemKind,
    is_listed,
    is_walked,
    looks_binary,
    odd_entry_problem,
    relative_key,
    resolved,
    scan_vault,
    stamp_on_disk,
    too_large,
)
from notels.vault.index import VaultIndex
from notels.vault.loader import vanished
from notels.vault.notes import load_note, note_from_disk, text_from_disk
from notels.vault.parallel import Summarized
from notels.vault.resolve import stem_key
from notels.vault.summary import NoteSummary, Stamp, same_to_other_notes, summarize
from notels.vault.templates import TEMPLATE_SETTINGS

from .findings_cache import FindingsCache
from .symbol_answers import SymbolAnswers

_EMPTY: tuple[str, list[Finding]] = ("empty", [])
# The names of Obsidian's template settings files and of the folders holding them.
_SETTINGS_NAMES = frozenset(part for path in TEMPLATE_SETTINGS for part in path.split("/"))

# Keys editors put in a server's settings section for themselves, not for the server.
_CLIENT_ONLY_SETTINGS = frozenset({"trace"})

log = logging.getLogger(__name__)


class IndexState(Enum):
    PENDING = "pending"  # known, not yet scanned
    INDEXING = "indexing"  # a background run is filling the index: answers are partial
    READY = "ready"


_VAULT_IDS = itertools.count(1)


@dataclass(eq=False)
class Vault:
    root: Path
    file_config: Config  # from `.notels.toml`
    config: Config  # file_config with the editor's settings on top: what the rules see
    settings: Mapping[str, object] = field(default_factory=dict)
    index: VaultIndex = field(default_factory=VaultIndex)
    lock: threading.RLock = field(default_factory=threading.RLock)
    state: IndexState = IndexState.PENDING
    run: int = 0  # the indexing run filling `index`; a newer run makes an older one stop
    # Vault-relative path -> URI of notes whose text comes from the editor, not from disk.
    open_docs: dict[str, str] = field(default_factory=dict)
    # Paths updated from the editor or file events during an indexing run: the run must not
    # overwrite them with what it read earlier.
    touched: set[str] = field(default_factory=set)
    # Pull diagnostics: path -> (result id, findings), dropped for every path a change affects.
    cache: FindingsCache = field(default_factory=FindingsCache)
    reused: int = 0  # notes the last indexing run took from the persistent cache
    # Every note set or removed by the editor or a file event counts one change; a note's last
    # change is when a background read of it (ReadJob) was overtaken.
    changes: int = 0
    changed_at: dict[str, int] = field(default_factory=dict)
    cache_current: bool = False  # the persistent cache holds what the last run indexed
    # Names the vault in completion items' data: short, unlike its URI, which each item repeats.
    id: int = field(default_factory=lambda: next(_VAULT_IDS))
    symbol_answers: SymbolAnswers = field(default_factory=SymbolAnswers)
    # The client was asked for this vault's own settings (its folder's): a vault that comes in
    # after that question (a folder added, a note opened elsewhere) is asked before it is
    # indexed.
    settings_asked: bool = False

    def contains(self, path: Path) -> bool:
        return path == self.root or path.is_relative_to(self.root)

    def ready_in(self, run: int) -> bool:
        """Is the index still the one run `run` completed? A newer run (a setting that
        re-indexes) starts from an empty index: work over all notes stops there."""
        return self.state is IndexState.READY and self.run == run


@dataclass(eq=False)
class OpenDocument:
    uri: str
    version: int | None
    text: str
    lines: LineIndex
    vault: Vault | None  # None for untitled buffers and files outside every vault
    relative: str | None  # vault-relative path when the document is one of the vault's notes
    note: Note | None = None  # the parse of `text`; None while edits wait for the debounce
    parsed: ParsedNote | None = None  # the last parse, kept to parse the next version faster
    # What the edits since that parse left alone: (characters at the start, at the end).
    untouched: tuple[int, int] | None = None
    path: Path | None = None  # the file, resolved; None for untitled buffers

    @property
    def is_note(self) -> bool:
        return self.vault is not None and self.relative is not None


@dataclass(frozen=True, eq=False)
class ReadJob:
    """Notes changed on disk, read on another thread while the editor goes on.

    Its read of a note lands only if the note is not open, nothing set it since the job began
    (`since`, a point in `Vault.changes`: the editor's text, or a later event's read, is newer),
    and the file still has the size and time it was read with (else its event follows).
    """

    vault: Vault
    run: int  # the indexing run whose index the job updates
    relatives: list[str]
    since: int
    affected: set[str] = field(default_factory=set)  # paths whose findings may have changed


@dataclass(frozen=True, slots=True)
class _Found:
    """What a scan found in a folder, as vault-relative paths."""

    notes: list[str]
    changed: list[str]  # the notes not as the index read them
    attachments: list[str]
    problems: list[FileProblem]

    def paths(self) -> set[str]:
        return {*self.notes, *self.attachments, *(problem.path for problem in self.problems)}


@dataclass(frozen=True, slots=True)
class TextChange:
    """An editor change; `start`/`end` are (line, character) in the negotiated encoding."""

    text: str
    start: tuple[int, int] | None = None  # None: `text` replaces the whole document
    end: tuple[int, int] | None = None


@dataclass
class Effects:
    """What a workspace change asks the server to do next."""

    recheck: set[str] = field(default_factory=set)  # URIs of open documents to re-check
    index: list[Vault] = field(default_factory=list)  # vaults to (re)index from disk
    errors: list[str] = field(default_factory=list)  # configuration problems to show
    vaults_changed: bool = False  # notes that are not open may have new findings (pull refresh)
    dropped: list[Vault] = field(default_factory=list)  # vaults nothing holds any more

    def merge(self, other: Effects) -> Effects:
        self.recheck |= other.recheck
        self.index.extend(v for v in other.index if v not in self.index)
        self.errors.extend(other.errors)
        self.vaults_changed = self.vaults_changed or other.vaults_changed
        self.dropped.extend(v for v in other.dropped if v not in self.dropped)
        return self


def clean_settings(settings: object) -> Mapping[str, object]:
    """The editor's `notels` settings section as a mapping of config keys (null: none); raises
    ConfigError for a section that is no object."""
    if settings is None or settings == []:
        return {}  # Lua encodes an empty table as `[]`: Neovim's `settings = { notels = {} }`
    if not isinstance(settings, Mapping):
        raise ConfigError(f"settings: must be an object, not {type(settings).__name__}")
    return {str(k): v for k, v in settings.items() if k not in _CLIENT_ONLY_SETTINGS}


def read_file_config(root: Path, base_settings: Mapping[str, object]) -> tuple[Config, Config]:
    """(file config, effective config) of a vault; raises ConfigError."""
    file_config = load_vault_config(root, known_codes())
    return file_config, config_from_mapping(base_settings, known_codes(), base=file_config)


class Workspace:
    def __init__(self, encoding: Encoding = Encoding.UTF16) -> None:
        self.encoding = encoding
        self.vaults: dict[Path, Vault] = {}
        self.documents: dict[str, OpenDocument] = {}
        self.settings: Mapping[str, object] = {}
        # The settings error last reported, by whose settings (all vaults' or one vault's) and
        # which check (the settings alone, or with a vault's file): the same settings come twice
        # at start (Neovim sends them, then answers our request), and on every fetch.
        self._settings_errors: dict[tuple[str, Path | None], str] = {}
        self.folders: dict[Path, tuple[Path, ...]] = {}  # workspace folder -> its vaults' roots
        # Workspace folders naming each folder of `folders`: a symlink and its target, or two
        # spellings of one path, are one folder here; removing one must not forget the other.
        self._folder_names: collections.Counter[Path] = collections.Counter()
        self._result_ids = itertools.count(1)
        # Result ids of this process only: a client holding ids from a server run before (a
        # restart) must not find them matching this run's, and keep its old diagnostics.
        self._result_id_prefix = f"{os.getpid():x}.{time.time_ns():x}."
        # Effects found outside a call that returns them (a stale note met while reading); the
        # session applies them soon after.
        self.on_effects: Callable[[Effects], None] | None = None

    # --- vaults -----------------------------------------------------------------------------

    def add_folder(self, folder: Path) -> Effects:
        """A workspace folder; its vault is the folder, or the vault it lies in (like `check`).
        A folder without a vault's marks at or above it that holds marked vaults further down
        (a repository with a vault in it) stands for those vaults instead."""
        effects = Effects()
        if not folder.is_dir():
            # Deleted, or on a drive not mounted: it holds no notes, and the vault found above
            # it would be its parent (all the user's vaults, a home folder), indexed whole.
            log.warning("workspace folder %s is not there: left out", folder)
            return effects
        key = resolved(folder)
        roots = self._roots_for(key)
        unmarked = roots == [key] and not has_vault_marker(key)
        vaults = []
        for each in roots:
            vault, found = self._vault_at(each)
            effects.merge(found)
            vaults.append(vault.root)
        self.folders[key] = tuple(vaults)
        self._folder_names[key] += 1
        if unmarked and vaults == [key]:
            # Workspace folders added before, inside this one and standing for themselves in
            # the same way, are folders of its vault now.
            for inner, inner_roots in list(self.folders.items()):
                inside = inner != key and inner.is_relative_to(key)
                if inside and inner_roots == (inner,) and not has_vault_marker(inner):
                    effects.merge(self._stand_for(inner, inner_roots, (key,)))
        return effects.merge(self._move_open_documents())

    def _roots_for(self, key: Path) -> list[Path]:
        """The vaults the workspace folder at `key` stands for (see add_folder). One without
        marks of its own inside the vault another workspace folder stands for is a folder of
        that vault, as `check` of the outer folder reads it, not a vault nested in it whose
        links to the rest would all break (review s31)."""
        roots = [resolved(root) for root in _roots_of_folder(key)]
        if roots != [key] or has_vault_marker(key):
            return roots
        around = [
            root
            for folder, folder_roots in self.folders.items()
            if folder != key
            for root in folder_roots
            if root != key and key.is_relative_to(root)
        ]
        return [max(around, key=lambda root: len(root.parts))] if around else roots

    def settings_scope(self, vault: Vault) -> Path:
        """Where the editor's settings for `vault` are asked for: its root, or for a vault
        around the workspace folders that stand for it (a folder opened inside a vault), the
        first of those, whose own settings (VS Code's folder settings) the root lies outside."""
        folders = sorted(folder for folder, roots in self.folders.items() if vault.root in roots)
        if not folders or any(vault.root.is_relative_to(folder) for folder in folders):
            return vault.root
        return folders[0]

    def _move_open_documents(self, leaving: Vault | None = None) -> Effects:
        """Open documents whose innermost vault is now another: a folder added after they were
        opened (a note opened outside every vault, or in a vault around the new one); or, for
        those of `leaving`, the innermost vault other than it."""
        effects = Effects()
        for document in list(self.documents.values()):
            path = document.path
            holding = [v for v in self.vaults_holding(path) if v is not leaving] if path else []
            vault = holding[0] if holding else None
            if path is None or vault is None or vault is document.vault:
                continue
            old, relative = document.vault, document.relative
            document.relative = relative_key(vault.root, path) if path != vault.root else None
            self._attach(document, vault)
            effects.recheck.add(document.uri)
            if old is not None:
                effects.merge(self._leave(old, relative, document.uri))
        return effects

    def remove_folder(self, folder: Path) -> Effects:
        """A workspace folder closed: its vaults go with it, unless another folder or an open
        note still lies in them. An open note keeps its whole vault, even one without a vault's
        marks (which a note opened outside every folder would not bring in): the findings the
        editor shows for it stay as they were, links resolved, until it is closed."""
        key = resolved(folder)
        self._folder_names[key] -= 1
        if self._folder_names[key] > 0:
            return Effects()  # another workspace folder names the same one
        del self._folder_names[key]
        roots = self.folders.pop(key, ())
        effects = Effects()
        # Folders inside it that were folders of its vault (see _roots_for) are what they are
        # without it: vaults of their own, or folders of another vault around them.
        for inner, inner_roots in list(self.folders.items()):
            if any(inner_roots == (root,) and inner != root for root in roots):
                found = tuple(self._roots_for(inner))
                effects.merge(self._stand_for(inner, inner_roots, found))
        for root in roots:
            vault = self.vaults.get(root)
            if vault is not None and not self._is_held(vault):
                effects.merge(self._drop(vault))
        return effects

    def _is_held(self, vault: Vault) -> bool:
        """Does a workspace folder stand for the vault, or an open document lie in it?"""
        return any(vault.root in roots for roots in self.folders.values()) or any(
            document.vault is vault for document in self.documents.values()
        )

    def _drop(self, vault: Vault) -> Effects:
        """Forget a vault nothing holds: requests and workspace diagnostics no longer see its
        notes, and pull clients are asked to pull again, which clears what they showed of
        them (see Session.workspace_diagnostic). Push clients hold nothing of it: diagnostics
        are pushed for open documents only, one of them would have held the vault, and
        closing a document clears its own."""
        del self.vaults[vault.root]
        with vault.lock:
            if vault.state is not IndexState.READY:
                vault.run += 1  # a run filling its index stops at its next batch
            # A finished run keeps its number: its index cache is still written (Settling).
        return Effects(vaults_changed=True, dropped=[vault])

    def nested_roots(self, vault: Vault) -> frozenset[str]:
        """Vault-relative paths of the known vaults inside `vault`. Their notes are notes of
        both; a workspace-wide answer (symbols, IDs, diagnostics, counts) takes each from its
        innermost vault, once."""
        return frozenset(
            relative_key(vault.root, other.root)
            for other in self.vaults.values()
            if other.root != vault.root and other.root.is_relative_to(vault.root)
        )

    def vaults_holding(self, path: Path) -> list[Vault]:
        """Every known vault holding `path`, the innermost first: a vault nested in another
        is a folder of the outer one too, whose notes link into it."""
        holding = [vault for vault in self.vaults.values() if vault.contains(path)]
        return sorted(holding, key=lambda vault: len(vault.root.parts), reverse=True)

    def vault_of(self, path: Path) -> Vault | None:
        """The innermost known vault holding `path`."""
        holding = self.vaults_holding(path)
        return holding[0] if holding else None

    def _may_hold_a_vault(self, root: Path) -> bool:
        """May a note opened outside every vault make `root` one? Only a folder with a vault's
        marks: the folder of a loose note (`~/Downloads/x.md`) may hold anything, and indexing
        it would read all of it. Such a note is checked by nothing, as an `untitled:` one."""
        return has_vault_marker(resolved(root))

    def _vault_at(self, root: Path) -> tuple[Vault, Effects]:
        root = resolved(root)
        effects = Effects()
        vault = self.vaults.get(root)
        if vault is not None:
            return vault, effects
        # A bad `.notels.toml` keeps the settings, bad settings keep the file (as apply_settings).
        settings = self.settings
        try:
            file_config, _ = read_file_config(root, {})
        except ConfigError as error:
            effects.errors.append(str(error))
            file_config = vault_defaults(root)
        try:
            config = config_from_mapping(settings, known_codes(), base=file_config)
        except ConfigError as error:  # only with what this vault's file sets
            effects.errors.append(f"notels {error} (vault {root})")
            settings, config = {}, file_config
        vault = Vault(root, file_config, config, dict(settings))
        self.vaults[root] = vault
        effects.index.append(vault)
        return vault, effects

    def start_indexing(self, vault: Vault) -> tuple[int, VaultIndex]:
        """Begin a run on a fresh index that already holds the open notes; returns its id."""
        with vault.lock:
            vault.run += 1
            vault.state = IndexState.INDEXING
            vault.index = VaultIndex(
                partial(_load_from_disk, vault),
                keep_notes=False,
                text_loader=partial(_text_from_disk, vault),
            )
            vault.index.on_stale = partial(self._stale_note, vault)
            vault.touched.clear()
            vault.cache.clear()
            for relative, uri in vault.open_docs.items():
                document = self.documents.get(uri)
                if document is not None:
                    self._parse(document)
                    self._set(vault, relative, document)
            return vault.run, vault.index

    def finish_indexing(self, vault: Vault, run: int) -> Effects:
        """The run is complete: findings of every note may have changed."""
        with vault.lock:
            if run != vault.run:
                return Effects()
            vault.state = IndexState.READY
            vault.touched.clear()
            vault.cache.clear()
        return Effects(recheck=set(vault.open_docs.values()), vaults_changed=True)

    # --- configuration ----------------------------------------------------------------------

    def apply_settings(self, settings: object, vault: Vault | None = None) -> Effects:
        """New editor settings for one vault (or all); bad ones keep the previous settings, for
        the vaults open now and those that join later, and are reported once."""
        effects = Effects()
        where = vault.root if vault is not None else None  # whose settings these are
        try:
            cleaned = clean_settings(settings)
            config_from_mapping(cleaned, known_codes())  # the settings alone: one error, once
        except ConfigError as error:
            self._settings_error(("alone", where), f"notels {error}", effects)
            return effects
        self._settings_errors.pop(("alone", where), None)
        if vault is None:
            self.settings = cleaned
        for target in [vault] if vault is not None else list(self.vaults.values()):
            try:
                config = config_from_mapping(cleaned, known_codes(), base=target.file_config)
            except ConfigError as error:  # only with what this vault's file sets
                message = f"notels {error} (vault {target.root})"
                self._settings_error(("with file", target.root), message, effects)
                continue
            self._settings_errors.pop(("with file", target.root), None)
            target.settings = cleaned
            effects.merge(self._set_config(target, config))
        return effects

    def _settings_error(
        self, where: tuple[str, Path | None], message: str, effects: Effects
    ) -> None:
        """Report `message` unless it is the one reported last for `where`."""
        if self._settings_errors.get(where) != message and message not in effects.errors:
            effects.errors.append(message)
        self._settings_errors[where] = message

    def reload_file_config(self, vault: Vault) -> Effects:
        try:
            file_config, config = read_file_config(vault.root, vault.settings)
        except ConfigError as error:
            return Effects(errors=[str(error)])
        vault.file_config = file_config
        return self._set_config(vault, config)

    def _set_config(self, vault: Vault, config: Config) -> Effects:
        old = vault.config
        with vault.lock:
            vault.config = config
            vault.cache.clear()
        effects = Effects(recheck=set(vault.open_docs.values()), vaults_changed=True)
        if config.ignored != old.ignored or config.max_file_bytes != old.max_file_bytes:
            effects.index.append(vault)  # which files are notes changed: only a rescan knows
        for document in self.documents.values():
            if document.vault is vault:  # an open note may have become ignored, or not
                self._attach(document, vault)
                effects.recheck.add(document.uri)
        return effects

    # --- open documents ---------------------------------------------------------------------

    def open(self, uri: str, path: Path | None, text: str, version: int | None) -> Effects:
        effects = Effects()
        vault: Vault | None = None
        if path is not None:
            path = self.scanned_path(path)
            vault = self.vault_of(path)
            root = find_vault_root(path) if vault is None else None
            if root is not None and self._may_hold_a_vault(root):
                # No workspace folder holds it: find its vault like `check` does.
                vault, effects = self._vault_at(root)
        document = OpenDocument(uri, version, text, LineIndex(text), None, None, path=path)
        self.documents[uri] = document
        if vault is not None and path is not None:
            document.relative = relative_key(vault.root, path) if path != vault.root else None
            self._attach(document, vault)
        effects.recheck.add(uri)
        return effects.merge(self.flush(uri))

    def _attach(self, document: OpenDocument, vault: Vault | None) -> None:
        """Make the document one of the vault's notes, unless the vault would not index it."""
        document.vault = vault
        if vault is None or document.relative is None:
            return
        if not self._is_note_path(vault, document.relative):
            with vault.lock:
                vault.open_docs.pop(document.relative, None)
            return
        with vault.lock:
            vault.open_docs[document.relative] = document.uri
        document.note = None  # re-parse and re-index on the next flush

    def change(self, uri: str, version: int | None, changes: Iterable[TextChange]) -> bool:
        """Apply editor changes to the text; parsing waits for `flush`. False if not open."""
        document = self.documents.get(uri)
        if document is None:
            return False
        text, lines = document.text, document.lines
        head, tail = document.untouched or (len(text), len(text))
        # Offsets into `text` of changes not applied yet, each wholly above the one before: an
        # editor sends a replace-all or a multi-cursor edit bottom to top, one notification.
        # Such a change is at the same offsets once those below it are applied, so a run of
        # them is applied in one pass (one by one, each copied the whole text: 10,000 changes
        # in a 1 MB note took 6.5 s).
        run: list[tuple[int, int, str]] = []
        for change in changes:
            if change.start is None or change.end is None:
                text, lines, head, tail, run = change.text, LineIndex(change.text), 0, 0, []
                continue
            start, end = self._offsets(lines, change)
            if run and not (
                _above(text, end, run[-1][0]) and self._exact(lines, change, start, end)
            ):
                text, lines, head, tail = _apply_run(text, lines, run, head, tail)
                start, end, run = *self._offsets(lines, change), []
            run.append((start, end, change.text))
        text, lines, head, tail = _apply_run(text, lines, run, head, tail)
        document.text, document.lines, document.version = text, lines, version
        document.untouched = (head, tail)
        document.note = None
        return True

    def _offsets(self, lines: LineIndex, change: TextChange) -> tuple[int, int]:
        assert change.start is not None and change.end is not None
        start = lines.offset(*change.start, self.encoding)
        end = lines.offset(*change.end, self.encoding)
        return min(start, end), max(start, end)

    def _exact(self, lines: LineIndex, change: TextChange, start: int, end: int) -> bool:
        """Are the change's positions in the text as they are, not moved to a line's end, the
        text's end or a character's start? Only then do they mean the same offsets once the
        changes below them are applied."""
        assert change.start is not None and change.end is not None
        start_line, start_character, end_line, end_character = lines.positions(
            start, end, self.encoding
        )
        return {(start_line, start_character), (end_line, end_character)} == {
            change.start,
            change.end,
        }

    def flush(self, uri: str) -> Effects:
        """Parse the document's latest text and put it into its vault's index."""
        document = self.documents.get(uri)
        if document is None or document.note is not None:
            return Effects()
        self._parse(document)
        vault, relative = document.vault, document.relative
        if vault is None or relative is None or relative not in vault.open_docs:
            return Effects()
        effects = Effects()
        twins = self._twins(vault, relative, uri)
        if twins:
            # The note is open under another URI too (a symlinked folder, another spelling):
            # the buffer edited last holds its newest text, and the others show its findings
            # while their text is the same (see `findings`).
            with vault.lock:
                vault.open_docs[relative] = uri
            effects.recheck.update(twin.uri for twin in twins)
        return effects.merge(self.effects_of(vault, self._set(vault, relative, document)))

    def _twins(self, vault: Vault, relative: str, uri: str) -> list[OpenDocument]:
        """Other open documents of the same note (under other URIs)."""
        return [
            document
            for document in self.documents.values()
            if document.vault is vault and document.relative == relative and document.uri != uri
        ]

    def close(self, uri: str) -> Effects:
        """The editor's text no longer counts: the note is what is on disk again. A vault that
        only open documents held (one opened from outside every workspace folder brought it
        in, or its folder was removed) goes with the last of them."""
        document = self.documents.pop(uri, None)
        if document is None or document.vault is None:
            return Effects()
        return self._leave(document.vault, document.relative, uri)

    def _leave(self, vault: Vault, relative: str | None, uri: str) -> Effects:
        """The document at `uri` no longer stands for `relative` in `vault` (it was closed, or
        moved to another vault): the file on disk counts there again, and a vault nothing else
        holds goes."""
        if relative is not None and vault.open_docs.get(relative) == uri:
            twins = self._twins(vault, relative, uri)
            if twins:  # still open under another URI: its text stands for the note now
                with vault.lock:
                    vault.open_docs[relative] = twins[0].uri
                twins[0].note = None
                effects = self.flush(twins[0].uri)
                effects.recheck.update(twin.uri for twin in twins)
                return effects
            with vault.lock:
                del vault.open_docs[relative]
        else:
            relative = None  # not among the vault's notes (ignored): nothing to read again
        if not self._is_held(vault):
            return self._drop(vault)
        return self._reload(vault, relative) if relative is not None else Effects()

    def _parse(self, document: OpenDocument) -> None:
        if document.note is None:
            untouched = document.untouched
            same = None
            if untouched is not None and document.parsed is not None:
                shorter = min(len(document.parsed.note.text), len(document.text))
                head = min(untouched[0], shorter)
                same = Same(head, min(untouched[1], shorter - head))
            document.parsed = parse_keeping(document.text, document.lines, document.parsed, same)
            document.note = document.parsed.note
            document.untouched = None

    def _set(self, vault: Vault, relative: str, document: OpenDocument) -> set[str]:
        assert document.note is not None
        problem = _editor_text_problem(
            relative, document.text, vault.config.max_file_bytes, vault.root / relative
        )
        if problem is not None:
            return self._replace(vault, relative, None, problem)
        return self._replace(vault, relative, document.note, None)

    # --- files on disk ----------------------------------------------------------------------

    def file_changed(self, path: Path) -> Effects:
        """A file was created or changed on disk (or a folder appeared there): read now."""
        effects, to_read = self.files_changed([path])
        for vault, relatives in to_read.items():
            effects.merge(self.read_notes(vault, relatives))
        return effects

    def files_changed(self, paths: Iterable[Path]) -> tuple[Effects, dict[Vault, list[str]]]:
        """Files created or changed on disk, or folders that appeared or changed there.

        Everything is done but reading the notes among them: those come back, per vault, for
        the caller to read here (`read_notes`) or, when there are many, on another thread
        (`start_read`): a `git checkout` changes thousands at once.
        """
        effects = Effects()
        to_read: dict[Vault, dict[str, None]] = {}
        missing: dict[Vault, list[str]] = {}  # gone again already: deleted, all in one go
        folders: dict[Vault, dict[str, set[str]]] = {}  # folder -> the paths found in it
        for vault, path in self._on_disk(paths, effects):
            relative = relative_key(vault.root, path)
            # What the path is itself, as the scan sees it: a symlink is not followed here.
            try:
                mode: int | None = os.lstat(path).st_mode
            except OSError:
                mode = None
            problem = None
            if mode is not None and not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                if not (is_listed(relative) and is_walked(relative, vault.config.ignored)):
                    mode = None  # of a symlink it does not walk, the scan lists nothing
                else:
                    problem = odd_entry_problem(vault.root, relative, vault.config.ignored)
                    if problem is None:  # a symlink the scan follows, or what it passes over
                        mode = _followed_mode(path)
            if mode is None:
                missing.setdefault(vault, []).append(relative)
            elif problem is not None:
                effects.merge(self._skipped(vault, relative, problem))
                folders.setdefault(vault, {})[relative] = {relative}  # nothing kept under it
            elif stat.S_ISDIR(mode):
                with vault.lock:
                    _changed(vault, relative)  # what a run read in it is older
                found = self._folder_found(vault, relative, effects)
                for note in found.changed:
                    self._disk_note(vault, note, to_read.setdefault(vault, {}))
                folders.setdefault(vault, {})[relative] = found.paths()
            else:
                if self._is_note_path(vault, relative):
                    self._disk_note(vault, relative, to_read.setdefault(vault, {}))
                elif self._is_attachment_path(vault, relative):
                    effects.merge(self._attachment_found(vault, relative))
                # A folder replaced by a file of its name: nothing under it is there any more.
                # (A path the index holds as a file was none: a note saved costs no search.)
                if not self._holds_file(vault, relative):
                    folders.setdefault(vault, {})[relative] = {relative}
        for vault, found_in in folders.items():
            # A folder replaced at once (deleted and written again, or only told of as
            # changed) may have lost files: what the index holds in it and the scan did not find;
            # and a path that was a note, and is a folder now, is no note.
            present = set().union(*found_in.values())
            with vault.lock:
                index = vault.index
                held = (*index.summaries, *index.file_problems, *index.attachments())
                lost = [
                    p
                    for p in held
                    if p not in present and (p in found_in or under(p, found_in.keys()))
                ]
            missing.setdefault(vault, []).extend(lost)
        for vault, relatives in missing.items():
            effects.merge(self._files_deleted(vault, relatives))
        return effects, {vault: list(notes) for vault, notes in to_read.items() if notes}

    def _holds_file(self, vault: Vault, relative: str) -> bool:
        """Does the index hold `relative` as a file: a note, an attachment, a skipped file?"""
        with vault.lock:
            index = vault.index
            return (
                relative in index.summaries
                or relative in index.file_problems
                or index.has_attachment(relative)
            )

    def _skipped(self, vault: Vault, relative: str, problem: FileProblem) -> Effects:
        """A path the scan skips now (a note replaced by a symlink or a FIFO): its problem
        replaces what the index held there; an open note lives on in the editor."""
        if relative in vault.open_docs:
            return Effects()
        return self.effects_of(vault, self._replace(vault, relative, None, problem))

    def _folder_found(self, vault: Vault, relative: str, effects: Effects) -> _Found:
        """Scan a folder that appeared or changed: its attachments and problems are indexed at
        once; its notes are returned, the changed ones to be read. The scan is the vault's own,
        limited to the folder: the same ignore globs and symlink rules, vault-relative."""
        if not is_listed(relative):
            return _Found([], [], [], [])
        files = scan_vault(vault.root, vault.config.ignored, relative)
        with vault.lock:
            summaries = vault.index.summaries
            # A note whose size and time are those it was read with is not read again.
            unchanged = {
                note
                for note in files.notes
                if (summary := summaries.get(note)) is not None
                and summary.stamp == files.stamps.get(note)
            }
        found = _Found(
            list(files.notes),
            [note for note in files.notes if note not in unchanged],
            list(files.attachments),
            list(files.problems),
        )
        for attachment in found.attachments:
            effects.merge(self._attachment_found(vault, attachment))
        with vault.lock:
            for problem in found.problems:
                vault.index.file_problems[problem.path] = problem
                vault.cache.drop(problem.path)
        return found

    def _attachment_found(self, vault: Vault, relative: str) -> Effects:
        with vault.lock:
            vault.index.add_attachment(relative)
            affected = vault.index.linkers_of_name(stem_key(relative))
        return self.effects_of(vault, affected)

    def _on_disk(self, paths: Iterable[Path], effects: Effects) -> list[tuple[Vault, Path]]:
        """Disk events: re-read the config files among the paths, and pair each other path
        with the vault holding it (a vault's root itself is no note)."""
        owned: list[tuple[Vault, Path]] = []
        folders: dict[Path, Path] = {}  # resolved once for all the files in them
        resolved_paths = [_resolved(path, folders, self.scanned_path) for path in paths]
        effects.merge(self._find_vaults_again(resolved_paths))
        for path in resolved_paths:
            for vault in self._vaults_configured_by(path):
                effects.merge(self.reload_file_config(vault))
            # A vault nested in another is indexed by both (as `check` of the outer one does).
            for vault in list(self.vaults.values()):
                if path != vault.root and vault.contains(path):
                    owned.append((vault, path))
        return owned

    def _find_vaults_again(self, paths: Sequence[Path]) -> Effects:
        """A workspace folder that holds vaults further down (see add_folder) stands for the
        vaults below it now: one made there (`.obsidian` written, a folder checked out) joins,
        one deleted or moved away goes. Only a path outside its vaults that could be one (a
        folder, a vault's marker) or that held one may change them, and the search below the
        folder is bounded: a vault it found before stays while its marker does. A folder left
        with no vault stands for none (and keeps looking), not for itself as at the start.

        A folder that is a vault or lies in one becomes a vault of its own when its own marker
        is written (`.notels.toml` in a folder opened inside a vault), and goes back to the
        vault around it when its marker goes, as `check` of it and a restart would find; it
        finds its vault again too when that vault's marker goes, or one is written between
        them. So does a folder that held vaults further down once marked itself (the whole
        folder opened in Obsidian): one vault, those below it its folders."""
        effects = Effects()
        markers = [path.parent for path in paths if path.name in VAULT_MARKERS]
        for folder, roots in list(self.folders.items()):
            around = any(root == folder or not root.is_relative_to(folder) for root in roots)
            # Its own marker, or one at or below the root of the vault around it, on the way
            # down to it (that vault's own, deleted: the folder may lie in none any more).
            if any(
                marked == folder
                or (
                    around
                    and folder.is_relative_to(marked)
                    and any(marked.is_relative_to(root) for root in roots)
                )
                for marked in markers
            ):
                effects.merge(self._stand_for(folder, roots, tuple(self._roots_for(folder))))
                continue
            if around:
                continue
            if not any(_may_change_vaults(path, folder, roots) for path in paths):
                continue
            kept = [root for root in roots if has_vault_marker(root)]
            below = (resolved(root) for root in find_vaults_below(folder))
            effects.merge(self._stand_for(folder, roots, tuple(dict.fromkeys([*below, *kept]))))
        return effects

    def _stand_for(self, folder: Path, roots: tuple[Path, ...], found: tuple[Path, ...]) -> Effects:
        """The workspace folder stands for the vaults at `found` now, no longer for `roots`."""
        effects = Effects()
        if found == roots:
            return effects
        self.folders[folder] = found
        for root in found:
            if root not in self.vaults:
                effects.merge(self._vault_at(root)[1])
        for root in roots:
            vault = self.vaults.get(root)
            if root in found or vault is None:
                continue
            around = any(root.is_relative_to(outer) for outer in found)
            if (around or not has_vault_marker(root)) and not any(
                root in r for r in self.folders.values()
            ):
                # No vault any more (its marker gone), or a folder of the vault found around it
                # now: its open notes are the notes of the vault around them, as at a fresh
                # start, not a vault of their own that they hold on to.
                effects.merge(self._move_open_documents(leaving=vault))  # may drop it
            if self.vaults.get(root) is vault and not self._is_held(vault):
                effects.merge(self._drop(vault))
        return effects.merge(self._move_open_documents())  # a note open in a vault found now

    def _disk_note(self, vault: Vault, relative: str, to_read: dict[str, None]) -> None:
        if relative not in vault.open_docs and self._is_note_path(vault, relative):
            to_read[relative] = None  # the editor's text wins over the disk

    def read_notes(self, vault: Vault, relatives: Iterable[str]) -> Effects:
        """Read notes changed on disk, here and now."""
        effects = Effects()
        for relative in relatives:
            if relative not in vault.open_docs:  # opened since the event came
                effects.merge(self._reload(vault, relative))
        return effects

    def start_read(self, vault: Vault, relatives: list[str]) -> ReadJob:
        """Notes changed on disk, to be read on another thread (see `ReadJob`)."""
        with vault.lock:
            return ReadJob(vault, vault.run, relatives, vault.changes)

    def finish_read(self, job: ReadJob, read: Iterable[Summarized]) -> set[str]:
        """Index what a ReadJob read, unless something newer came meanwhile; any thread.

        Returns the paths whose findings may have changed (see `effects_of`).
        """
        vault = job.vault
        with vault.lock:
            if vault.run != job.run:
                return set()  # a new indexing run reads every note itself
            kept: list[tuple[str, NoteSummary | None, FileProblem | None]] = []
            for relative, summary, problem in read:
                if relative in vault.open_docs:
                    continue
                if vault.changed_at.get(relative, 0) > job.since:
                    continue  # set since the job began: by the editor, or from a later event
                if summary is not None and summary.stamp != stamp_on_disk(vault.root, relative):
                    continue  # changed or deleted since it was read: its own event follows
                if problem is not None and summary is None and vanished(vault.root, problem):
                    problem = None  # deleted since the event: its own event follows
                kept.append((relative, summary, problem))
            affected = self._replace_all(vault, kept)
            job.affected.update(affected)
            return affected

    def files_deleted(self, paths: Iterable[Path]) -> Effects:
        """Files or folders gone from disk."""
        effects = Effects()
        by_vault: dict[Vault, list[str]] = {}
        for vault, path in self._on_disk(paths, effects):
            by_vault.setdefault(vault, []).append(relative_key(vault.root, path))
        for vault, relatives in by_vault.items():
            effects.merge(self._files_deleted(vault, relatives))
        return effects

    def _files_deleted(self, vault: Vault, relatives: list[str]) -> Effects:
        """Paths gone from a vault: notes, attachments, or folders holding them.

        A path the index knows is looked up; only the others may be folders, and those are
        found in one pass over the index, however many there are.
        """
        gone = dict.fromkeys(relatives)
        with vault.lock:
            for relative in gone:
                _changed(vault, relative)  # a read of it under way is older
            index = vault.index
            notes = [p for p in gone if p in index.summaries or p in index.file_problems]
            attachments = [p for p in gone if index.has_attachment(p)]
            # A scan problem's path may be a folder's (unreadable, a symlink loop).
            folders = gone.keys() - {p for p in gone if p in index.summaries} - {*attachments}
            if folders:
                notes += (p for p in (*index.summaries, *index.file_problems) if under(p, folders))
                attachments += (p for p in index.attachments() if under(p, folders))
        # An open note lives on in the editor.
        closed = [(n, None, None) for n in dict.fromkeys(notes) if n not in vault.open_docs]
        affected = self._replace_all(vault, closed)
        for attachment in attachments:
            with vault.lock:
                vault.index.remove_attachment(attachment)
                affected |= vault.index.linkers_of_name(stem_key(attachment))
        return self.effects_of(vault, affected)

    def _vaults_configured_by(self, path: Path) -> list[Vault]:
        """The vaults whose config a changed file is part of: its `.notels.toml`, or the
        Obsidian settings naming its template folders."""
        if path.name == CONFIG_FILE_NAME:
            return [vault for vault in self.vaults.values() if vault.root == path.parent]
        if path.name not in _SETTINGS_NAMES:
            return []  # a note: the test below costs microseconds, times a `git checkout`
        # The file itself, or a folder holding it (`.obsidian/` deleted or moved in at once:
        # editors report only the folder then).
        return [
            vault
            for vault in self.vaults.values()
            if path != vault.root
            and path.is_relative_to(vault.root)
            and any((vault.root / settings).is_relative_to(path) for settings in TEMPLATE_SETTINGS)
        ]

    def _reload(self, vault: Vault, relative: str) -> Effects:
        note, problem, stamp = load_note(vault.root, relative, vault.config)
        if note is None and problem is not None and vanished(vault.root, problem):
            problem = None
        return self.effects_of(vault, self._replace(vault, relative, note, problem, stamp))

    def _stale_note(
        self,
        vault: Vault,
        relative: str,
        note: Note,
        problem: FileProblem | None,
        stamp: Stamp,
    ) -> None:
        """A closed note read again is not what the index saw: its file changed and no file
        event said so (yet). Index what is on disk now, as for that event, and let the
        session re-check the notes it affects."""
        effects = self.effects_of(vault, self._replace(vault, relative, note, problem, stamp))
        if self.on_effects is not None:
            self.on_effects(effects)

    def _is_attachment_path(self, vault: Vault, relative: str) -> bool:
        """Would a scan list this file as an attachment: a file that is no note, or a note of
        an ignored folder?"""
        is_note = relative.lower().endswith(MARKDOWN_SUFFIX)
        return is_listed(relative) and is_walked(relative, vault.config.ignored) != is_note

    def _is_note_path(self, vault: Vault, relative: str) -> bool:
        """Would a scan of the vault (see files.scan_vault) index this file as a note?"""
        return relative.lower().endswith(MARKDOWN_SUFFIX) and is_walked(
            relative, vault.config.ignored
        )

    # --- the delta ----------------------------------------------------------------------------

    def _replace(
        self,
        vault: Vault,
        relative: str,
        note: Note | None,
        problem: FileProblem | None,
        stamp: Stamp | None = None,
    ) -> set[str]:
        """Set, skip or remove one note; returns the paths whose findings may have changed.

        Other notes see a note only through its summary, so when the summary stays the same
        only the note itself changes; otherwise see `_delta`.
        """
        index = vault.index
        summary = summarize(note, stamp) if note is not None else None
        pinned = relative in vault.open_docs
        with vault.lock:
            old = index.summary(relative)
            _changed(vault, relative)
            if note is not None and _only_itself(index, relative, old, summary, problem):
                index.set_note(relative, note, problem, stamp, pinned, summary)
                vault.cache.drop(relative)
                return {relative}
            with self._delta(vault, [(relative, summary)]) as affected:
                if note is not None:
                    index.set_note(relative, note, problem, stamp, pinned, summary)
                elif problem is not None:
                    index.set_problem(problem)
                else:
                    index.remove_note(relative)
        return affected

    def _replace_all(
        self, vault: Vault, notes: Sequence[tuple[str, NoteSummary | None, FileProblem | None]]
    ) -> set[str]:
        """`_replace` for many notes known by their summaries (or removed: neither summary nor
        problem), as one change: the fields inferred for each note type are compared once for
        them all, where one note at a time may look through every note of the vault each time."""
        index = vault.index
        with vault.lock:
            # As in `_replace`: a note whose summary stays the same changes only itself. A sync
            # touching 800 of 10,000 notes without changing what others see of them had the
            # notes linking to each checked again, 4,800 in all (5 s).
            alone = {
                relative
                for relative, summary, problem in notes
                if _only_itself(index, relative, index.summary(relative), summary, problem)
            }
            changes = [
                (relative, summary) for relative, summary, _ in notes if relative not in alone
            ]
            with self._delta(vault, changes) as affected:
                for relative, summary, problem in notes:
                    _changed(vault, relative)
                    if summary is not None:
                        index.set_summary(relative, summary, problem)
                    elif problem is not None:
                        index.set_problem(problem)
                    else:
                        index.remove_note(relative)
            for relative in alone:
                vault.cache.drop(relative)
        return affected | alone

    @contextmanager
    def _delta(
        self, vault: Vault, changes: Sequence[tuple[str, NoteSummary | None]]
    ) -> Iterator[set[str]]:
        """Around a change of notes to these summaries (None: gone), which the caller makes
        under the vault's lock: the paths whose findings may have changed. Those are the notes
        themselves, notes linking to their names or aliases and notes sharing one of their card
        IDs (before and after: a removed alias breaks links), and, when the field names inferred
        for a note type changed, every note with cards of that type."""
        index = vault.index
        affected: set[str] = set()
        note_types: set[str] = set()
        for relative, summary in changes:
            old = index.summary(relative)
            affected.add(relative)
            affected |= _dependents(index, relative, old)
            note_types |= _note_types(old) | _note_types(summary)
        fields_before = {note_type: _fields_seen(index, note_type) for note_type in note_types}
        yield affected
        for relative, summary in changes:
            affected |= _dependents(index, relative, summary)
        affected |= _cards_of_changed_types(index, fields_before)
        for path in affected:
            vault.cache.drop(path)

    def effects_of(self, vault: Vault, affected: set[str]) -> Effects:
        for path in affected:
            vault.cache.drop(path)
        recheck = {uri for path, uri in vault.open_docs.items() if path in affected}
        vaults_changed = any(path not in vault.open_docs for path in affected)
        return Effects(recheck=recheck, vaults_changed=vaults_changed)

    # --- findings -----------------------------------------------------------------------------

    def findings(self, uri: str) -> tuple[str, list[Finding]]:
        """(result id, findings) of an open document: what `notels check` says of its text.

        Call `flush` first: a document with unparsed edits is checked as it was.
        """
        document = self.documents.get(uri)
        if document is None or document.vault is None or document.relative is None:
            return _EMPTY
        if not self.in_step(uri):
            return _EMPTY
        return self.findings_at(document.vault, document.relative)

    def in_step(self, uri: str) -> bool:
        """Does the open document at `uri` hold its note as the index has it? It does when it
        stands for the note, or when the note is open under another URI too (a symlinked
        folder), which stands for it (see `flush`), with the same text: the note's findings,
        and edits made from the index, fit it then. False for a file the config ignores."""
        document = self.documents.get(uri)
        if document is None or document.vault is None or document.relative is None:
            return False
        standing = document.vault.open_docs.get(document.relative)
        if standing is None or standing == uri:
            return standing is not None
        twin = self.documents.get(standing)
        return twin is not None and twin.text == document.text

    def findings_at(self, vault: Vault, relative: str) -> tuple[str, list[Finding]]:
        """(result id, findings) of any note of a vault; cached once the vault is indexed.

        Until then, only the findings of the note alone: a link to a note not read yet is no
        broken link (every link of a large vault was flagged for seconds at start-up). The
        rest come with the index (`finish_indexing` re-checks the open notes)."""
        with vault.lock:
            cached = vault.cache.get(relative)
            if cached is not None:
                return cached
            ready = vault.state is IndexState.READY
            note = vault.index.notes.get(relative)
            if note is not None:
                found = check_note(relative, note, vault.index, vault.config, whole_vault=ready)
            elif (problem := vault.index.file_problems.get(relative)) is not None:
                found = problem_findings(problem, vault.config)
            else:
                found = []
            result = (self.new_result_id(), found)
            if ready:
                vault.cache.put(relative, result)
            return result

    def new_result_id(self) -> str:
        return f"{self._result_id_prefix}{next(self._result_ids)}"

    def known_findings(self, vault: Vault, relative: str) -> list[Finding] | None:
        """The note's findings when `findings_at` has them cached, without checking it."""
        with vault.lock:
            cached = vault.cache.get(relative)
            return None if cached is None else cached[1]

    def document_at(self, path: Path) -> tuple[Vault, str] | None:
        """(vault, relative path) of a note on disk or in the editor."""
        path = self.scanned_path(path)
        vault = self.vault_of(path)
        if vault is None or path == vault.root:
            return None
        return vault, relative_key(vault.root, path)

    def scanned_path(self, path: Path) -> Path:
        """`path` resolved, as the vault scan names the file: a symlink to a folder or note the
        scan walks is another name of it; but one the scan follows, into a folder it does not
        walk (hidden or ignored: the symlink is the only way in), names the files behind it,
        as the editor does."""
        real = resolved(path)
        named = Path(os.path.abspath(path))
        if named == real:
            return real  # no symlink on the way: the common case, a folder of every event
        vault = self.vault_of(real)
        if vault is None or real == vault.root:
            return real
        if is_walked(relative_key(vault.root, real), vault.config.ignored):
            return real
        for above in named.parents:  # the nearest folder on the way that the scan walks
            base = resolved(above)
            outer = self.vault_of(base)
            if outer is None:
                return real
            ignored = outer.config.ignored
            if base != outer.root and not is_walked(relative_key(outer.root, base), ignored):
                continue
            candidate = base / named.relative_to(above)
            parts = relative_key(outer.root, candidate).split("/")
            prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
            followed = is_walked(prefixes[-1], ignored) and all(
                not (outer.root / prefix).is_symlink()
                or odd_entry_problem(outer.root, prefix, ignored) is None
                for prefix in prefixes
            )
            return candidate if followed and resolved(candidate) == real else real
        return real

    def lines_of(self, vault: Vault, relative: str) -> LineIndex | None:
        with vault.lock:
            return vault.index.lines(relative)


def _may_change_vaults(path: Path, folder: Path, roots: Sequence[Path]) -> bool:
    """Could a file event at `path` change which vaults `folder` holds? When it is in the
    folder: a path that held a vault (deleted), a vault's own marker, or, in none of its vaults,
    a folder or a marker (made), outside hidden folders (`.git`), which the search never
    enters."""
    if not path.is_relative_to(folder):
        return False
    if any(root.is_relative_to(path) for root in roots):
        return True  # a vault, or a folder holding one, deleted or moved
    if path.name in VAULT_MARKERS and path.parent in roots:
        return True  # a vault's marker: gone, the folder may be a vault no more
    if any(path.is_relative_to(root) for root in roots):
        return False
    relative = path.relative_to(folder).parts
    if any(part.startswith(".") for part in relative[:-1]):
        return False
    return path.name in VAULT_MARKERS or (not path.name.startswith(".") and path.is_dir())


def _roots_of_folder(folder: Path) -> list[Path]:
    """The vaults a workspace folder stands for: the one it is or lies in (like `check`), or,
    when it has no vault's marks at or above it, the marked vaults further down it holds (a
    repository with a vault in it); the folder itself when it holds none."""
    root = find_vault_root(folder)
    if has_vault_marker(root):
        return [root]
    return find_vaults_below(folder) or [root]


def _above(text: str, end: int, below: int) -> bool:
    """Does a change ending at `end` lie wholly above one starting at `below`, its lines as
    they are whatever that one does? Ending right where it starts, after a `\\r`, it does
    not: a `\\n` inserted there makes `\\r\\n` of them, one line break instead of two."""
    return end < below or (end == below and text[end - 1 : end] != "\r")


# From this many changes on, a run of them is applied in one pass (see `Workspace.change`).
_BATCHED_RUN = 8


def _apply_run(
    text: str, lines: LineIndex, run: Sequence[tuple[int, int, str]], head: int, tail: int
) -> tuple[str, LineIndex, int, int]:
    """(text, lines, untouched head, untouched tail) once the run's edits are applied, each
    at its offsets (see `Workspace.change`)."""
    length = len(text)
    for start, end, inserted in run:
        head, tail = min(head, start), min(tail, length - end)
        length += len(inserted) - (end - start)
    if len(run) < _BATCHED_RUN:  # a keystroke: the lines are updated, not counted again
        for start, end, inserted in run:
            text = text[:start] + inserted + text[end:]
            lines = lines.edited(text, start, end, inserted)
        return text, lines, head, tail
    pieces: list[str] = []
    at = 0
    for start, end, inserted in reversed(run):  # top to bottom
        pieces += (text[at:start], inserted)
        at = end
    pieces.append(text[at:])
    text = "".join(pieces)
    return text, LineIndex(text), head, tail


def _load_from_disk(vault: Vault, relative: str) -> tuple[Note, FileProblem | None, Stamp] | None:
    return note_from_disk(vault.root, vault.config, relative)  # the config of the moment


def _text_from_disk(vault: Vault, relative: str) -> tuple[str, Stamp] | None:
    return text_from_disk(vault.root, vault.config, relative)


def _dependents(index: VaultIndex, relative: str, summary: NoteSummary | None) -> set[str]:
    affected = index.linkers_of(relative)
    if summary is not None:
        for value in summary.card_id_values():
            affected.update(location.path for location in index.card_locations(value))
    return affected


def _only_itself(
    index: VaultIndex,
    relative: str,
    old: NoteSummary | None,
    summary: NoteSummary | None,
    problem: FileProblem | None,
) -> bool:
    """Does setting the note to `summary` change the findings of no other note?"""
    return (
        summary is not None
        and old is not None
        and same_to_other_notes(old, summary)
        and problem == index.file_problems.get(relative)
        # Same offsets may sit on other lines (a character became a line break): notes sharing
        # a card ID show its position, so they are re-checked the long way.
        and not _shares_card_ids(index, relative, summary)
    )


def _shares_card_ids(index: VaultIndex, relative: str, summary: NoteSummary) -> bool:
    return any(
        location.path != relative
        for value in summary.card_id_values()
        for location in index.card_locations(value)
    )


def _note_types(summary: NoteSummary | None) -> set[str]:
    return summary.note_types() if summary is not None else set()


def _fields_seen(index: VaultIndex, note_type: str) -> object:
    """What the rules read of the vault's cards of a type: the fields inferred for it, or
    without them, how many cards use each field (duplicate-field)."""
    inferred = index.inferred_fields(note_type)
    return inferred if inferred else (inferred, index.field_counts(note_type))


def _cards_of_changed_types(index: VaultIndex, fields_before: dict[str, object]) -> set[str]:
    """Notes with cards of a type whose fields, as the rules see them, are no longer
    `fields_before`."""
    changed = {t for t, fields in fields_before.items() if _fields_seen(index, t) != fields}
    if not changed:
        return set()
    return {path for path, other in index.summaries.items() if other.note_types() & changed}


def _changed(vault: Vault, relative: str) -> None:
    """The editor or a file event sets or removes the note now (under the vault's lock)."""
    vault.changes += 1
    vault.changed_at[relative] = vault.changes
    if vault.state is IndexState.INDEXING:
        vault.touched.add(relative)  # newer than what the run may have read


def _resolved(
    path: Path, folders: dict[Path, Path], resolve: Callable[[Path], Path] = resolved
) -> Path:
    """`path` in its folder's resolution (`resolve`: `resolve()`, or the vault scan's
    `scanned_path`), taken from or put in `folders` (a thousand events from a few folders cost
    one resolution per folder)."""
    if path.name in ("", ".", ".."):
        return resolve(path)
    folder = folders.get(path.parent)
    if folder is None:
        folder = folders[path.parent] = resolve(path.parent)
    # Not the path itself: a symlink there is what the scan judges (an alias, leading out of
    # the vault), not the file it leads to (review s31).
    return folder / path.name


def _followed_mode(path: Path) -> int | None:
    """The mode of what `path` leads to when the scan would list it (a folder or a plain file:
    a FIFO that is no note, for one, it passes over); None otherwise."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return mode if stat.S_ISDIR(mode) or stat.S_ISREG(mode) else None


def under(path: str, folders: Collection[str]) -> bool:
    """Does the `/`-separated path lie inside one of the folders?"""
    slash = path.find("/")
    while slash != -1:
        if path[:slash] in folders:
            return True
        slash = path.find("/", slash + 1)
    return False


_BOM = b"\xef\xbb\xbf"


def _starts_with_bom(file: Path) -> bool:
    try:
        if not stat.S_ISREG(os.stat(file).st_mode):
            return False  # a FIFO would wait for a writer
        with file.open("rb") as source:
            return source.read(len(_BOM)) == _BOM
    except OSError:
        return False


def _editor_text_problem(
    relative: str, text: str, max_bytes: int, file: Path
) -> FileProblem | None:
    """The reader's limits applied to an editor's text, so the server agrees with `check`."""
    if len(text) * 4 > max_bytes:
        size = len(text.encode("utf-8", "surrogatepass"))
        if max_bytes - len(_BOM) < size <= max_bytes and not text.startswith("\ufeff"):
            # Editors keep a file's BOM out of its text, and write it back on save.
            size += len(_BOM) if _starts_with_bom(file) else 0
        if size > max_bytes:
            return too_large(relative, size, max_bytes)
    if "\x00" in text[:8192] and looks_binary(text[:8192].encode("utf-8", "surrogatepass")):
        return FileProblem(relative, ProblemKind.BINARY, "holds NUL bytes")
    return None
