"""Pure edit builders: new Anki IDs and quick fixes, as TextEdits on a note's text."""

from notels.edits.fixes import (
    SAFE_CODES,
    Fix,
    fixes_for_finding,
    missing_id_edits_for_vault,
    safe_fix_list,
    safe_fixes,
)
from notels.edits.ids import IdGenerator, generator_for_vault, vault_ids
from notels.edits.text_edit import TextEdit, apply_edits

__all__ = [
    "SAFE_CODES",
    "Fix",
    "IdGenerator",
    "TextEdit",
    "apply_edits",
    "fixes_for_finding",
    "generator_for_vault",
    "missing_id_edits_for_vault",
    "safe_fix_list",
    "safe_fixes",
    "vault_ids",
]
