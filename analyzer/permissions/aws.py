"""AWS IAM: actions (with wildcards and NotAction) on resource ARN patterns.

Which permissions may cover another narrows on the literal prefix of a pattern:
``arn:aws:s3:::models-*`` can only cover a string that starts with ``arn:aws:s3:::models-``
(see :func:`driftgate.analyzer.permissions.globs.matches`), and actions likewise,
case-insensitively; :func:`index` files them so (a policy may list tens of thousands of
ARNs, and a single hostile statement must not stall the run).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from driftgate.analyzer.model import Permission
from driftgate.analyzer.permissions.globs import matches
from driftgate.analyzer.permissions.index import Filing

NOT = "NOT "
# Between the patterns of one NotAction or NotResource list: ``NOT iam:*|organizations:*``.
EXCEPT = "|"


def excluded(pattern: str) -> list[str]:
    """The patterns a ``NOT`` pattern excludes (``pattern`` without its marker)."""
    return pattern[len(NOT) :].split(EXCEPT)


def disjoint(a: str, b: str, *, case_sensitive: bool = True) -> bool:
    """No string fits both patterns: their literal prefixes (or suffixes) disagree.

    Exact for literals; for patterns it may answer False where they are in fact
    disjoint, which only ever makes a NotAction cover less (never hides growth).
    """
    if not case_sensitive:
        a, b = a.lower(), b.lower()
    if "*" not in a and "?" not in a:
        return not matches(b, a)
    if "*" not in b and "?" not in b:
        return not matches(a, b)
    head_a, head_b = a.split("*")[0].split("?")[0], b.split("*")[0].split("?")[0]
    tail_a, tail_b = a.split("*")[-1].split("?")[-1], b.split("*")[-1].split("?")[-1]
    prefixes_clash = not (head_a.startswith(head_b) or head_b.startswith(head_a))
    suffixes_clash = not (tail_a.endswith(tail_b) or tail_b.endswith(tail_a))
    return prefixes_clash or suffixes_clash


def _action_covers(broad: str, narrow: str) -> bool:
    """Actions are case-insensitive; ``NOT x|y`` means every action but those x or y match."""
    if broad.startswith(NOT):
        out = excluded(broad)
        if narrow.startswith(NOT):
            # NOT A covers NOT B when everything A excludes, B excludes too.
            inner = excluded(narrow)
            return all(any(matches(b, a, case_sensitive=False) for b in inner) for a in out)
        return all(disjoint(a, narrow, case_sensitive=False) for a in out)
    if narrow.startswith(NOT):
        return broad == "*"
    return matches(broad, narrow, case_sensitive=False)


def _resource_covers(broad: str, narrow: str) -> bool:
    if broad.startswith(NOT):
        out = excluded(broad)
        if narrow.startswith(NOT):
            inner = excluded(narrow)
            return all(any(matches(b, a) for b in inner) for a in out)
        return all(disjoint(a, narrow) for a in out)
    if narrow.startswith(NOT):
        return broad == "*"
    return matches(broad, narrow)


def covers(broad: Permission, narrow: Permission) -> bool:
    return _action_covers(broad.action, narrow.action) and _resource_covers(
        broad.resource, narrow.resource
    )


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
class _Patterns:
    """Positions keyed by a string that is a literal or a pattern: which may match a value."""

    exact: dict[str, list[int]] = field(default_factory=dict)
    by_prefix: dict[str, list[int]] = field(default_factory=dict)
    lengths: set[int] = field(default_factory=set)
    negated: list[int] = field(default_factory=list)

    def add(self, key: str, n: int) -> None:
        if key.startswith(NOT):
            self.negated.append(n)
            return
        prefix = _prefix(key)
        if prefix is None:
            self.exact.setdefault(key, []).append(n)
        else:
            self.by_prefix.setdefault(prefix, []).append(n)
            self.lengths.add(len(prefix))

    def candidates(self, value: str) -> list[int]:
        if value.startswith(NOT):
            # Only a pattern as wide as ``*`` covers a negation: scan everything.
            return self.everything()
        found = [*self.exact.get(value, ()), *self.negated]
        for length in self.lengths:
            if length <= len(value):
                found.extend(self.by_prefix.get(value[:length], ()))
        return found

    def everything(self) -> list[int]:
        found = [n for items in self.exact.values() for n in items]
        found += [n for items in self.by_prefix.values() for n in items]
        return found + self.negated


class _Prefixed:
    """Actions as patterns, each with its resources as patterns."""

    def __init__(self, permissions: Sequence[Permission]) -> None:
        # The groups of the action patterns, numbered in order of appearance.
        self._actions = _Patterns()
        self._groups: list[_Patterns] = []
        by_action: dict[str, _Patterns] = {}
        # Same action (case-insensitive), by resource: for "held this on a narrower scope".
        self._same: dict[str, list[tuple[str, int]]] = {}
        for n, p in enumerate(permissions):
            action = _action_key(p.action)
            group = by_action.get(action)
            if group is None:
                group = by_action[action] = _Patterns()
                self._actions.add(action, len(self._groups))
                self._groups.append(group)
            group.add(p.resource, n)
            self._same.setdefault(action, []).append((p.resource, n))
        for same in self._same.values():
            same.sort()

    def covering(self, p: Permission) -> Sequence[int]:
        found: set[int] = set()
        for g in self._actions.candidates(_action_key(p.action)):
            found.update(self._groups[g].candidates(p.resource))
        return sorted(found)

    def same_action(self, p: Permission) -> Sequence[int]:
        return sorted(n for _, n in self._same.get(_action_key(p.action), ()))

    def same_action_within(self, p: Permission) -> Sequence[int]:
        same = self._same.get(_action_key(p.action), [])
        if p.resource.startswith(NOT):
            return sorted(n for _, n in same)
        prefix = _prefix(p.resource)
        literal = p.resource if prefix is None else prefix
        start = bisect.bisect_left(same, (literal,))
        found: list[int] = []
        for resource, n in same[start:]:
            if not resource.startswith(literal):
                break
            if prefix is not None or resource == literal:
                found.append(n)
        return sorted(found)


def index(permissions: Sequence[Permission]) -> Filing:
    """The provider spec's filing: by action pattern, then by resource pattern."""
    return _Prefixed(permissions)
