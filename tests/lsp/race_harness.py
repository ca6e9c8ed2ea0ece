"""A session whose server's background work waits at gates the test opens (race_gate/).

`gated_editor` starts the real server with race_gate/sitecustomize.py on its path: while
`<gate>/hold-index` exists, the indexing run stops before its first note (nothing read from
disk is in the index yet); `hold-read` does the same to background re-reads of notes changed on
disk. The session does not wait for the startup index: the test says when it may finish.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import lsp_harness
from lsp_harness import Editor, editor, wait_until
from lsprotocol import types

GATE_DIR = Path(__file__).resolve().parent / "race_gate"
_Answer = TypeVar("_Answer")


class Gate:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def hold(self, stage: str) -> None:
        (self.folder / f"hold-{stage}").touch()

    def open(self, stage: str) -> None:
        (self.folder / f"hold-{stage}").unlink(missing_ok=True)

    def reached(self, stage: str) -> list[str]:
        log = self.folder / "reached"
        if not log.exists():
            return []
        lines = log.read_text(encoding="utf-8").splitlines()
        return [line.split(" ", 1)[1] for line in lines if line.startswith(f"{stage} ")]

    async def answer_after(self, stage: str, request: Awaitable[_Answer]) -> _Answer:
        """The answer to `request`, which must wait while `stage` is held (it is still
        unanswered 0.3 s after it was sent); the stage is then let go."""
        asked = asyncio.ensure_future(request)
        await asyncio.sleep(0.3)
        assert not asked.done(), "answered while the gate held the server's work"
        self.open(stage)
        return await asked

    async def wait_reached(self, stage: str, count: int = 1) -> None:
        await wait_until(lambda: len(self.reached(stage)) >= count)

    def env(self) -> dict[str, str]:
        return {
            "NOTELS_TEST_GATE": str(self.folder),
            "NOTELS_INDEX_PROCESSES": "0",  # summaries in the server's threads, where the gate is
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(GATE_DIR), os.environ.get("PYTHONPATH")])
            ),
        }


@asynccontextmanager
async def gated_editor(
    root: Path,
    gate: Gate,
    *,
    pull: bool = False,
    settings: dict[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    capabilities: Any = None,
) -> AsyncIterator[Editor]:
    """An editor whose server stops at the gate; `capabilities` (e.g.
    edit_harness.RENAME_CAPABILITIES) replace lsp_harness.capabilities for this client."""
    plain = lsp_harness.capabilities
    if capabilities is not None:
        lsp_harness.capabilities = capabilities
    try:
        async with editor(
            root,
            pull=pull,
            settings=settings,
            env={**gate.env(), **(env or {})},
            wait_for_index=False,
        ) as session:
            lsp_harness.capabilities = plain
            yield session
    finally:
        lsp_harness.capabilities = plain


@asynccontextmanager
async def indexed_then_held(root: Path, gate: Gate) -> AsyncIterator[Editor]:
    """A pull editor whose first indexing run is done and whose next run stops at the gate
    (open again on leaving). No index cache: that run reads every note, through the gate."""
    async with gated_editor(root, gate, pull=True, env={"NOTELS_CACHE_DIR": "off"}) as session:
        await wait_until(lambda: lsp_harness.index_finished(session.client), timeout=30)
        gate.hold("index")
        try:
            yield session
        finally:
            gate.open("index")


async def reindex(session: Editor, gate: Gate, notes: int) -> None:
    """Change a setting that re-indexes the vault (`ignore`) of an `indexed_then_held`
    session; return once the new run waits at the gate, its index still empty."""
    session.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"notels": {"ignore": ["Нет/**"]}})
    )
    await gate.wait_reached("index", notes + 1)
