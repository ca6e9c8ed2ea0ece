"""Review of the `--diff` file names (helper_review): defects found, kept as strict xfails.

Each test passes once the defect is fixed; until then pytest reports it as xfailed.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from test_check_edges import CARD, normalize_ids, patch_applies, run_check

from vaults import write_vault

FIXED = b"Text.\nSTART\nBasic\nFRONT: q\nID: NEW\nEND\n"


@pytest.mark.xfail(
    strict=True,
    reason="REVIEW DEFECT: checker._display_path takes `..x.md` for a path outside the working "
    "folder (relative.startswith('..')), so the diff names it from the root",
)
@pytest.mark.parametrize("name", ["..draft.md", "..archive/Note.md"])
def test_diff_of_a_note_whose_name_starts_with_two_dots_applies_in_the_working_folder(
    tmp_path: Path, name: str
) -> None:
    vault = write_vault(tmp_path / "vault", {name: CARD})
    diff = run_check("--diff", cwd=vault)
    assert diff.returncode == 1
    applied = patch_applies(diff.stdout, vault)
    assert applied.returncode == 0, (diff.stdout.decode(), applied.stdout.decode())
    assert normalize_ids((vault / name).read_bytes()) == FIXED


@pytest.mark.xfail(
    strict=True,
    reason="REVIEW DEFECT: fixer._diff_name writes a non-UTF-8 name's surrogates as `\\udcff` "
    'text; git writes the bytes C-quoted ("a/bad\\377.md"), which patch and git apply read',
)
@pytest.mark.parametrize("tool", ["patch", "git"])
def test_diff_of_a_note_whose_name_is_not_utf8_applies(tmp_path: Path, tool: str) -> None:
    vault = write_vault(tmp_path / tool, {})
    name = os.fsdecode(b"bad\xffname.md")
    (vault / name).write_text(CARD, encoding="utf-8")
    diff = run_check("--diff", cwd=vault)
    assert diff.returncode == 1
    if tool == "patch":
        applied = patch_applies(diff.stdout, vault)
    else:
        subprocess.run(["git", "init", "-q", "."], cwd=vault, check=True, capture_output=True)
        applied = subprocess.run(
            ["git", "apply", "-"], input=diff.stdout, cwd=vault, capture_output=True
        )
    assert applied.returncode == 0, (diff.stdout, applied.stdout, applied.stderr)
    assert normalize_ids((vault / name).read_bytes()) == FIXED
