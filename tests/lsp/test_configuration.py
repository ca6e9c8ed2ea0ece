"""`.notels.toml` and the editor's `notels` settings: settings win, bad values keep the old."""

from __future__ import annotations

from pathlib import Path

import notes
from lsp_harness import editor, wait_until, write_files
from lsprotocol import types

ALL_CODES = ["duplicate-id", "missing-id", "unclosed-block", "unresolved-link"]


def _change_settings(session_client: object, settings: object) -> None:
    session_client.workspace_did_change_configuration(  # type: ignore[attr-defined]
        types.DidChangeConfigurationParams(settings=settings)
    )


async def test_pushed_settings_disable_a_rule_and_recheck(vault: Path) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with editor(vault) as session:
        uri = session.open("Алгебра.md")
        await session.wait_for_codes(uri, lambda codes: codes == ALL_CODES)
        _change_settings(session.client, {"notels": {"rules": {"missing-id": "off"}}})
        codes = await session.wait_for_codes(uri, lambda codes: "missing-id" not in codes)

    assert codes == ["duplicate-id", "unclosed-block", "unresolved-link"]


async def test_pulled_settings_at_startup_and_after_a_change(vault: Path) -> None:
    """Settings come from workspace/configuration; a null didChangeConfiguration re-asks."""
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    settings = {"rules": {"unresolved-link": "off"}, "debounceMs": 0, "trace": {"server": "off"}}
    async with editor(vault, settings=settings) as session:
        uri = session.open("Алгебра.md")
        await session.wait_for_codes(
            uri, lambda codes: codes == ["duplicate-id", "missing-id", "unclosed-block"]
        )
        session.client.set_configuration({"rules": {"unclosed-block": "hint"}}, section="notels")
        _change_settings(session.client, None)
        await session.wait_for_codes(uri, lambda codes: codes == ALL_CODES)
        (unclosed,) = [d for d in session.diagnostics(uri) if d.code == "unclosed-block"]

    assert unclosed.severity == types.DiagnosticSeverity.Hint


async def test_settings_override_the_vault_file(vault: Path) -> None:
    write_files(
        vault,
        {
            ".notels.toml": '[rules]\nmissing-id = "off"\nunclosed-block = "off"\n',
            "Алгебра.md": notes.ALGEBRA,
        },
    )
    settings = {"rules": {"missing-id": "error"}}
    async with editor(vault, settings=settings) as session:
        uri = session.open("Алгебра.md")
        await session.wait_for_codes(uri, lambda codes: codes == ["missing-id", "unresolved-link"])
        (missing,) = [d for d in session.diagnostics(uri) if d.code == "missing-id"]

    assert missing.severity == types.DiagnosticSeverity.Error


async def test_bad_settings_show_an_error_and_keep_the_previous_config(vault: Path) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with editor(vault) as session:
        uri = session.open("Алгебра.md")
        await session.wait_for_codes(uri, lambda codes: codes == ALL_CODES)
        _change_settings(session.client, {"notels": {"rules": {"missing-id": "off"}}})
        await session.wait_for_codes(uri, lambda codes: "missing-id" not in codes)
        _change_settings(session.client, {"notels": {"rules": {"no-such-rule": "off"}}})
        await wait_until(lambda: bool(session.client.messages))
        (message,) = session.client.messages
        assert message.type == types.MessageType.Error
        assert "no-such-rule" in message.message
        # A later edit (fixing the link) is checked with the previous config: missing-id off.
        link = (notes.LINK_LINE, 12), (notes.LINK_LINE, 21)
        session.edit(uri, *link, "Копия")
        codes = await session.wait_for_codes(uri, lambda codes: "unresolved-link" not in codes)

    assert codes == ["duplicate-id", "unclosed-block"]


async def test_editing_the_vault_file_rechecks_open_notes(vault: Path) -> None:
    write_files(vault, {"Алгебра.md": notes.ALGEBRA, "Копия.md": notes.COPY})
    async with editor(vault) as session:
        uri = session.open("Алгебра.md")
        await session.wait_for_codes(uri, lambda codes: codes == ALL_CODES)
        (vault / ".notels.toml").write_text('[rules]\nduplicate-id = "off"\n', encoding="utf-8")
        session.notify_files((".notels.toml", types.FileChangeType.Created))
        await session.wait_for_codes(uri, lambda codes: "duplicate-id" not in codes)

        (vault / ".notels.toml").write_text("[rules\n", encoding="utf-8")  # broken TOML
        session.notify_files((".notels.toml", types.FileChangeType.Changed))
        await wait_until(lambda: bool(session.client.messages))
        assert ".notels.toml" in session.client.messages[0].message
        assert "duplicate-id" not in session.codes(uri)  # the previous config stays


async def test_note_types_in_settings_add_to_those_of_the_vault_file(vault: Path) -> None:
    # Settings go "on top of the vault's .notels.toml" (editors/vscode/README.md), and only
    # `ignore` is said to replace the file's list; `rules` merge per code, and the extension
    # merges `notels.noteTypes` across its scopes per note type. Was: a `note-types` setting
    # for one type replaced the file's whole table, so the types configured there lost their
    # fields (and their unknown-field findings) as soon as the editor named another type.
    write_files(
        vault,
        {
            ".notels.toml": '[note-types]\nmath_complex = ["FRONT", "BACK"]\n',
            "Карта.md": (
                "TARGET DECK: d\n\nSome words here.\n\n"
                "START\nmath_complex\nFRONT: q\nBack: a\nID: 1737306548883\nEND\n"
            ),
        },
    )
    settings = {"note-types": {"Basic": ["Front", "Back"]}}
    async with editor(vault, settings=settings) as session:
        uri = session.open("Карта.md")
        codes = await session.wait_for_codes(uri, lambda codes: True)

    assert codes == ["unknown-field"]  # `Back:` is no field of math_complex, as the file says
