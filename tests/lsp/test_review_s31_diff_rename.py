"""Review s31 diff: heading renames that keep the heading's tags (c3a75a2)."""

from __future__ import annotations

from pathlib import Path

from edit_harness import edit_editor, rename_at, texts_after
from lsp_harness import write_files


async def test_renaming_a_heading_that_is_only_a_tag_glues_the_new_name_to_the_tag(
    vault: Path,
) -> None:
    """The client renames the heading `## #ml` (a heading holding just a tag; textDocument/rename
    on its `##`) to `Overview`. Renames now keep a heading's trailing tags: the heading should
    become `## Overview #ml`, the tag still a tag. The server inserts the name at the empty
    name's place, right before the tag with no space: `## Overview#ml`, where `#ml` is no tag
    any more (a tag needs a blank before it), so the note loses its tag, and links to the
    heading are rewritten to `[[N#Overviewml]]`."""
    write_files(vault, {"N.md": "# N\n## #ml\nText.\n", "L.md": "See [[N#ml]].\n"})
    async with edit_editor(vault) as (session, _):
        uri = session.open("N.md")
        edit = await rename_at(session, uri, 1, 1, "Overview")
    assert texts_after(vault, edit)["N.md"] == "# N\n## Overview #ml\nText.\n"
