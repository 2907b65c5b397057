"""Work done in a forked child while this process goes on.

The child starts with this process's memory (parsed files included, nothing copied)
and sends values back pickled through a pipe; a :class:`Partner` also receives values
from this process on the way. It shares no SQLite connection with the parent (see
:func:`driftgate.analyzer.cache.release_connections`). When the child fails, for
whatever reason, what it would have sent is None and the caller computes the value
itself, so that errors surface where they always do.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, Generic, TypeVar

from driftgate.analyzer.cache import (
    may_fork,
    release_connections,
    to_background,
    writing_behind,
)

T = TypeVar("T")

# Two processes at most: a child forks no other, nor does its parent while it runs
# (each would only take a core from the other).
_running = 0
_in_child = False

_HEADER = 8
_DATA, _RESULT = "data", "result"


class Channel:
    """One end of a two-way pipe: pickled values, each with its length first."""

    def __init__(self, read: int, write: int) -> None:
        self._in: BinaryIO = os.fdopen(read, "rb")
        self._out: BinaryIO | None = os.fdopen(write, "wb")

    def send(self, value: object) -> None:
        self.send_pickled(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def send_pickled(self, data: bytes) -> None:
        """Send a value pickled beforehand (see :func:`pickled`)."""
        if self._out is None:
            raise BrokenPipeError("the channel is closed for sending")
        self._out.write(len(data).to_bytes(_HEADER, "little"))
        self._out.write(data)
        self._out.flush()

    def receive(self) -> object:
        """The next value; EOFError once the other end is gone."""
        header = self._in.read(_HEADER)
        if len(header) < _HEADER:
            raise EOFError
        size = int.from_bytes(header, "little")
        data = self._in.read(size)
        if len(data) < size:
            raise EOFError
        return pickle.loads(data)

    def close_sending(self) -> None:
        if self._out is not None:
            with contextlib.suppress(OSError):
                self._out.close()
            self._out = None

    def close(self) -> None:
        self.close_sending()
        with contextlib.suppress(OSError):
            self._in.close()


class Partner(Generic[T]):
    """``work`` run in a forked child, given a channel to this process; what it returns
    is :meth:`result`. The child speaks first: this process only sends after it has
    received (two processes writing at once into full pipes would wait forever).

    ``then`` is work the child does after sending its result, such as storing what it
    parsed: this process does not wait for it (the child is a writer from then on; see
    :func:`driftgate.analyzer.cache.writing_behind`).
    """

    def __init__(
        self, work: Callable[[Channel], T], then: Callable[[], object] | None = None
    ) -> None:
        global _running, _in_child
        release_connections()
        down_read, down_write = os.pipe()
        up_read, up_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            _in_child = True
            os.close(down_write)
            os.close(up_read)
            code = 1
            try:
                channel = _ChildChannel(down_read, up_write)
                value = work(channel)
                channel.send_tagged(_RESULT, value)
                channel.close()
                if then is not None:
                    to_background()  # the parent's command may be over by now
                    then()
                code = 0
            finally:
                os._exit(code)  # never back into the caller: that is the parent's work
        os.close(down_read)
        os.close(up_write)
        _running += 1
        self._pid: int | None = pid
        self._channel = Channel(up_read, down_write)
        self._failed = False
        self._goes_on = then is not None

    def receive(self) -> object | None:
        """What the child sent next, or None when it failed."""
        if self._failed:
            return None
        try:
            tag, value = self._receive()
        except Exception:  # gone, or killed mid-write
            self._failed = True
            return None
        if tag != _DATA:
            self._failed = True
            return None
        return value

    def send(self, value: object) -> bool:
        """Give the child ``value`` (or bytes from :func:`pickled`); False when it is gone."""
        if self._failed:
            return False
        try:
            if isinstance(value, Pickled):
                self._channel.send_pickled(value.data)
            else:
                self._channel.send(value)
        except (OSError, pickle.PicklingError):
            self._failed = True
            return False
        return True

    def result(self) -> T | None:
        """The child's value once it is done, or None when it failed."""
        global _running
        if self._pid is None:
            return None
        # A child still waiting for a value sees the end of its input and stops.
        self._channel.close_sending()
        value: object = None
        succeeded = False
        try:
            while not self._failed:
                tag, value = self._receive()
                if tag == _RESULT:
                    succeeded = True
                    break
        except Exception:
            succeeded = False
        finally:
            self._channel.close()
            pid, self._pid = self._pid, None
            _running -= 1
        if succeeded and self._goes_on:
            writing_behind(pid)  # the result is whole; what the child does next is its own
            return value  # type: ignore[return-value]
        _, status = os.waitpid(pid, 0)
        if not succeeded or os.waitstatus_to_exitcode(status) != 0:
            return None
        return value  # type: ignore[return-value]

    def cancel(self) -> None:
        """Stop the child at once, whatever it is doing: its work is not needed after
        all. It has stored nothing (a child stores only after its result)."""
        global _running
        if self._pid is None:
            return
        pid, self._pid = self._pid, None
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        self._channel.close()
        _running -= 1

    def _receive(self) -> tuple[str, object]:
        message = self._channel.receive()
        if not (isinstance(message, tuple) and len(message) == 2):
            raise ValueError("not a message")
        tag, value = message
        return str(tag), value


@dataclass(frozen=True, slots=True)
class Pickled:
    data: bytes


def pickled(value: object) -> Pickled:
    """``value`` pickled now, to send later: this process may pickle what it will send
    while the child is still preparing what it sends first."""
    return Pickled(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


class _ChildChannel(Channel):
    """The child's end: what it sends is data until its result.

    A value is written by a thread of its own, so the child goes on with its work while
    the parent, busy with its own, has not yet read it (a pipe holds 64 KiB; a model is
    megabytes). Values still arrive in the order they were sent.
    """

    _writing: threading.Thread | None = None
    _failure: BaseException | None = None

    def send(self, value: object) -> None:
        self.send_tagged(_DATA, value)

    def send_tagged(self, tag: str, value: object) -> None:
        data = pickle.dumps((tag, value), protocol=pickle.HIGHEST_PROTOCOL)
        self.flush()
        self._writing = threading.Thread(target=self._write, args=(data,), daemon=True)
        self._writing.start()

    def _write(self, data: bytes) -> None:
        try:
            self.send_pickled(data)
        except BaseException as exc:  # said by the next send or flush, in the child
            self._failure = exc

    def flush(self) -> None:
        """Wait until what was sent is written; raise what writing it raised."""
        if self._writing is not None:
            self._writing.join()
            self._writing = None
        if self._failure is not None:
            raise self._failure

    def close(self) -> None:
        self.flush()
        super().close()


class Forked(Partner[T]):
    """``compute`` run in a forked child, which only sends its result."""

    def __init__(self, compute: Callable[[], T]) -> None:
        super().__init__(lambda channel: compute())


def available() -> bool:
    return not _in_child and _running == 0 and may_fork()
