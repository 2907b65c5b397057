"""What every atheris harness shares: instrumenting driftgate, and running one surface."""

from __future__ import annotations

import sys
from collections.abc import Callable


def run(one_input: Callable[[bytes], None]) -> None:
    """Fuzz ``one_input`` with libFuzzer's command line (corpus dirs, -max_total_time...)."""
    import atheris  # type: ignore  # run by hand; not a test dependency

    with atheris.instrument_imports(include=["analyzer", "checks"]):
        import analyzer.pipeline  # noqa: F401  (instrumented on import)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
