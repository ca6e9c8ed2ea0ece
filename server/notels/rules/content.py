"""Fix tags and the note's own content: what the owner marked as unfinished."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence

from notels.config import Config
from notels.findings import Severity
from notels.rules.base import Draft, RuleContext, rule
from notels.syntax.model import Tag
from notels.syntax.note import Note
from notels.syntax.spans import Span

_WORD = re.compile(r"\w+")
# Text the note's reader does not see as its own: Obsidian's `%%` comments (hidden in reading
# view; an unclosed one runs to the end) and HTML comments, and the query blocks of
# Dataview-like plugins, which show other notes' text. A template leaves such prompts in a note
# not written yet.
_COMMENTS = (("%%", "%%"), ("<!--", "-->"))
_QUERY_INFO = re.compile(r"(?:`+|~+)[ \t]*(?:dataview|query|tasks)")
_QUERY_BLOCK = re.compile(
    r"^(`{3,}|~{3,})[ \t]*(?:dataview|dataviewjs|query|tasks)\b.*?(?:^\1[ \t]*$|\Z)",
    re.DOTALL | re.MULTILINE,
)


def _unseen(text: str, start: int, code: Sequence[Span]) -> list[Span]:
    """Comments and query blocks from `start` on (found by `str.find` first: a regex trying
    each alternative at every character cost 15 ms per megabyte of notes). A `%%` or `<!--`
    in `code` (code and math: a `%%timeit` cell magic) opens nothing."""
    spans: list[Span] = []
    code_starts = [span.start for span in code]
    for opener, closer in _COMMENTS:
        if opener[0] not in text:  # one character is a memchr; `%%` in Cyrillic text is not
            continue
        at = text.find(opener, start)
        while at != -1:
            inside = bisect_right(code_starts, at) - 1
            if inside >= 0 and at < code[inside].end:
                at = text.find(opener, at + len(opener))
                continue
            close = text.find(closer, at + len(opener))
            stop = len(text) if close == -1 else close + len(closer)
            spans.append(Span(at, stop))
            at = text.find(opener, stop)
    if _has_query_block(text):
        spans += [Span(*block.span()) for block in _QUERY_BLOCK.finditer(text, start)]
    return spans


def _has_query_block(text: str) -> bool:
    if not ("dataview" in text or "query" in text or "tasks" in text):
        return False
    for fence in ("```", "~~~"):
        at = text.find(fence)
        while at != -1:
            if _QUERY_INFO.match(text, at):
                return True
            at = text.find(fence, at + len(fence))
    return False


def is_fix_tag(tag: str, config: Config) -> bool:
    lowered = tag.lower()
    return any(
        lowered == p.lower() or lowered.startswith(p.lower() + "/") for p in config.fix_tag_prefixes
    )


def fix_empty_tags(note: Note, config: Config) -> list[Tag]:
    wanted = {f"{prefix.lower()}/empty" for prefix in config.fix_tag_prefixes}
    return [tag for tag in note.tags if tag.name.lower() in wanted]


def content_words(note: Note, limit: int) -> int:
    """Words in the body outside headings, Anki blocks, deck lines, comments and queries; stops
    counting at `limit`."""
    excluded: list[Span] = [h.span for h in note.headings]
    excluded += _unseen(note.text, note.body_start, note.hidden)
    anki = note.anki
    excluded += [card.span for card in anki.cards]
    excluded += [card.span for card in anki.unclosed]
    excluded += [deck.span for deck in anki.decks]
    excluded += [tags.span for tags in anki.file_tags]
    excluded.sort()
    count = 0
    position = note.body_start
    for span in [*excluded, Span(len(note.text), len(note.text))]:
        if span.end <= position:
            continue
        for _ in _WORD.finditer(note.text, position, max(position, span.start)):
            count += 1
            if count >= limit:
                return count
        position = max(position, span.end)
    return count


@rule(
    "fix-tag",
    Severity.INFO,
    "A fix/... tag: the owner marked the note as needing work.",
    """
Tags under the configured fix prefixes (`fix/`, `фикс/` by default; `fix-tag-prefixes` in
`.notels.toml`) are the owner's to-do markers. This rule lists them so they show up in the
editor's problem list.
""",
)
def fix_tag(ctx: RuleContext) -> Iterator[Draft]:
    for tag in ctx.note.tags:
        if is_fix_tag(tag.name, ctx.config):
            yield Draft(tag.span, f"Marked for work: #{tag.name}")


@rule(
    "stale-fix-empty",
    Severity.WARNING,
    "Tagged fix/empty although the body has real content.",
    """
`fix/empty` says the note still lacks its content. Once the body has more words than
`stale-fix-min-words` (outside frontmatter, headings, Anki blocks, `%%` and HTML comments, and
Dataview-like query blocks), the tag hides a finished note from the owner's review queries.
Remove the tag.
""",
    fixable=True,
)
def stale_fix_empty(ctx: RuleContext) -> Iterator[Draft]:
    tags = fix_empty_tags(ctx.note, ctx.config)
    if not tags:
        return
    threshold = ctx.config.stale_fix_min_words
    words = content_words(ctx.note, threshold + 1)
    if words <= threshold:
        return
    for tag in tags:
        yield Draft(
            tag.span,
            f"Tagged #{tag.name} but the note has content (over {threshold} words). "
            "Remove the tag.",
            unnecessary=True,
        )


@rule(
    "empty-note",
    Severity.HINT,
    "The body has no content and no fix/empty tag.",
    """
A note with no words outside its frontmatter, headings, Anki blocks, comments and query blocks,
and no `fix/empty` tag, is easy to forget. Write it, or tag it `fix/empty` so your review
queries find it.
""",
)
def empty_note(ctx: RuleContext) -> Iterator[Draft]:
    note = ctx.note
    if note.frontmatter is not None and not note.frontmatter.closed:
        return  # unclosed-frontmatter says it: the whole text was read as YAML
    if fix_empty_tags(note, ctx.config) or content_words(note, 1) > 0:
        return
    first_line = Span(0, note.lines.line_end(0))
    yield Draft(first_line, "Note has no content yet: write it or tag it fix/empty.")
