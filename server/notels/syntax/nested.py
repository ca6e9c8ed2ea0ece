"""Cards the sync plugin never finds: START / END lines behind a quote's `>`, an indent, or
characters that cannot be seen.

The plugin's pattern (`^START\n ... \nEND`) wants both keywords at the very start of a line. A
card written inside a callout (`> START`) or indented under a list item is meant as a card and
skipped without a word; so is one whose START line begins with a zero-width space, a BOM or a
no-break space, which text pasted from a web page or a chat brings along. Only the rules and
their fixes ask for these, so the vault's scans at startup do not look for them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from notels.syntax.anki import is_blank_mark
from notels.syntax.lines import start_of_line
from notels.syntax.note import Note
from notels.syntax.spans import Span, inside_any

# What must stand before a keyword: a quote's `>` (callouts too) or an indent; after it, blanks.
_NESTING_PREFIX = re.compile(r"[ \t]*>[ \t>]*|[ \t]+")
_BLANKS_TO_LINE_END = re.compile(r"[ \t]*(?:\r?\n|\r|$)")
# A START or END line of the plugin's own, at the very start of its line.
_TOP_LEVEL_KEYWORD = re.compile(r"(?:^|(?<=[\r\n]))(?:START|END)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class NestedCard:
    start: Span  # the START keyword
    end: Span  # the END keyword
    quoted: bool  # behind `>` (a quote or callout); else indented
    # Behind characters that do not show, or show as a space but are none (U+00A0): `unseen` is
    # the first of them. Its END may stand at the start of its line, as the writer saw START.
    unseen: str = ""


def character_name(char: str) -> str:
    """`U+200B ZERO WIDTH SPACE`: a character that does not show, named so it can be found."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"


def _unseen(prefix: str) -> str:
    """The first character of a keyword's line prefix that is no space or tab, when each of
    them is blank (a no-break space and the like) or invisible (a format character: U+200B,
    U+FEFF, U+2060); "" otherwise."""
    if not all(map(is_blank_mark, prefix)):
        return ""
    return next((char for char in prefix if char not in " \t"), "")


def nested_cards(note: Note) -> list[NestedCard]:
    """Each nested START with a nested END below it, outside code and math.

    The note's code and math (`Note.hidden`, a scan of the whole text the first time it is
    asked) are looked at only for such lines, which few notes have: asked for each check, they
    cost a 2,000-line note 4 ms a keystroke."""
    text = note.text
    if "START" not in text:
        return []
    found: list[NestedCard] = []
    opened: NestedCard | None = None  # its START, end and nesting; `end` not yet known
    # Inside a card the plugin syncs, an indented START / END pair is that card's text.
    cards = [card.span for card in note.anki.cards]
    for start, keyword in _keywords(text):
        end = start + len(keyword)
        if not _BLANKS_TO_LINE_END.match(text, end):
            continue
        line_start = start_of_line(text, start)
        at_line_start = line_start == start
        unseen = "" if at_line_start else _unseen(text[line_start:start])
        if at_line_start:
            # Only an END, and only for a START behind unseen characters.
            if keyword == "START" or opened is None or not opened.unseen:
                continue
        elif not unseen and not _NESTING_PREFIX.fullmatch(text, line_start, start):
            continue
        if inside_any(note.hidden, start) or inside_any(cards, start):
            continue
        quoted = not unseen and ">" in text[line_start:start]
        if keyword == "START":
            opened = NestedCard(Span(start, end), Span(start, end), quoted, unseen)
        elif opened is not None:
            # Its END: nested the same way, with no card's own START or END line between.
            alike = bool(unseen or at_line_start) if opened.unseen else (quoted == opened.quoted)
            if alike and not _TOP_LEVEL_KEYWORD.search(text, opened.start.end, line_start):
                found.append(NestedCard(opened.start, Span(start, end), quoted, opened.unseen))
            opened = None
    return found


def _keywords(text: str) -> list[tuple[int, str]]:
    """Where `START` and `END` occur, in text order. `str.find` for each: a pattern looking at
    every line start, or every S and E, cost a millisecond on a 2,000-line note per keystroke."""
    found: list[tuple[int, str]] = []
    for keyword in ("START", "END"):
        at = text.find(keyword)
        while at != -1:
            found.append((at, keyword))
            at = text.find(keyword, at + 1)
    found.sort()
    return found
