"""Requests past the point where cancelling them would leave things half done.

A request cancelled by the client ($/cancelRequest) is answered RequestCancelled, which tells
the client it did not run. One that has begun writing files (notels.generateIds) must not be
stopped there: the index would not know what was written, and the notes left would lack the
IDs the others got. LSP 3.17 lets a server answer a cancelled request normally; such a request
finishes, and answers with what it did (see NotelsProtocol._handle_cancel_notification).
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

_PAST: weakref.WeakSet[asyncio.Future[Any]] = weakref.WeakSet()


def finish_even_if_cancelled() -> None:
    """The running request (the current task) goes on to its end and its answer, cancelled or
    not."""
    task = asyncio.current_task()
    if task is not None:
        _PAST.add(task)


def past_cancelling(running: object) -> bool:
    """Is this the task of a request that finishes even if cancelled?"""
    return isinstance(running, asyncio.Future) and running in _PAST
