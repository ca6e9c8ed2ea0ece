"""Long work on the event loop, in turns short enough for other requests to pass between.

Checking every note of a vault for a workspace pull takes seconds. A turn every 200 notes was
0.15 s of work on average, and up to a second while an indexing run shared the GIL: a
completion or a status request asked then waited that long (VS Code at 10,000 notes). A turn
by time bounds the wait whatever a note costs.
"""

from __future__ import annotations

import asyncio
import time

TURN_S = 0.02


class Turns:
    """Call `take` after each piece of work: it gives the event loop a turn once `TURN_S` has
    passed since the last one."""

    def __init__(self, turn_s: float = TURN_S) -> None:
        self._turn_s = turn_s
        self._since = time.perf_counter()

    async def take(self) -> None:
        if time.perf_counter() - self._since >= self._turn_s:
            await asyncio.sleep(0)  # let edits and other requests through
            self._since = time.perf_counter()
