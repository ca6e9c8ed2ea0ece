"""Document links, folding ranges and selection ranges of one note."""

from __future__ import annotations

import re
from collections.abc import Iterable

from notels.config import Config
from notels.features.model import (
    DocumentLink,
    FoldingKind,
    FoldingRange,
    LinkKind,
    SelectionRange,
)
from notels.features.navigation import link_locations
from notels.features.outline import section_spans
from notels.syntax.note import Note
from notels.syntax.spans import Span, inside_any
from notels.vault.index import VaultIndex
from notels.vault.resolve import ResolutionKind

# Stops at whitespace, quotes and brackets that end a URL in Markdown; parentheses are allowed
# (Wikipedia URLs hold them) and an unbalanced closing one is trimmed below.
_URL = re.compile(r"https?://[^\s<>\"'`\[\]{}|\\^]+")
_URL_TRAILING = ".,;:!?*_~"


# --- document links ---------------------------------------------------------------------------


def _trim_url(url: str) -> str:
    while url:
        last = url[-1]
        if last in _URL_TRAILING:
            url = url[:-1]
        elif last == ")" and url.count(")") > url.count("("):
            url = url[:-1]  # `[text](https://x.org/a)`: the parenthesis closes the Markdown link
        else:
            break
    return url


def document_links(
    index: VaultIndex, path: str, note: Note, config: Config
) -> tuple[DocumentLink, ...]:
    """URLs (outside code) and every wikilink that resolves, with its target path."""
    found: list[DocumentLink] = []
    text = note.text
    hidden = note.hidden
    link_spans = [link.span for link in note.links]
    for match in _URL.finditer(text):
        if inside_any(hidden, match.start()):
            continue
        url = _trim_url(match.group())
        if len(url) <= len("https://"):
            continue
        span = Span(match.start(), match.start() + len(url))
        if any(s.start <= span.start < s.end for s in link_spans):
            continue  # `[[https://...]]` is a (broken) wikilink, not a URL
        found.append(DocumentLink(span, LinkKind.URL, url, tooltip=url))
    for link in note.links:
        resolution = index.resolve(link, path)
        if resolution.kind is ResolutionKind.UNRESOLVED:
            continue
        locations = link_locations(index, path, note, link)
        if not locations:
            continue
        target = locations[0]
        kind = (
            LinkKind.ATTACHMENT if resolution.kind is ResolutionKind.ATTACHMENT else LinkKind.NOTE
        )
        clickable = link.target_span if link.target else (link.heading_span or link.block_span)
        span = clickable if clickable is not None and clickable.end > clickable.start else link.span
        target_span = target.span if target.span != Span(0, 0) else None
        found.append(DocumentLink(span, kind, target.path, target_span, tooltip=target.path))
    found.sort(key=lambda link: link.span.start)
    return tuple(found)


# --- folding ----------------------------------------------------------------------------------


def folding_ranges(
    index: VaultIndex, path: str, note: Note, config: Config
) -> tuple[FoldingRange, ...]:
    """The frontmatter, each heading's section and each card block, when longer than a line."""
    lines = note.lines
    ranges: list[FoldingRange] = []

    def add(span: Span, kind: FoldingKind) -> None:
        first = lines.line_of(span.start)
        end = max(span.start, span.end - 1) if span.end > span.start else span.start
        last = lines.line_of(end)
        if last > first:
            ranges.append(FoldingRange(Span(span.start, lines.line_end(last)), kind))

    frontmatter = note.frontmatter
    if frontmatter is not None:
        add(frontmatter.span, FoldingKind.FRONTMATTER)
    for section in section_spans(note):
        add(section, FoldingKind.SECTION)
    for card in (*note.anki.cards, *note.anki.unclosed):
        add(card.span, FoldingKind.CARD)
    ranges.sort(key=lambda r: (r.span.start, -r.span.end))
    return tuple(ranges)


# --- selection ranges -------------------------------------------------------------------------


def _word(text: str, offset: int, line: Span) -> Span:
    start = offset
    while start > line.start and (text[start - 1].isalnum() or text[start - 1] in "_-"):
        start -= 1
    end = offset
    while end < line.end and (text[end].isalnum() or text[end] in "_-"):
        end += 1
    return Span(start, end)


def _nested(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Innermost first, each strictly containing the one before; others dropped."""
    chain: list[Span] = []
    for span in sorted(set(spans), key=lambda s: (s.end - s.start, -s.start)):
        # `set` already dropped duplicates, so containment here is strict.
        if not chain or (span.start <= chain[-1].start and chain[-1].end <= span.end):
            chain.append(span)
    return tuple(chain)


def selection_ranges(
    index: VaultIndex, path: str, note: Note, offsets: Iterable[int], config: Config
) -> tuple[SelectionRange, ...]:
    """For each offset: word, link part, link, line, card, sections, document."""
    text = note.text
    sections = section_spans(note)
    cards = [card.span for card in (*note.anki.cards, *note.anki.unclosed)]
    result: list[SelectionRange] = []
    for raw in offsets:
        offset = min(max(raw, 0), len(text))
        line = note.lines.line_span(offset)
        spans = [_word(text, offset, line), line, Span(0, len(text))]
        for link in note.links:
            if link.span.contains(offset):
                spans.append(link.span)
                for part in (link.target_span, link.heading_span, link.block_span, link.alias_span):
                    if part is not None and part.end > part.start and part.contains(offset):
                        spans.append(part)
        spans.extend(span for span in (*cards, *sections) if span.contains(offset))
        frontmatter = note.frontmatter
        if frontmatter is not None and frontmatter.span.contains(offset):
            spans.append(frontmatter.span)
        chain = [span for span in _nested(spans) if span.contains(offset)]
        result.append(SelectionRange(tuple(chain) or (Span(offset, offset),)))
    return tuple(result)
