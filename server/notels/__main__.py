import sys

from notels.cli import main

sys.exit(main())
