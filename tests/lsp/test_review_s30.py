"""Review s30: what a rename applied by Neovim makes the server do.

Neovim 0.11 applies a rename's WorkspaceEdit by loading every note it names into a buffer and
attaching the server to each: one didOpen per note linking to the renamed one, each with the
new link already in its text (Neovim attaches after the edit). Renaming a note 300 notes of the
2,000-note benchmark vault link to (a hub made for the review), every didOpen re-checked and
re-published the open notes linking to the note opened: 2,075 publishDiagnostics (22.5 MB of
JSON, one note 209 times) for 300 notes, 2.7 s of the server's CPU and 2.5 s of Neovim's
after the edit was applied. With only the notes whose findings can change re-checked, 615
(1.3 MB) and 0.55 s, Neovim's 0.47 s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from lsp_harness import editor, wait_until, write_files
from lsprotocol import types


async def test_a_note_opened_with_other_links_rechecks_no_note_linking_to_it(
    vault: Path,
) -> None:
    # Other notes see a note through its name, aliases, headings, block IDs and cards, never
    # through the links it holds itself. Was: opening (or editing) a note whose text differs
    # from the disk only in the notes it links to re-checked and re-published every open note
    # linking to it; a hub (a map of content) linking to all of a rename's notes was published
    # again for each of them.
    linking = {
        f"Note {n}.md": f"# Note {n}\nPart of [[Hub]], about [[Target]].\n" for n in range(5)
    }
    hub = "# Hub\n" + "".join(f"- [[Note {n}]]\n" for n in range(5)) + "- [[Target]]\n"
    write_files(vault, {"Hub.md": hub, "Target.md": "# Target\n", "Renamed.md": "# R\n", **linking})
    async with editor(vault) as session:
        hub_uri = session.open("Hub.md")
        await wait_until(lambda: hub_uri in session.client.diagnostics)
        await asyncio.sleep(0.5)
        published: list[str] = []

        class Recording(dict[str, Sequence[types.Diagnostic]]):
            def __setitem__(self, uri: str, diagnostics: Sequence[types.Diagnostic]) -> None:
                published.append(uri)
                super().__setitem__(uri, diagnostics)

        session.client.diagnostics = Recording(session.client.diagnostics)
        # As Neovim opens the notes a rename edited: the link to the renamed note rewritten.
        opened = [
            session.open(name, text.replace("[[Target]]", "[[Renamed]]"))
            for name, text in linking.items()
        ]
        await wait_until(lambda: set(opened) <= set(published))
        await asyncio.sleep(0.5)
        assert published.count(hub_uri) == 0, (
            f"the hub, linking to each note opened, was published {published.count(hub_uri)} "
            "times though none of what it sees of them changed"
        )
