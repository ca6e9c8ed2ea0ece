"""An internal error of `notels check` exits 2, as ruff's does: CI must not read a crash as
"findings" (1), and the user gets what broke on stderr."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from vaults import write_vault

SERVER = Path(__file__).parents[2] / "server"


def _check_failing_with(error: str, vault: Path) -> subprocess.CompletedProcess[str]:
    """`notels check` whose checker raises `error` (a bug, or a file error no rule expected)."""
    code = textwrap.dedent(
        f"""
        import sys
        import notels.checker
        import notels.cli

        def broken(*args, **kwargs):
            raise {error}

        notels.checker.check_paths = broken
        sys.exit(notels.cli.main(["check", "."]))
        """
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=vault,
        env={**os.environ, "PYTHONPATH": str(SERVER), "PYTHONIOENCODING": "utf-8"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_bug_exits_2_and_says_what_broke(tmp_path: Path) -> None:
    vault = write_vault(tmp_path, {"a.md": "Words.\n"})
    done = _check_failing_with("KeyError('boom')", vault)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "KeyError: 'boom'" in done.stderr
    assert "notels: internal error" in done.stderr


def test_a_files_own_os_error_exits_2_too(tmp_path: Path) -> None:
    vault = write_vault(tmp_path, {"a.md": "Words.\n"})
    done = _check_failing_with("PermissionError(13, 'Permission denied', 'a.md')", vault)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Permission denied" in done.stderr
