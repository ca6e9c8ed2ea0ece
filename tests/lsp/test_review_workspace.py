"""Review of dropping vaults (helper_review): defects found, kept as strict xfails."""

from __future__ import annotations

from pathlib import Path

import lsp_harness  # noqa: F401  (puts the checkout's notels on sys.path)
import notes
import pytest
from lsp_harness import write_files

from notels.lsp.workspace import Workspace


@pytest.mark.xfail(
    strict=True,
    reason="REVIEW DEFECT: Workspace.folders is keyed by the resolved folder, so removing one "
    "of two workspace folders naming the same directory (a symlink and its target) forgets both",
)
def test_a_vault_stays_while_another_spelling_of_its_folder_is_in_the_workspace(
    tmp_path: Path,
) -> None:
    vault = write_files(tmp_path / "Хранилище", {"Алгебра.md": notes.ALGEBRA})
    (vault / ".obsidian").mkdir(exist_ok=True)
    link = tmp_path / "Ссылка"
    link.symlink_to(vault, target_is_directory=True)
    workspace = Workspace()
    workspace.add_folder(vault)
    workspace.add_folder(link)  # the editor shows two folders

    workspace.remove_folder(link)  # one of them closed; the other is still in the workspace

    assert list(workspace.vaults) == [vault.resolve()]
