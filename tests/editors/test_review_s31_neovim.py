"""Review s31: the Neovim configs (lsp/notels.lua and require('notels').setup()) in a real
headless Neovim 0.11, as a user runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_neovim import (
    NVIM,
    needs_nvim,
    neovim_env,
    nvim_version,
    run_rename_session,
    run_script,
)

from vaults import write_vault

CARD = "START\nBasic\nFront: {q}\nBack: {a}\nEND\n"


@needs_nvim
@pytest.mark.parametrize("setup", [False, True], ids=["lsp-notels-lua", "setup-0.9-0.10"])
def test_generate_ids_never_writes_a_nested_vault_note_open_with_unsaved_changes(
    tmp_path: Path, setup: bool
) -> None:
    # The user has a vault (outer/.obsidian) with a vault inside it (outer/inner/.notels.toml;
    # the server README: "A vault inside another ... is a folder of the outer one too, as in
    # Obsidian"). They open outer/A.md, then outer/inner/B.md and type into it without saving,
    # go back to A.md and run :NotelsGenerateIds. README: "The server writes the notes that are
    # not loaded in a buffer itself ...; open notes are changed in their buffers, and `:wa`
    # saves them." So B.md, loaded and modified, should get its ID in its buffer and its file
    # should stay as it was.
    # What happens: the configs pick the *nearest* marker as root_dir, so Neovim runs two
    # servers, one per vault; B.md is open only in the inner one. The outer server (which takes
    # the inner vault's notes too) has no didOpen for B.md, treats it as closed and rewrites
    # B.md on disk under the modified buffer: the buffer lacks the ID, and the next `:w` either
    # stops on "WARNING: The file has been changed since reading it!!!" or, confirmed, silently
    # drops the ID the server wrote (the sync plugin then creates the card again in Anki).
    assert NVIM is not None and nvim_version() >= (0, 11), "Neovim 0.11+ is required"
    outer = write_vault(tmp_path / "outer", {"A.md": CARD.format(q="a", a="b")})
    inner_text = CARD.format(q="c", a="d")
    inner = outer / "inner"
    inner.mkdir()
    (inner / ".notels.toml").write_text("", encoding="utf-8")
    (inner / "B.md").write_text(inner_text, encoding="utf-8")
    out = tmp_path / "result.json"
    env = neovim_env(
        tmp_path,
        out,
        setup,
        NOTELS_OUTER_NOTE=str(outer / "A.md"),
        NOTELS_INNER_NOTE=str(inner / "B.md"),
    )
    result = run_script("nvim_review_s31_nested.lua", env, tmp_path, out, timeout=90)
    assert "error" not in result, result["error"]
    assert result["outer_diagnosed"] is True and result["inner_diagnosed"] is True
    assert result["inner_modified"] is True
    assert result["inner_on_disk"] == inner_text, (
        "the server wrote B.md on disk under its modified buffer; notels clients' roots: "
        f"{result['roots']}; buffer: {result['inner_buffer']}"
    )


@needs_nvim
@pytest.mark.parametrize("setup", [False, True], ids=["lsp-notels-lua", "setup-0.9-0.10"])
def test_a_vault_note_named_with_a_capital_md_extension_gets_checks(
    tmp_path: Path, setup: bool
) -> None:
    # The user opens `Card.MD` in their vault (an export or a Windows tool named it so).
    # The server takes it as a note (`notels check` reports its missing-id; the extension is
    # matched without regard to case), and VS Code, which matches file extensions ignoring case,
    # gives it the markdown language. Expected: the server attaches and shows missing-id.
    # What happens: Neovim detects `*.MD` as no Markdown (`conf` here, from the `#` line), and
    # both configs start notels only for filetype `markdown`: no server, no diagnostics, no
    # :NotelsGenerateIds, no message saying why.
    assert NVIM is not None and nvim_version() >= (0, 11), "Neovim 0.11+ is required"
    vault = write_vault(tmp_path / "vault", {"Card.MD": "# Card\nTARGET DECK: d\n" + CARD})
    out = tmp_path / "result.json"
    env = neovim_env(tmp_path, out, setup, NOTELS_NOTE=str(vault / "Card.MD"))
    result = run_script("nvim_review_s31_upper_md.lua", env, tmp_path, out, timeout=60)
    assert "error" not in result, result["error"]
    assert result["attached"] is True, f"no notels client (filetype {result['filetype']!r})"
    assert "missing-id" in result["codes"]  # type: ignore[operator]


@needs_nvim
def test_generate_ids_of_the_setup_config_says_what_it_did(tmp_path: Path) -> None:
    # A Neovim 0.9 / 0.10 user (README: require('notels').setup()) runs :NotelsGenerateIds in a
    # vault whose only card lacking an ID is in a note that is not open. README: the command
    # "gives every card of the vault without an ID a new one and says how many it wrote", and
    # the server writes the closed notes itself. Expected: a message such as lsp/notels.lua
    # gives ("notels: wrote 1 new Anki ID in 1 note."). What happens: setup()'s command sends
    # the request with no handler; the server rewrites the file on disk and Neovim says
    # nothing at all (no workspace edit, so not even Neovim's own "Workspace edit" line).
    result = run_rename_session(tmp_path, setup=True)
    on_disk = result["cards_on_disk"]
    assert isinstance(on_disk, str) and "\nID: " in on_disk  # the server did write it
    assert result["generate_ids_said"] == ["notels: wrote 1 new Anki ID in 1 note."]
