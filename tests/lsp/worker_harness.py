"""Servers whose worker processes check notes for whole-vault passes, with the test hooks of
worker_hooks/sitecustomize.py (hold, die, raise-<note>)."""

from __future__ import annotations

import os
from pathlib import Path

WORKER_HOOKS = Path(__file__).resolve().parent / "worker_hooks"


def with_workers(hooks: Path, *hook_files: str) -> dict[str, str]:
    """A server's environment: two workers whatever the vault's size (one per batch of 96
    notes, at most), with the hooks, and these files in their folder."""
    hooks.mkdir(parents=True, exist_ok=True)
    for name in hook_files:
        (hooks / name).touch()
    return {
        "NOTELS_INDEX_PROCESSES": "2",
        "NOTELS_TEST_WORKERS": str(hooks),
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(WORKER_HOOKS), os.environ.get("PYTHONPATH")])
        ),
    }


def workers_ran(hooks: Path) -> int:
    """Workers started on notes to check, so far."""
    return len(list(hooks.glob("checked-*")))
