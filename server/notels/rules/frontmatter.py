"""Frontmatter: YAML that parses, and values in the dialect's formats."""

from __future__ import annotations

from collections.abc import Iterator

from notels.findings import Severity
from notels.rules.base import Draft, RuleContext, rule
from notels.syntax.spans import Span
from notels.vault.summary import created_text


@rule(
    "invalid-frontmatter",
    Severity.ERROR,
    "Frontmatter that is not valid YAML.",
    """
Obsidian shows a note with broken YAML frontmatter without its properties, and every key in it
(aliases, tags, links in `parent`) is lost to search and to notels. The message is the YAML
parser's own, at its position.
""",
)
def invalid_frontmatter(ctx: RuleContext) -> Iterator[Draft]:
    frontmatter = ctx.note.frontmatter
    if frontmatter is None or frontmatter.error is None:
        return
    offset = frontmatter.error.offset
    line = ctx.note.lines.line_span(offset)
    span = Span(offset, line.end) if offset < line.end else line
    yield Draft(span, f"Frontmatter is not valid YAML: {frontmatter.error.message}")


@rule(
    "unclosed-frontmatter",
    Severity.ERROR,
    "Frontmatter opened with --- and never closed.",
    """
Frontmatter starts with `---` on the first line and ends at the next line that is exactly `---`.
Without the closing line the whole note is read as frontmatter.
""",
)
def unclosed_frontmatter(ctx: RuleContext) -> Iterator[Draft]:
    frontmatter = ctx.note.frontmatter
    if frontmatter is None or frontmatter.closed:
        return
    yield Draft(
        ctx.note.lines.line_span(frontmatter.span.start),
        "Frontmatter has no closing --- line: the whole note is read as YAML.",
    )


@rule(
    "invalid-created",
    Severity.WARNING,
    "`created` is not a YYYY-MM-DD HH:MM (or YYYY-MM-DD) value.",
    """
The dialect records a note's creation time as `created: YYYY-MM-DD HH:MM` (or a date alone).
Other values break sorting and queries on it. The form Obsidian's Properties panel writes for a
"Date & time" property (`2025-01-19T23:46`, with seconds when typed so) is the same time, and
valid.
""",
)
def invalid_created(ctx: RuleContext) -> Iterator[Draft]:
    frontmatter = ctx.note.frontmatter
    if frontmatter is None:
        return
    entry = frontmatter.entry("created")
    if entry is None or not entry.scalars:
        return
    for scalar in entry.scalars:
        value = scalar.value.strip()
        if created_text(value):
            continue
        yield Draft(
            scalar.span,
            f"created {value!r} is not a valid date: write YYYY-MM-DD HH:MM (or YYYY-MM-DD).",
        )
