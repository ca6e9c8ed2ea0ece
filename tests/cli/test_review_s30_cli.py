"""Review s30 (CLI and output formats): `notels check` as a demanding CI user runs it.

Each test drives the real CLI in a subprocess on a small vault written here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from vaults import run_check_bytes, write_vault

_PLUGIN_ID = re.compile(r"(?:<!--)?ID: (\d+)")  # Obsidian_to_Anki's Note.ID_REGEXP


def plugin_card(block: str) -> tuple[str | None, list[str], list[str]]:
    """(ID, tags, remaining lines) of a block's text as the sync plugin's `Note` reads it:
    trimmed, split at `\\n`, the ID popped from the last line, then `Tags: ` from the new last
    line (src/note.ts: getIdentifier, then getTags)."""
    lines = block.strip().split("\n")
    card_id = None
    match = _PLUGIN_ID.search(lines[-1])
    if match:
        card_id = match.group(1)
        lines.pop()
    tags: list[str] = []
    if lines[-1].startswith("Tags: "):
        tags = lines.pop()[len("Tags: ") :].split(" ")
    return card_id, tags, lines


def only_block(text: str) -> str:
    (block,) = re.findall(r"^START\n([\s\S]*?\n)END", text, re.MULTILINE)
    return block


def test_fix_gives_an_id_without_turning_the_cards_tags_into_field_text(tmp_path: Path) -> None:
    """A card whose `Tags:` line is followed by a blank line before END: the plugin trims the
    block, so `Tags: exam calculus` is its last line and the card has those tags. `--fix`
    inserts `ID: n` at the start of the END line, after the blank line: then the ID is the
    last line and the line above it is blank, so the plugin (and notels' own parser) read
    `Tags: exam calculus` as text of the FRONT field and the card loses its tags. A safe fix
    must leave the card as the plugin reads it, but for its new ID."""
    note = "Text.\nSTART\nBasic\nFRONT: q\nTags: exam calculus\n\nEND\n"
    vault = write_vault(tmp_path, {"a.md": note})
    assert plugin_card(only_block(note)) == (None, ["exam", "calculus"], ["Basic", "FRONT: q"])

    result = run_check_bytes("--fix", "--select", "missing-id", cwd=vault, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    fixed = (vault / "a.md").read_text(encoding="utf-8")
    card_id, tags, lines = plugin_card(only_block(fixed))
    assert card_id is not None, fixed  # the fix did give the card an ID
    assert (tags, lines) == (["exam", "calculus"], ["Basic", "FRONT: q"]), fixed


def annotations(stdout: bytes) -> list[dict[str, str]]:
    """The properties of each `::level prop=value,...::message` line."""
    found = []
    for line in stdout.decode().splitlines():
        properties = line.split(" ", 1)[1].split("::", 1)[0]
        found.append(dict(item.split("=", 1) for item in properties.split(",")))
    return found


def test_github_annotation_spanning_lines_carries_no_columns(tmp_path: Path) -> None:
    """GitHub's toolkit (AnnotationProperties) says `col` and `endColumn` cannot be sent when
    `line` and `endLine` differ, and the runner's ValidateLinesAndColumns drops them with an
    "Invalid warning command value" message. An empty `TARGET DECK` followed by a blank line
    is reported from 2:1 to 3:1 (the span holds the line break), and is annotated
    `line=2,col=1,endLine=3,endColumn=1`: a command the runner has to repair."""
    note = "Text.\nTARGET DECK\n\nSTART\nBasic\nFRONT: q\nID: 1737306548883\nEND\n"
    vault = write_vault(tmp_path, {"a.md": note})
    result = run_check_bytes("--format", "github", cwd=vault, timeout=60)
    found = annotations(result.stdout)
    assert any(a["title"] == "notels empty-target-deck" for a in found), result.stdout.decode()
    for annotation in found:
        if annotation["line"] != annotation.get("endLine", annotation["line"]):
            assert "col" not in annotation and "endColumn" not in annotation, annotation


def test_a_workspace_named_through_a_symlink_still_names_files_from_its_root(
    tmp_path: Path,
) -> None:
    """GITHUB_WORKSPACE may name the checkout through a symlink (a self-hosted runner whose
    `_work` folder links to a larger disk; `/tmp` and `/var` on macOS). A step run in `notes/`
    must still annotate `notes/a.md`: the working folder is the same folder, reached by its
    real path. Today checkout_path compares the real path of the file with the unresolved
    workspace, finds it "outside", and falls back to `a.md`, which GitHub and code scanning
    read from the repository root: a file that does not exist."""
    real = tmp_path / "disk" / "repo"
    write_vault(real / "notes", {"a.md": "Text [[Nope]]\n"})
    workspace = tmp_path / "work"
    workspace.symlink_to(real, target_is_directory=True)
    env = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace)}

    github = run_check_bytes("--format", "github", cwd=workspace / "notes", env=env, timeout=60)
    (annotation,) = annotations(github.stdout)
    assert annotation["file"] in ("notes/a.md", str(workspace / "notes" / "a.md")), annotation

    sarif = run_check_bytes("--format", "sarif", cwd=workspace / "notes", env=env, timeout=60)
    (result,) = json.loads(sarif.stdout)["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "notes/a.md", uri
