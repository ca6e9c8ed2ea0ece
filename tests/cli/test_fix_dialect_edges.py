"""`--fix` on dialect edges: the fixed block must be read by the plugin as the writer meant."""

from __future__ import annotations

import json
from pathlib import Path

from vaults import run_check, write_vault

WORDS = "Enough words in this note to count as written content for every content rule here.\n"


def test_fix_does_not_close_an_unclosed_card_below_the_next_cards_start(tmp_path: Path) -> None:
    """DIALECT.md §4: the block ends at the first END line, and `START ` is no block start.
    The first card lacks its END; the second is written `START ` (a template's trailing space,
    reported as start-trailing-text). `--fix` added END at the end of the note: one block from
    the first START over the second card, which the plugin syncs as one card with FRONT "a\\nc"
    and BACK "b\\n\\nSTART \\nBasic\\nd", and then gave that merged card a new ID."""
    note = (
        WORDS + "TARGET DECK: a::b\n"
        "START\nBasic\nFRONT: a\nBACK: b\n\n"
        "START \nBasic\nFRONT: c\nBACK: d\n"
    )
    vault = write_vault(tmp_path, {"n.md": note})
    before = json.loads(run_check("--format", "json", "--exit-zero", ".", cwd=vault).stdout)
    assert "start-trailing-text" in [r["code"] for r in before]  # notels sees the second card
    fixed = run_check("--fix", "--exit-zero", "-q", ".", cwd=vault)
    assert fixed.returncode == 0, fixed.stderr
    after = (vault / "n.md").read_text(encoding="utf-8")
    first_end = after.find("\nEND")
    second_start = after.find("START \n")
    assert first_end == -1 or first_end < second_start, after
