"""Worker processes (`python -m notels.worker`), started ahead of need when asked.

A worker spends its first ~80 ms importing the parser. When `initialize` names a vault with no
index cache, the server starts its workers then, so that by the time the editor has sent
`initialized`, the settings are in and the vault is scanned, they wait, imported, for their
job: the index's first batch comes back without waiting for the import. The spares nobody
took are ended once the first index run is over (see `release_spares`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

WORKERS_VARIABLE = "NOTELS_INDEX_PROCESSES"  # a number of processes; "0": parse in the server
MAX_WORKERS = 4

_spares: list[subprocess.Popen[bytes]] = []
_spares_lock = threading.Lock()


def configured_workers() -> int | None:
    """The number of worker processes NOTELS_INDEX_PROCESSES asks for, if it does."""
    configured = os.environ.get(WORKERS_VARIABLE, "").strip()
    return min(int(configured), MAX_WORKERS) if configured.isdigit() else None


def most_workers() -> int:
    """How many workers a large vault gets on this machine."""
    configured = configured_workers()
    if configured is not None:
        return configured
    cpus = os.cpu_count() or 1
    return 0 if cpus < 2 else min(cpus, MAX_WORKERS)


def start_spares() -> None:
    """Start as many workers as a large vault would use, to be taken by `spawn`."""
    wanted = most_workers()
    with _spares_lock:
        while len(_spares) < wanted:
            try:
                _spares.append(_start())
            except OSError:
                return  # no processes to spare: `spawn` will say so when it needs one


def release_spares() -> None:
    """End the spares nobody took: an idle worker holds its imports' memory."""
    with _spares_lock:
        spares = _spares[:]
        _spares.clear()
    for process in spares:
        end(process)


def spawn() -> subprocess.Popen[bytes]:
    """A worker waiting for its job: a spare when one is alive, else a new one."""
    with _spares_lock:
        while _spares:
            process = _spares.pop(0)
            if process.poll() is None:
                return process
            end(process)
    return _start()


def end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()
    for stream in (process.stdout, process.stdin):
        if stream is not None:
            stream.close()


# A frame of summaries is about 100 KB (up to 170 KB at 10,000 notes), more than a pipe holds by
# default (64 KB on Linux): a worker then waited at each frame for the parent, which reads the
# workers in turn, so both went at the pace of the slower batch. With room for several frames
# they run ahead: the summaries of 10,000 notes came 5% sooner (ten runs alternated).
_PIPE_BYTES = 1 << 20


def _start() -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "notels.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    if sys.platform == "linux" and process.stdout is not None:
        import fcntl

        # Above the system's limit (/proc/sys/fs/pipe-max-size, 1 MB unless lowered), a smaller
        # pipe still holds a few frames.
        for size in (_PIPE_BYTES, _PIPE_BYTES // 4):
            try:
                fcntl.fcntl(process.stdout.fileno(), fcntl.F_SETPIPE_SZ, size)
                break
            except OSError:
                continue
    return process
