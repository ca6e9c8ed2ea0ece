"""Many files changing on disk at once (a `git checkout`, a sync, a folder pasted or deleted).

A few changed notes are read at once; many are read on another thread, or in worker processes,
while the editor's requests go on. A read lands only if nothing newer came meanwhile.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import lsp_harness
import notes
import pytest
from lsp_harness import editor, write_files
from lsprotocol import types
from workspace_harness import codes_of, indexed, open_in

from notels.config import Config
from notels.lsp import indexer
from notels.lsp.indexer import fill_index, read_changed
from notels.lsp.workspace import ReadJob, TextChange, Workspace, _resolved
from notels.vault.files import ProblemKind, stamp_on_disk
from notels.vault.parallel import Summarized, summarize_all
from notels.vault.summary import summarize_text

Created, Changed, Deleted = (
    types.FileChangeType.Created,
    types.FileChangeType.Changed,
    types.FileChangeType.Deleted,
)
MANY = 60  # above the notes the server reads on its event loop


def _read(root: Path, relative: str, text: str) -> list[Summarized]:
    """What a job read of a file holding `text`, stamped as the file is now: a test of what
    else keeps it from landing (two writes within one mtime tick leave the same stamp)."""
    return [(relative, summarize_text(text, stamp_on_disk(root, relative)), None)]


def _numbered(count: int, text: str, folder: str = "Пачка") -> dict[str, str]:
    return {f"{folder}/Заметка {i} 😀.md": text.format(i=i) for i in range(count)}


# --- the workspace: which read lands --------------------------------------------------------


def test_a_read_job_indexes_its_notes_and_names_who_to_recheck(vault: Path) -> None:
    write_files(vault, {"Ссылки.md": notes.LINKS_TO_MISSING, "Алгебра.md": ""})
    workspace = indexed(vault)
    linking = open_in(workspace, vault, "Ссылки.md")
    assert codes_of(workspace, linking) == ["unresolved-link"]
    write_files(vault, {"Missing Note.md": "# Есть\n", **_numbered(MANY, "# Раздел {i}\n")})

    _, to_read = workspace.files_changed([vault / "Missing Note.md", vault / "Пачка"])
    (vault_state,) = workspace.vaults.values()
    assert sorted(to_read[vault_state]) == sorted(["Missing Note.md", *_numbered(MANY, "")])
    job = workspace.start_read(vault_state, to_read[vault_state])
    assert codes_of(workspace, linking) == ["unresolved-link"]  # nothing read yet

    read_changed(workspace, job)

    assert workspace.effects_of(vault_state, job.affected).recheck == {linking}
    assert codes_of(workspace, linking) == []
    assert vault_state.index.has_heading("Пачка/Заметка 59 😀.md", "Раздел 59")


def test_a_read_does_not_land_over_a_newer_one(vault: Path) -> None:
    write_files(vault, {"Копия.md": notes.COPY, "Алгебра.md": notes.ALGEBRA})
    workspace = indexed(vault)
    (state,) = workspace.vaults.values()
    algebra = open_in(workspace, vault, "Алгебра.md")
    assert "duplicate-id" in codes_of(workspace, algebra)
    job = workspace.start_read(state, ["Копия.md"])
    # The file changes again and a small event reads it at once, before the job's read lands.
    (vault / "Копия.md").write_text(notes.CLEAN, encoding="utf-8")
    workspace.file_changed(vault / "Копия.md")
    assert "duplicate-id" not in codes_of(workspace, algebra)

    assert workspace.finish_read(job, _read(vault, "Копия.md", notes.COPY)) == set()
    assert "duplicate-id" not in codes_of(workspace, algebra)


def test_a_read_does_not_land_on_a_note_opened_meanwhile(vault: Path) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA})
    workspace = indexed(vault)
    (state,) = workspace.vaults.values()
    write_files(vault, {"Копия.md": notes.COPY})
    _, to_read = workspace.files_changed([vault / "Копия.md"])
    copy = open_in(workspace, vault, "Копия.md")  # before the job even begins
    workspace.change(copy, 2, [TextChange(notes.CLEAN)])
    workspace.flush(copy)
    job = workspace.start_read(state, to_read[state])

    assert workspace.finish_read(job, _read(vault, "Копия.md", notes.COPY)) == set()
    assert [place.path for place in state.index.card_locations("1737306548883")] == ["Алгебра.md"]


def test_a_read_does_not_land_on_a_note_deleted_and_written_again(vault: Path) -> None:
    """Written again with the same size and time (a sync tool that keeps times): the stamp is
    the same, the text is not; the event of the new file follows."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA})
    workspace = indexed(vault)
    (state,) = workspace.vaults.values()
    write_files(vault, {"Копия.md": notes.COPY})
    job = workspace.start_read(state, ["Копия.md"])
    batches = list(summarize_all(vault, job.relatives, state.config))
    stat = (vault / "Копия.md").stat()
    (vault / "Копия.md").unlink()
    workspace.files_deleted([vault / "Копия.md"])
    (vault / "Копия.md").write_text(notes.COPY.replace("ID: 1737306548883", "ID: 1737306548884"))
    os.utime(vault / "Копия.md", ns=(stat.st_atime_ns, stat.st_mtime_ns))

    for batch in batches:
        assert workspace.finish_read(job, batch) == set()
    assert [place.path for place in state.index.card_locations("1737306548883")] == ["Алгебра.md"]


def test_a_read_does_not_land_in_a_newer_indexing_run(vault: Path) -> None:
    workspace = indexed(write_files(vault, {}))
    (state,) = workspace.vaults.values()
    write_files(vault, {"Копия.md": notes.COPY})
    job = workspace.start_read(state, ["Копия.md"])
    workspace.start_indexing(state)  # it reads every note itself

    assert workspace.finish_read(job, _read(vault, "Копия.md", notes.COPY)) == set()
    assert "Копия.md" not in state.index.summaries


def test_a_read_during_an_indexing_run_is_not_overwritten_by_it(vault: Path) -> None:
    write_files(vault, {"Копия.md": notes.CLEAN})
    workspace = Workspace()
    workspace.add_folder(vault)
    (state,) = workspace.vaults.values()
    run, _ = workspace.start_indexing(state)
    job = workspace.start_read(state, ["Копия.md"])
    workspace.finish_read(job, _read(vault, "Копия.md", notes.COPY))
    # The run cannot know whether it read the file before the job or after: as for any note
    # set during a run, what the job read stays.
    assert fill_index(state, run, lambda done, total: None)
    assert state.index.card_locations("1737306548883")


def test_a_read_does_not_bring_back_a_note_deleted_meanwhile(vault: Path) -> None:
    write_files(vault, {"Ссылки.md": "[[Новая]]\n"})
    workspace = indexed(vault)
    (state,) = workspace.vaults.values()
    linking = open_in(workspace, vault, "Ссылки.md")
    write_files(vault, {"Новая.md": "# Новая\n"})
    job = workspace.start_read(state, ["Новая.md"])
    batches = list(summarize_all(vault, job.relatives, state.config))  # the job's read
    (vault / "Новая.md").unlink()
    workspace.files_deleted([vault / "Новая.md"])  # its event, before the read lands

    for batch in batches:
        workspace.finish_read(job, batch)

    assert "Новая.md" not in state.index.summaries
    assert codes_of(workspace, linking) == ["unresolved-link"]


def test_a_read_of_a_file_changed_since_waits_for_its_event(vault: Path) -> None:
    write_files(vault, {"Копия.md": notes.CLEAN, "Алгебра.md": notes.ALGEBRA})
    workspace = indexed(vault)
    (state,) = workspace.vaults.values()
    write_files(vault, {"Копия.md": notes.COPY})
    job = workspace.start_read(state, ["Копия.md"])
    batches = list(summarize_all(vault, job.relatives, state.config))
    (vault / "Копия.md").write_text(notes.CLEAN + "\nещё строка\n", encoding="utf-8")

    for batch in batches:
        assert workspace.finish_read(job, batch) == set()
    assert not state.index.card_locations("1737306548883")[1:]


def test_a_read_during_the_first_indexing_beats_the_runs_older_read(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run read a note, then it changed and a job began: the run must leave it to the job."""
    write_files(vault, {"Копия.md": notes.CLEAN, "Алгебра.md": notes.ALGEBRA})
    workspace = Workspace()
    workspace.add_folder(vault)
    (state,) = workspace.vaults.values()
    jobs: list[tuple[ReadJob, list[list[Summarized]]]] = []

    def change_after_the_runs_read(
        root: Path, relatives: Sequence[str], config: Config
    ) -> Iterator[list[Summarized]]:
        for batch in summarize_all(root, relatives, config):
            if not jobs:
                (vault / "Копия.md").write_text(notes.COPY, encoding="utf-8")
                job = workspace.start_read(state, ["Копия.md"])
                jobs.append((job, list(summarize_all(root, job.relatives, config))))
            yield batch

    monkeypatch.setattr(indexer, "summarize_all", change_after_the_runs_read)
    run, _ = workspace.start_indexing(state)
    assert fill_index(state, run, lambda done, total: None)
    ((job, batches),) = jobs
    for batch in batches:
        workspace.finish_read(job, batch)
    workspace.finish_indexing(state, run)

    algebra = open_in(workspace, vault, "Алгебра.md")
    assert "duplicate-id" in codes_of(workspace, algebra)


def test_a_folder_replaced_at_once_loses_the_notes_it_lost(vault: Path) -> None:
    """`rm -r F`, then F written again with fewer files: the editor may only say F changed."""
    write_files(vault, {"Ссылки.md": "[[a]] [[b]] [[b.png]]\n", "F/a.md": "", "F/b.md": ""})
    write_files(vault, {"F/b.png": ""})
    workspace = indexed(vault)
    linking = open_in(workspace, vault, "Ссылки.md")
    assert codes_of(workspace, linking) == []
    shutil.rmtree(vault / "F")
    write_files(vault, {"F/a.md": "снова\n", "F/c.png": ""})

    effects, to_read = workspace.files_changed([vault / "F"])

    (state,) = workspace.vaults.values()
    assert to_read == {state: ["F/a.md"]}
    assert effects.recheck == {linking}
    assert codes_of(workspace, linking) == ["unresolved-link"] * 2
    assert sorted(state.index.attachments()) == ["F/c.png"]


# --- the workspace: deletions ---------------------------------------------------------------


def test_deleting_folders_and_notes_at_once(vault: Path) -> None:
    write_files(
        vault,
        {
            "Ссылки.md": "[[Заметка 3 😀]] [[Глубже]] [[Одна]] [[картинка.png]]\n",
            "Одна.md": "# Одна\n",
            "Старое/Глубже/Глубже.md": "",
            "Старое/Бинарная.md": "\x00\x01",
            "Старое/картинка.png": "",
            **_numbered(MANY, "# Раздел {i}\n"),
        },
    )
    workspace = indexed(vault)
    (state,) = workspace.vaults.values()
    linking = open_in(workspace, vault, "Ссылки.md")
    assert codes_of(workspace, linking) == []
    assert "Старое/Бинарная.md" in state.index.file_problems

    effects = workspace.files_deleted(
        [vault / "Старое", vault / "Одна.md", vault / "Пачка", vault / "Нет такой"]
    )

    assert effects.recheck == {linking}
    assert codes_of(workspace, linking) == ["unresolved-link"] * 4
    assert sorted(state.index.summaries) == ["Ссылки.md"]
    assert not state.index.file_problems
    assert not list(state.index.attachments())


def test_changed_notes_gone_already_leave_the_index(vault: Path) -> None:
    """A note written and deleted again before its event comes: the event finds it gone."""
    write_files(vault, {"Ссылки.md": "[[Заметка 3 😀]]\n", **_numbered(MANY, "{i}\n")})
    workspace = indexed(vault)
    (state,) = workspace.vaults.values()
    linking = open_in(workspace, vault, "Ссылки.md")
    paths = sorted((vault / "Пачка").iterdir())
    for path in paths:
        path.unlink()

    effects, to_read = workspace.files_changed(paths)

    assert to_read == {}
    assert effects.recheck == {linking}
    assert sorted(state.index.summaries) == ["Ссылки.md"]


def test_a_folder_said_to_change_reads_only_its_changed_notes(vault: Path) -> None:
    write_files(vault, _numbered(MANY, "{i}\n"))
    workspace = indexed(vault)
    (state,) = workspace.vaults.values()
    write_files(vault, {"Пачка/Заметка 7 😀.md": "другой текст\n"})

    _, to_read = workspace.files_changed([vault / "Пачка"])

    assert to_read == {state: ["Пачка/Заметка 7 😀.md"]}


def test_a_folder_symlink_is_the_alias_and_goes_alone(vault: Path) -> None:
    """A symlink to a folder of the vault, sorting first or not, is the scan problem: the folder
    keeps its notes under its own path, and deleting the symlink takes only the problem."""
    write_files(vault, {"Notes/x.md": "x\n"})
    (vault / "Alias").symlink_to(vault / "Notes")  # sorts first: still the alias
    workspace = indexed(vault)
    (state,) = workspace.vaults.values()
    assert state.index.file_problems["Alias"].kind is ProblemKind.SYMLINK_ALIAS
    assert "Notes" not in state.index.file_problems
    write_files(vault, {"Notes/y.md": "y\n"})
    workspace.file_changed(vault / "Notes")  # a folder event scans as the vault scan does
    assert sorted(state.index.summaries) == ["Notes/x.md", "Notes/y.md"]
    (vault / "Alias").unlink()

    workspace.files_deleted([vault / "Alias"])

    assert sorted(state.index.summaries) == ["Notes/x.md", "Notes/y.md"]
    assert state.index.file_problems == {}


def test_event_paths_resolve_their_folder_as_path_resolve_does(tmp_path: Path) -> None:
    """Events name files through symlinked folders, `..` or not at all: each path's folder
    resolves exactly as Path.resolve() would, once for all its files; the file itself stays
    as named, a symlink too (an alias, a loop: the scan judges it, not what it leads to)."""
    real = tmp_path / "настоящая"
    (real / "вложенная").mkdir(parents=True)
    (real / "a.md").write_text("", encoding="utf-8")
    (tmp_path / "ссылка").symlink_to(real)
    (real / "b.md").symlink_to(real / "a.md")
    (real / "петля.md").symlink_to(real / "петля.md")
    paths = [
        folder / name
        for folder in (real, tmp_path / "ссылка", real / "вложенная" / "..", tmp_path / "нет")
        for name in ("a.md", "b.md", "нет.md", "петля.md", "..", ".", "вложенная")
    ]
    folders: dict[Path, Path] = {}
    assert [_resolved(path, folders) for path in paths] == [
        path.resolve() if path.name in (".", "..") else path.parent.resolve() / path.name
        for path in paths
    ]
    assert _resolved(tmp_path / "ссылка" / "b.md", folders) == real / "b.md"  # not a.md


# --- end to end -----------------------------------------------------------------------------


@pytest.mark.parametrize("processes", ["0", "2"])
async def test_many_notes_changed_on_disk_reach_the_open_note(vault: Path, processes: str) -> None:
    """0: read on the server's thread; 2: in worker processes, as for a large checkout."""
    write_files(vault, {"Ссылки.md": notes.LINKS_TO_MISSING, **_numbered(MANY, "Старая {i}\n")})
    async with editor(vault, env={"NOTELS_INDEX_PROCESSES": processes}) as session:
        linking = session.open("Ссылки.md")
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"] * 2)
        changed = {"Missing Note.md": "# Есть 🙂\n", **_numbered(MANY, "# Новая {i} 🙂\n")}
        write_files(vault, changed)
        session.notify_files(*((relative, Changed) for relative in changed))
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])

        symbols = await session.client.workspace_symbol_async(
            types.WorkspaceSymbolParams(query="Новая 59")
        )
        assert symbols is not None
        assert [symbol.name for symbol in symbols][:1] == ["Новая 59 🙂"]


async def test_a_bulk_change_leaves_an_open_note_alone(vault: Path) -> None:
    write_files(
        vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY, **_numbered(MANY, "{i}\n")}
    )
    async with editor(vault) as session:
        copy = session.open("Копия.md")
        algebra = session.open("Алгебра.md")
        await session.wait_for_codes(copy, lambda codes: codes == ["duplicate-id"])
        changed = {"Копия.md": notes.CLEAN, **_numbered(MANY, "[[Алгебра]] {i}\n")}
        write_files(vault, changed)
        session.notify_files(*((relative, Changed) for relative in changed))
        # The notes linking to Алгебра now are read; the open copy keeps the editor's text.
        references = await _references_when(session, algebra, MANY + 1)
        assert len(references) == MANY + 1  # and the copy's own link
        session.edit(algebra, (0, 0), (0, 0), " ")
        await session.wait_for_codes(algebra, lambda codes: "duplicate-id" in codes)
        assert session.codes(copy) == ["duplicate-id"]


async def test_notes_saved_by_replacing_them_stay_in_the_index(vault: Path) -> None:
    """Some tools save a file by deleting it and writing it again: two events, one note."""
    write_files(vault, {"Ссылки.md": "[[Заметка 7 😀]] [[Missing Note]]\n", **_numbered(MANY, "")})
    async with editor(vault) as session:
        linking = session.open("Ссылки.md")
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])
        replaced = _numbered(MANY, "заново {i}\n")
        write_files(vault, {**replaced, "Missing Note.md": ""})
        session.notify_files(
            *((relative, kind) for relative in replaced for kind in (Deleted, Created)),
            ("Missing Note.md", Created),
        )
        await session.wait_for_codes(linking, lambda codes: codes == [])


async def test_deleting_a_folder_of_many_notes_on_disk(vault: Path) -> None:
    write_files(vault, {"Ссылки.md": "[[Заметка 7 😀]] [[Заметка 42 😀]]\n", **_numbered(MANY, "")})
    async with editor(vault) as session:
        linking = session.open("Ссылки.md")
        await session.wait_for_codes(linking, lambda codes: codes == [])
        for path in (vault / "Пачка").iterdir():
            path.unlink()
        (vault / "Пачка").rmdir()
        session.notify_files(("Пачка", Deleted))
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"] * 2)


async def test_a_folder_renamed_in_the_editor_never_goes_missing(vault: Path) -> None:
    """Its notes are deleted at once and read under the new name later: the open note hears
    of both together, and never sees its links broken."""
    write_files(vault, {"Ссылки.md": "[[Заметка 1 😀]] [[Missing Note]]\n", **_numbered(MANY, "")})
    async with editor(vault) as session:
        linking = session.open("Ссылки.md")
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])
        published: list[list[str]] = []

        class Recording(dict[str, list[types.Diagnostic]]):
            def __setitem__(self, uri: str, diagnostics: list[types.Diagnostic]) -> None:
                if uri == linking:
                    published.append(sorted(str(d.code) for d in diagnostics))
                super().__setitem__(uri, diagnostics)

        session.client.diagnostics = Recording(session.client.diagnostics)
        session.rename("Пачка", "Новая пачка")
        await session.wait_for_codes(linking, lambda codes: bool(published))
        assert published == [["unresolved-link"]]


async def test_a_folder_deleted_and_created_again_in_one_notification(vault: Path) -> None:
    write_files(vault, {"Ссылки.md": "[[a]] [[b]]\n", "F/a.md": "a\n", "F/b.md": "b\n"})
    async with editor(vault) as session:
        linking = session.open("Ссылки.md")
        await session.wait_for_codes(linking, lambda codes: codes == [])
        shutil.rmtree(vault / "F")
        write_files(vault, {"F/a.md": "снова\n"})
        session.notify_files(("F", Deleted), ("F", Created))
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])


async def test_an_event_for_a_symlink_loop_does_not_drop_the_others(vault: Path) -> None:
    write_files(vault, {"Ссылки.md": notes.LINKS_TO_MISSING, "Алгебра.md": ""})
    async with editor(vault) as session:
        linking = session.open("Ссылки.md")
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])
        (vault / "Петля.md").symlink_to(vault / "Петля.md")
        write_files(vault, {"Missing Note.md": "Есть 🙂\n"})
        session.notify_files(("Петля.md", Created), ("Missing Note.md", Created))
        await session.wait_for_codes(linking, lambda codes: codes == [])
        # An editor may still open it (a client sends any URI): a note of the vault.
        loop = session.open("Петля.md", "[[Missing Note]] [[Нет такой]]\n")
        await session.wait_for_codes(loop, lambda codes: codes == ["unresolved-link"])


async def _references_when(
    session: lsp_harness.Editor, uri: str, count: int
) -> list[types.Location]:
    found: list[types.Location] = []

    async def ask() -> None:
        nonlocal found
        answer = await session.client.text_document_references_async(
            types.ReferenceParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=0, character=3),
                context=types.ReferenceContext(include_declaration=False),
            )
        )
        found = list(answer or [])

    for _ in range(200):
        await ask()
        if len(found) >= count:
            break
        await asyncio.sleep(0.05)
    return found


def test_a_folder_event_applies_the_vaults_ignore_globs_and_symlink_rules(vault: Path) -> None:
    """A folder event scans the folder as the vault scan would: a glob naming a folder inside
    it (written from the vault's root) still holds, and a symlink in it to a folder elsewhere
    in the vault is that folder's alias, not a second copy of its notes."""
    write_files(
        vault,
        {
            ".notels.toml": 'ignore = ["Проекты/архив/**"]\n',
            "Проекты/план.md": "план\n",
            "Другое/x.md": "x\n",
        },
    )
    workspace = indexed(vault)
    (state,) = workspace.vaults.values()
    write_files(vault, {"Проекты/архив/старое.md": "старое\n", "Проекты/новое 😀.md": "новое\n"})
    (vault / "Проекты" / "Ярлык").symlink_to(vault / "Другое")

    workspace.file_changed(vault / "Проекты")

    assert sorted(state.index.summaries) == [
        "Другое/x.md",
        "Проекты/новое 😀.md",
        "Проекты/план.md",
    ]
    assert state.index.file_problems["Проекты/Ярлык"].kind is ProblemKind.SYMLINK_ALIAS


async def test_a_note_the_editor_says_it_created_is_taken_in(vault: Path) -> None:
    """workspace/didCreateFiles (VS Code's explorer, with no watcher event yet): the new note
    is read as the disk has it, and the link to it in an open note resolves; a file the event
    names that is not there (created and deleted again) is no note."""
    write_files(vault, {"Ссылки.md": "См. [[Новая 😀]] и [[Призрак]].\r\n"})
    async with editor(vault) as session:
        linking = session.open("Ссылки.md")
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"] * 2)
        write_files(vault, {"Новая 😀.md": "# Новая\n"})
        session.client.workspace_did_create_files(
            types.CreateFilesParams(
                files=[
                    types.FileCreate(uri=session.uri("Новая 😀.md")),
                    types.FileCreate(uri=session.uri("Призрак.md")),
                ]
            )
        )
        await session.wait_for_codes(linking, lambda codes: codes == ["unresolved-link"])
