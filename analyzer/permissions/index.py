"""Finding the few permissions that may cover another without comparing against all.

The diff and the state checks ask, for a permission, which of an identity's permissions
cover it. Comparing it with each is quadratic over an identity's grants: a controller
holding 1,700 RBAC permissions cost millions of ``covers`` calls per diff. Each provider
therefore files its permissions the way its ``covers`` can be narrowed, next to that
``covers`` in :mod:`driftgate.analyzer.permissions` (its spec's ``index``): AWS by the
literal prefix of action and resource patterns, Kubernetes by :class:`Keys`, GCP and
Azure by :class:`Paths`. A provider without a filing (:class:`Unfiled`) gets every item.

Whatever the filing, candidates are a superset of the items that cover; the caller still
asks :func:`driftgate.analyzer.providers.covers`, and gets them in the order they were
given (the first one found names the reason in a finding).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

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


@dataclass(frozen=True, slots=True)
class Keys:
    """A filing by hashable keys, which a provider derives from its own ``covers``.

    ``filed(broad)`` is the key a permission is filed under, a tuple of parts;
    ``sought(narrow)`` the parts a permission covering ``narrow`` may have, one tuple of
    distinct choices per part. The rule every provider's test checks:
    ``covers(broad, narrow)`` (or ``broad == narrow``) implies that each part of
    ``filed(broad)`` is among the matching choices of ``sought(narrow)``.
    ``action(a) == action(b)`` whenever the spec's ``same_action(a, b)``.
    """

    filed: Callable[[Permission], tuple[Hashable, ...]]
    sought: Callable[[Permission], tuple[tuple[Hashable, ...], ...]]
    action: Callable[[Permission], Hashable]

    def __call__(self, permissions: Sequence[Permission]) -> Filing:
        return _Keyed(self, permissions)


class _Keyed:
    """Positions in a tree of dicts, one level per key part: a question walks only the
    branches its choices name, so it costs a few lookups whatever the identity holds."""

    def __init__(self, keys: Keys, permissions: Sequence[Permission]) -> None:
        self._sought = keys.sought
        self._action = keys.action
        # Nested dicts of any depth, positions at the leaves: typed loosely on purpose.
        self._root: dict[Hashable, Any] = {}
        self._actions: dict[Hashable, list[int]] = {}
        for n, p in enumerate(permissions):
            *path, last = keys.filed(p)
            node = self._root
            for part in path:
                node = node.setdefault(part, {})
            node.setdefault(last, []).append(n)
            self._actions.setdefault(keys.action(p), []).append(n)

    def covering(self, p: Permission) -> Sequence[int]:
        nodes: list[Any] = [self._root]
        for choices in self._sought(p):
            nodes = [found for node in nodes for c in choices if (found := node.get(c))]
            if not nodes:
                return ()
        if len(nodes) == 1:
            return nodes[0]  # type: ignore[no-any-return]
        return sorted(n for leaf in nodes for n in leaf)

    def same_action(self, p: Permission) -> Sequence[int]:
        return self._actions.get(self._action(p), ())

    # Resources are not filed by what they cover: every one of the action.
    same_action_within = same_action


@dataclass(frozen=True, slots=True)
class Paths:
    """A filing by a ``/``-separated path, for a provider whose grant on a path holds on
    everything below it (GCP's resource hierarchy, Azure's scopes).

    ``path(p)`` is the path as the provider's ``covers`` compares it, without a trailing
    ``/``. The rule its test checks: ``covers(broad, narrow)`` (or ``broad == narrow``)
    implies that ``path(broad)`` is ``path(narrow)``, an ancestor of it (a prefix that
    ends where a ``/`` of it begins), or empty. ``action`` is as for :class:`Keys`.
    """

    path: Callable[[Permission], str]
    action: Callable[[Permission], Hashable]

    def __call__(self, permissions: Sequence[Permission]) -> Filing:
        return _ByPath(self, permissions)


class _Segment:
    __slots__ = ("below", "here")

    def __init__(self) -> None:
        self.here: list[int] = []
        self.below: dict[str, _Segment] = {}


class _ByPath:
    """Positions in a tree of path segments: a question walks its own path from the root,
    so it costs one lookup per segment (never one per prefix: a hostile path of many
    thousand segments stays linear)."""

    def __init__(self, paths: Paths, permissions: Sequence[Permission]) -> None:
        self._path = paths.path
        self._action = paths.action
        self._root = _Segment()
        self._actions: dict[Hashable, list[int]] = {}
        for n, p in enumerate(permissions):
            node = self._root
            path = self._path(p)
            # The empty path (Azure's root scope) covers everything: it stays at the root.
            for segment in path.split("/") if path else ():
                node = node.below.setdefault(segment, _Segment())
            node.here.append(n)
            self._actions.setdefault(self._action(p), []).append(n)

    def covering(self, p: Permission) -> Sequence[int]:
        node = self._root
        found = list(node.here)
        path = self._path(p)
        for segment in path.split("/") if path else ():
            below = node.below.get(segment)
            if below is None:
                break
            node = below
            found.extend(node.here)
        return sorted(found)

    def same_action(self, p: Permission) -> Sequence[int]:
        return self._actions.get(self._action(p), ())

    # Paths are filed by what covers them, not by what they cover: every one of the action.
    same_action_within = same_action


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
