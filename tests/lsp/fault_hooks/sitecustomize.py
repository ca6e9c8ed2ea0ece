"""Test-only hooks into the server process (see test_review_s28.py, test_apply_edit_on_disk.py).

With NOTELS_TEST_FAULTS set to a folder: while `<folder>/raise-<name>` exists, checking the
note whose vault-relative path is `<name>` raises RuntimeError, as a rule that crashes on one
odd note would (`notels.rules.check_note`, as the workspace calls it).
"""

from __future__ import annotations

import os

_FAULTS = os.environ.get("NOTELS_TEST_FAULTS")

if _FAULTS:
    from pathlib import Path

    import notels.lsp.workspace as _workspace

    _folder = Path(_FAULTS)
    _original = _workspace.check_note

    def check_note(relative, *args, **kwargs):  # type: ignore[no-untyped-def]
        if (_folder / f"raise-{relative}").exists():
            raise RuntimeError(f"injected: checking {relative} failed")
        return _original(relative, *args, **kwargs)

    _workspace.check_note = check_note

# With NOTELS_TEST_PLANNED_KEPT_S set to seconds: how long a rename's planned texts wait for
# notels.applyEdit (60 s in the server), for a test of what happens once they are forgotten.
_PLANNED_KEPT = os.environ.get("NOTELS_TEST_PLANNED_KEPT_S")

if _PLANNED_KEPT:
    import notels.lsp.edit_features as _edit_features

    _edit_features._PLANNED_KEPT_S = float(_PLANNED_KEPT)
