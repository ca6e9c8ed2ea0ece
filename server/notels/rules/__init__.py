"""The rules, one module per family; importing this package registers them all."""

from notels.rules import (  # noqa: F401  (imported to register their rules)
    anki_blocks,
    anki_fields,
    anki_ids,
    content,
    files,
    frontmatter,
    links,
)
from notels.rules.base import REGISTRY, Rule
from notels.rules.engine import all_rules, check_note, known_codes, problem_findings

__all__ = ["REGISTRY", "Rule", "all_rules", "check_note", "known_codes", "problem_findings"]
