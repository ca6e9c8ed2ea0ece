"""`notels check --fix` gives no ID to a card without a note type: the plugin fails on such a
card, ID or not, and an unfinished card (`START` and `END` with nothing between, a template's
stub) is no card to number yet. The editor still offers the ID."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaults import run_check, write_vault

WORDS = "Some words of content here for the note body, enough to count as written.\n"


@pytest.mark.parametrize(
    "block",
    [
        "START\n\nEND\n",  # empty
        "START\nFront: q\nBack: a\nEND\n",  # a field line where the note type goes
    ],
)
def test_a_card_without_a_note_type_gets_no_id_from_fix(tmp_path: Path, block: str) -> None:
    text = WORDS + "TARGET DECK: d\n" + block
    vault = write_vault(tmp_path, {"a.md": text})
    done = run_check("--fix", "--exit-zero", cwd=vault)
    assert done.returncode == 0, done.stderr
    assert (vault / "a.md").read_text(encoding="utf-8") == text
    assert "missing-note-type" in done.stdout


def test_a_card_with_its_note_type_still_gets_one(tmp_path: Path) -> None:
    text = WORDS + "TARGET DECK: d\nSTART\nBasic\nFront: q\nEND\n"
    vault = write_vault(tmp_path, {"a.md": text})
    assert run_check("--fix", "--exit-zero", cwd=vault).returncode == 0
    assert "\nID: " in (vault / "a.md").read_text(encoding="utf-8")
