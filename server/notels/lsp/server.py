"""`notels serve`: the pygls server. Handler registration and lifecycle only.

Each handler hands its params to the Session, which owns the state and the conversions.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import json
import logging
import math
import os
import sys
import traceback
import uuid
import weakref
from collections.abc import Callable, Generator
from concurrent.futures import Future
from functools import lru_cache, partial
from json import JSONDecodeError
from pathlib import Path
from typing import Any, cast

import orjson
from cattrs import ClassValidationError, transform_error
from lsprotocol import types
from pygls.constants import ATTR_EXECUTE_IN_THREAD
from pygls.exceptions import (
    FeatureNotificationError,
    FeatureRequestError,
    JsonRpcException,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcParseError,
    JsonRpcRequestCancelled,
    JsonRpcServerNotInitialized,
    PyglsError,
)
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCProtocol, MsgId
from pygls.protocol.language_server import lsp_method

from notels import __version__

from .cancelling import past_cancelling
from .convert import JsonAnswer, JsonAnswers
from .edit_features import register_edit_features
from .lifecycle import configure_logging, parse_tcp, watch_parent
from .memory import fix_mmap_threshold
from .navigation import register_navigation_features
from .session import NOTE_OPERATIONS, Session
from .status import VAULT_STATUS, vault_status
from .stdio import serve_stdio

log = logging.getLogger("notels.lsp")

_ANSWERED = object()  # a request refused while it was read: nothing left to handle

# pygls tells messages apart by runtime-checkable Protocols (RPCRequest, ...), which test these
# attributes; on Python 3.11 each such isinstance costs ~10 µs, two per message: a sixth of a
# short request's time in the server. The same tests, as attribute lookups:
_REQUEST_FIELDS = ("id", "method", "jsonrpc", "params")
_NOTIFICATION_FIELDS = ("method", "jsonrpc", "params")
_RESPONSE_FIELDS = ("id", "jsonrpc", "result")


def _params_required(method: str) -> bool:
    """Does lsprotocol give `method` a params type (not `None`, as shutdown's)?"""
    known = types.METHOD_TO_TYPES.get(method)
    return known is not None and known[2] is not None


def _has(message: object, fields: tuple[str, ...]) -> bool:
    return all(hasattr(message, field) for field in fields)


class NotelsProtocol(LanguageServerProtocol):
    """pygls' protocol, minus its own copy of open documents.

    The Session keeps the texts, applying edits with the LSP's line rules (pygls splits lines on
    more characters than `\\n`, `\\r\\n` and `\\r`, so its positions drift on notes holding U+2028
    or form feeds), so these builtins only pass the notification on.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writes: set[asyncio.Future[Any]] = set()  # writes still pending, kept alive
        # An initialize request came: the LSP allows it once, and nothing else but exit before.
        self._initialize_seen = False
        self._asked: set[MsgId] = set()  # ids of our requests to the client not yet answered
        # A generator request's future (workspace/executeCommand) -> the handler it runs now.
        self._steps: weakref.WeakKeyDictionary[Future[Any], Future[Any]] = (
            weakref.WeakKeyDictionary()
        )

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(
        self, params: types.DidOpenTextDocumentParams
    ) -> Generator[Any, Any, None]:
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(
        self, params: types.DidCloseTextDocumentParams
    ) -> Generator[Any, Any, None]:
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CLOSE, params)

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(
        self, params: types.InitializeParams
    ) -> Generator[Any, Any, types.InitializeResult]:
        result = yield from super().lsp_initialize(params)
        if not self._server.session.pull:  # type: ignore[attr-defined]
            # Not offering pull diagnostics keeps such clients on pushed ones, which stay true.
            result.capabilities.diagnostic_provider = None
        return result

    def _user_handler(self, method: str, params: object) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None

    def structure_message(self, data: dict[str, Any]) -> Any:
        """Answer the requests pygls cannot read instead of dropping them.

        pygls only logs a request whose params do not fit lsprotocol's types (a negative line, a
        missing field), and runs a notification's method sent with an id as a notification: the
        client would wait for an answer forever.
        """
        is_request = "jsonrpc" in data and "id" in data and "method" in data
        if "jsonrpc" in data and "id" in data and not _is_message_id(data["id"]):
            if is_request:
                # JSON-RPC 2.0, section 5: an Invalid Request, answered with a null id (an
                # object or array id was unhashable in pygls' table of requests, and any such
                # id echoed back names nothing the client sent).
                self._refuse_raw(None, JsonRpcInvalidRequest("an id is a string or a number"))
            else:
                log.warning("dropped a response whose id is no string or number")
            return _ANSWERED
        if is_request and not isinstance(data["method"], str):
            # JSON-RPC's Invalid Request; lsprotocol would fail on it with an internal error.
            self._refuse(data["id"], JsonRpcInvalidRequest("the method is not a string"))
            return _ANSWERED
        if is_request and data["jsonrpc"] != JsonRPCProtocol.VERSION:
            # pygls only logs a request of another version: no client would hear back.
            self._refuse_raw(data["id"], JsonRpcInvalidRequest("not a JSON-RPC 2.0 request"))
            return _ANSWERED
        if "jsonrpc" not in data:
            return data  # an object inside a message: json.loads hands every one here
        if "method" not in data and "id" in data and "error" not in data:
            return self._structure_answer(data)
        method = data.get("method")
        if "params" not in data and isinstance(method, str) and _params_required(method):
            # JSON-RPC lets a message leave `params` out; `initialized` (whose params are an
            # empty object) is sent so by some clients, which pygls could not read.
            data = {**data, "params": {}}
        if method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES:
            data = _readable_file_events(data)
        try:
            message = super().structure_message(data)
        except JsonRpcException as error:
            if not is_request:
                # Nobody waits for an answer: the error is logged, with what did not fit where.
                explained = _explained(error)
                raise type(explained)(f"{method} notification: {explained.message}") from None
            if not self._initialize_seen and method not in (types.INITIALIZE, types.EXIT):
                # The LSP's answer to any request before initialize, whatever its params: a
                # client that retries on it would take InvalidParams as final.
                self._refuse(data["id"], JsonRpcServerNotInitialized(f"{method} before initialize"))
                return _ANSWERED
            error = _explained(error)
            log.warning("refused %s request: %s", data["method"], error.message)
            self._refuse(data["id"], error)
            return _ANSWERED
        if is_request and not _has(message, _REQUEST_FIELDS):
            self._refuse(
                data["id"], JsonRpcInvalidRequest(f"{data['method']} is a notification: no id")
            )
            return _ANSWERED
        return message

    def send_request(
        self,
        method: str,
        params: Any | None = None,
        callback: Callable[[Any], None] | None = None,
        msg_id: MsgId | None = None,
    ) -> Future[Any]:
        """pygls' send_request, the id kept as one of ours (see `_answers_ours`)."""
        msg_id = str(uuid.uuid4()) if msg_id is None else msg_id
        self._asked.add(msg_id)
        return super().send_request(method, params, callback, msg_id)

    def _answers_ours(self, msg_id: object) -> bool:
        """Is a response with this id the answer to a request of ours, not yet answered?

        pygls files the client's requests and its own in one table by id: a stray response
        (a buggy client, a proxy replaying a message) with the id of a request of the client
        still being worked on completed that request with the stray value, and the real
        answer was lost. Only our own requests take answers."""
        if isinstance(msg_id, (str, int)) and msg_id in self._asked:
            self._asked.discard(msg_id)
            return True
        log.warning("dropped a response to no request of the server: id %.100r", msg_id)
        return False

    def _structure_answer(self, data: dict[str, Any]) -> Any:
        """The client's answer to one of our requests. One that cannot be read fails that
        request at once: pygls only logged it, and the request waited for an answer forever
        (the index waits on the settings' answer)."""
        msg_id = data["id"]
        if not self._answers_ours(msg_id):
            return _ANSWERED
        expected = self._result_types.get(msg_id) if isinstance(msg_id, (str, int)) else None
        if expected is types.ConfigurationResponse and not isinstance(data.get("result"), list):
            # cattrs would read an object as the list of its keys.
            return self._unreadable_answer(data, "workspace/configuration wants a list")
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            return self._unreadable_answer(data, error.message)

    def _unreadable_answer(self, data: dict[str, Any], reason: str) -> object:
        log.warning("the client's answer to request %r cannot be read: %s", data["id"], reason)
        self._result_types.pop(data["id"], None)
        error = types.ResponseError(
            code=JsonRpcInvalidParams.CODE, message=f"an answer that cannot be read: {reason}"
        )
        self._handle_response(data["id"], None, error)
        return _ANSWERED

    def _serialize_message(self, data: Any) -> Any:
        """pygls' hook for json.dumps; an answer a handler built as JSON already (JsonAnswer)
        is sent as it is: cattrs would copy it value by value, slower than building it typed."""
        result = getattr(data, "result", None)
        if isinstance(result, (JsonAnswer, JsonAnswers)):
            return {"jsonrpc": data.jsonrpc, "id": data.id, "result": result}
        return super()._serialize_message(data)

    def _send_data(self, data: Any) -> None:
        """pygls' _send_data, with orjson rather than json: 150 workspace symbols took 0.9 ms
        to serialize, a fifth of the request. It writes UTF-8 as it is rather than `\\uXXXX`
        escapes, without spaces: a completion list of Cyrillic note paths is a third the size,
        which the client parses faster."""
        if not data:
            return
        if self.writer is None:
            log.error("no transport to send data on")
            return
        try:
            try:
                body = orjson.dumps(data, default=self._serialize_message)
            except TypeError:
                # A lone surrogate (a client may send one, escaped, in a note's text) has no
                # UTF-8 form, and orjson takes no integer past 64 bits (a client's request id
                # may be one): json's escapes and big integers keep them.
                body = json.dumps(
                    data, default=self._serialize_message, separators=(",", ":")
                ).encode(self.CHARSET)
            if self._include_headers:
                header = (
                    f"Content-Length: {len(body)}\r\n"
                    f"Content-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
                )
                body = header.encode("ascii") + body
            written = self.writer.write(body)
            if inspect.isawaitable(written):  # an asynchronous transport's writer
                task = asyncio.ensure_future(written)
                self._writes.add(task)
                task.add_done_callback(self._writes.discard)
        except BrokenPipeError:
            log.exception("sending data: the pipe is broken")
            raise
        except Exception as error:
            log.exception("sending data failed")
            self._server._report_server_error(error, JsonRpcInternalError)

    def handle_message(self, message: Any) -> None:
        """pygls' dispatch (JsonRPCProtocol.handle_message), with the cheap message tests of
        `_has`, and the LSP's answers to requests out of their place in the session's life:
        before initialize, a second initialize, after shutdown."""
        if message is _ANSWERED:
            return
        self._server.session.heard()  # type: ignore[attr-defined]
        if not hasattr(message, "jsonrpc"):
            self._not_a_message(message)
            return
        is_request = _has(message, _REQUEST_FIELDS)
        if self._out_of_order(message, is_request):
            return
        if self._shutdown and is_request and message.method != types.EXIT:
            # The LSP asks for InvalidRequest here; pygls would drop the request unanswered.
            self._refuse(message.id, JsonRpcInvalidRequest("the server is shutting down"))
            return
        if message.jsonrpc != JsonRPCProtocol.VERSION:
            log.warning("unknown message %r", message)
            return
        if self._shutdown and getattr(message, "method", "") != types.EXIT:
            return  # a notification after shutdown: nobody waits for it
        context = contextvars.copy_context()  # each handler in its own context, as in pygls
        if is_request:
            context.run(self._handle_request, message.id, message.method, message.params)
        elif _has(message, _NOTIFICATION_FIELDS):
            context.run(self._handle_notification, message.method, message.params)
        elif _has(message, _RESPONSE_FIELDS):  # its id was checked as it was read
            context.run(self._handle_response, message.id, message.result)
        elif self._answers_ours(message.id):
            context.run(self._handle_response, message.id, None, message.error)

    def _out_of_order(self, message: Any, is_request: bool) -> bool:
        """Refuse (or drop) a message the LSP does not allow yet, or any more: True if so.

        Before initialize, requests get ServerNotInitialized and notifications other than exit
        are dropped; a shutdown there would end the session before it began. A second
        initialize would switch the negotiated encoding under the client's feet.
        """
        method = getattr(message, "method", None)
        if method == types.INITIALIZE and is_request:
            if self._initialize_seen:
                self._refuse(message.id, JsonRpcInvalidRequest("initialize was sent already"))
                return True
            self._initialize_seen = True
            return False
        if self._initialize_seen or method is None or method == types.EXIT:
            return False  # responses to the server's requests pass: it sends none before
        if is_request:
            self._refuse(message.id, JsonRpcServerNotInitialized(f"{method} before initialize"))
        return True

    def _not_a_message(self, message: Any) -> None:
        """Valid JSON that is no JSON-RPC message (no "jsonrpc", not an object, a batch): an
        Invalid Request answer when it looks like a request, so no client waits forever."""
        msg_id = message.get("id") if isinstance(message, dict) else None
        if isinstance(message, dict) and ("method" not in message or msg_id is None):
            log.warning("dropped a message that is no JSON-RPC: %.200r", message)
            return  # a notification or a response: nobody waits for an answer
        self._refuse_raw(msg_id, JsonRpcInvalidRequest("not a JSON-RPC 2.0 message"))

    def unreadable(self, error: ValueError) -> None:
        """A body that is no JSON (or no UTF-8): JSON-RPC's Parse error, with a null id."""
        log.warning("unreadable message: %s", error)
        self._refuse_raw(None, JsonRpcParseError(str(error)))

    def _refuse(self, msg_id: MsgId, error: JsonRpcException) -> None:
        self._send_response(msg_id, error=error.to_response_error())

    def _refuse_raw(self, msg_id: object, error: JsonRpcException) -> None:
        """An error answer built by hand: pygls' typed one would not keep a null id."""
        answer = {"code": error.code, "message": error.message}
        self._send_data({"jsonrpc": JsonRPCProtocol.VERSION, "id": msg_id, "error": answer})

    def _execute_handler(
        self,
        msg_id: MsgId,
        handler: Callable[..., Any],
        callback: Callable[[Future[Any]], None],
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        """Run a handler, and forget its future once it is done.

        pygls files the future of every coroutine or generator handler under its message id
        but drops only those of the client's requests, when it answers them: each notification
        (every keystroke's didChange) and each step of a generator handler left one behind.
        """
        if _is_plain_function(handler):
            # pygls would put a plain function's answer in a concurrent.futures.Future (a
            # Condition and its lock, notify_all) only for the callback to read it back: a tenth
            # of a short request's time in the server.
            try:
                result = handler(*(args or ()), **(kwargs or {}))
            except Exception as error:
                failed: Future[Any] = Future()
                failed.add_done_callback(callback)
                failed.set_exception(error)
                return
            callback(cast("Future[Any]", _Answered(result)))
            return
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is not None:
            future.add_done_callback(partial(self._forget, msg_id))

    def _run_generator(
        self,
        future: Future[Any] | None,
        *,
        gen: Generator[Any, Any, Any],
        result_future: Future[Any],
    ) -> None:
        """pygls' _run_generator, with the request's cancellation passed on to the handler the
        generator yields to. pygls cancelled only the request's own future: a command
        (workspace/executeCommand is such a generator) was answered RequestCancelled and ran
        on all the same, notels.generateIds writing IDs into notes after that answer."""
        if result_future.cancelled():
            gen.close()
            return
        try:
            value = future.result() if future is not None else None
            handler, args, kwargs = gen.send(value)
            step_id = str(uuid.uuid4())
            self._execute_handler(
                step_id,
                handler,
                args=args,
                kwargs=kwargs,
                callback=partial(self._run_generator, gen=gen, result_future=result_future),
            )
            step = self._request_futures.get(step_id)
            if step is not None:
                self._steps[result_future] = step
                result_future.add_done_callback(partial(_cancel_with, step))
        except StopIteration as result:
            result_future.set_result(result.value)
        except Exception as error:
            result_future.set_exception(error)

    def _handle_cancel_notification(self, msg_id: MsgId) -> None:
        """pygls' $/cancelRequest, less its warning for a request answered already (clients
        cancel those routinely: VS Code about 2,000 times in 6 minutes on a 10,000-note vault,
        each a line in the editor's output), and leaving a request past cancelling to finish
        and answer (see cancelling.py)."""
        future = self._request_futures.get(msg_id)
        if future is None:
            log.debug("cancel of request %r: answered already", msg_id)
            return
        if past_cancelling(self._steps.get(future, future)):
            log.info("request %r is past cancelling: it finishes", msg_id)
            return
        del self._request_futures[msg_id]
        if future.cancel():
            log.debug("cancelled request %r", msg_id)

    def _handle_response(
        self, msg_id: MsgId, result: Any | None = None, error: types.ResponseError | None = None
    ) -> None:
        """pygls' _handle_response, taking quietly the answer to a request the server gave up
        on (cancelled with the command that sent it, timed out): setting that future's result
        raised InvalidStateError, reported as a server error."""
        future = self._request_futures.get(msg_id)
        if future is not None and future.done():
            del self._request_futures[msg_id]
            log.debug("the answer to request %r came after it was given up", msg_id)
            return
        super()._handle_response(msg_id, result, error)

    def _send_handler_result(self, future: Future[Any], *, msg_id: MsgId) -> None:
        """pygls' answer to a request from its handler's future, less two costs of an error
        answer (RequestFailed, ContentModified, ...):
        - pygls logged each with its traceback: an expected answer, said here in one line;
        - the exception was kept: its traceback holds the handler's frames (a note's whole
          text), and with the future it forms a cycle that lived until a full collection, or
          until the next settling once an indexing run froze it (10,000 random messages: RSS
          up 21% instead of 11%). It is dropped once answered.
        A handler that crashed is answered InternalError and logged with its traceback."""
        self._request_futures.pop(msg_id, None)
        if future.cancelled():
            cancelled = JsonRpcRequestCancelled(f'Request with id "{msg_id}" is canceled')
            self._send_response(msg_id, error=cancelled.to_response_error())
            return
        error = future.exception()
        if error is None:
            self._send_response(msg_id, result=future.result())
            return
        try:
            if isinstance(error, JsonRpcException):
                log.info("request %r answered %s: %s", msg_id, type(error).__name__, error)
                self._send_response(msg_id, error=error.to_response_error())
            else:
                log.error("request %r failed", msg_id, exc_info=error)
                what = "".join(traceback.format_exception_only(type(error), error)).strip()
                self._send_response(msg_id, error=JsonRpcInternalError(what).to_response_error())
        finally:
            error.__traceback__ = None

    def _check_handler_result(self, future: Future[Any]) -> None:
        """pygls' report of a notification handler's failure, the exception dropped after (see
        `_send_handler_result`)."""
        if future.cancelled() or not isinstance(error := future.exception(), Exception):
            return
        try:
            self._server._report_server_error(error, FeatureNotificationError)
        finally:
            error.__traceback__ = None

    def _forget(self, msg_id: MsgId, future: Future[Any]) -> None:
        # Cancelled ones stay: shutdown cancels them while it walks this dict, then we exit.
        if not future.cancelled() and self._request_futures.get(msg_id) is future:
            del self._request_futures[msg_id]


def _cancel_with(step: Future[Any], request: Future[Any]) -> None:
    if request.cancelled():
        step.cancel()


def _is_message_id(value: object) -> bool:
    """JSON-RPC's ids: a string, a number, or null (bool is an int to Python, not to JSON; a
    number past a float's range, `1e400`, is read as infinity, which no answer can carry)."""
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or (isinstance(value, (str, int)) and not isinstance(value, bool))


_FILE_CHANGE_TYPES = frozenset(kind.value for kind in types.FileChangeType)


def _readable_file_events(data: dict[str, Any]) -> dict[str, Any]:
    """didChangeWatchedFiles without the events lsprotocol cannot read (a change type it does
    not know, from a client bug or a later protocol): one of them made the whole notification
    unreadable, and the other events in it were lost."""
    params = data.get("params")
    changes = params.get("changes") if isinstance(params, dict) else None
    if not isinstance(changes, list):
        return data
    readable = [
        change
        for change in changes
        if isinstance(change, dict)
        and isinstance(change.get("uri"), str)
        and type(change.get("type")) is int
        and change["type"] in _FILE_CHANGE_TYPES
    ]
    if len(readable) == len(changes):
        return data
    log.warning("skipped %d file event(s) that cannot be read", len(changes) - len(readable))
    assert isinstance(params, dict)
    return {**data, "params": {**params, "changes": readable}}


class _Answered:
    """What pygls' handler callbacks read of a finished Future, for an answer already at hand."""

    __slots__ = ("_result",)

    def __init__(self, result: Any) -> None:
        self._result = result

    def cancelled(self) -> bool:
        return False

    def done(self) -> bool:
        return True

    def result(self) -> Any:
        return self._result

    def exception(self) -> None:
        return None


@lru_cache(maxsize=256)  # handlers are the registered features: a few dozen
def _is_plain_function(handler: Callable[..., Any]) -> bool:
    """Neither a coroutine, nor run in a thread, nor a generator: pygls' own tests, once."""
    return not (
        asyncio.iscoroutinefunction(handler)
        or getattr(handler, ATTR_EXECUTE_IN_THREAD, False)  # pygls' is_thread_function
        or inspect.isgeneratorfunction(handler)
    )


def _explained(error: JsonRpcException) -> JsonRpcException:
    """The error with what is wrong where, e.g. `required field missing @ $.params.position`."""
    cause = error.__cause__
    if isinstance(error, JsonRpcInvalidParams) and isinstance(cause, ClassValidationError):
        return JsonRpcInvalidParams(f"{error.message}: {'; '.join(transform_error(cause))}")
    return error


class NotelsServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "notels",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=NotelsProtocol,
        )
        self.session = Session(self)

    @property
    def shutdown_requested(self) -> bool:
        return bool(self.protocol._shutdown)

    def report_server_error(
        self, error: Exception, source: type[PyglsError] | type[JsonRpcException]
    ) -> None:
        """Log handler failures instead of popping up a message for each one.

        A failing request already answers with an error response; a failing notification
        must not take the server down, and the log says what went wrong.
        """
        if source is FeatureRequestError:
            return
        if source is JsonRpcException and isinstance(error, (JSONDecodeError, UnicodeDecodeError)):
            # pygls' message loop could not parse a body: the client still gets an answer.
            cast(NotelsProtocol, self.protocol).unreadable(error)
            return
        # A message that could not be read (a notification whose params do not fit) says
        # all in its message: its traceback, pygls' reading code, only buried it in the log.
        trace = None if isinstance(error, JsonRpcException) else error
        log.error("%s: %s", source.__name__, error, exc_info=trace)


def create_server() -> NotelsServer:
    server = NotelsServer()
    feature = server.feature

    @feature(types.INITIALIZE)
    def initialize(ls: NotelsServer, params: types.InitializeParams) -> None:
        ls.session.initialize(params)
        if params.process_id is not None:
            watch_parent(params.process_id)

    @feature(types.INITIALIZED)
    async def initialized(ls: NotelsServer, params: types.InitializedParams) -> None:
        await ls.session.initialized()

    @feature(types.SHUTDOWN)
    def shutdown(ls: NotelsServer, params: None) -> None:
        ls.session.shutdown()

    @feature(types.EXIT)
    def exit_(ls: NotelsServer, params: None) -> None:
        # pygls would wait for its stdin reader thread, which blocks until the client closes
        # the pipe; the LSP says exit now: 0 after a shutdown request, 1 without one.
        code = 0 if ls.shutdown_requested else 1
        log.info("exit (%d)", code)
        logging.shutdown()
        os._exit(code)

    @feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: NotelsServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.session.did_open(params)

    @feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: NotelsServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.session.did_change(params)

    @feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=True))
    def did_save(ls: NotelsServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.session.did_save(params)

    @feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: NotelsServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.session.did_close(params)

    @feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(
        ls: NotelsServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        ls.session.files_changed(params.changes)

    @feature(types.WORKSPACE_DID_CREATE_FILES, NOTE_OPERATIONS)
    def did_create_files(ls: NotelsServer, params: types.CreateFilesParams) -> None:
        ls.session.files_as_on_disk(file.uri for file in params.files)

    @feature(types.WORKSPACE_DID_DELETE_FILES, NOTE_OPERATIONS)
    def did_delete_files(ls: NotelsServer, params: types.DeleteFilesParams) -> None:
        ls.session.files_deleted(file.uri for file in params.files)

    @feature(types.WORKSPACE_DID_RENAME_FILES, NOTE_OPERATIONS)
    def did_rename_files(ls: NotelsServer, params: types.RenameFilesParams) -> None:
        ls.session.files_renamed((file.old_uri, file.new_uri) for file in params.files)

    @feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_folders(ls: NotelsServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        ls.session.folders_changed(params.event)

    @feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: NotelsServer, params: types.DidChangeConfigurationParams
    ) -> None:
        await ls.session.settings_changed(params.settings)

    @feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier="notels", inter_file_dependencies=True, workspace_diagnostics=True
        ),
    )
    def document_diagnostic(ls: NotelsServer, params: types.DocumentDiagnosticParams) -> JsonAnswer:
        return ls.session.document_diagnostic(params)

    @feature(types.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostic(
        ls: NotelsServer, params: types.WorkspaceDiagnosticParams
    ) -> JsonAnswer:
        return await ls.session.workspace_diagnostic(params)

    @feature(VAULT_STATUS)
    async def vault_status_(ls: NotelsServer, params: Any) -> dict[str, int | bool]:
        return await vault_status(ls.session, params)

    register_edit_features(server)
    register_navigation_features(server)
    return server


def run_server(tcp: str | None = None, log_file: Path | None = None) -> int:
    """Serve one client over stdio (or TCP); the exit code follows the LSP's exit rules."""
    configure_logging(log_file)
    fix_mmap_threshold()
    server = create_server()
    if tcp is not None:
        address = parse_tcp(tcp)
        if address is None:
            print(f"notels: --tcp expects HOST:PORT, got {tcp!r}", file=sys.stderr)
            return 2
        server.start_tcp(*address)
    else:
        stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
        # Anything printed by mistake must not corrupt the protocol stream on stdout.
        sys.stdout = sys.stderr
        serve_stdio(server, stdin, stdout)
    # The client went away (end of input) without an exit notification.
    return 0 if server.shutdown_requested else 1
