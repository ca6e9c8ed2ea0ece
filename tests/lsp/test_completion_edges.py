"""Completion where a daily user met a wrong or annoying list: prose on a card's line, blank
decks, namesake headings, prefix-filtering clients, tags a list holds, a partial index. Each
through a real `notels serve` session."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsp_harness import index_finished, server_config, stop_client, write_files
from lsprotocol import types
from test_completion import _complete, _completion_capabilities, completion_editor


def _new_text(item: types.CompletionItem) -> str | None:
    edit = item.text_edit
    return edit.new_text if edit is not None else item.text_edit_text


async def test_prose_on_a_card_line_is_not_offered_as_a_field_to_replace_it(vault: Path) -> None:
    # A multi-line Front: the second line is prose the user is typing. A field name is only
    # being typed at a line start, and never with spaces and words after it.
    cards = "".join(
        f"START\nBasic\nFront: q{i}\nBack: a{i}\nID: 173730654888{i}\nEND\n" for i in range(3)
    )
    line = "Backpropagation is the met"
    draft = f"START\nBasic\nFront: What is\n{line}\nEND\n"
    write_files(vault, {"Cards.md": cards, "Draft.md": draft})
    async with completion_editor(vault, insert_replace=True) as session:
        uri = session.open("Draft.md")
        result = await _complete(session, uri, 3, len(line))

    # Was: `Back` (a typo-tier match of the whole line) with filterText = the whole line, so the
    # client keeps showing it, and an edit over 3:0-3:26: accepting it (Enter in many setups)
    # turns the user's sentence into `Back: `.
    replacing = [
        (item.label, item.filter_text, item.text_edit)
        for item in result.items
        if item.kind == types.CompletionItemKind.Field
    ]
    assert replacing == []


async def test_a_blank_target_deck_is_not_offered_as_a_deck(vault: Path) -> None:
    # A template note keeps `TARGET DECK: ` with no deck yet: the plugin would send "" as the
    # deck, the index counts it, and completion offered an item with an empty label, first.
    files = {
        "Templates/Anki card.md": "TARGET DECK: \n\nSTART\nBasic\nFront: \nBack: \nEND\n",
        "Stem.md": "TARGET DECK: stem::ml::core\n",
    }
    write_files(vault, files)
    async with completion_editor(vault, insert_replace=True) as session:
        uri = session.open("Draft.md", "TARGET DECK: ")
        result = await _complete(session, uri, 0, 13)

    labels = [item.label for item in sorted(result.items, key=lambda i: i.sort_text or "")]
    assert labels == ["stem::ml::core"]


async def test_heading_completion_has_no_two_identical_items(vault: Path) -> None:
    # Two `## Раздел` at the same level: no heading path tells them apart, and after
    # `Theorem B#` both `Proof`s are written `Proof`. Each pair was two items with the same
    # label, the same detail and the same inserted text (the same link, to the same heading).
    files = {
        "Dup.md": "## Раздел один\ntext\n## Раздел один\nmore\n",
        "Theorems.md": "# Theorem A\n## Proof\n# Theorem B\n## Proof\n",
    }
    write_files(vault, files)
    async with completion_editor(vault, insert_replace=True) as session:
        uri = session.open("Draft.md", "[[Dup#\n[[Theorems#Theorem B#\n")
        same_level = await _complete(session, uri, 0, 6)
        under_b = await _complete(session, uri, 1, 21)

    for result in (same_level, under_b):
        shown = [(item.label, item.detail, _new_text(item)) for item in result.items]
        assert len(shown) == len(set(shown)), shown


async def test_word_start_matches_survive_a_prefix_filtering_client(vault: Path) -> None:
    # `[[Networks` finds `Neural Networks` (a word-start match, ranked above substring and
    # words matches). Words and typo matches carry the typed text as filterText so that a
    # client filtering by prefix (Neovim's built-in completion) keeps them; a word-start or
    # substring match carried only its label, which such a client drops: the item never shows.
    write_files(vault, {"Neural Networks.md": "x\n", "Embeddings.md": "y\n"})
    async with completion_editor(vault, insert_replace=True) as session:
        uri = session.open("Draft.md", "[[Networks\n[[dings\n")
        word_start = await _complete(session, uri, 0, 10)
        substring = await _complete(session, uri, 1, 7)

    for result, typed, label in (
        (word_start, "Networks", "Neural Networks"),
        (substring, "dings", "Embeddings"),
    ):
        (item,) = [item for item in result.items if item.label == label]
        filtered_by = item.filter_text if item.filter_text is not None else item.label
        assert filtered_by.lower().startswith(typed.lower()), (label, filtered_by)


async def test_a_frontmatter_tag_list_does_not_offer_the_tags_it_holds(vault: Path) -> None:
    # Under `tags:` the note already lists `ai/ml`; offering it again (first, as the most used)
    # only invites a duplicate entry in the list.
    files = {
        "A.md": "---\ntags: [ai/ml]\n---\nx\n",
        "B.md": "---\ntags: [ai/ml, tools]\n---\ny\n",
    }
    write_files(vault, files)
    async with completion_editor(vault, insert_replace=True) as session:
        uri = session.open("Draft.md", "---\ntags:\n  - ai/ml\n  - \n---\nText.\n")
        result = await _complete(session, uri, 3, 4)

    labels = [item.label for item in result.items]
    assert "tools" in labels
    assert "ai/ml" not in labels


async def test_completion_while_indexing_is_marked_incomplete(vault: Path) -> None:
    # README: requests answer from what is indexed so far. A list answered before the index is
    # done must say it is incomplete, or the client filters that partial (here: empty) list
    # locally as the user types on and never asks again: the note never shows.
    files = {f"Zeta {i:05d}.md": f"Body {i}\n" for i in range(8000)}
    write_files(vault, files)
    client = await server_config({"NOTELS_CACHE_DIR": "off"}).start()

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        pass

    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=_completion_capabilities(True)(),
                workspace_folders=[types.WorkspaceFolder(uri=vault.as_uri(), name=vault.name)],
            )
        )
        uri = (vault / "Draft.md").as_uri()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="markdown", version=1, text="[[Zeta 0700"
                )
            )
        )
        answers: list[types.CompletionList] = []
        while not index_finished(client):
            result = await client.text_document_completion_async(
                types.CompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(line=0, character=11),
                )
            )
            assert isinstance(result, types.CompletionList)
            if not index_finished(client):
                answers.append(result)
            await asyncio.sleep(0.02)
        await client.shutdown_session()
    finally:
        await stop_client(client)
    if not answers:
        pytest.skip("the index was done before the first answer")
    # Was: `isIncomplete: false` with no items (or a few) while the notes were being read.
    assert all(answer.is_incomplete for answer in answers), [
        (answer.is_incomplete, len(answer.items)) for answer in answers
    ]
