"""Odd requests get empty answers or errors; the server stays up for the next one."""

from __future__ import annotations

from pathlib import Path

import notes
import pytest
from lsp_harness import editor, wait_until, write_files
from lsprotocol import types
from pygls.exceptions import JsonRpcException


def _diagnostic_params(uri: str) -> types.DocumentDiagnosticParams:
    return types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))


async def test_unknown_documents_get_empty_answers(vault: Path) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA})
    async with editor(vault) as session:
        client = session.client
        for uri in (
            session.uri("Нет такой заметки.md"),
            "untitled:Untitled-1",
            "file:///nowhere/at/all.md",
            "not a uri",
        ):
            report = await client.text_document_diagnostic_async(_diagnostic_params(uri))
            assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
            assert list(report.items) == []
        # A note that is on disk but not open is answered from the index.
        report = await client.text_document_diagnostic_async(
            _diagnostic_params(session.uri("Алгебра.md"))
        )
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        assert len(report.items) == 3

        # Signature help is not a notels feature: an error response, not a dead server.
        with pytest.raises(JsonRpcException):
            await client.text_document_signature_help_async(
                types.SignatureHelpParams(
                    text_document=types.TextDocumentIdentifier(uri="untitled:x"),
                    position=types.Position(line=10_000, character=10_000),
                )
            )

        uri = session.open("Алгебра.md")
        await session.wait_for_codes(uri, bool)


async def test_out_of_range_edits_are_clamped(vault: Path) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA})
    async with editor(vault) as session:
        uri = session.open("Алгебра.md")
        await session.wait_for_codes(uri, lambda codes: "unclosed-block" in codes)
        # Past the end of the text: LSP says clamp, so this appends the missing END.
        session.edit(uri, (10_000, 5), (10_000, 7), "END\n")
        await session.wait_for_codes(uri, lambda codes: "unclosed-block" not in codes)
        # Past the end of a line, and inside the emoji's surrogate pair: still no crash.
        session.edit(uri, (notes.LINK_LINE, 500), (notes.LINK_LINE, 900), "!")
        session.edit(uri, (notes.LINK_LINE, 8), (notes.LINK_LINE, 8), "x")
        # Changes to a document that was never opened are ignored.
        session.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=session.uri("Никогда.md"), version=2
                ),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text="x")],
            )
        )
        session.edit(uri, (notes.LINK_LINE, 0), (notes.LINK_LINE, 0), "Ну ")
        # `Ну Привет x😀 [[Нет такой]]!`: "x" went before the emoji, "!" to the line's end.
        moved = types.Position(line=notes.LINK_LINE, character=16)
        await wait_until(lambda: any(d.range.start == moved for d in session.diagnostics(uri)))
        # The appended END closed the last card, which has no ID either.
        assert session.codes(uri) == ["missing-id", "missing-id", "unresolved-link"]


async def test_a_file_event_for_a_file_outside_the_vault_is_ignored(
    vault: Path, tmp_path: Path
) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA})
    outside = tmp_path / "elsewhere.md"
    outside.write_text("[[x]]\n", encoding="utf-8")
    async with editor(vault) as session:
        uri = session.open("Алгебра.md")
        await session.wait_for_codes(uri, bool)
        session.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[
                    types.FileEvent(uri=outside.as_uri(), type=types.FileChangeType.Changed),
                    types.FileEvent(uri="untitled:y", type=types.FileChangeType.Deleted),
                    types.FileEvent(uri=session.uri("Нет.md"), type=types.FileChangeType.Deleted),
                ]
            )
        )
        session.edit(uri, (0, 0), (0, 0), "#")
        await session.wait_for_codes(uri, bool)


async def test_a_lone_surrogate_in_a_note_comes_back_escaped(vault: Path) -> None:
    # JSON lets a client send `\ud800` alone; it has no UTF-8 form, so the answer that repeats
    # it must use JSON's escape rather than fail (answers are UTF-8 as it is otherwise).
    write_files(vault, {"Алгебра.md": notes.ALGEBRA})
    async with editor(vault) as session:
        uri = session.open("Половина.md", "# Заголовок \ud800 😀\n\nТекст.\n")
        symbols = await session.client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert symbols is not None
        assert [symbol.name for symbol in symbols] == ["Заголовок \ud800 😀"]
        # And the server still answers plain UTF-8 after it.
        uri = session.open("Алгебра.md")
        await session.wait_for_codes(uri, bool)


async def test_a_file_event_naming_a_nul_is_ignored(
    vault: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # No file has a NUL in its name; resolving such a path raised ValueError, which the
    # notification's handler did not expect (it logged a traceback, and the other events of
    # the notification were dropped with it).
    write_files(vault, {"Алгебра.md": "[[Новая]]\n"})
    async with editor(vault) as session:
        uri = session.open("Алгебра.md")
        await session.wait_for_codes(uri, lambda codes: codes == ["unresolved-link"])
        write_files(vault, {"Новая.md": "# Новая\n"})
        session.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[
                    types.FileEvent(uri=session.uri("x") + "%00y.md", type=kind)
                    for kind in types.FileChangeType
                ]
                + [types.FileEvent(uri=session.uri("Новая.md"), type=types.FileChangeType.Created)]
            )
        )
        await session.wait_for_codes(uri, lambda codes: codes == [])
    assert "Traceback" not in capfd.readouterr().err
