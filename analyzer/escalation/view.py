"""The model as the edge finders read it: identities by provider, each one's effective
permissions, and the allows of interest to a finder, filtered once per permission list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from driftgate.analyzer.escalation.graph import Confidence, Edge
from driftgate.analyzer.model import Grant, Identity, Location, Model, Permission, Unknown
from driftgate.analyzer.permissions.effective import Effective
from driftgate.analyzer.permissions.shared import BySharedObject

# Which of a list of permissions a finder cares about (by action, say).
Picker = Callable[[Permission], bool]


@dataclass(frozen=True, slots=True)
class Allow:
    """One allowed permission and the grant that gives it."""

    permission: Permission
    grant: Grant


@dataclass
class Found:
    """What the finders add to the graph."""

    edges: list[Edge] = field(default_factory=list)
    writers: list[Edge] = field(default_factory=list)
    unresolved: dict[str, list[str]] = field(default_factory=dict)
    # Steps onto more identities than are followed one by one (see aws.FANOUT): the
    # target is ``*`` and what they are, for a finding of their own.
    wide: list[Edge] = field(default_factory=list)

    def note(self, source: str, text: str) -> None:
        notes = self.unresolved.setdefault(source, [])
        if text not in notes:
            notes.append(text)


class View:
    def __init__(self, model: Model) -> None:
        self.model = model
        self._effective: dict[str, Effective] = {}
        self._picked: dict[str, BySharedObject[tuple[Permission, ...], tuple[Permission, ...]]] = {}
        # Identities that already hold everything: nothing they reach is more.
        self.admins: frozenset[str] = frozenset()
        # Identities that hold something worth reaching (admin or a capability).
        self.prized: frozenset[str] = frozenset()

    @cached_property
    def by_provider(self) -> dict[str, list[Identity]]:
        found: dict[str, list[Identity]] = {}
        for address in sorted(self.model.identities):
            identity = self.model.identities[address]
            found.setdefault(identity.provider, []).append(identity)
        return found

    def identities(self, provider: str) -> list[Identity]:
        return self.by_provider.get(provider, [])

    def sources(self, provider: str) -> list[Identity]:
        """The identities whose edges are worth finding: all but the admins."""
        return [i for i in self.identities(provider) if i.address not in self.admins]

    def effective(self, identity: Identity) -> Effective:
        found = self._effective.get(identity.address)
        if found is None:
            grants = self.model.grants_of(identity.address)
            found = self._effective[identity.address] = Effective(identity.provider, grants)
        return found

    def allows(self, identity: Identity, tag: str, pick: Picker) -> list[Allow]:
        """The identity's allowed permissions ``pick`` keeps (``tag`` names the picker:
        a vendor policy's thousands of permissions are filtered once per run)."""
        memo = self._picked.get(tag)
        if memo is None:
            memo = self._picked[tag] = BySharedObject(
                lambda permissions: tuple(p for p in permissions if pick(p))
            )
        found: list[Allow] = []
        for grant in self.model.grants_of(identity.address):
            if grant.effect != "allow" or not grant.permissions:
                continue
            found.extend(Allow(p, grant) for p in memo(grant.permissions))
        return found

    def blocked(self, identity: Identity, permission: Permission) -> bool:
        """An unconditional Deny or the permissions boundary takes ``permission`` away."""
        effective = self.effective(identity)
        return bool(effective.denies_covering(permission)) or not effective.within_boundary(
            permission
        )


def reference(identity: Identity) -> str | None:
    """How the repository writes the identity's principal when no literal is known: the
    expression an unknown principal came from (``${aws_iam_role.app.arn}``)."""
    principal = identity.principal
    if isinstance(principal, Unknown):
        return "${" + principal.unknown + "}"
    return principal


def where(*locations: Location | None) -> tuple[Location, ...]:
    return tuple(dict.fromkeys(loc for loc in locations if loc is not None))


def granted(
    source: Identity,
    target: Identity,
    kind: str,
    how: str,
    allow: Allow,
    confidence: Confidence,
    actions: tuple[str, ...] | None = None,
) -> Edge:
    """The step a role binding gives ``source`` onto ``target``: at the binding (else
    the rule), with the rule and the target as related places."""
    return Edge(
        source.address,
        target.address,
        kind,
        how,
        allow.grant.binding or allow.grant.location,
        where(allow.grant.location, target.location),
        confidence,
        actions or (allow.permission.action,),
    )


def self_grant(source: Identity, allow: Allow, how: str) -> Edge:
    """A binding that lets ``source`` grant itself any role: a writer edge onto itself."""
    return Edge(
        source.address,
        source.address,
        "policy-write",
        how,
        allow.grant.binding or allow.grant.location,
        where(allow.grant.location),
        "high",
        (allow.permission.action,),
    )
