"""Review s33: a heading link notels writes (completion) must be one its own check accepts."""

from __future__ import annotations

import pytest
from featurekit import accept, complete_at, vault

from notels.vault.resolve import heading_key, link_heading_text
from vaults import findings_for

WORDS = "Enough words in this note to count as written content for every content rule here.\n"


@pytest.mark.parametrize("heading", ["x^2 rule", "Step:one", "A#B", "See [[Other]]s"])
def test_a_completed_heading_link_finds_its_heading(heading):
    """Obsidian matches heading links after stripHeading, in which each `#|^:[]` stands for a
    space (`A:B` is `A B`). The heading text that completion, renames and quick fixes write
    into a link must read the same way: dropping those characters (`x^2 rule` ->
    `[[N#x2 rule]]`) would have notels report the link it wrote itself."""
    notes = {"N.md": f"# {heading}\n", "Other.md": WORDS, "Draft.md": ""}
    plain, result = complete_at(vault(notes), "Draft.md", WORDS + "[[N#‸")
    [item] = [i for i in result.items if i.label == heading]
    text = accept(plain, item)
    found = findings_for({**notes, "Draft.md": text}, "Draft.md")
    assert [f.code for f in found if f.code == "unresolved-heading"] == []
    assert heading_key(link_heading_text(heading)) == heading_key(heading)
