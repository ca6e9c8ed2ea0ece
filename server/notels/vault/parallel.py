"""Reading and summarizing many notes on the machine's other cores.

Parsing is CPU-bound Python: threads would share one core. Worker processes (notels/worker.py)
each read and parse every other batch of files and send back only the summaries, small tuples
in `marshal` form (a whole Note costs more to send than to parse again). `run_in_workers` is
the plumbing, also used by `notels check` to run the rules. They are plain child
processes, not `multiprocessing`: that would import the parent's main module again in each, and
forking a process that runs threads can copy a lock another thread holds.
"""

from __future__ import annotations

import logging
import marshal
import os
import pickle
import subprocess
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, BinaryIO, TypeVar

from notels.config import Config
from notels.vault.files import FileProblem, ProblemKind
from notels.vault.notes import load_summary
from notels.vault.summary import NoteSummary
from notels.vault.workers import configured_workers, end, most_workers, spawn

log = logging.getLogger(__name__)
_Result = TypeVar("_Result")

# (path, summary or None when the file was skipped, problem to report)
Summarized = tuple[str, NoteSummary | None, FileProblem | None]

SUMMARIES_JOB = "summaries"
# Below this many files to parse, starting processes costs more than it saves.
_POOL_MIN_FILES = 400
# From here on, two worker processes check a vault sooner than one process (workers_pay_twice).
_TWO_CORES_PAY = 5_000
BATCH = 96


class WorkerFailed(Exception):
    """A worker process died or wrote something that is not a frame."""


def summarize_file(root: Path, relative: str, config: Config) -> Summarized:
    return relative, *load_summary(root, relative, config)


def encode_batch(batch: Sequence[Summarized]) -> bytes:
    return marshal.dumps(
        [
            (
                relative,
                None if summary is None else tuple(summary),
                None if problem is None else (problem.kind.value, problem.detail),
            )
            for relative, summary, problem in batch
        ]
    )


def decode_batch(payload: bytes) -> list[Summarized]:
    return [
        (
            relative,
            None if summary is None else tuple.__new__(NoteSummary, summary),
            None if problem is None else FileProblem(relative, ProblemKind(problem[0]), problem[1]),
        )
        for relative, summary, problem in marshal.loads(payload)
    ]


def summarize_all(
    root: Path, relatives: Sequence[str], config: Config
) -> Iterator[list[Summarized]]:
    """Summaries of the files, a batch at a time, in order: from worker processes when it pays,
    in this process otherwise or when a worker breaks (from where it broke)."""
    workers = worker_count(len(relatives))
    done = 0
    if workers > 0:
        try:
            for batch in summarize_in_workers(root, relatives, config, workers):
                done += len(batch)
                yield batch
        except (OSError, WorkerFailed) as error:
            log.warning("indexing in this process: worker processes failed (%s)", error)
    for start in range(done, len(relatives), BATCH):
        paths = relatives[start : start + BATCH]
        yield [summarize_file(root, relative, config) for relative in paths]


def workers_pay_twice(files: int) -> bool:
    """Does parsing every note twice, once per phase, in workers beat parsing it once here?

    Summaries first, then the rules (`notels check`). With four cores it wins. With two, from
    about 4,000 notes on (medians of three, alternated: 3,000 notes 2.0 s against 1.9 s;
    5,000: 3.0 s against 3.15 s; 10,000: 5.85 s against 6.65 s), keeping 130 MB where this
    process alone keeps 500 MB of parsed notes; they are used from 5,000 on, where the gain
    is clear of the noise.
    """
    if configured_workers() is not None:
        return worker_count(files) > 0
    return worker_count(files) > 0 and ((os.cpu_count() or 1) >= 4 or files >= _TWO_CORES_PAY)


def worker_count(files: int) -> int:
    """Worker processes to use for `files` files: 0 means parse in this process."""
    if configured_workers() is None and files < _POOL_MIN_FILES:
        return 0
    return most_workers()


def summarize_in_workers(
    root: Path, relatives: Sequence[str], config: Config, workers: int
) -> Iterator[list[Summarized]]:
    """Batches of summaries from `workers` processes, in the order of `relatives`.

    Raises WorkerFailed when a process breaks; what was yielded until then stays valid, and
    the caller goes on from there.
    """
    batches = [list(relatives[i : i + BATCH]) for i in range(0, len(relatives), BATCH)]
    workers = max(1, min(workers, len(batches)))
    jobs = [
        pickle.dumps((SUMMARIES_JOB, str(root), config.max_file_bytes, batches[k::workers]))
        for k in range(workers)
    ]
    for payload in run_in_workers(jobs, len(batches)):
        yield decode_frame(decode_batch, payload)


def serve_summaries(job: tuple[object, ...], sink: BinaryIO) -> None:
    """The worker's side of summarize_in_workers."""
    _, root, max_file_bytes, batches = job
    assert isinstance(root, str) and isinstance(max_file_bytes, int)
    assert isinstance(batches, list)
    config = Config(max_file_bytes=max_file_bytes)
    for batch in batches:
        summarized = [summarize_file(Path(root), relative, config) for relative in batch]
        write_frame(sink, encode_batch(summarized))


def run_in_workers(jobs: Sequence[bytes], frames: int) -> Iterator[bytes]:
    """Run one `python -m notels.worker` per job; yield `frames` result frames round-robin.

    Job k answers frames k, k + len(jobs), ...: the caller deals its batches out that way, so
    the frames come back in the batches' order. Raises WorkerFailed when a process breaks.
    """
    if not jobs or frames == 0:
        return
    processes: list[subprocess.Popen[bytes]] = []
    try:
        # Every process starts before any job is written: a write waits until its reader is up.
        for _ in jobs:
            processes.append(_spawn())
        for process, job in zip(processes, jobs, strict=True):
            _send_job(process, job)
        for i in range(frames):
            process = processes[i % len(processes)]
            assert process.stdout is not None
            try:
                frame = _read_frame(process.stdout)
            except (ValueError, EOFError, TypeError) as error:
                raise WorkerFailed(str(error)) from error
            yield frame
    finally:
        for process in processes:
            end(process)


def decode_frame(decode: Callable[[bytes], _Result], payload: bytes) -> _Result:
    """A worker's frame decoded; a frame that does not decode means the worker broke."""
    try:
        return decode(payload)
    except Exception as error:
        raise WorkerFailed(f"a worker sent an unreadable frame: {error!r}") from error


def write_frame(sink: BinaryIO, payload: bytes) -> None:
    sink.write(len(payload).to_bytes(4, "big"))
    sink.write(payload)
    sink.flush()


def _spawn() -> subprocess.Popen[bytes]:
    return spawn()


def _send_job(process: subprocess.Popen[bytes], job: bytes) -> None:
    assert process.stdin is not None
    try:
        process.stdin.write(job)
        process.stdin.close()
    except OSError:
        pass  # it died at once: reading its first frame will tell


def _read_frame(stream: IO[bytes]) -> bytes:
    size = _read_exactly(stream, 4)
    return _read_exactly(stream, int.from_bytes(size, "big"))


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if data is None or len(data) != size:
        raise WorkerFailed("a worker process ended early")
    return data
