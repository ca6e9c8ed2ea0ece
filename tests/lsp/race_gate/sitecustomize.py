"""Test-only hooks that hold the server's background work at a gate the test controls.

Put this folder on the server's PYTHONPATH and set NOTELS_TEST_GATE to a folder: every note the
server summarizes (`notels.vault.parallel.summarize_file`) is first logged to `<gate>/reached`
as `<stage> <path>`, then waits while `<gate>/hold-<stage>` exists. The stage is the thread's:
`index` (the indexing run), `read` (a background re-read of notes changed on disk), `other`.
"""

from __future__ import annotations

import os

_GATE = os.environ.get("NOTELS_TEST_GATE")

if _GATE:
    import threading
    import time
    from pathlib import Path

    import notels.vault.parallel as _parallel

    _gate = Path(_GATE)
    _original = _parallel.summarize_file
    _log_lock = threading.Lock()

    def _stage() -> str:
        name = threading.current_thread().name
        if name.startswith("notels-index-"):
            return "index"
        if name.startswith("notels-read-"):
            return "read"
        return "other"

    def summarize_file(root, relative, config):  # type: ignore[no-untyped-def]
        stage = _stage()
        with _log_lock, open(_gate / "reached", "a", encoding="utf-8") as log:
            log.write(f"{stage} {relative}\n")
        hold = _gate / f"hold-{stage}"
        while hold.exists():
            time.sleep(0.01)
        return _original(root, relative, config)

    _parallel.summarize_file = summarize_file
