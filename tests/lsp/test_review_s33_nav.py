"""Review s33: navigation and completion as an editor user meets them, through real sessions.

Each test is a defect a user of the server saw; its docstring says what they saw.
"""

from __future__ import annotations

from pathlib import Path

from edit_harness import position
from lsp_harness import Editor, document, write_files
from lsprotocol import types
from test_completion import completion_editor
from test_navigation_requests import _uri, navigation_editor


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _at(text: str, needle: str, after: int = 0) -> types.Position:
    """The UTF-16 position `after` characters into the only occurrence of `needle`."""
    offset = text.index(needle)
    assert text.find(needle, offset + 1) == -1, f"{needle!r} occurs twice"
    offset += after
    line_start = text.rfind("\n", 0, offset) + 1
    return position(text.count("\n", 0, offset), _units(text[line_start:offset]))


def _range(text: str, needle: str) -> types.Range:
    start = _at(text, needle)
    return types.Range(start=start, end=position(start.line, start.character + _units(needle)))


def _applied(text: str, item: types.CompletionItem, *, replace: bool) -> str:
    """The text after the client applies `item`, in its insert or its replace mode."""
    edit = item.text_edit
    assert edit is not None
    if isinstance(edit, types.InsertReplaceEdit):
        ranges = [(edit.replace if replace else edit.insert, edit.new_text)]
    else:
        ranges = [(edit.range, edit.new_text)]
    ranges += [(extra.range, extra.new_text) for extra in item.additional_text_edits or ()]
    lines = text.split("\n")

    def offset(at: types.Position) -> int:
        line = lines[at.line]
        units = 0
        for index, char in enumerate(line):
            if units >= at.character:
                return sum(len(x) + 1 for x in lines[: at.line]) + index
            units += _units(char)
        return sum(len(x) + 1 for x in lines[: at.line]) + len(line)

    for found, new_text in sorted(ranges, key=lambda pair: offset(pair[0].start), reverse=True):
        text = text[: offset(found.start)] + new_text + text[offset(found.end) :]
    return text


async def _complete(session: Editor, uri: str, at: types.Position) -> list[types.CompletionItem]:
    result = await session.client.text_document_completion_async(
        types.CompletionParams(text_document=document(uri), position=at)
    )
    return list(result.items if isinstance(result, types.CompletionList) else result or ())


def _filtered_from(text: str, item: types.CompletionItem, cursor: types.Position) -> str:
    """The text the item's edit replaces up to the cursor, which a client filters the item by
    (Neovim keeps the items whose filter text starts with it): checked to be a prefix of the
    item's filter text."""
    edit = item.text_edit
    assert isinstance(edit, (types.TextEdit, types.InsertReplaceEdit))
    start = edit.range.start if isinstance(edit, types.TextEdit) else edit.insert.start
    assert start.line == cursor.line
    replaced = text.split("\n")[cursor.line][start.character : cursor.character]
    filtered_by = item.filter_text if item.filter_text is not None else item.label
    assert filtered_by.lower().startswith(replaced.lower()), (replaced, filtered_by)
    return replaced


EMBEDDINGS = "# Embeddings\n\n## Training 😀\nNegative sampling. ^neg\n"
TABLE = """\
| Тема 😀 | Ссылка |
|---|---|
| Векторы 😀 | [[Emb\\|векторы]] |
| Обучение | [[Embeddings#Tra\\|обучение]] |
| Выборка | [[Embeddings#^ne\\|выборка]] |
"""


async def test_replacing_a_name_in_a_table_link_keeps_the_escaped_pipe(vault: Path) -> None:
    """In a table row, `[[Emb‸\\|векторы]]`: a client in replace mode (VS Code's
    `editor.suggest.insertMode: replace`, nvim-cmp's Replace) overwrote the name up to the
    `|`, the table's `\\` with it: `[[Embeddings|векторы]]`, whose bare `|` ends the cell and
    breaks the row. The same for a heading or block id being typed there. The `\\` is the
    pipe's, not the name's: the overwritten part ends before it."""
    write_files(vault, {"Embeddings.md": EMBEDDINGS, "Таблица.md": TABLE})
    async with completion_editor(vault, insert_replace=True) as session:
        uri = session.open("Таблица.md")
        names = await _complete(session, uri, _at(TABLE, "Emb\\", 3))
        headings = await _complete(session, uri, _at(TABLE, "Tra\\", 3))
        blocks = await _complete(session, uri, _at(TABLE, "ne\\", 2))

    name = next(item for item in names if item.label == "Embeddings")
    heading = next(item for item in headings if item.label == "Training 😀")
    block = next(item for item in blocks if item.label == "neg")
    for item, written in (
        (name, "[[Embeddings\\|векторы]]"),
        (heading, "[[Embeddings#Training 😀\\|обучение]]"),
        (block, "[[Embeddings#^neg\\|выборка]]"),
    ):
        assert written in _applied(TABLE, item, replace=True)
        assert written in _applied(TABLE, item, replace=False)


NEWTON = """\
---
aliases: [Законы Ньютона]
---
# Newton's laws
## Newton's first law 😀
Inertia. ^inertia
"""


async def test_a_single_quoted_frontmatter_link_with_an_apostrophe_completes_its_heading(
    vault: Path,
) -> None:
    """`parent: '[[Newton''s laws#‸` (the link the server itself completes into a single-quoted
    YAML value: `'` is written `''` there) offered no headings, no block ids after `#^` and no
    aliases after `|`: the note was looked up as `Newton''s laws`, the YAML text, instead of
    the name it holds, which definition and diagnostics read."""
    draft = (
        "---\n"
        "parent: '[[Newton''s laws#'\n"
        "connected:\n"
        "  - '[[Newton''s laws#^'\n"
        "  - '[[Newton''s laws|'\n"
        "---\n"
        "Черновик 😀\n"
    )
    write_files(vault, {"Physics/Newton's laws.md": NEWTON, "Черновик.md": draft})
    async with completion_editor(vault, insert_replace=True) as session:
        uri = session.open("Черновик.md")
        headings = await _complete(session, uri, _at(draft, "laws#'", 5))
        blocks = await _complete(session, uri, _at(draft, "laws#^'", 6))
        aliases = await _complete(session, uri, _at(draft, "laws|'", 5))

    assert [item.label for item in headings] == ["Newton's laws", "Newton's first law 😀"]
    assert "parent: '[[Newton''s laws#Newton''s first law 😀]]'" in _applied(
        draft, headings[1], replace=False
    )
    assert [item.label for item in blocks] == ["inertia"]
    assert [item.label for item in aliases] == ["Законы Ньютона"]


TOPIC = """\
---
connected:
  - "[[Основы]]"
  - "#topic/sub"
---
# Заметка 😀
Тело #topic/sub и [[Основы]].
"""


async def test_the_hash_of_a_frontmatter_tag_is_the_tags_for_navigation(vault: Path) -> None:
    """`connected: "#topic/sub"`: with the cursor on its `#` (where a mouse hover or a
    Ctrl+click on the `#` lands), hover said nothing, highlights showed nothing, and
    references listed every backlink of the note instead of the tag's uses; rename there
    renames the tag, and a body tag's `#` is the tag's too."""
    write_files(
        vault,
        {
            "Заметка.md": TOPIC,
            "Основы.md": "# Основы\n#topic/sub и [[Заметка]]\n",
        },
    )
    async with navigation_editor(vault) as session:
        uri = session.open("Заметка.md")
        at = _at(TOPIC, '#topic/sub"')
        hover = await session.hover(uri, at.line, at.character)
        references = await session.references(uri, at.line, at.character)
        highlights = await session.client.text_document_document_highlight_async(
            types.DocumentHighlightParams(text_document=document(uri), position=at)
        )

    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.value.startswith("`#topic/sub`: used in 2 notes.")
    assert sorted((found_uri, r.start.line) for found_uri, r in references) == sorted(
        [
            (_uri(vault, "Заметка.md"), 3),
            (_uri(vault, "Заметка.md"), 6),
            (_uri(vault, "Основы.md"), 1),
        ]
    )
    assert [h.range.start.line for h in highlights or ()] == [3, 6]


ADJACENT = "Схемы 😀 ![[Схема 1.png]]![[Схема 2.png]]\nСм. [[Alpha]][[Beta]]\n"


async def test_a_link_right_after_another_is_the_one_under_the_cursor(vault: Path) -> None:
    """Images side by side, `![[Схема 1.png]]![[Схема 2.png]]`: hovering, Ctrl+clicking or
    pressing F2 on the `!` or `[` that starts the second answered for the first one, which
    ends there. A cursor after an item touches it only when no item starts at the cursor."""
    write_files(
        vault,
        {
            "Alpha.md": "# Alpha\n",
            "Beta.md": "# Beta\n",
            "Схема 1.png": "",
            "Схема 2.png": "",
            "Заметка.md": ADJACENT,
        },
    )
    async with navigation_editor(vault) as session:
        uri = session.open("Заметка.md")
        second = _at(ADJACENT, "![[Схема 2")
        beta = _at(ADJACENT, "[[Beta")
        hover = await session.hover(uri, second.line, second.character)
        embed = await session.definition(uri, second.line, second.character)
        link = await session.definition(uri, beta.line, beta.character)
        highlights = await session.client.text_document_document_highlight_async(
            types.DocumentHighlightParams(text_document=document(uri), position=beta)
        )
        prepared = await session.client.text_document_prepare_rename_async(
            types.PrepareRenameParams(text_document=document(uri), position=beta)
        )

    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.value == "`Схема 2.png` (attachment)"
    assert hover.range == _range(ADJACENT, "![[Схема 2.png]]")
    assert [target.target_uri for target in embed or ()] == [_uri(vault, "Схема 2.png")]
    assert [target.target_uri for target in link or ()] == [_uri(vault, "Beta.md")]
    assert [h.range for h in highlights or ()] == [_range(ADJACENT, "[[Beta]]")]
    assert isinstance(prepared, types.PrepareRenamePlaceholder)
    assert prepared.placeholder == "Beta"
    assert prepared.range == _range(ADJACENT, "Beta")


CONNECTED = """\
---
connected:
  - "[[Основы]]"
  - #to
---
Черновик 😀
"""


async def test_a_tag_completed_under_connected_is_a_quoted_tag_not_a_yaml_comment(
    vault: Path,
) -> None:
    """Under `connected:`, typing `- #to` and taking `topic/sub` wrote `- #topic/sub`: YAML
    reads an unquoted ` #` as a comment, so the note has no such tag (nor does Obsidian see
    one). A typed `"#to` got no closing quote: the frontmatter no longer parses. A link
    completed there gets its quotes; a tag should too."""
    quoted = CONNECTED.replace("- #to", '- "#to')
    write_files(
        vault,
        {"Основы.md": "---\ntags: [topic/sub]\n---\n# Основы\n", "Черновик.md": CONNECTED},
    )
    async with completion_editor(vault, insert_replace=True) as session:
        uri = session.open("Черновик.md")
        bare = await _complete(session, uri, _at(CONNECTED, "#to", 3))
        session.edit(uri, (3, 4), (3, 4), '"')
        opened = await _complete(session, uri, _at(quoted, '"#to', 4))

    (bare_item,) = [item for item in bare if item.label == "topic/sub"]
    (opened_item,) = [item for item in opened if item.label == "topic/sub"]
    assert '  - "#topic/sub"\n' in _applied(CONNECTED, bare_item, replace=False)
    assert '  - "#topic/sub"\n' in _applied(quoted, opened_item, replace=False)


CARD = """\
START
math_complex
FRONT: Эмбеддинг {n} 😀
BACK: Плотный вектор
FORMULA: $v \\in \\mathbb{{R}}^d$
<!--ID: 173730654888{n}-->
END
"""
CARDS = "".join(CARD.format(n=n) for n in range(3))
BELOW_ID = """\
START
math_complex
FRONT: Вопрос 😀
<!--ID: 1737306548894-->

END
START
math_complex
FRONT: Ещё 😀
Tags: ml векторы

ID: 1737306548895
END
START
math_complex
FRONT: Третий 😀

<!--ID: 1737306548896-->
END
"""


async def test_no_card_field_is_offered_below_the_cards_id_or_tags_line(vault: Path) -> None:
    """A line below `<!--ID: …-->` in a card was offered the missing fields (`BACK`,
    `FORMULA`). Taking one breaks the card: the plugin reads the ID only on the card's last
    line, so the ID becomes text of the new field and the next sync creates the card again
    (DIALECT §4, §5); below a `Tags:` line the tags become field text. Fields go above them."""
    write_files(vault, {"Эмбеддинги.md": CARDS, "Черновик.md": BELOW_ID})
    async with completion_editor(vault, insert_replace=True) as session:
        uri = session.open("Черновик.md")
        below_id = await _complete(session, uri, position(4, 0))
        below_tags = await _complete(session, uri, position(10, 0))
        above_id = await _complete(session, uri, position(16, 0))

    assert [item.label for item in below_id] == []
    assert [item.label for item in below_tags] == []
    assert [item.label for item in above_id] == ["BACK", "FORMULA"]


TAGS = """\
---
tags:
  - "ma
---
Черновик 😀
"""


async def test_a_tag_completed_in_an_open_quote_under_tags_closes_it(vault: Path) -> None:
    """Under `tags:`, `- "ma` and taking `math/linear` wrote `- "math/linear`: the double
    quote is never closed and the YAML no longer parses: the tag, and the values after it, are
    lost (Obsidian shows the properties as invalid). A link completed there gets its closing
    quote."""
    write_files(vault, {"Линал.md": "#math/linear\n", "Черновик.md": TAGS})
    async with completion_editor(vault, insert_replace=True) as session:
        uri = session.open("Черновик.md")
        found = await _complete(session, uri, _at(TAGS, '"ma', 3))

    (item,) = [item for item in found if item.label == "math/linear"]
    assert '  - "math/linear"\n' in _applied(TAGS, item, replace=False)


HASHED = """\
---
tags: [ml, #ma]
---
Черновик 😀
"""


async def test_a_tag_typed_with_a_hash_under_tags_survives_the_clients_filter(
    vault: Path,
) -> None:
    """Under `tags:`, `#ma` is replaced whole (in YAML the `#` would start a comment), and the
    item said it filters by `math/linear`. A client filters an item by the text its edit
    replaces up to the cursor, here `#ma`: VS Code and Neovim found no `#` in `math/linear`
    and showed nothing at all. The filter text holds the `#` the edit replaces."""
    write_files(vault, {"Линал.md": "#math/linear\n", "Черновик.md": HASHED})
    async with completion_editor(vault, insert_replace=True) as session:
        uri = session.open("Черновик.md")
        found = await _complete(session, uri, _at(HASHED, "#ma", 3))

    (item,) = [item for item in found if item.label == "math/linear"]
    assert "tags: [ml, math/linear]" in _applied(HASHED, item, replace=False)
    assert _filtered_from(HASHED, item, _at(HASHED, "#ma", 3)) == "#ma"


async def test_the_second_note_of_a_shared_name_survives_a_prefix_filtering_client(
    vault: Path,
) -> None:
    """Two notes named Базис: after `[[Баз` the one Obsidian does not pick for the bare name
    is offered by its path, `Архив/Старое/Базис`, and filtered by that path too. Neovim's own
    completion keeps the items whose filter text starts with the typed `Баз`: it never showed
    that note, whose link has to be written with its path."""
    write_files(
        vault,
        {
            "Алгебра/Базис.md": "# Базис\n",
            "Архив/Старое/Базис.md": "# Базис (старое)\n",
            "Черновик.md": "См. [[Баз\n",
        },
    )
    async with completion_editor(vault, insert_replace=True) as session:
        uri = session.open("Черновик.md")
        found = await _complete(session, uri, position(0, 9))

    assert sorted(item.label for item in found) == ["Архив/Старое/Базис", "Базис"]
    for item in found:
        filtered_by = item.filter_text if item.filter_text is not None else item.label
        assert filtered_by.lower().startswith("баз"), (item.label, filtered_by)


async def test_hover_on_a_missing_image_says_no_file_is_named_so(vault: Path) -> None:
    """Hovering `![[Схема 3.png]]`, an image not in the vault, said "No note named `Схема
    3.png`": the user looks for a note that was never meant. The diagnostic on the same embed
    says "No file named", as `notels check` does."""
    text = "Схемы 😀 ![[Схема 3.png]]\n"
    write_files(vault, {"Заметка.md": text})
    async with navigation_editor(vault) as session:
        uri = session.open("Заметка.md")
        at = _at(text, "Схема 3", 2)
        hover = await session.hover(uri, at.line, at.character)
        codes = await session.wait_for_codes(uri, lambda codes: "unresolved-link" in codes)

    assert codes == ["unresolved-link"]
    (diagnostic,) = session.diagnostics(uri)
    assert diagnostic.message.startswith("No file named 'Схема 3.png'")
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.value == "No file named `Схема 3.png` in the vault: the link is broken."


SPACED = "См. [[ Эмб\n"


async def test_a_name_typed_after_a_space_survives_a_prefix_filtering_client(
    vault: Path,
) -> None:
    """`[[ Эмб`: the edit replaces ` Эмб`, space included, and the items said they filter by
    `Эмбеддинги`. Neovim's own completion keeps the items whose filter text starts with the
    replaced text, ` Эмб`: it showed none. The filter text holds the space the edit replaces."""
    write_files(vault, {"Эмбеддинги 😀.md": "Векторы.\n", "Черновик.md": SPACED})
    async with completion_editor(vault, insert_replace=True) as session:
        uri = session.open("Черновик.md")
        found = await _complete(session, uri, _at(SPACED, "Эмб", 3))

    (item,) = [item for item in found if item.label == "Эмбеддинги 😀"]
    assert _filtered_from(SPACED, item, _at(SPACED, "Эмб", 3)) == " Эмб"


TWICE = "Первый абзац 😀. ^shared\n\nВторой. ^SHARED\n\nТретий. ^other\n"
LINKING = "См. [[Дважды#^\n"


async def test_a_block_id_written_twice_is_offered_once(vault: Path) -> None:
    """Links match block ids ignoring case and lead to the first: the second `^SHARED` is the
    same completion, offered twice."""
    write_files(vault, {"Дважды.md": TWICE, "Ссылка.md": LINKING})
    async with completion_editor(vault, insert_replace=False) as session:
        uri = session.open("Ссылка.md")
        found = await _complete(session, uri, _at(LINKING, "#^", 2))

    assert [item.label for item in found] == ["shared", "other"]
