"""Review s33: what a Neovim 0.11 user meets with the repository's lsp/notels.lua, driven in a
real headless Neovim with real keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_neovim import NVIM, needs_nvim, neovim_env, nvim_version, run_script

from vaults import write_vault


@needs_nvim
def test_accepting_a_name_with_spaces_in_neovims_own_completion_writes_the_whole_link(
    tmp_path: Path,
) -> None:
    # The user turns on Neovim 0.11's own LSP completion (vim.lsp.completion.enable with
    # autotrigger, as `:help lsp-completion` shows), types `[[Embedding l` in a note and
    # accepts "Embedding layer" (or, after `[[Embeddings#`, the heading "Word vectors").
    # Expected: `[[Embedding layer]]`, as VS Code writes. What happens: Neovim 0.11 inserts
    # only the first word of an item's plain-text edit (`textEdit.newText` up to its first
    # space) and never applies the rest: the buffer holds `[[Embedding`, an open link, and
    # `[[Embeddings#Word`; most note names and headings hold spaces.
    assert NVIM is not None and nvim_version() >= (0, 11), "Neovim 0.11+ is required"
    vault = write_vault(
        tmp_path / "vault",
        {
            "Заметка.md": "# Заметка\nВекторы 😀 рядом.\n",
            "Embeddings.md": "# Embeddings\n## Word vectors\nDense.\n",
            "Embedding layer.md": "A lookup table of vectors.\n",
        },
    )
    typings = [
        {"keys": "See [[Embedding l", "pick": "Embedding layer"},
        {"keys": "😀 [[Embeddings#Wo", "pick": "Word vectors"},
    ]
    lines = _typed_lines(tmp_path, vault / "Заметка.md", typings)
    assert lines == ["See [[Embedding layer]]", "😀 [[Embeddings#Word vectors]]"]


def _typed_lines(
    tmp_path: Path, note: Path, typings: list[dict[str, object]], setup: bool = False, **env: str
) -> list[object]:
    """The lines `nvim_review_s33_completion.lua` leaves after typing each of `typings` in
    `note` and accepting its `pick`, which must be among the items offered; no notification."""
    out = tmp_path / "result.json"
    nvim_env = neovim_env(
        tmp_path, out, setup, NOTELS_NOTE=str(note), NOTELS_TYPINGS=json.dumps(typings), **env
    )
    result = run_script("nvim_review_s33_completion.lua", nvim_env, tmp_path, out, timeout=90)
    assert "error" not in result, result["error"]
    typed = result["typed"]
    assert isinstance(typed, list)
    assert all(t["pick"] in d["labels"] for t, d in zip(typings, typed, strict=True)), typed
    assert result["notifications"] == []
    return [t["line"] for t in typed]


@needs_nvim
def test_a_note_written_with_unix_line_endings_loses_its_crlf_warning(tmp_path: Path) -> None:
    # A card in a note with CRLF line endings: Neovim opens it with 'fileformat' dos and the
    # server warns crlf-card ("the plugin skips it"). The user does what it asks: `:set ff=unix`
    # and `:w`. Expected: the warning goes, as `notels check` of the file now finds nothing.
    # What happens: Neovim sends no change when 'fileformat' changes, so the server keeps the
    # CRLF text it was opened with and goes on warning, also after later edits, until `:e!`.
    assert NVIM is not None and nvim_version() >= (0, 11), "Neovim 0.11+ is required"
    card = "# Card\nTARGET DECK: d\nSTART\nBasic\nFront: q\nBack: a\nID: 1737306548883\nEND\n"
    vault = write_vault(tmp_path / "vault", {"Card.md": card.replace("\n", "\r\n").encode()})
    out = tmp_path / "result.json"
    env = neovim_env(tmp_path, out, NOTELS_NOTE=str(vault / "Card.md"))
    result = run_script("nvim_review_s33_fileformat.lua", env, tmp_path, out, timeout=60)
    assert "error" not in result, result["error"]
    assert result["fileformat"] == "dos" and result["indexed"] is True
    assert "crlf-card" in result["before"]  # type: ignore[operator]
    assert result["on_disk"] == card
    assert "crlf-card" not in result["after_write"], result  # type: ignore[operator]


@needs_nvim
@pytest.mark.parametrize("setup", [False, True], ids=["lsp-notels-lua", "setup-0.9-0.10"])
def test_completing_with_neovims_default_omnifunc_writes_the_whole_link(
    tmp_path: Path, setup: bool
) -> None:
    # No completion set up by the user: Neovim gives every LSP buffer its 'omnifunc', and the
    # user asks it with <C-x><C-o> (`:help lsp-defaults`). Expected, as with
    # vim.lsp.completion.enable: `connected: "[[Embeddings]]"` in the frontmatter (YAML reads
    # an unquoted `[[...]]` as a nested list, so the server adds the opening quote), and
    # `[[Embedding layer]]`. What happens: the omnifunc inserts each item's word and nothing
    # else; the opening quote (an additional edit) and the snippet's text are applied only on
    # CompleteDone, which Neovim handles only in buffers where vim.lsp.completion is enabled:
    # `connected: [[Embeddings]]"` (invalid-frontmatter) and `[[Embedding layer`.
    assert NVIM is not None and nvim_version() >= (0, 11), "Neovim 0.11+ is required"
    vault = write_vault(
        tmp_path / "vault",
        {
            "Заметка.md": "---\ncreated: 2025-01-19 23:46\n---\nВекторы 😀 рядом.\n",
            "Embeddings.md": "# Embeddings\n",
            "Embedding layer.md": "A lookup table of vectors.\n",
        },
    )
    typings = [
        {"keys": "connected: [[Emb<C-x><C-o>", "pick": "Embeddings", "after": 2},
        {"keys": "See [[Embedding l<C-x><C-o>", "pick": "Embedding layer"},
    ]
    lines = _typed_lines(tmp_path, vault / "Заметка.md", typings, setup, NOTELS_OMNIFUNC="1")
    assert lines == ['connected: "[[Embeddings]]"', "See [[Embedding layer]]"]


@needs_nvim
@pytest.mark.parametrize("setup", [False, True], ids=["lsp-notels-lua", "setup-0.9-0.10"])
def test_generate_ids_after_saveas_into_another_vault_never_writes_its_open_notes(
    tmp_path: Path, setup: bool
) -> None:
    # Two vaults, each with its own server. B1.md of vault B (a card without an ID) is open
    # with unsaved typing. The user opens A.md of vault A, `:saveas` it into vault B (to start
    # a note from it) and runs :NotelsGenerateIds there. README: "open notes are changed in
    # their buffers, and `:wa` saves them". What happens: Neovim keeps the saved buffer on
    # vault A's server, which the note now opened in vault B makes take vault B in too; that
    # server never heard of B1.md's buffer, takes it for closed and writes its file under the
    # modified buffer (the next `:w` stops on "the file has been changed since reading it", or
    # drops the ID). As review s31's nested vaults, with `:saveas` instead.
    assert NVIM is not None and nvim_version() >= (0, 11), "Neovim 0.11+ is required"
    b_text = "START\nBasic\nFront: q\nBack: a\nEND\n"
    vault_a = write_vault(tmp_path / "a", {"A.md": "A note.\n"})
    vault_b = write_vault(tmp_path / "b", {"B1.md": b_text})
    out = tmp_path / "result.json"
    env = neovim_env(
        tmp_path,
        out,
        setup,
        NOTELS_B_NOTE=str(vault_b / "B1.md"),
        NOTELS_A_NOTE=str(vault_a / "A.md"),
        NOTELS_SAVE_AS=str(vault_b / "Copied.md"),
    )
    result = run_script("nvim_review_s33_saveas.lua", env, tmp_path, out, timeout=90)
    assert "error" not in result, result["error"]
    assert result["b_attached"] is True and result["a_attached"] is True
    assert result["b_modified"] is True
    assert result["b_on_disk"] == b_text, (
        f"B1.md written under its modified buffer; the saved note's servers: {result['roots']}"
    )
    # Once written, the note is vault B's server's (Generate IDs gave B1.md its ID in its
    # buffer, unsaved, as README says).
    assert [Path(str(root)).name for root in result["roots"]] == ["b"]  # type: ignore[union-attr]
    assert any(line.startswith("ID: ") for line in result["b_buffer"])  # type: ignore[union-attr]
