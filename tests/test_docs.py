"""The rules reference in docs/ is generated from the registry and must stay in sync."""

from __future__ import annotations

import os
from pathlib import Path

from notels.report.rules_doc import render_rules_markdown
from notels.rules import all_rules

DOC = Path(__file__).parents[1] / "docs" / "rules.md"
README = Path(__file__).parents[1] / "README.md"


def test_rules_doc_is_up_to_date() -> None:
    rendered = render_rules_markdown(all_rules())
    if os.environ.get("NOTELS_UPDATE_GOLDEN"):
        DOC.write_text(rendered, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == rendered


def test_readme_lists_every_rule_code() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [rule.code for rule in all_rules() if f"`{rule.code}`" not in readme]
    assert not missing
