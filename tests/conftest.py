import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

# Tests import helpers from this folder (tests/vaults.py) whether or not notels is installed.
sys.path.insert(0, str(Path(__file__).parent))

# Servers started by tests (and their children) keep their index cache in a folder of this test
# run, never in the user's cache; tests of the cache itself point it elsewhere explicitly.
if "NOTELS_CACHE_DIR" not in os.environ:
    os.environ["NOTELS_CACHE_DIR"] = tempfile.mkdtemp(prefix="notels-test-cache-")
    # Each run's caches (a few MB) were left in the temporary folder, one more per run.
    atexit.register(shutil.rmtree, os.environ["NOTELS_CACHE_DIR"], ignore_errors=True)

# On GitHub Actions, `notels check --format github|sarif` names files from the checkout's root
# (GITHUB_WORKSPACE); the tests expect them from the working folder unless they set it.
os.environ.pop("GITHUB_WORKSPACE", None)
