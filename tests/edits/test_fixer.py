"""Fixing files on disk: exact bytes, atomic writes, and never over a file that changed."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from edit_helpers import NOW

from notels.config import Config
from notels.edits.ids import IdGenerator
from notels.fixer import FixMode, FixOutcome, fix_vault, unified_diff
from notels.vault.index import VaultIndex
from notels.vault.loader import load_vault
from vaults import write_vault

CARD = "START\nBasic\nFRONT: Вопрос 🎉\nEND\n"
FIXED = f"START\nBasic\nFRONT: Вопрос 🎉\nID: {NOW}\nEND\n"


def fix(
    root: Path, mode: FixMode = FixMode.APPLY, **kwargs: object
) -> tuple[FixOutcome, VaultIndex]:
    index = load_vault(root, Config())
    relatives = sorted(index.notes)
    generator = IdGenerator(now_ms=lambda: NOW)
    outcome = fix_vault(
        root,
        index,
        Config(),
        relatives,
        mode,
        generator,
        created_ns=lambda _: None,
        **kwargs,  # type: ignore[arg-type]
    )
    return outcome, index


def test_a_fixed_file_keeps_bom_crlf_mode_and_every_other_byte(tmp_path: Path) -> None:
    original = "\ufeff" + CARD.replace("\n", "\r\n") + "хвост без перевода строки"
    write_vault(tmp_path, {"Заметка.md": original.encode("utf-8")})
    note = tmp_path / "Заметка.md"
    note.chmod(0o640)
    outcome, index = fix(tmp_path)
    assert outcome.problems_fixed == 1
    expected = "\ufeff" + FIXED.replace("\n", "\r\n") + "хвост без перевода строки"
    assert note.read_bytes() == expected.encode("utf-8")
    assert stat.S_IMODE(note.stat().st_mode) == 0o640
    assert index.notes["Заметка.md"].text == expected.removeprefix("\ufeff")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".obsidian", "Заметка.md"]


def test_a_file_changed_between_read_and_replace_is_not_written(tmp_path: Path) -> None:
    write_vault(tmp_path, {"a.md": CARD})
    path = tmp_path / "a.md"

    def editor_saves(target: Path) -> None:
        target.write_text(CARD + "new words\n", encoding="utf-8")

    outcome, index = fix(tmp_path, before_replace=editor_saves)
    assert outcome.written == []
    assert [(r.display, r.reason) for r in outcome.refused] == [
        ("a.md", "changed on disk since it was read: not fixed, run again")
    ]
    assert path.read_text(encoding="utf-8") == CARD + "new words\n"
    assert index.notes["a.md"].text == CARD  # findings stay those of what was checked
    assert sorted(p.name for p in tmp_path.iterdir()) == [".obsidian", "a.md"]


def test_a_same_size_rewrite_is_caught_by_the_hash(tmp_path: Path) -> None:
    write_vault(tmp_path, {"a.md": CARD})

    def same_size_same_mtime(target: Path) -> None:
        info = target.stat()
        target.write_bytes(target.read_bytes().replace(b"Basic", b"Basik"))
        os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))

    outcome, _ = fix(tmp_path, before_replace=same_size_same_mtime)
    assert outcome.written == [] and len(outcome.refused) == 1
    assert b"Basik" in (tmp_path / "a.md").read_bytes()


def test_a_file_changed_after_indexing_is_not_fixed(tmp_path: Path) -> None:
    write_vault(tmp_path, {"a.md": CARD})
    index = load_vault(tmp_path, Config())
    (tmp_path / "a.md").write_text(CARD + "x\n", encoding="utf-8")
    outcome = fix_vault(tmp_path, index, Config(), ["a.md"], FixMode.APPLY)
    assert [r.reason for r in outcome.refused] == ["changed on disk while it was being checked"]
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == CARD + "x\n"


def test_invalid_utf8_is_never_written(tmp_path: Path) -> None:
    data = CARD.encode("utf-8") + b"\xff\xfe broken\n"
    write_vault(tmp_path, {"a.md": data})
    outcome, _ = fix(tmp_path)
    assert outcome.written == []
    assert [r.reason for r in outcome.refused] == ["not valid UTF-8: never rewritten"]
    assert (tmp_path / "a.md").read_bytes() == data


def test_diff_mode_writes_nothing_and_restores_the_index(tmp_path: Path) -> None:
    write_vault(tmp_path, {"a.md": CARD.removesuffix("\n")})
    outcome, index = fix(tmp_path, FixMode.DIFF)
    assert outcome.written == [] and len(outcome.changes) == 1
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == CARD.removesuffix("\n")
    assert index.notes["a.md"].text == CARD.removesuffix("\n")
    assert unified_diff(outcome.changes[0]) == (
        "--- a/a.md\n+++ b/a.md\n@@ -1,4 +1,5 @@\n START\n Basic\n FRONT: Вопрос 🎉\n"
        f"+ID: {NOW}\n END\n\\ No newline at end of file\n"
    )


def test_passes_repeat_until_nothing_changes(tmp_path: Path) -> None:
    # START with a trailing space -> a card -> it needs an ID; unclosed -> END -> an ID too.
    write_vault(tmp_path, {"a.md": "START \nBasic\nFRONT: a\nEND\nSTART\nBasic\nFRONT: b\n"})
    outcome, _ = fix(tmp_path)
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == (
        f"START\nBasic\nFRONT: a\nID: {NOW}\nEND\nSTART\nBasic\nFRONT: b\nID: {NOW + 1}\nEND\n"
    )
    assert outcome.problems_fixed == 4
    again, _ = fix(tmp_path)
    assert again.changes == [] and again.refused == []


def test_the_newer_copy_gets_the_new_id_and_the_original_keeps_its_id(tmp_path: Path) -> None:
    text = "START\nBasic\nFRONT: q\nID: 1737306548883\nEND\n"
    write_vault(tmp_path, {"a.md": text, "b.md": text})
    fix(tmp_path)
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == text
    assert (tmp_path / "b.md").read_text(encoding="utf-8") == text.replace(
        "1737306548883", str(NOW)
    )


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_note_with_a_symlink_to_it_is_fixed_once_under_its_own_path(tmp_path: Path) -> None:
    write_vault(tmp_path, {"b.md": CARD})
    try:
        (tmp_path / "a.md").symlink_to(tmp_path / "b.md")
    except OSError:
        pytest.skip("symlinks not permitted here")
    outcome, _ = fix(tmp_path)
    assert [change.relative for change in outcome.written] == ["b.md"]
    assert outcome.refused == []
    assert (tmp_path / "a.md").is_symlink()
    assert (tmp_path / "b.md").read_text(encoding="utf-8") == FIXED
    # The card is not a duplicate of itself: a second run leaves its ID alone.
    again, _ = fix(tmp_path)
    assert again.changes == []
    assert (tmp_path / "b.md").read_text(encoding="utf-8") == FIXED


def test_many_new_ids_in_one_run_are_distinct_and_new(tmp_path: Path) -> None:
    existing = [str(NOW + k) for k in range(0, 400, 2)]
    cards = "".join(f"START\nBasic\nFRONT: {k}\nEND\n" for k in range(100))
    old = "".join(f"START\nBasic\nFRONT: o\nID: {value}\nEND\n" for value in existing)
    write_vault(tmp_path, {f"n{k}.md": cards for k in range(3)} | {"old.md": old})
    fix(tmp_path)
    written = "".join((tmp_path / f"n{k}.md").read_text(encoding="utf-8") for k in range(3))
    ids = re.findall(r"^ID: (\d+)$", written, re.MULTILINE)
    assert len(ids) == 300 == len(set(ids))
    assert not set(ids) & set(existing)
