"""Renames at their edges, through a real client session: a new name that an unquoted YAML
value cannot hold, and files the editor moves to names no link can hold."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml
from edit_harness import apply_text_edits, edit_editor, position, text_edits
from lsp_harness import Editor, write_files
from lsprotocol import types
from pygls.exceptions import JsonRpcException


async def _rename(
    session: Editor, uri: str, line: int, character: int, name: str
) -> types.WorkspaceEdit | None:
    return await session.client.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position(line, character),
            new_name=name,
        )
    )


def _apply_on_disk(edit: types.WorkspaceEdit) -> None:
    """What the editor does with the text edits (the file rename itself is left out)."""
    for uri, edits in text_edits(edit).items():
        path = Path(unquote(urlparse(uri).path))
        path.write_bytes(apply_text_edits(path.read_text("utf-8"), edits).encode("utf-8"))


# A frontmatter value that holds a link in a plain (unquoted) YAML scalar, as Obsidian's text
# properties do: `source: see [[Note]]`. Obsidian reads links in every string value.
PLAIN = "---\nsource: см. [[Тема#Определение]]\nrel:\n  - см. [[Тема]]\n---\nТекст [[Тема]].\n"


@pytest.mark.parametrize(
    ("line", "character", "name"),
    [
        (1, 19, "Определение: ряд"),  # the heading `Определение`; colons are common in headings
        (3, 10, "Тема: ряд"),  # the note `Тема`
    ],
    ids=["heading", "note"],
)
async def test_a_rename_never_breaks_the_yaml_of_a_plain_frontmatter_value(
    vault: Path, line: int, character: int, name: str
) -> None:
    """`: ` inside a plain YAML scalar starts a mapping: `source: см. [[Тема#Определение: ряд]]`
    is no YAML any more, and the note's whole frontmatter (its links, tags, aliases) is lost.
    Was: the rename wrote it. It is refused with the reason, and nothing is written."""
    write_files(vault, {"Тема.md": "# Тема\n## Определение\n", "Ссылки.md": PLAIN})
    async with edit_editor(vault) as (session, applied):
        links = session.open("Ссылки.md")
        with pytest.raises(JsonRpcException, match="unquoted YAML value"):
            await _rename(session, links, line, character, name)
        # The same rename where the value is quoted goes through, escaped as YAML wants.
        quoted = PLAIN.replace("см. [[Тема#Определение]]", '"см. [[Тема#Определение]]"')
        quoted = quoted.replace("- см. [[Тема]]", "- 'см. [[Тема]]'")
        session.edit(links, (0, 0), (6, 0), quoted)
        (vault / "Ссылки.md").write_text(quoted, encoding="utf-8")  # and saved
        edit = await _rename(session, links, line, character + 1, name)
    assert edit is not None and not applied
    _apply_on_disk(edit)
    after = (vault / "Ссылки.md").read_text("utf-8")
    data = yaml.safe_load(after.split("---\n")[1])  # still YAML, the new name in its values
    assert name in f"{data['source']} {data['rel']}", after


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Тема.md", "Тема#1.md"),  # [[Тема#1]]: the heading `1` of a note `Тема` no more there
        ("Тема.md", "Тема|1.md"),  # [[Тема|1]]: a link to `Тема` showing `1`
        ("Тема.md", "Тема]].md"),  # [[Тема]]]]: stray brackets after the link
        ("Тема.md", "x[1].md"),
        ("Папка", "Папка#2"),  # [[Папка#2/Н]]: the note `Папка`, heading `2/Н`
    ],
)
async def test_the_editor_moving_a_file_to_a_name_no_link_can_hold_gets_no_link_rewrites(
    vault: Path, old: str, new: str
) -> None:
    """The editor renames a file to a name with `#`, `|`, `[` or `]` (textDocument/rename
    refuses such names: "links could not reach it"). willRenameFiles still rewrites every link
    to it with the new name spliced in, so each link now means something else (another note's
    heading, display text, broken brackets) instead of being left as written, to be reported
    as unresolved after the move. The original text is lost, too: renaming the file back can
    no longer bring the links back, as none of them names it any more."""
    text = '---\nparent: "[[Тема]]"\n---\n[[Тема]] [[Тема#Раздел|р]] [[Папка/Н]]\n'
    write_files(
        vault,
        {"Тема.md": "# Тема\n## Раздел\n", "Папка/Н.md": "н\n", "Ссылки.md": text},
    )
    async with edit_editor(vault) as (session, _):
        session.open("Ссылки.md")
        edit = await session.client.workspace_will_rename_files_async(
            types.RenameFilesParams(
                files=[
                    types.FileRename(old_uri=(vault / old).as_uri(), new_uri=(vault / new).as_uri())
                ]
            )
        )
    edits = text_edits(edit) if edit is not None else {}
    assert edits == {}, [(r.start, t) for es in edits.values() for r, t in es]
