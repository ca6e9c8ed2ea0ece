"""What counts as a note's content: comments, and what only looks like one."""

from __future__ import annotations

from vaults import findings_for

PROSE = (
    "Gradient descent minimises the loss by stepping against the gradient, one batch at a time; "
    "the learning rate sets the step, and a schedule lowers it as training goes on. "
) * 3


def _codes(text: str) -> list[str]:
    return [f.code for f in findings_for({"a.md": text}, "a.md")]


def test_percent_percent_in_code_is_no_comment_hiding_the_rest_of_the_note() -> None:
    """content_words skips Obsidian `%%` comments, "an unclosed one runs to the end". But
    `%%` inside a fenced code block or a code span is code (a Jupyter cell magic `%%timeit`,
    R's `%%` modulo), not a comment: Obsidian shows everything after it. Was: the finished note
    below kept its stale fix/empty tag without a word."""
    for code in (
        "```python\n%%timeit\nmodel.fit(X, y)\n```\n",
        "In Jupyter, `%%timeit` times a whole cell.\n",
        "```r\nx %% 2\n```\n",
    ):
        text = "---\ntags: [fix/empty]\n---\n# Timing\n" + code + PROSE + "\n"
        assert "stale-fix-empty" in _codes(text), code
