"""Work done once per permission list, however many grants share it.

An AWS managed policy is read once per run and its grants share one tuple of
permissions (ReadOnlyAccess: ~2,900, attached to hundreds of roles). A tuple keeps
neither its hash nor anything derived from it, so what a reader derives from one is
kept here, by the tuple's identity, for as long as the memo lives (a run's question).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BySharedObject(Generic[K, V]):
    """``compute(key)``, once per object ``key`` (compared by identity, never by value)."""

    def __init__(self, compute: Callable[[K], V]) -> None:
        self._compute = compute
        # The key is kept with its value: an id is reused only once its object is gone.
        self._seen: dict[int, tuple[K, V]] = {}

    def __call__(self, key: K) -> V:
        entry = self._seen.get(id(key))
        if entry is None or entry[0] is not key:
            entry = self._seen[id(key)] = (key, self._compute(key))
        return entry[1]
