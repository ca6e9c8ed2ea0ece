"""Completion, navigation, symbols, links, folding, selection ranges and code lens.

Protocol glue over notels.features: every handler flushes pending edits (so it answers about the
text the client has), calls one pure feature function under the vault's lock, and converts its
code-point spans with the negotiated position encoding. A document that is not a note of a
vault (an untitled buffer, a file outside every vault or ignored by its config), an unknown URI
or a non-file URI gets an empty answer; out-of-range positions are clamped.

Spans into other notes are converted with the LineIndex of the text they were computed on: the
editor's text for open notes (all pending edits are flushed first), the indexed text otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from notels.features import (
    CompletionCandidate,
    DocumentLink,
    DocumentSymbol,
    FoldingKind,
    HighlightKind,
    LinkKind,
    Location,
    ResolveData,
    SymbolKind,
    WorkspaceSymbol,
    complete,
    definition,
    document_highlights,
    document_links,
    document_symbols,
    folding_ranges,
    hover,
    item_at,
    references,
    resolve_completion,
    selection_ranges,
    symbol_span,
    symbols_current,
    workspace_symbols,
)
from notels.features.catalog import name_catalog
from notels.features.navigation import LinkItem, links_to
from notels.syntax.lines import Encoding, LineIndex
from notels.syntax.note import Note
from notels.syntax.spans import Span
from notels.vault.loader import long_lived, paused_gc

from .convert import (
    CompletionShape,
    Json,
    JsonAnswer,
    JsonAnswers,
    completion_item_json,
    edit_range_json,
    note_uri,
    path_of_uri,
    range_json,
    shared_edit_ranges,
    to_offset,
    to_range,
)
from .indexer import start_thread
from .session import Session, capability
from .workspace import Effects, IndexState, Vault, under

if TYPE_CHECKING:
    from .server import NotelsServer

log = logging.getLogger("notels.lsp")

# `[[`, `![[` (the second `[`), `[[Note#`, `[[Note#^`, `[[Note|`, `#tag`. Not `:` (every YAML key
# and field line has one, and nothing is offered after it) nor `/` (common in prose).
TRIGGER_CHARACTERS = ["[", "#", "^", "|"]

_SYMBOL_KIND = {
    SymbolKind.NOTE: types.SymbolKind.File,
    SymbolKind.HEADING: types.SymbolKind.String,  # what VS Code's own Markdown outline uses
    SymbolKind.ALIAS: types.SymbolKind.Key,
    SymbolKind.CARD: types.SymbolKind.Object,
}
_FOLDING_KIND = {
    # Metadata at the top, like imports: clients that fold imports on open fold it too.
    FoldingKind.FRONTMATTER: types.FoldingRangeKind.Imports,
    FoldingKind.SECTION: types.FoldingRangeKind.Region,
    FoldingKind.CARD: types.FoldingRangeKind.Region,
}
_HIGHLIGHT_KIND = {
    HighlightKind.TEXT: types.DocumentHighlightKind.Text,
    HighlightKind.READ: types.DocumentHighlightKind.Read,
    HighlightKind.WRITE: types.DocumentHighlightKind.Write,
}
_RESOLVE_VAULT = "vault"  # the key in a completion item's data naming its vault (Vault.id)
_SYMBOL_KIND_NAMES = {kind.value: kind for kind in SymbolKind}  # in a symbol's data


def register_navigation_features(server: NotelsServer) -> None:
    navigation = NavigationFeatures(server.session)
    server.session.indexed_listeners.append(navigation.indexed)
    server.session.applied_listeners.append(navigation.applied)
    feature = server.feature

    @feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS, resolve_provider=True),
    )
    def completion(ls: NotelsServer, params: types.CompletionParams) -> JsonAnswer:
        return navigation.completion(params)

    @feature(types.COMPLETION_ITEM_RESOLVE)
    def completion_resolve(ls: NotelsServer, item: types.CompletionItem) -> types.CompletionItem:
        return navigation.resolve_completion(item)

    @feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition_(ls: NotelsServer, params: types.DefinitionParams) -> JsonAnswers | None:
        return navigation.definition(params)

    @feature(types.TEXT_DOCUMENT_REFERENCES)
    def references_(ls: NotelsServer, params: types.ReferenceParams) -> JsonAnswers:
        return navigation.references(params)

    @feature(types.TEXT_DOCUMENT_HOVER)
    def hover_(ls: NotelsServer, params: types.HoverParams) -> types.Hover | None:
        return navigation.hover(params)

    @feature(types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT)
    def document_highlight(
        ls: NotelsServer, params: types.DocumentHighlightParams
    ) -> list[types.DocumentHighlight]:
        return navigation.document_highlights(params)

    @feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(
        ls: NotelsServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol] | list[types.SymbolInformation]:
        return navigation.document_symbols(params)

    @feature(types.WORKSPACE_SYMBOL)
    def workspace_symbol(ls: NotelsServer, params: types.WorkspaceSymbolParams) -> JsonAnswers:
        return navigation.workspace_symbols(params)

    @feature(types.WORKSPACE_SYMBOL_RESOLVE)
    def workspace_symbol_resolve(
        ls: NotelsServer, symbol: types.WorkspaceSymbol
    ) -> types.WorkspaceSymbol:
        return navigation.resolve_workspace_symbol(symbol)

    @feature(types.TEXT_DOCUMENT_DOCUMENT_LINK, types.DocumentLinkOptions(resolve_provider=False))
    def document_link(ls: NotelsServer, params: types.DocumentLinkParams) -> JsonAnswers:
        return navigation.document_links(params)

    @feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
    def folding_range(
        ls: NotelsServer, params: types.FoldingRangeParams
    ) -> list[types.FoldingRange]:
        return navigation.folding_ranges(params)

    @feature(types.TEXT_DOCUMENT_SELECTION_RANGE)
    def selection_range(
        ls: NotelsServer, params: types.SelectionRangeParams
    ) -> list[types.SelectionRange]:
        return navigation.selection_ranges(params)

    @feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    def code_lens(ls: NotelsServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        return navigation.code_lenses(params)


_LENS_REFRESH_KEY = "\0code-lens-refresh"
_LENS_REFRESH_DELAY_MS = 300


@dataclass(frozen=True, slots=True)
class Place:
    """A note of a vault a request is about: the editor's text when open, else the indexed one."""

    vault: Vault
    relative: str
    note: Note
    uri: str


class NavigationFeatures:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._code_lens: dict[Path, bool] = {}  # the setting per vault, as last seen
        self._links: object = None  # what backlink counts depend on, as last seen (`applied`)

    # --- completion -------------------------------------------------------------------------

    def completion(self, params: types.CompletionParams) -> JsonAnswer:
        """A CompletionList, as the JSON the protocol sends (see convert.completion_item_json)."""
        place = self._place(params.text_document.uri)
        if place is None:
            return JsonAnswer(isIncomplete=False, items=[])
        offset = self._offset(place, params.position)
        vault = place.vault
        with vault.lock:
            result = complete(vault.index, place.relative, place.note, offset, vault.config)
            # Answered from a partial index: the client must ask again as the user types
            # rather than filter this list, which may lack what it looks for.
            incomplete = result.is_incomplete or vault.state is not IndexState.READY
        options = capability(self.session.client_capabilities, "text_document", "completion")
        item_options = getattr(options, "completion_item", None)
        snippets = bool(getattr(item_options, "snippet_support", False))
        defaults = capability(options, "completion_list", "item_defaults") or ()
        shape = CompletionShape(
            insert_replace=bool(getattr(item_options, "insert_replace_support", False)),
            label_details=bool(getattr(item_options, "label_details_support", False)),
            default_edit_range="editRange" in defaults,
            snippets=snippets,
        )
        lines, encoding = place.note.lines, self.session.workspace.encoding
        ranges: dict[Span, Json] = {}  # most items replace the same text
        # A snippet shown as text would insert `$1`.
        candidates = [c for c in result.items if snippets or not c.is_snippet]
        shared = shared_edit_ranges(candidates, shape)
        items = [
            completion_item_json(
                candidate,
                lines,
                encoding,
                shape,
                ranges,
                self._resolve_data(place, candidate),
                shared,
            )
            for candidate in candidates
        ]
        if shared is None:
            return JsonAnswer(isIncomplete=incomplete, items=items)
        return JsonAnswer(
            isIncomplete=incomplete,
            itemDefaults={"editRange": edit_range_json(shared, lines, encoding, ranges)},
            items=items,
        )

    @staticmethod
    def _resolve_data(place: Place, candidate: CompletionCandidate) -> Json | None:
        if candidate.data is None:
            return None
        return {_RESOLVE_VAULT: place.vault.id, **candidate.data.to_json()}

    def resolve_completion(self, item: types.CompletionItem) -> types.CompletionItem:
        """Add the Markdown preview of the note, heading or block the item inserts."""
        data = ResolveData.from_json(item.data)
        vault_id = item.data.get(_RESOLVE_VAULT) if isinstance(item.data, Mapping) else None
        vault = self._vault_with_id(vault_id)
        if data is None or vault is None:
            return item
        with vault.lock:
            markdown = resolve_completion(vault.index, data)
        if markdown is not None:
            item.documentation = self._markup(
                markdown, "text_document", "completion", "completion_item", "documentation_format"
            )
        return item

    # --- navigation -------------------------------------------------------------------------

    def definition(self, params: types.DefinitionParams) -> JsonAnswers | None:
        """Locations, or LocationLinks when the client takes them, as JSON (a round trip is a
        tenth of a millisecond: the typed objects and cattrs were a fifth of it)."""
        place = self._place(params.text_document.uri)
        if place is None:
            return None
        offset = self._offset(place, params.position)
        vault = place.vault
        with vault.lock:
            found = definition(vault.index, place.relative, place.note, offset, vault.config)
            targets = [self._location_json(place, location) for location in found]
        if not targets:
            return None
        link_support = capability(
            self.session.client_capabilities, "text_document", "definition", "link_support"
        )
        if not link_support:
            return JsonAnswers(targets)
        item = item_at(place.note, place.relative, offset)
        if not isinstance(item, LinkItem):
            return JsonAnswers(targets)
        origin = range_json(place.note.lines, item.link.span, self.session.workspace.encoding)
        return JsonAnswers(
            {
                "targetUri": target["uri"],
                "targetRange": target["range"],
                "targetSelectionRange": target["range"],
                "originSelectionRange": origin,
            }
            for target in targets
        )

    def references(self, params: types.ReferenceParams) -> JsonAnswers:
        place = self._place(params.text_document.uri)
        if place is None:
            return JsonAnswers()
        offset = self._offset(place, params.position)
        vault = place.vault
        with vault.lock:
            found = references(
                vault.index,
                place.relative,
                place.note,
                offset,
                vault.config,
                include_declaration=params.context.include_declaration,
            )
            return JsonAnswers(self._location_json(place, location) for location in found)

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        place = self._place(params.text_document.uri)
        if place is None:
            return None
        offset = self._offset(place, params.position)
        vault = place.vault
        with vault.lock:
            result = hover(vault.index, place.relative, place.note, offset, vault.config)
        if result is None:
            return None
        return types.Hover(
            contents=self._markup(result.markdown, "text_document", "hover", "content_format"),
            range=self._range(place, result.span),
        )

    def document_highlights(
        self, params: types.DocumentHighlightParams
    ) -> list[types.DocumentHighlight]:
        place = self._place(params.text_document.uri)
        if place is None:
            return []
        offset = self._offset(place, params.position)
        vault = place.vault
        with vault.lock:
            found = document_highlights(vault.index, place.relative, place.note, offset)
        return [
            types.DocumentHighlight(
                range=self._range(place, highlight.span), kind=_HIGHLIGHT_KIND[highlight.kind]
            )
            for highlight in found
        ]

    def _markup(self, markdown: str, *formats: str) -> types.MarkupContent:
        """Markdown, unless the client lists the formats it shows (the capability at `formats`)
        without it: then the same text as plain text, which reads well enough."""
        offered = capability(self.session.client_capabilities, *formats)
        if offered is not None and types.MarkupKind.Markdown not in offered:
            return types.MarkupContent(kind=types.MarkupKind.PlainText, value=markdown)
        return types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown)

    # --- symbols ----------------------------------------------------------------------------

    def document_symbols(
        self, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol] | list[types.SymbolInformation]:
        place = self._place(params.text_document.uri)
        if place is None:
            return []
        vault = place.vault
        with vault.lock:
            found = document_symbols(vault.index, place.relative, place.note, vault.config)
        hierarchical = capability(
            self.session.client_capabilities,
            "text_document",
            "document_symbol",
            "hierarchical_document_symbol_support",
        )
        if hierarchical:
            return [self._document_symbol(place, symbol) for symbol in found]
        return list(self._symbol_information(place, found, None))

    def _document_symbol(self, place: Place, symbol: DocumentSymbol) -> types.DocumentSymbol:
        return types.DocumentSymbol(
            name=symbol.name,
            detail=symbol.detail or None,
            kind=_SYMBOL_KIND[symbol.kind],
            range=self._range(place, symbol.span),
            selection_range=self._range(place, symbol.selection_span),
            children=[self._document_symbol(place, child) for child in symbol.children] or None,
        )

    def _symbol_information(
        self, place: Place, symbols: Iterable[DocumentSymbol], container: str | None
    ) -> Iterable[types.SymbolInformation]:
        """The tree flattened, for clients without hierarchical symbols."""
        for symbol in symbols:
            yield types.SymbolInformation(
                name=symbol.name,
                kind=_SYMBOL_KIND[symbol.kind],
                location=types.Location(uri=place.uri, range=self._range(place, symbol.span)),
                container_name=container,
            )
            yield from self._symbol_information(place, symbol.children, symbol.name)

    def workspace_symbols(self, params: types.WorkspaceSymbolParams) -> JsonAnswers:
        """WorkspaceSymbols as JSON, like definitions: 150 typed symbols and their copy by
        cattrs cost more than finding them (a 1,000-note vault: 2.3 of 4.9 ms).

        A range needs the note's text, read from disk for up to 150 notes per query: a client
        that resolves ranges later (VS Code, when a symbol is picked) gets the URI alone, and
        `data` to find the symbol again by."""
        self.session.flush_documents()
        encoding = self.session.workspace.encoding
        ranges_later = "location.range" in (
            capability(
                self.session.client_capabilities,
                "workspace",
                "symbol",
                "resolve_support",
                "properties",
            )
            or ()
        )
        form = (encoding, ranges_later)
        found = JsonAnswers()
        for vault in list(self.session.workspace.vaults.values()):
            # A note's headings and cards share its URI, text and remembered answers.
            uris: dict[str, str] = {}
            files: dict[str, LineIndex] = {}
            remembered: dict[str, dict[Hashable, Json] | None] = {}
            nested = self.session.workspace.nested_roots(vault)
            with vault.lock:
                index = vault.index
                # The table the first query after a change builds lives as long as the index.
                with nullcontext() if symbols_current(index) else long_lived():
                    symbols = workspace_symbols(index, params.query, vault.config)
                for symbol in symbols:
                    path = symbol.location.path
                    if nested and under(path, nested):
                        continue  # listed by the vault nested in this one
                    if path in remembered:
                        known = remembered[path]
                    else:
                        known = remembered[path] = vault.symbol_answers.of_note(
                            path, index.summary(path), vault.open_docs.get(path), form
                        )
                    key = (symbol.location.span, symbol.kind, symbol.name, symbol.container)
                    answer = known.get(key) if known is not None else None
                    if answer is None:
                        lines = None
                        if not ranges_later:
                            lines = files.get(path)
                            if lines is None:
                                lines = files[path] = self._file(vault, path)[1]
                        uri = uris.get(path)
                        if uri is None:
                            uri = uris[path] = self._uri(vault, path)
                        answer = self._symbol_answer(vault, symbol, uri, lines, encoding)
                        if known is not None:
                            known[key] = answer
                    found.append(answer)
        return found

    @staticmethod
    def _symbol_answer(
        vault: Vault,
        symbol: WorkspaceSymbol,
        uri: str,
        lines: LineIndex | None,
        encoding: Encoding,
    ) -> Json:
        """A WorkspaceSymbol's JSON: with its range in `lines`, or without one (None) and with
        `data` to find the symbol again by when the client resolves it."""
        path, span = symbol.location.path, symbol.location.span
        location: Json = {"uri": uri}
        if lines is not None:
            location["range"] = range_json(lines, span, encoding)
        answer: Json = {
            "name": symbol.name,
            "kind": _SYMBOL_KIND[symbol.kind].value,
            "location": location,
        }
        if symbol.container is not None:
            answer["containerName"] = symbol.container
        if lines is None:
            answer["data"] = {
                _RESOLVE_VAULT: vault.id,
                "path": path,
                "kind": symbol.kind.value,
                "offset": span.start,
            }
        return answer

    def resolve_workspace_symbol(self, symbol: types.WorkspaceSymbol) -> types.WorkspaceSymbol:
        """The range of a symbol answered without one, where the symbol is now (the note may
        have changed since the query). A symbol that is gone, or data this server did not
        write, gets the symbol back as it came."""
        data = symbol.data
        if not isinstance(data, Mapping):
            return symbol
        vault_id, path, kind, offset = (
            data.get(k) for k in (_RESOLVE_VAULT, "path", "kind", "offset")
        )
        vault = self._vault_with_id(vault_id)
        if (
            vault is None
            or not isinstance(path, str)
            or not isinstance(kind, str)
            or kind not in _SYMBOL_KIND_NAMES
            or not isinstance(offset, int)
        ):
            return symbol
        self.session.flush_documents()
        with vault.lock:
            span = symbol_span(vault.index, path, _SYMBOL_KIND_NAMES[kind], symbol.name, offset)
            if span is None:
                return symbol
            uri, lines = self._file(vault, path)
            symbol.location = types.Location(uri=uri, range=self._convert(lines, span))
        return symbol

    # --- structure --------------------------------------------------------------------------

    def document_links(self, params: types.DocumentLinkParams) -> JsonAnswers:
        """DocumentLinks as JSON: VS Code asks after every edit, and a long note has a thousand."""
        place = self._place(params.text_document.uri)
        if place is None:
            return JsonAnswers()
        vault = place.vault
        with vault.lock:
            found = document_links(vault.index, place.relative, place.note, vault.config)
            tooltips = bool(
                capability(
                    self.session.client_capabilities,
                    "text_document",
                    "document_link",
                    "tooltip_support",
                )
            )
            return JsonAnswers(self._document_link(place, link, tooltips) for link in found)

    def _document_link(self, place: Place, link: DocumentLink, tooltips: bool) -> Json:
        encoding = self.session.workspace.encoding
        if link.kind is LinkKind.URL:
            target = link.target
        elif link.target_span is None:  # the note itself: no need for its text
            target = self._uri(place.vault, link.target, place)
        else:
            uri, lines = self._file(place.vault, link.target, place)
            # VS Code opens `file:///x.md#L3,5` at line 3, column 5 (both 1-based).
            line, character = lines.position(link.target_span.start, encoding)
            target = f"{uri}#L{line + 1},{character + 1}"
        answer: Json = {
            "range": range_json(place.note.lines, link.span, encoding),
            "target": target,
        }
        if tooltips and link.tooltip:
            answer["tooltip"] = link.tooltip
        return answer

    def folding_ranges(self, params: types.FoldingRangeParams) -> list[types.FoldingRange]:
        place = self._place(params.text_document.uri)
        if place is None:
            return []
        vault = place.vault
        with vault.lock:
            found = folding_ranges(vault.index, place.relative, place.note, vault.config)
        lines = place.note.lines
        return [
            types.FoldingRange(
                start_line=lines.line_of(folding.span.start),
                end_line=lines.line_of(folding.span.end),
                kind=_FOLDING_KIND[folding.kind],
            )
            for folding in found
        ]

    def selection_ranges(self, params: types.SelectionRangeParams) -> list[types.SelectionRange]:
        place = self._place(params.text_document.uri)
        if place is None:
            return []
        offsets = [self._offset(place, position) for position in params.positions]
        vault = place.vault
        with vault.lock:
            found = selection_ranges(vault.index, place.relative, place.note, offsets, vault.config)
        result: list[types.SelectionRange] = []
        for selection in found:
            parent: types.SelectionRange | None = None
            for span in reversed(selection.spans):  # outermost first: each is the next's parent
                parent = types.SelectionRange(range=self._range(place, span), parent=parent)
            assert parent is not None  # `selection_ranges` gives at least one span per offset
            result.append(parent)
        return result

    # --- code lens --------------------------------------------------------------------------

    def code_lenses(self, params: types.CodeLensParams) -> list[types.CodeLens]:
        """`N backlinks` above the first line: links from other notes, when `code-lens` is on."""
        place = self._place(params.text_document.uri)
        if place is None or not place.vault.config.code_lens:
            return []
        vault = place.vault
        with vault.lock:
            found = links_to(vault.index, place.relative, place.note, place.relative)
        count = sum(1 for location in found if location.path != place.relative)
        title = f"{count} backlink{'s' if count != 1 else ''}"
        start = types.Position(line=0, character=0)
        # No command to run: clients show the lens as plain text (the references request lists
        # the links themselves).
        return [
            types.CodeLens(
                range=types.Range(start=start, end=start),
                command=types.Command(title=title, command=""),
            )
        ]

    def indexed(self, vault: Vault) -> None:
        """Indexing finished: build the name catalog off the loop, refresh backlink counts."""

        def prime() -> None:
            # Without the vault's lock (the catalog reads the index by copies made in one step
            # each): requests that need the lock do not wait for the build (0.6 s at 50,000
            # notes); a completion waits for it, as it would build the catalog itself.
            # With the collector paused, and what it built frozen after, like the index: built
            # after the index was frozen, the catalog's objects were scanned by each later full
            # collection, 0.12 s at 50,000 notes, in the middle of a keystroke.
            try:
                with paused_gc():
                    name_catalog(vault.index)
            except Exception:
                log.exception("building the name catalog of %s failed", vault.root)

        start_thread(f"notels-catalog-{vault.root.name}", prime)
        if vault.config.code_lens:
            self._refresh_code_lenses()

    def applied(self, effects: Effects) -> None:
        """Settings may have turned `code-lens` on or off, and links may have come or gone (a
        backlink count shown over another note): ask the client for lenses again."""
        workspace = self.session.workspace
        vaults = workspace.vaults
        seen = {root: vault.config.code_lens for root, vault in vaults.items()}
        if any(seen.values()):
            # The index's link targets, and the links of the notes being typed in (a second
            # link to the same note changes a count, not the targets).
            links = (
                tuple((root, vault.index.links_version) for root, vault in vaults.items()),
                tuple(
                    (uri, len(document.note.links))
                    for uri, document in workspace.documents.items()
                    if document.note is not None
                ),
            )
            if links != self._links and seen == self._code_lens:
                # Once typing pauses: a refresh has the client ask for every visible note's.
                self.session.debouncer.schedule(
                    _LENS_REFRESH_KEY, _LENS_REFRESH_DELAY_MS, self._refresh_code_lenses
                )
            self._links = links
        if seen == self._code_lens:
            return
        changed = any(self._code_lens.get(root, False) != on for root, on in seen.items())
        self._code_lens = seen
        if changed:
            self._refresh_code_lenses()

    def _refresh_code_lenses(self) -> None:
        capabilities = self.session.client_capabilities
        if capability(capabilities, "workspace", "code_lens", "refresh_support"):
            self.session.server.workspace_code_lens_refresh(None)

    # --- shared -----------------------------------------------------------------------------

    def _place(self, uri: str) -> Place | None:
        self.session.flush_documents()
        workspace = self.session.workspace
        document = workspace.documents.get(uri)
        if document is not None:
            vault, relative, note = document.vault, document.relative, document.note
            if vault is None or relative is None or note is None:
                return None
            if not workspace.in_step(uri):
                return None  # ignored by the vault's config, or a twin's other text
            return Place(vault, relative, note, uri)
        path = path_of_uri(uri)
        found = workspace.document_at(path) if path is not None else None
        if found is None:
            return None
        vault, relative = found
        with vault.lock:
            indexed = vault.index.notes.get(relative)
        return Place(vault, relative, indexed, uri) if indexed is not None else None

    def _offset(self, place: Place, position: types.Position) -> int:
        return to_offset(place.note.lines, position, self.session.workspace.encoding)

    def _convert(self, lines: LineIndex, span: Span) -> types.Range:
        return to_range(lines, span, self.session.workspace.encoding)

    def _range(self, place: Place, span: Span) -> types.Range:
        return self._convert(place.note.lines, span)

    def _uri(self, vault: Vault, relative: str, place: Place | None = None) -> str:
        """The URI of a note or attachment: the editor's when it is open."""
        if place is not None and place.vault is vault and place.relative == relative:
            return place.uri
        return vault.open_docs.get(relative) or note_uri(vault.root, relative)

    def _vault_with_id(self, vault_id: object) -> Vault | None:
        """The vault a resolve request's data names (Vault.id), if it is still open."""
        return next((v for v in self.session.workspace.vaults.values() if v.id == vault_id), None)

    def _file(
        self, vault: Vault, relative: str, place: Place | None = None
    ) -> tuple[str, LineIndex]:
        """(URI, lines) of a note or attachment: the editor's URI and text when it is open."""
        if place is not None and place.vault is vault and place.relative == relative:
            return place.uri, place.note.lines
        uri = vault.open_docs.get(relative)
        document = self.session.workspace.documents.get(uri) if uri else None
        if uri is not None and document is not None and document.note is not None:
            return uri, document.note.lines
        lines = vault.index.lines(relative) or LineIndex("")
        return uri or note_uri(vault.root, relative), lines

    def _location_json(self, place: Place, location: Location) -> Json:
        uri, lines = self._file(place.vault, location.path, place)
        return {
            "uri": uri,
            "range": range_json(lines, location.span, self.session.workspace.encoding),
        }
