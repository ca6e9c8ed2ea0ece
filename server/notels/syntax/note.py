"""The Note: everything the parser knows about one text, computed once."""

from __future__ import annotations

from dataclasses import dataclass, field

from notels.syntax.anki import KeywordLines, scan_anki_keeping
from notels.syntax.frontmatter import (
    ALIASES_KEY,
    frontmatter_links,
    frontmatter_tags,
    parse_frontmatter,
)
from notels.syntax.lines import LineIndex
from notels.syntax.markdown import MarkdownItems, Same, hidden_spans, rescan_markdown, scan_markdown
from notels.syntax.model import AnkiItems, BlockId, Frontmatter, Heading, Link, Tag, YamlScalar
from notels.syntax.spans import Span


@dataclass(frozen=True, slots=True, eq=False)
class Note:
    text: str
    lines: LineIndex
    frontmatter: Frontmatter | None
    body_start: int  # offset where the body starts (after the frontmatter, if any)
    headings: tuple[Heading, ...]
    links: tuple[Link, ...]  # frontmatter links first, then body links, each in order
    tags: tuple[Tag, ...]  # frontmatter tags first, then body tags
    block_ids: tuple[BlockId, ...]
    anki: AnkiItems
    _hidden: tuple[Span, ...] | None = field(default=None, repr=False)

    @property
    def hidden(self) -> tuple[Span, ...]:
        """Code spans, fenced code and math: no links or tags inside.

        Found again on first use rather than kept from the parse: only a few editor features
        ask, and a vault's math alone makes hundreds of thousands of spans (10,000 notes: 450,000
        spans, 50 MB).
        """
        hidden = self._hidden
        if hidden is None:
            hidden = hidden_spans(self.text, self.body_start)
            # The one write to a Note: a cache of what its text determines, so it stays pure.
            object.__setattr__(self, "_hidden", hidden)
        return hidden

    @property
    def aliases(self) -> tuple[str, ...]:
        return tuple(scalar.value.strip() for scalar in self.alias_scalars)

    @property
    def alias_scalars(self) -> tuple[YamlScalar, ...]:
        """The scalars of `aliases` that name something."""
        entry = self.frontmatter.entry(ALIASES_KEY) if self.frontmatter is not None else None
        return tuple(s for s in entry.scalars if s.value.strip()) if entry is not None else ()


def parse_note(text: str, lines: LineIndex | None = None) -> Note:
    """Parse any string; never raises. A leading BOM is kept in the text and skipped by rules.

    `lines`, an index of this same text (an editor's), is shared rather than built again.
    """
    return parse_keeping(text, lines).note


@dataclass(frozen=True, slots=True)
class ParsedNote:
    """A Note and its Markdown scan, kept by an editor's document to parse its next version."""

    note: Note
    markdown: MarkdownItems
    anki_lines: KeywordLines


def parse_keeping(
    text: str,
    lines: LineIndex | None = None,
    previous: ParsedNote | None = None,
    same: Same | None = None,
) -> ParsedNote:
    """`parse_note`, keeping the scans; with `previous` (the parse of an earlier version of the
    same document), what they found is reused where the edit cannot have changed it. The
    result is the same either way (tests/syntax/test_reparse.py). `same`, what the two texts
    share at their ends when the caller knows it from the edits, spares comparing them."""
    if lines is None or lines.text is not text:
        lines = LineIndex(text)
    if previous is not None and same is None:
        same = Same.between(previous.note.text, text)
    frontmatter = _frontmatter_kept(previous, same)
    if frontmatter is None:
        frontmatter = parse_frontmatter(text)
    body_start = frontmatter.span.end if frontmatter is not None else 0
    if previous is None or same is None:
        anki, anki_lines = scan_anki_keeping(text)
        markdown = scan_markdown(text, body_start)
    else:
        old_text = previous.note.text
        shared = (same.prefix, same.suffix)
        anki, anki_lines = scan_anki_keeping(text, old_text, previous.anki_lines, shared)
        if previous.note.body_start == body_start:
            markdown = rescan_markdown(text, body_start, previous.markdown, old_text, same)
        else:
            markdown = scan_markdown(text, body_start)
    fm_links: tuple[Link, ...] = ()
    fm_tags: tuple[Tag, ...] = ()
    if frontmatter is not None:
        fm_links = frontmatter_links(text, frontmatter)
        fm_tags = frontmatter_tags(text, frontmatter)
    note = Note(
        text=text,
        lines=lines,
        frontmatter=frontmatter,
        body_start=body_start,
        headings=markdown.headings,
        links=fm_links + markdown.links,
        tags=fm_tags + markdown.tags,
        block_ids=markdown.block_ids,
        anki=anki,
    )
    return ParsedNote(note, markdown, anki_lines)


def _frontmatter_kept(previous: ParsedNote | None, same: Same | None) -> Frontmatter | None:
    """The previous version's frontmatter when the edit lies past it: typing in the body must
    not parse the YAML again. Past its end and one character more, as what follows a closing
    line's `\r` (a `\n` or not) decides where the line ends."""
    if previous is None or same is None:
        return None
    frontmatter = previous.note.frontmatter
    if frontmatter is None or not frontmatter.closed or same.prefix <= frontmatter.span.end:
        return None
    return frontmatter
