"""A repository of notes without `.obsidian/` (many ignore it in git) or `.notels.toml`, checked
file by file as a pre-commit hook checks the files a commit changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SERVER = Path(__file__).parents[2] / "server"
ID = "1737306548883"
NOTES = {
    "maths/Ring.md": f"See [[Field]].\nTARGET DECK: d\nSTART\nBasic\nFRONT: q\nID: {ID}\nEND\n",
    "maths/Field.md": "A field.\n",
    # Copied from maths/Ring.md to start a new note, links and card ID along.
    "physics/Copy.md": f"See [[Field]].\nTARGET DECK: d\nSTART\nBasic\nFRONT: q\nID: {ID}\nEND\n",
}


def write_notes(root: Path) -> None:
    """The notes, and no mark of a vault."""
    for relative, text in NOTES.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")


def check_json(*paths: str, cwd: Path) -> list[dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-m", "notels", "check", "--format", "json", "--exit-zero", *paths],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(SERVER), "PYTHONIOENCODING": "utf-8"},
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    findings = json.loads(done.stdout)
    assert isinstance(findings, list)
    return findings


@pytest.mark.parametrize("git", ["folder", "file"])  # a worktree or submodule has a .git file
def test_a_changed_file_is_judged_against_the_whole_repository(tmp_path: Path, git: str) -> None:
    repository = tmp_path / "notes"
    write_notes(repository)
    if git == "folder":
        (repository / ".git").mkdir()
    else:
        (repository / ".git").write_text("gitdir: ../elsewhere\n", encoding="utf-8")

    findings = check_json("physics/Copy.md", cwd=repository)

    # The same as `notels check .` says of that note: its link resolves, its ID is a copy.
    whole = [f for f in check_json(".", cwd=repository) if f["path"] == "physics/Copy.md"]
    assert [f["code"] for f in findings] == ["duplicate-id"]
    assert findings == whole


def test_without_a_repository_a_lone_folder_is_its_own_vault(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    write_notes(folder)

    findings = check_json("physics/Copy.md", cwd=folder)

    assert [f["code"] for f in findings] == ["unresolved-link"]
