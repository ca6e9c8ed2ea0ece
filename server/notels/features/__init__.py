"""Editor features as pure queries: (index, path, note, offset, config) -> plain data.

Completion, definition, references, document highlights, hover, symbols, document links,
folding and selection ranges. Nothing here knows LSP: answers carry code-point Spans into note
texts and vault-relative paths; `notels.lsp` converts them to protocol types.
"""

from notels.features.completion import complete, fields_of, new_card_id, resolve_completion
from notels.features.context import CompletionContext, ContextKind, completion_context
from notels.features.model import (
    CompletionCandidate,
    CompletionKind,
    CompletionResult,
    DocumentLink,
    DocumentSymbol,
    FoldingKind,
    FoldingRange,
    Highlight,
    HighlightKind,
    HoverResult,
    LinkKind,
    Location,
    ResolveData,
    SelectionRange,
    SymbolKind,
    TextEdit,
    WorkspaceSymbol,
)
from notels.features.navigation import (
    definition,
    document_highlights,
    hover,
    id_time,
    item_at,
    references,
)
from notels.features.outline import note_preview
from notels.features.structure import document_links, folding_ranges, selection_ranges
from notels.features.symbols import (
    document_symbols,
    symbol_span,
    symbols_current,
    workspace_symbols,
)

__all__ = [
    "CompletionCandidate",
    "CompletionContext",
    "CompletionKind",
    "CompletionResult",
    "ContextKind",
    "DocumentLink",
    "DocumentSymbol",
    "FoldingKind",
    "FoldingRange",
    "Highlight",
    "HighlightKind",
    "HoverResult",
    "LinkKind",
    "Location",
    "ResolveData",
    "SelectionRange",
    "SymbolKind",
    "TextEdit",
    "WorkspaceSymbol",
    "complete",
    "completion_context",
    "definition",
    "document_highlights",
    "document_links",
    "document_symbols",
    "fields_of",
    "folding_ranges",
    "hover",
    "id_time",
    "item_at",
    "new_card_id",
    "note_preview",
    "references",
    "resolve_completion",
    "selection_ranges",
    "symbol_span",
    "symbols_current",
    "workspace_symbols",
]
