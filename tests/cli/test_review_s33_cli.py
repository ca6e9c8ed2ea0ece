"""Review s33 (CLI as CI meets it): `notels check` wired into GitHub Actions, pre-commit, GitLab.

Each test drives the real CLI in a subprocess on a small vault written here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from vaults import run_check_bytes, write_vault

# SARIF 2.1.0 §3.11.5: a message string's `{n}` is a placeholder for `arguments[n]`, and
# "the characters '{' and '}' SHALL be represented by the character sequences '{{' and '}}'".
_PLACEHOLDER = re.compile(r"\{(\d+)\}")


def sarif_shown(text: str, arguments: list[str]) -> str:
    """A message string as a SARIF viewer shows it (§3.11.5): `{{` and `}}` are braces,
    `{n}` the n-th argument, and a lone brace is no valid message string."""
    shown: list[str] = []
    position = 0
    while position < len(text):
        if text.startswith(("{{", "}}"), position):
            shown.append(text[position])
            position += 2
            continue
        placeholder = _PLACEHOLDER.match(text, position)
        if placeholder is not None:
            shown.append(arguments[int(placeholder.group(1))])  # IndexError: none given
            position = placeholder.end()
            continue
        assert text[position] not in "{}", f"a lone brace at {position} of {text!r}"
        shown.append(text[position])
        position += 1
    return "".join(shown)


def test_sarif_messages_show_the_braces_of_a_note_name(tmp_path: Path) -> None:
    """A note made from a template outside Templater keeps `[[{{title}}]]`; another links
    `[[Note {0}]]`. The SARIF report's message text carries the names as they are, so a viewer
    (code scanning, the VS Code SARIF viewer) shows `'{title}'`, and reads `{0}` as a
    placeholder whose argument the result does not have: invalid SARIF (§3.11.11)."""
    vault = write_vault(tmp_path, {"a.md": "From a template: [[{{title}}]] and [[Note {0}]].\n"})
    result = run_check_bytes("--format", "sarif", cwd=vault, timeout=60)
    results = json.loads(result.stdout)["runs"][0]["results"]
    shown = sorted(
        sarif_shown(r["message"]["text"], r["message"].get("arguments", [])) for r in results
    )
    assert shown == [
        "No note named 'Note {0}' in the vault. Create it or fix the name.",
        "No note named '{{title}}' in the vault. Create it or fix the name.",
    ]
