"""Navigation through the server: definition, references, hover, symbols, links, folding,
selection ranges and the backlinks code lens, with UTF-16 positions on Cyrillic/emoji lines.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import lsp_harness
import notes
import pytest
from edit_harness import position, span
from lsp_harness import Editor, document, wait_until, write_files
from lsprotocol import types

EMBEDDINGS = """\
---
aliases: [Эмбеддинги]
tags: [ml]
---
# Embeddings
Dense vectors 😀 for discrete objects.

## Training 😀
Use negative sampling.
"""
# Line 4: `Привет 😀 [[` is 12 UTF-16 units, so the link `[[Embeddings]]` spans 10..24, `[[Basis]]`
# 27..36 and `#ml` 38..41.
LINKS = """\
---
parent: "[[Embeddings]]"
tags: [ml]
---
Привет 😀 [[Embeddings]] и [[Basis]], #ml
См. [[Embeddings#Training 😀]] и https://example.org/путь.
"""
VAULT = {
    "Machine Learning/Embeddings.md": EMBEDDINGS,
    "Ссылки.md": LINKS,
    "Archive/Basis.md": "Old basis.\n",  # two notes named Basis: Obsidian picks the shorter path
    "Linear Algebra/Basis.md": "A basis spans the space.\n",
    "Алгебра.md": notes.ALGEBRA,
    "Копия.md": notes.COPY,  # carries the ID of Алгебра's second card
}

_plain_capabilities = lsp_harness.capabilities


def _navigation_capabilities(link_support: bool) -> Any:
    def capabilities(**kwargs: Any) -> types.ClientCapabilities:
        result = _plain_capabilities(**kwargs)
        assert result.text_document is not None and result.workspace is not None
        result.text_document.definition = types.DefinitionClientCapabilities(
            link_support=link_support
        )
        result.text_document.document_symbol = types.DocumentSymbolClientCapabilities(
            hierarchical_document_symbol_support=True
        )
        result.workspace.code_lens = types.CodeLensWorkspaceClientCapabilities(refresh_support=True)
        return result

    return capabilities


@asynccontextmanager
async def navigation_editor(
    root: Path, *, link_support: bool = True, settings: dict[str, Any] | None = None
) -> AsyncIterator[Editor]:
    """An editor announcing VS Code's navigation support (location links as asked)."""
    lsp_harness.capabilities = _navigation_capabilities(link_support)
    try:
        async with lsp_harness.editor(root, settings=settings) as session:
            lsp_harness.capabilities = _plain_capabilities
            yield session
    finally:
        lsp_harness.capabilities = _plain_capabilities


def _uri(vault: Path, relative: str) -> str:
    return (vault / relative).resolve().as_uri()


async def _code_lenses(session: Editor, uri: str) -> list[types.CodeLens]:
    found = await session.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=document(uri))
    )
    return list(found or ())


async def test_definition_of_body_frontmatter_heading_and_ambiguous_links(vault: Path) -> None:
    write_files(vault, VAULT)
    async with navigation_editor(vault) as session:
        links = session.open("Ссылки.md")
        body = await session.definition(links, 4, 15)
        frontmatter = await session.definition(links, 1, 13)
        ambiguous = await session.definition(links, 4, 31)
        heading = await session.definition(links, 5, 8)
        prose = await session.definition(links, 5, 1)

    embeddings = _uri(vault, "Machine Learning/Embeddings.md")
    start = span((0, 0), (0, 0))
    assert body == [
        types.LocationLink(
            target_uri=embeddings,
            target_range=start,
            target_selection_range=start,
            origin_selection_range=span((4, 10), (4, 24)),
        )
    ]
    assert [(link.target_uri, link.origin_selection_range) for link in frontmatter] == [
        (embeddings, span((1, 9), (1, 23)))
    ]
    # Both notes named Basis, Obsidian's pick first.
    assert [link.target_uri for link in ambiguous] == [
        _uri(vault, "Archive/Basis.md"),
        _uri(vault, "Linear Algebra/Basis.md"),
    ]
    assert [(link.target_uri, link.target_range) for link in heading] == [
        (embeddings, span((7, 0), (7, 14)))
    ]
    assert prose is None


async def test_clients_without_link_support_get_locations(vault: Path) -> None:
    write_files(vault, VAULT)
    async with navigation_editor(vault, link_support=False) as session:
        links = session.open("Ссылки.md")
        body = await session.definition(links, 4, 15)

    assert body == [
        types.Location(
            uri=_uri(vault, "Machine Learning/Embeddings.md"), range=span((0, 0), (0, 0))
        )
    ]


async def test_references_to_a_note_a_tag_and_an_anki_id(vault: Path) -> None:
    write_files(vault, VAULT)
    async with navigation_editor(vault) as session:
        embeddings = session.open("Machine Learning/Embeddings.md")
        algebra = session.open("Алгебра.md")
        backlinks = await session.references(embeddings, 4, 3)  # on the title heading
        tag = await session.references(embeddings, 2, 8)
        card_id = await session.references(algebra, notes.DUPLICATE_LINE, 6)

    links = _uri(vault, "Ссылки.md")
    assert backlinks == [
        (links, span((1, 9), (1, 23))),  # the frontmatter `parent:`
        (links, span((4, 10), (4, 24))),
        (links, span((5, 4), (5, 30))),  # a link to one of its headings links to the note too
    ]
    assert tag == [
        (embeddings, span((2, 7), (2, 9))),
        (links, span((2, 7), (2, 9))),
        (links, span((4, 38), (4, 41))),
    ]
    assert card_id == [
        (algebra, span((notes.DUPLICATE_LINE, 0), (notes.DUPLICATE_LINE, 17))),
        (_uri(vault, "Копия.md"), span((notes.COPY_ID_LINE, 0), (notes.COPY_ID_LINE, 17))),
    ]


async def test_hover_on_a_link_an_id_and_a_tag(vault: Path) -> None:
    write_files(vault, VAULT)
    async with navigation_editor(vault) as session:
        links = session.open("Ссылки.md")
        algebra = session.open("Алгебра.md")
        link = await session.hover(links, 4, 15)
        card_id = await session.hover(algebra, notes.DUPLICATE_LINE, 6)
        tag = await session.hover(links, 4, 39)
        prose = await session.hover(links, 5, 1)

    assert link == types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown,
            value="**Embeddings** · `Machine Learning/Embeddings.md`\n\n---\n\n# Embeddings\n"
            "Dense vectors 😀 for discrete objects.\n\n## Training 😀\nUse negative sampling.",
        ),
        range=span((4, 10), (4, 24)),
    )
    assert card_id is not None and isinstance(card_id.contents, types.MarkupContent)
    assert card_id.contents.value == (
        "**Anki note ID** `1737306548883`\n\nCreated 2025-01-19 17:09:08.883 UTC.\n\n"
        "Carried by 2 cards (`Алгебра.md`, `Копия.md`): in Anki they overwrite each other."
    )
    assert card_id.range == span((notes.DUPLICATE_LINE, 0), (notes.DUPLICATE_LINE, 17))
    assert tag is not None and isinstance(tag.contents, types.MarkupContent)
    assert (tag.contents.value, tag.range) == ("`#ml`: used in 2 notes.", span((4, 38), (4, 41)))
    assert prose is None


async def test_outline_symbols_links_folding_and_selection(vault: Path) -> None:
    write_files(vault, VAULT)
    async with navigation_editor(vault) as session:
        client = session.client
        algebra = session.open("Алгебра.md")
        links = session.open("Ссылки.md")
        outline = await client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=document(algebra))
        )
        found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="алгеб"))
        document_links = await client.text_document_document_link_async(
            types.DocumentLinkParams(text_document=document(links))
        )
        folds = await client.text_document_folding_range_async(
            types.FoldingRangeParams(text_document=document(algebra))
        )
        selection = await client.text_document_selection_range_async(
            types.SelectionRangeParams(text_document=document(links), positions=[position(4, 15)])
        )

    # Headings as a tree, each card under its heading, named by note type and front.
    assert outline is not None
    tree = [
        (s.name, s.kind, [(c.name, c.kind, c.detail) for c in s.children or ()])
        for s in outline
        if isinstance(s, types.DocumentSymbol)
    ]
    card = types.SymbolKind.Object
    assert tree == [
        ("Алгебра", types.SymbolKind.String, []),
        (
            "Anki",
            types.SymbolKind.String,
            [
                ("Basic: Что такое группа? 😀", card, "no ID yet"),
                ("Basic: Кольцо 😀", card, "ID 1737306548883"),
                ("Basic: Без конца 😀", card, "unclosed: the plugin skips it"),
            ],
        ),
    ]
    first_card = outline[1].children[0]  # type: ignore[union-attr,index]
    assert (first_card.range, first_card.selection_range) == (
        span((5, 0), (9, 3)),
        span((5, 0), (5, 5)),
    )

    assert found is not None
    assert [(s.name, s.kind, s.container_name) for s in found] == [
        ("Алгебра", types.SymbolKind.File, "Алгебра.md"),
        ("Алгебра", types.SymbolKind.String, "Алгебра.md"),
    ]
    heading = found[1].location
    assert isinstance(heading, types.Location)
    assert (heading.uri, heading.range) == (algebra, span((0, 0), (0, 9)))

    embeddings = _uri(vault, "Machine Learning/Embeddings.md")
    assert [(link.range, link.target) for link in document_links or ()] == [
        (span((1, 11), (1, 21)), embeddings),
        (span((4, 12), (4, 22)), embeddings),
        (span((4, 29), (4, 34)), _uri(vault, "Archive/Basis.md")),
        (span((5, 6), (5, 16)), f"{embeddings}#L8,1"),  # at the heading `## Training 😀`
        (span((5, 33), (5, 57)), "https://example.org/путь"),
    ]

    # The two sections, then the three cards.
    region = types.FoldingRangeKind.Region
    assert [(f.start_line, f.end_line, f.kind) for f in folds or ()] == [
        (0, 1, region),
        (3, 18, region),
        (5, 9, region),
        (10, 15, region),
        (16, 18, region),
    ]

    # The word, the link, the line, the note.
    chain: list[types.Range] = []
    node = selection[0] if selection else None
    while node is not None:
        chain.append(node.range)
        node = node.parent
    assert chain == [
        span((4, 12), (4, 22)),
        span((4, 10), (4, 24)),
        span((4, 0), (4, 41)),
        span((0, 0), (6, 0)),
    ]


async def test_a_client_that_resolves_symbol_ranges_gets_them_when_it_asks(vault: Path) -> None:
    """VS Code resolves a workspace symbol's range when the user picks it: the query answers
    URIs alone (no note's text read), and the resolve finds the symbol where it is then, after
    lines were typed above it, in UTF-16 units of an emoji heading. Nonsense data, or a path
    that is no note of the vault, gets the symbol back as it came."""
    write_files(vault, VAULT)
    query = types.WorkspaceSymbolParams(query="training")
    async with lsp_harness.editor(vault) as session:
        ranged = await session.client.workspace_symbol_async(query)
    async with lsp_harness.editor(vault, symbol_ranges_later=True) as session:
        client = session.client
        assert session.capabilities is not None
        provider = session.capabilities.workspace_symbol_provider
        assert isinstance(provider, types.WorkspaceSymbolOptions) and provider.resolve_provider
        found = await client.workspace_symbol_async(query)
        assert found is not None and ranged is not None
        lazy = [s for s in found if isinstance(s, types.WorkspaceSymbol)]
        assert [s.name for s in lazy] == [s.name for s in ranged] == ["Training 😀"]
        assert isinstance(lazy[0].location, types.LocationUriOnly)
        resolved = await client.workspace_symbol_resolve_async(lazy[0])
        embeddings = session.open("Machine Learning/Embeddings.md")
        session.edit(embeddings, (5, 0), (5, 0), "Новая строка 😀\n\n")
        moved = await client.workspace_symbol_resolve_async(lazy[0])
        odd = types.WorkspaceSymbol(
            name="Training 😀",
            kind=types.SymbolKind.String,
            location=types.LocationUriOnly(uri=embeddings),
            data={"vault": [1], "kind": {}, "path": 7},
        )
        unchanged = await client.workspace_symbol_resolve_async(odd)
        assert isinstance(lazy[0].data, dict)
        outside = types.WorkspaceSymbol(
            name="passwd",
            kind=types.SymbolKind.File,
            location=types.LocationUriOnly(uri=embeddings),
            data={**lazy[0].data, "path": "../../etc/passwd", "kind": "note"},
        )
        not_a_note = await client.workspace_symbol_resolve_async(outside)

    assert isinstance(resolved.location, types.Location)
    assert resolved.location == ranged[0].location
    assert resolved.location.range == span((7, 0), (7, 14))  # `## Training 😀`
    assert isinstance(moved.location, types.Location)
    assert moved.location.range == span((9, 0), (9, 14))
    assert unchanged.location == odd.location
    assert not_a_note.location == outside.location


async def _training_range(session: Editor, unlike: types.Range | None = None) -> types.Range:
    """The range workspace symbols give `## Training 😀`; with `unlike`, the first one that
    differs from it (a file event is read on another thread)."""
    query = types.WorkspaceSymbolParams(query="training")
    ranges: list[types.Range] = []

    async def answer() -> None:
        found = await session.client.workspace_symbol_async(query)
        assert found is not None
        (symbol,) = [s for s in found if s.name == "Training 😀"]
        assert isinstance(symbol.location, types.Location)
        ranges.append(symbol.location.range)

    await answer()
    for _ in range(100):
        if unlike is None or ranges[-1] != unlike:
            break
        await asyncio.sleep(0.05)
        await answer()
    return ranges[-1]


@pytest.mark.parametrize("encoding, width", [("utf-16", 14), ("utf-8", 16), ("utf-32", 13)])
async def test_workspace_symbol_ranges_follow_edits_and_changes_on_disk(
    vault: Path, encoding: str, width: int
) -> None:
    """Ranges are remembered while a note's summary stays the same: each later query must see
    the note's text of that moment, in the session's encoding."""
    write_files(vault, VAULT)
    relative = "Machine Learning/Embeddings.md"
    async with lsp_harness.editor(vault, encodings=[encoding]) as session:
        first = await _training_range(session)
        again = await _training_range(session)
        uri = session.open(relative)
        session.edit(uri, (5, 0), (5, 0), "Новая строка 😀\n\n")
        typed = await _training_range(session)
        # A space made a line break: the heading keeps its offset, not its line.
        session.edit(uri, (7, 5), (7, 6), "\n")
        split = await _training_range(session)
        session.close(uri)  # unsaved: the file's text again
        closed = await _training_range(session)
        (vault / relative).write_text(EMBEDDINGS.replace("Dense vectors", "Dense\nvectors"))
        session.notify_files((relative, types.FileChangeType.Changed))
        on_disk = await _training_range(session, unlike=closed)

    assert first == again == closed == span((7, 0), (7, width))
    assert typed == span((9, 0), (9, width))
    assert split == span((10, 0), (10, width))
    assert on_disk == span((8, 0), (8, width))


async def test_backlinks_code_lens_is_off_by_default_and_turned_on_by_settings(
    vault: Path,
) -> None:
    write_files(vault, VAULT)
    async with navigation_editor(vault) as session:
        refreshes: list[None] = []

        @session.client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
        def refresh(params: None) -> None:
            refreshes.append(params)

        embeddings = session.open("Machine Learning/Embeddings.md")
        off = await _code_lenses(session, embeddings)
        session.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"notels": {"code-lens": True}})
        )
        await wait_until(lambda: bool(refreshes))  # the client asks for lenses again
        on = await _code_lenses(session, embeddings)
        # The twin Obsidian does not pick for `[[Basis]]`: no link reaches it.
        lonely = await _code_lenses(session, session.open("Linear Algebra/Basis.md"))

    assert off == []
    start = position(0, 0)
    assert on == [
        types.CodeLens(
            range=types.Range(start=start, end=start),
            command=types.Command(title="3 backlinks", command=""),
        )
    ]
    assert [lens.command.title for lens in lonely if lens.command] == ["0 backlinks"]


async def test_code_lens_setting_at_startup(vault: Path) -> None:
    write_files(vault, VAULT)
    async with navigation_editor(vault, settings={"codeLens": {"enable": True}}) as session:
        lenses = await _code_lenses(session, session.open("Ссылки.md"))

    assert [lens.command.title for lens in lenses if lens.command] == ["0 backlinks"]


async def test_odd_documents_and_positions_get_empty_answers(vault: Path) -> None:
    write_files(vault, VAULT)
    async with navigation_editor(vault) as session:
        client = session.client
        session.open("Ссылки.md")
        for uri in (
            session.uri("Нет такой заметки.md"),
            "untitled:Untitled-1",
            "file:///nowhere/at/all.md",
            session.uri("Ссылки.md"),  # with positions far past its end
        ):
            identifier = document(uri)
            far = position(10_000, 10_000)
            completion = await client.text_document_completion_async(
                types.CompletionParams(text_document=identifier, position=far)
            )
            assert isinstance(completion, types.CompletionList) and not completion.items
            assert await session.definition(uri, 10_000, 10_000) is None
            assert await session.references(uri, 10_000, 10_000) == []
            assert await session.hover(uri, 10_000, 10_000) is None
            if uri == session.uri("Ссылки.md"):
                continue
            for answer in (
                await client.text_document_document_symbol_async(
                    types.DocumentSymbolParams(text_document=identifier)
                ),
                await client.text_document_document_link_async(
                    types.DocumentLinkParams(text_document=identifier)
                ),
                await client.text_document_folding_range_async(
                    types.FoldingRangeParams(text_document=identifier)
                ),
                await client.text_document_selection_range_async(
                    types.SelectionRangeParams(text_document=identifier, positions=[far])
                ),
                await _code_lenses(session, uri),
            ):
                assert not answer
        # A note on disk that is not open is answered from the index.
        closed = await client.text_document_folding_range_async(
            types.FoldingRangeParams(
                text_document=document(session.uri("Machine Learning/Embeddings.md"))
            )
        )

    assert [(f.start_line, f.end_line, f.kind) for f in closed or ()] == [
        (0, 3, types.FoldingRangeKind.Imports),  # the frontmatter
        (4, 8, types.FoldingRangeKind.Region),
        (7, 8, types.FoldingRangeKind.Region),
    ]


async def test_a_heading_path_reaches_the_namesake_under_its_section(vault: Path) -> None:
    # Each theorem has its own `## Доказательство 😀`; the link names the second by its path.
    proofs = "# Теорема A\n## Доказательство 😀\nпервое\n# Теорема B\n## Доказательство 😀\n"
    write_files(vault, {"T.md": proofs, "a.md": "См. [[T#Теорема B#Доказательство 😀]]\n"})
    async with navigation_editor(vault) as session:
        uri = session.open("a.md")
        await wait_until(lambda: session.indexed_runs() >= 1)
        found = await session.definition(uri, 0, 20)
        closed = session.uri("T.md")
        references = await session.references(closed, 4, 5)
    # `## Доказательство 😀` is 20 UTF-16 units, the emoji two of them.
    assert [(link.target_uri, link.target_range) for link in found] == [
        (_uri(vault, "T.md"), span((4, 0), (4, 20)))
    ]
    assert references == [(_uri(vault, "a.md"), span((0, 4), (0, 37)))]


BROKEN_PARTS = "См. [[Embeddings#Нет такого 😀]] и [[Embeddings#^nope]].\n"


async def test_hover_on_a_link_to_a_missing_heading_or_block_says_it_is_missing(
    vault: Path,
) -> None:
    """The preview of the note's start alone read as if the heading were there: Obsidian opens
    the note at its start, and the link is broken (unresolved-heading says so too)."""
    write_files(vault, {**VAULT, "Битые.md": BROKEN_PARTS})
    async with navigation_editor(vault) as session:
        uri = session.open("Битые.md")
        heading = await session.hover(uri, 0, 8)
        block = await session.hover(uri, 0, 38)

    for hover, missing in ((heading, "heading `Нет такого 😀`"), (block, "block `^nope`")):
        assert hover is not None and isinstance(hover.contents, types.MarkupContent)
        first, _, rest = hover.contents.value.partition("\n\n")
        assert first == "**Embeddings** · `Machine Learning/Embeddings.md`"
        assert rest.startswith(f"*No {missing} in this note: the link opens its start.*\n\n---")
        assert "# Embeddings\nDense vectors" in rest
