"""Obsidian Canvas boards (`.canvas`, JSON) show files by their vault path (`"file":
"ML/Note.md"` in a file node): a file moved or renamed in the editor is followed there too, as
Obsidian itself does. Only the path string changes, written as Obsidian writes it."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from notels.edits.text_edit import TextEdit
from notels.syntax.spans import Span

CANVAS_SUFFIX = ".canvas"

# A "file" key and its string value. Inside another string a quote is escaped (`\"file\"`),
# so the key cannot be matched there.
_FILE_VALUE = re.compile(r'"file"\s*:\s*"((?:[^"\\\n]|\\.)*)"')


def canvas_move_edits(text: str, moves: Mapping[str, str]) -> list[TextEdit]:
    """Edits of a board's text giving each file node whose file `moves` moves (old vault path
    -> new) its new path."""
    edits: list[TextEdit] = []
    for match in _FILE_VALUE.finditer(text):
        try:
            path = json.loads(f'"{match.group(1)}"')
        except ValueError:
            continue
        new = moves.get(path)
        if new is None or new == path:
            continue
        # As JSON.stringify writes it: characters as they are, quotes and controls escaped.
        written = json.dumps(new, ensure_ascii=False)[1:-1]
        edits.append(TextEdit(Span(match.start(1), match.end(1)), written))
    return edits
