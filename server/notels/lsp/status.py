"""`notels/vaultStatus`: what an editor's status bar shows about the vault(s).

Request params: `{"uri"?: string}`, a document whose vault to describe (all vaults without it).
Result: `{"notes", "cards", "errors", "warnings": int, "indexing": bool}`. Findings come from the
same per-note cache as pull diagnostics, so asking after the editor pulled them is cheap.
"""

from __future__ import annotations

import asyncio
from typing import Any

from notels.findings import Severity
from notels.vault.files import resolved

from .convert import path_of_uri
from .session import Session
from .workspace import IndexState

VAULT_STATUS = "notels/vaultStatus"
_YIELD_EVERY = 200  # notes checked between turns of the event loop


async def vault_status(session: Session, params: Any) -> dict[str, int | bool]:
    uri = params.get("uri") if isinstance(params, dict) else getattr(params, "uri", None)
    vaults = list(session.workspace.vaults.values())
    if isinstance(uri, str) and (path := path_of_uri(uri)) is not None:
        vault = session.workspace.vault_of(resolved(path))
        vaults = [vault] if vault is not None else []
    notes = cards = errors = warnings = checked = 0
    indexing = False
    for vault in vaults:
        with vault.lock:
            notes += len(vault.index.notes)
            cards += sum(len(summary.cards) for summary in vault.index.summaries.values())
            paths = sorted({*vault.index.notes, *vault.index.file_problems})
            indexing = indexing or vault.state is not IndexState.READY
        for relative in paths:
            _, findings = session.workspace.findings_at(vault, relative)
            errors += sum(1 for f in findings if f.severity is Severity.ERROR)
            warnings += sum(1 for f in findings if f.severity is Severity.WARNING)
            checked += 1
            if checked % _YIELD_EVERY == 0:
                await asyncio.sleep(0)  # let edits and other requests through
    return {
        "notes": notes,
        "cards": cards,
        "errors": errors,
        "warnings": warnings,
        "indexing": indexing,
    }
