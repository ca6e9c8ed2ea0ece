"""Review s31, renames: what the edits of a rename (textDocument/rename, willRenameFiles) do to
the notes, byte for byte, through a real client session."""

from __future__ import annotations

from pathlib import Path

from edit_harness import edit_editor, rename_at, texts_after, will_rename
from lsp_harness import write_files


async def test_renaming_a_heading_that_ends_in_a_tag_keeps_the_tag(vault: Path) -> None:
    """The client renames the heading `## Intro #ml` (textDocument/rename on the heading line)
    to `Overview`. The tag `#ml` is not part of the heading's name (links name it `Intro ml`,
    the tag is one of the note's tags): the server should rename `Intro` and keep ` #ml`,
    giving `## Overview #ml`. It answers with an edit that replaces the whole `Intro #ml`
    with `Overview`: the note loses its tag `#ml`. Keeping it is impossible from the editor: the
    placeholder offered is `Intro #ml`, and a new name holding `#` is refused."""
    write_files(vault, {"N.md": "# N\n## Intro #ml\nText.\n", "L.md": "See [[N#Intro ml]].\n"})
    async with edit_editor(vault) as (session, _):
        uri = session.open("N.md")
        edit = await rename_at(session, uri, 1, 4, "Overview")
    assert texts_after(vault, edit) == {
        "N.md": "# N\n## Overview #ml\nText.\n",
        "L.md": "See [[N#Overview ml]].\n",  # still names the heading
    }


async def test_renaming_a_heading_that_carries_a_block_id_keeps_the_block_id(vault: Path) -> None:
    """The client renames the heading `## Intro ^intro` (textDocument/rename on the heading
    line) to `Overview`; another note links to the line by its block id, `[[N#^intro]]`.
    The server should keep the block id (`## Overview ^intro`), so the block link still
    resolves. It answers with an edit that replaces `Intro ^intro` with `Overview`: the block id
    is deleted and `[[N#^intro]]` is broken. A new name holding `^intro` is refused (`^` is not
    allowed), so the editor's user cannot keep it either."""
    write_files(vault, {"N.md": "# N\n## Intro ^intro\nText.\n", "L.md": "See [[N#^intro]].\n"})
    async with edit_editor(vault) as (session, _):
        uri = session.open("N.md")
        edit = await rename_at(session, uri, 1, 4, "Overview")
    assert texts_after(vault, edit)["N.md"] == "# N\n## Overview ^intro\nText.\n"


async def test_a_note_moved_to_a_name_ending_in_a_space_keeps_its_links_off_its_namesake(
    vault: Path,
) -> None:
    """The editor renames `A.md` to `B .md` (a space before `.md`) while `B.md` exists, and asks
    workspace/willRenameFiles first. A link's target is read trimmed, so `[[B ]]` opens `B.md`;
    the note `B .md` can be linked only with its `.md` (`[[B .md]]`, as completion writes it).
    The server should answer with links that still open the moved note: `[[B .md]]`,
    `[[B .md|x]]`, `[[B .md#h]]`, `![[B .md]]`. It answers `[[B ]]`, `[[B |x]]`, `[[B #h]]` and
    `![[B ]]`: every one of them now opens the other note, `B.md`."""
    write_files(
        vault,
        {
            "A.md": "# A\n## h\n",
            "B.md": "# B\n",
            "L.md": "Ссылки 😀 [[A]] [[A|x]] [[A.md]] [[A#h]] ![[A]]  \r\nend",
        },
    )
    async with edit_editor(vault) as (session, _):
        edit = await will_rename(session, "A.md", "B .md")
    assert edit is not None
    assert texts_after(vault, edit) == {
        "L.md": "Ссылки 😀 [[B .md]] [[B .md|x]] [[B .md]] [[B .md#h]] ![[B .md]]  \r\nend"
    }
