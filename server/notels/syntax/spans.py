"""Half-open ranges of code-point offsets into a note's text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """`text[start:end]`; offsets are Python string indices (code points)."""

    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start

    def contains(self, offset: int) -> bool:
        """True when `offset` lies inside, the end included (a cursor right after a token)."""
        return self.start <= offset <= self.end

    def shifted(self, delta: int) -> Span:
        return Span(self.start + delta, self.end + delta)

    def slice(self, text: str) -> str:
        return text[self.start : self.end]
