"""Fixtures of the language server tests; the client harness is in lsp_harness.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The randomized raw JSON-RPC client of benchmarks/bench_resilience.py serves the tests too.
BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.append(str(BENCHMARKS))


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """A vault folder whose own name needs percent-encoding in URIs."""
    return tmp_path / "Хранилище"
