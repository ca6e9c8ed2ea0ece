"""After a long random editing session, the server says exactly what a fresh `notels check` says.

Each seed runs one session (soak_session.py): a vault of Cyrillic, emoji and CRLF notes with
links, headings, block ids, aliases and Anki cards (duplicate and missing IDs), then random
steps: opens, incremental and multi-change edits, typing, closes, saves, files changed,
created, deleted and renamed on disk (renames through willRenameFiles, whose edit is applied
as an editor applies it). Once the server is quiet, every open note's last published
diagnostics equal `notels check` on the final texts, and every closed note shows none.
"""

from __future__ import annotations

import random
from pathlib import Path
from pprint import pformat

import pytest
from lsp_harness import editor
from soak_session import Soak, start_vault

pytestmark = pytest.mark.timeout(120)


async def run_seed(
    vault: Path,
    seed: int,
    steps: int,
    capfd: pytest.CaptureFixture[str] | None = None,
    pull: bool = False,
    early: bool = False,
    utf16: bool = False,
    rapid: bool = False,
    workers: bool = False,
) -> Soak:
    """`early`: the steps begin before the first indexing ends. `workers`: a pulling session
    whose final workspace pull comes first, its notes checked by worker processes (see
    lsp/warm_findings.py), whatever the vault's size."""
    disk = start_vault(vault)
    async with editor(
        vault,
        encodings=None if utf16 else ["utf-32"],
        pull=pull,
        wait_for_index=not early,
        env={"NOTELS_INDEX_PROCESSES": "2"} if workers else None,
    ) as session:
        soak = Soak(session, random.Random(seed), disk=disk, utf16=utf16, rapid=rapid)
        for _ in range(steps):
            await soak.random_step()
        differences = await (soak.finish_pull(whole_first=workers) if pull else soak.finish())
        report = "\n".join(soak.steps)
        if differences:
            dump = Path("/tmp/soak_fail")
            dump.mkdir(exist_ok=True)
            (dump / f"{seed}{'p' if pull else ''}.steps").write_text(
                report + "\n", encoding="utf-8"
            )
            (dump / f"{seed}{'p' if pull else ''}.diff").write_text(
                pformat(differences, width=120), encoding="utf-8"
            )
        assert differences == {}, f"seed {seed}: {differences}\nsteps:\n{report}"
        assert soak.server_errors() == [], soak.server_errors()
        if workers:
            checked = [m.message for m in session.client.log_messages if "worker proc" in m.message]
            assert checked, "no worker process checked the notes"
        kinds = sorted({step.split("(")[0] for step in soak.steps})
        summary = (
            f"seed {seed}: {len(soak.steps)} steps {kinds}; {len(soak.compared)} notes, "
            f"{sum(soak.compared.values())} findings compared "
            f"({soak.related_compared} with related locations)"
        )
    if capfd is not None:
        # The server's stderr (pytest-lsp forwards it): its log at WARNING and above.
        err = capfd.readouterr().err
        bad = [
            line
            for line in err.splitlines()
            if "ERROR" in line or "Traceback" in line or "WARNING" in line
        ]
        assert bad == [], "\n".join(bad)
        with capfd.disabled():
            print(summary)
    return soak


@pytest.mark.parametrize("seed", [1, 2])
async def test_a_random_session_ends_as_check_says(
    vault: Path, seed: int, capfd: pytest.CaptureFixture[str]
) -> None:
    await run_seed(vault, seed, steps=30, capfd=capfd)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(100, 110))
async def test_a_long_random_session_ends_as_check_says(
    vault: Path, seed: int, capfd: pytest.CaptureFixture[str]
) -> None:
    await run_seed(vault, seed, steps=150, capfd=capfd)


@pytest.mark.parametrize("seed", [4])
async def test_a_random_pulling_session_ends_as_check_says(
    vault: Path, seed: int, capfd: pytest.CaptureFixture[str]
) -> None:
    await run_seed(vault, seed, steps=30, capfd=capfd, pull=True, early=True)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(200, 210))
async def test_a_long_random_pulling_session_ends_as_check_says(
    vault: Path, seed: int, capfd: pytest.CaptureFixture[str]
) -> None:
    await run_seed(vault, seed, steps=150, capfd=capfd, pull=True, early=seed % 2 == 0)


@pytest.mark.parametrize("seed", [5])
async def test_a_random_pulling_session_checked_by_workers_ends_as_check_says(
    vault: Path, seed: int, capfd: pytest.CaptureFixture[str]
) -> None:
    await run_seed(vault, seed, steps=30, capfd=capfd, pull=True, workers=True)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(210, 220))
async def test_a_long_random_pulling_session_checked_by_workers_ends_as_check_says(
    vault: Path, seed: int, capfd: pytest.CaptureFixture[str]
) -> None:
    await run_seed(vault, seed, steps=150, capfd=capfd, pull=True, workers=True)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(300, 306))
async def test_a_long_random_utf16_session_ends_as_check_says(
    vault: Path, seed: int, capfd: pytest.CaptureFixture[str]
) -> None:
    await run_seed(vault, seed, steps=150, capfd=capfd, pull=seed % 2 == 1, utf16=True)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(400, 406))
async def test_a_long_random_session_without_pauses_ends_as_check_says(
    vault: Path, seed: int, capfd: pytest.CaptureFixture[str]
) -> None:
    await run_seed(vault, seed, steps=200, capfd=capfd, pull=seed % 2 == 1, rapid=True)
