"""The VS Code extension: type check, unit tests and packaging, then (opt-in) a real VS Code.

The end-to-end run installs code-server and Chromium once per machine (minutes, cached outside
the checkout), so it only runs with NOTELS_E2E_VSCODE=1; `.ci/run` sets it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXTENSION = Path(__file__).parents[2] / "editors" / "vscode"
NPM = shutil.which("npm")

needs_npm = pytest.mark.skipif(
    NPM is None and not os.environ.get("CI"), reason="npm is not installed"
)


def run(command: list[str], timeout: int, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(
        command,
        cwd=EXTENSION,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, (
        f"{' '.join(command)}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )


@needs_npm
@pytest.mark.timeout(900)
def test_extension_type_checks_passes_unit_tests_and_packages() -> None:
    assert NPM is not None, "npm is required in CI"
    run([NPM, "ci", "--no-audit", "--no-fund", "--loglevel=error"], timeout=600)
    run([NPM, "run", "lint"], timeout=300)
    run([NPM, "test"], timeout=300)
    for old in EXTENSION.glob("*.vsix"):
        old.unlink()
    run([NPM, "run", "package"], timeout=300)
    assert list(EXTENSION.glob("notels-*.vsix"))


@pytest.mark.skipif(os.environ.get("NOTELS_E2E_VSCODE") != "1", reason="set NOTELS_E2E_VSCODE=1")
@pytest.mark.timeout(1800)
def test_extension_in_a_real_vscode() -> None:
    """Problems shows missing-id for a note, and the quick fix writes an ID (code-server)."""
    run(
        ["bash", "scripts/e2e.sh"],
        timeout=1700,
        env={"NOTELS_E2E_PYTHON": sys.executable, "NOTELS_E2E_EXPECT_QUICKFIX": "1"},
    )
