"""The bundled examples/vault is the README's demo: every rule must fire there at least once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from notels.rules import known_codes

REPO = Path(__file__).parents[2]


def test_every_rule_fires_in_the_example_vault() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "notels", "check", "--format", "json", "examples/vault"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO / "server")},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    fired = {record["code"] for record in json.loads(result.stdout)}
    assert fired == known_codes()
