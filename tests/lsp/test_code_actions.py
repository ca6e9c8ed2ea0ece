"""Quick fixes, source actions and `notels.generateIds`, end to end with exact UTF-16 edits."""

from __future__ import annotations

import re
from pathlib import Path

import notes
from edit_harness import apply_text_edits, edit_editor, span, text_edits
from lsp_harness import Editor, server_config, write_files
from lsprotocol import types
from pytest_lsp import LanguageClient

ID = re.compile(r"\d{13}")


async def _actions(
    session: Editor, uri: str, code: str | None, only: str = types.CodeActionKind.QuickFix
) -> list[types.CodeAction]:
    """The actions the client gets for the diagnostic with `code` (or for the whole note)."""
    diagnostics = [d for d in session.diagnostics(uri) if d.code == code]
    assert code is None or len(diagnostics) == 1, (code, session.codes(uri))
    where = diagnostics[0].range if diagnostics else span((0, 0), (0, 0))
    result = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=where,
            context=types.CodeActionContext(diagnostics=diagnostics, only=[only]),
        )
    )
    actions = [a for a in result or () if isinstance(a, types.CodeAction)]
    assert all(list(a.diagnostics or ()) == diagnostics for a in actions if a.kind == only)
    return actions


async def _quick_fixes(
    vault: Path, name: str, text: str, code: str
) -> tuple[str, types.Diagnostic, list[types.CodeAction]]:
    """(URI, diagnostic, its quick fixes) of the one finding with `code` in a note of its own."""
    write_files(vault, {name: text})
    async with edit_editor(vault) as (session, _):
        uri = session.open(name, text)
        await session.wait_for_codes(uri, lambda codes: code in codes)
        (diagnostic,) = [d for d in session.diagnostics(uri) if d.code == code]
        return uri, diagnostic, await _actions(session, uri, code)


def _only_edits(
    action: types.CodeAction, uri: str, version: int | None = 1
) -> list[tuple[types.Range, str]]:
    """The action's text edits, all on `uri` in one versioned TextDocumentEdit."""
    assert action.edit is not None
    (change,) = action.edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit)
    assert (change.text_document.uri, change.text_document.version) == (uri, version)
    return [(edit.range, edit.new_text) for edit in change.edits]


async def test_card_fixes_edit_exact_utf16_ranges_and_a_missing_note_can_be_created(
    vault: Path,
) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with edit_editor(vault) as (session, _):
        algebra, copy = session.open("Алгебра.md"), session.open("Копия.md")
        await session.wait_for_codes(algebra, lambda codes: "unclosed-block" in codes)
        await session.wait_for_codes(copy, bool)
        (missing,) = await _actions(session, algebra, "missing-id")
        (unclosed,) = await _actions(session, algebra, "unclosed-block")
        (create,) = await _actions(session, algebra, "unresolved-link")
        original = await _actions(session, algebra, "duplicate-id")
        renumber, unnumber = await _actions(session, copy, "duplicate-id")

    assert (missing.title, missing.kind, missing.is_preferred) == (
        "Generate Anki ID",
        "quickfix",
        True,
    )
    ((where, text),) = _only_edits(missing, algebra)
    assert where == span((notes.FIRST_END_LINE, 0), (notes.FIRST_END_LINE, 0))  # before END
    assert re.fullmatch(r"ID: \d{13}\n", text)

    # `FRONT: Без конца 😀`: 17 code points and an emoji of 2 UTF-16 units.
    assert unclosed.title == "Add END after the card"
    assert _only_edits(unclosed, algebra) == [(span((18, 19), (18, 19)), "\nEND")]

    assert (create.title, create.is_preferred) == ("Create note 'Нет такой'", True)
    assert create.edit is not None
    (new_file,) = create.edit.document_changes or []
    assert isinstance(new_file, types.CreateFile)
    assert new_file.uri == (vault / "Нет такой.md").resolve().as_uri()  # next to the linking note
    assert new_file.options == types.CreateFileOptions(overwrite=False, ignore_if_exists=False)

    assert original == []  # the older copy keeps its ID
    assert renumber.title == "Give this card a new ID"
    ((where, text),) = _only_edits(renumber, copy)
    assert where == span((notes.COPY_ID_LINE, 4), (notes.COPY_ID_LINE, 17))
    assert ID.fullmatch(text) and text != "1737306548883"
    # With the upstream plugin alone: a card without an ID is added anew, with Anki's ID.
    assert (unnumber.title, unnumber.is_preferred) == (
        "Remove this copy's ID line: the plugin adds it as a new card",
        None,
    )
    assert _only_edits(unnumber, copy) == [
        (span((notes.COPY_ID_LINE, 0), (notes.COPY_ID_LINE + 1, 0)), "")
    ]


# CRLF line breaks; line 4 holds `[[Тема]]` after 54 UTF-16 units (one emoji of two).
MIXED = (
    "---\ntags:\n  - fix/empty\n---\n"
    "Эта заметка 😀 давно написана: в ней много слов про [[Тема]], группы, кольца, поля, модули, "
    "идеалы, решётки и прочие структуры алгебры.\n"
    "TARGET DECK: math::algebra\n"
    "START  \n"
    "Basic\nFRONT: Пробел 😀\nEND\n"
    "START\nBasic\nID: 1737306548885\nFRONT: Где 😀 ID\nBACK: ответ\nEND\n"
    "TARGET DECK: math::other\n"
).replace("\n", "\r\n")


async def test_a_card_in_a_callout_is_taken_out_of_it_on_request(vault: Path) -> None:
    callout = (
        "TARGET DECK: d\r\n> [!note]- Карта 😀\r\n> START\r\n> Basic\r\n> Front: q 😀\r\n> END\r\n"
    )
    uri, diagnostic, (action,) = await _quick_fixes(vault, "Выноска.md", callout, "nested-block")

    assert diagnostic.range == span((2, 2), (2, 7))  # the START keyword
    assert (action.title, action.is_preferred) == ("Take the card out of the callout", True)
    assert apply_text_edits(callout, _only_edits(action, uri)) == (
        "TARGET DECK: d\r\n> [!note]- Карта 😀\r\nSTART\r\nBasic\r\nFront: q 😀\r\nEND\r\n"
    )


async def test_a_note_type_written_after_start_is_put_on_its_own_line(vault: Path) -> None:
    text = "TARGET DECK: d\r\nSTART Basic \r\nFront: Вопрос 😀\r\nBack: ответ\r\nEND\r\n"
    uri, diagnostic, (to_its_line, remove) = await _quick_fixes(
        vault, "Тип.md", text, "start-trailing-text"
    )

    assert diagnostic.message.endswith("Put the note type on the line below START.")
    assert to_its_line.title == "Put the note type `Basic` on the line below START"
    assert apply_text_edits(text, _only_edits(to_its_line, uri)) == (
        "TARGET DECK: d\r\nSTART\r\nBasic\r\nFront: Вопрос 😀\r\nBack: ответ\r\nEND\r\n"
    )
    assert remove.title == "Remove the text after START"


async def test_spaces_after_a_note_type_are_reported_and_removed_on_request(vault: Path) -> None:
    """The plugin looks the note type up as written: `Basic ` is no note type of Anki's, and
    the card never syncs. Was: no finding at all."""
    text = "TARGET DECK: d\r\nSTART\r\nBasic \t\r\nFront: Вопрос 😀\r\nBack: ответ\r\nEND\r\n"
    uri, diagnostic, (remove,) = await _quick_fixes(vault, "Тип.md", text, "missing-note-type")

    assert diagnostic.range == span((2, 5), (2, 7))
    assert "'Basic'" in diagnostic.message
    assert remove.title == "Remove the spaces after the note type"
    assert apply_text_edits(text, _only_edits(remove, uri)) == text.replace("Basic \t", "Basic")


async def test_generate_id_fills_an_empty_id_line(vault: Path) -> None:
    text = (
        "TARGET DECK: d\r\nSTART\r\nBasic\r\nFront: 😀 Вопрос\r\nBack: 𝔼\r\n<!-- ID: -->\r\nEND\r\n"
    )
    uri, _, (generate, *_) = await _quick_fixes(vault, "Пусто.md", text, "missing-id")

    assert generate.title == "Generate Anki ID"
    ((where, new_text),) = _only_edits(generate, uri)
    assert where == span((5, 8), (5, 9))
    (value,) = ID.findall(new_text)
    assert apply_text_edits(text, [(where, new_text)]) == text.replace(
        "<!-- ID: -->", f"<!-- ID: {value} -->"
    )


async def test_fixes_on_a_crlf_note_keep_its_line_breaks(vault: Path) -> None:
    write_files(
        vault,
        {"Разное.md": MIXED, "x/Тема.md": "x", "y/Тема.md": "y", "Пустая.md": "# Пустая 😀\n"},
    )
    async with edit_editor(vault) as (session, _):
        # Given the text: reading the file in text mode would turn its CRLFs into LFs.
        mixed, empty = session.open("Разное.md", MIXED), session.open("Пустая.md")
        await session.wait_for_codes(mixed, lambda codes: "shadowed-target-deck" in codes)
        await session.wait_for_codes(empty, bool)
        (untag,) = await _actions(session, mixed, "stale-fix-empty")
        ambiguous = await _actions(session, mixed, "ambiguous-link")
        (trailing,) = await _actions(session, mixed, "start-trailing-text")
        (move,) = await _actions(session, mixed, "misplaced-id")
        move_first, generate = await _actions(session, mixed, "missing-id")
        (deck,) = await _actions(session, mixed, "shadowed-target-deck")
        (tag,) = await _actions(session, empty, "empty-note")

    assert untag.title == "Remove #fix/empty"
    assert _only_edits(untag, mixed) == [(span((1, 0), (3, 0)), "")]

    assert [(a.title, a.is_preferred) for a in ambiguous] == [
        ("Use path link: x/Тема", True),  # Obsidian's pick first
        ("Use path link: y/Тема", None),
    ]
    assert _only_edits(ambiguous[1], mixed) == [(span((4, 54), (4, 58)), "y/Тема")]

    assert trailing.title == "Remove the whitespace after START"
    assert _only_edits(trailing, mixed) == [(span((6, 5), (6, 7)), "")]

    assert move.title == "Move the ID line just above END"
    moved = apply_text_edits(MIXED, _only_edits(move, mixed))
    assert moved.endswith(
        "START\r\nBasic\r\nFRONT: Где 😀 ID\r\nBACK: ответ\r\nID: 1737306548885\r\nEND\r\n"
        "TARGET DECK: math::other\r\n"
    )
    # A card with its ID on the wrong line: moving it comes before a new ID (a second card).
    assert (move_first.title, move_first.is_preferred) == (move.title, True)
    assert (generate.title, generate.is_preferred) == ("Generate Anki ID", None)
    ((where, text),) = _only_edits(generate, mixed)
    assert where == span((15, 0), (15, 0)) and re.fullmatch(r"ID: \d{13}\r\n", text)

    assert deck.title == "Delete this TARGET DECK line"
    assert apply_text_edits(MIXED, _only_edits(deck, mixed)).endswith("BACK: ответ\r\nEND\r\n")

    assert tag.title == "Tag the note #fix/empty"
    assert _only_edits(tag, empty) == [(span((0, 0), (0, 0)), "---\ntags:\n  - fix/empty\n---\n")]


TWO_CARDS = """\
TARGET DECK: d
START
Basic
FRONT: Один 😀
END
START
Basic
FRONT: Два 😀
END
"""
TWO_CARDS += "START \nBasic\nFRONT: Три\nEND\n"  # a space after START: not a card


async def test_source_actions_give_every_card_a_distinct_id_and_fix_all_safe_problems(
    vault: Path,
) -> None:
    write_files(vault, {"Карты.md": TWO_CARDS})
    async with edit_editor(vault) as (session, _):
        uri = session.open("Карты.md")
        await session.wait_for_codes(uri, lambda codes: "missing-id" in codes)
        (all_ids, fix_all) = await _actions(session, uri, None, types.CodeActionKind.Source)
        (only_fix_all,) = await _actions(session, uri, None, "source.fixAll.notels")

    assert (all_ids.title, all_ids.kind) == ("Generate IDs for all cards in this note", "source")
    (first, first_id), (second, second_id) = _only_edits(all_ids, uri)
    assert (first, second) == (span((4, 0), (4, 0)), span((8, 0), (8, 0)))
    assert first_id != second_id and all(
        re.fullmatch(r"ID: \d{13}\n", t) for t in (first_id, second_id)
    )

    assert (fix_all.title, fix_all.kind) == ("Fix all safe notels problems", "source.fixAll.notels")
    assert [where for where, _ in _only_edits(fix_all, uri)] == [
        span((4, 0), (4, 0)),
        span((8, 0), (8, 0)),
        span((9, 5), (9, 6)),  # the space after START
        span((12, 0), (12, 0)),  # which makes a card that needs an ID: a second pass, as --fix
    ]
    assert only_fix_all.title == fix_all.title


STALE_TAGS = (
    "Теорема 😀 о среднем значении: если функция непрерывна на отрезке и дифференцируема "
    "на интервале, то найдётся точка, где касательная параллельна хорде. Доказательство "
    "следует из теоремы Ролля. #fix/empty #фикс/empty\r\nдальше\r\n#fix/empty\r\n#fix/empty"
)


async def test_fix_all_takes_stale_tags_that_share_a_space_or_a_line_in_one_action(
    vault: Path,
) -> None:
    write_files(vault, {"Среднее.md": STALE_TAGS})
    async with edit_editor(vault) as (session, _):
        uri = session.open("Среднее.md")
        await session.wait_for_codes(uri, lambda codes: codes.count("stale-fix-empty") == 4)
        (fix_all,) = await _actions(session, uri, None, "source.fixAll.notels")

    edits = _only_edits(fix_all, uri)
    line = STALE_TAGS.split("\r\n")[0]
    tags_at = len(line.encode("utf-16-le")) // 2 - len(" #fix/empty #фикс/empty")
    assert edits == [
        (span((0, tags_at), (0, tags_at + len(" #fix/empty #фикс/empty"))), ""),
        (span((1, 6), (3, 10)), ""),  # the break after `дальше` and the last two lines
    ]
    kept = line.removesuffix(" #fix/empty #фикс/empty")
    assert apply_text_edits(STALE_TAGS, edits) == f"{kept}\r\nдальше"


async def test_a_client_without_document_changes_gets_plain_changes_and_no_new_files(
    vault: Path,
) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA})
    async with edit_editor(vault, document_changes=False, resource_operations=()) as (session, _):
        uri = session.open("Алгебра.md")
        await session.wait_for_codes(uri, lambda codes: "unclosed-block" in codes)
        (unclosed,) = await _actions(session, uri, "unclosed-block")
        create = await _actions(session, uri, "unresolved-link")

    assert unclosed.edit is not None and unclosed.edit.document_changes is None
    assert {u: list(e) for u, e in (unclosed.edit.changes or {}).items()} == {
        uri: [types.TextEdit(span((18, 19), (18, 19)), "\nEND")]
    }
    assert create == []


async def test_generate_ids_covers_open_and_closed_notes_with_one_apply_edit(vault: Path) -> None:
    write_files(
        vault,
        {
            "Открытая.md": "START\nBasic\nFRONT: 😀\nEND\n",
            "sub/Закрытая.md": "START\nBasic\nFRONT: x\nEND\n",
            "Готовая.md": notes.COPY,
        },
    )
    async with edit_editor(vault) as (session, applied):
        uri = session.open("Открытая.md")
        session.edit(
            uri, (0, 0), (0, 0), "Новая строка 😀\nSTART\nBasic\nFRONT: y\nEND\n"
        )  # unsaved
        # Changed on disk behind the server's back: positions must come from the disk text.
        closed = vault / "sub" / "Закрытая.md"
        closed.write_text("# Заголовок\n\nSTART\nBasic\nFRONT: x\nEND\n", encoding="utf-8")
        summary = await session.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="notels.generateIds", arguments=[])
        )

    assert summary == {"ids": 3, "files": 2, "skipped": 0, "applied": True}
    (edit,) = applied
    by_uri = {
        change.text_document.uri: change
        for change in edit.document_changes or ()
        if isinstance(change, types.TextDocumentEdit)
    }
    assert sorted(by_uri) == sorted([uri, closed.resolve().as_uri()])
    assert by_uri[uri].text_document.version == 2
    assert by_uri[closed.resolve().as_uri()].text_document.version is None
    edits = text_edits(edit)
    assert [where for where, _ in edits[uri]] == [span((4, 0), (4, 0)), span((8, 0), (8, 0))]
    ((where, _),) = edits[closed.resolve().as_uri()]
    assert where == span((5, 0), (5, 0))
    ids = [ID.search(text) for _, text in edits[uri] + edits[closed.resolve().as_uri()]]
    values = [match.group() for match in ids if match]
    assert len(set(values)) == 3


async def test_generate_ids_finds_a_card_without_one_beside_an_inline_card_with_one(
    vault: Path,
) -> None:
    # The inline card's ID is among the note's card IDs: one ID for one block card must not read
    # as "every card has its ID".
    inline = (
        "Текст STARTI [Basic] q :: a <!--ID: 1737306548883--> ENDI\n\nSTART\nBasic\nFRONT: q\nEND\n"
    )
    write_files(vault, {"A.md": inline, "B.md": "START\nBasic\nFRONT: q\nEND\n"})
    async with edit_editor(vault) as (session, applied):
        summary = await session.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="notels.generateIds", arguments=[])
        )
    assert summary == {"ids": 2, "files": 2, "skipped": 0, "applied": True}
    (edit,) = applied
    edits = text_edits(edit)
    assert [where for where, _ in edits[(vault / "A.md").resolve().as_uri()]] == [
        span((5, 0), (5, 0))
    ]


async def test_the_server_announces_its_edit_features() -> None:
    client = await server_config().start()
    assert isinstance(client, LanguageClient)
    try:
        result = await client.initialize_session(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(
                    workspace=types.WorkspaceClientCapabilities(
                        file_operations=types.FileOperationClientCapabilities(will_rename=True)
                    ),
                    text_document=types.TextDocumentClientCapabilities(
                        rename=types.RenameClientCapabilities(prepare_support=True)
                    ),
                )
            )
        )
        await client.shutdown_session()
    finally:
        await client.stop()
    capabilities = result.capabilities
    actions = capabilities.code_action_provider
    assert isinstance(actions, types.CodeActionOptions)
    assert list(actions.code_action_kinds or ()) == ["quickfix", "source", "source.fixAll.notels"]
    assert capabilities.execute_command_provider is not None
    assert list(capabilities.execute_command_provider.commands) == [
        "notels.generateIds",
        "notels.applyEdit",
    ]
    assert capabilities.rename_provider == types.RenameOptions(prepare_provider=True)
    assert capabilities.workspace is not None and capabilities.workspace.file_operations is not None
    will_rename = capabilities.workspace.file_operations.will_rename
    assert will_rename is not None
    assert [(f.pattern.glob, f.pattern.matches) for f in will_rename.filters] == [
        ("**/*", types.FileOperationPatternKind.File),
        ("**/*", types.FileOperationPatternKind.Folder),
    ]


async def test_a_new_note_uses_the_folder_and_the_open_template_from_the_settings(
    vault: Path,
) -> None:
    write_files(
        vault,
        {
            "d/Ссылки.md": "См. [[Идея 😀]] и [[p/Путь]].\n",
            "Шаблоны/Заметка.md": "# {{title}}\n",  # on disk; the editor's copy differs
        },
    )
    # One spelling of each kind: the settings accept kebab, snake and camel case alike.
    settings = {"newNoteFolder": "/Входящие/", "new-note-template": "Шаблоны/Заметка.md"}
    async with edit_editor(vault, settings=settings) as (session, _):
        template = "---\r\ncreated: {{date}} {{time}}\r\n---\r\n# {{title}} 😀\r\n"
        session.open("Шаблоны/Заметка.md", template)  # unsaved: the server reads this copy
        links = session.open("d/Ссылки.md")
        await session.wait_for_codes(links, lambda codes: codes.count("unresolved-link") == 2)
        actions: list[types.CodeAction] = []
        for result in await _actions_per_diagnostic(session, links):
            (action,) = result
            assert isinstance(action, types.CodeAction)
            actions.append(action)
        create, create_path = actions

    assert (create.title, create.is_preferred) == ("Create note 'Идея 😀'", True)
    assert create.edit is not None
    new_file, content = create.edit.document_changes or []
    new_uri = (vault / "Входящие" / "Идея 😀.md").resolve().as_uri()
    assert new_file == types.CreateFile(
        uri=new_uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=False)
    )
    assert isinstance(content, types.TextDocumentEdit)
    assert (content.text_document.uri, content.text_document.version) == (new_uri, None)
    ((where, text),) = [(e.range, e.new_text) for e in content.edits]
    assert where == span((0, 0), (0, 0))
    assert re.fullmatch(
        r"---\r\ncreated: \d{4}-\d\d-\d\d \d\d:\d\d\r\n---\r\n# Идея 😀 😀\r\n", text
    ), text

    # A link with a path keeps its folder.
    assert create_path.title == "Create note 'Путь'"
    assert create_path.edit is not None
    path_file, _ = create_path.edit.document_changes or []
    assert isinstance(path_file, types.CreateFile)
    assert path_file.uri == (vault / "p" / "Путь.md").resolve().as_uri()


async def _actions_per_diagnostic(
    session: Editor, uri: str
) -> list[list[types.CodeAction | types.Command]]:
    """The code actions the editor gets for each diagnostic of the note, left to right."""
    found: list[list[types.CodeAction | types.Command]] = []
    for diagnostic in sorted(session.diagnostics(uri), key=lambda d: d.range.start.character):
        result = await session.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic]),
            )
        )
        found.append(list(result or ()))
    return found


async def test_no_note_is_offered_where_the_vault_would_not_hold_it(vault: Path) -> None:
    """`[[.hidden]]`: a dot file is no note of the vault, so creating it leaves the link
    broken. Only the link to an ordinary name gets the quick fix."""
    write_files(vault, {"Ссылки.md": "См. [[.hidden]] и [[Идея 😀]].\n"})
    async with edit_editor(vault) as (session, _):
        links = session.open("Ссылки.md")
        await session.wait_for_codes(links, lambda codes: codes.count("unresolved-link") == 2)
        titles = [
            action.title
            for result in await _actions_per_diagnostic(session, links)
            for action in result
        ]

    assert [title for title in titles if title.startswith("Create note")] == [
        "Create note 'Идея 😀'"
    ]


SPLIT = (
    "# Алгебра 😀\r\n"
    "TARGET DECK: математика::алгебра\r\n"
    "START\r\nBasic\r\nFRONT: Группа\r\nID: 1737306548883\r\nEND\r\n"
    "\r\n"
    "TARGET DECK: математика::линейная\r\n"
    "\r\n"
    "START\r\nBasic\r\nFRONT: Матрица 😀\r\nID: 1737306548884\r\nEND\r\n"
    "Пояснение 😀.\r\n"
    "START\r\nBasic\r\nFRONT: Ранг\r\nID: 1737306548885\r\nEND\r\n"
)


async def test_cards_under_a_shadowed_deck_move_to_a_new_note(vault: Path) -> None:
    write_files(vault, {"Алгебра.md": SPLIT, "Алгебра (линейная).md": "занято\n"})
    async with edit_editor(vault) as (session, _):
        uri = session.open("Алгебра.md", SPLIT)
        await session.wait_for_codes(uri, lambda codes: "shadowed-target-deck" in codes)
        delete, move = await _actions(session, uri, "shadowed-target-deck")

    assert (delete.title, delete.is_preferred) == ("Delete this TARGET DECK line", True)
    assert (move.title, move.kind, move.is_preferred) == (
        "Move the cards below to a new note",
        "quickfix",
        None,
    )
    assert move.edit is not None
    new_file, content, removal = move.edit.document_changes or []
    new_uri = (vault / "Алгебра (линейная) 2.md").resolve().as_uri()  # the first name is taken
    assert new_file == types.CreateFile(
        uri=new_uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=False)
    )
    assert isinstance(content, types.TextDocumentEdit)
    assert (content.text_document.uri, content.text_document.version) == (new_uri, None)
    assert [(e.range, e.new_text) for e in content.edits] == [
        (
            span((0, 0), (0, 0)),
            "TARGET DECK: математика::линейная\r\n"
            "\r\n"
            "START\r\nBasic\r\nFRONT: Матрица 😀\r\nID: 1737306548884\r\nEND\r\n"
            "START\r\nBasic\r\nFRONT: Ранг\r\nID: 1737306548885\r\nEND\r\n",
        )
    ]
    assert isinstance(removal, types.TextDocumentEdit)
    assert (removal.text_document.uri, removal.text_document.version) == (uri, 1)
    edits = [(e.range, e.new_text) for e in removal.edits]
    assert edits == [(span((8, 0), (15, 0)), ""), (span((16, 0), (21, 0)), "")]
    assert apply_text_edits(SPLIT, edits) == (
        "# Алгебра 😀\r\n"
        "TARGET DECK: математика::алгебра\r\n"
        "START\r\nBasic\r\nFRONT: Группа\r\nID: 1737306548883\r\nEND\r\n"
        "\r\n"
        "Пояснение 😀.\r\n"
    )


async def test_an_unresolved_link_is_offered_the_names_it_is_a_typo_of(vault: Path) -> None:
    """`[[Word2Vek]]`: before, only "Create note 'Word2Vek'" was offered."""
    write_files(
        vault,
        {
            "Word2Vec.md": "# Word2Vec\n",
            "Word2Vec (модель).md": "# Модель\n",
            "ml/Машинное обучение 😀.md": "---\naliases: [Машинка]\n---\n# Раздел\n",
            "Ссылки.md": "Текст 😀 [[Word2Vek]], [[машиное обучение 😀#Раздел|текст]], "
            "[[Машинко]] и [[Qzxv]].\n",
        },
    )
    async with edit_editor(vault) as (session, _):
        links = session.open("Ссылки.md")
        await session.wait_for_codes(links, lambda codes: codes.count("unresolved-link") == 4)
        typo, lower, alias, nothing = await _actions_per_diagnostic(session, links)

    text = (vault / "Ссылки.md").read_text(encoding="utf-8")
    assert [(a.title, a.is_preferred) for a in typo if isinstance(a, types.CodeAction)] == [
        ("Change to [[Word2Vec]]", True),
        ("Create note 'Word2Vek'", None),
    ]
    (change, _) = typo
    assert isinstance(change, types.CodeAction)
    # `Текст 😀 [[` is 11 UTF-16 units.
    assert _only_edits(change, links) == [(span((0, 11), (0, 19)), "Word2Vec")]
    first, *_ = lower
    assert isinstance(first, types.CodeAction)
    assert first.title == "Change to [[Машинное обучение 😀]]"
    assert apply_text_edits(text, _only_edits(first, links)) == text.replace(
        "машиное обучение 😀#", "Машинное обучение 😀#"
    )
    titles = [a.title for a in alias if isinstance(a, types.CodeAction)]
    assert titles[0] == "Change to [[Машинка]] (alias of ml/Машинное обучение 😀.md)"
    assert [a.title for a in nothing if isinstance(a, types.CodeAction)] == ["Create note 'Qzxv'"]


async def test_a_broken_heading_or_block_link_is_offered_the_names_it_is_a_typo_of(
    vault: Path,
) -> None:
    write_files(
        vault,
        {
            "Тема.md": "# Тема\n## Введение 😀\n## Вывод\nАбзац. ^abzac-1\n",
            "Ссылки.md": "[[Тема#введене 😀|x]] [[Тема#^abzac-2]] [[#Сылки]] [[Тема#Совсем не то]]\n"
            "# Ссылки\n",
        },
    )
    async with edit_editor(vault) as (session, _):
        links = session.open("Ссылки.md")
        await session.wait_for_codes(links, lambda codes: len(codes) == 4)
        heading, block, here, unlike = await _actions_per_diagnostic(session, links)

    def titles(actions: list[types.CodeAction | types.Command]) -> list[tuple[str, bool | None]]:
        return [(a.title, a.is_preferred) for a in actions if isinstance(a, types.CodeAction)]

    assert titles(heading) == [("Change to [[Тема#Введение 😀]]", True)]
    assert titles(block) == [("Change to [[Тема#^abzac-1]]", True)]
    assert titles(here) == [("Change to [[#Ссылки]]", True)]
    assert titles(unlike) == []
    text = (vault / "Ссылки.md").read_text(encoding="utf-8")
    edits = []
    for actions in (heading, block, here):
        (change,) = actions
        assert isinstance(change, types.CodeAction)
        edits += _only_edits(change, links)
    assert apply_text_edits(text, edits) == text.replace("введене", "Введение").replace(
        "abzac-2", "abzac-1"
    ).replace("[[#Сылки]]", "[[#Ссылки]]")


async def test_an_inline_cards_id_after_endi_moves_before_it(vault: Path) -> None:
    text = (
        "Слова 😀 и ещё слова.\nTARGET DECK: d\n😀 STARTI [Basic] q :: a ENDI  ID: 1737306548883\n"
    )
    uri, diagnostic, (action,) = await _quick_fixes(vault, "Строка.md", text, "misplaced-id")

    # Line 2: `😀 ` is 3 UTF-16 units, `STARTI [Basic] q :: a ENDI  ` 28 more.
    assert diagnostic.range == span((2, 31), (2, 48))
    assert (action.title, action.is_preferred) == ("Move the ID before ENDI", True)
    fixed = apply_text_edits(text, _only_edits(action, uri))
    assert fixed.endswith("😀 STARTI [Basic] q :: a ID: 1737306548883 ENDI\n")


async def test_an_invisible_character_before_start_is_removed_on_request(vault: Path) -> None:
    """Only the START line loses it: the field lines keep their leading spaces."""
    text = "TARGET DECK: d\r\n\u200bSTART\r\nBasic\r\nFront:  q 😀\r\n  Back: a\r\nEND\r\n"
    uri, diagnostic, (action,) = await _quick_fixes(vault, "Невидимка.md", text, "nested-block")

    assert diagnostic.range == span((1, 1), (1, 6))  # the START keyword
    assert action.title == "Remove the invisible character before START"
    assert apply_text_edits(text, _only_edits(action, uri)) == text.replace("\u200b", "")


async def test_a_start_end_stub_gets_no_end_added(vault: Path) -> None:
    """`START` above `END`: END is the note type line there, and another END below it would
    make a card of note type END. Was: "Add END after the card", applied by --fix too."""
    text = "Слова 😀\r\nTARGET DECK: d\r\nSTART\r\nEND\r\n"
    _, diagnostic, actions = await _quick_fixes(vault, "Заготовка.md", text, "unclosed-block")

    assert diagnostic.message.startswith("END right after START is read as this card's note type")
    assert [action.title for action in actions] == []
