"""Offsets <-> (line, character) in UTF-8, UTF-16 or UTF-32 code units.

Lines end at `\\r\\n`, a lone `\\r` or `\\n`, as editors count them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from enum import Enum

from notels.syntax.spans import Span

# The line breaks _LINE_BREAK matches, in its order (the SARIF report's `newlineSequences`).
NEWLINE_SEQUENCES = ("\r\n", "\r", "\n")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BREAK_CHAR = re.compile(r"[\r\n]")
_NEWLINE = re.compile(r"\n")


def start_of_line(text: str, pos: int, floor: int = 0, cr_breaks: bool = True) -> int:
    """Start of the line holding `pos`, no earlier than `floor`: right after the last `\\n`
    before it, or the last `\\r` when `cr_breaks`. A CR is looked for after that `\\n` only:
    one before it cannot start the line, and a search from `floor` for each of a note's lines
    read the note back to its start each time."""
    start = max(text.rfind("\n", floor, pos) + 1, floor)
    if cr_breaks:
        start = max(start, text.rfind("\r", start, pos) + 1)
    return start


def end_of_line(text: str, pos: int) -> tuple[int, int]:
    """(end of the line's content, start of the next line or -1) for the line holding `pos`."""
    match = _BREAK_CHAR.search(text, pos)
    if match is None:
        return len(text), -1
    end = match.start()
    if text.startswith("\r\n", end):
        return end, end + 2
    return end, end + 1


class Encoding(Enum):
    """Code units a column counts; values are the LSP `PositionEncodingKind` names."""

    UTF8 = "utf-8"
    UTF16 = "utf-16"
    UTF32 = "utf-32"


def _units_of(segment: str, encoding: Encoding) -> int:
    """Code units of `segment` in UTF-8 or UTF-16; a lone surrogate counts as the encoder's
    `surrogatepass` writes it (3 bytes, 1 unit), and code units add up, one code point at a
    time."""
    if segment.isascii():
        return len(segment)
    if encoding is Encoding.UTF16:
        return len(segment.encode("utf-16-le", "surrogatepass")) // 2
    return len(segment.encode("utf-8", "surrogatepass"))


# A column past this many characters is counted from the nearest checkpoint of its line (see
# `LineIndex._checkpoints`), not from the line's start.
_STRIDE = 1024
# Positions a LineIndex answers by scanning its text, before it lists the line starts: a note
# read from disk for a request's few positions (the workspace symbols or references in it) was
# listed whole for them, most of such a request's time.
_EARLY_POSITIONS = 16
# ... and only that far into the text: each such answer counts from the text's start, and the
# first positions of a keystroke's diagnostics in a 10 MB note would each count megabytes.
_EARLY_REACH = 1 << 18


class LineIndex:
    """Line starts of one text; answers in any encoding without copying the text."""

    __slots__ = ("_checkpoints_of", "_early", "_line_ends", "_line_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        # Built on first use: most notes of a vault never need a position computed.
        self._line_starts: list[int] = []
        self._line_ends: list[int] = []
        # (line, encoding) -> the units before every `_STRIDE`-th character of a long line.
        self._checkpoints_of: dict[tuple[int, Encoding], list[int]] | None = None
        self._early = 0  # positions answered without the line starts

    def _build(self) -> None:
        text = self._text
        if "\r" not in text:
            ends = [match.start() for match in _NEWLINE.finditer(text)]
            starts = [0, *(end + 1 for end in ends)]
        else:
            starts = [0]
            ends = []
            for match in _LINE_BREAK.finditer(text):
                ends.append(match.start())
                starts.append(match.end())
        ends.append(len(text))
        self._line_starts = starts
        self._line_ends = ends

    def edited(self, text: str, start: int, end: int, inserted: str) -> LineIndex:
        """The index of `text`, which is this text with `[start, end)` replaced by `inserted`.

        Typing within one line moves the later line starts by the same amount: shifting them
        costs far less than finding every line break of a long note again. Anything else (a
        line break typed or deleted, any carriage return around) is indexed from scratch.
        """
        index = LineIndex(text)
        if not self._line_starts or "\r" in self._text or any(c in inserted for c in "\r\n"):
            return index
        line = bisect_right(self._line_starts, start) - 1
        if end > self._line_ends[line]:
            return index  # the replaced text holds a line break
        delta = len(inserted) - (end - start)
        starts, ends = self._line_starts, self._line_ends
        index._line_starts = starts[: line + 1] + [offset + delta for offset in starts[line + 1 :]]
        index._line_ends = ends[:line] + [offset + delta for offset in ends[line:]]
        return index

    @property
    def text(self) -> str:
        return self._text

    @property
    def line_count(self) -> int:
        return len(self._starts())

    def _starts(self) -> list[int]:
        if not self._line_starts:
            self._build()
        return self._line_starts

    def line_start(self, line: int) -> int:
        return self._starts()[line]

    def line_end(self, line: int) -> int:
        """Offset of the line's terminator (or the end of text): the line's content ends here."""
        self._starts()
        return self._line_ends[line]

    def line_span(self, offset: int) -> Span:
        """The content of the line holding `offset`, terminator excluded."""
        line = self.line_of(offset)
        return Span(self._line_starts[line], self._line_ends[line])

    def line_text(self, line: int) -> str:
        return self._text[self._starts()[line] : self._line_ends[line]]

    def line_of(self, offset: int) -> int:
        offset = min(max(offset, 0), len(self._text))
        return bisect_right(self._starts(), offset) - 1

    def position(self, offset: int, encoding: Encoding = Encoding.UTF16) -> tuple[int, int]:
        """(line, character) of `offset`, both 0-based; offsets are clamped into the text.

        An offset inside a line terminator maps to the end of that line's content.
        """
        offset = min(max(offset, 0), len(self._text))
        if not self._line_starts and self._early < _EARLY_POSITIONS:
            early = self._early_position(offset, encoding)
            if early is not None:
                return early
        line = bisect_right(self._starts(), offset) - 1
        start = self._line_starts[line]
        offset = min(offset, self._line_ends[line])
        if encoding is Encoding.UTF32:
            return line, offset - start
        if offset - start > _STRIDE:
            # Counting from the line's start made each position cost the line's length so far:
            # quadratic over the findings or links of a long line.
            stride = (offset - start) // _STRIDE
            units = self._checkpoints(line, encoding)[stride]
            start += stride * _STRIDE
            return line, units + _units_of(self._text[start:offset], encoding)
        return line, _units_of(self._text[start:offset], encoding)

    def positions(
        self, start: int, end: int, encoding: Encoding = Encoding.UTF16
    ) -> tuple[int, int, int, int]:
        """`position(start) + position(end)`, the line looked up once when both lie on it and
        the end's column is counted on from the start's (a span is most often one line: a
        heading, a link, a finding)."""
        start_line, start_character = self.position(start, encoding)
        start = min(max(start, 0), len(self._text))
        line_starts = self._line_starts
        if (
            not line_starts
            or encoding is Encoding.UTF32
            or not start <= end <= start + _STRIDE
            or (start_line + 1 < len(line_starts) and end >= line_starts[start_line + 1])
        ):
            return start_line, start_character, *self.position(end, encoding)
        # A start inside the line's `\r\n` (past its end) slices nothing more.
        end = min(end, self._line_ends[start_line])
        return (
            start_line,
            start_character,
            start_line,
            start_character + _units_of(self._text[start:end], encoding),
        )

    def _early_position(self, offset: int, encoding: Encoding) -> tuple[int, int] | None:
        """`position` by counting the line breaks before `offset` (in C), for a text of `\n`
        breaks only and a column short of `_STRIDE`; None otherwise."""
        text = self._text
        if offset > _EARLY_REACH:
            return None
        if self._early == 0 and "\r" in text:
            self._early = _EARLY_POSITIONS  # `\r` breaks: the line starts, listed, tell
            return None
        start = text.rfind("\n", 0, offset) + 1
        if offset - start > _STRIDE:
            return None
        self._early += 1
        line = text.count("\n", 0, start)
        if encoding is Encoding.UTF32:
            return line, offset - start
        return line, _units_of(text[start:offset], encoding)

    def _checkpoints(self, line: int, encoding: Encoding) -> list[int]:
        """The units before the line's characters 0, `_STRIDE`, 2 * `_STRIDE`, ... (code units
        add up, one code point at a time)."""
        if self._checkpoints_of is None:
            self._checkpoints_of = {}
        found = self._checkpoints_of.get((line, encoding))
        if found is None:
            text = self._text
            end = self._line_ends[line]
            found = [0]
            for stop in range(self._line_starts[line] + _STRIDE, end + 1, _STRIDE):
                found.append(found[-1] + _units_of(text[stop - _STRIDE : stop], encoding))
            self._checkpoints_of[(line, encoding)] = found
        return found

    def offset(self, line: int, character: int, encoding: Encoding = Encoding.UTF16) -> int:
        """Offset of (line, character); out-of-range values are clamped, as LSP asks.

        A line past the end means the end of the text; a character past the line's end means
        the line's end; a character inside a multi-unit code point rounds down to its start.
        """
        if line < 0:
            return 0
        if line >= len(self._starts()):
            return len(self._text)
        start = self._line_starts[line]
        end = self._line_ends[line]
        if character <= 0:
            return start
        if encoding is Encoding.UTF32:
            return min(start + character, end)
        if character > _STRIDE and end - start > _STRIDE:
            # Start from the last checkpoint at or before the column: walking from the line's
            # start cost the line's length so far, a Python loop per character on a line with
            # emoji (a long line's edits and requests would each take that).
            checkpoints = self._checkpoints(line, encoding)
            stride = bisect_right(checkpoints, character) - 1
            start += stride * _STRIDE
            character -= checkpoints[stride]
            if character <= 0:
                return start
        # At most `character` characters fit in `character` units: look at those only.
        segment = self._text[start : min(end, start + character)]
        if segment.isascii() or (
            # All in the BMP (an encoder counts in C; `max` makes a string of each character).
            encoding is Encoding.UTF16
            and len(segment.encode("utf-16-le", "surrogatepass")) == 2 * len(segment)
        ):
            return start + len(segment)  # one unit per character
        if encoding is Encoding.UTF8:
            try:
                encoded = segment.encode("utf-8")  # lone surrogates refuse: counted below
            except UnicodeEncodeError:
                pass
            else:
                # Whole characters in the first `character` bytes (a partial one rounds down).
                return start + len(encoded[:character].decode("utf-8", "ignore"))
        # The longest prefix that fits: units grow with each character, so it is found by
        # bisection, each guess counted by an encoder (a loop over the characters, in Python,
        # took a millisecond per thousand).
        fits, too_long = 0, len(segment) + 1
        while too_long - fits > 1:
            middle = (fits + too_long) // 2
            if _units_of(segment[:middle], encoding) <= character:
                fits = middle
            else:
                too_long = middle
        return start + fits
