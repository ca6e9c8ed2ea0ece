"""Fix tags and the note's own content: what the owner marked as unfinished."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence

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
# Lines end in `\n`, `\r\n` or `\r` (re's `^` and `$` know only `\n`).
_QUERY_BLOCK = re.compile(
    r"(`{3,}|~{3,})[ \t]*(?:dataview|dataviewjs|query|tasks)\b.*?"
    r"(?:(?<=[\r\n])\1[ \t]*(?=[\r\n]|\Z)|\Z)",
    re.DOTALL,
)


def _unseen(text: str, start: int, end: int, hidden: Callable[[], Sequence[Span]]) -> list[Span]:
    """Comments and query blocks that start in [start, end), found by `str.find` (a regex
    trying each alternative at every character cost 15 ms per megabyte of notes). A `%%` or
    `<!--` in the `hidden` spans (code and math: a `%%timeit` cell magic) opens nothing; they
    are asked for only when there is one (3 ms for a 2,000-line note, on every keystroke)."""
    spans: list[Span] = []
    code: Sequence[Span] | None = None
    code_starts: list[int] = []
    for opener, closer in _COMMENTS:
        if opener[0] not in text:  # one character is a memchr; `%%` in Cyrillic text is not
            continue
        at = text.find(opener, start, end)
        while at != -1:
            if code is None:
                code = hidden()
                code_starts = [span.start for span in code]
            inside = bisect_right(code_starts, at) - 1
            if inside >= 0 and at < code[inside].end:
                at = text.find(opener, at + len(opener), end)
                continue
            close = text.find(closer, at + len(opener))
            stop = len(text) if close == -1 else close + len(closer)
            spans.append(Span(at, stop))
            at = text.find(opener, stop, end)
    for fence in ("```", "~~~"):
        at = text.find(fence, start, end)
        while at != -1:
            line_start = at == 0 or text[at - 1] in "\r\n"
            block = _QUERY_BLOCK.match(text, at) if line_start else None
            if block is not None:
                spans.append(Span(*block.span()))
                at = text.find(fence, block.end(), end)
            else:
                at = text.find(fence, at + len(fence), end)
    return spans


def is_fix_tag(tag: str, config: Config) -> bool:
    lowered = tag.lower()
    return any(
        lowered == p.lower() or lowered.startswith(p.lower() + "/") for p in config.fix_tag_prefixes
    )


def fix_empty_tags(note: Note, config: Config) -> list[Tag]:
    wanted = {f"{prefix.lower()}/empty" for prefix in config.fix_tag_prefixes}
    return [tag for tag in note.tags if tag.name.lower() in wanted]


def content_words(note: Note, limit: int) -> int:
    """Words in the body outside headings, tags, Anki cards, deck lines, comments and queries;
    stops counting at `limit`. A tag files the note; it is none of its content (`#a/b/c` would
    count as three words).

    Comments and queries are looked for only as far as the words counted reach (most notes
    have their `limit` words in the first lines), then further while they hid some."""
    anki = note.anki
    excluded: list[Span] = [h.span for h in note.headings]
    excluded += [tag.span for tag in note.tags if tag.span.start >= note.body_start]
    excluded += [card.span for card in anki.cards]
    excluded += [card.span for card in anki.unclosed]
    excluded += [card.span for card in anki.inline_cards]  # cards, as blocks are
    # with the ID the plugin reads after ENDI
    excluded += [card.id.span for card in anki.inline_cards if card.id is not None]
    excluded += [deck.span for deck in anki.decks]
    excluded += [tags.span for tags in anki.file_tags]
    text, searched = note.text, note.body_start
    while True:
        count, reach = _count_words(note, sorted(excluded), limit)
        if reach <= searched:
            return count
        excluded += _unseen(text, searched, reach, lambda: note.hidden)
        searched = reach


def _count_words(note: Note, excluded: list[Span], limit: int) -> tuple[int, int]:
    """(words outside `excluded`, at most `limit`; where the counting stopped)."""
    text = note.text
    count = 0
    position = note.body_start
    for span in [*excluded, Span(len(text), len(text))]:
        if span.end <= position:
            continue
        for word in _WORD.finditer(text, position, max(position, span.start)):
            count += 1
            if count >= limit:
                return count, word.end()
        position = max(position, span.end)
    return count, len(text)


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
`stale-fix-min-words` (outside frontmatter, headings, tags, Anki cards, `%%` and HTML comments,
and Dataview-like query blocks), the tag hides a finished note from the owner's review queries.
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
A note with no words outside its frontmatter, headings, tags, Anki cards, comments and query
blocks, and no `fix/empty` tag, is easy to forget. Write it, or tag it `fix/empty` so your review
queries find it.
""",
    fixable=True,
)
def empty_note(ctx: RuleContext) -> Iterator[Draft]:
    note = ctx.note
    if note.frontmatter is not None and not note.frontmatter.closed:
        return  # unclosed-frontmatter says it: the whole text was read as YAML
    if fix_empty_tags(note, ctx.config) or content_words(note, 1) > 0:
        return
    first_line = Span(0, note.lines.line_end(0))
    yield Draft(first_line, "Note has no content yet: write it or tag it fix/empty.")
