"""What one identity may effectively do: what its grants allow, less what an unconditional
Deny takes away, within its permissions boundary (DESIGN.md §4, §5).

The diff, DG106's promotion and the state checks all ask this one object, so they cannot
disagree on what a Deny or a boundary does:

- A Deny with conditions may not apply: only an unconditional one subtracts.
- A boundary the model cannot read (an ARN of a policy the repository does not declare,
  a statement with unknown parts) caps nothing for certain: nothing is hidden under it,
  and :attr:`Effective.boundary_unknown` tells findings to say they may be wrong.
- A managed policy known only by name (:attr:`Grant.unresolved`) may allow anything: only
  a Deny of everything removes it for certain, and only a boundary that allows everything
  lets it through whole.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from driftgate.analyzer.model import Condition, Grant, Permission
from driftgate.analyzer.permissions.index import PermissionIndex
from driftgate.analyzer.providers import spec

# What an unknown policy may allow, for asking whether a Deny or boundary reaches all of it.
_EVERYTHING = Permission(action="*", resource="*")


@dataclass(frozen=True, slots=True)
class Allowed:
    """One permission an allow grant gives, under the grant's conditions."""

    permission: Permission
    conditions: frozenset[Condition]
    grant: Grant


def _itself(p: Permission) -> Permission:
    return p


def _allowed_permission(a: Allowed) -> Permission:
    return a.permission


class Effective:
    """One identity's effective permissions, indexed for repeated questions."""

    def __init__(
        self,
        provider: str,
        grants: Iterable[Grant],
        permission: Callable[[Permission], Permission] | None = None,
        condition: Callable[[Condition], Condition] | None = None,
    ) -> None:
        """``permission``/``condition`` rewrite what is compared (DG106 replaces
        environment tokens so that prod's and staging's resources compare alike)."""
        norm = permission or _itself
        cond = condition or _same_condition
        self.provider = provider
        found = spec(provider)
        self._index = found.index
        self._covers = found.covers
        allowing: list[tuple[Grant, frozenset[Condition]]] = []
        policies: list[tuple[Grant, frozenset[Condition]]] = []
        denies: list[Permission] = []
        boundary: list[Permission] = []
        bounded = unknown_boundary = False
        for g in grants:
            if g.effect == "boundary":
                bounded = True
                unknown_boundary = unknown_boundary or g.unresolved or bool(g.unknown)
                boundary.extend(norm(p) for p in g.permissions)
            elif g.effect == "deny":
                if not g.conditions:
                    denies.extend(norm(p) for p in g.permissions)
            elif g.unresolved:
                policies.append((g, frozenset(cond(c) for c in g.conditions)))
            else:
                allowing.append((g, frozenset(cond(c) for c in g.conditions)))
        self._allowing = allowing
        self._norm = norm
        # Allow grants of managed policies known only by name, with their conditions.
        self.policies = tuple(policies)
        self.denies = tuple(denies)
        # None: nothing caps for certain (no boundary, or one that cannot be read).
        self.boundary: tuple[Permission, ...] | None = (
            tuple(boundary) if bounded and not unknown_boundary else None
        )
        self.boundary_unknown = unknown_boundary
        self._held: dict[Permission, bool] = {}

    @functools.cached_property
    def allows(self) -> tuple[Allowed, ...]:
        """Every allowed permission with its conditions and grant. Built on first use:
        a role with ReadOnlyAccess holds thousands, and most questions never need them."""
        norm = self._norm
        return tuple(
            Allowed(norm(p), conditions, g)
            for g, conditions in self._allowing
            for p in g.permissions
        )

    # Indexed on first use: many identities are asked nothing of one kind.
    @functools.cached_property
    def _allows(self) -> PermissionIndex[Allowed]:
        return PermissionIndex(self._index, self.allows, _allowed_permission)

    @functools.cached_property
    def _denies(self) -> PermissionIndex[Permission]:
        return PermissionIndex(self._index, self.denies, _itself)

    @functools.cached_property
    def _boundary(self) -> PermissionIndex[Permission]:
        return PermissionIndex(self._index, self.boundary or (), _itself)

    def _covering(self, broad: Permission, narrow: Permission) -> bool:
        """:func:`driftgate.analyzer.providers.covers` without looking the spec up each time."""
        return broad == narrow or self._covers(broad, narrow)

    def allows_covering(self, p: Permission) -> list[Allowed]:
        return [a for a in self._allows.covering(p) if self._covering(a.permission, p)]

    def allows_within(self, p: Permission) -> list[Allowed]:
        """Allowed permissions of ``p``'s action whose resource ``p.resource`` may cover."""
        return self._allows.same_action_within(p)

    def allows_of_action(self, p: Permission) -> list[Allowed]:
        """Allowed permissions that may have ``p``'s action (a superset of those that do)."""
        return self._allows.same_action(p)

    def denies_covering(self, p: Permission) -> list[Permission]:
        return [d for d in self._denies.covering(p) if self._covering(d, p)]

    def within_boundary(self, p: Permission) -> bool:
        if self.boundary is None:
            return True
        return any(self._covering(b, p) for b in self._boundary.covering(p))

    def holds(self, p: Permission, conditions: frozenset[Condition] | None = None) -> bool:
        """``p`` is allowed, not denied and within the boundary. With ``conditions``,
        only by grants whose conditions are among them; without, whatever the conditions."""
        if conditions is None:
            held = self._held.get(p)
            if held is None:
                held = self._held[p] = self._holds(p, None)
            return held
        return self._holds(p, conditions)

    def holds_under(self, allowed: Permission) -> Callable[[Permission], bool]:
        """``holds`` for what one of this identity's unconditional allows covers: with
        no Deny and no boundary, that allow is the answer, and the index (thousands of
        permissions for ReadOnlyAccess) is never built for it."""
        if self.denies or self.boundary is not None or self.boundary_unknown:
            return self.holds

        def held(p: Permission) -> bool:
            return self._covering(allowed, p) or self.holds(p)

        return held

    def _holds(self, p: Permission, conditions: frozenset[Condition] | None) -> bool:
        if self.denies_covering(p) or not self.within_boundary(p):
            return False
        return any(
            conditions is None or a.conditions <= conditions for a in self.allows_covering(p)
        )

    def amounts_to(self, p: Permission) -> list[Permission]:
        """What an allowed ``p`` amounts to: itself, the parts of the boundary it reaches,
        or nothing when a Deny covers it."""
        if self.denies_covering(p):
            return []
        if self.within_boundary(p):
            return [p]
        return [b for b in self.boundary or () if self._covering(p, b)]

    def policy_reaches(self) -> bool:
        """A managed policy known only by name reaches the identity: no Deny of everything
        removes it, and no boundary narrower than everything caps it to an unknown part."""
        return not self.denies_covering(_EVERYTHING) and self.within_boundary(_EVERYTHING)

    def holds_policy(self, policy: str, conditions: frozenset[Condition] | None = None) -> bool:
        """The managed policy ``policy`` is held: attached by name (under conditions among
        ``conditions``, when given) and reaching the identity, or everything is allowed."""
        attached = any(
            g.policy == policy and (conditions is None or when <= conditions)
            for g, when in self.policies
        )
        return (attached and self.policy_reaches()) or self.holds(_EVERYTHING, conditions)


def _same_condition(condition: Condition) -> Condition:
    return condition
