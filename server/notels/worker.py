"""A worker process of notels: `python -m notels.worker`.

Reads one `pickle`d job from stdin, a tuple whose first item names its kind, and writes one
frame per batch of the job to stdout: a 4-byte big-endian length, then the batch's results.
The parent is notels itself (see vault/parallel.py); a process of its own rather than
`multiprocessing`, which would import the parent's main module again.
"""

from __future__ import annotations

import gc
import pickle
import sys
from typing import BinaryIO


def serve_job(source: BinaryIO, sink: BinaryIO) -> None:
    data = source.read()
    if not data:
        return  # a worker started ahead of need that nobody took
    job = pickle.loads(data)
    kind = job[0]
    if kind == "summaries":
        from notels.vault.parallel import serve_summaries

        serve_summaries(job, sink)
    elif kind == "check":
        from notels.checker import serve_check

        serve_check(job, sink)
    elif kind == "findings":
        from notels.rules.in_workers import serve_findings

        serve_findings(job, sink)
    else:
        raise SystemExit(f"notels.worker: unknown job {kind!r}")


if __name__ == "__main__":
    # Objects live for one batch and are freed by reference counting: the cyclic collector
    # would only rescan them (see vault/loader.paused_gc).
    gc.disable()
    # The parser, imported before the job is read: a worker started ahead of need (see
    # vault/workers.py) has it ready when its job comes.
    import notels.vault.parallel  # noqa: F401

    serve_job(sys.stdin.buffer, sys.stdout.buffer)
