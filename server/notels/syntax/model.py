"""Plain immutable items the parser finds in a note. Every Span is an offset range into the text.

Items a vault holds by the ten thousand or more (links, headings, tags, YAML scalars, cards,
their fields and IDs) are NamedTuples: the parser builds them with `tuple.__new__`, several
times faster than a frozen dataclass, which sets each field through `object.__setattr__`
(measured: a Link in 0.1 µs instead of 1 µs). The rest stay frozen dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from notels.syntax.spans import Span

# --- Markdown -------------------------------------------------------------------------------


class Heading(NamedTuple):
    level: int  # 1..6
    text: str  # heading text, trimmed, closing #'s removed
    span: Span  # the whole line, terminator excluded
    text_span: Span


class Link(NamedTuple):
    """`[[target#heading|alias]]`, `[[target#^block]]`, `[[#heading]]`, or an embed `![[...]]`."""

    span: Span  # from `[[` (or `![[`) to `]]` inclusive
    embed: bool
    target: str  # trimmed; "" for a same-note link `[[#Heading]]`
    target_span: Span  # may be empty (at the position right after `[[`)
    heading: str | None = None  # after `#`, when not a block ref
    heading_span: Span | None = None
    block_ref: str | None = None  # after `#^`, without the caret
    block_span: Span | None = None
    alias: str | None = None  # after `|` (display text, or an image size like `700`)
    alias_span: Span | None = None
    frontmatter_key: str | None = None  # set when the link sits in a frontmatter value


class Tag(NamedTuple):
    name: str  # without `#`, as written (case kept)
    span: Span  # `#tag` in the body; the tag text itself in frontmatter
    in_frontmatter: bool = False


class BlockId(NamedTuple):
    name: str  # without the caret
    span: Span  # `^name` at the end of a line


# --- Frontmatter ----------------------------------------------------------------------------


class YamlScalar(NamedTuple):
    """One scalar value in frontmatter (a plain value or a list item)."""

    value: str  # the scalar's value after YAML unquoting
    span: Span  # the scalar's source, quotes included
    value_span: Span  # the source of the value, quotes excluded (may hold escapes when quoted)


class YamlEntry(NamedTuple):
    """A top-level `key: value` of the frontmatter mapping."""

    key: str
    key_span: Span
    span: Span  # from the key to the end of its value
    scalars: tuple[YamlScalar, ...]  # the value's scalars: one for a plain value, each list item


@dataclass(frozen=True, slots=True)
class YamlError:
    message: str
    offset: int  # where the YAML parser stopped, an offset into the note


@dataclass(frozen=True, slots=True)
class Frontmatter:
    span: Span  # from the opening `---` to the end of the closing `---` line (or of the text)
    content_span: Span  # the YAML text between the delimiters
    closed: bool  # False: no closing `---` line; the whole note is taken as frontmatter text
    data: dict[str, object] | None  # the parsed mapping; None on a YAML error or a non-mapping
    entries: tuple[YamlEntry, ...]
    error: YamlError | None = None

    def entry(self, key: str) -> YamlEntry | None:
        for entry in self.entries:
            if entry.key == key:
                return entry
        return None


# --- Anki -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TargetDeck:
    deck: str
    span: Span  # the `TARGET DECK` line (and the next line when the deck stands there)
    deck_span: Span


@dataclass(frozen=True, slots=True)
class FileTags:
    tags: tuple[str, ...]
    span: Span


class CardId(NamedTuple):
    value: str  # the digits as written
    span: Span  # the whole `ID: n` / `<!--ID: n-->` line content
    value_span: Span
    comment: bool  # written as `<!--ID: n-->`


class Field(NamedTuple):
    name: str  # the prefix before `:`, e.g. `FRONT`; "" for text before any field prefix
    name_span: Span  # empty at the line start when name is ""
    value: str  # the field text, continuation lines included, trimmed
    value_span: Span  # from after `NAME:` to the end of the field's last line
    span: Span  # the field's first line start to its last line end


class Card(NamedTuple):
    span: Span  # start of the START line to end of the END line (or of the last block line)
    start_span: Span  # the START line
    end_span: Span | None  # the line that closed the block (None when the block is unclosed)
    note_type: str | None  # first non-blank line of the block, when it is not a field line
    note_type_span: Span | None
    fields: tuple[Field, ...]
    tags: tuple[str, ...]
    tags_span: Span | None
    id: CardId | None  # set only when the ID line is the block's last line
    misplaced_ids: tuple[CardId, ...] = ()  # `ID:` lines that are not the last line
    swallowed_starts: tuple[Span, ...] = ()  # START lines inside this block (merged cards)
    closed: bool = True

    @property
    def end_is_exact(self) -> bool:
        """False when the block was closed by a line that only starts with END (`ENDPOINT: x`)."""
        return self.end_span is None or self.end_span.end - self.end_span.start == 3


@dataclass(frozen=True, slots=True)
class StartWithTrailingText:
    line_span: Span  # the whole `START ...` line
    trailing_span: Span  # what follows `START`


@dataclass(frozen=True, slots=True)
class DeleteMarker:
    span: Span  # the `DELETE` line
    id: CardId | None


@dataclass(frozen=True, slots=True)
class InlineCard:
    span: Span  # `STARTI ... ENDI`
    note_type: str | None
    id: CardId | None


@dataclass(frozen=True, slots=True)
class AnkiItems:
    decks: tuple[TargetDeck, ...] = ()  # every TARGET DECK in order; the plugin uses the first
    file_tags: tuple[FileTags, ...] = ()
    cards: tuple[Card, ...] = ()  # closed blocks, as the plugin sees them
    unclosed: tuple[
        Card, ...
    ] = ()  # START lines the plugin ignores: no END before the next START / EOF
    stray_ends: tuple[Span, ...] = ()  # END lines with no open START
    trailing_starts: tuple[StartWithTrailingText, ...] = ()
    deletes: tuple[DeleteMarker, ...] = ()
    inline_cards: tuple[InlineCard, ...] = ()
