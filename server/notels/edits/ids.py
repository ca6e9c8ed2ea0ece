"""New Anki note IDs: epoch milliseconds, unique in the vault and within one run."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime

from notels.syntax.note import Note
from notels.vault.index import VaultIndex
from notels.vault.summary import created_date

# A `created` date further ahead than this is no floor for a new ID: such an ID would read as
# mistyped (the malformed-id rule allows a year ahead), and the date itself likely is.
MOST_AHEAD_MS = 365 * 24 * 3600 * 1000


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def created_ms(note: Note) -> int:
    """The note's frontmatter `created` (`YYYY-MM-DD[ HH:MM]`, local time) in epoch ms: the
    least ID a card of the note may get. 0 when it has none, or not a real date."""
    written = created_date(note.frontmatter)
    if not written:
        return 0
    try:
        moment = datetime.strptime(written, "%Y-%m-%d %H:%M" if " " in written else "%Y-%m-%d")
        return int(moment.timestamp() * 1000)
    except (ValueError, OverflowError, OSError):
        return 0


_MINUTE_MS = 60_000


def first_id(now: int, not_before: int) -> int:
    """Where a new ID starts: now; for a note `created` later than now (a year at most), within
    its created minute, at the clock's place in its own minute, which keeps two machines (two
    clones, a CI runner) from both taking the minute's first ID."""
    if now < not_before <= now + MOST_AHEAD_MS:
        return not_before + now % _MINUTE_MS
    return now


class IdGenerator:
    """Hands out IDs the way Anki makes them (creation time in ms), never one already taken.

    Each is `max(now, last + 1)`, moved past any taken value: growing keeps a burst of
    thousands of IDs (one `--fix` over a vault) distinct even within one millisecond, and a
    clock stepping back (NTP) from ever repeating one. "Now" keeps an ID from predating a note
    created in the past; a note `created` later than now (up to a year) gets an ID from its
    date on, which the IDs after it do not follow. One generator serves a whole run; IDs it
    issued stay taken.
    """

    __slots__ = ("_last", "_now_ms", "_taken")

    def __init__(
        self, existing: Iterable[str | int] = (), now_ms: Callable[[], int] = _now_ms
    ) -> None:
        self._now_ms = now_ms
        self._taken: set[int] = set()
        self._last = 0
        self.reserve(existing)

    def reserve(self, ids: Iterable[str | int]) -> None:
        """Mark IDs as taken (a vault's IDs, IDs written by hand since); non-digits are ignored."""
        for value in ids:
            if isinstance(value, int):
                self._taken.add(value)
            elif value.isdigit():
                self._taken.add(int(value))

    def is_taken(self, value: int) -> bool:
        return value in self._taken

    def floor(self, not_before: int) -> int:
        """The least ID `next_id(not_before)` gives: `not_before`, unless too far ahead."""
        return not_before if not_before <= self._now_ms() + MOST_AHEAD_MS else 0

    def next_id(self, not_before: int = 0) -> int:
        """A new ID, at least `not_before` (a note's `created`, see created_ms: within that
        minute) unless that lies more than MOST_AHEAD_MS ahead. Such a later ID does not raise
        the IDs of the notes that follow: theirs stay at the time they are made."""
        now = self._now_ms()
        candidate = max(now, self._last + 1)
        start = first_id(now, not_before)
        ahead = start > now and candidate < not_before
        if ahead:
            candidate = start
        while candidate in self._taken:
            candidate += 1
        self._taken.add(candidate)
        if not ahead:
            self._last = candidate
        return candidate


def note_ids(note: Note) -> set[str]:
    """Every Anki ID written in a note: cards (misplaced lines too), inline cards, DELETE lines.

    The index only keys block cards by ID; a new ID must avoid the others as well, since each
    names a note in the user's Anki collection.
    """
    anki = note.anki
    found: set[str] = set()
    for card in (*anki.cards, *anki.unclosed):
        if card.id is not None:
            found.add(card.id.value)
        found.update(misplaced.value for misplaced in card.misplaced_ids)
    found.update(card.id.value for card in anki.inline_cards if card.id is not None)
    found.update(marker.id.value for marker in anki.deletes if marker.id is not None)
    return found


def vault_ids(index: VaultIndex) -> set[str]:
    """Every Anki ID written anywhere in the indexed vault."""
    found = set(index.card_ids())
    for summary in index.summaries.values():
        found.update(summary.other_ids)
    return found


def generator_for_vault(index: VaultIndex, now_ms: Callable[[], int] = _now_ms) -> IdGenerator:
    return IdGenerator(vault_ids(index), now_ms)
