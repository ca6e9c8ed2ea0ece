"""Published diagnostics: codes, exact ranges in each position encoding, typing a fix."""

from __future__ import annotations

from pathlib import Path

import notes
import pytest
from lsp_harness import (
    check_rows,
    diagnostic_rows,
    editor,
    wait_until,
    write_files,
)
from lsprotocol import types
from pytest_lsp import LanguageClient

from notels.rules import REGISTRY


def _by_code(diagnostics: list[types.Diagnostic]) -> dict[str, list[types.Diagnostic]]:
    found: dict[str, list[types.Diagnostic]] = {}
    for diagnostic in diagnostics:
        found.setdefault(str(diagnostic.code), []).append(diagnostic)
    return found


def _range(start: tuple[int, int], end: tuple[int, int]) -> types.Range:
    return types.Range(
        start=types.Position(line=start[0], character=start[1]),
        end=types.Position(line=end[0], character=end[1]),
    )


async def test_each_defect_has_its_code_and_exact_utf16_range(vault: Path) -> None:
    write_files(
        vault,
        {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY, "Сломанный.md": notes.BROKEN},
    )
    async with editor(vault) as session:
        algebra = session.open("Алгебра.md")
        broken = session.open("Сломанный.md")
        await session.wait_for_codes(algebra, bool)
        await session.wait_for_codes(broken, bool)
        found = _by_code(session.diagnostics(algebra))
        broken_found = _by_code(session.diagnostics(broken))

    assert sorted(found) == ["duplicate-id", "missing-id", "unclosed-block", "unresolved-link"]
    (link,) = found["unresolved-link"]
    assert link.range == _range((notes.LINK_LINE, 12), (notes.LINK_LINE, 21))  # `Нет такой`
    assert link.severity == types.DiagnosticSeverity.Warning
    assert link.source == "notels"
    assert link.code_description is not None
    assert link.code_description.href == REGISTRY["unresolved-link"].docs_url
    (missing,) = found["missing-id"]
    assert missing.range == _range((notes.MISSING_ID_LINE, 0), (notes.MISSING_ID_LINE, 5))
    (unclosed,) = found["unclosed-block"]
    assert unclosed.range.start == types.Position(line=notes.UNCLOSED_LINE, character=0)
    assert unclosed.severity == types.DiagnosticSeverity.Error

    (duplicate,) = found["duplicate-id"]
    assert duplicate.range == _range((notes.DUPLICATE_LINE, 0), (notes.DUPLICATE_LINE, 17))
    (related,) = duplicate.related_information or []
    assert related.location.uri == (vault / "Копия.md").resolve().as_uri()
    assert related.location.range.start == types.Position(line=notes.COPY_ID_LINE, character=0)
    assert "1737306548883" in related.message

    (invalid,) = broken_found["invalid-frontmatter"]
    assert invalid.severity == types.DiagnosticSeverity.Error
    assert 1 <= invalid.range.start.line <= 3  # inside the YAML


@pytest.mark.parametrize(
    ("offered", "chosen", "start", "end"),
    [
        (["utf-8", "utf-16"], "utf-8", 20, 37),  # bytes: Cyrillic letters are 2, the emoji 4
        (["utf-32"], "utf-32", 11, 20),  # code points
        (["utf-7", "utf-16", "utf-8"], "utf-16", 12, 21),  # the client's first we support
    ],
)
async def test_position_encoding_follows_the_client(
    vault: Path, offered: list[str], chosen: str, start: int, end: int
) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA})
    async with editor(vault, encodings=offered) as session:
        uri = session.open("Алгебра.md")
        await session.wait_for_codes(uri, lambda codes: "unresolved-link" in codes)
        (link,) = _by_code(session.diagnostics(uri))["unresolved-link"]
        # An edit in the same encoding: replace `Нет такой` with an existing note's name.
        session.edit(uri, (notes.LINK_LINE, start), (notes.LINK_LINE, end), "Алгебра")
        await session.wait_for_codes(uri, lambda codes: "unresolved-link" not in codes)

    assert link.range == _range((notes.LINK_LINE, start), (notes.LINK_LINE, end)), chosen


async def test_typing_a_fix_clears_the_diagnostic(vault: Path) -> None:
    """Type an ID line key by key into the card without one; the warning goes away."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with editor(vault) as session:
        uri = session.open("Алгебра.md")
        await session.wait_for_codes(uri, lambda codes: "missing-id" in codes)
        typed = "ID: 1737306549999\n"
        for column, key in enumerate(typed):
            at = (notes.FIRST_END_LINE, column)
            session.edit(uri, at, at, key)
        codes = await session.wait_for_codes(uri, lambda codes: "missing-id" not in codes)
        assert session.client.diagnostics[uri] is not None

    assert codes == ["duplicate-id", "unclosed-block", "unresolved-link"]


async def test_agrees_with_notels_check(vault: Path) -> None:
    """Same codes, messages and code-point positions as `notels check` for every open note."""
    files = {
        "Алгебра.md": notes.ALGEBRA,
        "Копия.md": notes.COPY,
        "Сломанный.md": notes.BROKEN,
        "Ссылки/На пропавшую.md": notes.LINKS_TO_MISSING,
        "Чистая.md": notes.CLEAN,
    }
    write_files(vault, files)
    expected = check_rows(vault)
    async with editor(vault, encodings=["utf-32"]) as session:
        uris = {relative: session.open(relative) for relative in files}
        await wait_until(lambda: all(uri in session.client.diagnostics for uri in uris.values()))
        for relative, uri in uris.items():
            got = diagnostic_rows(session.diagnostics(uri))
            assert sorted(got) == sorted(expected.get(relative, [])), relative


async def test_untitled_and_ignored_documents_have_no_diagnostics(vault: Path) -> None:
    write_files(
        vault,
        {
            ".notels.toml": 'ignore = ["Черновики/**"]\n',
            "Черновики/Черновик.md": notes.ALGEBRA,
            "Алгебра.md": notes.ALGEBRA,
        },
    )
    async with editor(vault) as session:
        untitled = "untitled:Untitled-1"
        session.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=untitled, language_id="markdown", version=1, text=notes.ALGEBRA
                )
            )
        )
        ignored = session.open("Черновики/Черновик.md")
        checked = session.open("Алгебра.md")
        await session.wait_for_codes(checked, bool)
        await wait_until(lambda: untitled in session.client.diagnostics)
        await wait_until(lambda: ignored in session.client.diagnostics)
        assert session.diagnostics(untitled) == []
        assert session.diagnostics(ignored) == []


async def test_unnecessary_tag_on_a_stale_fix_empty_tag(vault: Path) -> None:
    text = "---\ntags:\n  - fix/empty\n---\n" + "Слово 🙂 " * 40 + "\n"
    write_files(vault, {"Готово.md": text})
    async with editor(vault) as session:
        uri = session.open("Готово.md")
        await session.wait_for_codes(uri, lambda codes: "stale-fix-empty" in codes)
        (stale,) = _by_code(session.diagnostics(uri))["stale-fix-empty"]

    assert list(stale.tags or []) == [types.DiagnosticTag.Unnecessary]
    assert stale.severity == types.DiagnosticSeverity.Warning


async def test_closing_a_document_clears_its_diagnostics(vault: Path) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA})
    async with editor(vault) as session:
        uri = session.open("Алгебра.md")
        await session.wait_for_codes(uri, bool)
        session.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        await session.wait_for_codes(uri, lambda codes: codes == [])


async def test_without_workspace_folders_the_vault_is_found_upward(vault: Path) -> None:
    """A single file opened on its own: its vault (the folder with .obsidian/) is indexed."""
    write_files(vault, {"Глубоко/Внутри/Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with editor(vault, folders=False) as session:
        uri = session.open("Глубоко/Внутри/Алгебра.md")
        # The duplicate lives in another folder of the vault: only an indexed vault knows it.
        await session.wait_for_codes(uri, lambda codes: "duplicate-id" in codes)
        await wait_until(lambda: bool(session.client.progress_reports))


async def test_while_the_vault_is_indexed_only_the_notes_own_findings_show(vault: Path) -> None:
    """A link to a note not read yet is no broken link: findings that depend on other notes
    wait for the index, the note's own come at once, and then the rest."""
    big = "Строка текста с формулой $x^2$ и ссылкой [[Цель]] 😀.\n" * 50_000  # 4 MB
    opened = "Ссылки: [[Цель]] и [[Нигде]].\n\nSTART\nBasic\nFRONT: вопрос\nEND\n"
    write_files(vault, {"0 Большая.md": big, "Заметка.md": opened, "Цель.md": "Текст.\n"})
    # One process reads the 4 MB note first, for a good part of a second.
    env = {"NOTELS_INDEX_PROCESSES": "0"}
    async with editor(vault, folders=False, env=env) as session:
        uri = session.open("Заметка.md")
        first = await session.wait_for_codes(uri, bool)
        during = not _indexed(session.client, "3 notes indexed")
        await wait_until(lambda: _indexed(session.client, "3 notes indexed"))
        final = await session.wait_for_codes(uri, lambda codes: "unresolved-link" in codes)
    assert during, "the index was done before the note's first diagnostics: nothing checked"
    assert first == ["missing-id", "missing-target-deck"]
    assert final == ["missing-id", "missing-target-deck", "unresolved-link"]
    (missing,) = [d for d in session.diagnostics(uri) if d.code == "unresolved-link"]
    assert missing.range == _range((0, 21), (0, 26))  # Нигде, not Цель


async def test_a_pull_client_gets_the_notes_own_findings_then_all_once_indexed(
    vault: Path,
) -> None:
    """The same for a client that pulls: what it pulls during indexing, and again when the
    server asks it to once the index is done."""
    big = "Строка текста с формулой $x^2$ и ссылкой [[Цель]] 😀.\n" * 50_000  # 4 MB
    opened = "Ссылки: [[Цель]] и [[Нигде]].\n\nSTART\nBasic\nFRONT: вопрос\nEND\n"
    write_files(vault, {"0 Большая.md": big, "Заметка.md": opened, "Цель.md": "Текст.\n"})
    env = {"NOTELS_INDEX_PROCESSES": "0"}
    async with editor(vault, folders=False, pull=True, env=env) as session:
        uri = session.open("Заметка.md")

        async def pull() -> list[str]:
            report = await session.client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
            )
            assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
            return sorted(str(d.code) for d in report.items)

        refreshes = session.client.diagnostic_refresh_count
        first = await pull()
        during = not _indexed(session.client, "3 notes indexed")
        await wait_until(lambda: session.client.diagnostic_refresh_count > refreshes)
        await wait_until(lambda: _indexed(session.client, "3 notes indexed"))
        final = await pull()
    assert during, "the index was done before the first pull: nothing checked"
    assert first == ["missing-id", "missing-target-deck"]
    assert final == ["missing-id", "missing-target-deck", "unresolved-link"]


def _indexed(client: LanguageClient, message: str) -> bool:
    return any(
        isinstance(value, types.WorkDoneProgressEnd) and value.message == message
        for reports in client.progress_reports.values()
        for value in reports
    )
