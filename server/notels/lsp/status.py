"""`notels/vaultStatus`: what an editor's status bar shows about the vault(s).

Request params: `{"uri"?: string, "partial"?: bool}`: a document whose vault to describe, with
the vaults nested in it (all vaults without it). Result: `{"notes", "cards", "errors",
"warnings", "unchecked": int, "indexing": bool}`. Findings come from the same per-note cache as
pull diagnostics, so asking after the editor pulled them is cheap.

Counting a large vault's problems means checking every note first (10,000 notes: about 5 s,
in worker processes: see warm_findings.py; in VS Code the bar shows its counts about 7 s after
indexing). With `partial`, the answer comes at once and counts only the notes already checked
(by pull diagnostics, or by a full request running beside it); `unchecked` says how many are
left out. Without it, every note is checked and `unchecked` is 0.
"""

from __future__ import annotations

from typing import Any

from notels.findings import Severity
from notels.vault.files import resolved

from .convert import path_of_uri
from .session import Session
from .turns import Turns
from .warm_findings import WarmPass
from .workspace import IndexState, under

VAULT_STATUS = "notels/vaultStatus"


async def vault_status(session: Session, params: Any) -> dict[str, int | bool]:
    uri = _param(params, "uri")
    vaults = list(session.workspace.vaults.values())
    if isinstance(uri, str) and (path := path_of_uri(uri)) is not None:
        # The vault of the document, with the vaults inside it (folders of it too).
        vault = session.workspace.vault_of(resolved(path))
        vaults = [v for v in vaults if vault is not None and v.root.is_relative_to(vault.root)]
    partial = _param(params, "partial") is True
    notes = cards = errors = warnings = unchecked = 0
    turns = Turns()
    indexing = False
    for vault in vaults:
        # A nested vault's notes count once, in it, with what pulls report of them there.
        nested = session.workspace.nested_roots(vault)
        with vault.lock:
            index = vault.index
            own = [p for p in index.notes if not (nested and under(p, nested))]
            notes += len(own)
            cards += sum(len(s.cards) for p in own if (s := index.summaries.get(p)) is not None)
            problems = [p for p in index.file_problems if not (nested and under(p, nested))]
            paths = sorted({*own, *problems})
            indexing = indexing or vault.state is not IndexState.READY
            run = vault.run
        warm = None if partial else WarmPass(session.warm_findings, vault, run, paths)
        for done, relative in enumerate(paths):
            if warm is not None:
                await warm.before(done)
            if not partial and not vault.ready_in(run):
                # A run began during the count (a setting that re-indexes): the rest would be
                # checked against its index half filled. Left out, and the answer says why.
                indexing = True
                unchecked += len(paths) - done
                break
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
            # A partial answer only reads the cache (10,000 notes: a few ms). Turns would let a
            # workspace pull beside it check notes between each of them: at 10,000 notes the
            # status bar's first count came 8 s late.
            if not partial:
                await turns.take()
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
