"""Shared helpers for the edit tests: a one-note (or small) vault, its findings and fixes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from notels.config import Config
from notels.edits.fixes import Fix, fixes_for_finding
from notels.edits.ids import IdGenerator, vault_ids
from notels.edits.text_edit import TextEdit, apply_edits
from notels.findings import Finding
from notels.rules import check_note
from notels.syntax.note import Note, parse_note
from notels.vault.index import VaultIndex

NOW = 1_750_000_000_000  # 2025-06-15: a fixed "now" keeps expected texts exact
PATH = "Note.md"


class Vault:
    def __init__(self, notes: Mapping[str, str], config: Config | None = None) -> None:
        self.config = config or Config()
        self.index = VaultIndex()
        for path, text in notes.items():
            self.index.set_note(path, parse_note(text))
        self.generator = IdGenerator(vault_ids(self.index), now_ms=lambda: NOW)

    def note(self, path: str = PATH) -> Note:
        return self.index.notes[path]

    def findings(self, path: str = PATH, code: str | None = None) -> list[Finding]:
        found = check_note(path, self.note(path), self.index, self.config)
        return [f for f in found if code is None or f.code == code]

    def fixes(self, code: str, path: str = PATH, **kwargs: object) -> list[Fix]:
        fixes: list[Fix] = []
        for finding in self.findings(path, code):
            fixes.extend(
                fixes_for_finding(
                    path,
                    self.note(path),
                    self.index,
                    self.config,
                    finding,
                    self.generator,
                    **kwargs,  # type: ignore[arg-type]
                )
            )
        return fixes


def fixed(text: str, code: str, config: Config | None = None, which: int = 0) -> str:
    """The note after the `which`-th fix offered for `code` findings."""
    fixes = Vault({PATH: text}, config).fixes(code)
    assert fixes, f"no fix for {code}"
    return apply_edits(text, fixes[which].edits)


def only_fix(text: str, code: str, config: Config | None = None) -> Fix:
    fixes = Vault({PATH: text}, config).fixes(code)
    assert len(fixes) == 1, fixes
    return fixes[0]


def remove_insertions(result: str, edits: Sequence[TextEdit]) -> str:
    """Undo pure insertions applied to some text: cut each inserted text back out."""
    shift = 0
    pieces: list[str] = []
    position = 0
    for edit in sorted(edits, key=lambda e: e.span.start):
        assert edit.is_insertion
        at = edit.span.start + shift
        assert result[at : at + len(edit.new_text)] == edit.new_text
        pieces.append(result[position:at])
        position = at + len(edit.new_text)
        shift += len(edit.new_text)
    pieces.append(result[position:])
    return "".join(pieces)
