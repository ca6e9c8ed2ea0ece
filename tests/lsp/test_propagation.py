"""A change to one note reaches the other open notes that depend on it."""

from __future__ import annotations

from pathlib import Path

import notes
from lsp_harness import editor, wait_until, write_files
from lsprotocol import types

Created, Changed, Deleted = (
    types.FileChangeType.Created,
    types.FileChangeType.Changed,
    types.FileChangeType.Deleted,
)


async def test_fixing_a_duplicate_id_in_one_open_note_clears_the_other(vault: Path) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with editor(vault) as session:
        algebra = session.open("Алгебра.md")
        copy = session.open("Копия.md")
        await session.wait_for_codes(copy, lambda codes: codes == ["duplicate-id"])
        # Give the copy a new ID: change the last digit of `ID: 1737306548883`.
        line = notes.COPY_ID_LINE
        session.edit(copy, (line, 16), (line, 17), "4")
        await session.wait_for_codes(copy, lambda codes: codes == [])
        await session.wait_for_codes(algebra, lambda codes: "duplicate-id" not in codes)


async def test_a_disk_change_updates_another_open_note(vault: Path) -> None:
    """The copy is fixed outside the editor (e.g. by git); the open original hears of it."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with editor(vault) as session:
        algebra = session.open("Алгебра.md")
        await session.wait_for_codes(algebra, lambda codes: "duplicate-id" in codes)
        fixed = notes.COPY.replace("ID: 1737306548883", "ID: 1737306548884")
        (vault / "Копия.md").write_text(fixed, encoding="utf-8")
        session.notify_files(("Копия.md", Changed))
        await session.wait_for_codes(algebra, lambda codes: "duplicate-id" not in codes)


async def test_creating_the_missing_note_resolves_links_to_it(vault: Path) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Ссылки.md": notes.LINKS_TO_MISSING})
    async with editor(vault) as session:
        linking = session.open("Ссылки.md")
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])

        (vault / "Подпапка").mkdir()
        (vault / "Подпапка" / "Missing Note.md").write_text("Теперь есть 🙂\n", encoding="utf-8")
        session.notify_files(("Подпапка/Missing Note.md", Created))
        await session.wait_for_codes(linking, lambda codes: codes == [])

        (vault / "Подпапка" / "Missing Note.md").unlink()
        session.notify_files(("Подпапка/Missing Note.md", Deleted))
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])


async def test_an_alias_added_on_disk_resolves_links(vault: Path) -> None:
    write_files(vault, {"Ссылки.md": notes.LINKS_TO_MISSING, "Алгебра.md": notes.ALGEBRA})
    async with editor(vault) as session:
        linking = session.open("Ссылки.md")
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])
        aliased = "---\naliases:\n  - Missing Note\n---\nЗаметка с псевдонимом 🙂\n"
        (vault / "Другая.md").write_text(aliased, encoding="utf-8")
        session.notify_files(("Другая.md", Created))
        await session.wait_for_codes(linking, lambda codes: codes == [])


async def test_renaming_a_note_through_the_editor(vault: Path) -> None:
    """workspace/didRenameFiles: links to the old name break, links to the new one resolve."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Ссылки.md": notes.LINKS_TO_MISSING})
    async with editor(vault) as session:
        linking = session.open("Ссылки.md")
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])
        session.rename("Алгебра.md", "Missing Note.md")
        await wait_until(
            lambda: (
                [d.message for d in session.diagnostics(linking)]
                == ["No note named 'Алгебра' in the vault. Create it or fix the name."]
            )
        )


async def test_deleting_a_folder_through_the_editor(vault: Path) -> None:
    write_files(vault, {"Старое/Missing Note.md": "Есть 🙂\n", "Ссылки.md": notes.LINKS_TO_MISSING})
    async with editor(vault) as session:
        linking = session.open("Ссылки.md")
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])
        for path in (vault / "Старое").iterdir():
            path.unlink()
        (vault / "Старое").rmdir()
        session.client.workspace_did_delete_files(
            types.DeleteFilesParams(files=[types.FileDelete(uri=session.uri("Старое"))])
        )
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"] * 2)


async def test_the_editor_text_wins_over_the_disk(vault: Path) -> None:
    """A file event for an open note is ignored: the unsaved text is what the user sees."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with editor(vault) as session:
        copy = session.open("Копия.md")
        algebra = session.open("Алгебра.md")
        await session.wait_for_codes(copy, lambda codes: codes == ["duplicate-id"])
        (vault / "Копия.md").write_text(notes.CLEAN, encoding="utf-8")
        session.notify_files(("Копия.md", Changed))
        # The original is re-checked only if the copy's contribution changed; it did not.
        session.edit(algebra, (0, 0), (0, 0), " ")
        await session.wait_for_codes(algebra, lambda codes: "duplicate-id" in codes)
        assert session.codes(copy) == ["duplicate-id"]

        session.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=copy))
        )
        # Closed: the disk version (no card) counts again, and the duplicate is gone.
        await session.wait_for_codes(algebra, lambda codes: "duplicate-id" not in codes)


async def test_a_request_right_after_a_keystroke_does_not_wait_for_its_diagnostics(
    vault: Path,
) -> None:
    """The request sees the new text at once; checking it and the notes it affects still
    happens when the debounce ends."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Ссылки.md": notes.LINKS_TO_MISSING})
    async with editor(vault, settings={"debounceMs": 1500}) as session:
        algebra = session.open("Алгебра.md")
        linking = session.open("Ссылки.md")
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])
        session.edit(algebra, (0, 0), (0, 0), "---\naliases: [Missing Note]\n---\n")
        line = notes.LINK_LINE + 3
        items = await session.client.text_document_completion_async(
            types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=algebra),
                position=types.Position(line=line, character=14),  # in `[[Нет такой]]`
            )
        )
        assert items is not None
        assert session.codes(linking) == ["unresolved-link"]  # not re-checked yet
        await session.wait_for_codes(linking, lambda codes: codes == [])
