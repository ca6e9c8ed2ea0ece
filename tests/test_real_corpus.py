"""Measurement on the real notes in ../shared/corpus/real (beside the checkout), when present.

The notes are other people's: they are read in place, never copied into this repository.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).parents[2] / "shared" / "corpus" / "real"
SERVER = Path(__file__).parents[1] / "server"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="no ../shared/corpus/real here")


@pytest.fixture(scope="module")
def records() -> list[dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": str(SERVER)}
    result = subprocess.run(
        [sys.executable, "-m", "notels", "check", "--format", "json", str(CORPUS)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
    )
    assert result.returncode in (0, 1), result.stderr
    return list(json.loads(result.stdout))


def findings(records: list[dict[str, object]], code: str) -> list[tuple[str, str]]:
    return [(Path(str(r["path"])).name, str(r["message"])) for r in records if r["code"] == code]


def test_reports_the_known_real_defects(records: list[dict[str, object]]) -> None:
    assert [name for name, _ in findings(records, "missing-id")] == ["Self-preference bias.md"]
    assert [name for name, _ in findings(records, "stale-fix-empty")] == ["Embeddings.md"]
    unknown = findings(records, "unknown-field")
    assert {name for name, _ in unknown} == {"One-hot Encoding.md"}
    assert sorted(message.split()[0] for _, message in unknown) == ["DESCRIPTION", "TITLE"]
    assert ("Self-preference bias.md", "Marked for work: #фикс/анки") in findings(
        records, "fix-tag"
    )


def test_repeated_same_deck_and_real_syntax_are_not_errors(
    records: list[dict[str, object]],
) -> None:
    assert not findings(records, "shadowed-target-deck")
    assert [r for r in records if r["severity"] == "error"] == []


def test_every_unresolved_link_names_a_missing_file(records: list[dict[str, object]]) -> None:
    present = {path.stem.lower() for path in CORPUS.iterdir()} | {
        path.name.lower() for path in CORPUS.iterdir()
    }
    unresolved = findings(records, "unresolved-link")
    assert unresolved
    for _, message in unresolved:
        target = message.split("'")[1]
        assert target.lower() not in present, message
