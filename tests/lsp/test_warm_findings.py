"""A pass over a whole vault (workspace pull, full vault status) has worker processes check the
notes whose findings are not cached (lsp/warm_findings.py): what it reports must be what the
server alone would have found, whatever happens to the vault or the workers meanwhile."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsp_harness import editor, wait_until, write_files
from lsprotocol import types
from pull_harness import held_pull, partial_results, plain_pull, reports
from worker_harness import with_workers, workers_ran

IN_PROCESS = {"NOTELS_INDEX_PROCESSES": "0"}


def _odd_vault(vault: Path) -> None:
    """Notes whose findings depend on other notes (links, headings, blocks, duplicate IDs,
    note types' fields), with Cyrillic, emoji and CRLF, and files that cannot be read."""
    write_files(
        vault,
        {
            "Цель 😀.md": "---\naliases: [Мишень]\n---\n# Раздел\nАбзац ^блок\n",
            "Ссылки.md": (
                "[[Цель 😀]] [[Мишень]] [[Цель 😀#Раздел]] [[Цель 😀#Нет]]\n"
                "[[Цель 😀#^блок]] [[Цель 😀#^нет]] [[Нигде]] ![[картинка.png]]\n"
            ),
            "Папка/Цель 😀.md": "Двойник.\n",
            "Карточки 1.md": (
                "TARGET DECK: Колода\nSTART\nBasic\nFront: Вопрос 🙂\nBack: Ответ\n"
                "ID: 1737306548883\nEND\n"
            ),
            "Карточки 2.md": (
                "TARGET DECK: Колода\nSTART\nBasic\nFront: Другой\nBack: Ответ\n"
                "ID: 1737306548883\nEND\nSTART\nBasic\nFront: Без ID\nEND\n"
            ),
            "CRLF 😀.md": "---\r\naliases: [Окно]\r\n---\r\nСм. [[Нет такой 😀]].\r\n",
            "Плохой YAML.md": "---\ntags: [a, b\ncreated: когда-то\n---\nТекст #тег\n",
            "Недописанная.md": "TARGET DECK: d\nSTART\nBasic\nFront: Что так",
            "Пустая.md": "",
            **{f"Много/Заметка {n:02}.md": f"См. [[Цель 😀]] и [[Нет {n}]].\n" for n in range(120)},
        },
    )
    (vault / "Битая.md").write_bytes(b"\xff\xfe broken \xc3(\n")
    (vault / "Картинка.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")


async def _odd_vault_alone(vault: Path) -> dict[str, str]:
    """The odd vault written, and reported by a server that checks it in its own process."""
    _odd_vault(vault)
    async with editor(vault, pull=True, env=IN_PROCESS) as session:
        return await plain_pull(session)


async def test_notes_checked_in_workers_are_reported_as_the_server_alone_finds_them(
    vault: Path, tmp_path: Path
) -> None:
    alone = await _odd_vault_alone(vault)
    hooks = tmp_path / "hooks"
    async with editor(vault, pull=True, env=with_workers(hooks)) as session:
        by_workers = await plain_pull(session)
        again = await plain_pull(session)  # from the cache the workers filled
    assert workers_ran(hooks) == 2
    assert len(alone) == 131
    assert sum(report != "[]" for report in alone.values()) >= 124
    assert by_workers == alone
    assert again == alone


async def test_an_open_note_is_reported_from_the_editors_text_not_the_file(
    vault: Path, tmp_path: Path
) -> None:
    """The workers read notes from disk; a note open in the editor says what the user sees."""
    write_files(vault, {f"Заметка {n:03}.md": "Текст.\n" for n in range(200)})
    hooks = tmp_path / "hooks"
    async with editor(vault, pull=True, env=with_workers(hooks)) as session:
        session.open("Заметка 007.md", "Теперь [[Нигде 😀]].\n")
        await asyncio.sleep(0.3)
        reports = await plain_pull(session)
    assert workers_ran(hooks) > 0
    assert "unresolved-link" in reports[session.uri("Заметка 007.md")]
    assert all(
        report == "[]" for uri, report in reports.items() if uri != session.uri("Заметка 007.md")
    )


async def _indexed_notes(session: Any) -> int:
    status = await session.client.protocol.send_request_async(
        "notels/vaultStatus", {"partial": True}
    )
    return int(status.notes)


async def test_a_change_while_the_workers_check_is_reported_as_the_vault_is_now(
    vault: Path, tmp_path: Path
) -> None:
    """The workers check against a copy of the index made when they start. A note created
    meanwhile resolves the links of notes they check against the copy, where it is missing:
    those findings must not be taken, however late they come."""
    linking = {f"Ссылка {n:03} 😀.md": "См. [[Цель]].\n" for n in range(120)}
    write_files(vault, {**linking, "Другая.md": "См. [[Нигде]].\n"})
    hooks = tmp_path / "hooks"
    async with editor(vault, pull=True, env=with_workers(hooks, "hold")) as session:
        pull = asyncio.ensure_future(plain_pull(session))
        await wait_until(lambda: workers_ran(hooks) == 2)  # each has its copy of the index
        write_files(vault, {"Цель.md": "Я цель.\n"})
        session.notify_files(("Цель.md", types.FileChangeType.Created))
        await wait_until_async(lambda: _indexed_notes(session), 122)
        (hooks / "hold").unlink()
        reports = await asyncio.wait_for(pull, 30)
    for name in linking:
        assert reports[session.uri(name)] == "[]", name
    assert "unresolved-link" in reports[session.uri("Другая.md")]  # the workers' finding


async def wait_until_async(value: Any, expected: object, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while (found := await value()) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"{found} != {expected}"
        await asyncio.sleep(0.05)


async def test_workers_that_crash_leave_the_pass_to_the_server(vault: Path, tmp_path: Path) -> None:
    alone = await _odd_vault_alone(vault)
    hooks = tmp_path / "hooks"
    async with editor(vault, pull=True, env=with_workers(hooks, "die")) as session:
        with_crashes = await plain_pull(session)
        status = await session.client.protocol.send_request_async("notels/vaultStatus", {})
    assert workers_ran(hooks) >= 1
    assert with_crashes == alone
    assert status.unchecked == 0


async def test_a_held_pull_and_a_full_vault_status_share_the_workers(
    vault: Path, tmp_path: Path
) -> None:
    """Both passes wait on the one run of workers: each note checked once, by them."""
    _odd_vault(vault)
    hooks = tmp_path / "hooks"
    async with editor(vault, pull=True, env=with_workers(hooks, "hold")) as session:
        counting = asyncio.ensure_future(
            session.client.protocol.send_request_async("notels/vaultStatus", {})
        )
        await wait_until(lambda: workers_ran(hooks) == 2)
        batches = partial_results(session.client, "held")
        held = held_pull(session, "held")
        await asyncio.sleep(0.3)  # the pull's pass waits on the same workers
        (hooks / "hold").unlink()
        await wait_until(lambda: len(reports(batches)) == 131)
        status = await asyncio.wait_for(counting, 30)
        held.cancel()
    assert workers_ran(hooks) == 2
    assert status.unchecked == 0 and status.notes >= 130
    assert status.errors + status.warnings >= 124


def _log(session: Any, text: str) -> list[str]:
    return [m.message for m in session.client.log_messages if text in m.message]


async def test_a_note_a_rule_fails_on_in_a_worker_is_left_to_the_server(
    vault: Path, tmp_path: Path
) -> None:
    """One odd note must not send the whole vault back to the server's own process: the
    workers leave it out, and the server checks it (its rules may work there, or fail alone)."""
    alone = await _odd_vault_alone(vault)
    hooks = tmp_path / "hooks"
    async with editor(vault, pull=True, env=with_workers(hooks, "raise-Ссылки.md")) as session:
        by_workers = await plain_pull(session)
        await asyncio.sleep(0.2)
        failed = _log(session, "worker processes failed")
        checked = _log(session, "in 2 worker processes")
    assert by_workers == alone
    assert "unresolved-heading" in alone[session.uri("Ссылки.md")]
    assert not failed
    assert len(checked) == 1 and checked[0].startswith("checked 129 of 130 notes of ")
