"""A workload run in a fresh interpreter and killed at a time bound.

For the tests that bound a slow path's time: a regression stops at the bound instead of running
for minutes, and a runaway one cannot eat the machine's memory. The child imports notels from
server/ and the tests' helpers (`vaults`) from tests/.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATHS = [str(ROOT / "server"), str(ROOT / "tests")]


def runs_within(code: str, seconds: float, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `code` (indented as written in a test) with `args` as its argv; fail when it takes
    more than `seconds` or raises. Returns the finished run, its output captured as text."""
    env_code = f"import sys; sys.path[:0] = {PATHS!r}\n" + textwrap.dedent(code)
    try:
        done = subprocess.run(
            [sys.executable, "-c", env_code, *args],
            capture_output=True,
            text=True,
            timeout=seconds,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running after {seconds} s")
    assert done.returncode == 0, done.stderr[-2000:]
    return done
