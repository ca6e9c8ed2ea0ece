"""Review s33: link, tag and frontmatter findings against what Obsidian itself does."""

from __future__ import annotations

from vaults import findings_for

WORDS = "Enough words in this note to count as written content for every content rule here.\n"


def _only(code, notes, path="a.md"):
    return [f for f in findings_for(notes, path) if f.code == code]


def _heading_findings(links, heading):
    text = WORDS + "".join(f"[[N#{link}]]\n" for link in links)
    notes = {"a.md": text, "N.md": f"# {heading}\n"}
    return [f.span.slice(text) for f in _only("unresolved-heading", notes)]


def test_a_heading_link_without_the_headings_punctuation_opens_it():
    """Obsidian matches a link's heading to a heading after stripHeading on both sides: the
    characters ``!"#$%&()*+,.:;<=>?@^`{|}~/[]\\`` become spaces, runs of spaces one, ends
    trimmed (its source's regex, quoted in mgmeyers/obsidian-copy-block-link#15). So
    `[[N#Can I link to a heading that ends with a question mark]]` opens the heading that ends
    with `?` (Obsidian 1.5.5, ipshing/obsidian-broken-links#1), and `[[N#C basics]]` opens
    `C++ basics`. notels strips only emphasis and `#|^:%[]`, and reports them all."""
    assert _heading_findings(["Вопрос", "Вопрос?"], "Вопрос?") == []
    assert _heading_findings(["C basics", "C++ basics"], "C++ basics") == []
    assert _heading_findings(["Why (not) now", "Why not now!"], "Why (not) now?") == []
    assert _heading_findings(["a b", "a, b"], "a, b") == []


def test_heading_punctuation_stands_for_a_space_not_for_nothing():
    """stripHeading replaces each of those characters by a space: `A:B` and `A/B` are `A B` to
    Obsidian. notels deletes them, so `[[N#A B]]` finds no heading `A:B` while `[[N#AB]]`,
    which Obsidian does not open, passes."""
    assert _heading_findings(["A B"], "A:B") == []
    assert _heading_findings(["x y"], "x/y") == []
    assert _heading_findings(["AB"], "A:B") == ["AB"]
