"""Process concerns of the server: logging, the client's life, the TCP address."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import threading
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer

log = logging.getLogger("notels.lsp")

PARENT_POLL_S = 1.0

_LEVELS = {
    logging.ERROR: types.MessageType.Error,
    logging.WARNING: types.MessageType.Warning,
    logging.INFO: types.MessageType.Info,
}


def configure_logging(log_file: Path | None) -> None:
    """Log to stderr and, if asked, to a file. stdout belongs to the protocol.

    pygls logs every message it sends at INFO: keep it to warnings, or the log costs more than
    the work.
    """
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    handlers[0].setLevel(logging.WARNING)
    if log_file is not None:
        file_handler = logging.FileHandler(log_file, encoding="utf-8")
        file_handler.setLevel(logging.DEBUG)
        handlers.append(file_handler)
    for handler in handlers:
        handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(logging.INFO)
    logging.getLogger("pygls").setLevel(logging.WARNING)
    logging.getLogger("pygls.protocol.json_rpc").addFilter(_unread_message_traces)
    if log_file is not None:
        # The file also gets notels' debug lines (e.g. the work time of each keystroke).
        logging.getLogger("notels").setLevel(logging.DEBUG)


def _unread_message_traces(record: logging.LogRecord) -> bool:
    """Leave out pygls' traceback of a message whose params do not fit their type: notels
    answers the request, or logs the notification, saying what did not fit where (see
    NotelsProtocol.structure_message), and forty lines of cattrs only buried that."""
    return not (isinstance(record.msg, str) and record.msg.startswith("Unable to deserialize"))


class ClientLogHandler(logging.Handler):
    """Forwards notels' own log records to the editor as window/logMessage.

    Records may come from the indexing thread; they reach the client through the event loop.
    """

    def __init__(self, server: LanguageServer, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(logging.INFO)
        self._server = server
        self._loop = loop
        self._sending = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self._sending, "active", False):
            return  # a failure while sending a log message must not log itself forever
        message = types.LogMessageParams(
            type=_LEVELS.get(record.levelno, types.MessageType.Log), message=self.format(record)
        )
        with contextlib.suppress(RuntimeError):  # a closed loop: the session is over
            self._loop.call_soon_threadsafe(self._send, message)

    def _send(self, message: types.LogMessageParams) -> None:
        self._sending.active = True
        try:
            self._server.window_log_message(message)
        except Exception:
            pass  # the client is gone; stderr and the log file still have the record
        finally:
            self._sending.active = False


def forward_logs_to_client(server: LanguageServer) -> None:
    handler = ClientLogHandler(server, asyncio.get_running_loop())
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("notels")
    logger.handlers[:] = [h for h in logger.handlers if not isinstance(h, ClientLogHandler)]
    logger.addHandler(handler)


def process_alive(pid: int) -> bool:
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def watch_parent(pid: int) -> None:
    """Exit when the editor that started us dies without closing our input.

    A thread, not a loop task: it must fire even while the loop is busy or blocked.
    """

    def watch() -> None:
        stop = threading.Event()
        while not stop.wait(PARENT_POLL_S):
            if not process_alive(pid):
                log.warning("client process %d is gone: exiting", pid)
                logging.shutdown()
                os._exit(1)

    threading.Thread(target=watch, name="notels-parent-watch", daemon=True).start()


def parse_tcp(address: str) -> tuple[str, int] | None:
    host, _, port = address.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        return None
    return host or "127.0.0.1", int(port)
