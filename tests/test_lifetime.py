"""A CLI process's memory: what it built lives until it exits, and is never freed piece
by piece; a process that goes on (tests, embedders) keeps nothing of its commands."""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import gc, weakref
from driftgate.analyzer import lifetime
if {short}:
    lifetime.for_short_run()
class Built: pass
built = Built()
alive = weakref.ref(built)
lifetime.keep(built)
del built
gc.collect()
print(alive() is not None)
"""


def _kept(short: bool) -> bool:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(short=short)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip() == "True"


def test_a_cli_run_keeps_what_it_built_until_it_exits() -> None:
    assert _kept(short=True)


def test_a_process_that_goes_on_keeps_nothing_of_a_command() -> None:
    assert not _kept(short=False)
