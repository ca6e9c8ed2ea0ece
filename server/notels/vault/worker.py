"""A worker process of the parallel indexer: `python -m notels.vault.worker`.

Reads one job from stdin, `marshal`ed: (vault root, file size limit, batches of vault-relative
paths). Writes one frame per batch to stdout: a 4-byte big-endian length, then the `marshal`ed
list of (path, summary as a plain tuple or None, (problem kind, detail) or None). A process of
its own rather than `multiprocessing`, which would import the parent's main module again.
"""

from __future__ import annotations

import gc
import marshal
import sys
from pathlib import Path
from typing import BinaryIO

from notels.config import Config
from notels.vault.parallel import encode_batch, summarize_file


def serve_job(source: BinaryIO, sink: BinaryIO) -> None:
    root, max_file_bytes, batches = marshal.loads(source.read())
    config = Config(max_file_bytes=max_file_bytes)
    vault = Path(root)
    for batch in batches:
        payload = encode_batch([summarize_file(vault, relative, config) for relative in batch])
        sink.write(len(payload).to_bytes(4, "big"))
        sink.write(payload)
        sink.flush()


if __name__ == "__main__":
    # Objects live for one batch and are freed by reference counting: the cyclic collector
    # would only rescan them (see loader.paused_gc).
    gc.disable()
    serve_job(sys.stdin.buffer, sys.stdout.buffer)
