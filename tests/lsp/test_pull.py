"""Pull diagnostics, for clients that announce textDocument.diagnostic: nothing is pushed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import notes
import pytest
from lsp_harness import editor, wait_until, write_files
from lsprotocol import types
from pull_harness import after_first_pass, held_pull, partial_results, reported_codes
from pygls.exceptions import JsonRpcRequestCancelled

ALGEBRA_CODES = ["duplicate-id", "missing-id", "unclosed-block", "unresolved-link"]


def _codes(items: object) -> list[str]:
    return sorted(str(d.code) for d in items)  # type: ignore[attr-defined]


async def test_document_diagnostic_and_unchanged_result(vault: Path) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with editor(vault, pull=True) as session:
        uri = session.open("Алгебра.md")
        params = types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        report = await session.client.text_document_diagnostic_async(params)
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        assert _codes(report.items) == ALGEBRA_CODES
        (link,) = [d for d in report.items if d.code == "unresolved-link"]
        assert link.range.start == types.Position(line=notes.LINK_LINE, character=12)

        params.previous_result_id = report.result_id
        again = await session.client.text_document_diagnostic_async(params)
        assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)
        assert again.result_id == report.result_id

        session.edit(uri, (notes.LINK_LINE, 12), (notes.LINK_LINE, 21), "Копия")
        fixed = await session.client.text_document_diagnostic_async(params)
        assert isinstance(fixed, types.RelatedFullDocumentDiagnosticReport)
        assert _codes(fixed.items) == ["duplicate-id", "missing-id", "unclosed-block"]
        await asyncio.sleep(0.3)  # longer than the debounce: a push would have arrived

    assert session.client.diagnostics == {}  # pull clients get no publishDiagnostics


async def test_workspace_diagnostic_covers_notes_that_are_not_open(vault: Path) -> None:
    files = {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY, "Чистая.md": notes.CLEAN}
    write_files(vault, files)
    async with editor(vault, pull=True) as session:
        session.open("Алгебра.md")
        params = types.WorkspaceDiagnosticParams(previous_result_ids=[])
        report = await session.client.workspace_diagnostic_async(params)
        by_uri = {item.uri: item for item in report.items}
        paths = {types_uri_path(uri) for uri in by_uri}
        assert paths == {(vault / name).resolve() for name in files}
        copy = next(item for uri, item in by_uri.items() if uri.endswith(".md") and "%D0%9A" in uri)
        assert isinstance(copy, types.WorkspaceFullDocumentDiagnosticReport)
        assert _codes(copy.items) == ["duplicate-id"]
        assert copy.version is None  # not open

        # Asked again with the result ids: nothing changed, nothing is re-sent.
        params.previous_result_ids = [
            types.PreviousResultId(uri=item.uri, value=item.result_id or "")
            for item in report.items
        ]
        again = await session.client.workspace_diagnostic_async(params)
        assert all(
            isinstance(item, types.WorkspaceUnchangedDocumentDiagnosticReport)
            for item in again.items
        )


async def test_a_disk_change_asks_the_client_to_pull_again(vault: Path) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with editor(vault, pull=True) as session:
        uri = session.open("Алгебра.md")
        before = session.client.diagnostic_refresh_count
        (vault / "Копия.md").write_text(notes.CLEAN, encoding="utf-8")
        session.notify_files(("Копия.md", types.FileChangeType.Changed))
        await wait_until(lambda: session.client.diagnostic_refresh_count > before)
        params = types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        report = await session.client.text_document_diagnostic_async(params)

    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert "duplicate-id" not in _codes(report.items)


def types_uri_path(uri: str) -> Path:
    from notels.lsp.convert import path_of_uri

    path = path_of_uri(uri)
    assert path is not None
    return path.resolve()


async def test_a_pull_client_that_cannot_refresh_gets_pushed_diagnostics(vault: Path) -> None:
    """Like Neovim 0.11: pulled diagnostics could not follow changes elsewhere in the vault."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with editor(vault, pull=True, refresh=False) as session:
        assert session.capabilities is not None
        assert session.capabilities.diagnostic_provider is None
        uri = session.open("Алгебра.md")
        await session.wait_for_codes(uri, lambda codes: codes == ALGEBRA_CODES)


async def test_a_partial_vault_status_counts_the_notes_checked_so_far(vault: Path) -> None:
    """The VS Code status bar asks `partial` first: at 10,000 notes, counting every note's
    problems took 15-25 s after indexing, and the bar showed nothing all along. A partial
    answer comes at once, counts what pull diagnostics (or a full answer) checked, and says
    how many notes it left out."""
    files = {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY, "Чистая.md": notes.CLEAN}
    write_files(vault, files)
    async with editor(vault, pull=True) as session:
        client = session.client

        async def status(**params: object) -> dict[str, object]:
            answer = await client.protocol.send_request_async("notels/vaultStatus", params)
            return {k: getattr(answer, k) for k in ("notes", "errors", "warnings", "unchecked")}

        assert await status(partial=True) == {
            "notes": 3,
            "errors": 0,
            "warnings": 0,
            "unchecked": 3,
        }

        uri = session.open("Алгебра.md")
        params = types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        report = await client.text_document_diagnostic_async(params)
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        severities = [d.severity for d in report.items]
        errors = severities.count(types.DiagnosticSeverity.Error)
        warnings = severities.count(types.DiagnosticSeverity.Warning)
        assert errors and warnings
        assert await status(partial=True) == {
            "notes": 3,
            "errors": errors,
            "warnings": warnings,
            "unchecked": 2,
        }

        whole = await status()
        assert whole["unchecked"] == 0
        assert whole["errors"] == errors + 1  # the copy's duplicate-id
        assert await status(partial=True) == whole


async def test_a_workspace_pull_with_a_partial_result_token_streams_and_stays_open(
    vault: Path,
) -> None:
    """VS Code sends a partialResultToken. The reports come in batches as `$/progress`; the
    pull then stays open and reports the notes whose findings change, until the client
    cancels it. Was: one answer at the end (the Problems panel filled 15-25 s after indexing
    at 10,000 notes), then a new pull every 2 s, a report per note each time (0.25 s of the
    server's time every 2 s while the editor was idle)."""
    files = {f"Заметка {n:03}.md": notes.CLEAN for n in range(450)}
    files |= {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY}
    write_files(vault, files)
    async with editor(vault, pull=True) as session:
        client = session.client
        whole = await client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
        batches = partial_results(client, "held")
        held = held_pull(session, "held", msg_id="held-pull")
        await wait_until(lambda: sum(map(len, batches)) >= len(files))
        assert len(batches) >= 2, "one batch means nothing was sent before the last note"
        first = [item for batch in batches for item in batch]
        assert len(first) == len(files)
        expected = {types_uri_path(item.uri): _codes(item.items) for item in whole.items}
        assert reported_codes(batches, types_uri_path) == expected
        assert expected[(vault / "Алгебра.md").resolve()] == ALGEBRA_CODES

        # Held open; a note changed on disk is reported, with the note its change concerns.
        await asyncio.sleep(0.5)
        assert not held.done() and sum(map(len, batches)) == len(files)
        (vault / "Копия.md").write_text(notes.CLEAN, encoding="utf-8")
        session.notify_files(("Копия.md", types.FileChangeType.Changed))
        algebra = (vault / "Алгебра.md").resolve()
        await wait_until(
            lambda: "duplicate-id" not in reported_codes(batches, types_uri_path)[algebra]
        )
        later = [item for batch in batches for item in batch][len(files) :]
        assert sorted(types_uri_path(str(item["uri"])).name for item in later) == [
            "Алгебра.md",
            "Копия.md",
        ]

        client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="held-pull"))
        with pytest.raises(JsonRpcRequestCancelled):
            await held
        # The server goes on answering.
        assert await client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=[])
        )


async def test_a_partial_vault_status_does_not_wait_for_a_workspace_pull(vault: Path) -> None:
    """Asked while a workspace pull checks the vault, a partial status answers at once, with
    the notes not checked yet left out. Was: it took turns with the pull, 200 notes of the
    pull for each 200 of its own, and answered when the pull was nearly done (the VS Code
    status bar's first count came 8 s late at 10,000 notes)."""
    write_files(vault, {f"Заметка {n:04}.md": notes.ALGEBRA for n in range(1200)})
    async with editor(vault, pull=True) as session:
        client = session.client
        pull = client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
        status = client.protocol.send_request_async("notels/vaultStatus", {"partial": True})
        report, status = await asyncio.gather(pull, status)

    assert len(report.items) == 1200
    assert status.notes == 1200
    assert status.unchecked > 600, "answered only once the pull had checked most notes"


async def test_a_server_with_a_workspace_pull_held_open_shuts_down(vault: Path) -> None:
    """The client shuts the server down while its pull is held open (VS Code's never ends on
    its own): shutdown is answered and the server exits, as with no pull open."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with editor(vault, pull=True) as session:
        _, held = await after_first_pass(session, "held", 2)
        server = session.client._server
        assert server is not None
    # `editor` sent shutdown and exit, and waited for the process.
    assert server.returncode == 0
    held.cancel()  # the client's own future: the server never answered it


async def test_a_second_held_workspace_pull_ends_the_first(vault: Path) -> None:
    """A client that pulls again without cancelling its held pull: the first is answered
    (empty, as a streamed answer is) instead of held beside the second, each doing a pass
    over the vault at every change."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with editor(vault, pull=True) as session:
        _, first = await after_first_pass(session, "first", 2)
        assert not first.done()
        _, second = await after_first_pass(session, "second", 2)
        assert not (await asyncio.wait_for(first, 10)).items
        assert not second.done()


async def test_result_ids_of_a_server_run_before_do_not_match(vault: Path) -> None:
    """A client keeping its result ids across a restart of the server must get full reports:
    ids counted from 1 in each run matched the old run's, and the client kept its old
    diagnostics as "unchanged"."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    params = types.WorkspaceDiagnosticParams(previous_result_ids=[])
    async with editor(vault, pull=True) as session:
        before = await session.client.workspace_diagnostic_async(params)
    previous = [types.PreviousResultId(uri=i.uri, value=i.result_id or "") for i in before.items]
    async with editor(vault, pull=True) as session:
        after = await session.client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=previous)
        )
    assert len(after.items) == 2
    assert all(isinstance(i, types.WorkspaceFullDocumentDiagnosticReport) for i in after.items)


async def test_a_stream_of_changes_does_not_hold_back_a_held_pulls_reports(vault: Path) -> None:
    """Notes changed on disk every 100 ms for 2 s (a sync client): the held pull reports the
    first change within about half a second, not once the stream ends."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with editor(vault, pull=True) as session:
        batches, held = await after_first_pass(session, "held", 2)
        first = len(batches)
        loop = asyncio.get_running_loop()
        started = loop.time()
        reported_after: float | None = None
        for round_ in range(20):
            text = notes.CLEAN + f"\nстрока {round_}\n"
            (vault / "Копия.md").write_text(text, encoding="utf-8")
            session.notify_files(("Копия.md", types.FileChangeType.Changed))
            await asyncio.sleep(0.1)
            if reported_after is None and len(batches) > first:
                reported_after = loop.time() - started
        held.cancel()
    assert reported_after is not None and reported_after < 1.0, reported_after


async def test_a_held_pull_begun_with_an_earlier_pulls_ids_sends_only_what_changed(
    vault: Path,
) -> None:
    """The client's result ids come from a plain pull (the server knows what each holds). A
    heading renamed in a note five notes link to re-checks all five; one of them linked to
    the heading. Was: all five were sent again, four with the findings the client had: the
    held pull knew the content of the reports it had sent itself only."""
    linking = {f"Ссылка {n} 😀.md": f"См. [[Цель]] и [[Нет {n}]].\n" for n in range(4)}
    write_files(
        vault,
        {
            "Цель.md": "# Цель\n## Раздел\nТекст.\n",
            "По разделу.md": "См. [[Цель#Раздел]].\n",
            **linking,
        },
    )
    async with editor(vault, pull=True) as session:
        first = await session.client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
        assert len(first.items) == 6
        batches = partial_results(session.client, "held")
        held = asyncio.ensure_future(
            session.client.workspace_diagnostic_async(
                types.WorkspaceDiagnosticParams(
                    previous_result_ids=[
                        types.PreviousResultId(uri=item.uri, value=item.result_id or "")
                        for item in first.items
                    ],
                    partial_result_token="held",
                )
            )
        )
        await asyncio.sleep(0.6)
        assert batches == []  # the client has every report
        (vault / "Цель.md").write_text("# Цель\n## Другой\nТекст.\n", encoding="utf-8")
        session.notify_files(("Цель.md", types.FileChangeType.Changed))
        await wait_until(lambda: len(batches) > 0)
        await asyncio.sleep(1.0)
        held.cancel()
    changed = reported_codes(batches, types_uri_path)
    assert changed == {(vault / "По разделу.md").resolve(): ["unresolved-heading"]}


async def test_a_held_pull_does_not_send_a_report_the_client_has_again(vault: Path) -> None:
    """A note changed on disk drops the cached findings of the notes that depend on it; checked
    again they get new result ids, most often with the same findings. Was: each was sent again
    (800 notes changed at 10,000 notes: 3,600 reports, 3,594 as the client had them). Now
    only a report that differs goes out, as soon as it is found."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with editor(vault, pull=True) as session:
        batches, held = await after_first_pass(session, "held", 2)
        sent = len(batches)
        # The same findings: text added at the end of the note the other one links to.
        (vault / "Копия.md").write_text(notes.COPY + "\nЕщё текст.\n", encoding="utf-8")
        session.notify_files(("Копия.md", types.FileChangeType.Changed))
        await asyncio.sleep(1.5)
        assert batches[sent:] == []
        # A change of findings is still sent: the copy's card ID is made unique.
        fixed = notes.COPY.replace("ID: 1737306548883", "ID: 1737306548884")
        (vault / "Копия.md").write_text(fixed, encoding="utf-8")
        session.notify_files(("Копия.md", types.FileChangeType.Changed))
        await wait_until(lambda: len(batches) > sent)
        held.cancel()
    changed = reported_codes(batches[sent:], types_uri_path)
    assert changed == {
        (vault / "Алгебра.md").resolve(): ["missing-id", "unclosed-block", "unresolved-link"],
        (vault / "Копия.md").resolve(): [],
    }


async def test_a_card_elsewhere_using_a_field_reaches_the_notes_whose_cards_repeat_it(
    vault: Path,
) -> None:
    """With too few cards of a type to infer its fields, a repeated field is reported only
    when another card uses that field too (else it is likely a line of prose): a card written
    elsewhere that starts using it changes the first note's findings. Was: only a change of
    the inferred fields re-checked the type's cards, so the pull kept the old report."""
    card = "Заметка 😀.\nTARGET DECK: Колода\nSTART\nМой тип\nFRONT: {q}\n{fields}ID: {id}\nEND\n"
    first = card.format(q="Что? 😀", fields="EXTRA: а\nEXTRA: б\n", id=1737306548883)
    write_files(vault, {"Первая.md": first, "Вторая.md": "Пока без карточек.\n"})
    async with editor(vault, pull=True) as session:

        async def first_codes() -> list[str]:
            report = await session.client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(
                    text_document=types.TextDocumentIdentifier(uri=session.uri("Первая.md"))
                )
            )
            return _codes(report.items)  # type: ignore[union-attr]

        assert await first_codes() == []
        second = card.format(q="Где?", fields="EXTRA: в\n", id=1737306548884)
        (vault / "Вторая.md").write_text(second, encoding="utf-8")
        session.notify_files(("Вторая.md", types.FileChangeType.Changed))
        for _ in range(100):
            if await first_codes() == ["duplicate-field"]:
                break
            await asyncio.sleep(0.05)
        assert await first_codes() == ["duplicate-field"]


# What a sync may change in a note that the notes linking to it do not see: plain text, or a
# new first line (the note's description), links, tags and a `created` date in new frontmatter.
_UNSEEN_BY_LINKERS = {
    "text": lambda text: text + "Ещё текст.\n",
    "links, tags, description": lambda text: (
        "---\ncreated: 2026-11-27\ntags: [синк]\n---\nНовая первая строка 😀 #тег [[Третья]]"
        f" [[Ссылки]].\n{text}См. [[Нет и этой]].\n"
    ),
}


@pytest.mark.parametrize("change", sorted(_UNSEEN_BY_LINKERS))
async def test_notes_changed_on_disk_without_a_change_others_see_leave_them_checked(
    vault: Path, change: str
) -> None:
    """Notes changed on disk (a sync) in nothing other notes' findings read of them (their
    names, headings, block ids, card IDs and fields): the notes linking to them keep their
    findings and result ids. Was: each was checked again (800 such notes at 10,000 notes:
    4,800 notes checked again, 5 s; with new links in each, 5,200 of them)."""
    files = {
        "Ссылки.md": "См. [[Первая]] и [[Вторая#Раздел]], и [[Нет такой]].\n",
        "Первая.md": "Текст 🙂.\n",
        "Вторая.md": "# Раздел\nТекст.\n",
        # The probe: Зонд.md sees Проба.md's headings, which each change below renames.
        "Проба.md": "# Заголовок 0\n",
        "Зонд.md": "См. [[Проба#Заголовок 1]].\n",
    }
    # More than the server reads at once: read on another thread, in one go (a sync).
    filler = {f"Прочее/{n}.md": f"Заметка {n}.\n" for n in range(40)}
    write_files(vault, {**files, **filler})
    async with editor(vault, pull=True) as session:
        client = session.client

        async def pull(name: str, previous: str | None = None) -> object:
            return await client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(
                    text_document=types.TextDocumentIdentifier(uri=session.uri(name)),
                    previous_result_id=previous,
                )
            )

        async def changed_on_disk(texts: dict[str, str], heading: int) -> None:
            """Written and announced in one event with the filler and the probe; once the
            probe's link sees the new heading, the server has read them all."""
            texts = {
                **texts,
                **{name: text + "Ещё.\n" for name, text in filler.items()},
                "Проба.md": f"# Заголовок {heading}\n",
            }
            for name, text in texts.items():
                (vault / name).write_text(text, encoding="utf-8")
            session.notify_files(*((name, types.FileChangeType.Changed) for name in texts))
            expected = [] if heading == 1 else ["unresolved-heading"]
            for _ in range(100):
                if _codes((await pull("Зонд.md")).items) == expected:  # type: ignore[attr-defined]
                    return
                await asyncio.sleep(0.05)
            raise AssertionError("the server did not read the changed notes")

        before = await pull("Ссылки.md")
        assert isinstance(before, types.RelatedFullDocumentDiagnosticReport)
        assert _codes(before.items) == ["unresolved-link"]
        add = _UNSEEN_BY_LINKERS[change]
        added = {name: add(files[name]) for name in ("Первая.md", "Вторая.md")}
        await changed_on_disk(added, heading=1)
        after = await pull("Ссылки.md", before.result_id)
        assert isinstance(after, types.RelatedUnchangedDocumentDiagnosticReport)
        # A change others do see still reaches them: the heading renamed.
        await changed_on_disk({"Вторая.md": "# Другой\nТекст.\n"}, heading=2)
        changed = await pull("Ссылки.md", before.result_id)
    assert isinstance(changed, types.RelatedFullDocumentDiagnosticReport)
    assert _codes(changed.items) == ["unresolved-heading", "unresolved-link"]


async def test_a_held_pull_reports_odd_files_as_a_plain_pull_does(vault: Path) -> None:
    """An empty note, CRLF line ends with emoji, a half-typed card, invalid UTF-8 and a
    binary file named .md: the streamed pull reports each as the plain pull does."""
    write_files(
        vault,
        {
            "Пустая.md": "",
            "CRLF 😀.md": "---\r\naliases: [Окно]\r\n---\r\nСм. [[Нет такой 😀]].\r\n",
            "Недописанная.md": "TARGET DECK: d\nSTART\nBasic\nFront: Что так",
        },
    )
    (vault / "Битая.md").write_bytes(b"\xff\xfe broken \xc3(\n")
    (vault / "Картинка.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    async with editor(vault, pull=True) as session:
        plain = await session.client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
        batches, held = await after_first_pass(session, "held", 5)
        held.cancel()
    expected = {types_uri_path(item.uri): _codes(item.items) for item in plain.items}
    assert len(expected) == 5 and all(expected.values())
    assert reported_codes(batches, types_uri_path) == expected
