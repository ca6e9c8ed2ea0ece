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


def test_a_path_link_to_a_note_whose_name_holds_a_dot_resolves() -> None:
    """`web/Node.js.md`, `releases/v1.2.md`: names with a dot are common (frameworks, versions).
    The bare `[[Node.js]]` finds the note; its path form `[[web/Node.js]]` is the link Obsidian
    itself writes for it (a note's link drops `.md`), so it opens it too. notels writes that form
    as well: completion offers it for a note that shares its name with another, and a move
    writes it when the bare name would open a namesake.

    Was: `[[web/Node.js]]` and `[[releases/v1.2]]` were reported as unresolved links (read as
    attachments `Node.js`, `v1.2` that do not exist), so the links completion and renames
    write for such notes were flagged as broken the moment they were written."""
    notes = {
        "Node.js.md": "Root.\n",
        "web/Node.js.md": "Web.\n",
        "releases/v1.2.md": "Notes.\n",
        "a.md": "[[web/Node.js]], [[releases/v1.2]], [[Node.js]].\n",
    }
    index = build_index(notes)
    assert index.resolve_target("Node.js", "a.md").path == "Node.js.md"  # as before
    assert index.resolve_target("web/Node.js", "a.md").paths == ("web/Node.js.md",)
    assert index.resolve_target("releases/v1.2", "a.md").paths == ("releases/v1.2.md",)
    assert codes(findings_for(notes, "a.md")) == ["ambiguous-link"]  # only the bare `Node.js`
