"""Helpers that build small in-memory or on-disk vaults for tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from notels.config import Config
from notels.findings import Finding
from notels.rules import check_note
from notels.syntax.note import parse_note
from notels.vault.index import VaultIndex


def build_index(notes: Mapping[str, str], attachments: tuple[str, ...] = ()) -> VaultIndex:
    index = VaultIndex()
    for path, text in notes.items():
        index.set_note(path, parse_note(text))
    for attachment in attachments:
        index.add_attachment(attachment)
    return index


def findings_for(
    notes: Mapping[str, str],
    path: str,
    config: Config | None = None,
    attachments: tuple[str, ...] = (),
) -> list[Finding]:
    index = build_index(notes, attachments)
    return check_note(path, index.notes[path], index, config or Config())


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def write_vault(root: Path, files: Mapping[str, str | bytes]) -> Path:
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root


SERVER = Path(__file__).parents[1] / "server"


def run_check(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`notels check` run as a user runs it, its output decoded as UTF-8."""
    env = {**os.environ, "PYTHONPATH": str(SERVER), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "notels", "check", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def run_check_bytes(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[bytes]:
    """`notels check` run as a user runs it, with `env` on top of this environment; its output
    as bytes (reports whose encoding is the point)."""
    base = {**os.environ, "PYTHONPATH": str(SERVER), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "notels", "check", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        timeout=timeout,
    )


def cards_with_a_space_after_start(count: int, first_id: int = 1737306548883) -> str:
    """`count` cards each written `START ` (a template's trailing space): every one gets a
    `start-trailing-text` error whose fix, trimming the space, is safe."""
    return "".join(f"START \nBasic\nFront: q\nID: {first_id + i}\nEND\n" for i in range(count))
