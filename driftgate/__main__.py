"""``python -m driftgate``: the same command line as the ``driftgate`` script."""

import sys

from driftgate.analyzer.cli import main

if __name__ == "__main__":
    sys.exit(main())
