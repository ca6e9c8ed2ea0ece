"""Plain answers of the editor features: offsets into note texts and vault-relative paths.

Nothing here knows LSP. A Span is a code-point range into the text of the note named by the
accompanying path (the document's own text for the document being edited); the LSP layer turns
it into a protocol range with that note's LineIndex.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from notels.syntax.spans import Span

# --- Completion -----------------------------------------------------------------------------


class CompletionKind(Enum):
    NOTE = "note"
    ALIAS = "alias"
    HEADING = "heading"
    BLOCK = "block"
    TAG = "tag"
    ATTACHMENT = "attachment"
    NOTE_TYPE = "note-type"
    FIELD = "field"
    DECK = "deck"
    SNIPPET = "snippet"


@dataclass(frozen=True, slots=True)
class TextEdit:
    span: Span
    new_text: str


@dataclass(frozen=True, slots=True)
class ResolveData:
    """What `resolve_completion` needs to build an item's documentation later, on demand."""

    path: str
    heading: str | None = None
    block: str | None = None

    def to_json(self) -> dict[str, str]:
        data = {"path": self.path}
        if self.heading is not None:
            data["heading"] = self.heading
        if self.block is not None:
            data["block"] = self.block
        return data

    @staticmethod
    def from_json(value: object) -> ResolveData | None:
        """What `to_json` gave, back from the client; None for anything else."""
        if not isinstance(value, Mapping):
            return None
        path = value.get("path")
        heading = value.get("heading")
        block = value.get("block")
        if not isinstance(path, str):
            return None
        return ResolveData(
            path,
            heading if isinstance(heading, str) else None,
            block if isinstance(block, str) else None,
        )


@dataclass(frozen=True, slots=True)
class CompletionCandidate:
    label: str
    kind: CompletionKind
    replace_span: Span  # exactly the typed part; may be empty (right after `[[`)
    insert_text: str  # replaces `replace_span`; an LSP snippet when `is_snippet`
    detail: str  # a note's path, a deck's card count, a snippet's note type
    sort_key: str  # clients sort by this; it encodes our ranking
    filter_text: str  # clients filter the typed part against this
    is_snippet: bool = False
    description: str = ""  # a short second line: the first line of a note's text
    data: ResolveData | None = None  # for `resolve_completion`
    additional_edits: tuple[TextEdit, ...] = ()  # e.g. an opening YAML quote before `[[`
    # `replace_span` plus the rest of the name after the cursor (`[[Emb‸eddings]]`), for clients
    # that let the user choose between inserting and replacing (LSP InsertReplaceEdit).
    overwrite_span: Span | None = None


@dataclass(frozen=True, slots=True)
class CompletionResult:
    items: tuple[CompletionCandidate, ...]
    # True when the list was cut to the best matches: the client must ask again as the user
    # types, since items that did not make the cut may match better then.
    is_incomplete: bool = False


# --- Navigation -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class Location:
    path: str  # vault-relative
    span: Span  # into that note's text; Span(0, 0) for a whole note or an attachment


class HighlightKind(Enum):
    TEXT = "text"  # a tag's use, a card's ID: no side declares the other
    READ = "read"  # a link
    WRITE = "write"  # what links name: a heading, a block id


@dataclass(frozen=True, slots=True)
class Highlight:
    span: Span
    kind: HighlightKind


@dataclass(frozen=True, slots=True)
class HoverResult:
    markdown: str
    span: Span  # what the hover is about, in the current note


# --- Symbols --------------------------------------------------------------------------------


class SymbolKind(Enum):
    NOTE = "note"
    HEADING = "heading"
    ALIAS = "alias"
    CARD = "card"


@dataclass(frozen=True, slots=True)
class DocumentSymbol:
    name: str
    kind: SymbolKind
    span: Span  # the whole item: a heading's section, a card's block
    selection_span: Span  # the part to highlight: the heading text, the START line
    detail: str = ""
    children: tuple[DocumentSymbol, ...] = ()


@dataclass(frozen=True, slots=True)
class WorkspaceSymbol:
    name: str
    kind: SymbolKind
    location: Location
    container: str  # the note's path, shown next to the name


# --- Structure ------------------------------------------------------------------------------


class LinkKind(Enum):
    URL = "url"
    NOTE = "note"
    ATTACHMENT = "attachment"


@dataclass(frozen=True, slots=True)
class DocumentLink:
    span: Span  # the clickable text in the current note
    kind: LinkKind
    target: str  # the URL, or the vault-relative path of the note or attachment
    target_span: Span | None = None  # a heading or block in the target note
    tooltip: str = ""


class FoldingKind(Enum):
    FRONTMATTER = "frontmatter"
    SECTION = "section"
    CARD = "card"


@dataclass(frozen=True, slots=True)
class FoldingRange:
    span: Span  # from the start of the first line to the end of the last line's content
    kind: FoldingKind


@dataclass(frozen=True, slots=True)
class SelectionRange:
    """Nested spans around an offset, innermost first; each contains the one before it."""

    spans: tuple[Span, ...]
