"""Anki items of a note, read the way the Obsidian_to_Anki plugin reads them.

The plugin works on raw text with a handful of regular expressions and knows nothing of Markdown:

- blocks:     `^START\\n([\\s\\S]*?\\n)END` (multiline, global)
- deck:       `^TARGET DECK(?:\\n|: )(.*)`, first match only
- file tags:  `^FILE TAGS(?:\\n|: )(.*)`, first match only
- deletion:   `DELETE\\n?(?:<!--)?(?:ID: (\\d+).*)`
- inline:     `STARTI(.*?)ENDI`

so this module scans the whole text (frontmatter and code fences included) and reproduces those
matches exactly, with a few deliberate leniencies noted where they happen. Besides what the plugin
sees, it records what a writer probably meant (`START ` lines, unclosed blocks, stray `END`s) so
rules can say why a card is silently skipped.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Final, NamedTuple, TypeVar

from notels.syntax.lines import end_of_line, start_of_line
from notels.syntax.model import (
    AnkiItems,
    Card,
    CardId,
    DeleteMarker,
    Field,
    FileTags,
    InlineCard,
    StartWithTrailingText,
    TargetDeck,
)
from notels.syntax.spans import Span, shared_offsets

__all__ = [
    "AnkiOutline",
    "CardOutline",
    "anki_outline",
    "card_front",
    "deletions_in",
    "ends_with_delete",
    "id_after_endi",
    "scan_anki",
    "scan_anki_outline",
]

_EMPTY: Final = AnkiItems()

# Items are built with `tuple.__new__`: the NamedTuple's own `__new__` is a Python function.
_new = tuple.__new__

# Only lines beginning with one of these words matter outside inline cards. Anchoring on the line
# break that precedes them lets the regex engine jump from break to break instead of trying `^` at
# every offset; the first line is checked separately (it has no break before it, maybe a BOM).
_KEYWORD_AFTER_BREAK: Final = re.compile(r"[\r\n](START|END|TARGET DECK|FILE TAGS|DELETE)")
# The same for texts without `\r`, 3x faster: a literal first character is found by memchr.
_KEYWORD_AFTER_LF: Final = re.compile(r"\n(START|END|TARGET DECK|FILE TAGS|DELETE)")
_KEYWORD_AT_TEXT_START: Final = re.compile(r"\ufeff?(?:START|END|TARGET DECK|FILE TAGS|DELETE)")
_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")

# An ID line: at its line start, indentation allowed.
# Digits are [0-9]: the plugin's regexes are JavaScript's, whose `\d` is ASCII only (a fullwidth
# `ID: １７３…` is no ID to it).
_ID: Final = re.compile(r"[ \t]*((?:<!--)?)ID: ([0-9]+)")
# The plugin tests the block's last line with this, unanchored: `<!-- ID: 5 -->` and even
# `BACK: see ID: 5` give the card its ID (and the plugin drops the whole line). Reading it as
# anything else would have the "add an ID" fix give the card a second, new one.
_ID_IN_LAST_LINE: Final = re.compile(r"((?:<!--)?)ID: ([0-9]+)")
# Looser than the plugin on purpose: `ID:5`, `ID:  5`, `Id: 5`, `ID 5`, `id: 5`, `<!-- ID:5 -->`
# are meant as IDs, and the plugin reads none of them (an "add an ID" fix would give the card a
# second one). Past `ID:`, only with an ID's length of digits alone on the line: `ID 42` or
# `ID 9780306406157 is the ISBN` in a field is no ID.
_LOOSE_ID: Final = re.compile(
    r"[ \t]*((?:<!--)?)[ \t]*"
    r"(?:ID: ?|(?:I[Dd]|id(?=:))[ \t]*:?[ \t]*(?=[0-9]{10,}[ \t]*(?:-->)?[ \t]*(?:[\r\n]|$)))"
    r"([0-9]+)"
)

# The plugin's deletion pattern, `DELETE` + `\n?(?:<!--)?(?:ID: (\d+).*)` with the flag "g" only:
# unanchored and run over the whole file, so it matches inside a card too (`BACK: DELETE` above
# the card's `ID:` line). Line breaks are any, as everywhere here.
_DELETION: Final = re.compile(r"DELETE(?:\r\n|\r|\n)?(?:<!--)?ID: [0-9]")
_DELETE_THEN_BREAK: Final = re.compile(r"DELETE(?:\r\n|\r|\n)?")


def deletions_in(text: str, start: int, end: int) -> list[Span]:
    """The `DELETE`s in [start, end) that the plugin reads as deleting the ID after them."""
    if text.find("DELETE", start, end) == -1:
        return []
    return [
        Span(match.start(), match.start() + len("DELETE"))
        for match in _DELETION.finditer(text, start, end)
    ]


def id_after_endi(inline: InlineCard) -> bool:
    """Is the inline card's ID the one written after its `ENDI`, which the plugin does not read
    (see `_inline_cards`)?"""
    return inline.id is not None and inline.id.span.start >= inline.span.end


def ends_with_delete(text: str, start: int, end: int) -> Span | None:
    """The `DELETE` that ends [start, end), a line break after it allowed: an ID line the
    plugin (or a fix) writes at `end` would make the two a deletion."""
    at = text.rfind("DELETE", start, end)
    if at == -1 or _DELETE_THEN_BREAK.fullmatch(text, at, end) is None:
        return None
    return Span(at, at + len("DELETE"))


# An ID line waiting for its number (`ID:`, `<!--ID: -->`): field text to the plugin. Group 1 is
# the space after `<!--`, group 2 what stands between `ID:` and the line's end or `-->`. Spaces
# are any but line breaks: the plugin trims the block as JavaScript's trim does, NBSP too.
_EMPTY_ID: Final = re.compile(r"[^\S\r\n]*(?:<!--([^\S\r\n]*))?ID:([^\S\r\n]*)(?(1)-->[^\S\r\n]*|)")


class EmptyIdGap(NamedTuple):
    start: int  # right after `ID:`
    end: int  # the line's content end, or the `-->` that closes the comment
    spaced_comment: bool  # `<!-- ID: -->`: the number gets a space after it too


def empty_id_gap(text: str, line_start: int, line_end: int) -> EmptyIdGap | None:
    """Where the number goes when `text[line_start:line_end]` is an ID line without one."""
    match = _EMPTY_ID.fullmatch(text, line_start, line_end)
    if match is None:
        return None
    opener = match.group(1)
    return EmptyIdGap(match.start(2), match.end(2), bool(opener))


def _may_hold_id(text: str, start: int, end: int) -> bool:
    """Might the lines in [start, end) hold a `_LOOSE_ID`? Plain searches for how each form
    starts, before any line is matched: a case-insensitive regex over every card made the
    Anki outline of the 10,000-note vault 16% slower, these 5%."""
    find = text.find
    return (
        find("ID", start, end) != -1
        or find("Id", start, end) != -1
        or find("id:", start, end) != -1
    )


# The plugin starts a field at a line beginning with `Name:` for a field of the note type. Not
# knowing those (see fields_as_typed), a line is taken for one by its looks. An ALL-CAPS name,
# this dialect's habit, Latin or Cyrillic, needs nothing after the colon (`FRONT:Embedding`,
# `ВОПРОС:`); a capitalised word (`Front:`) needs a space or the line's end, or prose and links
# (`Note:see`, `Https://`) would start fields.
_FIELD: Final = re.compile(
    r"(?P<name>[A-ZА-ЯЁ][A-ZА-ЯЁ0-9_]*(?=:)|[A-Z][a-z0-9]*(?: [A-Z][a-z0-9]*){0,2}(?=:(?:\s|$))):"
)
# Handled by the plugin before fields are read, so never field names.
_NOT_FIELDS: Final = frozenset({"ID", "Tags"})
_TAGS_PREFIX: Final = "Tags: "

# JavaScript's `.` stops at these four, so an inline card never spans a line.
_INLINE: Final = re.compile(r"STARTI([^\r\n\u2028\u2029]*?)ENDI")
_INLINE_LINE_END: Final = re.compile(r"[\r\n\u2028\u2029]")
_INLINE_ID: Final = re.compile(r"(<!--)?ID: ([0-9]+)(?:-->)?")
_INLINE_TAGS: Final = re.compile(r"Tags: ")
_INLINE_TYPE: Final = re.compile(r"\[(.*?)\]")
_ID_AFTER_INLINE: Final = re.compile(r"[ \t]*((<!--)?ID: ([0-9]+)(?:-->)?)")

_START, _END, _DECK, _FILE_TAGS, _DELETE = range(5)
_KINDS: Final = {"START": _START, "END": _END, "TARGET DECK": _DECK, "FILE TAGS": _FILE_TAGS}
_KINDS_AND_DELETE: Final = (*_KINDS, "DELETE")


class _Line(NamedTuple):
    """A line that begins with a keyword."""

    kind: int
    start: int  # the keyword's offset (after a BOM on the first line)
    end: int  # the content's end, terminator excluded
    next: int  # the next line's start; -1 when the text ends on this line


# The lines that begin with a keyword, as scan_anki_keeping found them: what it needs of an
# earlier version of the text to read the next.
KeywordLines = tuple[_Line, ...]


def scan_anki(text: str) -> AnkiItems:
    """Every Anki item of `text`; pure, never raises, all spans inside the text."""
    return scan_anki_keeping(text)[0]


def scan_anki_keeping(
    text: str,
    previous_text: str | None = None,
    previous: KeywordLines = (),
    same: tuple[int, int] = (0, 0),
) -> tuple[AnkiItems, KeywordLines]:
    """`scan_anki(text)`, and its keyword lines. With `previous_text`, an earlier version of
    the text that shares its first and last `same` characters, and `previous`, its keyword
    lines: those are the old ones when no edited line holds a keyword. Everything else is read
    from the keyword lines and the text between them, as before."""
    keyword_lines: KeywordLines | None = None
    if previous_text is not None:
        keyword_lines = _kept_keyword_lines(text, previous_text, previous, same)
    if keyword_lines is None:
        if not any(keyword in text for keyword in _KINDS_AND_DELETE):
            return _EMPTY, ()
        keyword_lines = tuple(_keyword_lines(text))
    inline_cards = _inline_cards(text) if "STARTI" in text else ()
    if not keyword_lines and not inline_cards:
        return _EMPTY, keyword_lines

    keyword_items = _keyword_items(text, keyword_lines)
    cards, unclosed, stray_ends = _blocks(text, keyword_items.blocks, _card, keyword_items.trailing)
    items = AnkiItems(
        decks=tuple(keyword_items.decks),
        file_tags=tuple(keyword_items.file_tags),
        cards=cards,
        unclosed=unclosed,
        stray_ends=stray_ends,
        trailing_starts=tuple(keyword_items.trailing),
        deletes=tuple(keyword_items.deletes),
        inline_cards=inline_cards,
    )
    return items, keyword_lines


def _kept_keyword_lines(
    text: str, previous_text: str, previous: KeywordLines, same: tuple[int, int]
) -> KeywordLines | None:
    """The keyword lines of `previous_text`, moved where they lie after the edit, when no
    edited line of either text holds a keyword; None when they must be found again."""
    same_prefix, same_suffix = same
    has_cr = "\r" in text or "\r" in previous_text
    first = start_of_line(text, same_prefix, cr_breaks=has_cr)
    if has_cr and first == same_prefix and first > 0 and text[first - 1] == "\r":
        # The edit may give that CR an LF or take it away: the line it ends starts the next
        # line elsewhere, so it counts as edited too.
        first = start_of_line(text, first - 1)
    for edited in (text, previous_text):
        last, _ = end_of_line(edited, len(edited) - same_suffix)
        if any(edited.find(keyword, first, last) != -1 for keyword in _KINDS_AND_DELETE):
            return None
    shift = len(text) - len(previous_text)
    return tuple(
        line
        if line.start < same_prefix
        else _new(
            _Line,
            (
                line.kind,
                line.start + shift,
                line.end + shift,
                line.next + shift if line.next >= 0 else -1,
            ),
        )
        for line in previous
    )


class _KeywordItems(NamedTuple):
    decks: list[TargetDeck]
    file_tags: list[FileTags]
    trailing: list[StartWithTrailingText]
    deletes: list[DeleteMarker]
    blocks: list[_Line]  # the exact-START and END-prefixed lines, for `_blocks`


def _keyword_items(text: str, keyword_lines: Iterable[_Line]) -> _KeywordItems:
    """The items each keyword line makes alone, and the lines that make blocks together."""
    items = _KeywordItems([], [], [], [], [])
    decks, file_tags, trailing, deletes, blocks = items
    # `START Basic` lines, kept only when an END line follows (see below).
    worded_starts: list[StartWithTrailingText] = []
    last_end = -1
    # Deck, tag and delete lines count wherever they stand, inside blocks too: the plugin runs
    # those regexes over the whole file, independently of blocks.
    for line in keyword_lines:
        if line.kind == _START:
            rest = text[line.start + 5 : line.end]
            if not rest:
                blocks.append(line)
            elif is_blank_mark(rest[0]):
                # `START ` / `START Basic`: meant as a block, never one. `STARTI` (inline),
                # words like `STARTED` and prose like `START: the race` are ordinary text.
                start = StartWithTrailingText(
                    Span(line.start, line.end), Span(line.start + 5, line.end)
                )
                (worded_starts if visible(rest) else trailing).append(start)
        elif line.kind == _END:
            last_end = line.start
            blocks.append(line)
        elif line.kind == _DECK:
            found = _deck_line(text, line, 11)
            if found is not None:
                span, value_span = found
                # Interned, as note types and field names: a vault repeats a few of them.
                decks.append(TargetDeck(sys.intern(value_span.slice(text)), span, value_span))
        elif line.kind == _FILE_TAGS:
            found = _deck_line(text, line, 9)
            if found is not None:
                span, value_span = found
                file_tags.append(FileTags(tuple(value_span.slice(text).split()), span))
        else:
            marker = _delete_marker(text, line)
            if marker is not None:
                deletes.append(marker)
    if worded_starts:
        # With words after it, a START line is a card's only with an END below it: `START the
        # engine` in prose is none.
        trailing += (start for start in worded_starts if start.line_span.start < last_end)
        trailing.sort(key=lambda start: start.line_span.start)
    return items


def is_blank_mark(char: str) -> bool:
    """Whitespace, or a format character that shows as nothing (a zero-width space, a joiner,
    a BOM, which pasted text carries): after START, any of them leaves no block, as a space."""
    return char.isspace() or unicodedata.category(char) == "Cf"


def visible(written: str) -> str:
    """`written` as it shows: without its format characters (see is_blank_mark), stripped."""
    return "".join(char for char in written if unicodedata.category(char) != "Cf").strip()


# --- Lines ----------------------------------------------------------------------------------


def _keyword_lines(text: str) -> list[_Line]:
    # CRLF and lone CR end lines here as LF does. The plugin's regexes only know `\n`, so on a
    # CRLF file it finds no block at all; we read such files as their writer sees them instead,
    # and crlf-card says which cards the plugin skips.
    found: list[_Line] = []
    first = _KEYWORD_AT_TEXT_START.match(text)
    if first is not None:
        start = 1 if text.startswith("\ufeff") else 0
        found.append(_keyword_line(text, start, text[start : first.end()]))
    if "\r" in text:
        for match in _KEYWORD_AFTER_BREAK.finditer(text):
            found.append(_keyword_line(text, match.start(1), match.group(1)))
        return found
    # Only `\n` breaks lines: `str.find` is cheaper than `end_of_line`'s regex search.
    kinds = _KINDS
    size = len(text)
    for match in _KEYWORD_AFTER_LF.finditer(text):
        start = match.start(1)
        end = text.find("\n", start)
        kind = kinds.get(match.group(1), _DELETE)
        if end == -1:
            found.append(_new(_Line, (kind, start, size, -1)))
        else:
            found.append(_new(_Line, (kind, start, end, end + 1)))
    return found


def _keyword_line(text: str, start: int, keyword: str) -> _Line:
    end, next_start = end_of_line(text, start)
    return _Line(_KINDS.get(keyword, _DELETE), start, end, next_start)


def _split_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Content spans of the lines in `text[start:end]`; `end` is a line start or the text end."""
    lines: list[tuple[int, int]] = []
    pos = start
    if text.find("\r", start, end) == -1:
        # `str.split` and lengths: no match object per line.
        for line in text[start:end].split("\n"):
            line_end = pos + len(line)
            lines.append((pos, line_end))
            pos = line_end + 1
        if lines[-1][0] == end:
            lines.pop()  # the empty piece after a final line break is no line
        return lines
    for match in _LINE_BREAK.finditer(text, start, end):
        lines.append((pos, match.start()))
        pos = match.end()
    if pos < end:
        lines.append((pos, end))
    return lines


def _is_blank(text: str, start: int, end: int) -> bool:
    return start == end or text[start:end].isspace()


def _stripped(text: str, start: int, end: int) -> Span:
    """The span of `text[start:end]` without surrounding whitespace (empty at `start` if blank)."""
    offsets = shared_offsets(len(text))
    segment = text[start:end]
    rest = segment.lstrip()
    if not rest:
        return _new(Span, (offsets[start], offsets[start]))
    left = start + len(segment) - len(rest)
    return _new(Span, (offsets[left], offsets[left + len(rest.rstrip())]))


# --- TARGET DECK, FILE TAGS, DELETE --------------------------------------------------------


def _deck_line(text: str, line: _Line, keyword_length: int) -> tuple[Span, Span] | None:
    """(span of the item, span of its trimmed value) for `KEYWORD: value` or `KEYWORD` + next line.

    Exactly the plugin's `(?:\\n|: )(.*)`: `TARGET DECK:x` and `TARGET DECK ` (a trailing space
    before the break) are not deck lines, and in the two-line form the value is the very next
    line, even a blank one (the plugin then sends an empty deck name).
    """
    offsets = shared_offsets(len(text))
    after = line.start + keyword_length
    if text.startswith(": ", after):
        span = _new(Span, (offsets[line.start], offsets[line.end]))
        return span, _stripped(text, after + 2, line.end)
    if after != line.end or line.next < 0:
        return None
    value_end, _ = end_of_line(text, line.next)
    span = _new(Span, (offsets[line.start], offsets[value_end]))
    return span, _stripped(text, line.next, value_end)


def _delete_marker(text: str, line: _Line) -> DeleteMarker | None:
    rest = text[line.start + 6 : line.end]
    if rest and not rest.isspace():
        return None
    card_id: CardId | None = None
    # The plugin wants the ID on the very next line, right at its start, and `DELETE` alone.
    if not rest and line.next >= 0:
        next_end, _ = end_of_line(text, line.next)
        if not text.startswith((" ", "\t"), line.next):
            card_id = _card_id(text, line.next, next_end, _ID)
    return DeleteMarker(Span(line.start, line.end), card_id)


def _card_id(text: str, start: int, end: int, pattern: re.Pattern[str]) -> CardId | None:
    match = pattern.match(text, start, end)
    if match is None:
        return None
    return _id_from(text, match, end)


def _last_line_id(text: str, start: int, end: int) -> CardId | None:
    if text.find("ID: ", start, end) == -1:
        return None
    match = _ID_IN_LAST_LINE.search(text, start, end)
    return _id_from(text, match, end) if match is not None else None


def _id_from(text: str, match: re.Match[str], end: int) -> CardId:
    """The CardId of an `_ID` or `_LOOSE_ID` match on a line that ends at `end`."""
    offsets = shared_offsets(len(text))
    _, (comment_start, comment_end), (value_start, value_end) = match.regs
    content_end = match.pos + len(text[match.pos : end].rstrip())
    return _new(
        CardId,
        (
            text[value_start:value_end],
            _new(Span, (offsets[comment_start], offsets[max(content_end, value_end)])),
            _new(Span, (offsets[value_start], offsets[value_end])),
            comment_end > comment_start,
        ),
    )


# --- Blocks ---------------------------------------------------------------------------------


_CardT = TypeVar("_CardT")
# Reads one block: (text, START line, region end, closing line or None, swallowed STARTs).
_CardReader = Callable[[str, _Line, int, _Line | None, tuple[Span, ...]], _CardT]


def _blocks(
    text: str,
    lines: list[_Line],
    read: _CardReader[_CardT],
    trailing: Sequence[StartWithTrailingText] = (),
) -> tuple[tuple[_CardT, ...], tuple[_CardT, ...], tuple[Span, ...]]:
    """Closed cards, unclosed STARTs and stray ENDs from the exact-START and END-prefixed lines,
    each card as `read` makes it.

    A `START ` line (`trailing`, in order) starts no block, but it was meant to: inside a
    closed block it is a card the plugin merges into this one (swallowed, as an exact START
    would be), and an unclosed card ends above it, where its writer meant it to end.
    """
    cards: list[_CardT] = []
    unclosed: list[_CardT] = []
    stray_ends: list[Span] = []
    meant = [start.line_span for start in trailing]
    meant_at = [span.start for span in meant]
    index = 0
    count = len(lines)
    while index < count:
        line = lines[index]
        if line.kind == _END:
            # Only a bare `END` is a lost block end; `ENDPOINT: x` outside a block is prose.
            rest = text[line.start + 3 : line.end]
            if not rest or rest.isspace():
                stray_ends.append(Span(line.start, line.end))
            index += 1
            continue
        # The captured group `[\s\S]*?\n` needs at least one line break, so an END line right
        # after START cannot close the block: the block runs on to the next END-prefixed line.
        swallowed: list[Span] = []
        closer: _Line | None = None
        scan = index + 1
        while scan < count:
            candidate = lines[scan]
            if candidate.kind == _END and candidate.start > line.next:
                closer = candidate
                break
            if candidate.kind == _START:
                swallowed.append(Span(candidate.start, candidate.end))
            scan += 1
        if closer is None:
            # No END-prefixed line after this START, hence none after any later START either:
            # everything left is unclosed. Each START gets its own card up to the next one (or
            # the next `START `), which is what the writer meant, rather than one card
            # swallowing the rest of the note.
            starts = [later for later in lines[index:] if later.kind == _START]
            for position, start in enumerate(starts):
                region_end = starts[position + 1].start if position + 1 < len(starts) else len(text)
                later = bisect_left(meant_at, start.start)
                if later < len(meant):
                    region_end = min(region_end, meant[later].start)
                unclosed.append(read(text, start, region_end, None, ()))
            break
        first = bisect_left(meant_at, line.start)
        last = bisect_left(meant_at, closer.start)
        if first < last:
            swallowed = sorted([*swallowed, *meant[first:last]])
        cards.append(read(text, line, closer.start, closer, tuple(swallowed)))
        index = scan + 1
    return tuple(cards), tuple(unclosed), tuple(stray_ends)


def _card(
    text: str,
    start: _Line,
    region_end: int,
    closer: _Line | None,
    swallowed: tuple[Span, ...],
) -> Card:
    """Parse the block between the START line and `region_end` as the plugin's `Note` does."""
    offsets = shared_offsets(len(text))
    region_start = start.next if start.next >= 0 else len(text)
    lines = _split_lines(text, region_start, max(region_start, region_end))

    # The plugin trims the captured text: blank lines at both ends go, and so does the leading
    # whitespace of the first line and the trailing whitespace of the last.
    first = 0
    while first < len(lines) and _is_blank(text, *lines[first]):
        first += 1
    last = len(lines) - 1
    while last >= first and _is_blank(text, *lines[last]):
        last -= 1
    lines = lines[first : last + 1]
    if lines:
        head = _stripped(text, *lines[0])
        lines[0] = (head.start, lines[0][1])
        lines[-1] = (lines[-1][0], _stripped(text, *lines[-1]).end)

    if closer is not None:
        # Trailing spaces dropped so that `END ` still counts as an exact end (`end_is_exact`).
        end_span: Span | None = _stripped(text, closer.start, closer.end)
        span = _new(Span, (offsets[start.start], offsets[closer.end]))
    else:
        end_span = None
        span = _new(Span, (offsets[start.start], offsets[lines[-1][1] if lines else start.end]))

    card_id: CardId | None = None
    if lines:
        card_id = _card_id(text, *lines[-1], _ID) or _last_line_id(text, *lines[-1])
        if card_id is not None:
            lines.pop()

    tags: tuple[str, ...] = ()
    tags_span: Span | None = None
    if lines and text.startswith(_TAGS_PREFIX, lines[-1][0]):
        tags_start, tags_end = lines.pop()
        tags_span = _stripped(text, tags_start, tags_end)
        tags = tuple(text[tags_start + len(_TAGS_PREFIX) : tags_end].split())

    misplaced: list[CardId] = []
    if lines and _may_hold_id(text, lines[0][0], lines[-1][1]):
        loose_id = _LOOSE_ID.match
        for line_start, line_end in lines:
            stray_id = loose_id(text, line_start, line_end)
            if stray_id is not None:
                misplaced.append(_id_from(text, stray_id, line_end))

    note_type: str | None = None
    note_type_span: Span | None = None
    body = lines
    if lines and _field_match(text, *lines[0]) is None:
        # Kept as written, trailing spaces included: the plugin looks the model up by this exact
        # string, so `Basic ` is not `Basic`.
        note_type_span = _new(Span, (offsets[lines[0][0]], offsets[lines[0][1]]))
        note_type = sys.intern(note_type_span.slice(text))
        body = lines[1:]

    return _new(
        Card,
        (
            span,
            _new(Span, (offsets[start.start], offsets[start.end])),  # start_span
            end_span,
            note_type,
            note_type_span,
            _fields(text, body),
            tags,
            tags_span,
            card_id,
            tuple(misplaced),
            swallowed,
            closer is not None,  # closed
        ),
    )


def end_as_note_type(card: Card) -> bool:
    """Is the line right after START an `END`? The plugin's block pattern wants a line between
    them (`^START\\n([\\s\\S]*?\\n)END`): that END is the card's note type line, and the block runs
    on to the next END below, if any. A card stub typed so is no card to close nor to number."""
    return card.note_type is not None and card.note_type.rstrip() == "END"


def note_type_spaces(card: Card) -> Span | None:
    """The blanks after a card's note type on its line (`Basic ` is not `Basic` to the plugin),
    or None when there are none."""
    note_type, span = card.note_type, card.note_type_span
    if note_type is None or span is None:
        return None
    name = note_type.rstrip()
    if not name or len(name) == len(note_type):
        return None
    return Span(span.start + len(name), span.end)


def note_type_after_start(text: str, start: StartWithTrailingText) -> str | None:
    """The note type written on a `START` line (`START Basic`) rather than below it: the words
    after START, when they hold no colon and the next line starts a field. None otherwise."""
    written = visible(start.trailing_span.slice(text))
    if not written or ":" in written:
        return None
    below = end_of_line(text, start.line_span.end)[1]
    if below == -1:
        return None
    return written if _field_match(text, below, end_of_line(text, below)[0]) else None


def _field_match(text: str, start: int, end: int) -> re.Match[str] | None:
    match = _FIELD.match(text, start, end)
    if match is None or match.group(1) in _NOT_FIELDS:
        return None
    return match


# A field prefix found at a line's start: (name, name end, `NAME:` end).
_Prefix = tuple[str, int, int]


def _written_prefix(text: str, start: int, end: int) -> _Prefix | None:
    """The field prefix a line seems to start with, the note type's fields unknown."""
    match = _field_match(text, start, end)
    return None if match is None else (sys.intern(match.group(1)), match.end(1), match.end())


def fields_as_typed(text: str, card: Card, names: Sequence[str]) -> tuple[Field, ...]:
    """The card's fields as the plugin splits them with its note type's fields `names` known:
    a line starts a field when it starts with `Name:` exactly, for a name of `names` (any
    script, nothing needed after the colon); other lines continue the field before them."""
    if not card.fields:
        return ()
    prefixes = [(name, name + ":") for name in names if name]

    def typed_prefix(text: str, start: int, end: int) -> _Prefix | None:
        # As the plugin's `fieldFromLine`: the first field, in the type's order, whose `Name:`
        # begins the line; the rest of the line (`Back: 42` of `Front:Back: 42`) is its text.
        for name, prefix in prefixes:
            if text.startswith(prefix, start, end):
                return (name, start + len(name), start + len(prefix))
        return None

    lines = _split_lines(text, card.fields[0].span.start, card.fields[-1].span.end)
    return _fields(text, lines, typed_prefix)


def _fields(
    text: str,
    lines: list[tuple[int, int]],
    prefix_of: Callable[[str, int, int], _Prefix | None] = _written_prefix,
) -> tuple[Field, ...]:
    fields: list[Field] = []
    # The field being read: (name, name end, first line start, `NAME:` end), and its `parts`.
    draft: tuple[str, int, int, int] | None = None
    parts: list[int] = []
    for start, end in lines:
        prefix = prefix_of(text, start, end)
        if prefix is not None:
            if draft is not None:
                fields.append(_field(text, *draft, parts))
            name, name_end, colon_end = prefix
            draft = (name, name_end, start, colon_end)
            parts = [colon_end, end]
        elif draft is not None:
            parts += (start, end)
        elif not _is_blank(text, start, end):
            # Text before any field prefix: the plugin puts it in the note type's first field;
            # we do not know that field, so it gets the name "".
            draft = ("", start, start, start)
            parts = [start, end]
    if draft is not None:
        fields.append(_field(text, *draft, parts))
    return tuple(fields)


def _field(
    text: str, name: str, name_end: int, start: int, colon_end: int, parts: list[int]
) -> Field:
    """The Field whose first line starts at `start`.

    `parts` holds (start, end) pairs, flattened: the rest of the first line after `NAME:`, then
    each continuation line. The field's span ends with its first line or last non-blank line.
    """
    offsets = shared_offsets(len(text))
    value_start = value_end = -1
    last_end = parts[1]
    if len(parts) == 2:  # most fields are one line
        piece = text[parts[0] : last_end]
        value = piece.strip()
        if value:
            value_start = parts[0] + len(piece) - len(piece.lstrip())
            value_end = value_start + len(value)
    else:
        pieces: list[str] = []
        for i in range(0, len(parts), 2):
            piece_start, piece_end = parts[i], parts[i + 1]
            piece = text[piece_start:piece_end]
            pieces.append(piece)
            rest = piece.lstrip()
            if rest:
                if value_start == -1:
                    value_start = piece_start + len(piece) - len(rest)
                value_end = piece_start + len(piece.rstrip())
                last_end = piece_end
        value = "\n".join(pieces).strip()
    if value_start == -1:
        # An empty field: point just after `NAME:` and its space, where a value would go.
        value_start = colon_end
        if text.startswith((" ", "\t"), value_start) and value_start < parts[1]:
            value_start += 1
        value_end = value_start
    return _new(
        Field,
        (
            name,
            _new(Span, (offsets[start], offsets[name_end])),
            value,
            _new(Span, (offsets[value_start], offsets[value_end])),
            _new(Span, (offsets[start], offsets[last_end])),
        ),
    )


# --- Outlines -------------------------------------------------------------------------------


class CardOutline(NamedTuple):
    """What a vault summary keeps of a Card: no field values, spans or tags."""

    span: Span
    id: CardId | None
    misplaced_ids: tuple[str, ...]  # their values
    note_type: str | None
    field_names: tuple[str, ...]  # the named fields, in order ("" left out)
    front: str  # `card_front(card)`


class AnkiOutline(NamedTuple):
    """What a vault summary keeps of a note's AnkiItems."""

    decks: tuple[str, ...]  # every TARGET DECK name, in order
    cards: tuple[CardOutline, ...]
    unclosed: tuple[CardOutline, ...]
    inline_cards: tuple[InlineCard, ...]
    delete_ids: tuple[str, ...]


_EMPTY_OUTLINE: Final = AnkiOutline((), (), (), (), ())


def card_front(card: Card) -> str:
    """The first line of the card's first non-empty field, stripped: what names the card."""
    for card_field in card.fields:
        if card_field.value:
            return card_field.value.split("\n", 1)[0].strip()
    return ""


def anki_outline(items: AnkiItems) -> AnkiOutline:
    """The outline of fully parsed items: what `scan_anki_outline` must equal."""
    return AnkiOutline(
        decks=tuple(deck.deck for deck in items.decks),
        cards=tuple(_outline_of(card) for card in items.cards),
        unclosed=tuple(_outline_of(card) for card in items.unclosed),
        inline_cards=items.inline_cards,
        delete_ids=tuple(marker.id.value for marker in items.deletes if marker.id is not None),
    )


def _outline_of(card: Card) -> CardOutline:
    return CardOutline(
        span=card.span,
        id=card.id,
        misplaced_ids=tuple(misplaced.value for misplaced in card.misplaced_ids),
        note_type=card.note_type,
        field_names=tuple(card_field.name for card_field in card.fields if card_field.name),
        front=card_front(card),
    )


def scan_anki_outline(text: str) -> AnkiOutline:
    """`anki_outline(scan_anki(text))`, without building each card's fields: a summary needs
    only their names and the card's front, and a vault's cold start summarizes every note."""
    if "\r" in text:
        # CR line breaks are rare: those texts are read in full rather than split here again.
        return anki_outline(scan_anki(text))
    # No `keyword in text` test first, as scan_anki_keeping makes: most notes with a keyword have
    # it far down (cards end a note), so the test read most of them twice.
    keyword_lines = _keyword_lines(text)
    inline_cards = _inline_cards(text) if "STARTI" in text else ()
    if not keyword_lines and not inline_cards:
        return _EMPTY_OUTLINE
    keyword_items = _keyword_items(text, keyword_lines)
    cards, unclosed, _ = _blocks(text, keyword_items.blocks, _card_outline, keyword_items.trailing)
    return AnkiOutline(
        decks=tuple(deck.deck for deck in keyword_items.decks),
        cards=cards,
        unclosed=unclosed,
        inline_cards=tuple(inline_cards),
        delete_ids=tuple(
            marker.id.value for marker in keyword_items.deletes if marker.id is not None
        ),
    )


def _card_outline(
    text: str,
    start: _Line,
    region_end: int,
    closer: _Line | None,
    swallowed: tuple[Span, ...],
) -> CardOutline:
    """`_outline_of(_card(...))` for a text whose lines end with `\\n` only, on offsets rather
    than a list of lines: the block's lines are [content_start, content_end), trimmed as `_card`
    trims them. Only the first and last two lines are read alone, field names are found by one
    search over the block, and lines are read one by one only for an `ID:` or when the first
    field line holds no value."""
    region_start = start.next if start.next >= 0 else len(text)
    segment = text[region_start : max(region_start, region_end)]
    content = segment.lstrip()
    # Blank lines at both ends, the first line's leading and the last line's trailing
    # whitespace: what `_card` trims is exactly the whitespace around the block's content.
    content_start = region_start + len(segment) - len(content)
    content_end = content_start + len(content.rstrip())
    if closer is not None:
        span = _new(Span, (start.start, closer.end))
    else:
        span = _new(Span, (start.start, content_end if content else start.end))
    if not content:
        return _new(CardOutline, (span, None, (), None, (), ""))

    end = content_end  # of the lines left; no line is left when it is before content_start
    last = _line_start(text, content_start, end)
    card_id = _card_id(text, last, end, _ID) or _last_line_id(text, last, end)
    if card_id is not None:
        end = last - 1
    if end > content_start:
        last = _line_start(text, content_start, end)
        if text.startswith(_TAGS_PREFIX, last):
            end = last - 1
    if end <= content_start:
        return _new(CardOutline, (span, card_id, (), None, (), ""))

    misplaced: tuple[str, ...] = ()
    if _may_hold_id(text, content_start, end):
        misplaced = _misplaced_ids(text, content_start, end)
    note_type, field_names, front = _note_type_and_fields(text, content_start, end)
    return _new(CardOutline, (span, card_id, misplaced, note_type, field_names, front))


def _line_start(text: str, floor: int, pos: int) -> int:
    """The start of the line holding `pos`, not before `floor`."""
    return text.rfind("\n", floor, pos) + 1 or floor


def _misplaced_ids(text: str, start: int, end: int) -> tuple[str, ...]:
    values: list[str] = []
    loose_id = _LOOSE_ID.match
    while True:
        line_end = text.find("\n", start, end)
        if line_end == -1:
            line_end = end
        stray_id = loose_id(text, start, line_end)
        if stray_id is not None:
            values.append(stray_id.group(2))
        if line_end == end:
            return tuple(values)
        start = line_end + 1


# The name of each field line after the block's first line: found without splitting the block
# into lines. Consuming the `\n` leaves `$` and `\s` to end a name where they did on one line.
_FIELD_AFTER_LF: Final = re.compile("\n" + _FIELD.pattern)


def _note_type_and_fields(
    text: str, start: int, end: int
) -> tuple[str | None, tuple[str, ...], str]:
    """(note type, field names, front) of the block lines [start, end), as `_card` and
    `_fields` read them; `start` holds a non-blank line."""
    first_end = text.find("\n", start, end)
    if first_end == -1:
        first_end = end
    names = [
        sys.intern(name)
        for name in _FIELD_AFTER_LF.findall(text, first_end, end)
        if name not in _NOT_FIELDS
    ]
    first = _field_match(text, start, first_end)
    if first is None:
        note_type = sys.intern(text[start:first_end])
        return note_type, tuple(names), _front(text, first_end + 1, end)
    names.insert(0, sys.intern(first.group(1)))
    front = text[first.end() : first_end].strip() or _front(text, first_end + 1, end)
    return None, tuple(names), front


def _front(text: str, start: int, end: int) -> str:
    """`card_front` of the block lines [start, end): each line adds to a field's value what
    follows its `NAME:`, or all of it; the first non-blank such piece begins the first
    non-empty value, and is its first line."""
    while start < end:
        line_end = text.find("\n", start, end)
        if line_end == -1:
            line_end = end
        field = _field_match(text, start, line_end)
        piece = text[field.end() if field is not None else start : line_end].strip()
        if piece:
            return piece
        start = line_end + 1
    return ""


# --- Inline cards ---------------------------------------------------------------------------


def _inline_matches(text: str) -> Iterator[re.Match[str]]:
    """`_INLINE.finditer(text)`, without its quadratic cases: a line of many `STARTI` and no
    `ENDI` had each one tried to the line's end. A line with no `ENDI` after a `STARTI` is
    left at once, and a line's end is looked for once, not from each card on it."""
    pos = 0
    line_end = -1  # the end of the line holding the last `STARTI`
    while (start := text.find("STARTI", pos)) != -1:
        if start > line_end:
            line_break = _INLINE_LINE_END.search(text, start)
            line_end = line_break.start() if line_break is not None else len(text)
        if text.find("ENDI", start + len("STARTI"), line_end) == -1:
            pos = line_end
            continue
        match = _INLINE.match(text, start)
        if match is None:  # not reached: an ENDI on the line closes the card
            pos = start + 1
            continue
        yield match
        pos = match.end()


def _inline_type(text: str, start: int, end: int) -> re.Match[str] | None:
    """`_INLINE_TYPE.search` in [start, end), not tried from each `[` when no `]` follows."""
    opening = text.find("[", start, end)
    if opening == -1 or text.find("]", opening, end) == -1:
        return None
    return _INLINE_TYPE.search(text, opening, end)


def _inline_cards(text: str) -> tuple[InlineCard, ...]:
    cards: list[InlineCard] = []
    for match in _inline_matches(text):
        inner_start, inner_end = match.span(1)
        # The plugin cuts the text at the ID, then at `Tags: `, then takes the first `[...]`.
        card_id: CardId | None = None
        id_match = _INLINE_ID.search(text, inner_start, inner_end)
        if id_match is not None:
            card_id = CardId(
                value=id_match.group(2),
                span=Span(id_match.start(), id_match.end()),
                value_span=Span(id_match.start(2), id_match.end(2)),
                comment=id_match.group(1) is not None,
            )
            inner_end = id_match.start()
        else:
            # Not read by the plugin (misplaced-id says so), but plainly this card's ID.
            after = _ID_AFTER_INLINE.match(text, match.end())
            if after is not None:
                card_id = CardId(
                    value=after.group(3),
                    span=Span(after.start(1), after.end(1)),
                    value_span=Span(after.start(3), after.end(3)),
                    comment=after.group(2) is not None,
                )
        tags_match = _INLINE_TAGS.search(text, inner_start, inner_end)
        if tags_match is not None:
            inner_end = tags_match.start()
        type_match = _inline_type(text, inner_start, inner_end)
        cards.append(
            InlineCard(
                span=Span(match.start(), match.end()),
                note_type=type_match.group(1) if type_match is not None else None,
                id=card_id,
            )
        )
    return tuple(cards)
