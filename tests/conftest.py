import sys
from pathlib import Path

# Tests import helpers from this folder (tests/vaults.py) whether or not notels is installed.
sys.path.insert(0, str(Path(__file__).parent))
