"""Review s32c: the typo quick fixes and alias rename, end to end."""

from __future__ import annotations

from pathlib import Path

from edit_harness import edit_editor
from lsp_harness import write_files
from lsprotocol import types


async def test_a_typo_fix_for_a_link_in_a_plain_frontmatter_value_does_not_fail_the_request(
    vault: Path,
) -> None:
    """`source: see [[ML basics]]` (an unquoted YAML value) is an unresolved link; the vault
    has a note aliased `ML: basics`. Asking for the quick fixes of that diagnostic, the editor
    gets an internal error (the RenameError of escape_in_link escapes code_actions: `: ` would
    end the plain scalar) and so not even "Create note 'ML basics'". The request should
    answer, leaving out the one fix that cannot be written there (or quoting the value)."""
    write_files(
        vault,
        {
            "Основы.md": "---\naliases: ['ML: basics']\n---\n# Основы\n",
            "Ссылки.md": "---\nsource: see [[ML basics]]\n---\nТекст 😀\n",
        },
    )
    async with edit_editor(vault) as (session, _):
        uri = session.open("Ссылки.md")
        await session.wait_for_codes(uri, lambda codes: "unresolved-link" in codes)
        (diagnostic,) = [d for d in session.diagnostics(uri) if d.code == "unresolved-link"]
        result = await session.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic]),
            )
        )

    titles = [a.title for a in result or () if isinstance(a, types.CodeAction)]
    assert "Create note 'ML basics'" in titles, titles
