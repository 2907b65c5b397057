"""A driftgate process's memory, from its start to its exit.

A run builds a few hundred thousand long-lived objects (parsed trees, two models) and
exits. CPython's full collections walk every one of them each time the heap grows by a
quarter: on the benchmark's 5,000-file repository they were 1.2 s of a 4.2 s cold scan
and freed almost nothing, since what a run builds lives until it exits. Freeing it all
object by object at exit took another 0.45 s. So the oldest generation is left alone
(young collections still reclaim cycles; +20% peak memory there) and the process ends
without tearing its heap down, once its exit handlers have run.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
from typing import NoReturn

# A young collection once a million objects that may hold cycles have been made, and
# no older one: every collection walks each object it finds once, so fewer, larger ones
# cost no more per object and a run of the benchmark's size needs none (65 of them
# were 0.07 s of a cold scan; its peak memory did not change). A larger run still
# reclaims its cycles (the Terraform evaluator's scopes) a million objects at a time.
_THRESHOLDS = (1_000_000, 1_000, 1_000_000)


_short_run = False


def for_short_run() -> None:
    """Set up collection for one command of the CLI; called once, after imports."""
    global _short_run
    _short_run = True
    gc.freeze()  # what imports built is permanent: no collection examines it again
    gc.set_threshold(*_THRESHOLDS)


def ends_with_command() -> bool:
    """Whether this process exits once its command is done (the CLI), rather than
    going on to others (tests, embedders)."""
    return _short_run


# What a short run built, held until it exits: dropped as the command's frames unwind,
# its objects were freed one by one (0.05 s of a cold scan, after the report was out).
_kept: list[object] = []


def keep(*values: object) -> None:
    """In a CLI process, never free ``values``: the process ends without freeing them."""
    if _short_run:
        _kept.extend(values)


def between_units() -> None:
    """A long command's unit of work is done (one repository of an inventory): free
    what it left, since the oldest generation is never collected on its own."""
    gc.collect()


def exit_now(code: int) -> NoReturn:
    """End the process with ``code``: exit handlers run and output is flushed (files
    are written and closed by then), but the heap is not freed object by object."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        # A reader that went away (``| head``) has nothing left to lose.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
