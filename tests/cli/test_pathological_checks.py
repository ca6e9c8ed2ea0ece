"""`notels check` and `--fix` on pathological but plausible notes: time linear in their size.

The comments give what each took before (2 cores): a scan or a parse of the whole note per
finding. Each runs in a child process killed at a bound (tests/timed_run.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from timed_run import runs_within
from vaults import cards_with_a_space_after_start


def _vault(tmp_path: Path, text: str) -> Path:
    (tmp_path / ".obsidian").mkdir(parents=True, exist_ok=True)
    (tmp_path / "n.md").write_text(text, encoding="utf-8")
    return tmp_path


# --- `notels check` / `--fix`: start-trailing-text ------------------------------------------


def test_checking_many_starts_with_a_trailing_space_runs_in_linear_time(tmp_path: Path) -> None:
    # Was: start_trailing_text_fix scanned the whole note again for each finding, and a plain
    # `notels check` asked it for every finding to fill `fixable`: 1,000 cards (44 KB) 3.0 s,
    # 2,000 11.5 s, 3,000 about 26 s. All the trims are now tried in one scan.
    vault = _vault(tmp_path, cards_with_a_space_after_start(3_000))
    runs_within(
        """
        import sys
        from notels.cli import main
        assert main(["check", "--quiet", sys.argv[1]]) in (0, 1)
        """,
        8,
        str(vault),
    )


def test_fix_of_many_starts_with_a_trailing_space_runs_in_linear_time(tmp_path: Path) -> None:
    # Was: the same scan per finding in `--fix`: 500 cards 1.0 s, 1,000 3.4 s, 2,000 14.4 s
    # (the older linear-time test uses `START x`, whose fix is never safe: no scan).
    vault = _vault(tmp_path, cards_with_a_space_after_start(3_000))
    runs_within(
        """
        import sys
        from pathlib import Path
        from notels.cli import main
        assert main(["check", "--fix", "--quiet", sys.argv[1]]) in (0, 1)
        assert "START \\n" not in (Path(sys.argv[1]) / "n.md").read_text("utf-8")
        """,
        8,
        str(vault),
    )


# --- `notels check`: stale-fix-empty ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "---\ntags:\n" + "  - fix/empty\n  - t\n" * 1_500 + "---\n" + " слово" * 30 + "\n",
        "# Note\n\n" + "#fix/empty " * 4_000 + "\n",
    ],
    ids=["frontmatter-list", "body"],
)
def test_checking_many_stale_fix_empty_tags_runs_in_linear_time(tmp_path: Path, text: str) -> None:
    # Was: a plain `notels check` filled each finding's `fixable` with the per-tag fix, which
    # checks its removal with a parse of the whole note (YAML included). `--fix` took them
    # together already. `tags:` list: 1,000 pairs (13 KB) 9.2 s, 2,000 36 s, 4,000 137 s;
    # body: 1,000 tags 2.5 s, 4,000 (44 KB) 20 s.
    vault = _vault(tmp_path, text)
    runs_within(
        """
        import sys
        from notels.cli import main
        assert main(["check", "--quiet", sys.argv[1]]) in (0, 1)
        """,
        8,
        str(vault),
    )
