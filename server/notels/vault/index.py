"""The vault index: what every note contributes, updated note by note."""

from __future__ import annotations

import posixpath
import threading
import weakref
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from itertools import chain
from typing import Any, Generic, NamedTuple, TypeVar, cast

from notels.syntax.lines import LineIndex
from notels.syntax.model import BlockId, Link
from notels.syntax.note import Note
from notels.syntax.spans import Span
from notels.vault.drawings import holds_cards
from notels.vault.files import FileProblem, ProblemKind
from notels.vault.resolve import (
    Resolution,
    ResolutionKind,
    fold,
    heading_key,
    heading_link_key,
    note_key,
    resolve_in,
    stem_key,
    target_key,
)
from notels.vault.summary import NoteSummary, Stamp, moved_only, summarize

# Problems of a note file that exists but could not be read.
UNREAD_PROBLEMS = frozenset({ProblemKind.TOO_LARGE, ProblemKind.BINARY, ProblemKind.UNREADABLE})


class CardLocation(NamedTuple):  # a NamedTuple: built by the ten thousand at startup
    path: str
    span: Span  # the ID line
    card_span: Span


class NoteTables(NamedTuple):
    """What a VaultIndex holds of its notes: their summaries, decoding problems, and the tables
    it derives from them. The index cache keeps these, and `VaultIndex.restore` takes them
    back at a fraction of the cost of setting each summary again."""

    summaries: dict[str, NoteSummary]
    problems: dict[str, FileProblem]
    by_key: dict[str, str]
    by_stem: dict[str, set[str]]
    by_alias: dict[str, set[str]]
    linkers: dict[str, set[str]]
    tags: dict[str, set[str]]
    card_ids: dict[str, list[CardLocation]]
    type_cards: dict[str, int]
    type_fields: dict[str, dict[str, int]]
    decks: dict[str, int]


# A file's note, parsed again on demand: (note, its file's stamp) or None when it cannot be read.
NoteLoader = Callable[[str], "tuple[Note, FileProblem | None, Stamp] | None"]
# Told when a note read again differs from its summary (the file changed and no event said so
# yet): (path, the note as read, its problem, its stamp). It re-indexes the note.
StaleNote = Callable[[str, Note, "FileProblem | None", "Stamp"], None]

_Item = TypeVar("_Item")

# A file's text, read again for positions only (a parse costs ten times the read).
TextLoader = Callable[[str], "tuple[str, Stamp] | None"]

# Notes parsed on demand that stay in memory (a parsed note takes about eight times its text),
# and texts read for positions only (workspace symbols, locations in other notes). Bounded in
# count and in characters: one pasted megabyte must not make the cache hold hundreds of them.
_RECENT_NOTES = 256
_RECENT_NOTE_CHARS = 4_000_000
_RECENT_TEXTS = 2048
_RECENT_TEXT_CHARS = 8_000_000

# A field name counts as inferred for a note type when at least this share of the type's cards
# use it, so a single odd card (old `TITLE:` fields) does not teach the index a wrong schema.
_FIELD_SHARE = 0.2
# With fewer cards than this, the vault says too little about a type to call a field unknown.
MIN_CARDS_TO_INFER = 3


class _Recent(Generic[_Item]):
    """The most recently used items by path, bounded in count and in total size."""

    def __init__(self, max_items: int, max_size: int) -> None:
        self._items: OrderedDict[str, tuple[_Item, int]] = OrderedDict()
        self._max_items = max_items
        self._max_size = max_size
        self._size = 0

    def get(self, path: str) -> _Item | None:
        found = self._items.get(path)
        if found is None:
            return None
        self._items.move_to_end(path)
        return found[0]

    def put(self, path: str, item: _Item, size: int) -> None:
        self.pop(path)
        self._items[path] = (item, size)
        self._size += size
        # The newest item stays even when it alone is over the size: it is being used.
        while len(self._items) > 1 and (
            len(self._items) > self._max_items or self._size > self._max_size
        ):
            _, (_, dropped) = self._items.popitem(last=False)
            self._size -= dropped

    def pop(self, path: str) -> None:
        found = self._items.pop(path, None)
        if found is not None:
            self._size -= found[1]

    def __contains__(self, path: str) -> bool:
        return path in self._items


class NoteStore(Mapping[str, Note]):
    """The vault's notes by path, parsed on demand.

    The index holds a summary of every note; full Notes are kept only when pinned (the editor's
    open notes, or every note when the index keeps them all, as `notels check` does) and for the
    few hundred notes read most recently. Any other note is read from disk again on access.
    """

    def __init__(self, index: VaultIndex) -> None:
        # A proxy, not the index: with a reference each way the two form a cycle, and a
        # replaced index (every indexing run makes a new one) would wait for the cyclic
        # collector, which the server defers until its client pauses: the whole old index
        # stayed in memory meanwhile.
        self._index = cast("VaultIndex", weakref.proxy(index))
        self.pinned: dict[str, Note] = {}
        self._recent: _Recent[Note] = _Recent(_RECENT_NOTES, _RECENT_NOTE_CHARS)
        self._recent_lines: _Recent[LineIndex] = _Recent(_RECENT_TEXTS, _RECENT_TEXT_CHARS)
        self._lock = threading.Lock()

    def __getitem__(self, path: str) -> Note:
        note = self._find(path)
        if note is None:
            raise KeyError(path)
        return note

    def get(self, path: str, default: Any = None) -> Any:
        note = self._find(path)
        return default if note is None else note

    def _find(self, path: str) -> Note | None:
        note = self.pinned.get(path)
        if note is not None:
            return note
        if path not in self._index.summaries:
            return None
        with self._lock:
            note = self._recent.get(path)
            if note is not None:
                return note
        loader = self._index.loader
        loaded = loader(path) if loader is not None else None
        if loaded is None:
            return None
        note, problem, stamp = loaded
        if not self._current(path, stamp) and self._index.on_stale is not None:
            self._index.on_stale(path, note, problem, stamp)
        else:
            self.remember(path, note)
        return note

    def _current(self, path: str, stamp: Stamp) -> bool:
        """Is the file as its summary saw it? (A summary of an editor's text has no stamp.)"""
        summary = self._index.summaries.get(path)
        return summary is None or summary.stamp is None or summary.stamp == stamp

    def remember(self, path: str, note: Note) -> None:
        with self._lock:
            self._recent.put(path, note, len(note.text))

    def forget(self, path: str) -> None:
        self.pinned.pop(path, None)
        with self._lock:
            self._recent.pop(path)
            self._recent_lines.pop(path)

    def lines(self, path: str) -> LineIndex | None:
        """Positions in a note's text: the parsed Note's when in memory, else its text read."""
        if path not in self.pinned:
            with self._lock:
                lines = self._recent_lines.get(path)
            if lines is not None:
                return lines
        found = self._note_or_text(path)
        if found is None or isinstance(found, Note):
            return found.lines if found is not None else None
        lines = LineIndex(found)
        with self._lock:
            self._recent_lines.put(path, lines, len(found))
        return lines

    def text(self, path: str) -> str | None:
        """A note's text: the parsed Note's when in memory, else read from its file."""
        found = self._note_or_text(path)
        return found.text if isinstance(found, Note) else found

    def _note_or_text(self, path: str) -> Note | str | None:
        """The Note when in memory, else the file's text when the index saw the file as it is
        now, else the Note parsed again (which re-indexes it): what a reader of positions or
        text takes without parsing."""
        note = self.pinned.get(path)
        if note is None:
            with self._lock:
                note = self._recent.get(path)
        text_loader = self._index.text_loader
        if note is not None or text_loader is None or path not in self._index.summaries:
            return note or self._find(path)
        loaded = text_loader(path)
        if loaded is None:
            return None
        text, stamp = loaded
        if not self._current(path, stamp):
            return self._find(path)  # re-indexes it
        return text

    def is_loaded(self, path: str) -> bool:
        return path in self.pinned or path in self._recent

    def __contains__(self, path: object) -> bool:
        return path in self._index.summaries

    def __iter__(self) -> Iterator[str]:
        return iter(self._index.summaries)

    def __len__(self) -> int:
        return len(self._index.summaries)


class VaultIndex:
    """Mutable index over note summaries. Keys are vault-relative `/`-separated paths."""

    def __init__(
        self,
        loader: NoteLoader | None = None,
        keep_notes: bool = True,
        text_loader: TextLoader | None = None,
    ) -> None:
        # Without a loader nothing could parse a dropped note again, so every note is kept.
        self.keep_notes = keep_notes or loader is None
        self.loader = loader
        self.text_loader = text_loader
        self.on_stale: StaleNote | None = None
        self.summaries: dict[str, NoteSummary] = {}
        self.notes = NoteStore(self)
        # Bumped on every change, so derived tables (completion lists) know when to rebuild.
        self.generation = 0
        # Bumped when a note's links or names come, go or change: what backlinks are may differ.
        self.links_version = 0
        self.file_problems: dict[str, FileProblem] = {}
        self._by_key: dict[str, str] = {}  # note_key(path) -> path
        self._by_stem: defaultdict[str, set[str]] = defaultdict(set)
        self._by_alias: defaultdict[str, set[str]] = defaultdict(set)
        # Lowered path -> paths: `a.png` and `A.png` may both exist (a case-sensitive disk).
        self._attachments: defaultdict[str, set[str]] = defaultdict(set)
        self._attachments_by_name: defaultdict[str, set[str]] = defaultdict(set)
        # Notes that could not be read (too large, binary, unreadable): filed as attachments,
        # since a link to one still opens a file.
        self._unread_notes: set[str] = set()
        self._card_ids: defaultdict[str, list[CardLocation]] = defaultdict(list)
        self._linkers: defaultdict[str, set[str]] = defaultdict(set)  # target_key -> sources
        self._tags: defaultdict[str, set[str]] = defaultdict(set)  # lowered tag -> paths
        self._type_cards: Counter[str] = Counter()
        self._type_fields: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._decks: Counter[str] = Counter()
        self._inferred_fields: dict[str, frozenset[str]] = {}
        # Keys that more than one path may share (case twins), or None: not known since the
        # tables were taken whole (see _case_twins).
        self._twinned: set[str] | None = set()
        # Link targets (bare, or by folder for paths) -> resolution; emptied whenever a note,
        # alias or attachment comes or goes.
        # Every update of the name tables bumps the version before and after, and counts itself
        # while it runs; a resolution is kept only when no update ran during or around its
        # computation: readers on another thread never keep a half-updated answer.
        self._resolved: dict[str, Resolution] = {}
        self._names_version = 0
        self._names_changing = 0

    # --- updates ----------------------------------------------------------------------------

    def set_note(
        self,
        path: str,
        note: Note,
        problem: FileProblem | None = None,
        stamp: Stamp | None = None,
        pinned: bool | None = None,
        summary: NoteSummary | None = None,
    ) -> NoteSummary:
        """Add or replace one note; only its own contributions change. Returns its summary.

        `pinned` keeps the Note in memory (an editor's text); by default the index keeps every
        note when it has no loader. `summary`, when given, must be `summarize(note, stamp)`.
        """
        if summary is None:
            summary = summarize(note, stamp)
        old = self.summaries.get(path)
        same_problem = problem == self.file_problems.get(path)
        if old is not None and old[1:] == summary[1:] and same_problem:
            # Same contributions (a keystroke in prose): only the text and the stamp are new.
            self.summaries[path] = summary
            self.notes.forget(path)
        elif old is not None and same_problem and moved_only(old, summary):
            # Text typed above headings or cards: the name tables stay, positions move.
            self.generation += 1
            self._move_card_ids(path, old, summary)
            self.summaries[path] = summary
            self.notes.forget(path)
        else:
            self.set_summary(path, summary, problem)
        if self.keep_notes if pinned is None else pinned:
            self.notes.pinned[path] = note
        else:
            self.notes.remember(path, note)
        return summary

    def set_summary(
        self, path: str, summary: NoteSummary, problem: FileProblem | None = None
    ) -> None:
        """Add or replace one note known by its summary; its Note is read on first use."""
        self._read_again(path)
        self.generation += 1
        old = self.summaries.get(path)
        key = note_key(path)
        # Paths that differ only in case (`A.md`, `a.md` on a case-sensitive file system) share
        # a key, held by the smallest of them whatever order they come in: handing it to this
        # one changes what a path target resolves to.
        holder = self._by_key.get(key)
        holds = holder is None or path <= holder
        names_change = old is None or old.aliases != summary.aliases or (holds and holder != path)
        # Even with the same names, the path leaves the name tables for a moment below.
        self._begin_names_change()
        if old is not None:
            self.notes.forget(path)
            self._withdraw(path)
        self.summaries[path] = summary
        if problem is not None:
            self.file_problems[path] = problem
        else:
            self.file_problems.pop(path, None)
        if holds:
            self._by_key[key] = path
        if holder is not None and holder != path and self._twinned is not None:
            self._twinned.add(key)
        self._by_stem[stem_key(path)].add(path)
        for alias in summary.aliases:
            self._by_alias[fold(alias)].add(path)
        linkers = self._linkers
        for target in summary.link_keys:
            linkers[target].add(path)
        tags = self._tags
        for tag in summary.tags:
            tags[tag.lower()].add(path)
        self._index_cards(path, summary, +1)
        if names_change or old is None or old.link_keys != summary.link_keys:
            self.links_version += 1
        self._end_names_change(names_change)

    def tables(self) -> NoteTables:
        """The notes' summaries, problems and tables, for the index cache: the containers are
        this index's own, to be written out, not changed."""
        return NoteTables(
            summaries=self.summaries,
            problems={
                path: problem
                for path, problem in self.file_problems.items()
                if path in self.summaries
            },
            by_key=self._by_key,
            by_stem=self._by_stem,
            by_alias=self._by_alias,
            linkers=self._linkers,
            tags=self._tags,
            card_ids=self._card_ids,
            type_cards=self._type_cards,
            type_fields={name: dict(fields) for name, fields in self._type_fields.items()},
            decks=self._decks,
        )

    def restore(
        self, tables: NoteTables, keep: Collection[str], protected: Collection[str] = ()
    ) -> None:
        """Take the notes of `tables` that are in `keep`, as if each were set with
        `set_summary`: the tables come whole, and only the notes left out are withdrawn.

        This index's notes in `protected` (an editor's texts, changes seen during the run) stay
        as they are, and `tables`' notes of those paths are left out; its other notes give way.
        Attachments and the problems of files that are no notes are untouched. `tables` is
        consumed: its containers become this index's. Tables that are not what `tables()`
        makes (a cache file of another layout) may raise while notes are left out; that
        happens before anything of this index changes.
        """
        taken = VaultIndex()
        taken._take(tables)
        self.links_version += 1
        for path in [path for path in taken.summaries if path not in keep or path in protected]:
            taken._withdraw(path)
            del taken.summaries[path]
        own = [
            (path, summary, self.file_problems.get(path))
            for path, summary in self.summaries.items()
            if path in protected
        ]
        for path in self.summaries:
            self.file_problems.pop(path, None)  # a note's decoding problem goes with it
            if path not in protected:
                self.notes.forget(path)
        self.generation += 1
        self._begin_names_change()
        self._take(taken.tables())
        # A kept note has its own decoding problem or none, as set_summary leaves it; the
        # problems of other files (no notes now, or set meanwhile) stay.
        for path in [path for path in self.file_problems if path in self.summaries]:
            del self.file_problems[path]
        for path, kept_problem in tables.problems.items():
            if path in self.summaries:
                self.file_problems[path] = kept_problem
        for path in [path for path in self._unread_notes if path in self.summaries]:
            self._read_again(path)
        self._end_names_change()
        for path, summary, problem in own:
            self.set_summary(path, summary, problem)

    def _take(self, tables: NoteTables) -> None:
        """The note tables of `tables` become this index's (problems aside)."""
        self.summaries = tables.summaries
        self._by_key = tables.by_key
        self._by_stem = defaultdict(set, tables.by_stem)
        self._by_alias = defaultdict(set, tables.by_alias)
        self._linkers = defaultdict(set, tables.linkers)
        self._tags = defaultdict(set, tables.tags)
        self._card_ids = defaultdict(list, tables.card_ids)
        self._type_cards = Counter(tables.type_cards)
        self._type_fields = defaultdict(
            Counter, {name: Counter(fields) for name, fields in tables.type_fields.items()}
        )
        self._decks = Counter(tables.decks)
        self._inferred_fields.clear()
        self._twinned = None

    def _begin_names_change(self) -> None:
        self._names_changing += 1
        self._names_version += 1

    def _end_names_change(self, changed: bool = True) -> None:
        if changed:
            self._resolved.clear()
        self._names_version += 1
        self._names_changing -= 1

    def remove_note(self, path: str) -> None:
        self._read_again(path)
        self.generation += 1
        if path in self.summaries:
            self.links_version += 1
            self._begin_names_change()
            self.notes.forget(path)
            self._withdraw(path)
            del self.summaries[path]
            self._end_names_change()
        self.file_problems.pop(path, None)

    def set_problem(self, problem: FileProblem) -> None:
        """A file that could not be indexed (too large, binary, unreadable)."""
        self.remove_note(problem.path)
        self.file_problems[problem.path] = problem
        if problem.kind in UNREAD_PROBLEMS and problem.path.lower().endswith(".md"):
            self._unread_notes.add(problem.path)
            self.add_attachment(problem.path)

    def _read_again(self, path: str) -> None:
        """A note `set_problem` filed as unread is read now, or gone."""
        if path in self._unread_notes:
            self._unread_notes.discard(path)
            self.remove_attachment(path)

    def add_attachment(self, path: str) -> None:
        self.generation += 1
        self._begin_names_change()
        self._attachments[fold(path)].add(path)
        self._attachments_by_name[fold(posixpath.basename(path))].add(path)
        self._end_names_change()

    def remove_attachment(self, path: str) -> None:
        self.generation += 1
        self._begin_names_change()
        _discard(self._attachments, fold(path), path)
        _discard(self._attachments_by_name, fold(posixpath.basename(path)), path)
        self._end_names_change()

    def _withdraw(self, path: str) -> None:
        """Take the note's contributions out of the tables (its summary and Note stay)."""
        summary = self.summaries[path]
        key = note_key(path)
        if self._by_key.get(key) == path:
            # The smallest remaining case twin, if any, takes the key over (see set_summary).
            # Only a key known to have twins is sought among the stem's paths: thousands of
            # notes share a name (`index.md`), and removing them all cost their number squared.
            twinned = key in self._case_twins()
            stem = self._by_stem.get(stem_key(path), ())
            twins = [p for p in stem if p != path and note_key(p) == key] if twinned else []
            if twins:
                self._by_key[key] = min(twins)
            else:
                del self._by_key[key]
        _discard(self._by_stem, stem_key(path), path)
        for alias in summary.aliases:
            _discard(self._by_alias, fold(alias), path)
        for target in summary.link_keys:
            _discard(self._linkers, target, path)
        for tag in summary.tags:
            _discard(self._tags, tag.lower(), path)
        self._index_cards(path, summary, -1)

    def _case_twins(self) -> set[str]:
        """Keys that more than one path may share: every key that does, and perhaps others."""
        twinned = self._twinned
        if twinned is None:
            by_key = self._by_key
            twinned = self._twinned = {
                note_key(path) for path in self.summaries if by_key.get(note_key(path)) != path
            }
        return twinned

    def _move_card_ids(self, path: str, old: NoteSummary, new: NoteSummary) -> None:
        """The same card IDs at new positions, as a withdraw and an add would leave them."""
        if not holds_cards(path):
            return
        for value in old.card_id_values():
            locations = self._card_ids[value]
            locations[:] = [loc for loc in locations if loc.path != path]
        for value, start, end, card_start, card_end in new.card_ids:
            location = CardLocation(path, Span(start, end), Span(card_start, card_end))
            self._card_ids[value].append(location)

    def _index_cards(self, path: str, summary: NoteSummary, sign: int) -> None:
        if not holds_cards(path):
            # A drawing's boxes may copy a card, ID and all: no duplicate of the real one, no
            # fields or decks the vault's cards use.
            return
        if sign > 0:
            for value, start, end, card_start, card_end in summary.card_ids:
                location = CardLocation(path, Span(start, end), Span(card_start, card_end))
                self._card_ids[value].append(location)
        else:
            for value in summary.card_id_values():
                locations = self._card_ids[value]
                locations[:] = [loc for loc in locations if loc.path != path]
                if not locations:
                    del self._card_ids[value]
        for note_type, fields in summary.card_fields:
            self._type_cards[note_type] += sign
            self._inferred_fields.pop(note_type, None)
            type_fields = self._type_fields[note_type]
            for name in set(fields):
                type_fields[name] += sign
        for deck in summary.decks:
            self._decks[deck] += sign
        if sign < 0:
            # Counters keep zero entries after subtraction; drop them so queries see live data.
            self._type_cards += Counter()
            self._decks += Counter()

    # --- queries ----------------------------------------------------------------------------

    def __contains__(self, path: str) -> bool:
        return path in self.summaries

    def paths(self) -> Iterable[str]:
        return self.summaries.keys()

    def paths_named(self, stem: str) -> frozenset[str]:
        """The notes whose `stem_key` is `stem`: `Folder/Note.md` and `note.md` for `note`."""
        return frozenset(self._by_stem.get(stem, ()))

    def summary(self, path: str) -> NoteSummary | None:
        return self.summaries.get(path)

    def has_heading(self, path: str, heading: str) -> bool:
        """Does the note at `path` have the heading a link names (`[[N#H1#H2]]`: the last)?"""
        summary = self.summaries.get(path)
        return summary is not None and summary.has_heading(heading_link_key(heading))

    def has_block(self, path: str, block: str) -> bool:
        summary = self.summaries.get(path)
        return summary is not None and summary.has_block(block)

    def lines(self, path: str) -> LineIndex | None:
        """Positions in a note's text, from the Note in memory or else read from disk."""
        return self.notes.lines(path)

    def tag_spelling(self, key: str) -> str | None:
        """A lowered tag as some note writes it."""
        for path in self._tags.get(key, ()):
            summary = self.summaries.get(path)
            for tag in summary.tags if summary is not None else ():
                if tag.lower() == key:
                    return tag
        return None

    def resolve(self, link: Link, from_path: str) -> Resolution:
        return self.resolve_target(link.target, from_path)

    def resolve_target(self, target: str, from_path: str) -> Resolution:
        if not target:
            return Resolution(ResolutionKind.SELF, (from_path,))
        # A bare name resolves the same from every note, a path the same from every note in
        # one folder: a keystroke re-checks hundreds.
        key = target
        if "/" in target or "\\" in target:
            key = f"{from_path.rpartition('/')[0]}/\0{target}"
        resolution = self._resolved.get(key)
        if resolution is None:
            version = self._names_version
            resolution = resolve_in(self, target, from_path)
            # Kept only when no change of names ran meanwhile (nor runs now).
            if version == self._names_version and not self._names_changing:
                self._resolved[key] = resolution
                if version != self._names_version:  # a change began while storing
                    self._resolved.pop(key, None)
        return resolution

    # NameTables, for resolve_in: the live tables, read only.

    def note_with_key(self, key: str) -> str | None:
        return self._by_key.get(key)

    def notes_with_stem(self, stem: str) -> Collection[str]:
        return self._by_stem.get(stem, ())

    def notes_with_alias(self, alias: str) -> Collection[str]:
        return self._by_alias.get(alias, ())

    def attachments_with_key(self, path: str) -> Collection[str]:
        return self._attachments.get(path, ())

    def attachments_with_name(self, name: str) -> Collection[str]:
        return self._attachments_by_name.get(name, ())

    def card_locations(self, card_id: str) -> tuple[CardLocation, ...]:
        """Where notes hold this card ID, by path: the same order however the notes came in
        (one by one, or restored from the cache)."""
        locations = self._card_ids.get(card_id, ())
        return tuple(sorted(locations)) if len(locations) > 1 else tuple(locations)

    def card_ids(self) -> Iterable[str]:
        return self._card_ids.keys()

    def linkers_of(self, path: str) -> set[str]:
        """Notes that may link to `path` (by name or alias); resolve each link to be sure."""
        summary = self.summaries.get(path)
        sources = set(self._linkers.get(stem_key(path), ()))
        if summary is not None:
            for alias in summary.aliases:
                sources |= self._linkers.get(target_key(alias), set())
        return sources

    def linkers_of_name(self, name_key: str) -> set[str]:
        """Notes holding a link whose target's last part is `name_key` (lowered, no `.md`)."""
        return set(self._linkers.get(name_key, ()))

    def notes_with_tag(self, tag: str) -> set[str]:
        return set(self._tags.get(tag.lower(), ()))

    def tags(self) -> Iterable[str]:
        return self._tags.keys()

    def decks(self) -> Counter[str]:
        return Counter(self._decks)

    def note_types(self) -> Counter[str]:
        return Counter(self._type_cards)

    def field_counts(self, note_type: str) -> Counter[str]:
        return Counter(self._type_fields.get(note_type, Counter()))

    def inferred_fields(self, note_type: str) -> frozenset[str] | None:
        """Field names the vault's cards of this type agree on; None when too few cards exist."""
        cached = self._inferred_fields.get(note_type)
        if cached is not None:
            return cached
        cards = self._type_cards.get(note_type, 0)
        if cards < MIN_CARDS_TO_INFER:
            return None
        counts = self._type_fields.get(note_type, Counter())
        fields = frozenset(
            name for name, count in counts.items() if count >= max(2, cards * _FIELD_SHARE)
        )
        self._inferred_fields[note_type] = fields
        return fields

    def attachments(self) -> tuple[str, ...]:
        """A copy, made in one step: safe to take without the vault's lock (see catalog.py)."""
        # chain and tuple run in C, with no Python code between two items: one step.
        return tuple(chain.from_iterable(self._attachments.values()))

    def has_attachment(self, path: str) -> bool:
        return path in self._attachments.get(fold(path), ())

    def attachments_named(self, name: str) -> frozenset[str]:
        """The attachments whose file name is `name`, ignoring case: what `[[name]]` may open."""
        return frozenset(self._attachments_by_name.get(fold(name), ()))


def _discard(mapping: defaultdict[str, set[str]], key: str, value: str) -> None:
    values = mapping.get(key)
    if values is None:
        return
    values.discard(value)
    if not values:
        del mapping[key]


def find_heading(note: Note, heading: str) -> int | None:
    """Index of the heading a link names, or None (see heading_path)."""
    found = heading_path(note, heading)
    return found[-1] if found else None


def heading_path(note: Note, heading: str) -> list[int | None] | None:
    """The headings a link's heading part names, one per `#`-separated part: `[[N#H]]` names
    the first heading H; `[[N#A#H]]` (Obsidian's heading path) the first H that stands under an
    A, and that A (under it, in order, the parts before), else the first H, its path parts
    then naming nothing (None). None when the note has no heading H.

    Headings of one name are common (`## Proof` under each theorem): the path tells them apart.
    """
    parts = [part for part in heading.split("#") if part.strip()]
    if not parts or not heading.rsplit("#", 1)[-1].strip():
        return None
    keys = [heading_key(part) for part in parts]
    wanted, path = keys[-1], keys[:-1]
    first: int | None = None
    above: list[tuple[int, str, int]] = []  # (level, key, index) of the headings over this one
    for i, candidate in enumerate(note.headings):
        while above and above[-1][0] >= candidate.level:
            above.pop()
        key = heading_key(candidate.text)
        if key == wanted:
            if not path:
                return [i]
            named = _names_in_order(path, above)
            if named is not None:
                return [*named, i]
            if first is None:
                first = i
        above.append((candidate.level, key, i))
    return None if first is None else [*(None for _ in path), first]


def _names_in_order(path: list[str], above: list[tuple[int, str, int]]) -> list[int | None] | None:
    """The index of a heading of `above` (outermost first) for each key of `path`, in order;
    None when they are not all there."""
    named: list[int | None] = []
    start = 0
    for key in path:
        at = next((j for j in range(start, len(above)) if above[j][1] == key), None)
        if at is None:
            return None
        named.append(above[at][2])
        start = at + 1
    return named


def find_block(note: Note, block: str) -> BlockId | None:
    wanted = block.lower()
    for candidate in note.block_ids:
        if candidate.name.lower() == wanted:
            return candidate
    return None


def note_has_heading(note: Note, heading: str) -> bool:
    return find_heading(note, heading) is not None


def note_has_block(note: Note, block: str) -> bool:
    return find_block(note, block) is not None
