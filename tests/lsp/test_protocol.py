"""NotelsProtocol runs plain-function handlers without pygls' Future: the callbacks pygls gives
it must see the same answers, errors and notifications as before."""

from __future__ import annotations

import json
from typing import Any

from notels.lsp.server import NotelsServer


class _Sink:
    """pygls' writer: keeps what the server sends."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def write(self, data: bytes) -> None:
        body = data.split(b"\r\n\r\n", 1)[1]
        self.messages.append(json.loads(body))

    def close(self) -> None:
        pass


def _protocol() -> tuple[Any, _Sink]:
    server = NotelsServer()
    sink = _Sink()
    server.protocol.set_writer(sink)
    return server.protocol, sink


def test_a_plain_handler_answers_and_a_failing_one_answers_an_internal_error() -> None:
    protocol, sink = _protocol()

    def answer(value: int) -> dict[str, int]:
        return {"twice": 2 * value}

    def fail(value: int) -> None:
        raise ValueError(f"broken by {value}")

    protocol._execute_handler(
        1, answer, lambda f: protocol._send_handler_result(f, msg_id=1), (21,)
    )
    protocol._execute_handler(2, fail, lambda f: protocol._send_handler_result(f, msg_id=2), (7,))
    assert sink.messages[0] == {"jsonrpc": "2.0", "id": 1, "result": {"twice": 42}}
    assert sink.messages[1]["id"] == 2
    assert sink.messages[1]["error"]["code"] == -32603  # InternalError
    assert "broken by 7" in sink.messages[1]["error"]["message"]


def test_a_failing_notification_handler_is_reported_and_a_good_one_is_silent() -> None:
    protocol, sink = _protocol()
    reported: list[BaseException] = []
    protocol._server._report_server_error = lambda error, source: reported.append(error)

    def fine() -> None:
        return None

    def fail() -> None:
        raise ValueError("broken")

    protocol._execute_handler(None, fine, protocol._check_handler_result)
    assert reported == [] and sink.messages == []
    protocol._execute_handler(None, fail, protocol._check_handler_result)
    assert len(reported) == 1 and "broken" in str(reported[0])
