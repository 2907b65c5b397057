"""What every atheris harness shares: instrumenting driftgate, and running one surface."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

_SURFACES = (
    "driftgate.analyzer.config",
    "driftgate.analyzer.diff",
    "driftgate.analyzer.engine.inline",
    "driftgate.analyzer.permissions",
    "driftgate.analyzer.pipeline",
    "checks",
)


def run(one_input: Callable[[bytes], None]) -> None:
    """Fuzz ``one_input`` with libFuzzer's command line (corpus dirs, -max_total_time...)."""
    import atheris  # type: ignore  # run by hand; not a test dependency

    # Every surface's modules must be imported here, under instrumentation: one first
    # imported later, inside the target, gives libFuzzer no coverage to steer by.
    with atheris.instrument_imports(include=["analyzer", "checks"]):
        for module in _SURFACES:
            importlib.import_module(module)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
