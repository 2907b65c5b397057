"""Finding the few permissions that may cover another without comparing against all.

A policy may list tens of thousands of ARNs, and the diff asks, for every permission at
head, which permissions at base cover it: comparing each with each is quadratic, and a
single hostile statement stalls the run. For AWS the question narrows on the literal
prefix of a pattern: ``arn:aws:s3:::models-*`` can only cover a string that starts with
``arn:aws:s3:::models-`` (see :func:`driftgate.analyzer.permissions.globs.matches`), and actions
likewise, case-insensitively. Other providers' permissions are few per identity and
their covering is not prefix-based (GCP's hierarchy, Kubernetes scopes): every item is a
candidate. Candidates are a superset of the items that cover; the caller still asks
:func:`driftgate.analyzer.permissions.covers`, and gets them in the order they were given.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from driftgate.analyzer.model import Permission
from driftgate.analyzer.permissions.aws import NOT

T = TypeVar("T")

_WILD = ("*", "?")


def _action_key(action: str) -> str:
    """Actions compare case-insensitively; the ``NOT `` marker keeps its spelling."""
    if action.startswith(NOT):
        return NOT + action[len(NOT) :].lower()
    return action.lower()


def _prefix(pattern: str) -> str | None:
    """The literal part before the first wildcard; None for a literal."""
    cut = min((i for i in (pattern.find("*"), pattern.find("?")) if i >= 0), default=-1)
    return None if cut < 0 else pattern[:cut]


@dataclass
class _Patterns(Generic[T]):
    """Items keyed by a string that is a literal or a pattern: which may match a value."""

    exact: dict[str, list[tuple[int, T]]] = field(default_factory=dict)
    by_prefix: dict[str, list[tuple[int, T]]] = field(default_factory=dict)
    lengths: set[int] = field(default_factory=set)
    negated: list[tuple[int, T]] = field(default_factory=list)

    def add(self, key: str, item: tuple[int, T]) -> None:
        if key.startswith(NOT):
            self.negated.append(item)
            return
        prefix = _prefix(key)
        if prefix is None:
            self.exact.setdefault(key, []).append(item)
        else:
            self.by_prefix.setdefault(prefix, []).append(item)
            self.lengths.add(len(prefix))

    def candidates(self, value: str) -> list[tuple[int, T]]:
        if value.startswith(NOT):
            # Only a pattern as wide as ``*`` covers a negation: scan everything.
            return self.everything()
        found = list(self.exact.get(value, ())) + self.negated
        for length in self.lengths:
            if length <= len(value):
                found.extend(self.by_prefix.get(value[:length], ()))
        return found

    def everything(self) -> list[tuple[int, T]]:
        found = [i for items in self.exact.values() for i in items]
        found += [i for items in self.by_prefix.values() for i in items]
        return found + self.negated


class PermissionIndex(Generic[T]):
    """Items (grants' permissions, with what else the caller keeps) by permission."""

    def __init__(self, prefixed: bool, items: Iterable[T], key: Callable[[T], Permission]):
        """``prefixed``: actions and resources are literal-prefixed patterns (the
        provider spec's ``prefix_indexed``); otherwise every item is a candidate."""
        self._items = list(enumerate(items))
        self._key = key
        self._aws = prefixed
        self._actions: _Patterns[_Patterns[T]] = _Patterns()
        self._groups: dict[str, _Patterns[T]] = {}
        # Same action (case-insensitive), by resource: for "held this on a narrower scope".
        self._same: dict[str, list[tuple[str, int, T]]] = {}
        if not self._aws:
            return
        for numbered in self._items:
            p = key(numbered[1])
            action = _action_key(p.action)
            group = self._groups.get(action)
            if group is None:
                group = self._groups[action] = _Patterns()
                self._actions.add(action, (len(self._groups), group))
            group.add(p.resource, numbered)
            self._same.setdefault(action, []).append((p.resource, *numbered))
        for same in self._same.values():
            same.sort(key=lambda entry: (entry[0], entry[1]))

    def covering(self, p: Permission) -> list[T]:
        """The items whose permission may cover ``p``."""
        if not self._aws:
            return [item for _, item in self._items]
        found: list[tuple[int, T]] = []
        for _, group in self._actions.candidates(_action_key(p.action)):
            found.extend(group.candidates(p.resource))
        return _ordered(found)

    def same_action_within(self, p: Permission) -> list[T]:
        """Items of ``p``'s action whose resource ``p.resource`` may cover."""
        if not self._aws:
            return [item for _, item in self._items]
        same = self._same.get(_action_key(p.action), [])
        if p.resource.startswith(NOT):
            return _ordered([(n, item) for _, n, item in same])
        prefix = _prefix(p.resource)
        literal = p.resource if prefix is None else prefix
        start = bisect.bisect_left(same, (literal,))
        found: list[tuple[int, T]] = []
        for resource, n, item in same[start:]:
            if not resource.startswith(literal):
                break
            if prefix is not None or resource == literal:
                found.append((n, item))
        return _ordered(found)


def _ordered(found: list[tuple[int, T]]) -> list[T]:
    unique = dict(found)
    return [unique[n] for n in sorted(unique)]
