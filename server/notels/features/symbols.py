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


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    key: str  # lowered text matched against the query
    kind: SymbolKind
    span: Span


def _note_entries(path: str, summary: NoteSummary) -> tuple[_Entry, ...]:
    stem = posixpath.basename(path)
    stem = stem[:-3] if stem.lower().endswith(".md") else stem
    entries = [_Entry(stem, fold(stem), SymbolKind.NOTE, Span(0, 0))]
    for alias, start, end in summary.alias_spans:
        entries.append(_Entry(alias, fold(alias), SymbolKind.ALIAS, Span(start, end)))
    for text, start, end in summary.headings:
        entries.append(_Entry(text, fold(text), SymbolKind.HEADING, Span(start, end)))
    for name, start, end in summary.cards if holds_cards(path) else ():
        front = name.split(": ", 1)[1] if ": " in name else name
        entries.append(_Entry(name, fold(front), SymbolKind.CARD, Span(start, end)))
    return tuple(entries)


@dataclass(slots=True)
class _SymbolTable:
    generation: int = -1
    per_note: dict[str, tuple[NoteSummary, tuple[_Entry, ...]]] = field(default_factory=dict)
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
        per_note: dict[str, tuple[NoteSummary, tuple[_Entry, ...]]] = {}
        changed = len(notes) != len(table.per_note)
        for path, note in notes.items():
            cached = table.per_note.get(path)
            if cached is not None and cached[0] is note:
                per_note[path] = cached
            else:
                per_note[path] = (note, _note_entries(path, note))
                changed = True
        if changed:
            paths: list[str] = []
            entries: list[_Entry] = []
            # In path order, not the index's: ties rank in this order, and the index's differs
            # between a cold start and a warm one that read a few notes again.
            for path in sorted(per_note):
                note_entries = per_note[path][1]
                paths.extend([path] * len(note_entries))
                entries.extend(note_entries)
            keys = [entry.key for entry in entries]
            weights = [_KIND_WEIGHT[entry.kind] for entry in entries]
            if keys != table.keys:  # not when only positions moved: keep the built search
                table.search = SearchKeys(keys)
                table._places = None
            if weights != table.weights:
                table._places = None
            table.paths = paths
            table.entries = entries
            table.keys = keys
            table.weights = weights
        table.per_note = per_note
        table.generation = generation
        return table


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
        entry.span
        for entry in _note_entries(path, summary)
        if entry.kind is kind and entry.name == name
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
        entry = entries[match.index]
        path = table.paths[match.index]
        found.append(WorkspaceSymbol(entry.name, entry.kind, Location(path, entry.span), path))
    return tuple(found)
