"""Navigation as a daily user meets it, through real sessions: aliases with a dot, backlink
lenses over other notes, backlinks of a note with no title."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from edit_harness import span
from lsp_harness import wait_until, write_files
from lsprotocol import types
from test_navigation_requests import VAULT, _code_lenses, _uri, navigation_editor

# A note known by an alias with a dot in it, as tools and versions are named.
NODE = """\
---
aliases: [Node.js, ASP.NET]
---
# Серверный JavaScript
"""
# `Привет 😀 [[` is 12 UTF-16 units: `[[Node.js]]` spans 10..21, `[[ASP.NET]]` 24..35.
NODE_LINKS = "Привет 😀 [[Node.js]] и [[ASP.NET]]\n"


async def test_an_alias_with_a_dot_resolves_like_any_other_alias(vault: Path) -> None:
    """DIALECT §3: "a frontmatter alias of a note also resolves to it". Was: `[[Node.js]]` was
    read as an attachment named `Node.js` (its "extension" `js`) and the alias is never looked
    up: no definition, a "broken link" hover and warning, and the note's references miss it,
    while `[[Серверный]]`-style aliases without a dot work."""
    write_files(vault, {"Runtime.md": NODE, "Ссылки.md": NODE_LINKS})
    async with navigation_editor(vault) as session:
        links = session.open("Ссылки.md")
        node = await session.definition(links, 0, 14)
        asp = await session.definition(links, 0, 28)
        hover = await session.hover(links, 0, 14)
        backlinks = await session.references(session.open("Runtime.md"), 1, 3)  # frontmatter

    runtime = _uri(vault, "Runtime.md")
    assert [link.target_uri for link in node or ()] == [runtime]
    assert [link.target_uri for link in asp or ()] == [runtime]
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.value.startswith("**Runtime** · `Runtime.md`")
    assert backlinks == [
        (_uri(vault, "Ссылки.md"), span((0, 10), (0, 21))),
        (_uri(vault, "Ссылки.md"), span((0, 24), (0, 35))),
    ]


async def test_backlink_code_lens_is_refreshed_when_another_note_links_to_it(
    vault: Path,
) -> None:
    """`N backlinks` above a note counts links in other notes. Was: the server asked the
    client to refresh lenses only when indexing ended or the setting changed. An editor re-asks for a
    document's lenses when that document changes, so the count shown over Embeddings (open
    in a split) stays `3 backlinks` while the user types a fourth link in Ссылки."""
    write_files(vault, VAULT)
    async with navigation_editor(vault, settings={"code-lens": True}) as session:
        refreshes: list[None] = []

        @session.client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
        def refresh(params: None) -> None:
            refreshes.append(params)

        embeddings = session.open("Machine Learning/Embeddings.md")
        links = session.open("Ссылки.md")
        before = await _code_lenses(session, embeddings)
        await asyncio.sleep(0.5)  # a refresh of the startup indexing may still be on its way
        seen = len(refreshes)
        session.edit(links, (6, 0), (6, 0), "Ещё 😀 [[Embeddings]]\n")
        with contextlib.suppress(AssertionError):  # timed out: judged below
            await wait_until(lambda: len(refreshes) > seen, timeout=3.0)
        asked_again = len(refreshes) > seen
        after = await _code_lenses(session, embeddings)

    assert [lens.command.title for lens in before if lens.command] == ["3 backlinks"]
    assert [lens.command.title for lens in after if lens.command] == ["4 backlinks"]
    assert asked_again, "no workspace/codeLens/refresh after a backlink was added"


async def test_references_at_the_start_of_a_note_without_title_or_frontmatter(
    vault: Path,
) -> None:
    """Backlinks are found from a title heading or the frontmatter. Was: a note that has
    neither (most quick notes start with a sentence) offered no place at all to ask for them;
    at its first character references answered nothing, where markdown-oxide lists them."""
    write_files(
        vault,
        {
            "Быстрая заметка.md": "Просто мысль 😀 без заголовка.\n\nЕщё строка.\n",
            "a.md": "См. [[Быстрая заметка]]\n",
        },
    )
    async with navigation_editor(vault) as session:
        quick = session.open("Быстрая заметка.md")
        found = await session.references(quick, 0, 0)

    assert found == [(_uri(vault, "a.md"), span((0, 4), (0, 23)))]


async def test_a_preview_cut_inside_a_code_block_closes_it(vault: Path) -> None:
    """A hover shows a note's first 20 lines. Was: cut inside a fenced block, the rest of the
    hover (the `…` that says the note goes on) rendered as code."""
    code = "".join(f"строка {i} 😀\n" for i in range(40))
    write_files(
        vault,
        {"Код.md": "# Код\n\n~~~~python\n" + code + "~~~~\nПосле.\n", "a.md": "См. [[Код]]\n"},
    )
    async with navigation_editor(vault) as session:
        hover = await session.hover(session.open("a.md"), 0, 6)

    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    shown = hover.contents.value.splitlines()
    assert shown[-2:] == ["~~~~", "…"], shown[-3:]
