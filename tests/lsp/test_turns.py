"""Turns: long work on the event loop lets other work through by time, not by count."""

from __future__ import annotations

import asyncio
import time

from notels.lsp.turns import Turns


def _busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


async def test_work_gives_the_loop_a_turn_once_its_time_is_up() -> None:
    """Pieces of at least 5 ms with turns of 20 ms: another task runs by the 4th piece,
    however many pieces a count would have allowed."""
    ran_after: list[int] = []
    done = 0

    async def other() -> None:
        ran_after.append(done)

    async def work() -> None:
        nonlocal done
        turns = Turns(0.02)
        for _ in range(40):
            _busy(0.005)
            done += 1
            await turns.take()

    waiting = asyncio.ensure_future(other())
    await work()
    await waiting
    assert ran_after and 1 <= ran_after[0] <= 4, ran_after


async def test_quick_work_takes_no_turns() -> None:
    """Under the turn's time, `take` does not yield: a count of cheap pieces (reading a
    cache) runs in one go."""
    ran = False

    async def other() -> None:
        nonlocal ran
        ran = True

    turns = Turns(10.0)
    waiting = asyncio.ensure_future(other())
    for _ in range(1000):
        await turns.take()
    assert not ran
    await waiting
