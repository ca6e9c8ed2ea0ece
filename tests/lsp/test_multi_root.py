"""Multi-root workspaces and nested vaults through the server: what a vault-wide answer (an
edit, a list of symbols) is made of when two vaults know the same notes, and which folders
make a vault."""

from __future__ import annotations

import asyncio
from pathlib import Path

from edit_harness import apply_text_edits, edit_editor, rename_at, text_edits, will_rename
from lsp_harness import editor, wait_until, write_files
from lsprotocol import types

_SETTLED_S = 1.0  # long enough for a vault made by the change to be indexed
CARD = "START\nBasic\nFront: q\nBack: a\nEND\n"


async def test_generate_ids_writes_one_id_into_a_card_of_a_nested_vault(tmp_path: Path) -> None:
    """A vault (Outer) with a vault of its own inside (Outer/Sub), both workspace folders: the
    outer vault indexes Sub's notes too (as `notels check Outer` does). "Generate IDs" must give
    Sub's card one ID. Was: one edit from each vault's index, at the same place, so the card
    got two `ID:` lines (`misplaced-id`, and the plugin makes a duplicate card)."""
    outer = write_files(tmp_path / "Outer", {"Top.md": "# Top\n"})
    inner = write_files(outer / "Sub", {"Card.md": "# Card\nTARGET DECK: d\n" + CARD})
    async with edit_editor(outer) as (session, applied):
        session.change_folders(added=[inner])
        await wait_until(lambda: session.indexed_runs() >= 2)
        summary = await session.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="notels.generateIds", arguments=[])
        )
    (edit,) = applied
    edits = text_edits(edit)
    card = inner / "Card.md"
    assert list(edits) == [card.as_uri()]
    after = apply_text_edits(card.read_text(encoding="utf-8"), edits[card.as_uri()])
    assert after.count("ID: ") == 1, after
    assert summary["ids"] == 1


async def test_renames_in_a_nested_vault_update_the_outer_vaults_links(tmp_path: Path) -> None:
    """Outer links to Sub's note by path; Sub is a vault of its own, both are workspace folders.
    Renaming the note (F2 on a link to it in Sub), or the editor moving it or renaming Sub
    itself, must update Outer's link too: Outer indexes the note, and the server reports its
    link as broken once the file moved. Was: only Sub's links were updated; renaming the folder
    Sub updated nothing, though it did before Sub was added as a folder."""
    outer = write_files(tmp_path / "Outer", {"Top.md": "See [[Sub/Card]].\n"})
    inner = write_files(outer / "Sub", {"Card.md": "# Card\n", "Other.md": "[[Card]]\n"})
    top = (outer / "Top.md").as_uri()
    async with edit_editor(outer) as (session, _):
        folder_alone = await will_rename(session, "Sub", "Moved")
        session.change_folders(added=[inner])
        await wait_until(lambda: session.indexed_runs() >= 2)
        other = session.open("Sub/Other.md")
        renamed = await session.client.text_document_rename_async(
            types.RenameParams(
                text_document=types.TextDocumentIdentifier(uri=other),
                position=types.Position(line=0, character=3),
                new_name="Renamed",
            )
        )
        moved = await will_rename(session, "Sub/Card.md", "Sub/Renamed.md")
        folder = await will_rename(session, "Sub", "Moved")
    assert folder_alone is not None and top in text_edits(folder_alone)  # before Sub was a folder
    assert renamed is not None and top in text_edits(renamed)
    assert moved is not None and top in text_edits(moved)
    assert folder is not None and top in text_edits(folder)


async def test_a_nested_vaults_notes_are_listed_once_in_vault_wide_answers(tmp_path: Path) -> None:
    """Both vaults know Sub's notes; a vault-wide answer names each note once, as the workspace
    pull of diagnostics does. Was: each note of Sub twice among the workspace symbols (the same
    file, twice in the picker), and counted twice in `notels/vaultStatus` (the VS Code status
    bar: 3 notes and 2 warnings for a workspace of 2 notes and 1 warning)."""
    outer = write_files(tmp_path / "Outer", {"Top.md": "# Top\n"})
    inner = write_files(outer / "Sub", {"Card.md": "# Card\nTARGET DECK: d\n" + CARD})
    async with editor(outer) as session:
        session.change_folders(added=[inner])
        await wait_until(lambda: session.indexed_runs() >= 2)
        symbols = await session.client.workspace_symbol_async(
            types.WorkspaceSymbolParams(query="Card")
        )
        status = await session.client.protocol.send_request_async("notels/vaultStatus", {})
    files = [s.location.uri for s in symbols or () if s.kind == types.SymbolKind.File]
    assert files == [(inner / "Card.md").as_uri()]
    assert (status.notes, status.cards, status.warnings) == (2, 1, 1)


async def test_a_folder_added_that_does_not_exist_makes_no_vault_of_its_parent(
    tmp_path: Path,
) -> None:
    """A workspace folder that is not there (a `.code-workspace` entry for a folder deleted or
    on a drive not mounted) holds no notes. At start such folders are left out; added later,
    they must be too. Was: the folder's parent was made a vault and indexed whole (here all
    the user's vaults as one; under a home folder, the home folder)."""
    vaults = tmp_path / "Vaults"
    kept = write_files(vaults / "A", {"Anote.md": "# A\n"})
    (vaults / "Stray.md").write_text("# Stray\n", encoding="utf-8")
    async with editor(kept) as session:
        session.change_folders(added=[vaults / "Gone"])
        await asyncio.sleep(_SETTLED_S)
        symbols = await session.client.workspace_symbol_async(
            types.WorkspaceSymbolParams(query="Stray")
        )
        runs = session.indexed_runs()
    assert symbols == []
    assert runs == 1


async def test_generate_ids_for_two_vaults_hands_out_each_id_once(tmp_path: Path) -> None:
    """An ID names a note in the user's Anki collection, which two vaults may both sync to:
    one "Generate IDs" over two vaults gives every card an ID of its own, as `notels check
    --fix A B` does (checker.py: "One generator for the run: every ID it hands out is new,
    whichever vault it goes to"). Was: each vault's IDs counted up from the same millisecond,
    so most of B's cards got the IDs just written into A's."""
    first = write_files(tmp_path / "A", {f"A{i}.md": "# A\n" + CARD for i in range(20)})
    second = write_files(tmp_path / "B", {f"B{i}.md": "# B\n" + CARD for i in range(20)})
    async with edit_editor(first) as (session, applied):
        session.change_folders(added=[second])
        await wait_until(lambda: session.indexed_runs() >= 2)
        await session.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="notels.generateIds", arguments=[])
        )
    (edit,) = applied
    ids = [text for edits in text_edits(edit).values() for _, text in edits]
    assert len(ids) == 40
    assert len(set(ids)) == 40


async def test_a_config_file_made_in_a_folder_inside_a_vault_applies_to_it(tmp_path: Path) -> None:
    """The workspace folder Sub lies in the vault Outer. Writing `Sub/.notels.toml` makes Sub a
    vault of its own, with that config, for `notels check Outer/Sub` and for the server once
    restarted; the running server must follow, as it follows a `.notels.toml` edited at a
    vault's root and vaults made below a folder. Was: the file was not read at all until a
    restart: `missing-id` stayed on though the new file turns it off."""
    outer = write_files(tmp_path / "Outer", {"Top.md": "# Top\n"})
    sub = outer / "Sub"
    sub.mkdir()
    (sub / "Card.md").write_text("# Card\nTARGET DECK: d\n" + CARD, encoding="utf-8")
    async with editor(sub) as session:
        card = session.open("Card.md")
        await session.wait_for_codes(card, lambda codes: "missing-id" in codes)
        (sub / ".notels.toml").write_text('[rules]\nmissing-id = "off"\n', encoding="utf-8")
        session.notify_files((".notels.toml", types.FileChangeType.Created))
        await session.wait_for_codes(card, lambda codes: "missing-id" not in codes)


async def test_renaming_a_heading_of_an_edited_note_in_a_nested_vault_updates_outer_links(
    tmp_path: Path,
) -> None:
    """Sub is a vault nested in Outer, both workspace folders; Outer's Top links to a heading of
    Sub's Card. The user edits Card (a line typed above the heading, not saved yet) and renames
    the heading with F2: Outer's link must follow, as it does when Card is unchanged. Was: the
    outer vault looked for the heading in Card as it is on disk, where it sits elsewhere: "No
    such heading", only logged, and Outer's link to the heading was left broken."""
    outer = write_files(tmp_path / "Outer", {"Top.md": "See [[Sub/Card#Part]].\n"})
    inner = write_files(outer / "Sub", {"Card.md": "# Card\n\n## Part\n"})
    top = (outer / "Top.md").as_uri()
    async with edit_editor(outer) as (session, _):
        session.change_folders(added=[inner])
        await wait_until(lambda: session.indexed_runs() >= 2)
        card = session.open("Sub/Card.md")
        session.edit(card, (1, 0), (1, 0), "A line typed just now.\n")
        renamed = await session.client.text_document_rename_async(
            types.RenameParams(
                text_document=types.TextDocumentIdentifier(uri=card),
                position=types.Position(line=3, character=4),
                new_name="Section",
            )
        )
    assert renamed is not None
    edits = text_edits(renamed)
    assert card in edits, edits  # the heading itself
    after = apply_text_edits((outer / "Top.md").read_text(encoding="utf-8"), edits.get(top, []))
    assert after == "See [[Sub/Card#Section]].\n", edits


async def test_renaming_a_block_id_in_a_nested_vault_updates_outer_links(tmp_path: Path) -> None:
    """As for headings: the outer vault finds the block in Card's edited text, not on disk."""
    outer = write_files(tmp_path / "Outer", {"Top.md": "See [[Sub/Card#^part-1]].\n"})
    inner = write_files(outer / "Sub", {"Card.md": "# Card 😀\n\nЧасть. ^part-1\n"})
    top = (outer / "Top.md").as_uri()
    async with edit_editor(outer) as (session, _):
        session.change_folders(added=[inner])
        await wait_until(lambda: session.indexed_runs() >= 2)
        card = session.open("Sub/Card.md")
        session.edit(card, (1, 0), (1, 0), "Строка. ^part-0\n")
        renamed = await rename_at(session, card, 3, 10, "part-2")
    edits = text_edits(renamed)
    assert apply_text_edits("# Card 😀\nСтрока. ^part-0\n\nЧасть. ^part-1\n", edits[card]) == (
        "# Card 😀\nСтрока. ^part-0\n\nЧасть. ^part-2\n"
    )
    after = apply_text_edits((outer / "Top.md").read_text(encoding="utf-8"), edits.get(top, []))
    assert after == "See [[Sub/Card#^part-2]].\n", edits


async def test_a_note_moved_out_of_a_nested_vault_keeps_its_relative_links(
    tmp_path: Path,
) -> None:
    """Sub is a vault nested in Outer, both workspace folders. The editor moves Sub's Card,
    which links `[[./Sibling]]`, out of Sub to Outer's top folder: Sub no longer holds it, so
    only Outer can write its link for where it lands (`./Sub/Sibling`), as it does when Sub is
    no folder of the workspace. Was: Outer dropped the edit as one of Sub's notes (Sub edits
    its own), Sub made none (the note leaves it), and the moved note's link broke."""
    outer = write_files(tmp_path / "Outer", {"Top.md": "# Top\n"})
    inner = write_files(outer / "Sub", {"Card.md": "See [[./Sibling]].\n", "Sibling.md": "# S\n"})
    card = (inner / "Card.md").as_uri()
    async with edit_editor(outer) as (session, _):
        alone = await will_rename(session, "Sub/Card.md", "Card.md")
        session.change_folders(added=[inner])
        await wait_until(lambda: session.indexed_runs() >= 2)
        nested = await will_rename(session, "Sub/Card.md", "Card.md")
    assert alone is not None and card in text_edits(alone)  # before Sub was a folder
    edits = text_edits(nested) if nested is not None else {}
    after = apply_text_edits((inner / "Card.md").read_text(encoding="utf-8"), edits.get(card, []))
    assert after == "See [[./Sub/Sibling]].\n", edits


async def test_moving_an_outer_note_updates_the_links_to_it_from_a_nested_vault(
    tmp_path: Path,
) -> None:
    """Outer's Top is linked from Sub's Other (`[[Top]]`, which opens Top when Outer is opened
    in Obsidian); Sub is a vault nested in Outer, both workspace folders. The editor renaming
    Top must update that link, as F2 on Top does and as it did before Sub was a folder: Sub
    does not hold Top, so only Outer can. Was: Outer left every note under Sub to Sub's own
    edits, Sub made none, and the link broke."""
    outer = write_files(tmp_path / "Outer", {"Top.md": "# Top\n"})
    inner = write_files(outer / "Sub", {"Other.md": "See [[Top]].\n"})
    other = (inner / "Other.md").as_uri()
    async with edit_editor(outer) as (session, _):
        alone = await will_rename(session, "Top.md", "Renamed.md")
        session.change_folders(added=[inner])
        await wait_until(lambda: session.indexed_runs() >= 2)
        nested = await will_rename(session, "Top.md", "Renamed.md")
    assert alone is not None and other in text_edits(alone)  # before Sub was a folder
    edits = text_edits(nested) if nested is not None else {}
    after = apply_text_edits((inner / "Other.md").read_text(encoding="utf-8"), edits.get(other, []))
    assert after == "See [[Renamed]].\n", edits


async def test_renaming_a_nested_vaults_note_from_an_outer_link_edits_each_link_once(
    tmp_path: Path,
) -> None:
    """F2 on Outer's link `[[Sub/Card]]` renames Sub's Card; Sub is a vault nested in Outer,
    both workspace folders. Every link to Card changes once: Sub's `[[Card]]` in Other too.
    Was: Outer (the vault of the note under the cursor) edited every note it holds, Sub's
    among them, and then Sub, taken for a vault around Outer, edited its own notes again: two
    identical edits at one place in Other, which an editor refuses or applies twice."""
    outer = write_files(tmp_path / "Outer", {"Top.md": "See [[Sub/Card]].\n"})
    inner = write_files(outer / "Sub", {"Card.md": "# Card\n", "Other.md": "[[Card]]\n"})
    other = (inner / "Other.md").as_uri()
    async with edit_editor(outer) as (session, _):
        session.change_folders(added=[inner])
        await wait_until(lambda: session.indexed_runs() >= 2)
        top = session.open("Top.md")
        renamed = await session.client.text_document_rename_async(
            types.RenameParams(
                text_document=types.TextDocumentIdentifier(uri=top),
                position=types.Position(line=0, character=10),
                new_name="Renamed",
            )
        )
    assert renamed is not None
    edits = text_edits(renamed)
    assert len(edits.get(other, [])) == 1, edits
    after = apply_text_edits((inner / "Other.md").read_text(encoding="utf-8"), edits[other])
    assert after == "[[Renamed]]\n", edits


async def test_renaming_an_outer_note_updates_the_link_in_a_nested_note_open_in_the_editor(
    tmp_path: Path,
) -> None:
    """Sub is a vault nested in Outer, both workspace folders; Sub's Other links `[[Top]]` to
    Outer's Top, and is open in the editor (nothing typed). Renaming Top, with F2 on Outer's
    link or from the file explorer, must update Other's link: only Outer sees Top, so only
    Outer can, as it does when Other is closed. Was: Outer's edit of Other was dropped because
    Other is open under Sub ("a vault never edits a note open under an inner vault"), and Sub
    made none: the link broke (F2 updated it before 16e2dbd)."""
    outer = write_files(tmp_path / "Outer", {"Top.md": "# Top\n", "Index.md": "[[Top]]\n"})
    inner = write_files(outer / "Sub", {"Other.md": "See [[Top]].\n"})
    async with edit_editor(outer) as (session, _):
        session.change_folders(added=[inner])
        await wait_until(lambda: session.indexed_runs() >= 2)
        other = session.open("Sub/Other.md")
        index = session.open("Index.md")
        renamed = await session.client.text_document_rename_async(
            types.RenameParams(
                text_document=types.TextDocumentIdentifier(uri=index),
                position=types.Position(line=0, character=3),
                new_name="Renamed",
            )
        )
        moved = await will_rename(session, "Top.md", "Renamed.md")
    for answer in (renamed, moved):
        edits = text_edits(answer) if answer is not None else {}
        after = apply_text_edits("See [[Top]].\n", edits.get(other, []))
        assert after == "See [[Renamed]].\n", edits


async def test_renaming_an_outer_note_never_edits_an_open_note_at_its_saved_positions(
    tmp_path: Path,
) -> None:
    """Sub is a vault nested in Outer, both workspace folders; Sub's `.notels.toml` ignores
    Drafts/, which Outer reads. The user has Sub's Drafts/Draft.md open, a line typed above
    its `[[Top]]` and not saved, and renames Outer's Top in the file explorer. An edit of the
    draft must be at the editor's positions (or there must be none): the editor applies an
    unversioned edit to the text it shows. Was: Outer's edit at the link's place on disk,
    line 0, which the editor applied inside the typed line: `Typed.RenamedSee [[Top]].`."""
    outer = write_files(tmp_path / "Outer", {"Top.md": "# Top\n"})
    inner = write_files(
        outer / "Sub",
        {".notels.toml": 'ignore = ["Drafts/**"]\n', "Drafts/Draft.md": "See [[Top]].\n"},
    )
    async with edit_editor(outer) as (session, _):
        session.change_folders(added=[inner])
        await wait_until(lambda: session.indexed_runs() >= 2)
        draft = session.open("Sub/Drafts/Draft.md")
        session.edit(draft, (0, 0), (0, 0), "Typed.\n")
        moved = await will_rename(session, "Top.md", "Renamed.md")
    edits = text_edits(moved) if moved is not None else {}
    after = apply_text_edits("Typed.\nSee [[Top]].\n", edits.get(draft, []))
    assert after in ("Typed.\nSee [[Renamed]].\n", "Typed.\nSee [[Top]].\n"), edits


async def test_a_link_the_nested_vault_keeps_is_not_rewritten_by_the_outer_vault(
    tmp_path: Path,
) -> None:
    """Sub is a vault nested in Outer, both workspace folders; Sub's Other links `[[Card]]` to
    Sub's A/Card, and Outer has a namesake deeper down (X/Y/Z/Card). The editor moves Card to
    Sub's B/C/: in Sub, `[[Card]]` still opens it and stays, as it does when Sub alone is
    open. The nested vault's plan wins over the outer one's for its notes (the outer
    `[[Sub/B/C/Card]]` names nothing in Sub). Was: Sub's plan to keep the link is no edit,
    so Outer's rewrite of it was not seen as overlapping and went in: Other got
    `[[Sub/B/C/Card]]`, a broken link in Sub (before 16e2dbd it was left alone)."""
    outer = write_files(tmp_path / "Outer", {"X/Y/Z/Card.md": "# Another card\n"})
    inner = write_files(outer / "Sub", {"A/Card.md": "# Card\n", "Other.md": "See [[Card]].\n"})
    other = (inner / "Other.md").as_uri()
    async with edit_editor(outer) as (session, _):
        session.change_folders(added=[inner])
        await wait_until(lambda: session.indexed_runs() >= 2)
        moved = await will_rename(session, "Sub/A/Card.md", "Sub/B/C/Card.md")
    edits = text_edits(moved) if moved is not None else {}
    after = apply_text_edits("See [[Card]].\n", edits.get(other, []))
    assert after == "See [[Card]].\n", edits


async def test_a_nested_move_edits_cyrillic_emoji_crlf_notes_of_both_vaults_once(
    tmp_path: Path,
) -> None:
    """The nested-vault move with the texts users have: CRLF notes, Cyrillic names, an emoji
    before the link (two UTF-16 units), an empty note in the nested vault. Moving Под/Карта 😀
    into a folder of the nested vault rewrites the outer note's path link once, keeping CRLF
    and every other byte, and leaves the nested note's bare link (still the note's name)."""
    outer = write_files(tmp_path / "Внешний", {".obsidian/app.json": "{}"})
    inner = write_files(
        outer / "Под", {".obsidian/app.json": "{}", "Карта 😀.md": "# Карта\n", "Пусто.md": ""}
    )
    top_text = "Смотри 😀 [[Под/Карта 😀]]\r\nконец\r\n"
    (outer / "Верх.md").write_bytes(top_text.encode())
    (inner / "Другая.md").write_bytes("😀 [[Карта 😀|карту]]\r\n".encode())
    async with edit_editor(outer) as (session, _):
        session.change_folders(added=[inner])
        await wait_until(lambda: session.indexed_runs() >= 2)
        moved = await will_rename(session, "Под/Карта 😀.md", "Под/Папка/Карта 😀.md")
    assert moved is not None
    edits = text_edits(moved)
    top = (outer / "Верх.md").as_uri()
    assert list(edits) == [top], edits
    (edit,) = edits[top]
    assert edit[0] == types.Range(types.Position(0, 12), types.Position(0, 24))  # UTF-16
    assert apply_text_edits(top_text, [edit]) == "Смотри 😀 [[Под/Папка/Карта 😀]]\r\nконец\r\n"
