"""``python -m driftgate``: the same command line as the ``driftgate`` script."""

from driftgate.analyzer.cli import run

if __name__ == "__main__":
    run()
