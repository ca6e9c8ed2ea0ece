"""Canvas boards follow moved files: only the path strings of file nodes change."""

from __future__ import annotations

import copy
import json

from notels.edits.canvas import canvas_move_edits
from notels.edits.text_edit import apply_edits

QUOTED = 'img/a "quoted".png'
BOARD = {
    "nodes": [
        {"id": "a", "type": "file", "file": "ML/Градиент 😀.md", "x": 0, "y": 0},
        {"id": "b", "type": "file", "file": "ML/Other.md", "subpath": "#Part"},
        {"id": "c", "type": "text", "text": 'Says "file": "ML/Градиент 😀.md" in words'},
        {"id": "d", "type": "file", "file": QUOTED},
    ],
    "edges": [],
}


def _text(board: object) -> str:
    return json.dumps(board, indent="\t", ensure_ascii=False)  # as Obsidian writes a board


def test_file_nodes_follow_moves_and_nothing_else_changes() -> None:
    moves = {
        "ML/Градиент 😀.md": "Оптимизация/Градиент 😀.md",
        QUOTED: 'img/b "quoted".png',
        "ML/Unshown.md": "ML/Shown.md",
    }
    edits = canvas_move_edits(_text(BOARD), moves)
    expected = copy.deepcopy(BOARD)
    expected["nodes"][0]["file"] = "Оптимизация/Градиент 😀.md"  # type: ignore[index]
    expected["nodes"][3]["file"] = 'img/b "quoted".png'  # type: ignore[index]
    # Byte for byte what Obsidian would write: the text node's words and all else stay.
    assert apply_edits(_text(BOARD), edits) == _text(expected)
    assert len(edits) == 2


def test_a_board_that_is_no_json_or_names_nothing_moved_gets_no_edits() -> None:
    assert canvas_move_edits("", {"a.md": "b.md"}) == []
    assert canvas_move_edits('{"file": "a.md"', {"x.md": "y.md"}) == []
    assert canvas_move_edits('{"file": "bad \\u12"}', {"bad \\u12": "x"}) == []
