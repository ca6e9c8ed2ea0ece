"""Review s30: the editor features under hostile text, through real LSP sessions. Each test is a
defect found, failing on the code it was written against."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from edit_harness import apply_text_edits, edit_editor
from lsp_harness import SERVER_DIR, write_files
from lsprotocol import types
from test_completion import _complete, _first, completion_editor
from test_navigation_requests import navigation_editor

# --- lone CR line ends (README: "notels treats CRLF and lone-CR line endings like LF") --------

_LINES = [f"строка {n} 😀" for n in range(40)]


async def test_the_hover_preview_of_a_note_with_lone_cr_line_ends_is_cut_as_any_other(
    vault: Path,
) -> None:
    """Defect: a hover over a link previews the note's first 20 lines and ends with `…` when it
    goes on (features/outline._excerpt). The lines are found with `text.find("\\n")`, so a note
    whose lines end in a lone CR is one line to it: the hover shows the whole note (every one of
    its 4,000 lines, for a long one), without the `…`; the same note with LF or CRLF line ends
    is cut at 20 lines."""
    write_files(
        vault,
        {
            "Unix.md": "# Заметка\n" + "".join(f"{line}\n" for line in _LINES),
            "Mac.md": "# Заметка\r" + "".join(f"{line}\r" for line in _LINES),
            "a.md": "[[Unix]] [[Mac]]\n",
        },
    )
    async with navigation_editor(vault) as session:
        uri = session.open("a.md")
        unix = await session.hover(uri, 0, 3)
        mac = await session.hover(uri, 0, 12)

    assert unix is not None and isinstance(unix.contents, types.MarkupContent)
    assert mac is not None and isinstance(mac.contents, types.MarkupContent)
    unix_shown = unix.contents.value.split("\n")
    mac_shown = mac.contents.value.split("\n")
    assert unix_shown[-1] == "…"  # cut, as it should be
    assert mac_shown[1:] == unix_shown[1:], (len(mac_shown), mac_shown[-3:])


async def test_a_note_with_lone_cr_line_ends_is_described_by_its_first_line_in_completion(
    vault: Path,
) -> None:
    """Defect: a link completion item shows the note's first line as its description
    (vault/summary.first_line, kept in the index). Lines are split at `\\n` only, so for a note
    whose lines end in a lone CR the "first line" is the whole note up to the length limit, CR
    characters and all: `# Заголовок\\rВторая строка\\rТретья`, where the same note with CRLF
    line ends is described as `# Заголовок`."""
    write_files(
        vault,
        {
            "Mac.md": "# Заголовок\rВторая строка\rТретья\r",
            "Win.md": "# Заголовок\r\nВторая строка\r\nТретья\r\n",
        },
    )
    async with completion_editor(vault, insert_replace=False) as session:
        uri = session.open("Черновик.md", "[[")
        result = await _complete(session, uri, 0, 2)

    described = {
        item.label: item.label_details.description if item.label_details else None
        for item in result.items
    }
    assert described["Win"] == "# Заголовок"
    assert described["Mac"] == "# Заголовок", described["Mac"]


# --- link completion in a multi-line YAML value -----------------------------------------------


async def test_a_link_completed_on_a_line_of_a_yaml_block_scalar_gets_no_quotes(
    vault: Path,
) -> None:
    """Defect: a link completed in the frontmatter is quoted when it stands unquoted at the
    start of a YAML value (`parent: [[Emb` -> `parent: "[[Embeddings]]"`), since YAML would
    read `[[...]]` as a nested list (features/context._closing). Whether the link starts a
    value is judged from its own line only: a line of a block scalar (`description: |`, `>`)
    that starts with the link looks like one. There the quotes are text: the description
    reads `"[[Embeddings]]" shows how` after the completion, quote characters included
    (Obsidian, YAML and notels itself all read them as part of the value)."""
    description = "---\ndescription: |\n  [[Emb shows how\n  vectors work.\n---\nТекст.\n"
    write_files(vault, {"Embeddings.md": "# Embeddings\n", "Черновик.md": description})
    async with completion_editor(vault, insert_replace=False) as session:
        uri = session.open("Черновик.md")
        item = _first(await _complete(session, uri, 2, 7))

    assert isinstance(item.text_edit, types.TextEdit)
    edits = [(item.text_edit.range, item.text_edit.new_text)]
    edits += [(e.range, e.new_text) for e in item.additional_text_edits or ()]
    assert apply_text_edits(description, edits) == (
        "---\ndescription: |\n  [[Embeddings]] shows how\n  vectors work.\n---\nТекст.\n"
    )


async def test_a_link_completed_in_a_multi_line_quoted_yaml_value_keeps_the_yaml_valid(
    vault: Path,
) -> None:
    """Defect (same cause as above, worse effect): in a double-quoted value that goes on over
    several lines, a link typed at the start of a continuation line gets an opening `"` of its
    own. That quote ends the value early: the frontmatter no longer parses (invalid-frontmatter,
    and Obsidian drops every property of the note, its tags and aliases too)."""
    text = '---\naliases: [Черн]\nsummary: "See the note\n  [[Emb for more"\n---\nТекст.\n'
    write_files(vault, {"Embeddings.md": "# Embeddings\n", "Черновик.md": text})
    async with completion_editor(vault, insert_replace=False) as session:
        uri = session.open("Черновик.md")
        item = _first(await _complete(session, uri, 3, 7))
        assert isinstance(item.text_edit, types.TextEdit)
        edits = [(item.text_edit.range, item.text_edit.new_text)]
        edits += [(e.range, e.new_text) for e in item.additional_text_edits or ()]
        completed = apply_text_edits(text, edits)
        session.edit(uri, (0, 0), (6, 0), completed)
        codes = await session.wait_for_codes(uri, lambda codes: True)

    assert completed == (
        '---\naliases: [Черн]\nsummary: "See the note\n  [[Embeddings]] for more"\n---\nТекст.\n'
    )
    assert "invalid-frontmatter" not in codes


# --- "Fix all safe notels problems" against `notels check --fix` -----------------------------

_NEW_CARD = (
    "Граница 😀 между классами.\r\n\r\nTARGET DECK: ml\r\n"
    "START\r\nBasic\r\nFRONT: Что такое SVM? 😀\r\nBACK: Метод опорных векторов\r\nEND\r\n"
    "START\r\nBasic\r\nFRONT: Что такое ядро?\r\nBACK: Скалярное произведение"
)


def _ids_hidden(text: str) -> str:
    return re.sub(r"ID: \d{13}", "ID: <id>", text)


async def test_fix_all_in_the_editor_makes_what_check_fix_makes(
    vault: Path, tmp_path: Path
) -> None:
    """Defect: README and editors/vscode/README.md: "Fix all safe notels problems" (kind
    `source.fixAll.notels`, for fix-on-save) applies to a note "what `notels check --fix`
    would". The code action takes one pass of `safe_fix_list`, whose docstring says a pass
    may reveal more (an added END makes a card that needs an ID) and that the *fixer* repeats
    until nothing changes. So for a card just typed at the end of a note (no END yet) the
    editor's fix-all adds END and leaves the card without an ID, while `--fix` (and a second
    save) gives it one: a save with fix-on-save leaves a `missing-id` warning behind."""
    write_files(vault, {"SVM.md": _NEW_CARD})
    copy = tmp_path / "copy"
    shutil.copytree(vault, copy)
    subprocess.run(
        [sys.executable, "-m", "notels", "check", str(copy), "--fix", "--exit-zero", "--quiet"],
        check=True,
        capture_output=True,
        env={"PYTHONPATH": str(SERVER_DIR), "NOTELS_CACHE_DIR": "off", "PATH": ""},
        timeout=20,
    )
    fixed_by_cli = (copy / "SVM.md").read_bytes().decode("utf-8")

    async with edit_editor(vault) as (session, _):
        uri = session.open("SVM.md", _NEW_CARD)
        await session.wait_for_codes(uri, lambda codes: "unclosed-block" in codes)
        result = await session.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=types.Range(
                    start=types.Position(line=0, character=0),
                    end=types.Position(line=0, character=0),
                ),
                context=types.CodeActionContext(diagnostics=[], only=["source.fixAll.notels"]),
            )
        )
    (fix_all,) = [a for a in result or () if isinstance(a, types.CodeAction)]
    assert fix_all.edit is not None
    (change,) = fix_all.edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit)
    fixed_in_editor = apply_text_edits(_NEW_CARD, [(e.range, e.new_text) for e in change.edits])

    assert fixed_by_cli.count("ID: ") == 2  # both cards get an ID, the second its END too
    assert _ids_hidden(fixed_in_editor) == _ids_hidden(fixed_by_cli), repr(fixed_in_editor)


# --- a table inside a callout -----------------------------------------------------------------


async def test_an_alias_completed_in_a_table_inside_a_callout_escapes_its_pipe(
    vault: Path,
) -> None:
    """Defect: an alias item writes `[[Note|alias]]`, and `[[Note\\|alias]]` in a table row,
    where a bare `|` would end the cell (syntax/wikilinks.display_pipe; Obsidian escapes it
    there too). A row is recognised only when the line itself starts with `|`: the rows of a
    table inside a callout or quote (`> | ... |`, the usual way to put a table in a callout)
    get the bare pipe, which splits the cell in two and shifts the rest of the row."""
    text = "> [!info] Термины\n> | Термин | Смысл |\n> | --- | --- |\n> | [[Эмб | вектор 😀 |\n"
    write_files(vault, {"Embeddings.md": "---\naliases: [Эмбеддинги]\n---\n# E\n"})
    async with completion_editor(vault, insert_replace=False) as session:
        uri = session.open("Таблица.md", text)
        item = _first(await _complete(session, uri, 3, 9))  # `> | [[Эмб‸`

    assert item.label == "Эмбеддинги"
    assert isinstance(item.text_edit, types.TextEdit)
    edits = [(item.text_edit.range, item.text_edit.new_text)]
    assert apply_text_edits(text, edits).splitlines()[3] == (
        "> | [[Embeddings\\|Эмбеддинги]] | вектор 😀 |"
    )


# --- CRLF after a query block -----------------------------------------------------------------

_QUERY_NOTE = [
    "```dataview",
    "LIST FROM #ml",
    "```",
    "Эмбеддинги 😀 переводят слова в плотные векторы: близкие по смыслу слова получают "
    "близкие векторы, а расстояние между ними измеряют косинусом. Так модель видит сходство "
    "слов, которого не видно в разреженном кодировании.",
    "",
]


async def test_a_crlf_note_with_a_query_block_is_judged_as_the_same_note_with_lf(
    vault: Path,
) -> None:
    """Defect: README: "notels treats CRLF and lone-CR line endings like LF". The words of a
    note are counted without the blocks of Dataview-like queries (rules/content._QUERY_BLOCK),
    a block running to its closing fence, found with `^```[ \\t]*$` in MULTILINE mode. `$`
    matches only before `\\n`, so in a CRLF note the closing fence line (`` ```\\r\\n ``) is not
    one: the "query" runs to the end of the note and every word after it is left out. The
    editor then shows the note with real content as empty (empty-note), and a finished note
    still tagged fix/empty is not reported as stale: what the LF copy gets is missing."""
    plain_lf = "\n".join(_QUERY_NOTE)
    tagged_lf = "---\ntags: [fix/empty]\n---\n" + plain_lf
    write_files(vault, {"Other.md": "# Other\n"})
    async with edit_editor(vault) as (session, _):
        uris = {
            (name, eol): session.open(f"{name} {len(eol)}.md", text.replace("\n", eol))
            for name, text in (("plain", plain_lf), ("tagged", tagged_lf))
            for eol in ("\n", "\r\n")
        }
        codes = {
            key: await session.wait_for_codes(uri, lambda codes: True) for key, uri in uris.items()
        }

    assert codes[("plain", "\n")] == []
    assert codes[("tagged", "\n")] == ["fix-tag", "stale-fix-empty"]
    assert codes[("plain", "\r\n")] == codes[("plain", "\n")]
    assert codes[("tagged", "\r\n")] == codes[("tagged", "\n")]
