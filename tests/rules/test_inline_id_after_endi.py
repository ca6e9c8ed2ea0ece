"""An inline card's ID written after its `ENDI`: the plugin reads the ID inside `STARTI ... ENDI`
only (its inline pattern's text, where it writes an ID itself, just before `ENDI`), so it adds
such a card to Anki again as a new note, and the old one is never updated."""

from __future__ import annotations

import json
from pathlib import Path

from notels.config import Config
from notels.edits.fixes import fixes_for_finding
from notels.edits.ids import IdGenerator
from notels.edits.text_edit import apply_edits
from vaults import build_index, findings_for, run_check, write_vault

WORDS = "Enough words in this note to count as written content for every content rule here.\n"
AFTER = WORDS + "TARGET DECK: d\nКольцо 😀 STARTI [Basic] q :: a ENDI ID: 1737306548883\n"


def test_an_id_after_endi_is_reported_where_it_stands(tmp_path: Path) -> None:
    vault = write_vault(tmp_path, {"a.md": AFTER})
    records = json.loads(run_check("--format", "json", "--exit-zero", cwd=vault).stdout)
    assert [(r["code"], r["line"], r["column"]) for r in records] == [
        ("misplaced-id", 3, 37)
    ]  # in characters
    assert "before ENDI" in records[0]["message"]


def test_an_id_before_endi_is_the_plugins_own_place() -> None:
    inside = AFTER.replace("ENDI ID: 1737306548883", "ID: 1737306548883 ENDI")
    assert [f.code for f in findings_for({"a.md": inside}, "a.md")] == []


def test_the_fix_moves_the_id_before_endi() -> None:
    index = build_index({"a.md": AFTER})
    note = index.notes["a.md"]
    (finding,) = [f for f in findings_for({"a.md": AFTER}, "a.md") if f.code == "misplaced-id"]
    (fix,) = fixes_for_finding("a.md", note, index, Config(), finding, IdGenerator())
    assert fix.title == "Move the ID before ENDI"
    assert apply_edits(AFTER, fix.edits) == AFTER.replace(
        "ENDI ID: 1737306548883", "ID: 1737306548883 ENDI"
    )
