"""A note's sections, headings and blocks as spans, and short Markdown previews of them."""

from __future__ import annotations

import posixpath
import re

from notels.syntax.lines import end_of_line, start_of_line
from notels.syntax.model import BlockId, Heading
from notels.syntax.note import Note
from notels.syntax.spans import Span
from notels.vault.index import VaultIndex, find_block, find_heading

PREVIEW_LINES = 20
_WHITESPACE = " \t\r\n"
_NON_BLANK = re.compile(r"\S")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d+[.)])[ \t]")
_HEADING_OR_ITEM = re.compile(r"[ \t]*(?:#|(?:[-*+]|\d+[.)])[ \t])")


def section_spans(note: Note) -> list[Span]:
    """For each heading, in order: from its line to the last non-blank text before the next
    heading of the same or a higher level (or the end of the note).

    A heading inside a card's text (`# Step one` in a field) is the card's: its section ends
    with the card, and it closes no section around the card, which would then end inside it."""
    text = note.text
    headings = note.headings
    # Each heading's section ends where the first later heading of its level or higher starts:
    # the headings still open form a stack of rising levels, and a heading closes those of its
    # level and deeper. (Slicing off the later headings for each one was quadratic.)
    ends = [len(text)] * len(headings)
    open_headings: list[int] = []
    for i, (heading, card) in enumerate(zip(headings, cards_holding(note), strict=True)):
        if card is not None:
            ends[i] = card.end
            continue
        while open_headings and headings[open_headings[-1]].level >= heading.level:
            ends[open_headings.pop()] = heading.span.start
        open_headings.append(i)
    spans: list[Span] = []
    for heading, end in zip(headings, ends, strict=True):
        while end > heading.span.end and text[end - 1] in _WHITESPACE:
            end -= 1
        spans.append(Span(heading.span.start, end))
    return spans


def cards_holding(note: Note) -> list[Span | None]:
    """For each heading of the note, in order, the span of the closed card whose text holds it,
    if one does (a `# heading` line inside a card's field)."""
    cards = note.anki.cards
    found: list[Span | None] = []
    at = 0  # headings and cards both come in text order: one walk over each
    for heading in note.headings:
        start = heading.span.start
        while at < len(cards) and cards[at].span.end <= start:
            at += 1
        inside = at < len(cards) and cards[at].span.start <= start
        found.append(cards[at].span if inside else None)
    return found


def block_paragraph(note: Note, block: BlockId) -> Span:
    """The paragraph (or list item) a block id names: its line and the non-blank lines above,
    up to a blank line or a heading. A `^id` alone on its line names what stands above it."""
    lines = note.lines
    text = note.text
    last = lines.line_of(block.span.start)
    first = last
    if not text[lines.line_start(last) : block.span.start].strip() and last > 0:
        first = last = last - 1  # `^id` on its own line
    floor = lines.line_of(note.body_start)
    while first > floor and not _LIST_ITEM.match(lines.line_text(first)):
        above = lines.line_text(first - 1)
        if not above.strip() or _HEADING_OR_ITEM.match(above):
            break
        first -= 1
    return Span(lines.line_start(first), lines.line_end(last))


_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def _excerpt(text: str, span: Span, max_lines: int) -> str:
    """The first `max_lines` lines of `text[span]` after its blank lines, `…` when cut.

    Only the lines shown are split off: a preview of a 4,000-line note costs what a short
    note's does.
    """
    start = span.start
    while start < span.end and text[start] in _WHITESPACE:
        start += 1
    start = start_of_line(text, start, span.start)  # keep the first indent
    end = start
    for _ in range(max_lines):
        content_end, following = end_of_line(text, end)
        if following == -1 or content_end >= span.end:
            end = span.end
            break
        end = min(following, span.end)
    cut = _NON_BLANK.search(text, end, span.end) is not None
    lines = [line.rstrip() for line in text[start:end].splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    if cut:
        fence = _open_fence(lines)
        if fence is not None:
            lines.append(fence)  # or the `…` and all after it would show as code
        lines.append("…")
    return "\n".join(lines)


def _open_fence(lines: list[str]) -> str | None:
    """The fence of a code block the lines open and do not close, if any."""
    fence: str | None = None
    for line in lines:
        found = _FENCE.match(line)
        if found is None:
            continue
        marker, rest = found.group(1), line[found.end() :]
        if fence is None:
            fence = marker
        elif marker[0] == fence[0] and len(marker) >= len(fence) and not rest.strip():
            fence = None
    return fence


def note_preview(
    index: VaultIndex,
    path: str,
    heading: str | None = None,
    block: str | None = None,
    note: Note | None = None,
    max_lines: int = PREVIEW_LINES,
) -> str | None:
    """Markdown showing the start of a note (frontmatter left out), or the section of a heading,
    or the paragraph of a block id; `note` overrides the indexed text (an unsaved document).

    None when the path is neither a note nor an attachment of the index.
    """
    if note is None:
        note = index.notes.get(path)
    if note is None:
        return attachment_label(path) if index.has_attachment(path) else None
    text = note.text
    span = Span(note.body_start, len(text))
    where = f"`{path}`"
    # A link to a heading or block the note lacks opens the note at its start, in Obsidian too.
    missing = ""
    if heading is not None:
        found = find_heading(note, heading)
        if found is not None:
            span = section_spans(note)[found]
            where = f"`{path}` › {_heading_label(note.headings[found])}"
        elif heading.strip():
            missing = f"*No heading `{heading.strip()}` in this note: the link opens its start.*"
    elif block is not None:
        found_block = find_block(note, block)
        if found_block is not None:
            span = block_paragraph(note, found_block)
            where = f"`{path}` › ^{found_block.name}"
        elif block.strip():
            missing = f"*No block `^{block.strip()}` in this note: the link opens its start.*"
    excerpt = _excerpt(text, span, max_lines)
    title = posixpath.basename(path)
    title = title[:-3] if title.lower().endswith(".md") else title
    body = excerpt if excerpt else "*(empty note)*"
    header = f"**{title}** · {where}\n\n{missing}\n\n" if missing else f"**{title}** · {where}\n\n"
    return f"{header}---\n\n{body}"


def attachment_label(path: str) -> str:
    """What a hover says of a file the index holds as an attachment: an image, or a note it
    does not read (ignored, too large)."""
    unread = path.lower().endswith(".md")
    return f"`{path}` ({'a note notels does not read' if unread else 'attachment'})"


def _heading_label(heading: Heading) -> str:
    return heading.text or "#" * heading.level
