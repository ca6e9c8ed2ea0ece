"""Review s31: the VS Code extension's server discovery, run under plain Node (its pure module
src/discovery.ts, bundled with the extension's own esbuild), as the extension host runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

EXTENSION = Path(__file__).parents[2] / "editors" / "vscode"
NPM = shutil.which("npm")
NODE = shutil.which("node")

# What CPython 3.10 and older print for `python3 -P -m notels --version` (-P came in 3.11):
# macOS's /usr/bin/python3 (3.9), Ubuntu 22.04's and Debian 11's python3.
OLD_PYTHON_STDERR = (
    "Unknown option: -P\n"
    "usage: /usr/bin/python3 [option] ... [-c cmd | -m mod | file | -] [arg] ...\n"
    "Try `python -h' for more information.\n"
)


def discovery_module(tmp_path: Path) -> Path:
    """src/discovery.ts as a CommonJS file for plain Node."""
    assert NPM is not None and NODE is not None, "node and npm are required"
    if not (EXTENSION / "node_modules" / ".bin" / "esbuild").exists():
        subprocess.run(
            [NPM, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=EXTENSION,
            check=True,
            capture_output=True,
            timeout=600,
        )
    bundle = tmp_path / "discovery.js"
    subprocess.run(
        [
            str(EXTENSION / "node_modules" / ".bin" / "esbuild"),
            str(EXTENSION / "src" / "discovery.ts"),
            "--bundle",
            "--platform=node",
            "--format=cjs",
            f"--outfile={bundle}",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return bundle


def node(bundle: Path, script: str) -> object:
    """Runs `script` with `discovery` bound to the module; what it printed, as JSON."""
    assert NODE is not None
    program = f"const discovery = require({json.dumps(str(bundle))});\n{script}"
    done = subprocess.run(
        [NODE, "-e", program], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(done.stdout)


@pytest.mark.skipif(NPM is None or NODE is None, reason="node and npm are not installed")
def test_a_python_too_old_for_dash_p_is_named_as_the_reason(tmp_path: Path) -> None:
    # The user installed notels with pipx (its own Python 3.12) into ~/.local/bin, which the
    # VS Code launched from the Dock or a desktop menu has not on PATH; the extension falls back
    # to `python3` on PATH, e.g. macOS's /usr/bin/python3 (3.9), run as `python3 -P -m notels
    # --version`. README: "When none works, an error names every candidate and why it failed";
    # Troubleshooting: '"No module named notels" means that Python lacks the package'.
    # Expected: the reason given is the one Python printed ("Unknown option: -P"), or that
    # notels needs Python 3.11 or newer. What happens: probeError keeps the last line of the
    # output, so the error reads "python on PATH (/usr/bin/python3 -P -m notels): Try `python
    # -h' for more information.", which tells the user nothing they can act on.
    bundle = discovery_module(tmp_path)
    message = node(
        bundle,
        f"""
const error = discovery.probeError({json.dumps(OLD_PYTHON_STDERR)}, '', 2);
const candidate = {{ source: 'python on PATH', command: '/usr/bin/python3',
                     prefix: ['-P', '-m', 'notels'] }};
console.log(JSON.stringify(discovery.failureMessage([{{ candidate, error }}])));
""",
    )
    assert isinstance(message, str)
    assert "Unknown option: -P" in message or "3.11" in message, message
