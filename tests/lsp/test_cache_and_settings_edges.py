"""The persistent index cache and the configuration at their edges, through the real server:
what a warm start answers, caches from other configs or servers, bad settings and files."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from lsp_harness import (
    SERVER_DIR,
    Editor,
    capabilities,
    editor,
    index_finished,
    server_config,
    stop_client,
    wait_until,
    write_files,
)
from lsprotocol import types
from pytest_lsp import LanguageClient

OLD = 1_700_000_000  # a fixed past time: aging twice keeps the same mtimes


def age(root: Path, then: float = OLD) -> Path:
    for path in [root, *root.rglob("*")]:
        os.utime(path, (then, then), follow_symlinks=False)
    return root


def cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.index")) if cache.is_dir() else []


def indexed_lines(client: Any) -> list[str]:
    return [m.message for m in client.log_messages if m.message.startswith("indexed ")]


async def observe(
    root: Path,
    cache: Path | str,
    opened: list[str],
    queries: list[str],
    settle: float = 0.4,
) -> dict[str, Any]:
    """Diagnostics of the opened notes and workspace/symbol answers, normalized."""
    env = {"NOTELS_CACHE_DIR": str(cache)}
    async with editor(root, env=env) as session:
        await wait_until(lambda: bool(indexed_lines(session.client)))
        line = indexed_lines(session.client)[0]
        uris = [session.open(relative) for relative in opened]
        await wait_until(lambda: all(uri in session.client.diagnostics for uri in uris))
        await asyncio.sleep(settle)
        diagnostics = {
            relative: sorted(
                (d.range.start.line, d.range.start.character, str(d.code), d.message)
                for d in session.diagnostics(uri)
            )
            for relative, uri in zip(opened, uris, strict=True)
        }
        symbols = {}
        for query in queries:
            answer = await session.client.workspace_symbol_async(
                types.WorkspaceSymbolParams(query=query)
            )
            symbols[query] = [
                (
                    s.name,
                    int(s.kind),
                    Path(s.location.uri.removeprefix("file://")).name
                    if isinstance(s.location, types.Location)
                    else "",
                    s.location.range.start.line if isinstance(s.location, types.Location) else -1,
                )
                for s in answer or []
            ]
    return {"diagnostics": diagnostics, "symbols": symbols, "line": line}


def without_line(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "line"}


async def cold(root: Path, tmp_path: Path, opened: list[str], queries: list[str]) -> dict[str, Any]:
    fresh = tmp_path / f"cold-{time.monotonic_ns()}"
    result = await observe(root, fresh, opened, queries)
    assert "(0 from the cache)" in result["line"], result["line"]
    return result


async def test_warm_start_with_one_changed_note_answers_workspace_symbols_as_a_cold_start(
    vault: Path, tmp_path: Path
) -> None:
    """A note read again at a warm start keeps its place among tied workspace symbols, and
    within the limit of 150, as a cold start lists it."""
    files = {f"n{i:03}.md": f"# Shared\n\nText {i}.\n" for i in range(155)}
    files["main.md"] = "Main [[n001]].\n"
    age(write_files(vault, files))
    cache = tmp_path / "cache"
    await observe(vault, cache, ["main.md"], ["Shared"])
    assert cache_files(cache)
    (vault / "n001.md").write_text("# Shared\n\nText one, longer.\n", encoding="utf-8")
    age(vault)
    warm = await observe(vault, cache, ["main.md"], ["Shared"])
    assert "(155 from the cache)" in warm["line"], warm["line"]
    expected = await cold(vault, tmp_path, ["main.md"], ["Shared"])
    cold_files = [s[2] for s in expected["symbols"]["Shared"]]
    warm_files = [s[2] for s in warm["symbols"]["Shared"]]
    assert "n001.md" in cold_files  # a cold start finds it second
    assert "n001.md" in warm_files, len(warm_files)  # past the limit of 150 when warm
    assert warm_files == cold_files


BAD_UTF8 = b"# Bad\n\nLatin-1: caf\xe9 [[A]]\n"
VAULT = {
    "A.md": (
        "---\naliases: [Alpha]\n---\n# Alpha heading\n\nSee [[B]], [[C#Missing]] and [[Gone]].\n\n"
        "TARGET DECK: d\nSTART\nBasic\nFront: one\nBack: two\nID: 1737306548883\nEND\n"
    ),
    "B.md": (
        "# Beta\n\nTARGET DECK: d\nSTART\nBasic\nFront: copy\nBack: two\nID: 1737306548883\nEND\n"
        "[[C#Gamma]] [[Alpha]]\n"
    ),
    "C.md": "# Gamma\n\n## Delta\n\nText [[A#Alpha heading]].\n",
    "Templates/T.md": "# Template\n\n[[Nowhere]]\n",
}
OPENED = ["A.md", "B.md"]
QUERIES = ["a", "Beta", "Alpha", "Gamma", "one", "Template", "Bad"]


def make_vault(vault: Path, extra: dict[str, str] | None = None) -> Path:
    write_files(vault, {**VAULT, **(extra or {})})
    (vault / "bad.md").write_bytes(BAD_UTF8)
    return age(vault)


async def warm_then_compare(vault: Path, tmp_path: Path, cache: Path | str) -> dict[str, Any]:
    warm = await observe(vault, cache, OPENED, QUERIES)
    expected = await cold(vault, tmp_path, OPENED, QUERIES)
    if without_line(warm) != without_line(expected):
        for part in ("diagnostics", "symbols"):
            for key in expected[part]:
                if warm[part][key] != expected[part][key]:
                    print(
                        "DIFF",
                        part,
                        key,
                        "\nwarm:",
                        warm[part][key],
                        "\ncold:",
                        expected[part][key],
                    )
    assert without_line(warm) == without_line(expected)
    return warm


async def test_cache_folder_that_is_a_file_or_unwritable(vault: Path, tmp_path: Path) -> None:
    """a cache "folder" that is a file, or a cache file that is a folder: no cache."""
    make_vault(vault)
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    await warm_then_compare(vault, tmp_path, blocker)
    assert blocker.read_text() == "not a folder"
    cache = tmp_path / "cache"
    await observe(vault, cache, OPENED, QUERIES)
    (path,) = cache_files(cache)
    path.unlink()
    path.mkdir()
    await warm_then_compare(vault, tmp_path, cache)


async def test_cache_from_another_ignore_config(vault: Path, tmp_path: Path) -> None:
    """a cache written under other `ignore` globs answers as a cold start."""
    make_vault(vault, {".notels.toml": 'ignore = ["Templates/**", "C.md"]\n'})
    cache = tmp_path / "cache"
    await observe(vault, cache, OPENED, QUERIES)
    (vault / ".notels.toml").write_text('ignore = ["B.md"]\n', encoding="utf-8")
    age(vault)
    await warm_then_compare(vault, tmp_path, cache)
    (vault / ".notels.toml").write_text("", encoding="utf-8")
    age(vault)
    await warm_then_compare(vault, tmp_path, cache)


async def test_two_servers_on_one_vault_at_once(vault: Path, tmp_path: Path) -> None:
    """two servers writing one cache, the older last: the next start is still right."""
    make_vault(vault)
    cache = tmp_path / "cache"
    env = {"NOTELS_CACHE_DIR": str(cache)}
    async with editor(vault, env=env) as one:
        one.open("A.md")
        # The second server starts after a note changed on disk; the first never hears of it.
        (vault / "C.md").write_text("# Gamma changed\n\nText [[A#Nope]].\n", encoding="utf-8")
        age(vault)
        async with editor(vault, env=env) as two:
            two.open("B.md")
            await asyncio.sleep(0.3)
        # `two` wrote its cache at shutdown; `one` writes its older one now.
    assert cache_files(cache)
    await warm_then_compare(vault, tmp_path, cache)


# --- configuration ------------------------------------------------------------------------

NOTE = "# Note\n\nSTART\nBasic\nFront: q\nBack: a\nEND\n[[Nowhere]]\n"


def push(session: Editor, settings: object) -> None:
    session.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=settings)
    )


def errors(session: Editor) -> list[str]:
    return [m.message for m in session.client.messages if m.type == types.MessageType.Error]


@asynccontextmanager
async def multi_editor(
    roots: list[Path],
    settings: dict[str, Any] | None = None,
    init_options: Any = None,
    configuration: bool = True,
) -> AsyncIterator[Editor]:
    client = await server_config().start()
    assert isinstance(client, LanguageClient)
    session = Editor(client, roots[0])

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        session.registrations.extend(params.registrations)

    if settings is not None:
        client.set_configuration(settings, section="notels")
    caps = capabilities()
    if not configuration:
        assert caps.workspace is not None
        caps.workspace.configuration = False
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=caps,
                workspace_folders=[
                    types.WorkspaceFolder(uri=root.as_uri(), name=root.name) for root in roots
                ],
                initialization_options=init_options,
            )
        )
        await wait_until(
            lambda: (
                sum(
                    any(isinstance(v, types.WorkDoneProgressEnd) for v in reports)
                    for reports in client.progress_reports.values()
                )
                >= len(roots)
            )
        )
        assert index_finished(client)
        yield session
        await client.shutdown_session()
    finally:
        await stop_client(client)


def check_json(*args: str) -> tuple[int, Any, str]:
    done = subprocess.run(
        [sys.executable, "-m", "notels", "check", *args, "--format", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SERVER_DIR)},
    )
    try:
        found = json.loads(done.stdout) if done.stdout.strip() else None
    except json.JSONDecodeError:
        found = None
    return done.returncode, found, done.stderr


async def test_a_settings_section_that_is_no_object_keeps_the_previous_settings(
    vault: Path,
) -> None:
    """`{"notels": "junk"}` (or a list, a number) is an error and keeps the previous settings."""
    write_files(vault, {"n.md": NOTE})
    async with editor(vault) as session:
        uri = session.open("n.md")
        await session.wait_for_codes(uri, lambda codes: "missing-id" in codes)
        push(session, {"notels": {"rules": {"missing-id": "off"}}})
        await session.wait_for_codes(uri, lambda codes: "missing-id" not in codes)
        for junk in ("junk", [1, 2], 5, True):
            push(session, {"notels": junk})
            await asyncio.sleep(0.5)
            assert "missing-id" not in session.codes(uri), junk
        assert len(errors(session)) == 4, errors(session)
        # An empty list is what Lua sends for an empty table (Neovim's `notels = {}`): no
        # settings, and no error.
        push(session, {"notels": []})
        await session.wait_for_codes(uri, lambda codes: "missing-id" in codes)
        assert len(errors(session)) == 4, errors(session)


async def test_one_bad_setting_is_reported_once_whatever_the_vaults(tmp_path: Path) -> None:
    """A bad setting with two vaults open is reported once, and not again while it stays (an
    editor may hand the same settings over twice: Neovim pushes them, then answers the
    server's request); another mistake, or the same one made again after a fix, is."""
    one = write_files(tmp_path / "one", {"n.md": NOTE})
    two = write_files(tmp_path / "two", {"n.md": NOTE})
    async with multi_editor([one, two], settings={"rules": {"no-such-rule": "off"}}) as session:
        await asyncio.sleep(0.5)
        first = errors(session)
        push(session, {"notels": {"rules": {"no-such-rule": "off"}}})
        await asyncio.sleep(0.5)
        same_again = errors(session)[len(first) :]
        push(session, {"notels": {"rules": {"other-rule": "off"}}})
        await wait_until(lambda: len(errors(session)) > len(first))
        another = errors(session)[len(first) :]
        push(session, {"notels": {"rules": {}}})
        push(session, {"notels": {"rules": {"no-such-rule": "off"}}})
        await wait_until(lambda: len(errors(session)) > len(first) + len(another))
        after_a_fix = errors(session)[len(first) + len(another) :]
    assert len(first) == 1, first
    assert same_again == []
    assert len(another) == 1 and "other-rule" in str(another[0]), another
    assert len(after_a_fix) == 1 and "no-such-rule" in str(after_a_fix[0]), after_a_fix


async def test_bad_settings_keep_the_previous_ones_for_a_vault_that_joins_later(
    tmp_path: Path,
) -> None:
    """After a bad settings push, a vault brought in later gets the last valid settings."""
    one = write_files(tmp_path / "one", {"n.md": NOTE})
    two = write_files(tmp_path / "two", {"n.md": NOTE})
    async with editor(one) as session:
        uri = session.open("n.md")
        push(session, {"notels": {"rules": {"missing-id": "off"}}})
        await session.wait_for_codes(uri, lambda codes: "missing-id" not in codes)
        push(session, {"notels": {"rules": {"missing-id": "bogus"}}})
        await wait_until(lambda: bool(errors(session)))
        # A note of another vault, opened outside the workspace folder, brings that vault in.
        other = (two / "n.md").as_uri()
        session.versions[other] = 1
        session.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=other, language_id="markdown", version=1, text=NOTE
                )
            )
        )
        codes = await session.wait_for_codes(other, lambda codes: "unresolved-link" in codes)
        assert "missing-id" not in session.codes(uri)
    assert "missing-id" not in codes


def check_codes(root: Path, relative: str) -> tuple[int, list[str]]:
    rc, found, err = check_json(str(root), "--exit-zero")
    if found is None:
        return rc, [err]
    target = (root / relative).resolve()
    return rc, sorted(f["code"] for f in found if Path(f["path"]).resolve() == target)


TOML_CASES = {
    "bom_crlf": '\ufeffignore = ["x/**"]\r\n[rules]\r\nmissing-id = "off"\r\n',
    "unknown_key": '[rules]\nmissing-id = "off"\n\nno-such-key = 1\n',
    "wrong_type": 'debounce-ms = "fast"\n',
    "unknown_rule": '[rules]\nmissing-idd = "off"\n',
    "bad_glob": 'ignore = ["[", "**/[!", "\\\\"]\n[rules]\nmissing-id = "off"\n',
    "invalid_toml": "[rules\nmissing-id = off\n",
    "bool_rule": "[rules]\nmissing-id = false\n",
    "latin1": b'# caf\xe9\n[rules]\nmissing-id = "off"\n'.decode("latin-1"),
}


async def test_vault_file_variants_agree_with_check(tmp_path: Path) -> None:
    """each `.notels.toml` variant: one error at most, and the codes `check` reports."""
    for name, text in TOML_CASES.items():
        root = write_files(tmp_path / name, {"n.md": NOTE})
        data = text.encode("latin-1") if name == "latin1" else text.encode("utf-8")
        (root / ".notels.toml").write_bytes(data)
        rc, expected = check_codes(root, "n.md")
        async with editor(root) as session:
            opened = session.open("n.md")
            await wait_until(lambda s=session, u=opened: u in s.client.diagnostics)
            await asyncio.sleep(0.4)
            got = session.codes(opened)
            shown = errors(session)
        if rc == 2:
            assert len(shown) == 1, (name, shown)
            assert ".notels.toml" in shown[0], (name, shown)
        else:
            assert rc == 0 and shown == [], (name, rc, shown)
            assert got == expected, (name, got, expected)


async def test_settings_change_and_file_change_together(vault: Path, tmp_path: Path) -> None:
    """an ignore change in settings and a note change on disk in one go: as a fresh start."""
    write_files(
        vault,
        {
            "main.md": "[[a]] [[b]] [[c#H2]]\n",
            "a.md": "# A\n",
            "b.md": "# B\n",
            "c.md": "# H1\n",
            "sub/d.md": "[[main]]\n",
        },
    )
    async with editor(vault) as session:
        uri = session.open("main.md")
        await session.wait_for_codes(uri, lambda codes: "unresolved-heading" in codes)
        (vault / "c.md").write_text("# H2\n", encoding="utf-8")
        (vault / "b.md").unlink()
        push(session, {"notels": {"ignore": ["a.md"]}})
        session.notify_files(
            ("c.md", types.FileChangeType.Changed), ("b.md", types.FileChangeType.Deleted)
        )
        push(session, {"notels": {"ignore": ["a.md"], "rules": {"missing-target-deck": "off"}}})
        await asyncio.sleep(1.0)
        got = sorted((d.range.start.character, str(d.code)) for d in session.diagnostics(uri))
    async with editor(
        vault, settings={"ignore": ["a.md"], "rules": {"missing-target-deck": "off"}}
    ) as fresh:
        uri = fresh.open("main.md")
        await wait_until(lambda: uri in fresh.client.diagnostics)
        await asyncio.sleep(0.4)
        expected = sorted((d.range.start.character, str(d.code)) for d in fresh.diagnostics(uri))
    assert got == expected


async def test_vault_file_errors_name_the_line_of_the_value(tmp_path: Path) -> None:
    """A bad value in a `[table]`, an inline table or a dotted key is reported at its line."""
    cases = {
        'debounce-ms = 10\n\n[note-types]\nBasic = "Front"\n': (3, 4),
        'debounce-ms = 10\nrules = { missing-id = "bogus" }\n': (2,),
        'debounce-ms = 10\n\nrules.missing-id = "bogus"\n': (3,),
    }
    wrong = {}
    for n, (text, lines) in enumerate(cases.items()):
        root = write_files(tmp_path / f"v{n}", {"n.md": NOTE})
        (root / ".notels.toml").write_text(text, encoding="utf-8")
        rc, _, stderr = check_json(str(root))
        assert rc == 2, stderr
        if not any(f".notels.toml:{line}:" in stderr for line in lines):
            wrong[text] = stderr.strip()
        async with editor(root) as session:
            await wait_until(lambda: bool(errors(session)))
            (shown,) = errors(session)
            assert shown.split(".notels.toml:")[1] in stderr  # the server says the same
    assert wrong == {}


async def test_a_folder_opened_inside_a_vault_gets_the_folders_own_settings(
    tmp_path: Path,
) -> None:
    """VS Code keeps settings per workspace folder; a folder opened inside a vault stands for
    the vault, whose root lies outside it. Was: the settings were asked for at the vault's
    root, where the folder's own settings do not reach: they were never applied."""
    vault = write_files(
        tmp_path / "vault",
        {".obsidian/app.json": "{}", "sub/n.md": "START\nBasic\nFront: q\nBack: a\nEND\n"},
    )
    folder = vault / "sub"
    async with editor(folder) as session:
        uri = session.open("n.md")
        await session.wait_for_codes(uri, lambda codes: "missing-id" in codes)
        session.client.set_configuration(
            {"rules": {"missing-id": "off"}}, section="notels", scope_uri=folder.as_uri()
        )
        push(session, None)  # a pull-style client: the server asks again
        codes = await session.wait_for_codes(uri, lambda codes: "missing-id" not in codes)
    assert "missing-id" not in codes
