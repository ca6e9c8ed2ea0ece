"""Fixtures of the language server tests; the client harness is in lsp_harness.py."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """A vault folder whose own name needs percent-encoding in URIs."""
    return tmp_path / "Хранилище"
