"""The read-only LSP features (navigation, symbols, structure, completion items) at their
edges, driven end to end: workspace folders coming and going, notes outside every vault,
headings holding `#`, plain-text clients, encodings, malformed requests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import lsp_harness
from bench_resilience import RawClient, wait_for
from edit_harness import position, span
from lsp_harness import Editor, document, wait_until, write_files
from lsprotocol import types

_plain = lsp_harness.capabilities


def _nav_caps(**kwargs: Any) -> types.ClientCapabilities:
    result = _plain(**kwargs)
    assert result.text_document is not None and result.workspace is not None
    result.text_document.definition = types.DefinitionClientCapabilities(link_support=True)
    result.text_document.document_symbol = types.DocumentSymbolClientCapabilities(
        hierarchical_document_symbol_support=True
    )
    result.workspace.code_lens = types.CodeLensWorkspaceClientCapabilities(refresh_support=True)
    result.text_document.completion = types.CompletionClientCapabilities(
        completion_item=types.ClientCompletionItemOptions(
            snippet_support=True,
            documentation_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText],
        )
    )
    return result


@asynccontextmanager
async def nav(root: Path, **kwargs: Any) -> AsyncIterator[Editor]:
    lsp_harness.capabilities = _nav_caps
    try:
        async with lsp_harness.editor(root, **kwargs) as session:
            lsp_harness.capabilities = _plain
            yield session
    finally:
        lsp_harness.capabilities = _plain


async def symbols(s: Editor, uri: str) -> Any:
    return await s.client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=document(uri))
    )


async def wsymbols(s: Editor, query: str) -> list[types.WorkspaceSymbol]:
    return list(
        await s.client.workspace_symbol_async(types.WorkspaceSymbolParams(query=query)) or ()
    )


async def links(s: Editor, uri: str) -> list[types.DocumentLink]:
    return list(
        await s.client.text_document_document_link_async(
            types.DocumentLinkParams(text_document=document(uri))
        )
        or ()
    )


async def folds(s: Editor, uri: str) -> list[tuple[int, int]]:
    found = await s.client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=document(uri))
    )
    return [(f.start_line, f.end_line) for f in found or ()]


async def selection(s: Editor, uri: str, line: int, ch: int) -> list[types.Range]:
    found = await s.client.text_document_selection_range_async(
        types.SelectionRangeParams(text_document=document(uri), positions=[position(line, ch)])
    )
    chain: list[types.Range] = []
    node = found[0] if found else None
    while node is not None:
        chain.append(node.range)
        node = node.parent
    return chain


async def completion(s: Editor, uri: str, line: int, ch: int) -> types.CompletionList:
    found = await s.client.text_document_completion_async(
        types.CompletionParams(text_document=document(uri), position=position(line, ch))
    )
    assert isinstance(found, types.CompletionList)
    return found


async def lenses(s: Editor, uri: str) -> list[str]:
    found = await s.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=document(uri))
    )
    return [lens.command.title for lens in found or () if lens.command]


def uri_of(root: Path, rel: str) -> str:
    return (root / rel).resolve().as_uri()


async def _indexed_runs(s: Editor, n: int) -> None:
    await wait_until(lambda: s.indexed_runs() >= n)


async def test_a_removed_workspace_folder_takes_its_notes_out_of_workspace_symbols(
    tmp_path: Path,
) -> None:
    """A workspace folder removed by didChangeWorkspaceFolders takes its vault: its notes go."""
    a = write_files(tmp_path / "A", {"Общая.md": "# Общая\n"})
    b = write_files(tmp_path / "B", {"ТолькоB.md": "# ТолькоB 😀\n"})
    async with nav(a) as s:
        s.change_folders(added=[b])
        await _indexed_runs(s, 2)
        before = [w.location.uri for w in await wsymbols(s, "ТолькоB")]
        s.change_folders(removed=[b])
        left: list[str] = []
        for _ in range(25):  # up to ~2.5 s for the server to drop the vault
            left = [w.location.uri for w in await wsymbols(s, "ТолькоB")]
            if not left:
                break
            import asyncio

            await asyncio.sleep(0.1)
        still = [w.location.uri for w in await wsymbols(s, "Общая")]

    assert before and all(uri.startswith(b.as_uri()) for uri in before)
    assert left == []  # the server answers the removed folder's note (File and heading)
    assert still and all(uri.startswith(a.as_uri()) for uri in still)


async def test_a_note_opened_above_the_vault_makes_no_second_vault(tmp_path: Path) -> None:
    """A note opened from the unmarked folder holding the vault makes no second vault of that
    folder: the real vault's notes are listed once by workspace/symbol."""
    root = write_files(tmp_path / "V", {"Алгебра.md": "# Алгебра\n"})
    (tmp_path / "todo.md").write_text("[[Алгебра]]\n", encoding="utf-8")
    async with nav(root) as s:
        todo = (tmp_path / "todo.md").as_uri()
        s.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=todo, language_id="markdown", version=1, text="[[Алгебра]]\n"
                )
            )
        )
        found = [(w.name, w.kind, w.location.uri) for w in await wsymbols(s, "Алгебра")]
        await asyncio.sleep(0.5)  # a second vault, if one were made, would be indexed by now
        found += [(w.name, w.kind, w.location.uri) for w in await wsymbols(s, "Алгебра")]

    algebra = uri_of(root, "Алгебра.md")
    assert found == 2 * [
        ("Алгебра", types.SymbolKind.File, algebra),
        ("Алгебра", types.SymbolKind.String, algebra),
    ]


HASH_HEADINGS = {
    "Языки.md": "# Языки\n\n## C# и F#\nпро дотнет 😀\n\n## Python\nпро питон\n",
    "Ссылки.md": "[[Языки#C и F]] и [[Языки#Python]] и [[Языки#]]\n",
}


async def test_references_on_a_heading_with_a_hash_find_its_links(tmp_path: Path) -> None:
    """References on `## C# и F#` give `[[Языки#C и F]]`, not `[[Языки#]]`."""
    root = write_files(tmp_path / "V", HASH_HEADINGS)
    async with nav(root) as s:
        languages = s.open("Языки.md")
        found = await s.references(languages, 2, 4)
        # The link itself goes to the heading: definition agrees on what it names.
        target = await s.definition(s.open("Ссылки.md"), 0, 3)

    assert [(t.target_uri, t.target_range) for t in target] == [(languages, span((2, 0), (2, 10)))]
    assert found == [(uri_of(root, "Ссылки.md"), span((0, 0), (0, 15)))]


async def test_completion_resolve_of_a_heading_with_a_hash_previews_its_section(
    tmp_path: Path,
) -> None:
    """Resolving the `C# и F#` heading item documents that section, not the whole note."""
    root = write_files(tmp_path / "V", HASH_HEADINGS)
    async with nav(root) as s:
        u = s.open("Ссылки.md", "[[Языки#\n")
        items = (await completion(s, u, 0, 8)).items
        heading = next(item for item in items if item.label == "C# и F#")
        python = next(item for item in items if item.label == "Python")
        resolved = await s.client.completion_item_resolve_async(heading)
        resolved_python = await s.client.completion_item_resolve_async(python)

    assert heading.text_edit is not None and heading.text_edit.new_text == "C и F]]"
    assert isinstance(resolved_python.documentation, types.MarkupContent)
    assert resolved_python.documentation.value.startswith("**Языки** · `Языки.md` › Python")
    assert isinstance(resolved.documentation, types.MarkupContent)
    assert resolved.documentation.value == (
        "**Языки** · `Языки.md` › C# и F#\n\n---\n\n## C# и F#\nпро дотнет 😀"
    )


async def test_hover_gives_a_plaintext_only_client_plain_text(tmp_path: Path) -> None:
    """A client whose hover.contentFormat is only plaintext gets plain text."""
    root = write_files(tmp_path / "V", {"A.md": "# A\n[[B]]\n", "B.md": "# B\n**жирный**\n"})

    def caps(**kwargs: Any) -> types.ClientCapabilities:
        result = _plain(**kwargs)
        assert result.text_document is not None
        result.text_document.hover = types.HoverClientCapabilities(
            content_format=[types.MarkupKind.PlainText]
        )
        return result

    lsp_harness.capabilities = caps
    try:
        async with lsp_harness.editor(root) as s:
            lsp_harness.capabilities = _plain
            found = await s.hover(s.open("A.md"), 1, 3)
    finally:
        lsp_harness.capabilities = _plain

    assert found is not None and isinstance(found.contents, types.MarkupContent)
    assert found.contents.kind == types.MarkupKind.PlainText


# --- guards -----------------------------------------------------------------------------------

CRLF = (
    "---\r\ntags: [ml]\r\n---\r\n# Заголовок 😀\r\n"
    "Привет 😀 [[Цель#Раздел 😀]] и #тег\r\nСм. https://example.org/путь\r\n\r\n"
    "## Второй\r\nтекст\r\n"
)
CRLF_TARGET = "# Цель\r\nинтро\r\n\r\n## Раздел 😀\r\nтело\r\n"


async def test_crlf_cyrillic_emoji_ranges_in_utf8(tmp_path: Path) -> None:
    """utf-8 columns on a CRLF note with Cyrillic and emoji, for every reading feature."""
    root = write_files(tmp_path / "V", {"Заметка.md": CRLF, "Цель.md": CRLF_TARGET})
    async with nav(root, encodings=["utf-8"]) as s:
        u = s.open("Заметка.md")
        found = await s.definition(u, 4, 21)  # inside `Цель`: `Привет 😀 [[` is 20 bytes
        shown = await s.hover(u, 4, 21)
        tag = await s.hover(u, 4, 53)
        document_links = [(link.range, link.target) for link in await links(s, u)]
        folded = await folds(s, u)
        chain = await selection(s, u, 4, 21)

    target = uri_of(root, "Цель.md")
    assert [(t.target_uri, t.target_range, t.origin_selection_range) for t in found] == [
        (target, span((3, 0), (3, 20)), span((4, 18), (4, 48)))
    ]
    assert shown is not None and shown.range == span((4, 18), (4, 48))
    assert tag is not None and tag.range == span((4, 52), (4, 59))
    assert document_links == [
        (span((4, 20), (4, 28)), f"{target}#L4,1"),
        (span((5, 6), (5, 34)), "https://example.org/путь"),
    ]
    assert folded == [(0, 2), (3, 8), (7, 8)]
    assert chain == [
        span((4, 20), (4, 28)),
        span((4, 18), (4, 48)),
        span((4, 0), (4, 59)),
        span((3, 0), (8, 10)),
        span((0, 0), (9, 0)),
    ]


async def test_answers_follow_unsaved_edits_of_other_notes(tmp_path: Path) -> None:
    """a request right after didChange sees every open note's unsaved text."""
    root = write_files(
        tmp_path / "V",
        {"A.md": "# A\nтекст 😀\n", "B.md": "# B\n\n## Старый\nтело\n", "C.md": "[[B]]\n"},
    )
    async with nav(root, settings={"code-lens": True}) as s:
        a = s.open("A.md")
        b = s.open("B.md")
        s.edit(a, (1, 0), (1, 0), "😀 [[B#Новый]] ")
        s.edit(b, (2, 3), (2, 9), "Новый")
        found = await s.definition(a, 1, 6)
        backlinks = await s.references(b, 0, 2)
        titles = await lenses(s, b)
        new = [(w.name, w.location.range) for w in await wsymbols(s, "Новый")]
        old = await wsymbols(s, "Старый")

    assert [(t.target_uri, t.target_range, t.origin_selection_range) for t in found] == [
        (b, span((2, 0), (2, 8)), span((1, 3), (1, 14)))
    ]
    assert backlinks == [(a, span((1, 3), (1, 14))), (uri_of(root, "C.md"), span((0, 0), (0, 5)))]
    assert titles == ["2 backlinks"]
    assert new == [("Новый", span((2, 0), (2, 8)))] and old == []


async def test_ignored_note_gets_empty_answers_until_config_changes(tmp_path: Path) -> None:
    """a note in an ignored folder is answered for nothing, and counts once un-ignored."""
    root = write_files(
        tmp_path / "V",
        {
            ".notels.toml": 'ignore = ["Шаблоны/**"]\n',
            "Шаблоны/Шаблон.md": "# Шаблон\n[[Цель]] #тег\n",
            "Цель.md": "# Цель\n#тег\n",
        },
    )
    async with nav(root, settings={"code-lens": True}) as s:
        template = s.open("Шаблоны/Шаблон.md")
        target = s.open("Цель.md")
        ignored = (await s.definition(template, 1, 3), await symbols(s, template))
        tag_before = await s.references(target, 1, 2)
        (root / ".notels.toml").write_text("", encoding="utf-8")
        s.notify_files((".notels.toml", types.FileChangeType.Changed))
        await _indexed_runs(s, 2)
        tag_after = await s.references(target, 1, 2)
        lens_after = await lenses(s, target)

    assert ignored == (None, [])
    assert tag_before == [(target, span((1, 0), (1, 4)))]
    assert tag_after == [(target, span((1, 0), (1, 4))), (template, span((1, 9), (1, 13)))]
    assert lens_after == ["1 backlink"]


@asynccontextmanager
async def raw_server(root: Path) -> AsyncIterator[RawClient]:
    """A server spoken to in raw JSON-RPC (the randomized client's), its indexing done."""
    client = await RawClient.start()
    try:
        await client.call(
            "initialize",
            {
                "processId": None,
                "rootUri": None,
                "capabilities": {"window": {"workDoneProgress": True}},
                "workspaceFolders": [{"uri": root.as_uri(), "name": "v"}],
            },
        )
        client.notify("initialized", {})
        await wait_for(lambda: bool(client.progress_ended), 10, "the first indexing")
        yield client
    finally:
        await client.stop()


async def test_malformed_requests_get_errors_and_the_server_stays_up(
    tmp_path: Path,
) -> None:
    """params lsprotocol cannot read get InvalidParams; odd documents get empty answers."""
    root = write_files(tmp_path / "V", {"A.md": "# A\n[[B]] #t 😀\n", "B.md": "# B\n"})
    async with raw_server(root) as r:
        a = uri_of(root, "A.md")
        r.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": a,
                    "languageId": "markdown",
                    "version": 1,
                    "text": "# A\n[[B]]\n",
                }
            },
        )
        at = {"line": 1, "character": 3}
        errors = [
            await r.call("textDocument/hover", {"textDocument": {"uri": a}}),
            await r.call(
                "textDocument/hover",
                {"textDocument": {"uri": a}, "position": {"line": -1, "character": 0}},
            ),
            await r.call("textDocument/documentSymbol", None),
            await r.call("textDocument/references", {"textDocument": {"uri": a}, "position": at}),
            await r.call("completionItem/resolve", {}),
        ]
        empty = [
            await r.call("textDocument/documentSymbol", {"textDocument": {"uri": 5}}),
            await r.call(
                "textDocument/hover", {"textDocument": {"uri": "http://x.org/a.md"}, "position": at}
            ),
            await r.call(
                "textDocument/foldingRange", {"textDocument": {"uri": "untitled:Untitled-1"}}
            ),
            await r.call("textDocument/codeLens", {"textDocument": {"uri": "file:///tmp/%ZZ.md"}}),
        ]
        alive = await r.call(
            "textDocument/definition", {"textDocument": {"uri": a}, "position": at}
        )

    assert [answer["error"]["code"] for answer in errors] == [-32602] * len(errors)
    assert [answer["result"] for answer in empty] == [[], None, [], []]
    assert alive["result"] == [
        {
            "uri": uri_of(root, "B.md"),
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        }
    ]


async def test_a_loose_note_outside_every_vault_makes_no_vault_of_its_folder(
    tmp_path: Path,
) -> None:
    """A note opened from a folder with no vault's marks (`~/Downloads/x.md`) is checked by
    nothing: its folder, which may hold anything, is not indexed."""
    root = write_files(tmp_path / "V", {"Алгебра.md": "# Алгебра\n"})
    loose = tmp_path / "Загрузки"
    loose.mkdir()
    (loose / "Соседка.md").write_text("# Соседка\n", encoding="utf-8")
    (loose / "x.md").write_text("[[Соседка]]\n", encoding="utf-8")
    async with nav(root) as s:
        s.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=(loose / "x.md").as_uri(),
                    language_id="markdown",
                    version=1,
                    text="[[Соседка]]\n",
                )
            )
        )
        await asyncio.sleep(0.5)
        assert await wsymbols(s, "Соседка") == []
