"""Review s33: files changing on disk while the server runs, against what `notels check` says
of the files on disk (plus the editor's open buffers)."""

from __future__ import annotations

import shutil
from pathlib import Path

from lsp_harness import editor, wait_until, write_files
from lsprotocol import types

Created, Changed, Deleted = (
    types.FileChangeType.Created,
    types.FileChangeType.Changed,
    types.FileChangeType.Deleted,
)
TEMPLATE = "# {{title}}\nSTART\nBasic\nFront: \nEND\n"


async def test_obsidian_folder_deleted_in_one_event_brings_the_templates_back(
    vault: Path,
) -> None:
    """Given a vault whose `.obsidian/templates.json` names `Templates` (its notes are left
    out) and `.notels.toml` (a vault without `.obsidian/` still); when `.obsidian/` is deleted
    (the user resets Obsidian's settings, `git checkout` of a branch without it) and the
    editor reports only the folder, as VS Code does for a folder removed at once, the
    template is a note again, as `notels check` then says. Was: the template folder stayed
    left out until a restart, since only an event naming `templates.json` itself re-read it."""
    write_files(
        vault,
        {
            ".notels.toml": "",
            ".obsidian/templates.json": '{"folder": "Templates"}',
            "Templates/Card.md": TEMPLATE,
        },
    )
    async with editor(vault) as session:
        opened = session.open("Templates/Card.md")
        await wait_until(lambda: opened in session.client.diagnostics)
        assert session.codes(opened) == []
        shutil.rmtree(vault / ".obsidian")
        session.notify_files((".obsidian", Deleted))
        await session.wait_for_codes(opened, lambda codes: "missing-id" in codes)


async def test_obsidian_folder_moved_in_in_one_event_leaves_the_templates_out(
    vault: Path, tmp_path: Path
) -> None:
    """The other way: an `.obsidian/` naming `Templates` moved into the vault (restored from a
    backup, a sync tool's rename), one Created event for the folder: the template is left out,
    as `notels check` then leaves it out."""
    write_files(vault, {".notels.toml": "", "Templates/Card.md": TEMPLATE})
    shutil.rmtree(vault / ".obsidian")
    backup = tmp_path / "backup" / ".obsidian"
    write_files(backup, {"templates.json": '{"folder": "Templates"}'})
    shutil.rmtree(backup / ".obsidian")
    async with editor(vault) as session:
        opened = session.open("Templates/Card.md")
        await session.wait_for_codes(opened, lambda codes: "missing-id" in codes)
        backup.rename(vault / ".obsidian")
        session.notify_files((".obsidian", Created))
        await session.wait_for_codes(opened, lambda codes: codes == [])


async def test_a_followed_folder_symlink_changing_target_indexes_the_new_targets_notes(
    vault: Path,
) -> None:
    """Given a vault where `Текущая` is a symlink into a hidden folder of versions (the only
    way in: the scan follows it, as `notels check` does), and an open note linking to a note
    of each version; when the symlink is pointed at the other version (`ln -sfn`: the link
    deleted and made again), the links resolve as `notels check` then says: to the notes the
    symlink leads to now. Was: a folder event at the symlink scanned nothing behind it, so
    the notes under `Текущая` went from the index and both links were reported."""
    write_files(
        vault,
        {
            ".версии/1/Старая.md": "# Старая\n",
            ".версии/2/Новая.md": "# Новая\n",
            "Указатель.md": "[[Текущая/Старая]] [[Текущая/Новая]]\n",
        },
    )
    (vault / "Текущая").symlink_to(".версии/1", target_is_directory=True)
    async with editor(vault) as session:
        index = session.open("Указатель.md")
        await session.wait_for_codes(index, lambda codes: codes == ["unresolved-link"])
        (vault / "Текущая").unlink()
        (vault / "Текущая").symlink_to(".версии/2", target_is_directory=True)
        session.notify_files(("Текущая", Deleted), ("Текущая", Created))
        await session.wait_for_codes(index, lambda codes: codes == ["unresolved-link"])
        await wait_until(lambda: "Новая" not in repr(session.diagnostics(index)))
        assert "Старая" in repr(session.diagnostics(index))


async def test_a_folder_holding_vaults_made_a_vault_itself_is_one_vault(tmp_path: Path) -> None:
    """Given a workspace folder without a vault's marks that holds two vaults (a repository of
    notes), and an open note of one linking to a note of the other (unresolved: two vaults);
    when the user opens the whole folder in Obsidian, which writes `.obsidian/` there, the
    folder is one vault, as `notels check` of it and a restart of the server find: the link
    resolves. Was: the folder went on standing for the two vaults below it until a restart."""
    repo = tmp_path / "Заметки"
    write_files(repo / "Учёба", {"Лекция.md": "См. [[Работа/Проект]]\n"})
    write_files(repo / "Работа", {"Проект.md": "# Проект\n"})
    async with editor(repo) as session:
        lecture = session.open("Учёба/Лекция.md")
        await session.wait_for_codes(lecture, lambda codes: codes == ["unresolved-link"])
        (repo / ".obsidian").mkdir()
        session.notify_files((".obsidian", Created))
        await session.wait_for_codes(lecture, lambda codes: codes == [])


async def test_a_note_behind_a_followed_folder_symlink_is_checked_as_named(vault: Path) -> None:
    """Given `Текущая`, a symlink into a hidden folder of versions, which the scan follows and
    names its notes by (`notels check` reports `Текущая/Новая.md`); when the editor opens that
    note by its path through the symlink, it shows the note's findings and its edits reach
    the index (a heading added there resolves another note's link to it); a note the editor
    says it created there is taken in. Was: the path was resolved to the hidden folder, which
    is no part of the vault: no findings, the edits went nowhere, the created note was lost."""
    write_files(
        vault,
        {
            ".версии/2/Новая.md": "# Новая\nSTART\nBasic\nFront: q\nEND\n",
            "Указатель.md": "[[Новая#Раздел]] [[Третья]]\n",
        },
    )
    (vault / "Текущая").symlink_to(".версии/2", target_is_directory=True)
    async with editor(vault) as session:
        index = session.open("Указатель.md")
        await session.wait_for_codes(
            index, lambda codes: codes == ["unresolved-heading", "unresolved-link"]
        )
        new = session.open("Текущая/Новая.md")
        await session.wait_for_codes(new, lambda codes: "missing-id" in codes)
        session.edit(new, (0, 7), (0, 7), "\n## Раздел")
        await session.wait_for_codes(index, lambda codes: codes == ["unresolved-link"])
        (vault / "Текущая" / "Третья.md").write_text("# Третья\n", encoding="utf-8")
        session.client.workspace_did_create_files(
            types.CreateFilesParams(files=[types.FileCreate(uri=session.uri("Текущая/Третья.md"))])
        )
        await session.wait_for_codes(index, lambda codes: codes == [])


async def test_a_folder_inside_a_vault_whose_marker_goes_is_a_vault_of_its_own(
    tmp_path: Path,
) -> None:
    """Given a workspace folder `Курс` opened inside a vault marked only by `.notels.toml`,
    and an open note of the folder linking to a note of the vault outside it (resolved);
    when that `.notels.toml` is deleted (the server watches the vault from its root), the
    folder lies in no vault any more and is one of its own, as `notels check` of it and a
    restart find: the link is reported. Was: the vault around it stayed until a restart."""
    vault = write_files(
        tmp_path / "Хранилище",
        {".notels.toml": "", "Общее.md": "# Общее\n", "Курс/Лекция.md": "См. [[Общее]]\n"},
    )
    shutil.rmtree(vault / ".obsidian")
    async with editor(vault / "Курс", relative_patterns=True) as session:
        lecture = session.open("Лекция.md")
        await session.wait_for_codes(lecture, lambda codes: codes == [])
        (vault / ".notels.toml").unlink()
        session.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=(vault / ".notels.toml").as_uri(), type=Deleted)]
            )
        )
        await session.wait_for_codes(lecture, lambda codes: codes == ["unresolved-link"])
