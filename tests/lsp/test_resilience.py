"""Whatever a client sends, the server stays up and answers every request.

The randomized client lives in benchmarks/bench_resilience.py, which runs the long profile
(10,000 messages); here it runs a short one per diagnostics mode, plus the cases it found.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from bench_resilience import (
    INVALID_PARAMS,
    INVALID_REQUEST,
    Profile,
    RawClient,
    expected_error_log,
    initialize_params,
    run_resilience,
    start_server,
    wait_for,
    write_vault,
)

pytestmark = pytest.mark.timeout(90)


@asynccontextmanager
async def server(vault: Path) -> AsyncIterator[RawClient]:
    write_vault(vault)
    client = await start_server(vault, Profile())
    try:
        yield client
    finally:
        await client.stop()


def hover(uri: str, line: object = 0, character: object = 0) -> dict[str, object]:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}


@pytest.mark.parametrize(
    ("seed", "messages", "pull", "encoding"),
    [(11, 1500, False, None), (12, 1500, True, "utf-8")],
    ids=["push-utf16", "pull-utf8"],
)
async def test_a_random_client_gets_every_answer_and_memory_stays_flat(
    vault: Path, seed: int, messages: int, pull: bool, encoding: str | None
) -> None:
    # A warm-up of the same length reaches the memory high-water mark of such a run: what is
    # left to see is growth.
    profile = Profile(
        messages=messages, seed=seed, seconds=25, warmup=messages, pull=pull, encoding=encoding
    )
    report = await run_resilience(vault, profile)
    print(report.summary())
    assert report.answered == report.requests
    assert report.unexpected == []
    assert [m for m in report.error_logs if not expected_error_log(m)] == []
    assert report.progress_ended == report.progress_begun
    assert abs(report.rss_growth) <= 0.2, report.summary()
    assert report.exit_code == 0


async def test_requests_whose_params_do_not_fit_get_invalid_params(vault: Path) -> None:
    async with server(vault) as client:
        uri = (vault / "Алгебра.md").as_uri()
        broken = [
            hover(uri, line=-1),  # lsprotocol's types refuse negative positions
            hover(uri, character=2**31),
            {"textDocument": {"uri": uri}},  # no position
            [],
            None,
        ]
        for params in broken:
            answer = await client.call("textDocument/hover", params, timeout=5)
            assert answer["error"]["code"] == INVALID_PARAMS, (params, answer)
        answer = await client.call("textDocument/documentSymbol", {}, timeout=5)
        assert "missing @ $.params.text_document" in answer["error"]["message"]
        # Still serving.
        answer = await client.call("textDocument/hover", hover(uri, 5, 30), timeout=5)
        assert "Определение" in answer["result"]["contents"]["value"]


async def test_a_notification_sent_as_a_request_is_refused(vault: Path) -> None:
    async with server(vault) as client:
        uri = (vault / "Алгебра.md").as_uri()
        answer = await client.call("textDocument/didSave", {"textDocument": {"uri": uri}}, 5)
        assert answer["error"]["code"] == INVALID_REQUEST
        answer = await client.call("workspace/symbol", {"query": "Кольца"}, timeout=5)
        assert any(symbol["name"] == "Кольца" for symbol in answer["result"])


async def test_requests_after_shutdown_fail_with_invalid_request(vault: Path) -> None:
    async with server(vault) as client:
        uri = (vault / "Алгебра.md").as_uri()
        assert (await client.call("shutdown", None, timeout=5))["result"] is None
        answer = await client.call("textDocument/hover", hover(uri), timeout=5)
        assert answer["error"]["code"] == INVALID_REQUEST
        client.notify("exit")
        await client.drain()
        assert await client.process.wait() == 0


async def test_error_answers_to_the_servers_requests_change_nothing(vault: Path) -> None:
    """A client that answers workspace/configuration with an error: the settings stay as they
    were and the server goes on answering."""
    async with server(vault) as client:
        uri = (vault / "Алгебра.md").as_uri()
        client.refuse_requests = True
        asked = client.server_requests["workspace/configuration"]
        client.notify("workspace/didChangeConfiguration", {"settings": None})
        await wait_for(
            lambda: client.server_requests["workspace/configuration"] > asked, 10, "the question"
        )
        answer = await client.call("textDocument/hover", hover(uri, 2, 3), timeout=5)
        assert "result" in answer, answer
        assert client.alive
        assert client.error_logs == []


async def test_keystrokes_do_not_grow_memory(vault: Path) -> None:
    async with server(vault) as client:
        uri = (vault / "Алгебра.md").as_uri()
        item = {"uri": uri, "languageId": "markdown", "version": 1, "text": "# Черновик\n"}
        client.notify("textDocument/didOpen", {"textDocument": item})

        async def type_(count: int, version: int) -> int:
            for _ in range(count):
                version += 1
                start = {"line": 1, "character": 0}
                client.notify(
                    "textDocument/didChange",
                    {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [{"range": {"start": start, "end": start}, "text": "ж"}],
                    },
                )
                if version % 200 == 0:
                    await client.drain()
            await client.call("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
            return version

        version = await type_(3000, 1)
        before = client.rss_kb()
        await type_(12_000, version)
        after = client.rss_kb()
        # pygls kept a Future (and its lock and condition) per notification handled by a
        # generator or a coroutine: these 12,000 keystrokes grew the server by 24 MB.
        assert after - before < 3 * 1024, f"RSS grew from {before} KiB to {after} KiB"


def _deck(cards: int) -> str:
    return "TARGET DECK: d\n" + "START\nBasic\nFRONT: q\nBACK: a\nEND\n" * cards


async def _offered_ids(client: RawClient, uri: str) -> list[str]:
    """The IDs of the `source` actions (Generate all missing IDs, Fix all), in order."""
    start = {"line": 0, "character": 0}
    answer = await client.call(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": {"start": start, "end": start},
            "context": {"diagnostics": [], "only": ["source"]},
        },
    )
    return re.findall(r"\d{13}", json.dumps(answer["result"]))


async def test_asking_again_for_code_actions_offers_the_same_ids(vault: Path) -> None:
    """Editors ask on every cursor move. Each ask used to take new IDs for good: 1,000 asks on
    a note of 300 cards without IDs grew the server by 45 MB and offered IDs ten minutes ahead.
    """
    async with server(vault) as client:
        uris = []
        for name in ("Колода.md", "Другая.md"):
            uri = (vault / name).as_uri()
            item = {"uri": uri, "languageId": "markdown", "version": 1, "text": _deck(40)}
            client.notify("textDocument/didOpen", {"textDocument": item})
            uris.append(uri)
        deck, other = uris
        first = await _offered_ids(client, deck)
        assert len(first) >= 40 and len(set(first)) == len(first)
        for _ in range(20):
            assert await _offered_ids(client, deck) == first
        assert not set(await _offered_ids(client, other)) & set(first)

        # The first card got an offered ID: no other card is offered it again.
        written = _deck(40).replace("END\n", f"ID: {first[0]}\nEND\n", 1)
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": deck, "version": 2}, "contentChanges": [{"text": written}]},
        )
        now = await _offered_ids(client, deck)
        assert first[0] not in now and len(set(now)) == len(now)
        assert len(set(now) & set(first)) >= 30  # the rest are offered as before


async def test_bad_editor_settings_keep_the_vault_config_file(vault: Path) -> None:
    """A bad setting is reported and ignored; it used to drop the vault's `.notels.toml` too."""
    write_vault(vault)
    (vault / ".notels.toml").write_text('[rules]\nmissing-id = "off"\n', encoding="utf-8")
    client = await RawClient.start()
    try:
        params = initialize_params(vault, Profile())
        params["initializationOptions"] = {"notels": {"ignore": "not a list of globs"}}
        assert "result" in await client.call("initialize", params)
        client.notify("initialized", {})
        await wait_for(lambda: bool(client.progress_ended), 30, "the first indexing")
        assert any("ignore: expected a list" in error for error in client.error_logs)
        uri = (vault / "Алгебра.md").as_uri()
        answer = await client.call("textDocument/diagnostic", {"textDocument": {"uri": uri}})
        codes = sorted(item["code"] for item in answer["result"]["items"])
        assert "missing-id" not in codes and "unclosed-block" in codes
    finally:
        await client.stop()
