import sys

from notels.cli import main

# Guarded: worker processes started with "spawn" import the parent's main module again.
if __name__ == "__main__":
    sys.exit(main())
