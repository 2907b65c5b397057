"""A function's result, computed in a forked child while this process goes on.

The child starts with this process's memory (parsed files included, nothing copied) and
sends its result back pickled through a pipe. It shares no SQLite connection with the
parent (see :func:`driftgate.analyzer.cache.release_connections`). When the child fails,
for whatever reason, :meth:`Forked.result` is None and the caller computes the value
itself, so that errors surface where they always do.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from typing import Generic, TypeVar

from driftgate.analyzer.cache import may_fork, release_connections

T = TypeVar("T")


class Forked(Generic[T]):
    def __init__(self, compute: Callable[[], T]) -> None:
        release_connections()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            code = 1
            try:
                data = pickle.dumps(compute(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                code = 0
            finally:
                os._exit(code)  # never back into the caller: that is the parent's work
        os.close(write)
        self._pid = pid
        self._read = read

    def result(self) -> T | None:
        """The child's value once it is done, or None when it failed."""
        with os.fdopen(self._read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 or not data:
            return None
        try:
            value: T = pickle.loads(data)
        except Exception:  # a child killed mid-write: computed here instead
            return None
        return value


def available() -> bool:
    return may_fork()
