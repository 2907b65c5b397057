"""Finding the few permissions that may cover another without comparing against all.

The diff and the state checks ask, for a permission, which of an identity's permissions
cover it. Comparing it with each is quadratic over an identity's grants: a ClusterRole of
1,700 rules whose file gained a line cost millions of ``covers`` calls. Each provider
therefore files its permissions the way its ``covers`` can be narrowed, next to that
``covers`` in :mod:`driftgate.analyzer.permissions` (its spec's ``index``): AWS by the
literal prefix of action and resource patterns. A provider without a filing
(:class:`Unfiled`) gets every item.

Whatever the filing, candidates are a superset of the items that cover; the caller still
asks :func:`driftgate.analyzer.providers.covers`, and gets them in the order they were
given (the first one found names the reason in a finding).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Generic, Protocol, TypeVar

from driftgate.analyzer.model import Permission

T = TypeVar("T")


class Filing(Protocol):
    """Positions of permissions (as given to the :data:`Indexer`), ascending, each once."""

    def covering(self, p: Permission) -> Sequence[int]:
        """Those that may cover ``p``: every one that does, perhaps more."""
        ...

    def same_action(self, p: Permission) -> Sequence[int]:
        """Those that may have ``p``'s action (the spec's ``same_action``): every one
        that does, perhaps more."""
        ...

    def same_action_within(self, p: Permission) -> Sequence[int]:
        """Those that may have ``p``'s action and a resource ``p``'s covers: every one
        that does, perhaps more."""
        ...


# What a provider spec names as its ``index``: permissions → their filing.
Indexer = Callable[[Sequence[Permission]], Filing]


class Unfiled:
    """Every permission is a candidate: for a provider whose covering has no key."""

    def __init__(self, permissions: Sequence[Permission]) -> None:
        self._all = range(len(permissions))

    def covering(self, p: Permission) -> Sequence[int]:
        return self._all

    def same_action(self, p: Permission) -> Sequence[int]:
        return self._all

    def same_action_within(self, p: Permission) -> Sequence[int]:
        return self._all


class PermissionIndex(Generic[T]):
    """Items (grants' permissions, with what else the caller keeps) by permission."""

    def __init__(self, index: Indexer, items: Iterable[T], key: Callable[[T], Permission]):
        """``index``: the provider spec's filing of its permissions."""
        self._items = list(items)
        self._filing = index([key(item) for item in self._items])

    def covering(self, p: Permission) -> list[T]:
        """The items whose permission may cover ``p``."""
        items = self._items
        return [items[n] for n in self._filing.covering(p)]

    def same_action(self, p: Permission) -> list[T]:
        """The items whose permission may have ``p``'s action."""
        items = self._items
        return [items[n] for n in self._filing.same_action(p)]

    def same_action_within(self, p: Permission) -> list[T]:
        """Items of ``p``'s action whose resource ``p.resource`` may cover."""
        items = self._items
        return [items[n] for n in self._filing.same_action_within(p)]
