"""`fixable` against what `--fix` does when fixes interact: judged together, as `--fix` takes them."""

from __future__ import annotations

import json
from pathlib import Path

from vaults import run_check, write_vault


def test_two_start_trims_that_swallow_each_other_are_not_both_marked_fixable(
    tmp_path: Path,
) -> None:
    # Each `START ` trimmed alone makes one card; trimmed together the first swallows the
    # second, so --fix takes only the first (`_blocks_kept_whole`) and the second is then no
    # longer safe. `fixable` judged each alone and marks both.
    note = "TARGET DECK: a\n\nSTART \nSTART \nBasic\nFront: q\nBack: a\nEND\n"
    vault = write_vault(tmp_path, {"n.md": note})
    before = json.loads(run_check("--format", "json", "--exit-zero", ".", cwd=vault).stdout)
    marked = [(r["code"], r["line"]) for r in before if r["fixable"]]
    fixed = run_check("--fix", "--exit-zero", "-q", ".", cwd=vault)
    assert fixed.returncode == 0, fixed.stderr
    assert run_check("--diff", ".", cwd=vault).stdout == "", "--fix is done"
    after = json.loads(run_check("--format", "json", "--exit-zero", ".", cwd=vault).stdout)
    left = [r["code"] for r in after if r["code"] == "start-trailing-text"]
    marked_trims = [line for code, line in marked if code == "start-trailing-text"]
    # Was: both marked fixable, and one start-trailing-text was still there after --fix.
    assert len(marked_trims) <= 2 - len(left), (marked, left)
