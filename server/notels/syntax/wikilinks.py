"""`[[target#heading|alias]]` and `![[embed]]`: shared by the body and frontmatter scanners."""

from __future__ import annotations

import re
from collections.abc import Iterator

from notels.syntax.model import Link
from notels.syntax.spans import Span

# Obsidian links stay on one line and hold no brackets.
WIKILINK = re.compile(r"(!?)\[\[([^\[\]\r\n]+?)\]\]")


def _trimmed(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def parse_wikilink(
    text: str, match: re.Match[str], frontmatter_key: str | None = None
) -> Link | None:
    """The Link for one WIKILINK match; None when it names nothing (`[[ ]]`, `[[|x]]`)."""
    inner_start, inner_end = match.span(2)
    pipe = text.find("|", inner_start, inner_end)
    alias_span: Span | None = None
    ref_end = inner_end
    if pipe != -1:
        alias_span = _trimmed(text, pipe + 1, inner_end)
        ref_end = pipe
        # In Markdown tables the pipe is escaped as `\|`: the backslash is not in the target.
        if ref_end > inner_start and text[ref_end - 1] == "\\":
            ref_end -= 1
    hash_at = text.find("#", inner_start, ref_end)
    target_end = ref_end if hash_at == -1 else hash_at
    target_span = _trimmed(text, inner_start, target_end)
    if target_span.start == target_span.end:
        target_span = Span(inner_start, inner_start)
    heading: str | None = None
    heading_span: Span | None = None
    block_ref: str | None = None
    block_span: Span | None = None
    if hash_at != -1:
        if hash_at + 1 < ref_end and text[hash_at + 1] == "^":
            block_span = _trimmed(text, hash_at + 2, ref_end)
            block_ref = block_span.slice(text)
        else:
            heading_span = _trimmed(text, hash_at + 1, ref_end)
            heading = heading_span.slice(text)
    target = target_span.slice(text)
    if not target and heading is None and block_ref is None:
        return None
    return Link(
        span=Span(match.start(), match.end()),
        embed=match.group(1) == "!",
        target=target,
        target_span=target_span,
        heading=heading,
        heading_span=heading_span,
        block_ref=block_ref,
        block_span=block_span,
        alias=alias_span.slice(text) if alias_span is not None else None,
        alias_span=alias_span,
        frontmatter_key=frontmatter_key,
    )


def scan_wikilinks(
    text: str, start: int = 0, end: int | None = None, frontmatter_key: str | None = None
) -> Iterator[Link]:
    """Every wikilink and embed within text[start:end], in order."""
    for match in WIKILINK.finditer(text, start, len(text) if end is None else end):
        link = parse_wikilink(text, match, frontmatter_key)
        if link is not None:
            yield link
