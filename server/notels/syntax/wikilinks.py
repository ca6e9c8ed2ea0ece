"""`[[target#heading|alias]]` and `![[embed]]`: shared by the body and frontmatter scanners."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from notels.syntax.lines import start_of_line
from notels.syntax.model import Link
from notels.syntax.spans import Span, shared_offsets

# Obsidian links stay on one line and hold no brackets.
WIKILINK = re.compile(r"(!?)\[\[([^\[\]\r\n]+?)\]\]")

# The same links, split by the regex engine instead of by Python code: (1) the target, up to
# the first `#` or `|`; (2) after that `#`, up to the first `|`; (3) after that `|`. Each part
# is a maximal run of the characters WIKILINK allows, so the two match exactly the same text;
# `(?!\])` is WIKILINK's "not empty". The embed `!` is looked at by hand: an optional `!` in
# front would cost the engine its fast search for the literal `[[`.
LINK_PARTS = re.compile(r"\[\[(?!\])([^\[\]\r\n#|]*)(?:#([^\[\]\r\n|]*))?(?:\|([^\[\]\r\n]*))?\]\]")

# A line of a table: its first cell's `|`, after the `>` of the quotes or callouts it sits in.
_TABLE_ROW = re.compile(r"[ \t]*(?:>[ \t]*)*\|")

# Items are built with `tuple.__new__`: the NamedTuple's own `__new__` is a Python function.
_new = tuple.__new__
_intern = sys.intern


def display_pipe(text: str, link_start: int) -> str:
    """The `|` to write before the display text of a body link starting at `link_start`:
    escaped in a Markdown table row (the line starts with `|`, inside a callout or quote too:
    `> |`), where a bare one would end the cell. Obsidian writes it so too, and reads `\\|`
    back as the link's pipe."""
    line_start = start_of_line(text, link_start)
    return "\\|" if _TABLE_ROW.match(text, line_start, link_start) else "|"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """`(start, end)` without surrounding whitespace; `(end, end)` when it is all whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _visible_matches(
    text: str, start: int, end: int, hidden: Sequence[tuple[int, int]]
) -> Iterator[tuple[re.Match[str], int, bool, bool]]:
    """(match, start, is an embed, is cut) of each `LINK_PARTS` match in `text[start:end]` that
    does not start inside one of `hidden`; the start is the embed's `!` when there is one, and
    a link is cut when one of `hidden` starts inside it.

    Whichever opens first wins: a link inside code or math is none, and math or code inside a
    link (`[[Energy|$E=mc^2$]]`, `[[T#Energy $E$]]`) is part of it. `hidden` should hold no
    range that cuts a link (see markdown._cuts_a_link).
    """
    next_hidden = 0
    hidden_count = len(hidden)
    for match in LINK_PARTS.finditer(text, start, end):
        begin = match.start()
        embed = begin > start and text[begin - 1] == "!"
        if embed:
            begin -= 1
        if hidden_count:
            # Links come in order, so one pointer walks the hidden spans once.
            while next_hidden < hidden_count and hidden[next_hidden][1] <= begin:
                next_hidden += 1
            if next_hidden < hidden_count:
                opens = hidden[next_hidden][0]
                if opens <= begin:
                    continue
                yield match, begin, embed, opens < match.end()
                continue
        yield match, begin, embed, False


def find_links(
    text: str,
    start: int,
    end: int,
    hidden: Sequence[tuple[int, int]] = (),
    frontmatter_key: str | None = None,
) -> list[Link]:
    """Every wikilink and embed within `text[start:end]`, in order.

    Links starting inside one of `hidden` (sorted, disjoint (start, end) ranges: code and
    math) are left out.
    `[[ ]]` or `[[|x]]`, which name nothing, are no links.
    """
    links: list[Link] = []
    offsets = shared_offsets(end)
    for match, begin, embed, _ in _visible_matches(text, start, end, hidden):
        # One call for the three parts; their offsets follow from their lengths (a call per
        # offset would cost more than everything else here).
        target, heading, alias = match.groups()
        stop = match.end()
        target_start = match.start() + 2
        target_end = target_start + len(target)
        heading_start = heading_end = target_end + 1  # right after the `#`, when there is one
        if heading is not None:
            heading_end += len(heading)
        alias_span: Span | None = None
        if alias is not None:
            alias_end = stop - 2
            alias_start = alias_end - len(alias)
            if text[alias_start - 2] == "\\":
                # In Markdown tables the pipe is escaped as `\|`: the backslash (just before the
                # pipe, never the `[` of `[[`) belongs to neither the target nor the heading.
                if heading is None:
                    target = target[:-1]
                    target_end -= 1
                else:
                    heading = heading[:-1]
                    heading_end -= 1
            if alias.strip() != alias:
                alias_start, alias_end = _trim(text, alias_start, alias_end)
                alias = text[alias_start:alias_end]
            alias_span = _new(Span, (offsets[alias_start], offsets[alias_end]))
        if target.strip() != target:
            trimmed_start, trimmed_end = _trim(text, target_start, target_end)
            if trimmed_start == trimmed_end:
                target_end = target_start  # an empty target sits right after `[[`
            else:
                target_start, target_end = trimmed_start, trimmed_end
            target = text[target_start:target_end]
        heading_span: Span | None = None
        block_ref: str | None = None
        block_span: Span | None = None
        if heading is not None:
            # After `#`: a block ref when it starts with a caret, else a heading.
            is_block = heading.startswith("^")
            part = heading[1:] if is_block else heading
            part_start = heading_start + 1 if is_block else heading_start
            part_end = heading_end
            if part.strip() != part:
                part_start, part_end = _trim(text, part_start, part_end)
                part = text[part_start:part_end]
            part_span = _new(Span, (offsets[part_start], offsets[part_end]))
            if is_block:
                heading, block_ref, block_span = None, part, part_span
            else:
                heading, heading_span = _intern(part), part_span
        elif not target:
            continue
        links.append(
            _new(
                Link,
                (
                    _new(Span, (offsets[begin], offsets[stop])),
                    embed,
                    # Many links share a target: one string object for all of them.
                    _intern(target),
                    _new(Span, (offsets[target_start], offsets[target_end])),
                    heading,
                    heading_span,
                    block_ref,
                    block_span,
                    alias,
                    alias_span,
                    frontmatter_key,
                ),
            )
        )
    return links


class LinkTargets(NamedTuple):
    targets: list[str]  # non-empty, in order
    spans: list[tuple[int, int]]  # (start, end) of every link
    cut: bool  # one of the hidden ranges starts inside one of the links


def link_targets(
    text: str, start: int, end: int, hidden: Sequence[tuple[int, int]] = ()
) -> LinkTargets:
    """What `find_links` finds, as a note's summary needs it: the non-empty targets, and the
    (start, end) of every link. A fraction of the cost: no Link, no Span. Also whether a hidden
    range cuts one of them, which `markdown._cuts_a_link` tells of Links.

    The same matches and rules as find_links (tests/syntax/test_summary_scan.py holds them
    equal): links starting inside `hidden` are left out, an escaped table pipe `\\|` ends a target
    without its backslash, `[[ ]]` and `[[|x]]` are no links.
    """
    targets: list[str] = []
    spans: list[tuple[int, int]] = []
    cut = False
    for match, begin, _, cuts in _visible_matches(text, start, end, hidden):
        cut = cut or cuts
        target, heading, alias = match.groups()
        stop = match.end()
        if heading is None and alias is not None and text[stop - len(alias) - 4] == "\\":
            target = target[:-1]
        target = target.strip()
        if target:
            targets.append(target)
        elif heading is None:
            continue
        spans.append((begin, stop))
    return LinkTargets(targets, spans, cut)
