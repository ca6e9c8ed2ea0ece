"""Review s33: a saved text that the editor's changes did not make (Neovim's `:set ff=unix`
and `:w` send no change), taken whole at textDocument/didSave."""

from __future__ import annotations

from pathlib import Path

from lsp_harness import document, editor, write_files
from lsprotocol import types

CARD = "# Card\nTARGET DECK: d\nSTART\nBasic\nFront: q\nBack: a\nID: 1737306548883\nEND\n"


async def test_a_saved_text_other_than_the_changes_made_is_taken_whole(vault: Path) -> None:
    crlf = CARD.replace("\n", "\r\n")
    write_files(vault, {"Card.md": crlf})
    async with editor(vault) as session:
        sync = session.capabilities and session.capabilities.text_document_sync
        assert isinstance(sync, types.TextDocumentSyncOptions)
        assert sync.save == types.SaveOptions(include_text=True)
        uri = session.open("Card.md", crlf)
        await session.wait_for_codes(uri, lambda codes: "crlf-card" in codes)
        (vault / "Card.md").write_text(CARD, encoding="utf-8", newline="")
        session.client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=document(uri), text=CARD)
        )
        await session.wait_for_codes(uri, lambda codes: "crlf-card" not in codes)
