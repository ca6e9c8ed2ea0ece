"""docs/rules.md, rendered from the rule registry so the docs and the code cannot drift."""

from __future__ import annotations

from collections.abc import Sequence

from notels.edits.fixes import SAFE_CODES
from notels.rules.base import Rule


def render_rules_markdown(rules: Sequence[Rule]) -> str:
    lines = [
        "# notels rules",
        "",
        "Generated from the rule registry (`tests/test_docs.py` keeps it in sync).",
        "Codes are stable: use them in `--select`, `--ignore` and the `[rules]` table of",
        "`.notels.toml`. Severities are defaults; set another one, or `off`, per code.",
        "",
        "| code | default severity | summary |",
        "| --- | --- | --- |",
    ]
    lines += [f"| [`{r.code}`](#{r.code}) | {r.severity.value} | {r.summary} |" for r in rules]
    for rule in rules:
        lines += ["", f"## {rule.code}", "", f"Default severity: **{rule.severity.value}**."]
        if rule.code in SAFE_CODES:
            lines.append("`--fix` fixes it where it safely can; the editor offers the fix too.")
        elif rule.fixable:
            lines.append("The editor offers a quick fix; `--fix` leaves it to you.")
        lines += ["", rule.summary, "", rule.explanation]
    return "\n".join(lines) + "\n"
