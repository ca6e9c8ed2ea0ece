"""The server's state without a server: a Workspace indexed from a vault on disk, as tests of
workspace.py drive it (the LSP tests' client harness is lsp_harness.py)."""

from __future__ import annotations

from pathlib import Path

import lsp_harness  # noqa: F401  (puts the checkout's notels on sys.path)

from notels.lsp.indexer import fill_index
from notels.lsp.workspace import IndexState, Workspace


def indexed(root: Path) -> Workspace:
    """A workspace whose one vault, `root`, is indexed from disk."""
    workspace = Workspace()
    workspace.add_folder(root)
    (vault,) = workspace.vaults.values()
    run, _ = workspace.start_indexing(vault)
    assert fill_index(vault, run, lambda done, total: None)
    workspace.finish_indexing(vault, run)
    assert vault.state is IndexState.READY
    return workspace


def open_in(workspace: Workspace, root: Path, relative: str) -> str:
    """Open the note as an editor does, with the text on disk; its URI."""
    path = root / relative
    uri = path.resolve().as_uri()
    workspace.open(uri, path, path.read_text(encoding="utf-8"), 1)
    return uri


def codes_of(workspace: Workspace, uri: str) -> list[str]:
    return sorted(finding.code for finding in workspace.findings(uri)[1])
