"""Completion through the server: exact UTF-16 edits, link closing, YAML quoting, resolve.

Given a small vault, the user types into `Черновик.md` and the client asks for completion at the
cursor; the items must replace exactly the typed part, whatever the line holds before it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import lsp_harness
from edit_harness import position, span
from lsp_harness import Editor, write_files
from lsprotocol import types

EMBEDDINGS = """\
---
aliases: [Эмбеддинги]
tags: [ml]
---
Dense vectors 😀 for discrete objects.

## Training 😀
Use negative sampling.

## Evaluation
Analogies.
"""
VAULT = {
    "Machine Learning/Embeddings.md": EMBEDDINGS,
    "Feature Representation.md": "How features become vectors. #ml\n",
}
# Line 4: `Привет 😀 [[` is 12 UTF-16 units (the emoji counts 2), so `Emb` spans 12..15.
# Line 5: `Снова 🙂 [[` is 11 units: `Emb` spans 11..14 and the name goes on to `Embed` at 16.
DRAFT = """\
---
parent:
  - [[Emb
---
Привет 😀 [[Emb
Снова 🙂 [[Embed]] тут
См. [[Embeddings#
Теги: #m
S
"""
# A note the parser finds broken in several ways: an unclosed YAML list, an unclosed card.
BROKEN = """\
---
aliases: [Сломанный 😀
---
START
Basic
Front: Вопрос 😀
Ещё [[Emb
"""

_plain_capabilities = lsp_harness.capabilities


def _completion_capabilities(insert_replace: bool, item_defaults: bool = False) -> Any:
    def capabilities(**kwargs: Any) -> types.ClientCapabilities:
        result = _plain_capabilities(**kwargs)
        assert result.text_document is not None
        result.text_document.completion = types.CompletionClientCapabilities(
            completion_item=types.ClientCompletionItemOptions(
                snippet_support=True,
                insert_replace_support=insert_replace,
                label_details_support=True,
                documentation_format=[types.MarkupKind.Markdown],
                resolve_support=types.ClientCompletionItemResolveOptions(
                    properties=["documentation"]
                ),
            ),
            # What VS Code and Neovim (0.10 on) announce.
            completion_list=types.CompletionListCapabilities(
                item_defaults=["editRange", "insertTextFormat", "insertTextMode", "data"]
            )
            if item_defaults
            else None,
        )
        return result

    return capabilities


@asynccontextmanager
async def completion_editor(
    root: Path, *, insert_replace: bool, item_defaults: bool = False
) -> AsyncIterator[Editor]:
    """An editor announcing VS Code's completion support (insert/replace edits and list item
    defaults as asked)."""
    lsp_harness.capabilities = _completion_capabilities(insert_replace, item_defaults)
    try:
        async with lsp_harness.editor(root) as session:
            lsp_harness.capabilities = _plain_capabilities
            yield session
    finally:
        lsp_harness.capabilities = _plain_capabilities


async def _complete(session: Editor, uri: str, line: int, character: int) -> types.CompletionList:
    result = await session.client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position(line, character),
        )
    )
    assert isinstance(result, types.CompletionList)
    return result


def _first(result: types.CompletionList) -> types.CompletionItem:
    assert result.items, "no completion items"
    return min(result.items, key=lambda item: item.sort_text or "")


async def test_a_typed_name_is_replaced_exactly_and_closed_only_when_open(vault: Path) -> None:
    write_files(vault, {**VAULT, "Черновик.md": DRAFT})
    async with completion_editor(vault, insert_replace=True) as session:
        uri = session.open("Черновик.md")
        open_link = await _complete(session, uri, 4, 15)
        closed_link = await _complete(session, uri, 5, 14)
        resolved = await session.client.completion_item_resolve_async(_first(open_link))

    item = _first(open_link)
    assert item.label == "Embeddings"
    assert item.kind == types.CompletionItemKind.File
    assert item.detail == "Machine Learning/Embeddings.md"
    assert item.label_details == types.CompletionItemLabelDetails(
        description="Dense vectors 😀 for discrete objects."
    )
    assert item.insert_text_format is None  # plain text, the default
    # Nothing after the cursor to overwrite: one range, a plain edit.
    assert item.text_edit == types.TextEdit(range=span((4, 12), (4, 15)), new_text="Embeddings]]")
    assert item.filter_text is None  # the label
    assert item.additional_text_edits is None
    assert open_link.is_incomplete is False
    # `[[Emb‸ed]]`: insert keeps `ed`, replace overwrites it; the link has its `]]` already.
    assert _first(closed_link).text_edit == types.InsertReplaceEdit(
        new_text="Embeddings", insert=span((5, 11), (5, 14)), replace=span((5, 11), (5, 16))
    )
    # Resolving adds the note's start as Markdown, its frontmatter left out.
    assert resolved.documentation == types.MarkupContent(
        kind=types.MarkupKind.Markdown,
        value="**Embeddings** · `Machine Learning/Embeddings.md`\n\n---\n\n"
        "Dense vectors 😀 for discrete objects.\n\n## Training 😀\n"
        "Use negative sampling.\n\n## Evaluation\nAnalogies.",
    )


async def test_clients_without_insert_replace_get_plain_edits_of_the_typed_part(
    vault: Path,
) -> None:
    write_files(vault, VAULT)
    async with completion_editor(vault, insert_replace=False) as session:
        uri = session.open("Черновик.md", "")
        # Typed just now: the request comes before the debounce, and must see the new text.
        session.edit(uri, (0, 0), (0, 0), "Привет 😀 [[Emb")
        result = await _complete(session, uri, 0, 15)

    assert _first(result).text_edit == types.TextEdit(
        range=span((0, 12), (0, 15)), new_text="Embeddings]]"
    )


def _edits(result: types.CompletionList) -> list[tuple[str, object]]:
    """Each item's label and edit, a list default's edit range applied as LSP 3.17 says: the
    item's textEditText (else its label) over the list's range, unless it has its own edit."""
    defaults = result.item_defaults
    edits: list[tuple[str, object]] = []
    for item in result.items:
        edit = item.text_edit
        if edit is None and defaults is not None and defaults.edit_range is not None:
            new_text = item.text_edit_text if item.text_edit_text is not None else item.label
            shared = defaults.edit_range
            if isinstance(shared, types.Range):
                edit = types.TextEdit(range=shared, new_text=new_text)
            else:
                edit = types.InsertReplaceEdit(
                    new_text=new_text, insert=shared.insert, replace=shared.replace
                )
        edits.append((item.label, edit))
    return edits


def _without_ids(edits: list[tuple[str, object]]) -> str:
    # The START snippet's ID is the time the list was made.
    return re.sub(r"ID: \d{13}", "ID: <now>", repr(edits))


# (line, character) in DRAFT: an open link, a link with a name after the cursor, frontmatter,
# a heading, a tag, a card.
_DRAFT_SPOTS = [(4, 15), (5, 14), (2, 7), (6, 17), (7, 8), (8, 1)]


async def test_list_item_defaults_make_the_same_edits_in_fewer_bytes(vault: Path) -> None:
    # The draft as it is, with CRLF line breaks, and an empty note (asked at its start).
    spots = {
        "Черновик.md": _DRAFT_SPOTS,
        "Черновик CRLF.md": _DRAFT_SPOTS,
        "Пусто.md": [(0, 0)],
    }
    write_files(
        vault,
        {
            **VAULT,
            "Черновик.md": DRAFT,
            "Черновик CRLF.md": DRAFT.replace("\n", "\r\n"),
            "Пусто.md": "",
        },
    )
    for insert_replace in (True, False):
        answers: dict[bool, list[types.CompletionList]] = {}
        for item_defaults in (False, True):
            async with completion_editor(
                vault, insert_replace=insert_replace, item_defaults=item_defaults
            ) as session:
                answers[item_defaults] = []
                for name, places in spots.items():
                    uri = session.open(name)
                    for line, character in places:
                        answers[item_defaults].append(
                            await _complete(session, uri, line, character)
                        )
        for plain, defaulted in zip(answers[False], answers[True], strict=True):
            assert plain.item_defaults is None
            assert _without_ids(_edits(defaulted)) == _without_ids(_edits(plain))
            if not plain.items:
                assert not defaulted.items and defaulted.item_defaults is None
                continue
            assert defaulted.item_defaults is not None
            # The shared range is said once: no item repeats it.
            assert all(item.text_edit is None for item in defaulted.items)
        # Every draft spot offers something, in both line-break styles.
        assert all(answer.items for answer in answers[False][: 2 * len(_DRAFT_SPOTS)])


async def test_frontmatter_headings_tags_and_cards(vault: Path) -> None:
    write_files(vault, {**VAULT, "Черновик.md": DRAFT})
    async with completion_editor(vault, insert_replace=False) as session:
        uri = session.open("Черновик.md")
        parent = await _complete(session, uri, 2, 9)
        headings = await _complete(session, uri, 6, 17)
        tags = await _complete(session, uri, 7, 8)
        card = await _complete(session, uri, 8, 1)

    # An unquoted `[[` in a YAML list would be a nested list: the item quotes the link.
    item = _first(parent)
    assert item.text_edit == types.TextEdit(range=span((2, 6), (2, 9)), new_text='Embeddings]]"')
    assert list(item.additional_text_edits or ()) == [
        types.TextEdit(range=span((2, 4), (2, 4)), new_text='"')
    ]

    assert [i.label for i in sorted(headings.items, key=lambda i: i.sort_text or "")] == [
        "Training 😀",
        "Evaluation",
    ]
    training = next(i for i in headings.items if i.label == "Training 😀")
    assert training.kind == types.CompletionItemKind.Reference
    assert training.text_edit == types.TextEdit(
        range=span((6, 17), (6, 17)), new_text="Training 😀]]"
    )
    assert training.data == {
        "vault": training.data["vault"],  # the server's own short name for the vault
        "path": "Machine Learning/Embeddings.md",
        "heading": "Training 😀",
    }
    assert isinstance(training.data["vault"], int)

    tag = _first(tags)
    assert (tag.label, tag.kind, tag.detail) == ("ml", types.CompletionItemKind.Keyword, "2 notes")
    assert tag.text_edit == types.TextEdit(range=span((7, 7), (7, 8)), new_text="ml")

    (snippet,) = card.items
    assert snippet.kind == types.CompletionItemKind.Snippet
    assert snippet.insert_text_format == types.InsertTextFormat.Snippet
    assert isinstance(snippet.text_edit, types.TextEdit)
    assert snippet.text_edit.range == span((8, 0), (8, 1))
    assert snippet.text_edit.new_text.startswith("START\n${1:Basic}\nFront: $2\nBack: $3\nID: ")


async def test_completion_works_in_a_note_with_unrelated_syntax_errors(vault: Path) -> None:
    write_files(vault, {**VAULT, "Сломанная.md": BROKEN})
    async with completion_editor(vault, insert_replace=False) as session:
        uri = session.open("Сломанная.md")
        result = await _complete(session, uri, 6, 9)

    assert _first(result).text_edit == types.TextEdit(
        range=span((6, 6), (6, 9)), new_text="Embeddings]]"
    )


async def test_the_start_of_each_word_finds_a_note_in_completion_and_symbols(vault: Path) -> None:
    # `[[mach lear` is how people look for Machine Learning; every client filter must keep it.
    notes = {"Machine Learning.md": "# Machine Learning\n", "Linear Models.md": "Text.\n"}
    write_files(vault, {**notes, "Черновик.md": "См. [[mach lear\n"})
    async with completion_editor(vault, insert_replace=True) as session:
        uri = session.open("Черновик.md")
        await lsp_harness.wait_until(lambda: session.indexed_runs() >= 1)
        result = await _complete(session, uri, 0, 15)
        first = _first(result)
        assert first.label == "Machine Learning"
        assert first.filter_text == "mach lear"
        assert first.text_edit == types.TextEdit(span((0, 6), (0, 15)), "Machine Learning]]")
        symbols = await session.client.workspace_symbol_async(
            types.WorkspaceSymbolParams(query="ml")
        )
        assert symbols is not None
        assert "Machine Learning" in [symbol.name for symbol in symbols]


async def test_a_name_kept_decomposed_is_found_by_its_composed_spelling(vault: Path) -> None:
    """macOS may keep a file name decomposed (NFD: `й` as `и` and a combining breve), while
    the user types the composed form (NFC). Obsidian matches the two as one name."""
    decomposed = unicodedata.normalize("NFD", "Линейный оператор")
    assert decomposed != "Линейный оператор"
    write_files(vault, {f"{decomposed}.md": "# Оператор\n", "Черновик.md": "См. [[Линейн\n"})
    async with completion_editor(vault, insert_replace=True) as session:
        uri = session.open("Черновик.md")
        await lsp_harness.wait_until(lambda: session.indexed_runs() >= 1)
        # Was: no item (the typed text matched no decomposed name).
        first = _first(await _complete(session, uri, 0, 12))
        assert first.label == decomposed
        # A client filters the typed text against this: the composed form it types.
        assert first.filter_text == "Линейный оператор"
        symbols = await session.client.workspace_symbol_async(
            types.WorkspaceSymbolParams(query="линейный")
        )
        assert symbols is not None
        assert decomposed in [symbol.name for symbol in symbols]


async def test_an_alias_chosen_in_a_link_to_a_heading_shows_after_the_heading(
    vault: Path,
) -> None:
    # `[[TN‸#Шаг 😀]]` in a table row: the note's name goes in, the alias after the heading,
    # behind an escaped pipe; the cell and the heading stay whole.
    notes = {"Target Note.md": "---\naliases: [TN]\n---\n# Шаг 😀\n"}
    write_files(vault, {**notes, "Черновик.md": "| a | [[TN#Шаг 😀]] |\n"})
    async with completion_editor(vault, insert_replace=True) as session:
        uri = session.open("Черновик.md")
        await lsp_harness.wait_until(lambda: session.indexed_runs() >= 1)
        result = await _complete(session, uri, 0, 10)
        (item,) = [item for item in result.items if item.kind == types.CompletionItemKind.Reference]
        # The typed `TN` is the whole name: inserting and replacing are the same edit.
        assert item.text_edit == types.TextEdit(span((0, 8), (0, 10)), "Target Note")
        # `Шаг 😀` is 6 UTF-16 units: `]]` starts at 17.
        assert list(item.additional_text_edits or ()) == [
            types.TextEdit(span((0, 17), (0, 17)), "\\|TN")
        ]


async def test_names_no_link_can_hold_are_left_out_and_a_trailing_space_keeps_its_file(
    vault: Path,
) -> None:
    """Through the server, in a CRLF note with emoji before the cursor: `C#` (a link to it
    would open `C.md`) and `Paper [2020]` are not offered, `C` is; `Study plan .md` is
    inserted as `[[Study plan .md]]`, which opens it (a link's target is read trimmed). Was:
    `[[C#]]`, `[[Paper [2020]]]` and `[[Study plan ]]` were inserted."""
    write_files(
        vault,
        {
            "C.md": "The C language.\n",
            "C#.md": "The C# language.\n",
            "Paper [2020].md": "Published.\n",
            "Study plan .md": "Weeks 1-4.\n",
        },
    )
    draft = "Заметка 😀\r\nСм. 🙂 [[C\r\nИ [[Stud\r\n"
    (vault / "Черновик.md").write_bytes(draft.encode())
    async with completion_editor(vault, insert_replace=False) as session:
        uri = session.open("Черновик.md", draft)  # as the editor holds it: CRLF
        c_items = await _complete(session, uri, 1, 10)  # `См. 🙂 [[C`: the emoji counts 2
        study = await _complete(session, uri, 2, 8)
        paper = await _complete(session, uri, 1, 9)  # `[[` alone: every name

    assert "C" in [item.label for item in c_items.items]
    assert "C#" not in [item.label for item in c_items.items]
    assert not [item for item in paper.items if item.label.startswith("Paper [")]
    (item,) = [item for item in study.items if item.label == "Study plan "]
    assert isinstance(item.text_edit, types.TextEdit)
    assert item.text_edit.new_text == "Study plan .md]]"
    assert item.text_edit.range == span((2, 4), (2, 8))
