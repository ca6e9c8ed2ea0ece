"""Document symbols (the outline of one note) and workspace symbols (fuzzy search of the vault)."""

from __future__ import annotations

import posixpath
import threading
import weakref
from dataclasses import dataclass, field

from notels.config import Config
from notels.features.fuzzy import FUZZY, Match, SearchKeys, rank
from notels.features.model import DocumentSymbol, Location, SymbolKind, WorkspaceSymbol
from notels.features.outline import cards_holding, section_spans
from notels.syntax.model import Card
from notels.syntax.note import Note
from notels.syntax.spans import Span
from notels.vault.drawings import holds_cards
from notels.vault.index import VaultIndex
from notels.vault.resolve import fold
from notels.vault.summary import NoteSummary, card_name

WORKSPACE_LIMIT = 150
# Within a match tier, notes come before their aliases, headings and cards.
_KIND_WEIGHT = {SymbolKind.NOTE: 3, SymbolKind.ALIAS: 2, SymbolKind.HEADING: 1, SymbolKind.CARD: 0}


# --- document symbols -------------------------------------------------------------------------


def _card_symbol(card: Card) -> DocumentSymbol:
    if not card.closed:
        detail = "unclosed: the plugin skips it"
    elif card.id is not None:
        detail = f"ID {card.id.value}"
    else:
        detail = "no ID yet"
    return DocumentSymbol(card_name(card), SymbolKind.CARD, card.span, card.start_span, detail)


@dataclass(slots=True)
class _Node:
    symbol: DocumentSymbol
    level: int  # 7 for cards: deeper than any heading
    children: list[_Node] = field(default_factory=list)

    def freeze(self) -> DocumentSymbol:
        if not self.children:
            return self.symbol
        symbol = self.symbol
        return DocumentSymbol(
            symbol.name,
            symbol.kind,
            symbol.span,
            symbol.selection_span,
            symbol.detail,
            tuple(child.freeze() for child in self.children),
        )


def document_symbols(
    index: VaultIndex, path: str, note: Note, config: Config
) -> tuple[DocumentSymbol, ...]:
    """Headings as a tree (each spanning its section), cards nested under their heading."""
    items: list[_Node] = []
    sections = zip(note.headings, section_spans(note), cards_holding(note), strict=True)
    for heading, section, holder in sections:
        if holder is not None:
            continue  # text of a card's field: the card is the symbol there
        selection = heading.text_span if heading.text else heading.span
        name = heading.text or "#" * heading.level
        symbol = DocumentSymbol(name, SymbolKind.HEADING, section, selection, "#" * heading.level)
        items.append(_Node(symbol, heading.level))
    if holds_cards(path, note.frontmatter):
        for card in (*note.anki.cards, *note.anki.unclosed):
            items.append(_Node(_card_symbol(card), 7))
    items.sort(key=lambda node: node.symbol.span.start)
    roots: list[_Node] = []
    stack: list[_Node] = []
    for node in items:
        start = node.symbol.span.start
        while stack and (stack[-1].level >= node.level or stack[-1].symbol.span.end < start):
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        if node.level <= 6:
            stack.append(node)
    return tuple(node.freeze() for node in roots)


# --- workspace symbols ------------------------------------------------------------------------


# (name, key: the folded text matched against the query, the kind's place in _KINDS, start,
# end). A plain tuple of strings and ints, not an object: the cyclic collector stops tracking
# such a tuple once it has seen it, and the table lives as long as the vault. As objects (an
# entry and its Span), the 72,000 symbols of 10,000 notes made every later full collection
# scan 166,000 objects: 50-70 ms, in the middle of whatever request or keystroke set it off.
_Entry = tuple[str, str, int, int, int]
_KINDS = (SymbolKind.NOTE, SymbolKind.ALIAS, SymbolKind.HEADING, SymbolKind.CARD)
_NOTE, _ALIAS, _HEADING, _CARD = range(len(_KINDS))
_WEIGHTS = tuple(_KIND_WEIGHT[kind] for kind in _KINDS)


def _note_entries(path: str, summary: NoteSummary) -> tuple[_Entry, ...]:
    stem = posixpath.basename(path)
    stem = stem[:-3] if stem.lower().endswith(".md") else stem
    entries = [(stem, fold(stem), _NOTE, 0, 0)]
    for alias, start, end in summary.alias_spans:
        entries.append((alias, fold(alias), _ALIAS, start, end))
    for text, start, end in summary.headings:
        entries.append((text, fold(text), _HEADING, start, end))
    for name, start, end in summary.cards if holds_cards(path) else ():
        front = name.split(": ", 1)[1] if ": " in name else name
        entries.append((name, fold(front), _CARD, start, end))
    return tuple(entries)


# Notes whose symbols changed since the table was built are searched apart, as a short list,
# up to this many symbols: building the table's search again for one edited heading took 0.25 s
# at 10,000 notes and 1.3 s at 50,000, holding up everything else meanwhile.
_APART_MOST = 2_000


@dataclass(slots=True)
class _Built:
    """The flat table of every note's entries, in path order, and its search, as built."""

    note_entries: dict[str, tuple[_Entry, ...]]  # what it was built from
    paths: list[str]  # parallel to entries
    entries: list[_Entry]
    keys: list[str]
    weights: list[int]  # each entry's kind's weight
    firsts: dict[str, int]  # each note's first entry
    search: SearchKeys
    # Each entry's place in rank's order within a tier (weight, length, key): made on first use,
    # kept while the keys and their kinds are (typing moves positions, not names).
    _places: list[int] | None = None

    def places(self) -> list[int]:
        if self._places is None:
            keys, weights = self.keys, self.weights
            ranked = sorted(range(len(keys)), key=lambda i: (-weights[i], len(keys[i]), keys[i]))
            places = [0] * len(ranked)
            for place, entry in enumerate(ranked):
                places[entry] = place
            self._places = places
        return self._places


def _build(note_entries: dict[str, tuple[_Entry, ...]], before: _Built | None) -> _Built:
    paths: list[str] = []
    entries: list[_Entry] = []
    firsts: dict[str, int] = {}
    # In path order, not the index's: ties rank in this order, and the index's differs between
    # a cold start and a warm one that read a few notes again.
    for path in sorted(note_entries):
        made = note_entries[path]
        firsts[path] = len(entries)
        paths.extend([path] * len(made))
        entries.extend(made)
    keys = [entry[1] for entry in entries]
    weights = [_WEIGHTS[entry[2]] for entry in entries]
    if before is not None and keys == before.keys:  # only positions moved: keep the search
        search = before.search
        places = before._places if weights == before.weights else None
    else:
        search, places = SearchKeys(keys), None
    return _Built(dict(note_entries), paths, entries, keys, weights, firsts, search, places)


@dataclass(slots=True)
class _SymbolTable:
    generation: int = -1
    # The summary each note's entries were made from, and those entries (two dicts: a pair
    # holding the summary, an object the collector tracks, would be tracked too).
    summaries: dict[str, NoteSummary] = field(default_factory=dict)
    note_entries: dict[str, tuple[_Entry, ...]] = field(default_factory=dict)
    built: _Built | None = None
    # Notes whose entries may differ from the built table's (edited, added, removed): these are
    # searched apart, as they are now.
    apart: set[str] = field(default_factory=set)

    def apart_size(self) -> int:
        """The symbols a query handles apart: the notes' entries now, and those it drops from
        the built table (a removed note has none now, and all of its old ones to drop)."""
        built = self.built.note_entries if self.built is not None else {}
        return sum(
            len(self.note_entries.get(path, ())) + len(built.get(path, ())) for path in self.apart
        )


_TABLES: weakref.WeakKeyDictionary[VaultIndex, _SymbolTable] = weakref.WeakKeyDictionary()
_LOCK = threading.RLock()  # workspace_symbols holds it over _table


def _updated(index: VaultIndex) -> _SymbolTable:
    """The table with each note's entries as the index has them now, the notes whose entries
    were made again set apart. Per-note entries are kept while the summary object is the same
    (summaries are immutable), so an edit makes one note's again. Under _LOCK."""
    table = _TABLES.get(index)
    if table is None:
        table = _TABLES[index] = _SymbolTable()
    generation = index.generation  # read first: a change while we work makes the next call look
    if table.generation == generation:
        return table
    current = dict(index.summaries)  # a copy: the index may change while we read it
    before, note_entries = table.summaries, table.note_entries
    changed = [path for path, note in current.items() if before.get(path) is not note]
    added = sum(path not in before for path in changed)
    # len(current) = len(before) - removed + added, so the count tells whether to look for them.
    if len(before) + added > len(current):
        for path in [path for path in before if path not in current]:
            del note_entries[path]
            table.apart.add(path)
    for path in changed:
        note_entries[path] = _note_entries(path, current[path])
        table.apart.add(path)
    table.summaries = current
    table.generation = generation
    return table


def _needs_build(table: _SymbolTable) -> bool:
    return table.built is None or table.apart_size() > _APART_MOST


def _table(index: VaultIndex) -> _SymbolTable:
    """The table, its flat part built again only when the notes set apart grow too many."""
    with _LOCK:
        table = _updated(index)
        if _needs_build(table):
            table.built = _build(table.note_entries, table.built)
            table.apart = set()
        return table


def symbols_current(index: VaultIndex) -> bool:
    """Will a query use the table as it is built (not build its flat part and search again)?"""
    with _LOCK:
        return index in _TABLES and not _needs_build(_updated(index))


def symbol_span(
    index: VaultIndex, path: str, kind: SymbolKind, name: str, near: int
) -> Span | None:
    """Where the workspace symbol `name` of `kind` is in the note at `path` now: the one
    nearest the offset `near` it was found at (the note may have changed since); None when it
    is gone."""
    summary = index.summary(path)
    if summary is None:
        return None
    spans = [
        Span(start, end)
        for entry_name, _, place, start, end in _note_entries(path, summary)
        if _KINDS[place] is kind and entry_name == name
    ]
    return min(spans, key=lambda span: abs(span.start - near), default=None)


def workspace_symbols(
    index: VaultIndex, query: str, config: Config, limit: int = WORKSPACE_LIMIT
) -> tuple[WorkspaceSymbol, ...]:
    """Notes, aliases, headings and cards (by front text) matching `query`, best first."""
    with _LOCK:
        table = _table(index)
        built = table.built
        assert built is not None
        if table.apart:
            found = _with_apart(query, limit, built, table.apart, table.note_entries)
        else:
            matches, _ = rank(
                query,
                built.keys,
                limit,
                built.weights.__getitem__,
                search=built.search,
                places=built.places,
                places_from=0,
            )
            found = [(built.paths[match.index], built.entries[match.index]) for match in matches]
    return tuple(
        WorkspaceSymbol(name, _KINDS[place], Location(path, Span(start, end)), path)
        for path, (name, _, place, start, end) in found
    )


# A match from either part of a search: the match, the note, its entry's place in the note's.
_Candidate = tuple[Match, str, int, _Entry]


def _with_apart(
    query: str,
    limit: int,
    built: _Built,
    apart: set[str],
    note_entries: dict[str, tuple[_Entry, ...]],
) -> list[tuple[str, _Entry]]:
    """What `rank` would find in a table built anew, from the built table less the notes set
    apart, and those notes' entries now.

    rank's order is total: by tier (and rounded score, for typos), weight, key length, key, and
    then place in the table, which is (path, place in the note). So the best `limit` of the
    whole lie among the best `limit` of the notes apart and the best `limit + k` of the built
    table (k: the entries it holds of the notes apart, which are dropped). Typos are first
    chosen by their exact score (the best `room + 1`, ties by place) and then ordered; that
    choice is made again over both parts.
    """
    dropped = sum(len(built.note_entries.get(path, ())) for path in apart)
    kept, _ = rank(
        query,
        built.keys,
        limit + dropped,
        built.weights.__getitem__,
        search=built.search,
        places=built.places,
        places_from=0,
        typo_candidates=True,
    )
    candidates: list[_Candidate] = []
    for match in kept:
        path = built.paths[match.index]
        if path not in apart:
            place = match.index - built.firsts[path]
            candidates.append((match, path, place, built.entries[match.index]))
    places: list[tuple[str, int]] = []
    entries: list[_Entry] = []
    for path in sorted(apart):
        for place, entry in enumerate(note_entries.get(path, ())):
            places.append((path, place))
            entries.append(entry)
    weights = [_WEIGHTS[entry[2]] for entry in entries]
    fresh, _ = rank(
        query, [entry[1] for entry in entries], limit, weights.__getitem__, typo_candidates=True
    )
    candidates += [(match, *places[match.index], entries[match.index]) for match in fresh]

    def order(candidate: _Candidate) -> tuple[int, int, int, int, str, str, int]:
        match, path, place, (_, key, kind, _, _) = candidate
        score = round(match.score) if match.tier == FUZZY else 0
        return (-match.tier, -score, -_WEIGHTS[kind], len(key), key, path, place)

    best = sorted((c for c in candidates if c[0].tier != FUZZY), key=order)[:limit]
    room = limit - len(best)
    typos = sorted(
        (c for c in candidates if c[0].tier == FUZZY), key=lambda c: (-c[0].score, c[1], c[2])
    )
    if room > 0 and typos:
        best += sorted(typos[: room + 1], key=order)[:room]
    return [(path, entry) for _, path, _, entry in best]
