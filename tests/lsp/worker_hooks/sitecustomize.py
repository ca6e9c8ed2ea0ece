"""Test-only hooks for the worker processes that check notes for the server
(notels/rules/in_workers.py; see test_warm_findings.py).

With NOTELS_TEST_WORKERS set to a folder, a worker given notes to check:
- leaves a file `checked-<pid>` there as it starts, which tells a test that workers ran;
- waits while `<folder>/hold` exists, so that a test can change the vault meanwhile;
- ends at once, without a word, while `<folder>/die` exists, as a worker that crashes;
- raises RuntimeError checking the note at vault-relative path `<name>` while
  `<folder>/raise-<name>` exists, as a rule that fails on one odd note would.
"""

from __future__ import annotations

import os

_FOLDER = os.environ.get("NOTELS_TEST_WORKERS")

if _FOLDER:
    import time
    from pathlib import Path

    import notels.rules.in_workers as _in_workers

    _folder = Path(_FOLDER)
    _original = _in_workers.serve_findings

    def serve_findings(job, sink):  # type: ignore[no-untyped-def]
        (_folder / f"checked-{os.getpid()}").touch()
        while (_folder / "hold").exists():
            time.sleep(0.02)
        if (_folder / "die").exists():
            os._exit(3)
        _original(job, sink)

    _check_note = _in_workers.check_note

    def check_note(relative, *args, **kwargs):  # type: ignore[no-untyped-def]
        if (_folder / f"raise-{relative}").exists():
            raise RuntimeError(f"injected: checking {relative} failed")
        return _check_note(relative, *args, **kwargs)

    _in_workers.serve_findings = serve_findings
    _in_workers.check_note = check_note
