"""Cards the sync plugin never finds: START / END lines behind a quote's `>` or an indent.

The plugin's pattern (`^START\n ... \nEND`) wants both keywords at the very start of a line. A
card written inside a callout (`> START`) or indented under a list item is meant as a card and
skipped without a word. Only the rules and their fixes ask for these, so the vault's scans at
startup do not look for them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from notels.syntax.spans import Span

# The keyword alone on its line but for the prefix; group 1 the prefix, group 2 the keyword.
_NESTED_KEYWORD = re.compile(r"^([ \t]*>[ \t>]*|[ \t]+)(START|END)[ \t]*\r?$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class NestedCard:
    start: Span  # the START keyword
    end: Span  # the END keyword
    quoted: bool  # behind `>` (a quote or callout); else indented


def nested_cards(text: str, hidden: Sequence[Span] = ()) -> list[NestedCard]:
    """Each nested START with a nested END below it, outside `hidden` (code, math)."""
    if "START" not in text:
        return []
    found: list[NestedCard] = []
    opened: re.Match[str] | None = None
    for match in _NESTED_KEYWORD.finditer(text):
        if _inside(hidden, match.start(2)):
            continue
        if match.group(2) == "START":
            opened = match
        elif opened is not None:
            found.append(
                NestedCard(
                    Span(opened.start(2), opened.end(2)),
                    Span(match.start(2), match.end(2)),
                    ">" in opened.group(1),
                )
            )
            opened = None
    return found


def _inside(spans: Sequence[Span], offset: int) -> bool:
    at = bisect_right(spans, offset, key=_start) - 1
    return at >= 0 and offset < spans[at].end


def _start(span: Span) -> int:
    return span.start
