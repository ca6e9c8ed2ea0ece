"""The environment the benchmarks start notels in: the source tree, run as an installed package.

pip byte-compiles a package it installs, so an editor starts notels from bytecode. Run from the
source tree, Python compiles each module on first import and keeps the bytecode beside it;
where PYTHONDONTWRITEBYTECODE is set (this machine sets it) it compiles every module again on
every launch, about 0.2 s of each start. The benchmarks keep the bytecode in a folder of their
own instead, made once before anything is timed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SERVER_DIR = HERE.parent / "server"
BYTECODE = HERE / ".bytecode"


def server_environment(**extra: str) -> dict[str, str]:
    """os.environ for a notels process (and the worker processes it starts), plus `extra`."""
    env = {**os.environ, "PYTHONPATH": str(SERVER_DIR), "PYTHONPYCACHEPREFIX": str(BYTECODE)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


def compile_server() -> None:
    """Write the bytecode of notels and what it imports, as an install would."""
    modules = "notels.lsp.server, notels.checker, notels.worker, notels.cli"
    subprocess.run(
        [sys.executable, "-c", f"import {modules}"], env=server_environment(), check=True
    )
