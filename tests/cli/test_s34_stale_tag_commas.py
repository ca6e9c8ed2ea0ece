"""`--fix` takes a stale `#fix/empty` out of a comma-separated list of tags with its comma."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaults import run_check, write_vault

BODY = "Слова 😀 настоящей заметки, " * 12 + "enough to be written.\n"


@pytest.mark.parametrize(
    ("line", "fixed"),
    [
        ("Tags: #fix/empty, #algebra", "Tags: #algebra"),
        ("#algebra, #fix/empty", "#algebra"),
        ("#algebra, #fix/empty, #топология", "#algebra, #топология"),
        ("#fix/empty #algebra", "#algebra"),
    ],
)
def test_a_stale_tag_leaves_no_stray_comma(tmp_path: Path, line: str, fixed: str) -> None:
    vault = write_vault(tmp_path, {"a.md": f"{line}\n\n{BODY}"})
    done = run_check("--fix", "--exit-zero", cwd=vault)
    assert done.returncode == 0, done.stderr
    # Was: `Tags:, #algebra` and `#algebra,`.
    assert (vault / "a.md").read_text(encoding="utf-8") == f"{fixed}\n\n{BODY}"
