"""Note names as Obsidian matches them across platforms: letter case in every script, Unicode
normalization, and the characters a name may hold."""

from __future__ import annotations

from notels.vault.resolve import ResolutionKind
from vaults import build_index, codes, findings_for


def test_a_greek_name_ending_in_capital_sigma_is_found_by_its_own_spelling() -> None:
    """`ΟΔΟΣ.md` (all capitals, as Greek titles are often written): a link that spells the name
    exactly, `[[ΟΔΟΣ]]`, opens it in Obsidian, and so does the lowercase `[[οδος]]`, which ends
    in the final sigma `ς` as Greek is written.

    The note's key is lowered with its `.md` still on, where `Σ` is not at the end of a word and
    lowers to `σ` (`οδοσ`), while a link's target lowers with `Σ` last, to the final `ς`
    (`οδος`): the two keys never meet.

    Was: `[[ΟΔΟΣ]]`, `[[οδος]]` and `[[Ε/ΟΔΟΣ]]` were reported as unresolved links (and resolved
    to nothing: no definition, no backlinks), while `[[ΟΔΟΣ.md]]` resolved."""
    notes = {
        "ΟΔΟΣ.md": "Κείμενο.\n",
        "Ε/ΝΟΜΟΣ.md": "Κείμενο.\n",
        "a.md": "[[ΟΔΟΣ]], [[οδος]], [[Ε/ΝΟΜΟΣ]], [[ΝΟΜΟΣ]].\n",
    }
    index = build_index(notes)
    assert index.resolve_target("ΟΔΟΣ.md", "a.md").paths == ("ΟΔΟΣ.md",)  # as before
    for target, path in (
        ("ΟΔΟΣ", "ΟΔΟΣ.md"),
        ("οδος", "ΟΔΟΣ.md"),
        ("Ε/ΝΟΜΟΣ", "Ε/ΝΟΜΟΣ.md"),
        ("ΝΟΜΟΣ", "Ε/ΝΟΜΟΣ.md"),
    ):
        resolution = index.resolve_target(target, "a.md")
        assert (resolution.kind, resolution.paths) == (ResolutionKind.NOTE, (path,)), target
    assert codes(findings_for(notes, "a.md")) == []
