"""A workspace folder that holds vaults further down: which vaults it stands for as they come
and go on disk, as a fresh start would find them."""

from __future__ import annotations

import shutil
from pathlib import Path

import lsp_harness  # noqa: F401  (puts the checkout's notels on sys.path)
import pytest
from lsp_harness import write_files

from notels.lsp import workspace as workspace_module
from notels.lsp.workspace import Workspace


def _roots(workspace: Workspace) -> set[Path]:
    return set(workspace.vaults)


def test_a_vault_deleted_and_made_again_below_a_folder_is_found_again(tmp_path: Path) -> None:
    """A repository folder holding one vault; `git checkout` of a branch without the vault
    deletes it, checking the first branch out again writes it back. The workspace must stand
    for the vault again, as a fresh start would: not for the whole repository."""
    repo = tmp_path / "repo"
    write_files(repo / "Хранилище", {"A.md": "# A\n"})
    (repo / "src").mkdir()
    (repo / "src" / "main.md").write_text("# code docs\n", encoding="utf-8")
    workspace = Workspace()
    workspace.add_folder(repo)
    vault_root = (repo / "Хранилище").resolve()
    assert _roots(workspace) == {vault_root}

    shutil.rmtree(repo / "Хранилище")
    workspace.files_deleted([repo / "Хранилище"])
    write_files(repo / "Хранилище", {"A.md": "# A\n"})
    workspace.files_changed([repo / "Хранилище"])

    fresh = Workspace()
    fresh.add_folder(repo)
    assert _roots(fresh) == {vault_root}
    # Was: {repo}: the repository became the vault and the real one was never found again.
    assert _roots(workspace) == _roots(fresh)


def test_new_folders_far_from_a_vault_do_not_drop_it(tmp_path: Path) -> None:
    """A repository with many folders (the search below a workspace folder is bounded at
    2,000): a build writing a few new folders next to them must not drop the vault it found,
    nor make the whole repository a vault."""
    repo = tmp_path / "repo"
    for number in range(1990):
        (repo / f"a{number:04}").mkdir(parents=True)
    write_files(repo / "z" / "Хранилище", {"A.md": "# A\n"})
    workspace = Workspace()
    workspace.add_folder(repo)
    vault_root = (repo / "z" / "Хранилище").resolve()
    assert _roots(workspace) == {vault_root}

    for number in range(20):
        (repo / f"b{number:02}").mkdir()
    workspace.files_changed([repo / f"b{number:02}" for number in range(20)])
    # Was: {repo}: the vault was dropped and the whole repository indexed as one.
    assert _roots(workspace) == {vault_root}


def test_files_outside_the_vaults_and_hidden_folders_do_not_search_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search below the folder is bounded but not free: a `git checkout` sends thousands of
    events for source files and `.git/` folders, none of which can make or remove a vault."""
    repo = tmp_path / "repo"
    write_files(repo / "Хранилище", {"A.md": "# A\n"})
    (repo / "src").mkdir()
    (repo / "src" / "main.py").write_text("", encoding="utf-8")
    (repo / "src" / "notes.md").write_text("# docs\n", encoding="utf-8")
    (repo / ".git" / "objects" / "ab").mkdir(parents=True)
    workspace = Workspace()
    workspace.add_folder(repo)
    searches: list[Path] = []
    real = workspace_module.find_vaults_below

    def counted(folder: Path) -> list[Path]:
        searches.append(folder)
        return real(folder)

    monkeypatch.setattr(workspace_module, "find_vaults_below", counted)
    workspace.files_changed([repo / "src" / "main.py", repo / "src" / "notes.md"])
    workspace.files_changed([repo / ".git" / "objects" / "ab", repo / ".git" / "index"])
    assert searches == []
    (repo / "Второе" / ".obsidian").mkdir(parents=True)
    workspace.files_changed([repo / "Второе"])
    assert len(searches) == 1
    assert set(workspace.vaults) == {(repo / "Хранилище").resolve(), (repo / "Второе").resolve()}


def test_a_vault_that_loses_its_marker_is_one_no_more(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_files(repo / "Хранилище", {"A.md": "# A\n"})
    write_files(repo / "Второе", {"B.md": "# B\n"})
    workspace = Workspace()
    workspace.add_folder(repo)
    assert _roots(workspace) == {(repo / "Хранилище").resolve(), (repo / "Второе").resolve()}
    (repo / "Второе" / ".obsidian").rmdir()
    workspace.files_deleted([repo / "Второе" / ".obsidian"])
    assert _roots(workspace) == {(repo / "Хранилище").resolve()}
