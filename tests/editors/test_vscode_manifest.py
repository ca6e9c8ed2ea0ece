"""The VS Code extension's package.json against what the server reads (no VS Code needed)."""

from __future__ import annotations

import json
from pathlib import Path

from notels.rules import known_codes

PACKAGE = Path(__file__).parents[2] / "editors" / "vscode" / "package.json"


def settings() -> dict[str, dict[str, object]]:
    manifest = json.loads(PACKAGE.read_text(encoding="utf-8"))
    properties: dict[str, dict[str, object]] = manifest["contributes"]["configuration"][
        "properties"
    ]
    return properties


def test_notels_rules_setting_lists_every_rule_code_of_the_server() -> None:
    # `notels.rules` lists each code as a property, so the settings editor completes and
    # validates it. Was: `nested-block` (docs/rules.md, default warning) was missing.
    rules = settings()["notels.rules"]
    listed = rules["properties"]
    assert isinstance(listed, dict)
    missing = sorted(set(known_codes()) - set(listed))
    assert missing == [], f"rule codes the settings editor does not offer: {missing}"
    assert sorted(set(listed) - set(known_codes())) == []


def test_every_setting_sent_to_the_server_can_differ_per_workspace_folder() -> None:
    # editors/vscode/README.md: the rule settings "can differ per workspace folder", and the
    # extension reads each vault's settings from its folder's scope. VS Code keeps folder values
    # only of `resource` (or `machine-overridable`, `language-overridable`) settings: one of the
    # `window` scope, the default when none is declared, is ignored in a folder's settings.
    # Was: `notels.codeLens.enable` declared no scope.
    own = {"notels.server.path", "notels.server.python", "notels.trace.server"}
    per_folder = {"resource", "language-overridable", "machine-overridable"}
    unscoped = sorted(
        name
        for name, schema in settings().items()
        if name not in own and schema.get("scope", "window") not in per_folder
    )
    assert unscoped == [], f"settings a workspace folder cannot set: {unscoped}"
