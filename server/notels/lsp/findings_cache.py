"""The findings of a vault's notes as last reported: path -> (result id, findings).

An entry stands until a change that may affect the note drops it. Findings computed elsewhere
against the index as it was at some moment (by worker processes: see lsp/warm_findings.py)
come in later; `put_if_current` takes them only when nothing has dropped that note's entry
since that moment, as if they had been put then. Callers hold the vault's lock.
"""

from __future__ import annotations

from notels.findings import Finding

# (result id, findings)
Entry = tuple[str, list[Finding]]

# Paths whose last drop is remembered, at most.
_MAX_DROPS = 100_000


class FindingsCache:
    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._drops = 0  # counts drops and clears: a moment in the cache's history
        self._dropped_at: dict[str, int] = {}  # path -> its last drop since the last clear
        self._cleared_at = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, path: object) -> bool:
        return path in self._entries

    def get(self, path: str) -> Entry | None:
        return self._entries.get(path)

    def put(self, path: str, entry: Entry) -> None:
        self._entries[path] = entry

    def drop(self, path: str) -> None:
        """The note's findings may have changed; also when none are cached yet, for findings
        being computed meanwhile."""
        self._entries.pop(path, None)
        self._drops += 1
        if len(self._dropped_at) >= _MAX_DROPS:
            # Paths of notes long deleted or renamed would pile up: forgotten, they count as
            # a clear for the moments before (findings of a run in flight are then refused).
            self._dropped_at.clear()
            self._cleared_at = self._drops
        self._dropped_at[path] = self._drops

    def clear(self) -> None:
        self._entries.clear()
        self._dropped_at.clear()  # the clear covers them all
        self._drops += 1
        self._cleared_at = self._drops

    def moment(self) -> int:
        return self._drops

    def cleared_since(self, moment: int) -> bool:
        return self._cleared_at > moment

    def put_if_current(self, path: str, entry: Entry, moment: int) -> bool:
        """Put findings computed at `moment` (see `moment`) unless a drop since then may have
        changed them, or the note has an entry already; True when put."""
        if self._cleared_at > moment or self._dropped_at.get(path, 0) > moment:
            return False
        if path in self._entries:
            return False
        self._entries[path] = entry
        return True
