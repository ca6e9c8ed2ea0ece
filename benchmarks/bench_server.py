#!/usr/bin/env python3
"""Benchmark the language server end to end, over stdio, as an editor would drive it.

Measures, on vaults made by generate_vault.py:

- startup indexing: from sending `initialized` to the `$/progress` end of the index run, cold
  (an empty index cache) and warm (a second launch that finds the cache of the first); and
  "launch": from starting the server process to that end, its own start-up included;
- RSS of the server process once indexed (cold run);
- keystroke latency: from a one-character `didChange` on a ~2,000-line note to the
  `publishDiagnostics` for that version; with the configured debounce (150 ms by default) and
  with `debounceMs: 0` sent as settings, which leaves the work itself plus the round trip; and
  the work alone as the server logs it (`--log-file`: applying the edits, then re-indexing,
  checking and publishing, the debounce excluded).

Usage::

    python benchmarks/bench_server.py                 # 1,000 and 10,000 notes, 50 keystrokes
    python benchmarks/bench_server.py --sizes 1000 --keystrokes 20

Prints a table and writes JSON to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchstats import median, p95
from installed import compile_server, server_environment
from lsprotocol import types
from pygls.lsp.client import LanguageClient

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TARGET_LINES = 2000
DEFAULT_DEBOUNCE_MS = 150


@dataclass
class KeystrokeResult:
    debounce_ms: int
    samples_ms: list[float]
    versions: list[int] = field(default_factory=list)  # the document version of each sample
    work_ms: list[float] = field(default_factory=list)  # as the server logged it

    @property
    def work_median_ms(self) -> float:
        return median(self.work_ms)

    @property
    def work_p95_ms(self) -> float:
        return p95(self.work_ms)

    @property
    def median_ms(self) -> float:
        return median(self.samples_ms)

    @property
    def p95_ms(self) -> float:
        return p95(self.samples_ms)


@dataclass
class VaultResult:
    notes: int
    markdown_mb: float
    index_s: float
    server_index_s: float | None  # as the server logged it, without the startup round trips
    launch_s: float = 0.0  # from starting the process to the end of the index run
    warm_index_s: float | None = None  # second launch, with the cache of the first
    warm_server_index_s: float | None = None
    warm_launch_s: float | None = None
    warm_from_cache: int = 0  # notes the warm run took from the cache
    rss_mb: float = 0.0  # server process after indexing (cold run)
    note: str = ""
    note_lines: int = 0
    keystrokes: list[KeystrokeResult] = field(default_factory=list)


class BenchClient:
    """A pygls client that records what the benchmark waits for."""

    def __init__(self) -> None:
        self.client = LanguageClient("notels-bench", "1")
        self.progress_end = asyncio.Event()
        self.versions: dict[str, asyncio.Future[float]] = {}
        self.published: dict[str, list[types.Diagnostic]] = {}  # the last diagnostics of a URI
        self.launched = 0.0  # perf_counter when the server process was started
        self.log: list[str] = []
        self.settings: dict[str, Any] = {}
        feature = self.client.feature

        @feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def create(params: types.WorkDoneProgressCreateParams) -> None:
            return None

        @feature(types.PROGRESS)
        def progress(params: types.ProgressParams) -> None:
            value = params.value
            if isinstance(value, dict) and value.get("kind") == "end":
                self.progress_end.set()

        @feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.published[params.uri] = params.diagnostics
            future = self.versions.get(f"{params.uri}@{params.version}")
            if future is not None and not future.done():
                future.set_result(time.perf_counter())

        @feature(types.WORKSPACE_CONFIGURATION)
        def configuration(params: types.ConfigurationParams) -> list[Any]:
            return [self.settings for _ in params.items]

        @feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(params: types.RegistrationParams) -> None:
            return None

        @feature(types.WINDOW_LOG_MESSAGE)
        def log_message(params: types.LogMessageParams) -> None:
            self.log.append(params.message)

    async def start(self, cache_dir: Path, log_file: Path | None = None) -> None:
        env = server_environment(NOTELS_CACHE_DIR=str(cache_dir))
        options = ["--log-file", str(log_file)] if log_file is not None else []
        self.launched = time.perf_counter()
        await self.client.start_io(sys.executable, "-m", "notels", "serve", *options, env=env)

    async def initialize(self, root: Path) -> tuple[float, float]:
        """Initialize on `root`; seconds from `initialized`, and from the launch, to the end of
        the index run."""
        capabilities = types.ClientCapabilities(
            window=types.WindowClientCapabilities(work_done_progress=True),
            workspace=types.WorkspaceClientCapabilities(configuration=True),
            text_document=types.TextDocumentClientCapabilities(
                publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True)
            ),
        )
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=capabilities,
                process_id=os.getpid(),
                workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            )
        )
        started = time.perf_counter()
        self.client.initialized(types.InitializedParams())
        await asyncio.wait_for(self.progress_end.wait(), timeout=600)
        ended = time.perf_counter()
        return ended - started, ended - self.launched

    def server_index_seconds(self) -> float | None:
        return self._indexed()[0]

    def from_cache(self) -> int:
        return self._indexed()[1]

    def _indexed(self) -> tuple[float | None, int]:
        """(seconds, notes from the cache) of the server's "indexed N notes of R in S s (C from
        the cache)" log line."""
        pattern = re.compile(r"indexed \d+ notes of .* in ([\d.]+) s \((\d+) from the cache\)")
        for message in self.log:
            match = pattern.match(message)
            if match:
                return float(match.group(1)), int(match.group(2))
        return None, 0

    def rss_mb(self) -> float:
        process = self.client._server  # pygls keeps the server process here
        assert process is not None
        status = Path(f"/proc/{process.pid}/status").read_text(encoding="ascii")
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    async def open(self, uri: str, text: str) -> None:
        opened = self._expect(uri, 1)
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="markdown", version=1, text=text
                )
            )
        )
        await asyncio.wait_for(opened, timeout=60)

    async def keystroke(self, uri: str, version: int, line: int, character: int) -> float:
        """Type one letter; milliseconds until the diagnostics of that version arrive."""
        published = self._expect(uri, version)
        position = types.Position(line=line, character=character)
        sent = time.perf_counter()
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(start=position, end=position), text="ж"
                    )
                ],
            )
        )
        received = await asyncio.wait_for(published, timeout=60)
        return (received - sent) * 1000

    def set_debounce(self, milliseconds: int) -> None:
        self.settings = {"debounceMs": milliseconds}
        self.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"notels": self.settings})
        )

    def _expect(self, uri: str, version: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.versions[f"{uri}@{version}"] = future
        return future

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


def ensure_vault(notes: int) -> Path:
    sys.path.insert(0, str(HERE))
    from generate_vault import ensure_vault as shared_vault

    return shared_vault(notes)


def pick_note(root: Path) -> tuple[Path, str, int]:
    """The smallest note of at least TARGET_LINES lines, cut to that, and a prose line in it."""
    best: tuple[int, Path, str] | None = None
    for path in root.rglob("*.md"):
        data = path.read_bytes()
        count = data.count(b"\n") + 1
        if count >= TARGET_LINES and (best is None or count < best[0]):
            best = (count, path, data.decode("utf-8-sig", errors="replace"))
    if best is None:
        raise SystemExit(f"no note of {TARGET_LINES}+ lines in {root}")
    _, path, text = best
    # Opened with exactly TARGET_LINES lines: the editor's text replaces the file's in the index.
    lines = text.splitlines()[:TARGET_LINES]
    text = "\n".join(lines) + "\n"
    middle = len(lines) // 2
    for number in range(middle, len(lines)):
        line = lines[number]
        if line[:1].isalpha() and not line.startswith(("START", "END", "ID:", "TARGET", "Basic")):
            return path, text, number
    raise SystemExit(f"no prose line in {path}")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def wait_for_cache(folder: Path, timeout: float = 120.0) -> None:
    """The cache file is written after the index is announced, on a thread of its own."""
    deadline = time.monotonic() + timeout
    while not list(folder.glob("*.index")):
        if time.monotonic() > deadline:
            raise SystemExit(f"no index cache written in {folder} within {timeout} s")
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # and the garbage collection after it


async def launch_and_index(
    root: Path, cache_dir: Path, log_file: Path | None = None
) -> tuple[BenchClient, float, float]:
    bench = BenchClient()
    await bench.start(cache_dir, log_file)
    index_s, launch_s = await bench.initialize(root)
    for _ in range(100):  # the server logs its own timing right after the progress end
        if bench.server_index_seconds() is not None:
            break
        await asyncio.sleep(0.02)
    return bench, index_s, launch_s


async def bench_vault(notes: int, keystrokes: int, starts: int) -> VaultResult:
    """`starts` cold launches (each with an empty cache) and as many warm ones; medians."""
    root = ensure_vault(notes)
    markdown = sum(p.stat().st_size for p in root.rglob("*.md"))
    cold: list[tuple[float, float | None, float]] = []
    launches: list[float] = []
    for _ in range(starts):
        with tempfile.TemporaryDirectory(prefix="notels-bench-cache-") as cache:
            bench, index_s, launch_s = await launch_and_index(root, Path(cache))
            launches.append(launch_s)
            try:
                await wait_for_cache(Path(cache))  # RSS once the run's garbage is freed
                cold.append((index_s, bench.server_index_seconds(), bench.rss_mb()))
            finally:
                await bench.stop()
    cold.sort(key=lambda run: run[0])
    index_s, server_s, rss = cold[len(cold) // 2]
    result = VaultResult(notes, markdown / 1e6, index_s, server_s, median(launches), rss_mb=rss)
    cache_dir = tempfile.TemporaryDirectory(prefix="notels-bench-cache-")
    warm_runs: list[tuple[float, float | None, int]] = []
    warm_launches: list[float] = []
    with cache_dir as cache:
        first, _, _ = await launch_and_index(root, Path(cache))  # fills the cache
        await wait_for_cache(Path(cache))
        await first.stop()
        log_file = Path(cache) / "server.log"  # the last warm server logs each keystroke's work
        for number in range(starts):
            last = number == starts - 1
            warm, warm_s, launch_s = await launch_and_index(
                root, Path(cache), log_file if last else None
            )
            warm_launches.append(launch_s)
            warm_runs.append((warm_s, warm.server_index_seconds(), warm.from_cache()))
            if not last:
                await warm.stop()
        warm_runs.sort(key=lambda run: run[0])
        result.warm_index_s, result.warm_server_index_s, result.warm_from_cache = warm_runs[
            len(warm_runs) // 2
        ]
        result.warm_launch_s = median(warm_launches)
        bench = warm
        try:
            await type_keystrokes(bench, root, keystrokes, result)
        finally:
            await bench.stop()
        work = logged_work(log_file)
        for series in result.keystrokes:
            series.work_ms = [work[v] for v in series.versions if v in work]
    return result


async def type_keystrokes(
    bench: BenchClient, root: Path, keystrokes: int, result: VaultResult
) -> None:
    """Type into a 2,000-line note, with the default debounce and then with none."""
    if not keystrokes:
        return
    path, text, line = pick_note(root)
    uri = path.as_uri()
    result.note = str(path.relative_to(root))
    result.note_lines = len(text.splitlines())
    await bench.open(uri, text)
    column = utf16_length(text.splitlines()[line])
    version = 1
    for debounce in (DEFAULT_DEBOUNCE_MS, 0):
        if debounce != DEFAULT_DEBOUNCE_MS:
            bench.set_debounce(debounce)
            await asyncio.sleep(0.5)  # the re-check of the settings change is done
        samples = []
        versions = []
        for _ in range(keystrokes):
            version += 1
            versions.append(version)
            samples.append(await bench.keystroke(uri, version, line, column))
            column += 1
        result.keystrokes.append(KeystrokeResult(debounce, samples, versions))


def logged_work(log_file: Path) -> dict[int, float]:
    """Version -> milliseconds of work, from the server's "keystroke work" debug lines."""
    pattern = re.compile(r"keystroke work \S+ v(\d+): ([\d.]+) ms")
    work: dict[int, float] = {}
    text = log_file.read_text(encoding="utf-8") if log_file.exists() else ""
    for match in pattern.finditer(text):
        work[int(match.group(1))] = float(match.group(2))
    return work


def print_table(results: list[VaultResult]) -> None:
    print(
        f"{'notes':>7} {'MB':>6} {'cold s':>7} {'server':>7} {'launch':>7} {'warm s':>7}"
        f" {'server':>7} {'launch':>7} {'cached':>7} {'RSS MB':>7}  keystroke (2,000-line note)"
    )
    for r in results:
        server = f"{r.server_index_s:.2f}" if r.server_index_s is not None else "-"
        warm = f"{r.warm_index_s:.2f}" if r.warm_index_s is not None else "-"
        warm_server = f"{r.warm_server_index_s:.2f}" if r.warm_server_index_s is not None else "-"
        warm_launch = f"{r.warm_launch_s:.2f}" if r.warm_launch_s is not None else "-"
        keys = "  ".join(
            f"debounce {k.debounce_ms:>3} ms: median {k.median_ms:6.1f} ms, p95 {k.p95_ms:6.1f} ms"
            f" (work median {k.work_median_ms:4.1f} ms, p95 {k.work_p95_ms:4.1f} ms)"
            for k in r.keystrokes
        )
        print(
            f"{r.notes:>7} {r.markdown_mb:>6.1f} {r.index_s:>7.2f} {server:>7} {r.launch_s:>7.2f}"
            f" {warm:>7} {warm_server:>7} {warm_launch:>7} {r.warm_from_cache:>7}"
            f" {r.rss_mb:>7.0f}  {keys}"
        )
    for r in results:
        if r.note:
            print(f"  {r.notes} notes: typed into {r.note} ({r.note_lines} lines)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--keystrokes", type=int, default=50)
    parser.add_argument("--starts", type=int, default=3, help="cold and warm launches each")
    args = parser.parse_args(argv)
    compile_server()
    results = [asyncio.run(bench_vault(n, args.keystrokes, args.starts)) for n in args.sizes]
    print_table(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench_server-{time.strftime('%Y%m%d-%H%M%S')}.json"
    payload = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "results": [
            {
                **{k: v for k, v in asdict(r).items() if k != "keystrokes"},
                "keystrokes": [
                    {
                        "debounce_ms": k.debounce_ms,
                        "median_ms": round(k.median_ms, 2),
                        "p95_ms": round(k.p95_ms, 2),
                        "samples_ms": [round(s, 2) for s in k.samples_ms],
                        "work_median_ms": round(k.work_median_ms, 2),
                        "work_p95_ms": round(k.work_p95_ms, 2),
                        "work_ms": [round(s, 2) for s in k.work_ms],
                    }
                    for k in r.keystrokes
                ],
            }
            for r in results
        ],
    }
    out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
