"""Serving over stdin/stdout with asyncio's own pipe transport.

pygls reads stdin through its thread pool, one hand-off per header line and per body: three
thread round trips for every message, most of the time a short request spends in the server
(measured: a definition request answered in 0.85 ms through the pool, 0.26 ms without). When
stdin is a pipe or socket (what editors give a language server), the event loop reads it
directly; anything else (a file, a console on Windows) goes through pygls' reader as before.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import stat
import threading
from collections.abc import Callable
from typing import Any, BinaryIO

import orjson
from pygls.exceptions import JsonRpcException
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import JsonRPCProtocol

log = logging.getLogger(__name__)
# pygls' message loop logs unreadable messages here, as under its own start_io; the server
# reports them to the client once, through report_server_error.
_PYGLS_LOG = logging.getLogger("pygls.server")

# Searched for in a header line (see _FrameReader): the field's name starts the line, or ends
# what is left of a badly framed message before it; a longer name (`X-Original-Content-Length`)
# is another field.
_LENIENT_LENGTH = re.compile(rb"(?<![\w-])(?i:content-length)[ \t]*:[ \t]*(\d{1,18})[ \t]*\r?\n")


class _FrameReader(asyncio.Protocol):
    """Reads frames off stdin as the bytes come and hands each message to the protocol at once.

    pygls' loop (`run_async`) awaits a coroutine per header line and per body, and wakes once
    more per message: about a tenth of a short request's time in the server. The rules are
    pygls' own, and lenient as before: header lines end in LF or CRLF, any header but
    Content-Length is skipped, its name is read in any case (as in HTTP; vscode-jsonrpc reads
    `content-length` too) with spaces or tabs around the value, and a blank line ends the
    headers once a length was read.
    """

    def __init__(
        self,
        protocol: JsonRPCProtocol,
        stop_event: threading.Event,
        error_handler: Callable[[Exception, type[JsonRpcException]], object],
        closed: asyncio.Future[None],
    ) -> None:
        self._protocol = protocol
        self._stop_event = stop_event
        self._error_handler = error_handler
        self._closed = closed
        self._buffer = bytearray()
        self._length = 0  # Content-Length of the frame whose headers are being read
        self._in_body = False

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        start = 0
        while not self._stop_event.is_set():
            if self._in_body:
                end = start + self._length
                if len(buffer) < end:
                    break
                body = bytes(buffer[start:end])
                start, self._length, self._in_body = end, 0, False
                self._handle(body)
                continue
            newline = buffer.find(b"\n", start)
            if newline == -1:
                break
            line = bytes(buffer[start : newline + 1])
            start = newline + 1
            if not self._length:
                # Searched, not matched whole: after a frame whose length was wrong (counted in
                # characters, not bytes; too long; missing), what is left of it runs on into
                # the next header line, and a reader waiting for a line of its own stayed deaf
                # to every later message. Reading from the next header on loses one message.
                length = _LENIENT_LENGTH.search(line)
                self._length = int(length[1]) if length is not None else 0
            elif not line.strip():
                self._in_body = True
        del buffer[:start]
        if self._stop_event.is_set():
            self._close()

    def _handle(self, body: bytes) -> None:
        try:
            self._protocol.handle_message(_message(body, self._protocol))
        except JsonRpcException as error:
            # A message that could not be read: its error says what and where, and the
            # traceback of pygls' reading code would only bury that in the editor's output.
            self._error_handler(error, JsonRpcException)
        except Exception as error:
            _PYGLS_LOG.exception("Unable to handle message")
            self._error_handler(error, JsonRpcException)

    def eof_received(self) -> None:
        self._close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._close()

    def _close(self) -> None:
        if not self._closed.done():
            self._closed.set_result(None)


def _message(body: bytes, protocol: JsonRPCProtocol) -> Any:
    """The message a body holds, read by orjson (a sixth of json's time); what orjson refuses
    (a lone surrogate's escape, NaN, a body in UTF-16) or reads otherwise (an id past 64 bits)
    is read as pygls reads it, or fails as it did there. pygls' hook sees every object of the
    message; only the message itself is one it reads (see NotelsProtocol.structure_message)."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body, object_hook=protocol.structure_message)
    if not isinstance(data, dict):
        return data
    if isinstance(data.get("id"), float):
        # orjson reads an integer past 64 bits as a float: the answer must carry the id as sent.
        return json.loads(body, object_hook=protocol.structure_message)
    return protocol.structure_message(data)


def _own_pipe_or_socket(stdin: BinaryIO, stdout: BinaryIO) -> bool:
    """Is stdin a pipe or socket of its own? Reading it on the event loop makes it
    non-blocking, which must not happen to stdout: a client that passes one socket as both
    (socat, inetd-style launchers) would see writes fail once the socket's buffer fills."""
    try:
        read, written = os.fstat(stdin.fileno()), os.fstat(stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    if (read.st_dev, read.st_ino) == (written.st_dev, written.st_ino):
        return False
    return stat.S_ISFIFO(read.st_mode) or stat.S_ISSOCK(read.st_mode)


def serve_stdio(server: LanguageServer, stdin: BinaryIO, stdout: BinaryIO) -> None:
    if os.name == "nt" or not _own_pipe_or_socket(stdin, stdout):
        server.start_io(stdin, stdout)
        return
    # pygls' shutdown() ends its message loop through this event, as in its own start_io.
    stop_event = server._stop_event = threading.Event()
    server.protocol.set_writer(StdoutWriter(stdout))

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        closed: asyncio.Future[None] = loop.create_future()
        await loop.connect_read_pipe(
            lambda: _FrameReader(server.protocol, stop_event, server.report_server_error, closed),
            stdin,
        )
        await closed

    try:
        asyncio.run(serve())
    except BrokenPipeError:
        log.error("the connection to the client is lost")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()  # type: ignore[no-untyped-call]
