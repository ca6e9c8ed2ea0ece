"""The diagnostics an editor ends up showing over time equal what `notels check` says."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsp_harness import Editor, Row, check_rows, diagnostic_rows, editor, wait_until, write_files
from lsprotocol import types

Created, Changed, Deleted = (
    types.FileChangeType.Created,
    types.FileChangeType.Changed,
    types.FileChangeType.Deleted,
)


def record(session: Editor) -> list[types.PublishDiagnosticsParams]:
    """Every publishDiagnostics the client gets, in order (and client.diagnostics as usual)."""
    log: list[types.PublishDiagnosticsParams] = []
    client = session.client
    features = client.protocol.fm._features
    features.pop(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, None)

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: types.PublishDiagnosticsParams) -> None:
        log.append(params)
        client.diagnostics[params.uri] = params.diagnostics

    return log


async def settle(session: Editor, uri: str, expected: list[Row], timeout: float = 5.0) -> None:
    """Wait until the editor shows `expected` for `uri`; fail with what it shows."""
    try:
        await wait_until(lambda: diagnostic_rows(session.diagnostics(uri)) == expected, timeout)
    except AssertionError:
        assert diagnostic_rows(session.diagnostics(uri)) == expected


async def quiet(seconds: float = 0.6) -> None:
    await asyncio.sleep(seconds)


def close(session: Editor, uri: str) -> None:
    session.client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


def replace_all(session: Editor, uri: str, text: str) -> None:
    session.versions[uri] += 1
    session.client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(
                uri=uri, version=session.versions[uri]
            ),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def pull(session: Editor, uri: str, previous: str | None = None) -> object:
    return await session.client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=previous
        )
    )


async def test_closing_unsaved_note_brings_back_disk_version(vault: Path) -> None:
    """closing an edited note re-judges its dependents against the disk text."""
    write_files(vault, {"A.md": "# Old\ntext\n", "B.md": "see [[A#New]]\n"})
    async with editor(vault, encodings=["utf-32"]) as session:
        b = session.open("B.md")
        a = session.open("A.md")
        await session.wait_for_codes(b, lambda c: c == ["unresolved-heading"])
        session.edit(a, (0, 2), (0, 5), "New")
        await session.wait_for_codes(b, lambda c: c == [])
        close(session, a)
        await settle(session, b, check_rows(vault).get("B.md", []))
        await settle(session, a, [])


async def test_quick_edits_publish_the_last_version(vault: Path) -> None:
    """edits inside the debounce window end with the last version published."""
    write_files(vault, {"A.md": "x\n"})
    async with editor(vault, encodings=["utf-32"]) as session:
        log = record(session)
        a = session.open("A.md")
        await wait_until(lambda: a in session.client.diagnostics)
        for i in range(6):
            session.edit(a, (0, 0), (0, 0), f"[[N{i}]] ")
        await quiet(1.0)
        (vault / "A.md").write_text("".join(f"[[N{i}]] " for i in reversed(range(6))) + "x\n")
        mine = [p for p in log if p.uri == a]
        assert mine[-1].version == 7
        await settle(session, a, check_rows(vault)["A.md"])


async def test_pull_result_changes_when_a_dependency_changes(vault: Path) -> None:
    """a pulled resultId is not reported unchanged after a linked note changed."""
    write_files(vault, {"A.md": "# H\n", "B.md": "see [[A#H]]\n"})
    async with editor(vault, pull=True, encodings=["utf-32"]) as session:
        b = session.open("B.md")
        first = await pull(session, b)
        assert isinstance(first, types.RelatedFullDocumentDiagnosticReport)
        assert list(first.items) == []
        (vault / "A.md").write_text("# G\n")
        before = session.client.diagnostic_refresh_count
        session.notify_files(("A.md", Changed))
        await wait_until(lambda: session.client.diagnostic_refresh_count > before)
        second = await pull(session, b, first.result_id)
        assert isinstance(second, types.RelatedFullDocumentDiagnosticReport)
        assert diagnostic_rows(second.items) == check_rows(vault)["B.md"]


async def test_notels_toml_severity_rejudges_open_notes(vault: Path) -> None:
    """`.notels.toml` rule severities re-judge open notes."""
    write_files(vault, {"B.md": "see [[Nope]]\n"})
    async with editor(vault, encodings=["utf-32"]) as session:
        b = session.open("B.md")
        await session.wait_for_codes(b, lambda c: c == ["unresolved-link"])
        (vault / ".notels.toml").write_text('[rules]\nunresolved-link = "error"\n')
        session.notify_files((".notels.toml", Created))
        await wait_until(
            lambda: [d.severity for d in session.diagnostics(b)] == [types.DiagnosticSeverity.Error]
        )
        (vault / ".notels.toml").write_text('[rules]\nunresolved-link = "off"\n')
        session.notify_files((".notels.toml", Changed))
        await settle(session, b, check_rows(vault).get("B.md", []))
        (vault / ".notels.toml").unlink()
        session.notify_files((".notels.toml", Deleted))
        await settle(session, b, check_rows(vault).get("B.md", []))


# ---------------------------------------------------------------- bugs


async def test_open_note_over_max_file_size_has_the_message_of_check(vault: Path) -> None:
    """An open note over max-file-size gets `notels check`'s skipped-file message."""
    write_files(
        vault, {".notels.toml": "max-file-size = 1000\n", "A.md": "# H\n" + "x" * 3000 + "\n"}
    )
    async with editor(vault, encodings=["utf-32"]) as session:
        a = session.open("A.md")
        await wait_until(lambda: a in session.client.diagnostics)
        await settle(session, a, check_rows(vault)["A.md"])


async def test_workspace_diagnostic_clears_a_deleted_note(vault: Path) -> None:
    """workspace/diagnostic reports a deleted note empty, so the client drops its findings."""
    write_files(vault, {"A.md": "see [[Nope]]\n", "B.md": "fine words\n"})
    async with editor(vault, pull=True, encodings=["utf-32"]) as session:
        report = await session.client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
        ids = [types.PreviousResultId(uri=i.uri, value=i.result_id or "") for i in report.items]
        (a_item,) = [i for i in report.items if i.uri.endswith("/A.md")]
        assert [str(d.code) for d in a_item.items] == ["unresolved-link"]  # type: ignore[union-attr]
        (vault / "A.md").unlink()
        before = session.client.diagnostic_refresh_count
        session.notify_files(("A.md", Deleted))
        await wait_until(lambda: session.client.diagnostic_refresh_count > before)
        again = await session.client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=ids)
        )
        by_uri = {item.uri: item for item in again.items}
        # The client holds findings for A (it sent A's result id): only a full, empty report
        # for A clears them (VS Code keeps whatever a workspace report does not mention).
        assert a_item.uri in by_uri, "deleted note left out: the client keeps its old findings"
        cleared = by_uri[a_item.uri]
        assert isinstance(cleared, types.WorkspaceFullDocumentDiagnosticReport)
        assert list(cleared.items) == []


async def test_a_replace_all_in_one_notification_leaves_what_check_says(vault: Path) -> None:
    """VS Code sends a replace-all as one didChange of changes from the bottom up: 3,000 of
    them in a note of emoji and Cyrillic lines, applied in one pass, leave the note as `notels
    check` reads the same text."""
    lines = [f"Строка {n} 😀 со ссылкой [[Нет такой]] и [[Нет такой|😀]]" for n in range(1_500)]
    write_files(vault, {"Заметка.md": "\r\n".join(lines), "Есть.md": "Текст.\n"})
    async with editor(vault, encodings=["utf-32"]) as session:
        uri = session.open("Заметка.md")
        await session.wait_for_codes(uri, lambda codes: codes.count("unresolved-link") == 3_000)
        changes: list[types.TextDocumentContentChangeEvent] = []
        for number in reversed(range(len(lines))):
            line = lines[number]
            for word in reversed(list(_occurrences(line, "Нет такой"))):
                start = len(line[:word])  # code points: the session speaks UTF-32
                changes.append(
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=number, character=start),
                            end=types.Position(line=number, character=start + len("Нет такой")),
                        ),
                        text="Есть",
                    )
                )
        session.versions[uri] += 1
        session.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=uri, version=session.versions[uri]
                ),
                content_changes=changes,
            )
        )
        await session.wait_for_codes(uri, lambda codes: "unresolved-link" not in codes)
        fixed = "\r\n".join(line.replace("Нет такой", "Есть") for line in lines)
        (vault / "Заметка.md").write_text(fixed, encoding="utf-8", newline="")
        await settle(session, uri, check_rows(vault).get("Заметка.md", []))


def _occurrences(line: str, word: str) -> list[int]:
    found, at = [], line.find(word)
    while at != -1:
        found.append(at)
        at = line.find(word, at + len(word))
    return found
