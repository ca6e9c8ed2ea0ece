"""The Neovim config's start check (editors/neovim/lsp/notels.lua),
in a real headless Neovim, as tests/editors/test_neovim.py drives it."""

from __future__ import annotations

from pathlib import Path

from test_neovim import needs_nvim, run_without_server, shown_after_each_step


@needs_nvim
def test_a_notels_whose_version_works_but_serve_cannot_start_is_named_once(
    tmp_path: Path,
) -> None:
    # README: a notels that cannot start is named once and started for no other note. Was:
    # `notels --version` imports neither pygls nor lsprotocol (cli.py imports them only for
    # `serve`): a venv that lost its pygls answered the version, the command was taken as fine,
    # and every note's start failed again, each reported by Neovim. A server that ends before
    # it answers `initialize` now counts as a failed check.
    broken = tmp_path / "venv" / "bin" / "notels"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "notels 0.1.0"; exit 0; fi\n'
        "echo \"ModuleNotFoundError: No module named 'pygls'\" >&2\nexit 1\n",
        encoding="utf-8",
    )
    broken.chmod(0o755)
    shown = shown_after_each_step(
        run_without_server(tmp_path, first="note", cmd=[str(broken), "serve"])
    )
    assert shown["other_note"] == shown["note"] == shown["first"], shown
