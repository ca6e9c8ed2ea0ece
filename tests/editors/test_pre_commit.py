"""The pre-commit hook this repository ships, run the way users run it: `pre-commit try-repo`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vaults import write_vault

REPO = Path(__file__).parents[2]
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which(
    "pre-commit"
)

pytestmark = pytest.mark.skipif(
    PRE_COMMIT is None and not os.environ.get("CI"), reason="pre-commit is not installed"
)


def git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.mark.timeout(600)
def test_hook_fails_on_a_broken_card_and_passes_once_fixed(tmp_path: Path) -> None:
    assert PRE_COMMIT is not None
    vault = write_vault(
        tmp_path / "vault",
        {"Note.md": "Some words.\n\nTARGET DECK: d\nSTART\nBasic\nFront: q\n"},
    )
    git("init", "-q", cwd=vault)
    git("add", ".", cwd=vault)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    command = [PRE_COMMIT, "try-repo", str(REPO), "notels-check", "--all-files"]
    broken = subprocess.run(
        command, cwd=vault, env=env, capture_output=True, text=True, timeout=500
    )
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "unclosed-block" in broken.stdout

    (vault / "Note.md").write_text(
        "Some words.\n\nTARGET DECK: d\nSTART\nBasic\nFront: q\nID: 1737306548883\nEND\n"
    )
    git("add", ".", cwd=vault)
    fixed = subprocess.run(command, cwd=vault, env=env, capture_output=True, text=True, timeout=500)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
