#!/usr/bin/env python3
"""Benchmark workspace pull diagnostics as VS Code drives them, on the real `notels serve`.

On a generated vault, once indexed, measures the server's CPU time (from /proc) and the wall
time of:

- the first pull without a partial result token: every note checked, a report each;
- a pull with every previous result id, three times: what VS Code's client did every 2 s
  before the server held its pull open;
- a pull with a partial result token and every previous result id, held open: what it sends,
  and the server's CPU over an idle spell;
- a note changed on disk, three times: milliseconds until the held pull reports it, and the
  server's CPU for that.

Usage::

    python benchmarks/bench_pull.py                    # 10,000 notes
    python benchmarks/bench_pull.py --notes 1000 --idle 5

Prints a table and writes JSON to benchmarks/results/. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_server import BenchClient, ensure_vault  # noqa: E402
from installed import compile_server  # noqa: E402

RESULTS = HERE / "results"
TOKEN = "bench-held-pull"


def server_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PullClient(BenchClient):
    """The benchmark's client, with pull diagnostics and the held pull's partial results."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[tuple[float, list[Any]]] = []  # (arrival, reports)
        features = self.client.protocol.fm.features
        usual = features[types.PROGRESS]

        def progress(params: types.ProgressParams) -> None:
            if params.token == TOKEN:
                self.batches.append((time.perf_counter(), params.value["items"]))
            else:
                usual(params)

        features[types.PROGRESS] = progress

        @self.client.feature(types.WORKSPACE_DIAGNOSTIC_REFRESH)
        def refresh(params: None) -> None:
            return None

    async def initialize_pull(self, root: Path) -> None:
        capabilities = types.ClientCapabilities(
            window=types.WindowClientCapabilities(work_done_progress=True),
            workspace=types.WorkspaceClientCapabilities(
                configuration=True,
                diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True),
            ),
            text_document=types.TextDocumentClientCapabilities(
                diagnostic=types.DiagnosticClientCapabilities()
            ),
        )
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=capabilities,
                process_id=os.getpid(),
                workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            )
        )
        self.client.initialized(types.InitializedParams())
        await asyncio.wait_for(self.progress_end.wait(), timeout=600)


async def bench(source: Path, idle_s: float) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="notels-bench-pull-"))
    try:
        vault = work / "vault"
        shutil.copytree(source, vault)  # notes are changed on disk
        bench = PullClient()
        await bench.start(work / "cache")
        await bench.initialize_pull(vault)
        process = bench.client._server
        assert process is not None
        pid = process.pid
        result: dict[str, Any] = {"notes": sum(1 for _ in vault.rglob("*.md"))}

        async def timed(request: Any) -> tuple[Any, float, float]:
            cpu, wall = server_cpu_s(pid), time.perf_counter()
            answer = await request
            return answer, server_cpu_s(pid) - cpu, time.perf_counter() - wall

        whole, cpu, wall = await timed(
            bench.client.workspace_diagnostic_async(
                types.WorkspaceDiagnosticParams(previous_result_ids=[])
            )
        )
        result["first_pull"] = {"reports": len(whole.items), "cpu_s": cpu, "wall_s": wall}
        previous = [
            types.PreviousResultId(uri=item.uri, value=item.result_id or "") for item in whole.items
        ]
        result["repull"] = []
        for _ in range(3):
            _, cpu, wall = await timed(
                bench.client.workspace_diagnostic_async(
                    types.WorkspaceDiagnosticParams(previous_result_ids=previous)
                )
            )
            result["repull"].append({"cpu_s": cpu, "wall_s": wall})

        held = asyncio.ensure_future(
            bench.client.workspace_diagnostic_async(
                types.WorkspaceDiagnosticParams(
                    previous_result_ids=previous, partial_result_token=TOKEN
                )
            )
        )
        await asyncio.sleep(2)
        cpu = server_cpu_s(pid)
        await asyncio.sleep(idle_s)
        result["held"] = {
            "reports_at_start": sum(len(items) for _, items in bench.batches),
            "idle_s": idle_s,
            "idle_cpu_s": server_cpu_s(pid) - cpu,
        }
        note = sorted(vault.rglob("*.md"))[result["notes"] // 2]
        result["one_note_changed"] = []
        for round_ in range(3):
            before = len(bench.batches)
            # A new broken link each round: a change whose findings differ. (A report the client
            # already has is not sent again, so a change that finds the same would send none.)
            note.write_text(
                note.read_text(encoding="utf-8") + f"\n[[Нет такой заметки {round_}]]\n", "utf-8"
            )
            cpu, sent = server_cpu_s(pid), time.perf_counter()
            bench.client.workspace_did_change_watched_files(
                types.DidChangeWatchedFilesParams(
                    changes=[types.FileEvent(uri=note.as_uri(), type=types.FileChangeType.Changed)]
                )
            )
            deadline = time.perf_counter() + 60
            while len(bench.batches) == before:
                if time.perf_counter() > deadline:
                    raise SystemExit(f"round {round_}: the change was not reported within 60 s")
                await asyncio.sleep(0.005)
            await asyncio.sleep(1.0)  # and whatever else the change brings
            result["one_note_changed"].append(
                {
                    "reported_after_ms": (bench.batches[before][0] - sent) * 1000,
                    "reports": sum(len(items) for _, items in bench.batches[before:]),
                    "cpu_s": server_cpu_s(pid) - cpu,
                }
            )
        held.cancel()
        await bench.stop()
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def print_table(result: dict[str, Any]) -> None:
    first = result["first_pull"]
    print(f"{result['notes']} notes (server CPU / wall)")
    print(
        f"  first pull, {first['reports']} reports: {first['cpu_s']:.2f} / {first['wall_s']:.2f} s"
    )
    for run in result["repull"]:
        print(f"  pull with every previous id: {run['cpu_s']:.3f} / {run['wall_s']:.3f} s")
    held = result["held"]
    print(
        f"  held pull: {held['reports_at_start']} reports at start, "
        f"{held['idle_cpu_s']:.3f} s CPU over {held['idle_s']:.0f} s idle"
    )
    for run in result["one_note_changed"]:
        print(
            f"  one note changed on disk: {run['reports']} report(s) after "
            f"{run['reported_after_ms']:.0f} ms, {run['cpu_s']:.3f} s CPU"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--vault", type=Path, help="an existing vault (copied first)")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of the idle spell")
    args = parser.parse_args(argv)
    compile_server()
    source = args.vault or ensure_vault(args.notes)
    result = asyncio.run(bench(source, args.idle))
    print_table(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench_pull-{time.strftime('%Y%m%d-%H%M%S')}.json"
    payload = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()}, **result}
    out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
