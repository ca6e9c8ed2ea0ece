"""The worker's side of checking notes for the server (rules/in_workers.py), run in this
process: what it sends back for notes it can and cannot check."""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path

import pytest

from notels.config import Config
from notels.rules import check_note
from notels.rules.in_workers import FINDINGS_JOB, serve_findings
from notels.vault.loader import load_vault
from notels.vault.shipped import ship_index


def _frames(sink: io.BytesIO) -> list[list[tuple[str, object]]]:
    data, frames = sink.getvalue(), []
    while data:
        size = int.from_bytes(data[:4], "big")
        frames.append(pickle.loads(data[4 : 4 + size]))
        data = data[4 + size :]
    return frames


def _job(root: Path, batches: list[list[str]]) -> tuple[object, ...]:
    config = Config()
    index = load_vault(root, config, keep_notes=False)
    vault = pickle.dumps((str(root), config, ship_index(index)))
    return (FINDINGS_JOB, vault, batches)


def test_a_worker_sends_the_findings_the_server_would_find_and_leaves_out_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    niceness: list[int] = []
    monkeypatch.setattr(os, "nice", niceness.append)  # not this test process's
    root = tmp_path / "Хранилище"
    root.mkdir()
    (root / "Ссылки 😀.md").write_text("[[Нет]] [[Цель#Нет]]\r\n", encoding="utf-8")
    (root / "Цель.md").write_text("# Есть\n", encoding="utf-8")
    (root / "Потом.md").write_text("x\n", encoding="utf-8")
    job = _job(root, [["Ссылки 😀.md", "Цель.md"], ["Потом.md", "Удалённая.md"]])
    (root / "Потом.md").write_text("Изменена после индекса: [[Нет]]\n", encoding="utf-8")
    sink = io.BytesIO()
    serve_findings(job, sink)
    first, second = _frames(sink)
    assert niceness == [5]  # below the server
    index = load_vault(root, Config())
    expected = [
        (name, check_note(name, index.notes[name], index, Config()))
        for name in ("Ссылки 😀.md", "Цель.md")
    ]
    assert first == expected
    assert [f.code for f in expected[0][1] or []] == ["unresolved-link", "unresolved-heading"]
    # Changed on disk since the index was copied: the server must read it itself. Unknown: too.
    assert second == [("Потом.md", None), ("Удалённая.md", None)]


def test_a_worker_without_os_nice_checks_all_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows has no os.nice: the worker runs at the server's priority."""
    root = tmp_path / "v"
    root.mkdir()
    (root / "a.md").write_text("[[Нет]]\n", encoding="utf-8")
    job = _job(root, [["a.md"]])
    monkeypatch.delattr(os, "nice")
    sink = io.BytesIO()
    serve_findings(job, sink)
    ((relative, findings),) = _frames(sink)[0]
    assert relative == "a.md" and [f.code for f in findings or []] == ["unresolved-link"]
