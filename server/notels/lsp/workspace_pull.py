"""`workspace/diagnostic`: a report for every note of the workspace's vaults.

With a partialResultToken (VS Code sends one) the pull runs until the client cancels it, as the
LSP allows: the reports that differ from the client's go out in batches as `$/progress` partial
results, and then, each time notes not open in the editor may have changed (`wake`), those
whose findings did. Without that, VS Code pulled again every 2 s, each pull a report per note
(10,000 notes: 0.25 s of the server's time, all the while the editor was idle); and at start
the Problems panel filled only at the end of the first check (15-25 s). Without a token, one
answer with every note, as the LSP's plain pull.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from lsprotocol import types

from notels.findings import Finding
from notels.vault.files import resolved

from .convert import Json, JsonAnswer, note_uri, path_of_uri
from .turns import Turns
from .warm_findings import WarmFindings, WarmPass
from .workspace import IndexState, Vault, Workspace, under

log = logging.getLogger("notels.lsp")

_PARTIAL_REPORTS = 200  # reports per partial result, at most
_PARTIAL_AFTER_S = 0.25  # and a report found waits at most this long for the others


@dataclass
class _ClientView:
    """What the client holds of each note, as far as a pull knows."""

    # URI -> the result id of the report it has, or of a newer one with the same content
    # (never sent; ids are not reused, so the client's own id cannot come back).
    result_ids: dict[str, str]
    # URI -> a digest of that report's version and diagnostics, when the server knows it (it
    # sent that report, in this pull or an earlier one).
    digests: dict[str, int] = field(default_factory=dict)
    # URI -> (result id, digest) of the last full report any pull sent: shared by the session's
    # pulls, so that one begun with the ids an earlier pull sent knows what they hold.
    issued: dict[str, tuple[str, int]] = field(default_factory=dict)

    @classmethod
    def of_client(
        cls, result_ids: dict[str, str], issued: dict[str, tuple[str, int]]
    ) -> _ClientView:
        digests = {
            uri: sent[1]
            for uri, result_id in result_ids.items()
            if (sent := issued.get(uri)) is not None and sent[0] == result_id
        }
        return cls(result_ids, digests, issued)

    def has(self, uri: str, result_id: str) -> bool:
        return self.result_ids.get(uri) == result_id

    def has_content(self, report: Json) -> bool:
        """Is the full report the same as the client's, under a newer id? A note's cached
        findings dropped (a change it might depend on) get a new id when it is checked again,
        most often with the same findings: 800 notes changed on disk at 10,000 notes sent
        3,600 reports again, 3,594 of them as the client had them. Taken as the client's."""
        uri = report["uri"]
        if self.digests.get(uri) != _digest(report):
            return False
        self.result_ids[uri] = report["resultId"]
        return True

    def sent(self, item: Json) -> None:
        uri = item["uri"]
        result_id = item.get("resultId")
        if result_id is None:  # emptied: the note is gone
            self.result_ids.pop(uri, None)
            self.digests.pop(uri, None)
            self.issued.pop(uri, None)
        elif item.get("kind") == "full":
            self.result_ids[uri] = result_id
            digest = self.digests[uri] = _digest(item)
            self.issued[uri] = (result_id, digest)
        else:
            self.result_ids[uri] = result_id


def _digest(report: Json) -> int:
    return hash(orjson.dumps([report.get("version"), report.get("items")]))


class WorkspacePulls:
    """The workspace pulls of one session; `wake` when the findings of notes the editor does
    not have open may have changed."""

    def __init__(
        self,
        workspace: Workspace,
        warm: WarmFindings,
        flush_document: Callable[[str], None],
        diagnostics: Callable[[Vault, str, list[Finding]], list[Json]],
        notify: Callable[[str, Json], None],
    ) -> None:
        self._workspace = workspace
        self._flush_document = flush_document  # an open note's pending edits, indexed now
        self._diagnostics = diagnostics
        self._notify = notify
        self._changed = asyncio.Event()
        self._held = 0  # streamed pulls begun: the last one is held
        self._warm = warm
        # Notes whose check raised in the last pass: logged once, until a pass checks the note
        # fine or no longer finds it (deleted: a note at its path later is another note).
        self._failing: set[tuple[Path, str]] = set()
        self._issued: dict[str, tuple[str, int]] = {}  # see _ClientView.issued

    def wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def answer(self, params: types.WorkspaceDiagnosticParams) -> JsonAnswer:
        """A WorkspaceDiagnosticReport, as JSON; held open with a partial result token."""
        known = _ClientView.of_client(
            {item.uri: item.value for item in params.previous_result_ids}, self._issued
        )
        token = params.partial_result_token
        if token is None:
            items = await self._reports(known, None)
            for item in items:
                known.sent(item)  # what the client holds once it has this answer
            return JsonAnswer(items=items)
        # One held pull at a time: a client that pulls again without cancelling the last one
        # gets that one ended (empty, as a streamed answer is), not a pass of each per change.
        self._held += 1
        mine = self._held
        self.wake()
        while True:
            # Taken before the pass: a change during it starts the next pass at once.
            changed = self._changed
            try:
                await self._reports(known, token)
            except Exception:
                # An error answer would make the client drop every report streamed so far (the
                # LSP's rule for partial results): the next change tries again.
                log.exception("workspace diagnostics: a pass failed")
            await changed.wait()
            if mine != self._held:
                return JsonAnswer(items=[])

    async def _reports(self, known: _ClientView, token: types.ProgressToken | None) -> list[Json]:
        """One pass over the notes of every vault indexed. Without a token: a report per
        note, "unchanged" for those whose result id the client has. With one: only the
        reports that differ from the client's (`known`, then updated), as partial results."""
        items: list[Json] = []
        reported: set[str] = set()
        turns = Turns()
        sent_at = time.perf_counter()
        indexing: list[Vault] = []
        failing: set[tuple[Path, str]] = set()
        for vault in list(self._workspace.vaults.values()):
            with vault.lock:
                if vault.state is not IndexState.READY:
                    # Reported when its run ends, which wakes held pulls and asks the client to
                    # pull again. Checked now, without the notes not read yet, each note would be
                    # checked twice, the first time slowing the run down (VS Code pulls at
                    # start-up).
                    indexing.append(vault)
                    continue
                run = vault.run
                paths = sorted({*vault.index.notes, *vault.index.file_problems})
            # A vault nested in this one reports its own notes: one report per file.
            nested = self._workspace.nested_roots(vault)
            if nested:
                paths = [relative for relative in paths if not under(relative, nested)]
            warm = WarmPass(self._warm, vault, run, paths)
            for position, relative in enumerate(paths):
                await warm.before(position)
                if not vault.ready_in(run):
                    # A run began during the pass (a setting that re-indexes): the rest waits
                    # for its end, as above, not checked against the new index half filled.
                    indexing.append(vault)
                    break
                if self._workspace.vaults.get(vault.root) is not vault:
                    break  # dropped during the pass: its notes are not the workspace's now
                uri = vault.open_docs.get(relative)
                document = self._workspace.documents.get(uri) if uri else None
                if document is not None and uri is not None:
                    self._flush_document(uri)  # its effects wait for the debounce, not lost
                uri = uri or note_uri(vault.root, relative)
                reported.add(uri)  # when its check fails too: the client keeps what it has
                version = document.version if document else None
                try:
                    report = self._report(vault, relative, uri, version, known, token is not None)
                except Exception:
                    # One note a rule cannot check must not hide the notes after it.
                    self._failed(vault, relative, failing)
                    report = None
                if report is not None and (token is None or report["kind"] == "full"):
                    items.append(report)
                if token is not None and items:
                    # By count, and by time: a pass re-checking thousands of notes after a
                    # bulk change (5 s at 10,000 notes) may find a few that changed.
                    now = time.perf_counter()
                    if len(items) == _PARTIAL_REPORTS or now - sent_at >= _PARTIAL_AFTER_S:
                        self._send(token, items, known)
                        items, sent_at = [], now
                await turns.take()
        # A note the client holds a report for and the vaults no longer know (deleted, renamed
        # away, now ignored): an empty report, or the client would keep its old findings. Those
        # of a vault being indexed keep theirs until its run ends.
        for uri in known.result_ids.keys() - reported:
            if not _in_any(uri, indexing):
                items.append({"uri": uri, "version": None, "kind": "full", "items": []})
        if token is not None and items:
            self._send(token, items, known)
        self._failing = failing
        return items

    def _report(
        self,
        vault: Vault,
        relative: str,
        uri: str,
        version: int | None,
        known: _ClientView,
        streamed: bool,
    ) -> Json:
        result_id, findings = self._workspace.findings_at(vault, relative)
        report: Json = {"uri": uri, "version": version, "resultId": result_id}
        if known.has(uri, result_id):
            report["kind"] = "unchanged"
            return report
        report["kind"] = "full"
        report["items"] = self._diagnostics(vault, relative, findings)
        if streamed and known.has_content(report):
            report["kind"] = "unchanged"
            del report["items"]
        return report

    def _failed(self, vault: Vault, relative: str, failing: set[tuple[Path, str]]) -> None:
        """Log why, once: every pass (each change the pull wakes up for) checks it again."""
        key = (vault.root, relative)
        if key not in self._failing and key not in failing:
            log.exception("workspace diagnostics: checking %s failed", relative)
        failing.add(key)

    def _send(self, token: types.ProgressToken, items: list[Json], known: _ClientView) -> None:
        self._notify(types.PROGRESS, {"token": token, "value": {"items": items}})
        # What the client holds from now on. Only once sent: a pass that fails midway must not
        # count the reports of its unsent batch as the client's.
        for item in items:
            known.sent(item)


def _in_any(uri: str, vaults: Sequence[Vault]) -> bool:
    """Is the file at `uri` in one of the vaults (as given, or resolved: vault roots are)?"""
    if not vaults:
        return False
    path = path_of_uri(uri)
    if path is None:
        return False
    return any(vault.contains(path) for vault in vaults) or any(
        vault.contains(resolved(path)) for vault in vaults
    )
