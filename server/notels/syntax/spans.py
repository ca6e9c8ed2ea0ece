"""Half-open ranges of code-point offsets into a note's text."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from operator import itemgetter
from typing import NamedTuple


class Span(NamedTuple):
    """`text[start:end]`; offsets are Python string indices (code points).

    A NamedTuple rather than a frozen dataclass: a vault holds millions of spans, and a tuple
    is built several times faster (a frozen dataclass sets each field through
    `object.__setattr__`). Spans compare, order and hash as before; they now also unpack
    (`start, end = span`) and equal the plain tuple `(start, end)`.
    """

    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start

    def contains(self, offset: int) -> bool:
        """True when `offset` lies inside, the end included (a cursor right after a token)."""
        return self.start <= offset <= self.end

    def shifted(self, delta: int) -> Span:
        # tuple.__new__: the NamedTuple's own __new__ is a Python function, and re-parsing an
        # edited note moves thousands of spans.
        return _new_span(Span, (self.start + delta, self.end + delta))

    def slice(self, text: str) -> str:
        return text[self.start : self.end]


_new_span = tuple.__new__
_start_of = itemgetter(0)  # a Span's start, read in C


def inside_any(spans: Sequence[Span], offset: int) -> bool:
    """Does one of `spans` (sorted, disjoint: a note's code and math) hold `offset`, its end
    excluded?"""
    at = bisect_right(spans, offset, key=_start_of) - 1
    return at >= 0 and offset < spans[at].end


# One shared int object per offset, for the spans a parsed vault keeps by the million: CPython
# makes a new 28-byte int for each offset over 256, twice per span, and those ints were a sixth
# of a loaded vault's memory. The table grows with the longest text seen, up to 65,536 (2 MB at
# most); offsets past that are not shared. Replaced, never mutated, so threads may share it.
_SHARED_LIMIT = 1 << 16
_shared: tuple[int, ...] = tuple(range(1 << 12))


def shared_offsets(end: int) -> Sequence[int]:
    """`offsets[i] == i` for every `0 <= i <= end`, the same int object for the same `i`."""
    global _shared
    shared = _shared
    if end < len(shared):
        return shared
    if end >= _SHARED_LIMIT:
        return range(end + 1)
    size = len(shared)
    while size <= end:
        size *= 2
    shared = _shared = shared + tuple(range(len(shared), size))
    return shared
