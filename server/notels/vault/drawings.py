"""Excalidraw drawings: notes whose text elements may read START and END, and hold no card.

Excalidraw writes each text element of a drawing as lines of Markdown (` ^id` after the last),
so a flowchart's boxes read `START ^a1b2c3`, or a lone `START`, and a drawing that explains
the card format holds a real card's lines, ID and all. The plugin's users leave drawings out
of its scan (its ignored-files globs), and no card is ever written there: notels reads no
cards in them either (no card rules, no IDs, no duplicates of the real card).
"""

from __future__ import annotations

from notels.syntax.model import Frontmatter

DRAWING_SUFFIX = ".excalidraw.md"
# What Excalidraw writes in a drawing's frontmatter; a drawing saved as a plain `.md` (its
# setting `useExcalidrawExtension: false`) is known by it alone.
DRAWING_KEY = "excalidraw-plugin"


def holds_cards(relative: str, frontmatter: Frontmatter | None = None) -> bool:
    """Does the sync plugin read cards in the note at `relative` (whose frontmatter, when
    given, says whether Excalidraw wrote it)?"""
    return not relative.lower().endswith(DRAWING_SUFFIX) and not is_drawing(frontmatter)


def is_drawing(frontmatter: Frontmatter | None) -> bool:
    """As Excalidraw tells (isExcalidrawFile): the key holds a true value. Cleared in
    Obsidian's Properties view (`excalidraw-plugin:`), the note opens as Markdown, and the sync
    plugin reads its cards; so does a note whose YAML Obsidian cannot read."""
    data = frontmatter.data if frontmatter is not None else None
    return isinstance(data, dict) and bool(data.get(DRAWING_KEY))
