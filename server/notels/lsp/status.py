"""`notels/vaultStatus`: what an editor's status bar shows about the vault(s).

Request params: `{"uri"?: string, "partial"?: bool}`: a document whose vault to describe (all
vaults without it). Result: `{"notes", "cards", "errors", "warnings", "unchecked": int,
"indexing": bool}`. Findings come from the same per-note cache as pull diagnostics, so asking
after the editor pulled them is cheap.

Counting a large vault's problems means checking every note first (about 15 s at 10,000 notes
on a 2-core machine): a status bar that waited for that showed nothing for as long. With
`partial`, the answer comes at once and counts only the notes already checked (by pull
diagnostics, or by a full request running beside it); `unchecked` says how many are left out.
Without it, every note is checked and `unchecked` is 0.
"""

from __future__ import annotations

import asyncio
from typing import Any

from notels.findings import Severity
from notels.vault.files import resolved

from .convert import path_of_uri
from .session import Session
from .workspace import IndexState, under

VAULT_STATUS = "notels/vaultStatus"
_YIELD_EVERY = 200  # notes checked between turns of the event loop


async def vault_status(session: Session, params: Any) -> dict[str, int | bool]:
    uri = _param(params, "uri")
    vaults = list(session.workspace.vaults.values())
    whole = len(vaults) > 1  # every vault: a nested vault's notes count once, in it
    if isinstance(uri, str) and (path := path_of_uri(uri)) is not None:
        vault = session.workspace.vault_of(resolved(path))
        vaults = [vault] if vault is not None else []
        whole = False
    partial = _param(params, "partial") is True
    notes = cards = errors = warnings = checked = unchecked = 0
    indexing = False
    for vault in vaults:
        nested = session.workspace.nested_roots(vault) if whole else frozenset()
        with vault.lock:
            index = vault.index
            own = [p for p in index.notes if not (nested and under(p, nested))]
            notes += len(own)
            cards += sum(len(s.cards) for p in own if (s := index.summaries.get(p)) is not None)
            problems = [p for p in index.file_problems if not (nested and under(p, nested))]
            paths = sorted({*own, *problems})
            indexing = indexing or vault.state is not IndexState.READY
        for relative in paths:
            if partial:
                known = session.workspace.known_findings(vault, relative)
                if known is None:
                    unchecked += 1
                    continue
                findings = known
            else:
                _, findings = session.workspace.findings_at(vault, relative)
            errors += sum(1 for f in findings if f.severity is Severity.ERROR)
            warnings += sum(1 for f in findings if f.severity is Severity.WARNING)
            checked += 1
            # A partial answer only reads the cache (10,000 notes: a few ms). Its turns would let
            # a workspace pull check 200 notes (about 0.3 s) between each of them: at 10,000
            # notes the status bar's first count came 8 s late.
            if not partial and checked % _YIELD_EVERY == 0:
                await asyncio.sleep(0)  # let edits and other requests through
    return {
        "notes": notes,
        "cards": cards,
        "errors": errors,
        "warnings": warnings,
        "unchecked": unchecked,
        "indexing": indexing,
    }


def _param(params: Any, name: str) -> object:
    # pygls hands a custom request's params over as an object of attributes, a test as a dict.
    return params.get(name) if isinstance(params, dict) else getattr(params, name, None)
