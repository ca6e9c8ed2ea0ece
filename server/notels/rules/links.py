"""Links and embeds, in the body and in frontmatter values."""

from __future__ import annotations

from collections.abc import Iterator

from notels.findings import Related, Severity
from notels.rules.base import MAX_RELATED, Draft, RuleContext, rule
from notels.syntax.model import Link
from notels.syntax.spans import Span
from notels.vault.index import note_has_block
from notels.vault.resolve import Resolution, ResolutionKind


def _target_span(link: Link) -> Span:
    return link.target_span if link.target_span.start < link.target_span.end else link.span


@rule(
    "unresolved-link",
    Severity.WARNING,
    "A link or embed whose target is not in the vault.",
    """
No note (by file name, path or alias) or attachment matches the link's target. Create the note,
or fix the name.
""",
    fixable=True,
    vault_wide=True,
)
def unresolved_link(ctx: RuleContext) -> Iterator[Draft]:
    for link, resolution in ctx.resolved_links():
        if resolution.kind is ResolutionKind.UNRESOLVED:
            kind = "file" if link.embed else "note"
            yield Draft(
                _target_span(link),
                f"No {kind} named {link.target!r} in the vault. Create it or fix the name.",
            )


@rule(
    "ambiguous-link",
    Severity.HINT,
    "A bare link whose name matches several notes.",
    """
Two or more notes share the link's name in different folders. Obsidian opens the one closest to
the vault root (then the shortest path); notels resolves it the same way. Write the path
(`[[folder/Note]]`) to choose explicitly.
""",
    fixable=True,
    vault_wide=True,
)
def ambiguous_link(ctx: RuleContext) -> Iterator[Draft]:
    for link, resolution in ctx.resolved_links():
        if resolution.kind is not ResolutionKind.AMBIGUOUS:
            continue
        chosen, count = resolution.paths[0], len(resolution.paths)
        message = (
            f"{link.target!r} is an alias of {count} notes; the link opens {chosen} (closest to "
            "the vault root). Link the note by its name to choose."
            if resolution.via_alias
            else f"{link.target!r} matches {count} notes; Obsidian opens {chosen} (closest to "
            "the vault root). Write the path to choose."
        )
        yield Draft(
            _target_span(link),
            message,
            related=tuple(
                Related(path, Span(0, 0), "Candidate") for path in resolution.paths[:MAX_RELATED]
            ),
        )


def _linked_path(ctx: RuleContext, resolution: Resolution) -> str | None:
    """The note a link reaches (this note for `[[#H]]`), or None when it reaches none."""
    if resolution.kind is ResolutionKind.SELF:
        return ctx.path
    if resolution.kind in (ResolutionKind.NOTE, ResolutionKind.AMBIGUOUS) and resolution.path:
        return resolution.path
    return None


@rule(
    "unresolved-heading",
    Severity.WARNING,
    "A link to a heading the target note does not have.",
    """
`[[Note#Heading]]` names a heading that the target note does not contain (headings match
as in Obsidian: ignoring case, emphasis and punctuation, so `[[Note#Why not]]` finds
`# Why not?`). It was probably renamed.
""",
    vault_wide=True,
)
def unresolved_heading(ctx: RuleContext) -> Iterator[Draft]:
    for link, resolution in ctx.resolved_links():
        if link.heading is None or link.heading_span is None or not link.heading:
            continue
        target = _linked_path(ctx, resolution)
        if target is None:
            continue
        # This note's own headings come from its live text, any other's from the index.
        if target == ctx.path:
            found = ctx.has_own_heading(link.heading)
        else:
            found = ctx.index.has_heading(target, link.heading)
        if not found:
            where = "this note" if target == ctx.path else repr(link.target)
            yield Draft(link.heading_span, f"No heading {link.heading!r} in {where}.")


@rule(
    "unresolved-block",
    Severity.WARNING,
    "A link to a block id the target note does not have.",
    """
`[[Note#^id]]` names a block id (a line ending in ` ^id`) that the target note does not contain.
""",
    vault_wide=True,
)
def unresolved_block(ctx: RuleContext) -> Iterator[Draft]:
    for link, resolution in ctx.resolved_links():
        if link.block_ref is None or link.block_span is None or not link.block_ref:
            continue
        target = _linked_path(ctx, resolution)
        if target is None:
            continue
        if target == ctx.path:
            found = note_has_block(ctx.note, link.block_ref)
        else:
            found = ctx.index.has_block(target, link.block_ref)
        if not found:
            where = "this note" if target == ctx.path else repr(link.target)
            yield Draft(link.block_span, f"No block ^{link.block_ref} in {where}.")
