"""The edits the server proposes, at their edges: hostile text, encodings, pending edits.

Every test drives the real server. Edits are applied with LSP's own rules (lines end at `\\r\\n`,
`\\r` or `\\n` only; columns count code units of the negotiated encoding).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from edit_harness import edit_capabilities, edit_editor, position, span, text_edits
from lsp_harness import Editor, wait_until, write_files
from lsprotocol import types
from pygls.exceptions import JsonRpcException

_BREAK = re.compile(r"\r\n|\r|\n")


def _caps(**kwargs: Any) -> types.ClientCapabilities:
    base = edit_capabilities(
        document_changes=True,
        resource_operations=(
            types.ResourceOperationKind.Create,
            types.ResourceOperationKind.Rename,
        ),
    )
    result = base(**kwargs)
    assert result.text_document is not None
    result.text_document.completion = types.CompletionClientCapabilities(
        completion_item=types.ClientCompletionItemOptions(
            snippet_support=True, insert_replace_support=True, label_details_support=True
        )
    )
    return result


@asynccontextmanager
async def hunt_editor(
    root: Path, *, encodings: Sequence[str] | None = None, settings: dict[str, Any] | None = None
) -> AsyncIterator[tuple[Editor, list[types.WorkspaceEdit]]]:
    async with edit_editor(root, encodings=encodings, settings=settings, capabilities=_caps) as (
        session,
        applied,
    ):
        yield session, applied


def _units(char: str, encoding: str) -> int:
    if encoding == "utf-32":
        return 1
    if encoding == "utf-8":
        return len(char.encode("utf-8", "surrogatepass"))
    return 2 if ord(char) > 0xFFFF else 1


def lsp_offset(text: str, pos: types.Position, encoding: str = "utf-16") -> int:
    """A client's view: LSP line breaks only; a column past the line's end is its end."""
    starts = [0] + [m.end() for m in _BREAK.finditer(text)]
    if pos.line >= len(starts):
        return len(text)
    start = starts[pos.line]
    brk = _BREAK.search(text, start)
    end = brk.start() if brk else len(text)
    units, index = 0, start
    while index < end and units < pos.character:
        units += _units(text[index], encoding)
        index += 1
    assert units == pos.character or index == end, f"column {pos} splits a character"
    return index


def lsp_apply(text: str, edits: Sequence[tuple[types.Range, str]], encoding: str = "utf-16") -> str:
    spans = [
        (lsp_offset(text, r.start, encoding), lsp_offset(text, r.end, encoding), new)
        for r, new in edits
    ]
    spans.sort(key=lambda s: (s[0], s[1]))
    for (_, end_a, _), (start_b, _, _) in itertools.pairwise(spans):
        assert end_a <= start_b, f"overlapping edits: {spans}"
    for start, end, new in reversed(spans):
        text = text[:start] + new + text[end:]
    return text


def edits_by_uri(edit: types.WorkspaceEdit | None) -> dict[str, list[tuple[types.Range, str]]]:
    return text_edits(edit) if edit is not None else {}


def rel(vault: Path, uri: str) -> str:
    return Path(unquote(urlparse(uri).path)).relative_to(vault.resolve()).as_posix()


async def rename(session: Editor, uri: str, line: int, character: int, name: str) -> Any:
    return await session.client.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position(line, character),
            new_name=name,
        )
    )


async def prepare(session: Editor, uri: str, line: int, character: int) -> Any:
    return await session.client.text_document_prepare_rename_async(
        types.PrepareRenameParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position(line, character)
        )
    )


async def actions(
    session: Editor, uri: str, code: str | None, only: str | None = types.CodeActionKind.QuickFix
) -> list[types.CodeAction]:
    diagnostics = [d for d in session.diagnostics(uri) if d.code == code]
    where = diagnostics[0].range if diagnostics else span((0, 0), (0, 0))
    result = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=where,
            context=types.CodeActionContext(diagnostics=diagnostics, only=[only] if only else None),
        )
    )
    return [a for a in result or () if isinstance(a, types.CodeAction)]


async def complete(session: Editor, uri: str, line: int, character: int) -> list[Any]:
    result = await session.client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position(line, character)
        )
    )
    if result is None:
        return []
    return list(result.items if isinstance(result, types.CompletionList) else result)


def item_edits(item: types.CompletionItem, replace: bool = False) -> list[tuple[types.Range, str]]:
    edit = item.text_edit
    assert edit is not None
    if isinstance(edit, types.InsertReplaceEdit):
        where = edit.replace if replace else edit.insert
    else:
        where = edit.range
    extra = [(e.range, e.new_text) for e in item.additional_text_edits or ()]
    return [(where, edit.new_text), *extra]


# --------------------------------------------------------------------------------------------------
# Bugs


def _rename_file(edit: types.WorkspaceEdit) -> list[types.RenameFile]:
    return [c for c in edit.document_changes or () if isinstance(c, types.RenameFile)]


async def test_a_note_rename_edits_another_open_note_at_its_current_text(
    vault: Path,
) -> None:
    """A rename indexes every open note's pending edits first: its link edit in another open note lands on that note's current text."""
    write_files(vault, {"Тема.md": "# Тема\n", "A.md": "x [[Тема]]\n", "B.md": "y [[Тема]]\n"})
    # A long debounce only makes the timing certain; with the default 150 ms it is the same
    # whenever the rename follows a keystroke in A (an editor renaming right after a paste).
    async with hunt_editor(vault, settings={"debounce-ms": 3000}) as (session, _):
        a, b = session.open("A.md"), session.open("B.md")
        await wait_until(lambda: a in session.client.diagnostics)
        session.edit(a, (0, 0), (0, 0), "Новая строка 😀\n")  # typed in A, not yet parsed
        edit = await rename(session, b, 0, 5, "Другая")
    assert edit is not None
    after = lsp_apply("Новая строка 😀\nx [[Тема]]\n", edits_by_uri(edit)[a])
    assert after == "Новая строка 😀\nx [[Другая]]\n"


async def test_a_heading_rename_edits_the_open_target_note_at_its_current_text(
    vault: Path,
) -> None:
    """A heading rename from another note edits the open target note's current text, pending edits included."""
    write_files(vault, {"T.md": "# Итог\nтекст\n", "A.md": "см. [[T#Итог]]\n"})
    async with hunt_editor(vault, settings={"debounce-ms": 3000}) as (session, _):
        t, a = session.open("T.md"), session.open("A.md")
        await wait_until(lambda: t in session.client.diagnostics)
        session.edit(t, (0, 0), (0, 0), "Вступление 😀\n")
        edit = await rename(session, a, 0, 9, "Вывод")
    assert edit is not None
    after = lsp_apply("Вступление 😀\n# Итог\nтекст\n", edits_by_uri(edit)[t])
    assert after == "Вступление 😀\n# Вывод\nтекст\n"


async def test_the_start_snippet_uses_the_notes_line_breaks(vault: Path) -> None:
    """The START card snippet uses the note's line breaks: a CRLF note gets no mixed endings."""
    text = "TARGET DECK: d\r\nS\r\nтекст 😀\r\n"
    write_files(vault, {"A.md": text})
    async with hunt_editor(vault) as (session, _):
        a = session.open("A.md", text)
        items = [i for i in await complete(session, a, 1, 1) if i.label == "START"]
    assert items, "no START item"
    inserted = lsp_apply(text, item_edits(items[0]))
    assert "\n" not in inserted.replace("\r\n", ""), repr(inserted)


async def test_renaming_the_second_of_two_same_named_headings_leaves_the_links_alone(
    vault: Path,
) -> None:
    """Links `[[T#Итог]]` open the FIRST `Итог` heading: renaming the second one leaves them alone."""
    write_files(vault, {"T.md": "# Итог\nпервый\n## Итог\nвторой\n", "A.md": "см. [[T#Итог]]\n"})
    async with hunt_editor(vault) as (session, _):
        t = session.open("T.md")
        edit = await rename(session, t, 2, 4, "Вывод")  # on the second heading
    assert edit is not None
    assert session.uri("A.md") not in edits_by_uri(edit)  # the link still means the first one


async def test_renaming_a_note_to_a_namesakes_name_keeps_its_links_reaching_the_namesake(
    vault: Path,
) -> None:
    """Renaming root `Zeta` to `Тема` while `a/Тема.md` exists gives the bare `[[Тема]]` links meaning a/Тема its path."""
    write_files(
        vault,
        {"a/Тема.md": "# в папке\n", "Zeta.md": "# z\n", "B.md": "см. [[Тема]] и [[Zeta]]\n"},
    )
    async with hunt_editor(vault) as (session, _):
        b = session.open("B.md")
        edit = await rename(session, b, 0, 18, "Тема")
    assert edit is not None and _rename_file(edit)
    after = lsp_apply("см. [[Тема]] и [[Zeta]]\n", edits_by_uri(edit)[b])
    # Bare `Тема` now resolves to the root `Тема.md` (closest to the root): the first link must
    # name `a/Тема` to keep its meaning (or the rename must be refused).
    assert after == "см. [[a/Тема]] и [[Тема]]\n"


async def test_moving_a_note_keeps_its_own_relative_links_reaching_their_files(vault: Path) -> None:
    """Moving `sub/A.md` to `other/deep/` rewrites its own `[[./B]]` and `[[../C]]` links from the new folder."""
    write_files(
        vault,
        {
            "sub/A.md": "см. [[./B]] и [[../C]]\n",
            "sub/B.md": "b\n",
            "C.md": "c\n",
            "D.md": "[[sub/A]]\n",
        },
    )
    async with hunt_editor(vault) as (session, _):
        a = session.open("sub/A.md")
        await session.wait_for_codes(a, lambda codes: "unresolved-link" not in codes)
        edit = await session.client.workspace_will_rename_files_async(
            types.RenameFilesParams(
                files=[types.FileRename(old_uri=a, new_uri=session.uri("other/deep/A.md"))]
            )
        )
        # What the editor does next: apply the edits, move the file, tell the server.
        for uri, edits in edits_by_uri(edit).items():
            path = Path(unquote(urlparse(uri).path))
            path.write_bytes(lsp_apply(path.read_text("utf-8"), edits).encode())
        session.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=a))
        )
        (vault / "other/deep").mkdir(parents=True)
        session.rename("sub/A.md", "other/deep/A.md")
        moved = session.open("other/deep/A.md")
        codes = await session.wait_for_codes(moved, lambda codes: True)
    assert "unresolved-link" not in codes, (codes, (vault / "other/deep/A.md").read_text())


async def test_renaming_a_note_to_its_own_name_renames_no_file(
    vault: Path,
) -> None:
    """A rename to the unchanged name (F2, Enter) renames no file onto itself."""
    write_files(vault, {"Тема.md": "# Тема\n", "A.md": "x [[Тема]]\n"})
    async with hunt_editor(vault) as (session, _):
        a = session.open("A.md")
        edit = await rename(session, a, 0, 5, "Тема")
    renames = _rename_file(edit) if edit is not None else []
    assert all(r.old_uri != r.new_uri for r in renames), renames


async def test_renaming_a_note_to_an_attachments_name_is_refused(vault: Path) -> None:
    """Renaming note `Тема` to `pic.png` while `pic.png` is in the vault is refused: its links
    `[[pic.png]]` would open the image."""
    write_files(vault, {"Тема.md": "# Тема\n", "A.md": "x [[Тема]]\n", "pic.png": "x"})
    async with hunt_editor(vault) as (session, _):
        a = session.open("A.md")
        try:
            await rename(session, a, 0, 5, "pic.png")
        except JsonRpcException as error:
            assert "pic.png has that name" in str(error)
        else:
            raise AssertionError("the rename was not refused")
        assert await rename(session, a, 0, 5, "pic") is not None  # another name still works


# --------------------------------------------------------------------------------------------------
# Exact edits on hostile text

ENCODINGS = ("utf-8", "utf-16", "utf-32")
CARD_CR = (
    "𝔸 Заметка 😀 [[Нет]]\rTARGET DECK: d\rSTART\rBasic\rFRONT: 𝔸😀 й\u0306\rBACK: x\tz\rEND\r"
    "START\rBasic\rFRONT: два 😀"
)


async def test_guard_card_fixes_on_lone_cr_astral_text_are_exact_in_every_encoding(
    vault: Path,
) -> None:
    """ID insertion and END insertion keep lone-CR breaks and land exactly, in UTF-8/16/32."""
    for encoding in ENCODINGS:
        write_files(vault, {"A.md": CARD_CR})
        async with hunt_editor(vault, encodings=[encoding]) as (session, _):
            a = session.open("A.md", CARD_CR)
            await session.wait_for_codes(a, lambda c: "missing-id" in c and "unclosed-block" in c)
            (generate,) = await actions(session, a, "missing-id")
            (close,) = await actions(session, a, "unclosed-block")
        after = lsp_apply(CARD_CR, edits_by_uri(generate.edit)[a], encoding)
        assert re.sub(r"ID: \d{13}\r", "ID: N\r", after) == CARD_CR.replace(
            "z\rEND", "z\rID: N\rEND"
        )
        assert lsp_apply(CARD_CR, edits_by_uri(close.edit)[a], encoding) == CARD_CR + "\rEND"


async def test_guard_generate_ids_uses_editor_text_disk_changes_and_bom_files(vault: Path) -> None:
    """generateIds edits an open note's unsaved text, re-reads a note changed on disk, and skips a BOM."""
    open_text = "A 😀 𝔸\r\nSTART\r\nBasic\r\nFRONT: 𝔸 w\r\nEND\r\n"
    bom = "\ufeff𝔸\r\nSTART\r\nBasic\r\nFRONT: 😀\r\nEND"
    changed = "новая 😀 строка\nC\nSTART\nBasic\nFRONT: q\nEND\n"
    for encoding in ("utf-8", "utf-16"):
        write_files(vault, {"A.md": "A\n", "C.md": "C\nSTART\nBasic\nFRONT: q\nEND\n"})
        (vault / "B.md").write_bytes(bom.encode())
        async with hunt_editor(vault, encodings=[encoding]) as (session, applied):
            a = session.open("A.md", "A\n")
            session.edit(a, (0, 0), (1, 0), open_text)
            (vault / "C.md").write_bytes(changed.encode())  # no watcher event
            await session.client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="notels.generateIds", arguments=[])
            )
        texts = {"A.md": open_text, "B.md": bom[1:], "C.md": changed}
        (edit,) = applied
        for uri, edits in edits_by_uri(edit).items():
            name = rel(vault, uri)
            after = re.sub(r"ID: \d{13}", "ID: N", lsp_apply(texts[name], edits, encoding))
            eol = "\n" if name == "C.md" else "\r\n"
            assert after == texts[name].replace(f"{eol}END", f"{eol}ID: N{eol}END"), name
        assert sorted(rel(vault, u) for u in edits_by_uri(edit)) == ["A.md", "B.md", "C.md"]


async def test_guard_rename_with_crlf_bom_quotes_and_astral_text_in_every_encoding(
    vault: Path,
) -> None:
    """note and heading renames land exactly on CRLF/BOM/astral text and escape YAML quotes."""
    target = "\ufeff# Тема 😀 ##\r\nСм. [[#Тема 😀]] и [[#тема 😀#Раздел]].\r\n## Раздел\r\n"
    links = (
        "---\r\nparent: \"[[Тема#Тема 😀]]\"\r\nconnected: '[[Тема]]'\r\n---\r\n"
        "𝔸😀\t[[Тема#Раздел|x]] [[Тема.md]] [[./Тема]] ![[Тема#Тема 😀]]\r\n"
    )
    new = "Нов'\"ое 𝔹"
    for encoding in ENCODINGS:
        for stale in vault.glob("*.md"):
            stale.unlink()
        write_files(vault, {"L.md": links})
        (vault / "Тема.md").write_bytes(target.encode())
        async with hunt_editor(vault, encodings=[encoding]) as (session, _):
            linking = session.open("L.md", links)

            def column(line: int, code_points: int, encoding: str = encoding) -> int:
                return sum(_units(c, encoding) for c in _BREAK.split(links)[line][:code_points])

            note = await rename(session, linking, 4, column(4, 27), new)
            heading = await rename(session, linking, 1, column(1, 18), new)
        note_after = lsp_apply(links, edits_by_uri(note)[linking], encoding)
        assert note_after == (
            "---\r\nparent: \"[[Нов'\\\"ое 𝔹#Тема 😀]]\"\r\nconnected: '[[Нов''\"ое 𝔹]]'\r\n---\r\n"
            + links.splitlines(keepends=True)[4]
            .replace("Тема#Раздел", f"{new}#Раздел")
            .replace("[[Тема.md", f"[[{new}.md")
            .replace("./Тема", f"./{new}")
            .replace("![[Тема#", f"![[{new}#")
        )
        by_name = {rel(vault, u): e for u, e in edits_by_uri(heading).items()}
        assert lsp_apply(target[1:], by_name["Тема.md"], encoding) == (
            f"# {new} ##\r\nСм. [[#{new}]] и [[#{new}#Раздел]].\r\n## Раздел\r\n"
        )
        assert lsp_apply(links, by_name["L.md"], encoding) == links.replace(
            '"[[Тема#Тема 😀]]"', '"[[Тема#Нов\'\\"ое 𝔹]]"'
        ).replace("![[Тема#Тема 😀]]", f"![[Тема#{new}]]")


async def test_guard_bad_requests_get_an_error_or_nothing_and_the_server_lives(vault: Path) -> None:
    """unknown URIs, positions past the end, bad names and bogus diagnostics never kill the server."""
    write_files(vault, {"Тема.md": "# Тема\n", "A.md": "x [[Тема]] [[Нет]]\n# H\n"})
    async with hunt_editor(vault, encodings=["utf-8"]) as (session, _):
        a = session.open("A.md")
        for uri in (a, "untitled:Untitled-1", session.uri("nope.md"), "bogus"):
            for line, character in ((0, 1000), (1000, 0), (0, 2**31 - 1)):
                for call in (
                    prepare(session, uri, line, character),
                    rename(session, uri, line, character, ""),
                    rename(session, uri, line, character, "a/b"),
                    complete(session, uri, line, character),
                    session.client.text_document_code_action_async(
                        types.CodeActionParams(
                            text_document=types.TextDocumentIdentifier(uri=uri),
                            range=span((line, character), (line + 9, 0)),
                            context=types.CodeActionContext(
                                diagnostics=[
                                    types.Diagnostic(
                                        range=span((line, character), (line, character)),
                                        message="m",
                                        code="missing-id",
                                        source="notels",
                                    )
                                ]
                            ),
                        )
                    ),
                ):
                    try:
                        await call
                    except JsonRpcException as error:
                        assert error.code == types.LSPErrorCodes.RequestFailed.value
        for new_uri in ("bogus", session.uri("../Тема.md"), session.uri("A.md")):
            assert (
                await session.client.workspace_will_rename_files_async(
                    types.RenameFilesParams(
                        files=[types.FileRename(old_uri=session.uri("Тема.md"), new_uri=new_uri)]
                    )
                )
                is None
            )
        assert await prepare(session, a, 0, 4) == types.PrepareRenamePlaceholder(
            range=span((0, 4), (0, 12)), placeholder="Тема"
        )
