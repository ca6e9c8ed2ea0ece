"""The vault's linkable names (notes, aliases, attachments), kept current by `index.generation`.

Completion after `[[` must rank ~12,000 names within a keystroke, and the index changes on every
keystroke too (the edited note is re-indexed). Rebuilding the table each time would cost more
than the ranking (~70 ms on 10,000 notes), so the catalog follows the index by delta: it
remembers which summary object it saw for each path (summaries are immutable, so identity tells
what changed) and recomputes the names of changed notes only: a note whose aliases changed, an added
or removed note, and the notes sharing its name (which of them is Obsidian's pick may change).
How often each note is linked (the tie-break) is refreshed only for the names that the changed
notes link to.

It reads the index only through copies made in one step each (`dict(index.summaries)`,
`attachments()`, `linkers_of`), after reading the generation: it may be built without the
vault's lock, and a change meanwhile makes the next call catch up.
"""

from __future__ import annotations

import posixpath
import threading
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from notels.features.fuzzy import SearchKeys
from notels.features.model import CompletionKind
from notels.vault.index import VaultIndex
from notels.vault.resolve import (
    ENDS_A_TARGET,
    fold,
    note_key,
    shortest_first,
    stem_key,
    target_key,
)
from notels.vault.summary import NoteSummary


@dataclass(frozen=True, slots=True)
class NameEntry:
    kind: CompletionKind  # NOTE, ALIAS or ATTACHMENT
    label: str  # the note's file name without `.md`, the alias, or the attachment's file name
    path: str  # vault-relative path of the note or attachment
    target: str  # how a link names it: the bare name, or the path when the name is ambiguous
    # and Obsidian would pick another file for the bare name
    twin: bool = False  # True when `target` is such a path


@dataclass(slots=True)
class NameCatalog:
    entries: list[NameEntry] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # lowered labels, parallel to entries
    path_entries: list[int] = field(default_factory=list)  # of notes and files: `[[dir/...`
    path_keys: list[str] = field(default_factory=list)  # their lowered paths, notes without .md
    popularity: dict[str, int] = field(default_factory=dict)  # path -> notes linking to it
    search: SearchKeys = field(default_factory=lambda: SearchKeys(()))  # over keys
    path_search: SearchKeys = field(default_factory=lambda: SearchKeys(()))  # over path_keys
    _places: list[int] | None = None

    def weight(self, entry: int) -> int:
        found = self.entries[entry]
        # The twin of an ambiguous name: bare links reach Obsidian's pick, not this note, so it
        # comes after the pick and after every note linked at all.
        return -1 if found.twin else self.popularity.get(found.path, 0)

    def places(self) -> list[int]:
        """Each entry's place in rank's order within a tier (see fuzzy.rank): kept until a
        weight or an entry changes (~7 ms to make on 10,000 notes)."""
        if self._places is None:
            keys = self.keys
            ranked = sorted(
                range(len(keys)), key=lambda i: (-self.weight(i), len(keys[i]), keys[i])
            )
            places = [0] * len(ranked)
            for place, entry in enumerate(ranked):
                places[entry] = place
            self._places = places
        return self._places

    def weights_changed(self) -> None:
        self._places = None


@dataclass(slots=True)
class _State:
    generation: int = -1
    notes: dict[str, NoteSummary] = field(default_factory=dict)
    attachments: tuple[str, ...] = ()
    by_stem: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # A note's entries (itself, then its aliases) with their lowered keys.
    per_note: dict[str, tuple[tuple[NameEntry, str], ...]] = field(default_factory=dict)
    attachment_entries: list[tuple[NameEntry, str]] = field(default_factory=list)
    by_link_key: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    popularity: dict[str, int] = field(default_factory=dict)
    catalog: NameCatalog = field(default_factory=NameCatalog)


_STATES: weakref.WeakKeyDictionary[VaultIndex, _State] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
_BULK = 500


def name_catalog(index: VaultIndex) -> NameCatalog:
    """The catalog for the index as it is now; cheap when little changed since the last call.

    The first call on an index builds it (~100 ms on 10,000 notes): a server may call this once
    after indexing so that the first completion does not pay for it.
    """
    with _LOCK:
        state = _STATES.get(index)
        if state is None:
            state = _STATES[index] = _State()
        if state.generation != index.generation:
            _refresh(index, state)
        return state.catalog


def _link_keys(summary: NoteSummary) -> set[str]:
    return set(summary.link_keys)


def _stem(path: str) -> str:
    name = posixpath.basename(path)
    return name[:-3] if name.lower().endswith(".md") else name


def _note_entries(state: _State, path: str, note: NoteSummary) -> tuple[tuple[NameEntry, str], ...]:
    label = _stem(path)
    twins = state.by_stem.get(stem_key(path), set())
    twin = len(twins) > 1 and shortest_first(twins)[0] != path
    # Obsidian opens the first of same-named notes for the bare name: the others need a path.
    target = (path[:-3] if path.lower().endswith(".md") else path) if twin else label
    if ENDS_A_TARGET & set(target) or target[:1].isspace():
        return ()  # no link names it: `[[C#]]` would open `C.md`; a link's target is trimmed
    if target[-1:].isspace():
        target += ".md"  # `[[Study plan ]]` names `Study plan`; `[[Study plan .md]]` opens it
    entries = [(NameEntry(CompletionKind.NOTE, label, path, target, twin), fold(label))]
    for alias in note.aliases:
        entries.append((NameEntry(CompletionKind.ALIAS, alias, path, target, twin), fold(alias)))
    return tuple(entries)


def _set_entries(state: _State, path: str, note: NoteSummary | None) -> None:
    """Replace the entries of `path` (None: the note is gone), and its keys in `by_link_key`."""
    for entry, key in state.per_note.get(path, ()):
        name_key = stem_key(path) if entry.kind is CompletionKind.NOTE else target_key(key)
        owners = state.by_link_key.get(name_key)
        if owners is not None:
            owners.discard(path)
            if not owners:
                del state.by_link_key[name_key]
    if note is None:
        state.per_note.pop(path, None)
        return
    entries = _note_entries(state, path, note)
    state.per_note[path] = entries
    for entry, key in entries:
        name_key = stem_key(path) if entry.kind is CompletionKind.NOTE else target_key(key)
        state.by_link_key[name_key].add(path)


def _attachment_entries(attachments: Iterable[str]) -> list[tuple[NameEntry, str]]:
    by_name: defaultdict[str, set[str]] = defaultdict(set)
    for path in attachments:
        by_name[fold(posixpath.basename(path))].add(path)
    entries: list[tuple[NameEntry, str]] = []
    for key, paths in by_name.items():
        for position, path in enumerate(shortest_first(paths)):
            twin = position > 0
            name = posixpath.basename(path)
            entry = NameEntry(CompletionKind.ATTACHMENT, name, path, path if twin else name, twin)
            entries.append((entry, key))
    return entries


def _flatten(state: _State) -> NameCatalog:
    catalog = NameCatalog(popularity=state.popularity)
    entries = catalog.entries
    keys = catalog.keys
    for path, note_entries in state.per_note.items():
        catalog.path_entries.append(len(entries))
        catalog.path_keys.append(note_key(path))
        for entry, key in note_entries:
            entries.append(entry)
            keys.append(key)
    for entry, key in state.attachment_entries:
        # By its path too: `![[img/dia` tells apart files of one name in two folders.
        catalog.path_entries.append(len(entries))
        catalog.path_keys.append(fold(entry.path))
        entries.append(entry)
        keys.append(key)
    catalog.search = SearchKeys(keys)
    catalog.path_search = SearchKeys(catalog.path_keys)
    return catalog


def _refresh(index: VaultIndex, state: _State) -> None:
    generation = index.generation  # read first: a change while we work makes the next call look
    old = state.notes
    current = dict(index.summaries)  # a copy: the index may change while we read it
    changed = {path: note for path, note in current.items() if old.get(path) is not note}
    added = [path for path in changed if path not in old]
    # len(current) = len(old) - removed + added, so the count tells whether to look for them.
    removed = (
        [path for path in old if path not in current]
        if len(old) + len(added) > len(current)
        else []
    )
    by_stem = state.by_stem
    for path in removed:
        group = by_stem.get(stem_key(path))
        if group is not None:
            group.discard(path)
            if not group:
                del by_stem[stem_key(path)]
    for path in added:
        by_stem[stem_key(path)].add(path)

    # Past a few hundred changed notes (the first build, a bulk update) counting every note's
    # links again is cheaper than finding which counts changed.
    bulk = len(changed) + len(removed) > _BULK
    redo = set(added)
    affected: set[str] = set()  # names whose popularity may have changed
    for path, note in changed.items():
        before = old.get(path)
        if before is not None:
            if before.aliases != note.aliases:
                redo.add(path)
            if not bulk:
                affected |= _link_keys(before)
        if not bulk:
            affected |= _link_keys(note)
    for path in removed:
        if not bulk:
            affected |= _link_keys(old[path])
        _set_entries(state, path, None)
        state.popularity.pop(path, None)
    for stem in {stem_key(path) for path in (*added, *removed)}:
        redo |= by_stem.get(stem, set())  # which twin is Obsidian's pick may have changed
    # In the index's order, so that new notes take their place in a stable order.
    for path in [path for path in current if path in redo] if redo else ():
        _set_entries(state, path, current[path])

    # Not the notes notels does not read: Obsidian leaves its excluded files out of link
    # suggestions too (a link to one still opens it).
    attachments = tuple(path for path in index.attachments() if not path.lower().endswith(".md"))
    attachments_changed = attachments != state.attachments
    if attachments_changed:
        state.attachment_entries = _attachment_entries(attachments)

    popularity = state.popularity
    recount = list(current) if bulk else list(added)
    for key in affected:
        recount.extend(state.by_link_key.get(key, ()))
    weights_changed = False
    for path in recount:
        count = len(index.linkers_of(path))
        if popularity.get(path) != count:
            popularity[path] = count
            weights_changed = True
    if weights_changed:
        state.catalog.weights_changed()

    if redo or removed or attachments_changed:
        state.catalog = _flatten(state)
    state.notes = current
    state.attachments = attachments
    state.generation = generation
