"""Document symbols (the outline of one note) and workspace symbols (fuzzy search of the vault)."""

from __future__ import annotations

import posixpath
import threading
import weakref
from dataclasses import dataclass, field

from notels.config import Config
from notels.features.fuzzy import SearchKeys, rank
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


@dataclass(slots=True)
class _SymbolTable:
    generation: int = -1
    # The summary each note's entries were made from, and those entries (two dicts: a pair
    # holding the summary, an object the collector tracks, would be tracked too).
    summaries: dict[str, NoteSummary] = field(default_factory=dict)
    note_entries: dict[str, tuple[_Entry, ...]] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)  # parallel to entries
    entries: list[_Entry] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    weights: list[int] = field(default_factory=list)  # each entry's kind's weight
    search: SearchKeys = field(default_factory=lambda: SearchKeys(()))
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


_TABLES: weakref.WeakKeyDictionary[VaultIndex, _SymbolTable] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _table(index: VaultIndex) -> _SymbolTable:
    """Per-note entries are kept while the summary object is the same (summaries are immutable),
    so an edit re-reads one note; the flat list is rebuilt only when something changed."""
    with _LOCK:
        table = _TABLES.get(index)
        if table is None:
            table = _TABLES[index] = _SymbolTable()
        if table.generation == index.generation:
            return table
        generation = index.generation
        notes = dict(index.summaries)
        summaries: dict[str, NoteSummary] = {}
        note_entries: dict[str, tuple[_Entry, ...]] = {}
        changed = len(notes) != len(table.summaries)
        for path, note in notes.items():
            summaries[path] = note
            if table.summaries.get(path) is note:
                note_entries[path] = table.note_entries[path]
            else:
                note_entries[path] = _note_entries(path, note)
                changed = True
        if changed:
            paths: list[str] = []
            entries: list[_Entry] = []
            # In path order, not the index's: ties rank in this order, and the index's differs
            # between a cold start and a warm one that read a few notes again.
            for path in sorted(note_entries):
                made = note_entries[path]
                paths.extend([path] * len(made))
                entries.extend(made)
            keys = [entry[1] for entry in entries]
            weights = [_WEIGHTS[entry[2]] for entry in entries]
            if keys != table.keys:  # not when only positions moved: keep the built search
                table.search = SearchKeys(keys)
                table._places = None
            if weights != table.weights:
                table._places = None
            table.paths = paths
            table.entries = entries
            table.keys = keys
            table.weights = weights
        table.summaries = summaries
        table.note_entries = note_entries
        table.generation = generation
        return table


def symbols_current(index: VaultIndex) -> bool:
    """Is the workspace symbol table of the index up to date (a query will not build it)?"""
    with _LOCK:
        table = _TABLES.get(index)
        return table is not None and table.generation == index.generation


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
    table = _table(index)
    entries = table.entries
    matches, _ = rank(
        query,
        table.keys,
        limit,
        table.weights.__getitem__,
        search=table.search,
        places=table.places,
        places_from=0,
    )
    found: list[WorkspaceSymbol] = []
    for match in matches:
        name, _, place, start, end = entries[match.index]
        path = table.paths[match.index]
        found.append(WorkspaceSymbol(name, _KINDS[place], Location(path, Span(start, end)), path))
    return tuple(found)
