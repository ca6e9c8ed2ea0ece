#!/usr/bin/env python3
"""Resilience run: a seeded, randomized client hammers the real server over stdio.

The client speaks raw JSON-RPC (no lsprotocol on the sending side), so it can send what a
well-typed client never would: wrong types, missing fields, negative and huge positions, unknown
methods, non-file URIs. Between messages it changes, creates and deletes files of the vault on
disk, with or without telling the server. Some of its workspace pulls carry a partial result
token, which the server holds open (as VS Code's): it cancels some along the way and the rest at
the end. It checks that:

- the server never dies;
- every request gets exactly one answer, a result or an error response, within a timeout;
- no request fails with an internal error (-32603: a handler crashed) and the server logs no
  error of its own besides the ones invalid messages cause;
- its resident memory after the run is within 20% of what it was after a warm-up of the same mix.

Usage::

    python benchmarks/bench_resilience.py --messages 10000 --seed 7
    python benchmarks/bench_resilience.py --messages 2000 --seed 1 --pull --encoding utf-8

tests/lsp/test_resilience.py runs a shorter profile of the same client in the default suite.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

HERE = Path(__file__).resolve().parent
SERVER_DIR = HERE.parent / "server"

Json = Any  # a decoded JSON value
JsonObject = dict[str, Any]

# JSON-RPC and LSP error codes the run may legitimately see.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
REQUEST_CANCELLED = -32800
CONTENT_MODIFIED = -32801
REQUEST_FAILED = -32803
ERROR_NAMES = {
    PARSE_ERROR: "ParseError",
    INVALID_REQUEST: "InvalidRequest",
    METHOD_NOT_FOUND: "MethodNotFound",
    INVALID_PARAMS: "InvalidParams",
    INTERNAL_ERROR: "InternalError",
    REQUEST_CANCELLED: "RequestCancelled",
    CONTENT_MODIFIED: "ContentModified",
    REQUEST_FAILED: "RequestFailed",
}

# --- the vault --------------------------------------------------------------------------------

ALGEBRA = """\
---
aliases: [Алгебра 😀, Algebra]
tags: [math, фикс/анки]
---
# Алгебра
Привет 😀 [[Нет такой]] и [[Кольца#Определение|кольца]] ^intro

## Группы
Текст про группы, #math/algebra, $x^2$ и ![[image.png]].

# Anki
TARGET DECK: math::algebra
START
Basic
FRONT: Что такое группа? 😀
BACK: Множество с операцией
END
START
Basic
FRONT: Кольцо 😀
BACK: Две операции
ID: 1737306548883
END
START
Basic
FRONT: Без конца 😀
"""
RINGS = """\
# Кольца
## Определение
Кольцо: [[Алгебра]], [[Algebra#Группы]], [[Алгебра#^intro]].

TARGET DECK: math::algebra
START
Basic
FRONT: Копия
BACK: То же ID
ID: 1737306548883
END
"""
BROKEN = "---\naliases: [Сломанный 😀\ncreated: 2025-01-19 23:46\n---\nТекст 😀.\n"
WORD2VEC = (  # CRLF after the first line
    "# Word2Vec\n[[Эмбеддинги]] [[embeddings]] #ml/nlp\r\n"
    "START\r\nBasic\r\nFRONT: q\r\nBACK: a\r\nEND\r\n"
)
EMBEDDINGS = "---\naliases:\n  - Embeddings\n---\n# Раздел\ntext ^blk\n"
SEED_NOTES = {
    "Алгебра.md": ALGEBRA,
    "Кольца.md": RINGS,
    "Сломанная.md": BROKEN,
    "ml/Word2Vec.md": WORD2VEC,
    "ml/Эмбеддинги.md": EMBEDDINGS,
    "Пустая.md": "",
}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4e50000000049454e44ae426082"
)
FUZZ_FOLDER = "fuzz"  # files the run creates live here, from a bounded pool of names
POOL_NOTES = tuple(f"{FUZZ_FOLDER}/Новая {i}.md" for i in range(6)) + tuple(
    f"{FUZZ_FOLDER}/new {i}.md" for i in range(4)
)
POOL_FOLDERS = tuple(f"{FUZZ_FOLDER}/папка {i}" for i in range(3))
# Written, rewritten or deleted all at once, one event per note in one notification, as a
# `git checkout` does: more notes than the server reads on its event loop.
BULK_FOLDER = f"{FUZZ_FOLDER}/пачка"
BULK_NOTES = tuple(f"{BULK_FOLDER}/Заметка {i} 😀.md" for i in range(40))
CONFIG_TEXTS = (
    'ignore = ["fuzz/папка 1/**"]\n',
    'debounce-ms = 0\n[rules]\nmissing-id = "warning"\n',
    "code-lens = true\n",
    "this is = not [toml\n",
    'unknown-key = "x"\n',
    "max-file-size = 2000\n",
)

# Pieces of notes that exercise the parsers: half-typed links, cards, odd line breaks.
FRAGMENTS = (
    "# Заголовок 😀\n",
    "## Section\n",
    "Текст со ссылкой [[Алгебра]] и #тег\n",
    "[[",
    "[[Ал",
    "[[Алгебра#",
    "[[Алгебра#^",
    "[[Алгебра|",
    "![[",
    "![[image.png]]\n",
    "[[Кольца#Определение|кольца]]\n",
    "[[#Группы]]",
    " ^blk1\n",
    "#",
    "#math/",
    "TARGET DECK: math::algebra\n",
    "TARGET DECK:",
    "START\nBasic\nFRONT: Вопрос 😀\nBACK: Ответ\nEND\n",
    "START\n",
    "START",
    "START \n",
    "END\n",
    "ENDPOINT: x\n",
    "Basic\n",
    "FRONT: ",
    "ID: 1737306548883\n",
    "ID: 17373065488\n",
    "<!--ID: 1737306548884-->\n",
    "---\naliases: [Синоним, 😀]\ntags: [a, b]\n---\n",
    "---\naliases: [Сломанный\n",
    "---\n",
    "$$\nx^2\n$$\n",
    "$[[не ссылка]]$",
    "```\n[[not a link]]\n```\n",
    "```\n",
    "\r\n",
    "\r",
    "\n",
    "\u2028",
    "\x0c",
    "😀",
    "𝔸𝔹",
    "Ёжик ",
    "\ufeff",
    "\x00",
    "\ud83d",  # a lone surrogate: JSON allows the escape, editors should not send it
    "https://example.com/a_(b) ",
    "[text](Алгебра.md) ",
    "> [!note] Callout\n> [[Кольца]]\n",
)


def random_text(rng: random.Random, pieces: int) -> str:
    return "".join(rng.choice(FRAGMENTS) for _ in range(pieces))


def huge_text(size: int) -> str:
    """About `size` characters of prose with every fragment once per 8 KB: the same each time.

    A huge paste is mostly prose; a megabyte of nothing but links and cards would measure the
    parser, and the memory its peak needs, rather than the server's resilience.
    """
    prose = "Длинный абзац без разметки 😀, lorem ipsum dolor sit amet — ещё строка.\n" * 110
    block = "".join(FRAGMENTS).replace("\x00", "") + "\n" + prose
    return block * (size // len(block) + 1)


def over_limit_text() -> str:
    """An editor text over the default 5 MB limit: skipped like such a file on disk."""
    return "x" * 5_300_000 + "\n[[Алгебра]]\n"


def write_vault(root: Path) -> None:
    """The fixed part of the vault every run starts from."""
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    for relative, text in SEED_NOTES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    (root / "attachments").mkdir(exist_ok=True)
    (root / "attachments" / "image.png").write_bytes(PNG)
    (root / FUZZ_FOLDER).mkdir(exist_ok=True)


# --- the client -------------------------------------------------------------------------------


class ServerDied(AssertionError):
    pass


@dataclass
class Pending:
    method: str
    sent: float
    future: asyncio.Future[JsonObject]
    invalid: bool  # params were broken on purpose


class RawClient:
    """JSON-RPC over the server's stdin/stdout; answers the server's own requests itself."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdin is not None and process.stdout is not None
        self.process = process
        self._stdin = process.stdin
        self._stdout = process.stdout
        self._pending: dict[int | str, Pending] = {}
        self._next_id = 0
        self.settings: Json = None  # what workspace/configuration answers
        self.apply_edits = False  # what workspace/applyEdit answers
        self.refuse_requests = False  # answer the server's requests with an error instead
        self.notifications: collections.Counter[str] = collections.Counter()
        self.server_requests: collections.Counter[str] = collections.Counter()
        self.error_logs: list[str] = []
        self.progress_begun: set[Json] = set()
        self.progress_ended: set[Json] = set()
        self.duplicate_answers = 0
        # Error answers with a null id (to frames with no id to read), by code: due, and come.
        self.null_id_errors_due: collections.Counter[int] = collections.Counter()
        self.null_id_errors: collections.Counter[int] = collections.Counter()
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=60)
        self.closed = asyncio.Event()
        self._tasks = [
            asyncio.ensure_future(self._read_loop()),
            asyncio.ensure_future(self._drain_stderr()),
        ]

    @classmethod
    async def start(cls) -> RawClient:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SERVER_DIR), env.get("PYTHONPATH")]))
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "notels",
            "serve",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            limit=2**26,
        )
        return cls(process)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.returncode is None and not self.closed.is_set()

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    def _frame(self, body: bytes) -> None:
        if self.closed.is_set():
            raise ServerDied(self.describe_death())
        self._stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def send(self, message: JsonObject) -> None:
        self._frame(json.dumps(message).encode("utf-8"))

    def send_bytes(self, body: bytes) -> None:
        """A frame whose body is whatever `body` is: broken JSON included."""
        self._frame(body)

    async def drain(self) -> None:
        try:
            await self._stdin.drain()
        except (ConnectionError, BrokenPipeError) as error:
            raise ServerDied(self.describe_death()) from error

    def notify(self, method: str, params: Json = None, *, omit_params: bool = False) -> None:
        message: JsonObject = {"jsonrpc": "2.0", "method": method}
        if not omit_params:
            message["params"] = params
        self.send(message)

    def request(
        self,
        method: str,
        params: Json = None,
        *,
        omit_params: bool = False,
        invalid: bool = False,
        string_id: bool = False,
    ) -> Pending:
        self._next_id += 1
        msg_id: int | str = f"fuzz-{self._next_id}" if string_id else self._next_id
        message: JsonObject = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if not omit_params:
            message["params"] = params
        pending = Pending(
            method, time.monotonic(), asyncio.get_running_loop().create_future(), invalid
        )
        self._pending[msg_id] = pending
        self.send(message)
        return pending

    def last_id(self) -> int:
        return self._next_id

    async def call(self, method: str, params: Json = None, timeout: float = 30.0) -> JsonObject:
        pending = self.request(method, params)
        await self.drain()
        return await wait_answer(self, pending, timeout)

    async def _read_loop(self) -> None:
        try:
            while True:
                length = -1
                while True:
                    line = await self._stdout.readline()
                    if not line:
                        return
                    if not line.strip():
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                if length < 0:
                    raise AssertionError("a frame from the server without Content-Length")
                body = await self._stdout.readexactly(length)
                self._dispatch(json.loads(body))
        except asyncio.IncompleteReadError:
            return
        finally:
            self.closed.set()
            for pending in self._pending.values():
                if not pending.future.done():
                    pending.future.set_exception(ServerDied(self.describe_death()))
                    pending.future.exception()  # whoever waits sees it; nobody else must

    async def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        while line := await self.process.stderr.readline():
            self.stderr_tail.append(line.decode("utf-8", "replace").rstrip())

    def _dispatch(self, message: JsonObject) -> None:
        if "method" in message and "id" in message:
            self._answer_server(message)
        elif "method" in message:
            self._notification(message["method"], message.get("params"))
        elif message.get("id") is None and "error" in message:
            self.null_id_errors[message["error"].get("code")] += 1
        else:
            pending = self._pending.pop(message.get("id"), None)
            if pending is None:
                self.duplicate_answers += 1  # an answer to no open request of ours
            elif not pending.future.done():
                pending.future.set_result(message)

    def _notification(self, method: str, params: Json) -> None:
        self.notifications[method] += 1
        if method in ("window/logMessage", "window/showMessage") and params.get("type") == 1:
            self.error_logs.append(str(params.get("message")))
        elif method == "$/progress":
            kind = params.get("value", {}).get("kind")
            if kind == "begin":
                self.progress_begun.add(params.get("token"))
            elif kind == "end":
                self.progress_ended.add(params.get("token"))

    def _answer_server(self, message: JsonObject) -> None:
        method, params = message["method"], message.get("params") or {}
        self.server_requests[method] += 1
        result: Json = None
        if method == "workspace/configuration":
            result = [self.settings for _ in params.get("items", ())]
        elif method == "workspace/applyEdit":
            result = {"applied": self.apply_edits}
            if not self.apply_edits:
                result["failureReason"] = "the resilience client applies nothing"
        answer: JsonObject = {"jsonrpc": "2.0", "id": message["id"], "result": result}
        if self.refuse_requests:
            answer = {
                "jsonrpc": "2.0",
                "id": message["id"],
                "error": {"code": -32603, "message": "this client refuses"},
            }
        with contextlib.suppress(ServerDied):
            self.send(answer)

    def describe_death(self) -> str:
        tail = "\n".join(self.stderr_tail)
        return f"the server exited with {self.process.returncode}; its stderr ends with:\n{tail}"

    def rss_kb(self) -> int:
        """VmRSS of the server process, in KiB."""
        status = Path(f"/proc/{self.pid}/status").read_text(encoding="ascii")
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS in /proc/<pid>/status")

    async def stop(self) -> int | None:
        """shutdown + exit when alive; returns the exit code."""
        if self.alive:
            with contextlib.suppress(AssertionError):  # ServerDied, or no answer in time
                await self.call("shutdown", None, timeout=10)
                self.notify("exit")
                await self.drain()
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        for task in self._tasks:
            task.cancel()
        return self.process.returncode


async def wait_answer(client: RawClient, pending: Pending, timeout: float) -> JsonObject:
    remaining = pending.sent + timeout - time.monotonic()
    try:
        return await asyncio.wait_for(asyncio.shield(pending.future), max(remaining, 0.01))
    except TimeoutError:
        if not client.alive:
            raise ServerDied(client.describe_death()) from None
        raise AssertionError(
            f"{pending.method} got no answer within {timeout} s (invalid params: {pending.invalid})"
        ) from None


# --- the run ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    messages: int = 1500
    seed: int = 0
    seconds: float = 60.0  # the main phase stops here even if messages remain
    warmup: int = 300
    pull: bool = False  # pull diagnostics (VS Code style) rather than pushed ones
    encoding: str | None = None  # the client's preferred position encoding
    request_timeout: float = 20.0
    max_in_flight: int = 24
    huge_bytes: int = 400_000  # size of the occasional huge insert
    over_limit: bool = False  # once, an open document over the 5 MB limit


@dataclass
class Report:
    profile: Profile
    messages: int = 0  # warm-up included
    warmup_messages: int = 0
    requests: int = 0
    answered: int = 0
    results: int = 0
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    unexpected: list[str] = field(default_factory=list)  # answers no valid request deserves
    by_method: collections.Counter[str] = field(default_factory=collections.Counter)
    notifications: int = 0
    disk_operations: int = 0
    rss_start_kb: int = 0
    rss_before_kb: int = 0
    rss_after_kb: int = 0
    seconds: float = 0.0
    slowest_ms: float = 0.0
    slowest_method: str = ""
    progress_begun: int = 0
    progress_ended: int = 0
    error_logs: list[str] = field(default_factory=list)
    exit_code: int | None = None
    rss_trend_kb: list[int] = field(default_factory=list)  # every 1,000 messages

    @property
    def rss_growth(self) -> float:
        return self.rss_after_kb / self.rss_before_kb - 1 if self.rss_before_kb else 0.0

    def summary(self) -> str:
        errors = ", ".join(f"{name} {count}" for name, count in sorted(self.errors.items()))
        return "\n".join(
            [
                f"seed {self.profile.seed}, {'pull' if self.profile.pull else 'push'} "
                f"diagnostics, positions {self.profile.encoding or 'utf-16 (default)'}",
                f"messages sent      {self.messages - self.warmup_messages} after a warm-up of "
                f"{self.warmup_messages}; in all {self.requests} requests, "
                f"{self.notifications} notifications, {self.disk_operations} disk changes",
                f"requests answered  {self.answered}/{self.requests} "
                f"({self.results} results; errors: {errors or 'none'})",
                f"slowest answer     {self.slowest_ms:.0f} ms ({self.slowest_method})",
                f"server error logs  {len(self.error_logs)}",
                f"indexing runs      {self.progress_begun} begun, {self.progress_ended} ended",
                f"RSS                {self.rss_start_kb / 1024:.1f} MiB at start, "
                f"{self.rss_before_kb / 1024:.1f} MiB after warm-up, "
                f"{self.rss_after_kb / 1024:.1f} MiB after the run ({self.rss_growth:+.1%})",
                f"RSS every 1,000    {' '.join(f'{kb // 1024}' for kb in self.rss_trend_kb)} MiB",
                f"time               {self.seconds:.1f} s; exit code {self.exit_code}",
            ]
        )


# Methods whose answers may be InvalidParams only when we broke the params on purpose.
TEXT_REQUESTS = (
    "textDocument/completion",
    "textDocument/hover",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/documentSymbol",
    "textDocument/codeAction",
    "textDocument/rename",
    "textDocument/prepareRename",
    "textDocument/foldingRange",
    "textDocument/documentLink",
    "textDocument/diagnostic",
    "textDocument/selectionRange",
    "textDocument/codeLens",
)
CODES = ("missing-id", "unresolved-link", "unclosed-block", "duplicate-id", "nonsense", None, 7)


class Fuzzer:
    """Chooses the next message or disk change; keeps a rough copy of each open text."""

    def __init__(self, client: RawClient, root: Path, profile: Profile) -> None:
        self.client = client
        self.root = root
        self.profile = profile
        self.rng = random.Random(profile.seed)
        self.report = Report(profile)
        self.texts: dict[str, str] = {}  # URI -> text as this client believes it is
        self.versions: dict[str, int] = {}
        self.inflight: collections.deque[Pending] = collections.deque()
        # Streamed workspace pulls, which the server holds open until cancelled (VS Code's),
        # with their ids. Chosen with a generator of their own: the other messages of a seed
        # stay the ones they were before these were added.
        self.held: list[tuple[Pending, int]] = []
        self.held_rng = random.Random(profile.seed + 1)
        self.outside = root.parent / f"{root.name}-outside"
        self.over_limit_sent = False
        self._actions: list[tuple[float, Callable[[], None]]] = [
            (6, self.did_open),
            (22, self.did_change),
            (3, self.did_close),
            (1, self.did_save),
            (40, self.text_request),
            (3, self.workspace_request),
            (6, self.invalid_request),
            (2, self.invalid_notification),
            (1.5, self.unknown_method),
            (1, self.cancel),
            (1, self.change_configuration),
            (6, self.disk_change),
            (1.5, self.file_operation),
            (0.3, self.broken_frame),
        ]
        self._weights = [weight for weight, _ in self._actions]

    # --- URIs and positions ---------------------------------------------------------------------

    def note_path(self) -> str:
        choices = (*SEED_NOTES, *POOL_NOTES, *(f"{f}/a.md" for f in POOL_FOLDERS))
        return self.rng.choice(choices)

    def any_uri(self) -> str:
        roll = self.rng.random()
        if roll < 0.7:
            return (self.root / self.note_path()).as_uri()
        if roll < 0.78:
            # The same file spelled without percent-encoding: a second URI for one note.
            return "file://" + str(self.root / self.note_path())
        return self.rng.choice(
            (
                "untitled:Untitled-1",
                "untitled:Untitled-2",
                f"untitled:{self.root / 'Алгебра.md'}",
                (self.outside / "заметка.md").as_uri(),
                "file:///nonexistent-notels-fuzz/x.md",
                (self.root / "attachments" / "image.png").as_uri(),
                (self.root / ".notels.toml").as_uri(),
                (self.root / "ml").as_uri(),
                "vscode-notebook-cell:/x.ipynb#W0sZmlsZQ",
                "not a uri",
                "",
            )
        )

    def open_or_any_uri(self) -> str:
        if self.texts and self.rng.random() < 0.85:
            return self.rng.choice(list(self.texts))
        return self.any_uri()

    def position(self, uri: str) -> JsonObject:
        lines = self.texts.get(uri, "").split("\n")
        roll = self.rng.random()
        if roll < 0.85:
            line = self.rng.randrange(len(lines) + 1)
            width = len(lines[line]) if line < len(lines) else 0
            return {"line": line, "character": self.rng.randrange(width + 3)}
        big = self.rng.choice((10_000, 2**31 - 1))
        if roll < 0.93:
            return {"line": self.rng.randrange(len(lines) + 1), "character": big}
        return {"line": big, "character": self.rng.randrange(5)}

    def range_(self, uri: str) -> JsonObject:
        start, end = self.position(uri), self.position(uri)
        if self.rng.random() < 0.8:  # mostly in order; reversed ranges are clamped too
            start, end = sorted((start, end), key=lambda p: (p["line"], p["character"]))
        return {"start": start, "end": end}

    def document(self, uri: str) -> JsonObject:
        return {"uri": uri}

    # --- documents ----------------------------------------------------------------------------

    def did_open(self) -> None:
        uri = self.any_uri()
        path = self.root / self.note_path()
        if uri.startswith("file://") and self.rng.random() < 0.6 and path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
        else:
            text = random_text(self.rng, self.rng.randrange(40))
        if self.rng.random() < 0.1:
            text = text.replace("\n", "\r\n")
        self.texts[uri] = text
        self.versions[uri] = 1
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}},
        )

    def did_change(self) -> None:
        uri = self.open_or_any_uri()
        text = self.texts.get(uri, "")
        changes: list[JsonObject] = []
        for _ in range(self.rng.choice((1, 1, 1, 2, 3))):
            roll = self.rng.random()
            # One huge text open at a time keeps the memory high-water mark what the warm-up
            # reached (see `preamble`): what the run measures is growth, not a bigger peak.
            huge_allowed = self.open_size() + len(text) < self.profile.huge_bytes // 2
            if roll < 0.003 and self.profile.over_limit and huge_allowed:
                new = over_limit_text()
                changes.append({"text": new})
                text = new
                continue
            if roll < 0.015 and huge_allowed:
                new = huge_text(self.profile.huge_bytes)
            elif roll < 0.04:
                new = ""  # delete everything
                changes.append({"range": self.far_range(), "text": new})
                text = ""
                continue
            elif roll < 0.06:
                new = random_text(self.rng, self.rng.randrange(30))
                changes.append({"text": new})  # the whole document
                text = new
                continue
            elif roll < 0.4:
                new = ""
            else:
                new = random_text(self.rng, self.rng.randrange(1, 4))
            change_range = self.range_(uri)
            changes.append({"range": change_range, "text": new})
            text = apply_change(text, change_range, new)
        if uri in self.texts:
            self.texts[uri] = text
        version = self.versions.get(uri, 0) + self.rng.choice((1, 1, 1, 0, -1, 5))
        self.versions[uri] = version
        self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes},
        )

    def open_size(self) -> int:
        return sum(map(len, self.texts.values()))

    def far_range(self) -> JsonObject:
        return {
            "start": {"line": 0, "character": 0},
            "end": {"line": 10**6, "character": 0},
        }

    def did_close(self) -> None:
        uri = self.open_or_any_uri()
        self.texts.pop(uri, None)
        self.versions.pop(uri, None)
        self.notify("textDocument/didClose", {"textDocument": self.document(uri)})

    def did_save(self) -> None:
        uri = self.open_or_any_uri()
        params: JsonObject = {"textDocument": self.document(uri)}
        if self.rng.random() < 0.5:
            params["text"] = self.texts.get(uri, "")
        self.notify("textDocument/didSave", params)

    def close_all(self) -> None:
        for uri in list(self.texts):
            self.notify("textDocument/didClose", {"textDocument": self.document(uri)})
        self.texts.clear()
        self.versions.clear()

    # --- requests -----------------------------------------------------------------------------

    def text_request(self) -> None:
        method = self.rng.choice(TEXT_REQUESTS)
        self.request(method, self.text_params(method, self.open_or_any_uri()))

    def text_params(self, method: str, uri: str) -> JsonObject:
        params: JsonObject = {"textDocument": self.document(uri)}
        if method in (
            "textDocument/completion",
            "textDocument/hover",
            "textDocument/definition",
            "textDocument/references",
            "textDocument/rename",
            "textDocument/prepareRename",
        ):
            params["position"] = self.position(uri)
        if method == "textDocument/completion" and self.rng.random() < 0.5:
            params["context"] = {"triggerKind": 2, "triggerCharacter": self.rng.choice("[#^|")}
        elif method == "textDocument/references":
            params["context"] = {"includeDeclaration": self.rng.random() < 0.5}
        elif method == "textDocument/rename":
            params["newName"] = self.rng.choice(
                ("Новое имя 😀", "", "a/b", "[[x]]", "Кольца", "x#y", "  ", "Алгебра 2")
            )
        elif method == "textDocument/codeAction":
            params["range"] = self.range_(uri)
            diagnostics = [
                {
                    "range": self.range_(uri),
                    "message": "fuzz",
                    "code": self.rng.choice(CODES),
                    "source": self.rng.choice(("notels", None, "other")),
                }
                for _ in range(self.rng.randrange(4))
            ]
            params["context"] = {"diagnostics": diagnostics}
            if self.rng.random() < 0.3:
                params["context"]["only"] = self.rng.sample(
                    ["quickfix", "source", "source.fixAll.notels", "refactor"], 2
                )
        elif method == "textDocument/diagnostic" and self.rng.random() < 0.3:
            params["previousResultId"] = str(self.rng.randrange(50))
        elif method == "textDocument/selectionRange":
            params["positions"] = [self.position(uri) for _ in range(self.rng.randrange(4))]
        return params

    def hold_pull(self) -> None:
        """A workspace pull with a partial result token: the server streams its reports and
        holds it open until it is cancelled, or ended by the next such pull."""
        self.report.messages += 1
        self.report.requests += 1
        self.report.by_method["workspace/diagnostic (held)"] += 1
        token = f"held-{self.client.last_id() + 1}"
        params = {"previousResultIds": [], "partialResultToken": token}
        pending = self.client.request("workspace/diagnostic", params)
        self.held.append((pending, self.client.last_id()))

    async def end_held_pulls(self) -> None:
        """Cancel the held pulls still open, and take every held pull's answer."""
        for pending, msg_id in self.held:
            if not pending.future.done():
                self.client.notify("$/cancelRequest", {"id": msg_id})
        await self.client.drain()
        for pending, _ in self.held:
            self.record(pending, await wait_answer(self.client, pending, 30.0), held=True)
        self.held.clear()

    def workspace_request(self) -> None:
        if self.held_rng.random() < 0.15:
            self.hold_pull()
        roll = self.rng.randrange(7)
        if roll == 0:
            self.request("workspace/symbol", {"query": self.rng.choice(("", "Алг", "😀", "#"))})
        elif roll == 1:
            self.request("workspace/diagnostic", {"previousResultIds": []})
        elif roll == 2:
            self.request("notels/vaultStatus", {"uri": self.any_uri()})
        elif roll == 3:
            command = self.rng.choice(("notels.generateIds", "nope"))
            self.request(
                "workspace/executeCommand",
                {"command": command, "arguments": []},
                invalid=command == "nope",  # pygls: InvalidParams, "Command name ... not defined"
            )
        elif roll == 4:
            old, new = self.note_path(), self.note_path()
            self.request(
                "workspace/willRenameFiles",
                {"files": [{"oldUri": self.uri(old), "newUri": self.uri(new)}]},
            )
        elif roll == 5:
            item = {
                "label": "Алгебра",
                "data": self.rng.choice(
                    (
                        {"uri": self.any_uri(), "path": "Алгебра.md", "heading": "Группы"},
                        {"uri": self.any_uri(), "path": "Кольца.md", "block": "intro"},
                        {"uri": 5, "path": ["x"]},
                        [1, 2],
                        "x",
                        None,
                    )
                ),
            }
            self.request("completionItem/resolve", item)
        else:
            self.request(
                "workspace/diagnostic",
                {"previousResultIds": [{"uri": self.any_uri(), "value": "1"}]},
            )

    def invalid_request(self) -> None:
        method = self.rng.choice((*TEXT_REQUESTS, "workspace/symbol", "completionItem/resolve"))
        uri = self.open_or_any_uri()
        params = self.text_params(method, uri) if method.startswith("text") else {"query": "x"}
        broken, omit = self.break_params(params)
        self.request(method, broken, omit_params=omit, invalid=True)

    def break_params(self, params: JsonObject) -> tuple[Json, bool]:
        """(params, omit them): wrong types, missing fields, negative numbers."""
        roll = self.rng.randrange(8)
        if roll == 0:
            return None, self.rng.random() < 0.5
        if roll == 1:
            return self.rng.choice(([], 42, "params", [params])), False
        broken = json.loads(json.dumps(params))
        paths = list(leaf_paths(broken))
        if not paths:
            return {}, False
        path = self.rng.choice(paths)
        parent: Any = broken
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        if roll == 2 and isinstance(parent, dict):
            del parent[key]
        elif roll == 3:
            parent[key] = -self.rng.randrange(1, 3)
        elif roll == 4:
            parent[key] = self.rng.choice((2**31, 2**64, 1.5, True))
        elif roll == 5:
            parent[key] = self.rng.choice(({}, [], None))
        elif roll == 6:
            value = parent[key]
            parent[key] = 7 if isinstance(value, str) else "7"
        else:
            # Negative positions: lsprotocol validates them away.
            target = broken.get("position") or {"line": 0, "character": 0}
            target["line"] = -1
            broken["position"] = target
        return broken, False

    def invalid_notification(self) -> None:
        method = self.rng.choice(
            (
                "textDocument/didOpen",
                "textDocument/didChange",
                "textDocument/didClose",
                "workspace/didChangeWatchedFiles",
                "workspace/didChangeConfiguration",
                "$/cancelRequest",
                "$/setTrace",
            )
        )
        params = self.rng.choice(
            (
                None,
                [],
                {},
                {"textDocument": {"uri": 5}},
                {"textDocument": {"uri": self.any_uri(), "version": "x"}, "contentChanges": [{}]},
                {"changes": [{"uri": self.any_uri(), "type": 9}]},
                {"id": {}},
                {"value": "loud"},
            )
        )
        self.notify(method, params, omit_params=self.rng.random() < 0.2)

    def unknown_method(self) -> None:
        method = self.rng.choice(
            ("fuzz/nothing", "textDocument/signatureHelp", "$/fuzz", "notels/nothing", "")
        )
        if self.rng.random() < 0.6:
            # signatureHelp is a method lsprotocol knows: `{"x": 1}` is not its params.
            invalid = method == "textDocument/signatureHelp"
            self.request(method, {"x": 1}, invalid=invalid, string_id=self.rng.random() < 0.5)
        else:
            self.notify(method, {"x": 1})

    def cancel(self) -> None:
        if self.held and self.held_rng.random() < 0.3:
            self.notify("$/cancelRequest", {"id": self.held_rng.choice(self.held)[1]})
        if self.inflight and self.rng.random() < 0.8:
            # The id of some request still waiting for its answer (pygls cancels unstarted ones).
            last = self.client.last_id()
            self.notify("$/cancelRequest", {"id": self.rng.randrange(max(1, last - 5), last + 1)})
        else:
            self.notify("$/cancelRequest", {"id": self.rng.choice((10**9, "nope"))})

    def change_configuration(self) -> None:
        settings = self.rng.choice(
            (
                None,
                {"debounceMs": 0},
                {"debounceMs": 50, "codeLens": {"enable": True}},
                {"rules": {"missing-id": "off"}},
                {"rules": {"nope": "error"}},
                {"debounceMs": -5},
                {"ignore": ["fuzz/**"]},
                {"ignore": "not a list"},
                "just a string",
            )
        )
        self.client.settings = settings
        payload = {"notels": settings} if self.rng.random() < 0.6 else None
        self.notify("workspace/didChangeConfiguration", {"settings": payload})

    # A broken frame -> the error code of its answer (id null); None: a notification, no answer.
    BROKEN_FRAMES: ClassVar[dict[bytes, int | None]] = {
        b"{not json": -32700,  # Parse error
        b"[]": -32600,  # Invalid Request: a batch, which the LSP has not
        b"5": -32600,
        b'{"jsonrpc": "1.0"}': None,
    }

    def broken_frame(self) -> None:
        self.report.messages += 1
        body = self.rng.choice(list(self.BROKEN_FRAMES))
        code = self.BROKEN_FRAMES[body]
        if code is not None:
            self.client.null_id_errors_due[code] += 1
        self.client.send_bytes(body)

    # --- disk -----------------------------------------------------------------------------

    def uri(self, relative: str) -> str:
        return (self.root / relative).as_uri()

    def disk_change(self) -> None:
        self.report.disk_operations += 1
        events: list[JsonObject] = []
        roll = self.rng.randrange(10)
        if roll <= 2:
            relative = self.rng.choice((*POOL_NOTES, *SEED_NOTES))
            path = self.root / relative
            created = not path.exists()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(self.file_bytes())
            events.append({"uri": self.uri(relative), "type": 1 if created else 2})
        elif roll == 3:
            relative = self.rng.choice((*POOL_NOTES, *SEED_NOTES))
            with contextlib.suppress(FileNotFoundError):
                (self.root / relative).unlink()
            events.append({"uri": self.uri(relative), "type": 3})
        elif roll == 4:
            folder = self.rng.choice(POOL_FOLDERS)
            target = self.root / folder
            if target.exists():
                shutil.rmtree(target)
                events.append({"uri": self.uri(folder), "type": 3})
            else:
                target.mkdir(parents=True)
                for name in ("a.md", "b.md", "c.png"):
                    (target / name).write_bytes(self.file_bytes())
                events.append({"uri": self.uri(folder), "type": 1})
        elif roll == 5:
            old, new = self.rng.sample(POOL_NOTES, 2)
            with contextlib.suppress(FileNotFoundError):
                (self.root / old).replace(self.root / new)
            events += [{"uri": self.uri(old), "type": 3}, {"uri": self.uri(new), "type": 1}]
        elif roll == 6:
            config = self.root / ".notels.toml"
            if config.exists() and self.rng.random() < 0.4:
                config.unlink()
                events.append({"uri": self.uri(".notels.toml"), "type": 3})
            else:
                config.write_text(self.rng.choice(CONFIG_TEXTS), encoding="utf-8")
                events.append({"uri": self.uri(".notels.toml"), "type": 2})
        elif roll == 7:
            link = self.root / FUZZ_FOLDER / self.rng.choice(("loop", "out"))
            if link.is_symlink():
                link.unlink()
            else:
                link.symlink_to(self.root if link.name == "loop" else self.outside)
            events.append({"uri": self.uri(f"{FUZZ_FOLDER}/{link.name}"), "type": 1})
        elif roll == 8:
            delete = (self.root / BULK_FOLDER).exists() and self.rng.random() < 0.4
            (self.root / BULK_FOLDER).mkdir(parents=True, exist_ok=True)
            for relative in BULK_NOTES:
                path = self.root / relative
                created = not path.exists()
                if delete:
                    path.unlink(missing_ok=True)
                else:
                    path.write_bytes(self.file_bytes())
                events.append(
                    {"uri": self.uri(relative), "type": 3 if delete else 1 if created else 2}
                )
        else:
            # Events that lie: for files that did not change, or with odd URIs.
            events += [
                {"uri": self.uri(self.note_path()), "type": self.rng.choice((1, 2, 3))},
                {"uri": self.any_uri(), "type": 2},
            ]
        if self.rng.random() < 0.85:  # sometimes the client's watcher misses a change
            self.notify("workspace/didChangeWatchedFiles", {"changes": events})

    def file_bytes(self) -> bytes:
        roll = self.rng.random()
        if roll < 0.06:
            return b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(self.rng.randrange(256) for _ in range(64))
        if roll < 0.12:
            return "Привет [[Алгебра]]\n".encode("cp1251") + b"\xff\xfe\n"  # not UTF-8
        if roll < 0.16:
            return b""
        text = random_text(self.rng, self.rng.randrange(40))
        if roll < 0.25:
            text = text.replace("\n", "\r\n")
        return text.encode("utf-8", "surrogatepass")

    def file_operation(self) -> None:
        old, new = self.rng.sample((*POOL_NOTES, *SEED_NOTES), 2)
        method, params = self.rng.choice(
            (
                ("workspace/didCreateFiles", {"files": [{"uri": self.uri(new)}]}),
                ("workspace/didDeleteFiles", {"files": [{"uri": self.uri(old)}]}),
                (
                    "workspace/didRenameFiles",
                    {"files": [{"oldUri": self.uri(old), "newUri": self.uri(new)}]},
                ),
                (
                    "workspace/didChangeWorkspaceFolders",
                    {
                        "event": {
                            "added": [{"uri": self.uri("ml"), "name": "ml"}],
                            "removed": [],
                        }
                    },
                ),
            )
        )
        self.notify(method, params)

    # --- sending ----------------------------------------------------------------------------

    def notify(self, method: str, params: Json, *, omit_params: bool = False) -> None:
        self.report.messages += 1
        self.report.notifications += 1
        self.client.notify(method, params, omit_params=omit_params)

    def request(
        self,
        method: str,
        params: Json,
        *,
        omit_params: bool = False,
        invalid: bool = False,
        string_id: bool = False,
    ) -> None:
        self.report.messages += 1
        self.report.requests += 1
        self.report.by_method[method] += 1
        pending = self.client.request(
            method, params, omit_params=omit_params, invalid=invalid, string_id=string_id
        )
        self.inflight.append(pending)

    async def preamble(self) -> None:
        """The heaviest things the run does, once each: the warm-up's memory high-water mark."""
        uri = self.uri(POOL_NOTES[0])
        texts = [huge_text(self.profile.huge_bytes)]
        if self.profile.over_limit:
            texts.append(over_limit_text())
        for text in texts:
            self.texts[uri], self.versions[uri] = "", 1
            item = {"uri": uri, "languageId": "markdown", "version": 1, "text": text}
            self.notify("textDocument/didOpen", {"textDocument": item})
            for method in TEXT_REQUESTS:
                self.request(method, self.text_params(method, uri))
            self.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": 2},
                    "contentChanges": [{"range": self.range_(uri), "text": "[["}],
                },
            )
            self.workspace_request()
            self.text_request()
            await self.settle()
            self.close_all()
        # A re-index of the whole vault, as a changed `.notels.toml` asks for.
        config = self.root / ".notels.toml"
        for text in (CONFIG_TEXTS[0], None):
            if text is None:
                config.unlink()
            else:
                config.write_text(text, encoding="utf-8")
            self.notify(
                "workspace/didChangeWatchedFiles",
                {"changes": [{"uri": self.uri(".notels.toml"), "type": 3 if text is None else 2}]},
            )
        await self.settle()

    def step(self) -> None:
        action = self.rng.choices(self._actions, self._weights)[0][1]
        action()

    async def settle(self, keep: int = 0) -> None:
        """Wait for the answers of all but the newest `keep` requests."""
        await self.client.drain()
        while len(self.inflight) > keep:
            pending = self.inflight.popleft()
            self.record(
                pending, await wait_answer(self.client, pending, self.profile.request_timeout)
            )

    def record(self, pending: Pending, answer: JsonObject, *, held: bool = False) -> None:
        report = self.report
        report.answered += 1
        elapsed = (time.monotonic() - pending.sent) * 1000
        if elapsed > report.slowest_ms and not held:  # held open by design
            report.slowest_ms, report.slowest_method = elapsed, pending.method
        error = answer.get("error")
        if error is None:
            report.results += 1
            return
        code = error.get("code")
        report.errors[ERROR_NAMES.get(code, str(code))] += 1
        # ContentModified: the note changed under a request that waited (a rename during
        # indexing), as the random edits make it do.
        expected = {METHOD_NOT_FOUND, REQUEST_CANCELLED, CONTENT_MODIFIED, REQUEST_FAILED}
        if pending.invalid:
            expected.add(INVALID_PARAMS)
        if code not in expected:
            message = str(error.get("message", ""))[:300]
            report.unexpected.append(f"{pending.method}: {code} {message}")

    async def run(self, count: int, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        start = self.report.messages
        while self.report.messages - start < count and time.monotonic() < deadline:
            self.step()
            if self.report.messages % 1000 == 0:
                self.report.rss_trend_kb.append(self.client.rss_kb())
            if len(self.inflight) >= self.profile.max_in_flight or self.rng.random() < 0.05:
                await self.settle(keep=self.profile.max_in_flight // 2)
            if not self.client.alive:
                raise ServerDied(self.client.describe_death())
        await self.settle()
        await self.end_held_pulls()


def leaf_paths(value: Json, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from leaf_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for number, item in enumerate(value):
            yield (*prefix, number)
            yield from leaf_paths(item, (*prefix, number))


def apply_change(text: str, change_range: JsonObject, new: str) -> str:
    """Roughly what the server does: clamp, order, replace (columns counted in code points)."""

    def offset(position: JsonObject) -> int:
        lines = text.split("\n")
        line = min(position["line"], len(lines) - 1)
        before = sum(len(item) + 1 for item in lines[:line])
        return min(before + min(position["character"], len(lines[line])), len(text))

    start, end = sorted((offset(change_range["start"]), offset(change_range["end"])))
    return text[:start] + new + text[end:]


def initialize_params(root: Path, profile: Profile) -> JsonObject:
    general: JsonObject = {}
    if profile.encoding is not None:
        general["positionEncodings"] = [profile.encoding]
    workspace: JsonObject = {
        "configuration": True,
        "workspaceFolders": True,
        "applyEdit": True,
        "workspaceEdit": {"documentChanges": True, "resourceOperations": ["create", "rename"]},
        "didChangeConfiguration": {"dynamicRegistration": True},
        "didChangeWatchedFiles": {"dynamicRegistration": True},
        "fileOperations": {"didCreate": True, "didRename": True, "didDelete": True},
        "codeLens": {"refreshSupport": True},
    }
    text_document: JsonObject = {
        "completion": {
            "completionItem": {
                "snippetSupport": True,
                "insertReplaceSupport": True,
                "labelDetailsSupport": True,
            }
        },
        "definition": {"linkSupport": True},
        "documentSymbol": {"hierarchicalDocumentSymbolSupport": True},
        "documentLink": {"tooltipSupport": True},
        "publishDiagnostics": {"relatedInformation": True, "versionSupport": True},
    }
    if profile.pull:
        workspace["diagnostics"] = {"refreshSupport": True}
        text_document["diagnostic"] = {"relatedDocumentSupport": False}
    return {
        "processId": os.getpid(),
        "rootUri": root.as_uri(),
        "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
        "capabilities": {
            "general": general,
            "window": {"workDoneProgress": True},
            "workspace": workspace,
            "textDocument": text_document,
        },
    }


async def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)


async def quiet(client: RawClient, fuzzer: Fuzzer) -> None:
    """Every answer in, every open document closed, indexing done, debounced work run."""
    await fuzzer.settle()
    fuzzer.close_all()
    await client.drain()
    await wait_for(
        lambda: client.progress_ended >= client.progress_begun, 600, "indexing to finish"
    )
    # A request the server answers only after the notifications before it were handled.
    await client.call("workspace/symbol", {"query": "Алгебра"})
    await asyncio.sleep(0.5)  # debounced re-checks (150 ms by default) and refreshes


async def start_server(root: Path, profile: Profile) -> RawClient:
    """A server initialized on the vault at `root`, its first indexing done."""
    client = await RawClient.start()
    try:
        answer = await client.call("initialize", initialize_params(root, profile))
        assert "result" in answer, answer
        client.notify("initialized", {})
        await wait_for(lambda: bool(client.progress_ended), 60, "the first indexing")
    except BaseException:
        await client.stop()
        raise
    return client


async def run_resilience(root: Path, profile: Profile) -> Report:
    """Start a server on a fresh vault at `root` (absent or empty), fuzz it, stop it."""
    write_vault(root)
    started = time.monotonic()
    client = await start_server(root, profile)
    fuzzer = Fuzzer(client, root, profile)
    fuzzer.outside.mkdir(exist_ok=True)
    (fuzzer.outside / "заметка.md").write_text("[[Алгебра]]\n", encoding="utf-8")
    report = fuzzer.report
    try:
        report.rss_start_kb = client.rss_kb()

        await fuzzer.preamble()
        await fuzzer.run(profile.warmup, profile.seconds)
        await quiet(client, fuzzer)
        report.rss_before_kb = client.rss_kb()

        report.warmup_messages = report.messages
        await fuzzer.run(profile.messages, profile.seconds)
        await quiet(client, fuzzer)
        report.rss_after_kb = client.rss_kb()

        # Still a working server: a valid question gets the right answer.
        note = root / "Проверка.md"
        note.write_text("# Проверка\n[[Алгебра]]\n", encoding="utf-8")
        uri = note.as_uri()
        client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": "markdown",
                    "version": 1,
                    "text": note.read_text(encoding="utf-8"),
                }
            },
        )
        symbols = await client.call("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
        names = [symbol["name"] for symbol in symbols.get("result") or ()]
        assert "Проверка" in names, f"documentSymbol after the run: {symbols}"
    finally:
        report.seconds = time.monotonic() - started
        report.progress_begun = len(client.progress_begun)
        report.progress_ended = len(client.progress_ended)
        report.error_logs = client.error_logs
        alive = client.alive
        report.exit_code = await client.stop()
        if not alive:
            raise ServerDied(client.describe_death())
    if client.duplicate_answers:
        report.unexpected.append(f"{client.duplicate_answers} answers to no open request")
    if client.null_id_errors != client.null_id_errors_due:
        report.unexpected.append(
            f"error answers with a null id by code: {dict(client.null_id_errors)}, "
            f"due for the broken frames: {dict(client.null_id_errors_due)}"
        )
    return report


def expected_error_log(message: str) -> bool:
    """Errors the server logs about what the run broke on purpose.

    `JsonRpcException: ...` is pygls failing to read a message (broken JSON, a notification
    with params of the wrong shape); settings and `.notels.toml` errors are shown to the user.
    A crash in a handler logs `FeatureNotificationError: ...` or names the failed work instead.
    """
    return message.startswith("JsonRpcException: ") or any(
        marker in message for marker in ("settings:", ".notels.toml")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=900.0, help="stop the main phase here")
    parser.add_argument("--warmup", type=int, default=2000)
    parser.add_argument("--pull", action="store_true", help="pull diagnostics instead of push")
    parser.add_argument("--encoding", choices=("utf-8", "utf-16", "utf-32"))
    parser.add_argument(
        "--huge-bytes", type=int, default=400_000, help="size of the occasional huge paste"
    )
    parser.add_argument("--keep", action="store_true", help="keep the vault folder")
    args = parser.parse_args()
    profile = Profile(
        messages=args.messages,
        seed=args.seed,
        seconds=args.seconds,
        warmup=args.warmup,
        pull=args.pull,
        encoding=args.encoding,
        huge_bytes=args.huge_bytes,
        over_limit=True,
    )
    folder = Path(tempfile.mkdtemp(prefix="notels-resilience-"))
    try:
        report = asyncio.run(run_resilience(folder / "Хранилище", profile))
    finally:
        if args.keep:
            print(f"vault kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(report.summary())
    by_method = ", ".join(f"{m} {n}" for m, n in report.by_method.most_common())
    print(f"requests by method {by_method}")
    unexpected_logs = [m for m in report.error_logs if not expected_error_log(m)]
    problems = [
        *report.unexpected,
        *(f"server error log: {m[:300]}" for m in unexpected_logs),
    ]
    if report.answered != report.requests:
        problems.append(f"{report.requests - report.answered} requests unanswered")
    if abs(report.rss_growth) > 0.2:
        problems.append(f"RSS changed by {report.rss_growth:+.1%}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
