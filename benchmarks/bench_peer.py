#!/usr/bin/env python3
"""Compare notels with VS Code's Markdown language server on the same vault, over stdio.

The peer is `vscode-markdown-languageserver` (the server behind VS Code's built-in Markdown
support), pinned in benchmarks/peer/package-lock.json and installed on first run with
`npm ci --prefix benchmarks/peer`. Both servers are driven one after the other, like an editor:
initialize on the vault folder, open a note of median size, then time requests.

Measured for both, median and p95 over `--runs` requests each (after 3 untimed warm-ups):

- ready: from process start to the first workspace/symbol answer that holds results (the peer
  indexes lazily on that request); completion is the fallback probe when workspace/symbol is
  missing. notels' "index done" (its `$/progress` end) is reported beside it;
- link completion with 1, 2 and 3 typed characters: notels after `[[`, the peer after `[](`
  (it has no `[[` completion: that is checked and reported);
- go to definition on a link to a heading of another note: `[[Note#Heading]]` for notels,
  `[text](</path/Note.md#Heading>)` for the peer (it ignores wikilinks and resolves only links
  with a fragment);
- references on a link to the most linked note;
- workspace symbols for 2 and 3 character queries.

The peer asks its client for files and markdown-it tokens (`markdown/fs/*`,
`markdown/findMarkdownFilesInWorkspace`, `markdown/parse`); this client answers them from disk
and with markdown-it-py's commonmark preset, and reports the time it spent doing so.

Usage::

    python benchmarks/bench_peer.py --notes 1000                  # 100 requests per measure
    python benchmarks/bench_peer.py --notes 1000 10000 --runs 50
    python benchmarks/bench_peer.py --vault /tmp/vault1k

Prints a table with notels/peer ratios (below 1: notels is faster) and writes
benchmarks/results/peer.json.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from benchstats import median, p95
from installed import compile_server, server_environment
from markdown_it import MarkdownIt
from markdown_it.token import Token

HERE = Path(__file__).resolve().parent
PEER_DIR = HERE / "peer"
PEER_PACKAGE = "vscode-markdown-languageserver"
PEER_MAIN = PEER_DIR / "node_modules" / PEER_PACKAGE / "dist" / "node" / "workerMain.js"
RESULTS = HERE / "results"

METHOD_NOT_FOUND = -32601
REQUEST_TIMEOUT_S = 30.0  # one timed request
WARMUP_TIMEOUT_S = 600.0  # the first request of a kind may build a cache of the whole vault
SHUTDOWN_TIMEOUT_S = 5.0
WARMUPS = 3
MAX_TIMEOUTS = 3  # consecutive timeouts before a measure gives up
BUDGET_MS = {"completion": 30.0, "definition": 5.0, "references": 30.0}  # notels, 10,000 notes
TARGETS = 20  # distinct heading links for go to definition
LEADS = {"notels": "See [[", "peer": "See []("}

# VS Code's defaults for the settings the peer reads (it crashes on a partial `validate`).
PEER_SETTINGS: dict[str, Any] = {
    "markdown": {
        "server": {"log": "off"},
        "preferredMdPathExtensionStyle": "auto",
        "suggest": {"paths": {"enabled": True, "includeWorkspaceHeaderCompletions": "never"}},
        "occurrencesHighlight": {"enabled": False},
        "validate": {
            "enabled": False,
            "referenceLinks": {"enabled": "warning"},
            "fragmentLinks": {"enabled": "warning"},
            "fileLinks": {"enabled": "warning", "markdownFragmentLinks": "inherit"},
            "ignoredLinks": [],
            "unusedLinkDefinitions": {"enabled": "hint"},
            "duplicateLinkDefinitions": {"enabled": "warning"},
        },
    }
}

# Every server process started, killed at exit whatever happens.
LIVE_PIDS: set[int] = set()


def kill_live_processes() -> None:
    for pid in list(LIVE_PIDS):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        LIVE_PIDS.discard(pid)


atexit.register(kill_live_processes)


# --- statistics ---------------------------------------------------------------------------------


@dataclass
class Measure:
    name: str
    samples_ms: list[float] = field(default_factory=list)
    items: list[int] = field(default_factory=list)
    na: str | None = None  # why there is no measurement
    failures: int = 0
    errors: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.na is None and bool(self.samples_ms)

    @property
    def median_ms(self) -> float:
        return median(self.samples_ms)

    @property
    def p95_ms(self) -> float:
        return p95(self.samples_ms)

    @property
    def mean_items(self) -> float:
        return statistics.mean(self.items) if self.items else 0.0

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "na": self.na}
        if self.ok:
            out |= {
                "median_ms": round(self.median_ms, 3),
                "p95_ms": round(self.p95_ms, 3),
                "max_ms": round(max(self.samples_ms), 3),
                "requests": len(self.samples_ms),
                "mean_items": round(self.mean_items, 1),
                "empty_answers": sum(1 for n in self.items if n == 0),
            }
        if self.failures:
            out |= {"failures": self.failures, "errors": self.errors[:5]}
        if self.note:
            out["note"] = self.note
        return out


# --- JSON-RPC over stdio ------------------------------------------------------------------------


class RpcError(Exception):
    def __init__(self, method: str, code: int, message: str) -> None:
        super().__init__(f"{method}: {message} ({code})")
        self.method = method
        self.code = code


RequestHandler = Callable[[Any], Awaitable[Any]]
NotificationHandler = Callable[[Any], None]


class Connection:
    """A minimal LSP client endpoint: requests both ways, notifications, Content-Length frames."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.process: asyncio.subprocess.Process | None = None
        self.pending: dict[int, tuple[str, asyncio.Future[Any]]] = {}
        self.requests: dict[str, RequestHandler] = {}
        self.notifications: dict[str, NotificationHandler] = {}
        self.served: Counter[str] = Counter()
        self.client_busy_s = 0.0  # time spent answering the server's requests
        self.stderr_tail: deque[str] = deque(maxlen=40)
        self.log_tail: deque[str] = deque(maxlen=40)
        self._next_id = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._served_tasks: set[asyncio.Task[None]] = set()

    async def start(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            cwd=cwd,
            start_new_session=True,  # a Ctrl-C in the terminal reaches only this script
        )
        LIVE_PIDS.add(self.process.pid)
        self._tasks = [
            asyncio.create_task(self._read_messages()),
            asyncio.create_task(self._read_stderr()),
        ]

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def _read_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        while line := await self.process.stderr.readline():
            self.stderr_tail.append(line.decode("utf-8", "replace").rstrip())

    async def _read_messages(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        stdout = self.process.stdout
        try:
            while True:
                length = -1
                while True:
                    line = await stdout.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if length < 0:
                    continue
                body = await stdout.readexactly(length)
                self._dispatch(json.loads(body))
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            for method, future in self.pending.values():
                if not future.done():
                    future.set_exception(ConnectionError(f"{self.name} exited during {method}"))
            self.pending.clear()

    def _dispatch(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method is None:
            entry = self.pending.pop(message.get("id", -1), None)
            if entry is None or entry[1].done():
                return
            name, future = entry
            if "error" in message:
                error = message["error"] or {}
                future.set_exception(
                    RpcError(name, int(error.get("code", 0)), str(error.get("message", "")))
                )
            else:
                future.set_result(message.get("result"))
        elif "id" in message:
            task = asyncio.create_task(self._serve(method, message["id"], message.get("params")))
            self._served_tasks.add(task)
            task.add_done_callback(self._served_tasks.discard)
        else:
            handler = self.notifications.get(method)
            if handler is not None:
                handler(message.get("params"))

    async def _serve(self, method: str, request_id: Any, params: Any) -> None:
        self.served[method] += 1
        handler = self.requests.get(method)
        start = time.perf_counter()
        reply: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
        try:
            reply["result"] = await handler(params) if handler is not None else None
        except Exception as error:  # the server gets an error answer, the benchmark goes on
            reply["error"] = {"code": -32603, "message": f"{type(error).__name__}: {error}"}
        self.client_busy_s += time.perf_counter() - start
        await self._send(reply)

    async def _send(self, payload: dict[str, Any]) -> None:
        if not self.alive:
            return
        assert self.process is not None and self.process.stdin is not None
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            await self.process.stdin.drain()
        except (ConnectionError, RuntimeError):
            pass

    async def request(self, method: str, params: Any, timeout: float) -> Any:
        if not self.alive:
            raise ConnectionError(f"{self.name} is not running")
        self._next_id += 1
        request_id = self._next_id
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[request_id] = (method, future)
        message = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
        await self._send(message)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            self.pending.pop(request_id, None)
            await self.notify("$/cancelRequest", {"id": request_id})
            raise

    async def notify(self, method: str, params: Any) -> None:
        await self._send({"jsonrpc": "2.0", "method": method, "params": params})

    async def close(self) -> None:
        """shutdown + exit, bounded; the process is killed if it is still there."""
        process = self.process
        if process is None:
            return
        try:
            if self.alive:
                await self.request("shutdown", None, SHUTDOWN_TIMEOUT_S)
                await self.notify("exit", None)
                await asyncio.wait_for(process.wait(), SHUTDOWN_TIMEOUT_S)
        except (TimeoutError, ConnectionError, RpcError):
            pass
        finally:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(process.wait(), SHUTDOWN_TIMEOUT_S)
            LIVE_PIDS.discard(process.pid)
            for task in self._tasks:
                task.cancel()
            for task in list(self._served_tasks):
                task.cancel()


# --- the peer's custom requests: files and markdown-it tokens -----------------------------------


def path_of(uri: str) -> Path:
    return Path(url2pathname(urlparse(uri).path))


def token_json(token: Token) -> dict[str, Any]:
    """A markdown-it-py token in the JSON shape of a markdown-it (JS) Token."""
    children = token.children
    return {
        "type": token.type,
        "tag": token.tag,
        "attrs": [[name, value] for name, value in token.attrs.items()] or None,
        "map": token.map,
        "nesting": token.nesting,
        "level": token.level,
        "children": None if children is None else [token_json(c) for c in children],
        "content": token.content,
        "markup": token.markup,
        "info": token.info,
        "meta": token.meta or None,
        "block": token.block,
        "hidden": token.hidden,
    }


def split_front_matter(text: str) -> tuple[int, str]:
    """Lines of a leading `---` YAML block (0 if none) and its content."""
    lines = text.split("\n")
    if lines[0].rstrip("\r") != "---":
        return 0, ""
    for number in range(1, len(lines)):
        if lines[number].rstrip("\r") == "---":
            return number + 1, "\n".join(lines[1:number])
    return 0, ""


class PeerHost:
    """Answers the peer's requests as VS Code's Markdown extension does, from disk and open docs.

    Tokens come from markdown-it-py's commonmark preset. VS Code's engine adds a front-matter
    plugin; here a leading YAML block becomes a `front_matter` token and blank lines, so that
    its `---` lines do not turn into a rule and a setext heading.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.open_texts: dict[Path, str] = {}
        self.markdown = MarkdownIt("commonmark")

    def install(self, connection: Connection) -> None:
        connection.requests |= {
            "markdown/findMarkdownFilesInWorkspace": self.find_files,
            "markdown/fs/readFile": self.read_file,
            "markdown/fs/stat": self.stat,
            "markdown/fs/readDirectory": self.read_directory,
            "markdown/parse": self.parse,
            "markdown/fs/watcher/create": self.nothing,
            "markdown/fs/watcher/delete": self.nothing,
        }

    async def nothing(self, params: Any) -> None:
        return None

    async def find_files(self, params: Any) -> list[str]:
        return [path.as_uri() for path in markdown_files(self.root)]

    async def read_file(self, params: Any) -> list[int]:
        path = path_of(params["uri"])
        if path in self.open_texts:
            return list(self.open_texts[path].encode("utf-8"))
        return list(path.read_bytes())

    async def stat(self, params: Any) -> dict[str, bool] | None:
        path = path_of(params["uri"])
        if path in self.open_texts:
            return {"isDirectory": False}
        try:
            return {"isDirectory": path.is_dir()} if path.exists() else None
        except OSError:
            return None

    async def read_directory(self, params: Any) -> list[list[Any]]:
        path = path_of(params["uri"])
        return [[entry.name, {"isDirectory": entry.is_dir()}] for entry in sorted(path.iterdir())]

    async def parse(self, params: Any) -> list[dict[str, Any]]:
        text = params.get("text")
        if not isinstance(text, str):
            path = path_of(params["uri"])
            text = self.open_texts.get(path)
            if text is None:
                try:
                    text = path.read_text("utf-8-sig")
                except OSError:
                    return []
        return self.tokens(text)

    def tokens(self, text: str) -> list[dict[str, Any]]:
        lines, yaml = split_front_matter(text)
        if not lines:
            return [token_json(t) for t in self.markdown.parse(text)]
        rest = text.split("\n", lines)[-1] if text.count("\n") >= lines else ""
        body = "\n" * lines + rest  # blank lines keep the token maps on the right lines
        front = {
            "type": "front_matter",
            "tag": "",
            "attrs": None,
            "map": [0, lines],
            "nesting": 0,
            "level": 0,
            "children": None,
            "content": yaml,
            "markup": "---",
            "info": "",
            "meta": yaml,
            "block": True,
            "hidden": True,
        }
        return [front, *(token_json(t) for t in self.markdown.parse(body))]


# --- the vault ----------------------------------------------------------------------------------

WIKILINK = re.compile(r"\[\[([^\[\]|#^\n]+)(?:#([^\[\]|\n]*))?(?:\|[^\[\]\n]*)?\]\]")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*$", re.MULTILINE)
PLAIN = re.compile(r"[\w ,.'-]+")  # safe inside `[[...]]` and an angle-bracket link, both sides


def github_slug(heading: str) -> str:
    """The peer's slug of a PLAIN heading (its GitHub slugifier drops `,.'`, not `-` or `_`)."""
    return re.sub(r"\s", "-", re.sub(r"[,.']", "", heading.strip().lower()))


def markdown_files(root: Path) -> list[Path]:
    """The notes as VS Code's findFiles lists them: no hidden folders, no node_modules."""
    return sorted(
        path
        for path in root.rglob("*.md")
        if not any(
            part.startswith(".") or part == "node_modules" for part in path.relative_to(root).parts
        )
    )


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class HeadingTarget:
    path: str  # vault-relative, posix
    name: str  # the note's (unique) name, as a wikilink writes it
    heading: str


@dataclass
class VaultFacts:
    root: Path
    notes: int
    markdown_mb: float
    typing_path: Path
    typing_text: str
    typing_folder_entries: int
    popular_path: str
    popular_wikilinks: int
    targets: list[HeadingTarget]
    prefixes: dict[int, list[str]]
    queries: list[str]
    ready_query: str


def scan_vault(root: Path, runs: int, seed: int) -> VaultFacts:
    """What the benchmark needs to know about the vault, read with regular expressions."""
    rng = Random(seed)
    files = markdown_files(root)
    texts: dict[str, str] = {}
    size = 0
    for path in files:
        data = path.read_bytes()
        size += len(data)
        texts[path.relative_to(root).as_posix()] = data.decode("utf-8-sig", "replace")
    by_name: dict[str, list[str]] = {}
    for relative in texts:
        by_name.setdefault(Path(relative).stem.lower(), []).append(relative)
    unique = {name: paths[0] for name, paths in by_name.items() if len(paths) == 1}

    backlinks: Counter[str] = Counter()
    heading_links: list[tuple[str, str]] = []
    heading_words: Counter[str] = Counter()
    headings_of: dict[str, set[str]] = {}
    for relative, text in texts.items():
        headings_of[relative] = {h.strip() for h in HEADING.findall(text)}
        for heading in headings_of[relative]:
            heading_words.update(w.lower() for w in heading.split() if w.isalpha() and len(w) > 3)
        for match in WIKILINK.finditer(text):
            name = match.group(1).strip().rsplit("/", 1)[-1].lower()
            target = unique.get(name)
            if target is None or target == relative:
                continue
            backlinks[target] += 1
            if match.group(2):
                heading_links.append((target, match.group(2).strip()))

    def safe(relative: str) -> bool:
        return PLAIN.fullmatch(relative.replace("/", "")) is not None

    popular_path, popular_links = next(
        ((p, n) for p, n in backlinks.most_common() if safe(p)), ("", 0)
    )
    candidates = sorted(
        {
            (path, heading)
            for path, heading in heading_links
            if safe(path) and PLAIN.fullmatch(heading) and heading in headings_of[path]
        }
    )
    rng.shuffle(candidates)
    targets = [HeadingTarget(p, Path(p).stem, h) for p, h in candidates[:TARGETS]]

    # A note of median size to type into: in a folder, no CRLF, cards closed, not the popular one.
    def plain_note(item: tuple[str, str]) -> bool:
        relative, text = item
        return (
            "/" in relative
            and "\r" not in text
            and relative != popular_path
            and text.count("\nSTART") == text.count("\nEND")
        )

    typable = sorted(filter(plain_note, texts.items()), key=lambda item: len(item[1]))
    typing_relative, typing_text = typable[len(typable) // 2]
    typing_path = root / typing_relative

    stems = sorted(Path(r).stem for r in texts)
    prefixes = {}
    for length in (1, 2, 3):
        usable = [s[:length] for s in stems if len(s) >= length and s[:length].isalnum()]
        prefixes[length] = [rng.choice(usable) for _ in range(runs)]
    # Queries start words of headings: the peer's symbols are headings (notels' include them).
    words = sorted(heading_words) or sorted({w.lower() for s in stems for w in s.split()})
    queries = [rng.choice(words)[: rng.choice((2, 3))] for _ in range(runs)]
    common = heading_words.most_common(1)
    ready_query = common[0][0][:3] if common else words[0][:3]
    return VaultFacts(
        root=root,
        notes=len(files),
        markdown_mb=size / 1e6,
        typing_path=typing_path,
        typing_text=typing_text,
        typing_folder_entries=sum(1 for _ in typing_path.parent.iterdir()),
        popular_path=popular_path,
        popular_wikilinks=popular_links,
        targets=targets,
        prefixes=prefixes,
        queries=queries,
        ready_query=ready_query,
    )


def ensure_vault(notes: int) -> Path:
    """The vault every benchmark uses: benchmarks/.vaults/notes-N-seed-0, made if missing."""
    sys.path.insert(0, str(HERE))
    from generate_vault import ensure_vault as shared_vault

    return shared_vault(notes)


# --- the open note --------------------------------------------------------------------------


@dataclass
class Spot:
    line: int
    character: int  # UTF-16


@dataclass
class BenchNote:
    """The note typed into: the original text plus lines holding each server's links."""

    uri: str
    path: Path
    lines: list[str]
    typing_line: int
    definitions: dict[str, list[Spot]]
    references: dict[str, Spot]
    version: int = 1

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def bench_note(facts: VaultFacts) -> BenchNote:
    lines = [*facts.typing_text.rstrip("\n").split("\n"), ""]
    definitions: dict[str, list[Spot]] = {"notels": [], "peer": []}
    references: dict[str, Spot] = {}

    def add(server: str, line: str, start: str, inside: str) -> Spot:
        lines.append(line)
        column = line.index(start) + len(start)
        return Spot(len(lines) - 1, utf16_length(line[:column]) + utf16_length(inside) // 2)

    if facts.popular_path:
        popular = Path(facts.popular_path).stem
        references["notels"] = add("notels", f"Most linked: [[{popular}]]", "[[", popular)
        path = f"/{facts.popular_path}"
        references["peer"] = add("peer", f"Most linked: [it](<{path}>)", "(<", path)
    for target in facts.targets:
        spot = add("notels", f"- [[{target.name}#{target.heading}]]", "[[", target.name)
        definitions["notels"].append(spot)
    for target in facts.targets:
        path = f"/{target.path}"
        line = f"- [{target.name}](<{path}#{github_slug(target.heading)}>)"
        definitions["peer"].append(add("peer", line, "(<", path))
    lines.append("")
    return BenchNote(
        uri=facts.typing_path.as_uri(),
        path=facts.typing_path,
        lines=lines,
        typing_line=len(lines) - 1,
        definitions=definitions,
        references=references,
    )


# --- one server, driven like an editor ------------------------------------------------------


@dataclass
class Side:
    name: str
    argv: list[str]
    env: dict[str, str]
    initialization_options: dict[str, Any] | None
    settings: dict[str, Any] | None  # sent with workspace/didChangeConfiguration


@dataclass
class SideResult:
    name: str
    ready_s: float | None = None
    ready_na: str | None = None
    ready_probe: str = ""
    index_done_s: float | None = None
    index_na: str | None = None
    client_busy_ready_s: float = 0.0
    served: dict[str, int] = field(default_factory=dict)
    measures: list[Measure] = field(default_factory=list)
    wikilink_check: Measure | None = None
    capabilities: list[str] = field(default_factory=list)
    error: str | None = None
    stderr_tail: list[str] = field(default_factory=list)

    def measure(self, name: str) -> Measure | None:
        return next((m for m in self.measures if m.name == name), None)

    @property
    def ready_own_s(self) -> float | None:
        """Ready, less the time this client spent answering the server's requests meanwhile."""
        return None if self.ready_s is None else self.ready_s - self.client_busy_ready_s


def count_items(result: Any) -> int:
    if result is None:
        return 0
    if isinstance(result, dict):
        items = result.get("items")
        return len(items) if isinstance(items, list) else 1
    return len(result) if isinstance(result, list) else 1


CLIENT_CAPABILITIES: dict[str, Any] = {
    "general": {"positionEncodings": ["utf-16"]},
    "window": {"workDoneProgress": True},
    "workspace": {
        "configuration": True,
        "workspaceFolders": True,
        "didChangeConfiguration": {"dynamicRegistration": True},
        "didChangeWatchedFiles": {"dynamicRegistration": True},
        "symbol": {"dynamicRegistration": True},
    },
    "textDocument": {
        "synchronization": {"dynamicRegistration": True, "didSave": True},
        "completion": {
            "dynamicRegistration": True,
            "contextSupport": True,
            "completionItem": {
                "snippetSupport": True,
                "insertReplaceSupport": True,
                "labelDetailsSupport": True,
                "resolveSupport": {"properties": ["documentation", "detail"]},
            },
        },
        "hover": {"contentFormat": ["markdown", "plaintext"]},
        "definition": {"linkSupport": False},
        "references": {},
        "documentSymbol": {"hierarchicalDocumentSymbolSupport": True},
        "diagnostic": {"dynamicRegistration": True, "relatedDocumentSupport": False},
    },
}


class Driver:
    def __init__(self, side: Side, facts: VaultFacts, runs: int, deadline: float) -> None:
        self.side = side
        self.facts = facts
        self.runs = runs
        self.deadline = deadline
        self.connection = Connection(side.name)
        self.host = PeerHost(facts.root) if side.name == "peer" else None
        self.note = bench_note(facts)
        self.progress_end: float | None = None
        self.progress_tokens: set[Any] = set()
        self.result = SideResult(side.name)
        self.started = 0.0

    def remaining(self, cap: float) -> float:
        return max(0.1, min(cap, self.deadline - time.monotonic()))

    def install_handlers(self) -> None:
        connection = self.connection

        async def configuration(params: Any) -> list[Any]:
            items = params.get("items", []) if isinstance(params, dict) else []
            return [{} for _ in items]

        async def nothing(params: Any) -> None:
            return None

        connection.requests |= {
            "workspace/configuration": configuration,
            "window/workDoneProgress/create": nothing,
            "client/registerCapability": nothing,
            "client/unregisterCapability": nothing,
            "workspace/diagnostic/refresh": nothing,
            "workspace/semanticTokens/refresh": nothing,
            "workspace/inlayHint/refresh": nothing,
            "workspace/codeLens/refresh": nothing,
            "window/showMessageRequest": nothing,
            "workspace/workspaceFolders": self.workspace_folders,
        }

        def progress(params: Any) -> None:
            value = params.get("value") if isinstance(params, dict) else None
            if isinstance(value, dict) and value.get("kind") == "begin":
                self.progress_tokens.add(params.get("token"))
            if isinstance(value, dict) and value.get("kind") == "end" and not self.progress_end:
                self.progress_end = time.perf_counter()

        def log(params: Any) -> None:
            if isinstance(params, dict):
                connection.log_tail.append(str(params.get("message", ""))[:300])

        connection.notifications |= {
            "$/progress": progress,
            "window/logMessage": log,
            "window/showMessage": log,
        }
        if self.host is not None:
            self.host.install(connection)

    async def workspace_folders(self, params: Any) -> list[dict[str, str]]:
        return [{"uri": self.facts.root.as_uri(), "name": self.facts.root.name}]

    # --- document edits ---

    async def open_note(self) -> None:
        note = self.note
        if self.host is not None:
            self.host.open_texts[note.path] = note.text
        document = {"uri": note.uri, "languageId": "markdown", "version": 1, "text": note.text}
        await self.connection.notify("textDocument/didOpen", {"textDocument": document})

    async def set_typing_line(self, text: str) -> Spot:
        """Replace the last line (an incremental change, as an editor sends a keystroke)."""
        note = self.note
        line = note.typing_line
        old = note.lines[line]
        note.lines[line] = text
        note.version += 1
        if self.host is not None:
            self.host.open_texts[note.path] = note.text
        change = {
            "range": {
                "start": {"line": line, "character": 0},
                "end": {"line": line, "character": utf16_length(old)},
            },
            "text": text,
        }
        await self.connection.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": note.uri, "version": note.version},
                "contentChanges": [change],
            },
        )
        return Spot(line, utf16_length(text))

    def position(self, spot: Spot) -> dict[str, Any]:
        return {
            "textDocument": {"uri": self.note.uri},
            "position": {"line": spot.line, "character": spot.character},
        }

    async def timed(self, method: str, params: Any, timeout: float) -> tuple[float, int]:
        start = time.perf_counter()
        result = await self.connection.request(method, params, self.remaining(timeout))
        return (time.perf_counter() - start) * 1000, count_items(result)

    # --- the run ---

    async def run(self) -> SideResult:
        result = self.result
        try:
            await self.start()
            await self.wait_ready()
            await self.wait_indexed()
            await self.measure_all()
        except Exception as error:  # reported, and the other server still runs
            result.error = f"{type(error).__name__}: {error}"
        finally:
            result.served = dict(self.connection.served)
            result.stderr_tail = list(self.connection.stderr_tail)[-10:]
            await self.connection.close()
        return result

    async def start(self) -> None:
        self.install_handlers()
        root = self.facts.root
        self.started = time.perf_counter()
        await self.connection.start(self.side.argv, self.side.env, HERE.parent)
        params: dict[str, Any] = {
            "processId": os.getpid(),
            "clientInfo": {"name": "notels-bench-peer", "version": "1"},
            "rootUri": root.as_uri(),
            "rootPath": str(root),
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "capabilities": CLIENT_CAPABILITIES,
        }
        if self.side.initialization_options is not None:
            params["initializationOptions"] = self.side.initialization_options
        answer = await self.connection.request("initialize", params, self.remaining(120))
        capabilities = answer.get("capabilities", {}) if isinstance(answer, dict) else {}
        self.result.capabilities = sorted(k for k, v in capabilities.items() if v)
        await self.connection.notify("initialized", {})
        if self.side.settings is not None:
            await self.connection.notify(
                "workspace/didChangeConfiguration", {"settings": self.side.settings}
            )
        await self.open_note()

    async def wait_ready(self) -> None:
        """Poll until a workspace/symbol (else completion) request returns results."""
        result = self.result
        busy_before = self.connection.client_busy_s
        probes: list[tuple[str, Callable[[float], Awaitable[int]]]] = [
            ("workspace/symbol", self.symbol_probe),
            ("completion", self.completion_probe),
        ]
        reasons = []
        for name, probe in probes:
            while time.monotonic() < self.deadline:
                try:
                    found = await probe(self.remaining(WARMUP_TIMEOUT_S))
                except RpcError as error:
                    if error.code == METHOD_NOT_FOUND:
                        reasons.append(f"{error.method}: method not found")
                        break
                    await asyncio.sleep(0.05)  # e.g. busy indexing: ask again
                    continue
                if found:
                    result.ready_s = time.perf_counter() - self.started
                    result.ready_probe = name
                    result.client_busy_ready_s = self.connection.client_busy_s - busy_before
                    return
                await asyncio.sleep(0.02)
            else:
                reasons.append(f"{name}: no results before the overall timeout")
        result.ready_na = "; ".join(reasons)

    async def symbol_probe(self, timeout: float) -> int:
        params = {"query": self.facts.ready_query}
        return count_items(await self.connection.request("workspace/symbol", params, timeout))

    async def completion_probe(self, timeout: float) -> int:
        prefix = self.facts.prefixes[1][0]
        spot = await self.set_typing_line(LEADS[self.side.name] + prefix)
        params = self.position(spot) | {"context": {"triggerKind": 1}}
        found = await self.connection.request("textDocument/completion", params, timeout)
        await self.set_typing_line("")
        return count_items(found)

    async def wait_indexed(self) -> None:
        """notels reports its index run with $/progress; wait for its end (bounded)."""
        result = self.result
        if self.progress_tokens or self.side.name == "notels":
            limit = time.monotonic() + self.remaining(WARMUP_TIMEOUT_S)
            while self.progress_end is None and time.monotonic() < limit:
                await asyncio.sleep(0.02)
            if self.progress_end is not None:
                result.index_done_s = self.progress_end - self.started
            else:
                result.index_na = "no $/progress end before the timeout"
        else:
            result.index_na = "reports no indexing progress (indexes on the first vault request)"

    async def measure_all(self) -> None:
        name = self.side.name
        lead = LEADS[name]
        measures = self.result.measures
        for length in (1, 2, 3):
            prefixes = self.facts.prefixes[length]

            async def complete(i: int, timeout: float, prefixes: list[str] = prefixes) -> Any:
                spot = await self.set_typing_line(lead + prefixes[i % len(prefixes)])
                params = self.position(spot) | {"context": {"triggerKind": 1}}
                return await self.timed("textDocument/completion", params, timeout)

            measures.append(await self.repeat(f"link completion +{length}", complete))
        await self.set_typing_line("")

        if name == "peer":  # does it complete `[[` at all?

            async def wikilink(i: int, timeout: float) -> Any:
                prefix = self.facts.prefixes[2][i % len(self.facts.prefixes[2])]
                spot = await self.set_typing_line("See [[" + prefix)
                params = self.position(spot) | {"context": {"triggerKind": 1}}
                return await self.timed("textDocument/completion", params, timeout)

            self.result.wikilink_check = await self.repeat("[[ completion check", wikilink, 10)
            await self.set_typing_line("")

        spots = self.note.definitions[name]
        if spots:

            async def define(i: int, timeout: float) -> Any:
                params = self.position(spots[i % len(spots)])
                return await self.timed("textDocument/definition", params, timeout)

            measures.append(await self.repeat("definition", define))
        else:
            measures.append(Measure("definition", na="no heading links found in the vault"))

        spot = self.note.references.get(name)
        if spot is not None:

            async def refer(i: int, timeout: float) -> Any:
                params = self.position(spot) | {"context": {"includeDeclaration": True}}
                return await self.timed("textDocument/references", params, timeout)

            measures.append(await self.repeat("references", refer))
        else:
            measures.append(Measure("references", na="no linked note found in the vault"))

        queries = self.facts.queries

        async def symbols(i: int, timeout: float) -> Any:
            params = {"query": queries[i % len(queries)]}
            return await self.timed("workspace/symbol", params, timeout)

        measures.append(await self.repeat("workspace symbols", symbols))

    async def repeat(
        self,
        name: str,
        sample: Callable[[int, float], Awaitable[tuple[float, int]]],
        runs: int | None = None,
    ) -> Measure:
        """`runs` timed samples after WARMUPS untimed ones; errors and timeouts are counted."""
        measure = Measure(name)
        total = self.runs if runs is None else runs
        timeouts = 0
        for i in range(-WARMUPS, total):
            if time.monotonic() >= self.deadline:
                measure.na = measure.na or "overall timeout reached"
                break
            try:
                elapsed, items = await sample(i, WARMUP_TIMEOUT_S if i < 0 else REQUEST_TIMEOUT_S)
            except RpcError as error:
                if error.code == METHOD_NOT_FOUND:
                    measure.na = f"{error.method}: method not found"
                    return measure
                measure.failures += 1
                measure.errors.append(str(error))
                continue
            except TimeoutError:
                measure.failures += 1
                measure.errors.append("timed out")
                timeouts += 1
                if timeouts >= MAX_TIMEOUTS:
                    measure.na = f"{timeouts} requests in a row timed out"
                    break
                continue
            timeouts = 0
            if i >= 0:
                measure.samples_ms.append(elapsed)
                measure.items.append(items)
        if measure.na is None and not measure.samples_ms:
            measure.na = f"every request failed: {measure.errors[0] if measure.errors else '?'}"
        return measure


def notels_side() -> Side:
    # No index cache: the peer keeps none, so both start cold (bench_server.py measures warm).
    env = server_environment(NOTELS_CACHE_DIR="off")
    return Side("notels", [sys.executable, "-m", "notels", "serve"], env, None, None)


def peer_side(node: str) -> Side:
    argv = [node, str(PEER_MAIN), "--stdio"]
    return Side("peer", argv, dict(os.environ), {"markdownFileExtensions": ["md"]}, PEER_SETTINGS)


def ensure_peer() -> tuple[str, str]:
    """Node and the pinned peer, installed with `npm ci` on first use: (node, version)."""
    node = shutil.which("node")
    npm = shutil.which("npm")
    if node is None or npm is None:
        raise SystemExit("bench_peer: node and npm are needed on PATH for the peer server")
    if not PEER_MAIN.exists():
        print(f"installing {PEER_PACKAGE} with npm ci ...", file=sys.stderr, flush=True)
        command = [npm, "ci", "--prefix", str(PEER_DIR), "--no-audit", "--no-fund"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0 or not PEER_MAIN.exists():
            raise SystemExit(f"bench_peer: npm ci failed:\n{done.stdout}\n{done.stderr}")
    manifest = PEER_DIR / "node_modules" / PEER_PACKAGE / "package.json"
    version = json.loads(manifest.read_text("utf-8"))["version"]
    return node, str(version)


# --- report ---------------------------------------------------------------------------------


@dataclass
class VaultRun:
    facts: VaultFacts
    sides: dict[str, SideResult]


ROW_NAMES = [
    "link completion +1",
    "link completion +2",
    "link completion +3",
    "definition",
    "references",
    "workspace symbols",
]


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b <= 0:
        return "-"
    return f"{a / b:.2f}"


def cell(measure: Measure | None) -> str:
    if measure is None:
        return f"{'-':>26}"
    if not measure.ok:
        return f"{'n/a':>26}"
    return f"{measure.median_ms:8.2f} {measure.p95_ms:8.2f} {measure.mean_items:8.1f}"


def explain(run: VaultRun) -> list[str]:
    """Notes on what each number means, and why some are n/a."""
    facts = run.facts
    notels, peer = run.sides["notels"], run.sides["peer"]
    lines = []
    for side in (notels, peer):
        if side.error:
            lines.append(f"{side.name}: stopped early: {side.error}")
        if side.ready_na:
            lines.append(f"{side.name}: ready n/a: {side.ready_na}")
        elif side.ready_probe and side.ready_probe != "workspace/symbol":
            lines.append(f"{side.name}: ready measured with {side.ready_probe}")
        for m in side.measures:
            if m.na:
                lines.append(f"{side.name}: {m.name} n/a: {m.na}")
            elif m.failures:
                lines.append(f"{side.name}: {m.name}: {m.failures} failed: {m.errors[0]}")
    for side in (notels, peer):
        ready, done = side.ready_s, side.index_done_s
        if ready is not None and done is not None and ready < done:
            lines.append(
                f"{side.name}: first results at {ready:.2f} s, before its index run ended "
                f"({done:.2f} s): answered from the notes indexed so far"
            )
    if peer.index_na:
        lines.append(f"peer: index done n/a: it {peer.index_na}")
    if peer.ready_s is not None:
        lines.append(
            f"peer: ready includes {peer.client_busy_ready_s:.2f} s this client spent answering "
            f"its file and markdown/parse requests (markdown-it-py; VS Code does it in JS); "
            f"served: {', '.join(f'{k} {v}' for k, v in sorted(peer.served.items()))}"
        )
    check = peer.wikilink_check
    if check is not None and check.ok:
        if check.mean_items == 0:
            lines.append(
                "peer: no [[ completion (`[[ab` reads as a reference link: 0 items on "
                f"{len(check.items)} requests); its link completion rows are `[](` path "
                f"completion, which lists the note's folder ({facts.typing_folder_entries} "
                "entries) unfiltered and leaves the matching to the editor"
            )
        else:
            lines.append(f"peer: [[ completion answered {check.mean_items:.0f} items on average")
    lines.append(
        f"definition: {len(facts.targets)} links to headings of other notes; notels "
        "`[[Note#Heading]]`, peer `[t](</path/Note.md#heading-slug>)` (it resolves only links with "
        "a fragment, and no wikilinks)"
    )
    found_n, found_p = notels.measure("references"), peer.measure("references")
    if found_n is not None and found_p is not None and found_n.ok and found_p.ok:
        lines.append(
            f"references: to {facts.popular_path} ({facts.popular_wikilinks} wikilinks by name); "
            f"notels found {found_n.mean_items:.0f}, the peer {found_p.mean_items:.0f}: it only "
            "reads markdown links, and the vault's links are wikilinks"
        )
    lines.append(
        "workspace symbols: peer = headings only, fuzzy, unlimited; notels = notes, aliases, "
        "headings and cards, ranked, at most 150"
    )
    for key, budget in BUDGET_MS.items():
        prefix = "link completion" if key == "completion" else key
        rows = [m for m in notels.measures if m.ok and m.name.startswith(prefix)]
        if rows:
            worst = max(m.p95_ms for m in rows)
            verdict = "within" if worst <= budget else "OVER"
            lines.append(
                f"notels {key} p95 {worst:.2f} ms: {verdict} the {budget:.0f} ms budget "
                "(set for 10,000 notes)"
            )
    return lines


def print_run(run: VaultRun) -> None:
    facts = run.facts
    notels, peer = run.sides["notels"], run.sides["peer"]
    print()
    print(
        f"== {facts.notes:,} notes, {facts.markdown_mb:.1f} MB ({facts.root}); "
        f"typing into {facts.typing_path.relative_to(facts.root)} =="
    )
    header = f"{'median / p95 ms, mean items':<28}"
    print(f"{header}{'notels':>26} {'peer':>26}   notels/peer median  p95")
    print(f"{'':<28}{'median      p95    items':>26} {'median      p95    items':>26}")

    def seconds(value: float | None) -> str:
        return f"{value:8.2f} s" if value is not None else "     n/a"

    print(
        f"{'ready (first results)':<28}{seconds(notels.ready_s):>26} "
        f"{seconds(peer.ready_s):>26}   {ratio(notels.ready_s, peer.ready_s):>18}"
    )
    print(
        f"{'ready, less client work':<28}{seconds(notels.ready_own_s):>26} "
        f"{seconds(peer.ready_own_s):>26}   {ratio(notels.ready_own_s, peer.ready_own_s):>18}"
    )
    print(
        f"{'index done ($/progress)':<28}{seconds(notels.index_done_s):>26} "
        f"{seconds(peer.index_done_s):>26}"
    )
    for name in ROW_NAMES:
        a, b = notels.measure(name), peer.measure(name)
        both = a is not None and b is not None and a.ok and b.ok
        med = ratio(a.median_ms, b.median_ms) if both and a and b else "-"
        p95 = ratio(a.p95_ms, b.p95_ms) if both and a and b else "-"
        print(f"{name:<28}{cell(a)} {cell(b)}   {med:>18} {p95:>5}")
    for line in explain(run):
        print(f"  - {line}")


def run_json(run: VaultRun) -> dict[str, Any]:
    facts = run.facts
    sides: dict[str, Any] = {}
    for name, side in run.sides.items():
        sides[name] = {
            "ready_s": side.ready_s and round(side.ready_s, 3),
            "ready_na": side.ready_na,
            "ready_probe": side.ready_probe,
            "index_done_s": side.index_done_s and round(side.index_done_s, 3),
            "index_na": side.index_na,
            "client_busy_during_ready_s": round(side.client_busy_ready_s, 3),
            "ready_less_client_work_s": side.ready_own_s and round(side.ready_own_s, 3),
            "client_requests_served": side.served,
            "capabilities": side.capabilities,
            "measures": [m.as_json() for m in side.measures],
            "wikilink_completion_check": side.wikilink_check and side.wikilink_check.as_json(),
            "error": side.error,
            "stderr_tail": side.stderr_tail,
        }
    ratios: dict[str, Any] = {}
    notels, peer = run.sides["notels"], run.sides["peer"]
    for name in ROW_NAMES:
        a, b = notels.measure(name), peer.measure(name)
        if a is not None and b is not None and a.ok and b.ok:
            ratios[name] = {
                "median": round(a.median_ms / b.median_ms, 3),
                "p95": round(a.p95_ms / b.p95_ms, 3),
            }
    if notels.ready_s and peer.ready_s:
        ratios["ready"] = round(notels.ready_s / peer.ready_s, 3)
    if notels.ready_own_s and peer.ready_own_s:
        ratios["ready_less_client_work"] = round(notels.ready_own_s / peer.ready_own_s, 3)
    return {
        "vault": str(facts.root),
        "notes": facts.notes,
        "markdown_mb": round(facts.markdown_mb, 2),
        "typing_note": str(facts.typing_path.relative_to(facts.root)),
        "popular_note": facts.popular_path,
        "popular_wikilinks": facts.popular_wikilinks,
        "heading_targets": len(facts.targets),
        "ready_query": facts.ready_query,
        "servers": sides,
        "ratios_notels_over_peer": ratios,
        "notes_on_results": explain(run),
    }


# --- main -----------------------------------------------------------------------------------


async def bench_vault(root: Path, runs: int, seed: int, node: str, deadline: float) -> VaultRun:
    facts = scan_vault(root, runs, seed)
    sides: dict[str, SideResult] = {}
    for side in (notels_side(), peer_side(node)):
        print(f"{facts.notes:,} notes: {side.name} ...", file=sys.stderr, flush=True)
        sides[side.name] = await Driver(side, facts, runs, deadline).run()
    return VaultRun(facts, sides)


async def bench_all(
    roots: list[Path], runs: int, seed: int, node: str, timeout: float
) -> list[VaultRun]:
    deadline = time.monotonic() + timeout
    runs_done = []
    for root in roots:
        if time.monotonic() >= deadline:
            print(f"skipping {root}: overall timeout reached", file=sys.stderr)
            continue
        run = await bench_vault(root, runs, seed, node, deadline)
        print_run(run)
        runs_done.append(run)
    return runs_done


def start_watchdog(seconds: float) -> None:
    """Past the overall timeout plus a grace period, kill the servers and exit, hung or not."""

    def fire() -> None:
        print(f"bench_peer: watchdog: still running after {seconds:.0f} s", file=sys.stderr)
        kill_live_processes()
        os._exit(3)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[1000], help="vault sizes")
    parser.add_argument("--vault", type=Path, help="an existing vault instead of --notes")
    parser.add_argument("--runs", type=int, default=100, help="timed requests per measure")
    parser.add_argument("--seed", type=int, default=0, help="picks of prefixes and queries")
    parser.add_argument("--timeout", type=float, default=3600.0, help="overall limit, seconds")
    args = parser.parse_args(argv)
    compile_server()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    node, peer_version = ensure_peer()
    node_version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.strip()
    roots = [args.vault.resolve()] if args.vault else [ensure_vault(n) for n in args.notes]
    start_watchdog(args.timeout + 120)
    try:
        runs = asyncio.run(
            asyncio.wait_for(
                bench_all(roots, args.runs, args.seed, node, args.timeout), args.timeout + 60
            )
        )
    finally:
        kill_live_processes()
    payload = {
        "machine": {
            "python": platform.python_version(),
            "node": node_version,
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "peer": f"{PEER_PACKAGE}@{peer_version}",
        "runs": args.runs,
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "vaults": [run_json(run) for run in runs],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "peer.json"
    out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\npeer: {PEER_PACKAGE}@{peer_version} on node {node_version}; wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
