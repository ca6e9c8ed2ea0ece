"""`notels check` as a CI job meets it: annotations and SARIF named from the checkout's root,
PATH lists from a pre-commit hook, and `--diff` / `--fix` through symlinks into ignored folders."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

from vaults import run_check_bytes, write_vault

CARD = "Text.\nSTART\nBasic\nFRONT: q\nEND\n"  # a card without an ID (fixable)


def annotation_files(stdout: bytes) -> list[str]:
    files = []
    for line in stdout.decode().splitlines():
        properties = line.split(" ", 1)[1].split("::", 1)[0]
        (value,) = [p[len("file=") :] for p in properties.split(",") if p.startswith("file=")]
        files.append(value.replace("%3A", ":").replace("%2C", ",").replace("%25", "%"))
    return files


def test_github_annotations_name_files_from_the_workspace_not_the_working_folder(
    tmp_path: Path,
) -> None:
    """The runner passes a relative `file=` through as a path from the repository root
    (GITHUB_WORKSPACE); only an absolute one is made relative to it. A job that runs notels
    in the vault's folder (`working-directory: notes`) must still annotate `notes/a.md`."""
    workspace = tmp_path / "repo"
    vault = write_vault(workspace / "notes", {"a.md": "Text [[Nope]]\n"})
    env = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace)}
    result = run_check_bytes("--format", "github", cwd=vault, env=env)
    (name,) = annotation_files(result.stdout)
    resolved = Path(name) if os.path.isabs(name) else workspace / name
    assert resolved == vault / "a.md", (name, result.stdout.decode())


def test_sarif_uris_name_files_from_the_workspace_not_the_working_folder(
    tmp_path: Path,
) -> None:
    """Code scanning reads a relative `artifactLocation.uri` (no `uriBaseId`) as a path from
    the repository root (upload-sarif's `checkout_path`, GITHUB_WORKSPACE): run in the
    vault's folder, the alert must still name `notes/a.md`, not `a.md` at the root."""
    workspace = tmp_path / "repo"
    vault = write_vault(workspace / "notes", {"a.md": "Text [[Nope]]\n"})
    env = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace)}
    result = run_check_bytes("--format", "sarif", cwd=vault, env=env)
    (location,) = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]
        for r in json.loads(result.stdout)["runs"][0]["results"]
    ]
    uri = location["uri"]
    if uri.startswith("file:"):
        assert unquote(urlparse(uri).path) == str(vault / "a.md"), uri
    else:
        assert "uriBaseId" not in location or location["uriBaseId"] == "%SRCROOT%", location
        assert workspace / unquote(uri) == vault / "a.md", location


def test_a_file_path_inside_another_file_paths_vault_is_judged_in_that_vault(
    tmp_path: Path,
) -> None:
    """README: "a PATH inside another PATH's vault belongs to that vault". pre-commit passes
    the changed notes one by one (`notels check x.md sub/y.md`): in a repository without
    `.obsidian/` (often git-ignored), sub/y.md lies in the vault of x.md (the top folder), so
    the duplicate ID the two share is reported on both, as `notels check .` reports it, and
    [[x]] from sub/y.md resolves."""
    card = "TARGET DECK: d\nWords [[{}]].\nSTART\nBasic\nFRONT: q\nID: 1737306548883\nEND\n"
    (tmp_path / "sub").mkdir()
    (tmp_path / "x.md").write_text(card.format("y"), encoding="utf-8")
    (tmp_path / "sub" / "y.md").write_text(card.format("x"), encoding="utf-8")
    whole = json.loads(run_check_bytes("--format", "json", ".", cwd=tmp_path).stdout)
    listed = json.loads(
        run_check_bytes("--format", "json", "x.md", "sub/y.md", cwd=tmp_path).stdout
    )
    found = sorted((r["path"], r["code"]) for r in listed)
    assert found == sorted((r["path"], r["code"]) for r in whole), found
    assert found == [("sub/y.md", "duplicate-id"), ("x.md", "duplicate-id")]


def test_diff_of_a_symlink_into_an_ignored_folder_applies(tmp_path: Path) -> None:
    """A symlink into an ignored folder is indexed as a note (README), and --fix rewrites its
    target, keeping the link. --diff must name a file `patch -p1` and `git apply` can change:
    both refuse to patch through a symlink (`link.md is not a regular file`)."""
    for tool in ("patch", "git"):
        vault = write_vault(
            tmp_path / tool,
            {".notels.toml": 'ignore = ["Templates/**"]\n', "Templates/real.md": CARD},
        )
        (vault / "link.md").symlink_to(Path("Templates") / "real.md")
        diff = run_check_bytes("--diff", cwd=vault)
        assert diff.returncode == 1, diff.stderr.decode()
        if tool == "patch":
            command = ["patch", "-p1", "--batch", "--fuzz=0"]
        else:
            subprocess.run(["git", "init", "-q", "."], cwd=vault, check=True, capture_output=True)
            command = ["git", "apply", "-"]
        applied = subprocess.run(command, input=diff.stdout, cwd=vault, capture_output=True)
        assert applied.returncode == 0, (tool, diff.stdout.decode(), applied.stdout, applied.stderr)
        assert (vault / "link.md").is_symlink()
        assert b"\nID: " in (vault / "Templates" / "real.md").read_bytes()


def test_two_symlinks_to_one_note_in_an_ignored_folder_settle_after_one_fix(
    tmp_path: Path,
) -> None:
    """Two symlinks into an ignored folder naming the same note are one note (as two
    symlinks to a walked note are): no duplicate-id between a card and itself, and `--fix`
    gives the card one ID once. Here the first --fix refuses one name ("changed on disk"), the
    check then reports duplicate-id errors, and every further --fix gives the one card a new
    ID (the plugin would recreate it in Anki on each sync): a second run must change nothing."""
    card = "TARGET DECK: d\nText.\nSTART\nBasic\nFRONT: q\nEND\n"
    vault = write_vault(
        tmp_path, {".notels.toml": 'ignore = ["Shared/**"]\n', "Shared/real.md": card}
    )
    (vault / "one.md").symlink_to(Path("Shared") / "real.md")
    (vault / "two.md").symlink_to(Path("Shared") / "real.md")
    run_check_bytes("--fix", cwd=vault)
    fixed = (vault / "Shared" / "real.md").read_bytes()
    assert b"\nID: " in fixed
    again = run_check_bytes("--fix", cwd=vault)
    assert (vault / "Shared" / "real.md").read_bytes() == fixed, again.stdout.decode()
    check = run_check_bytes(cwd=vault)
    assert b"duplicate-id" not in check.stdout, check.stdout.decode()
    assert check.returncode == 0


def test_a_note_at_a_repositorys_top_does_not_make_it_the_vault_of_the_vault_below(
    tmp_path: Path,
) -> None:
    """pre-commit passes `README.md vault/y.md`: the top folder has no marker, `vault/` has
    `.obsidian/`. y.md is judged in its vault, as `notels check vault` judges it, not in a
    vault of the whole repository (where a copy of its card elsewhere is a duplicate)."""
    card = "TARGET DECK: d\nWords.\nSTART\nBasic\nFRONT: q\nID: 1737306548883\nEND\n"
    (tmp_path / "README.md").write_text("# Repo\n", encoding="utf-8")
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "copy.md").write_text(card, encoding="utf-8")
    write_vault(tmp_path / "vault", {"y.md": card})
    alone = json.loads(run_check_bytes("--format", "json", "vault", cwd=tmp_path).stdout)
    listed = json.loads(
        run_check_bytes("--format", "json", "README.md", "vault/y.md", cwd=tmp_path).stdout
    )
    in_vault = [(r["path"], r["code"]) for r in listed if r["path"].startswith("vault/")]
    assert in_vault == [(r["path"], r["code"]) for r in alone]
    assert "duplicate-id" not in [r["code"] for r in listed]
