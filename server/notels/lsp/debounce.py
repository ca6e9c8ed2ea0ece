"""Run a callback once typing pauses: each new call for a key restarts that key's timer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger("notels.lsp")


class Debouncer:
    """Per-key timers on the running event loop; callbacks run on the loop thread."""

    def __init__(self) -> None:
        self._timers: dict[str, asyncio.TimerHandle | asyncio.Handle] = {}

    def schedule(self, key: str, delay_ms: int, callback: Callable[[], None]) -> None:
        self.cancel(key)
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._timers.pop(key, None)
            try:
                callback()
            except Exception:  # outside any handler: pygls would not see it, so log it here
                log.exception("delayed work for %s failed", key)

        # Even without a delay the call waits for the loop's next turn, so the changes that
        # arrived together in one read are checked once.
        if delay_ms <= 0:
            self._timers[key] = loop.call_soon(fire)
        else:
            self._timers[key] = loop.call_later(delay_ms / 1000, fire)

    def cancel(self, key: str) -> None:
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()

    def pending(self, key: str) -> bool:
        return key in self._timers

    def cancel_all(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
