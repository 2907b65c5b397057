"""Base model and head model → what each identity may do at head that it could not at base.

Identities are matched by address, and permissions are compared over the union of all
of an identity's grants, so a statement moved between policies of the same role, a
policy split in two, a reformatted policy or a wildcard replaced by the actions it
already covered is not growth. An identity absent at base is never growth (DESIGN.md §5).

Each permission a head grant adds is classified once, by the most specific kind:
escalation (DG104), guardrail removed (DG103), scope broadened (DG102), else growth
(DG101); the permissions of one grant in one kind form one delta.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from driftgate.analyzer.model import Grant, Identity, Location, Model, Permission, Workload
from driftgate.analyzer.permissions.index import PermissionIndex
from driftgate.analyzer.providers import covers, level, same_action, same_provider, spec

DeltaKind = Literal["escalation", "guardrail", "scope", "growth"]
_ORDER: dict[DeltaKind, int] = {"escalation": 0, "guardrail": 1, "scope": 2, "growth": 3}
# A permissions boundary statement is kept as a deny-effect grant with this marker
# first among its conditions: it is a ceiling, not a deny (analyzer/extract/aws_iam.py).
BOUNDARY = "permissions-boundary"


@dataclass(frozen=True, slots=True)
class _Allowed:
    permission: Permission
    conditions: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Indexed:
    allows: PermissionIndex[_Allowed]
    denies: PermissionIndex[Permission]
    boundary: PermissionIndex[Permission]


@dataclass(frozen=True, slots=True)
class Side:
    """One identity's permissions on one side of the change."""

    allows: tuple[_Allowed, ...]
    denies: tuple[Permission, ...]
    # None: no permissions boundary; else the permissions the boundary allows.
    boundary: tuple[Permission, ...] | None
    # Per provider: allows, denies and boundary indexed, built on first use.
    _indexes: dict[str, _Indexed] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(
        cls,
        grants: Iterable[Grant],
        permission: Callable[[Permission], Permission] | None = None,
        condition: Callable[[str], str] | None = None,
    ) -> Side:
        """``permission``/``condition`` rewrite what is compared (DG106 replaces
        environment tokens so that prod's and staging's resources compare alike)."""
        norm = permission or (lambda p: p)
        cond = condition or (lambda c: c)
        allows: list[_Allowed] = []
        denies: list[Permission] = []
        boundary: list[Permission] | None = None
        unknown_boundary = False
        for g in grants:
            if g.effect == "deny" and g.conditions[:1] == (BOUNDARY,):
                # A boundary known only by its ARN caps nothing we can name: rather than
                # hide all growth under it, it does not cap (the grant says it is unknown).
                if g.unknown or any(p.action.startswith("policy ") for p in g.permissions):
                    unknown_boundary = True
                boundary = (boundary or []) + [norm(p) for p in g.permissions]
            elif g.effect == "deny":
                # A conditional Deny may not apply: only unconditional ones subtract.
                if not g.conditions:
                    denies.extend(norm(p) for p in g.permissions)
            else:
                conditions = frozenset(cond(c) for c in g.conditions)
                allows.extend(_Allowed(norm(p), conditions) for p in g.permissions)
        if unknown_boundary:
            boundary = None
        return cls(tuple(allows), tuple(denies), None if boundary is None else tuple(boundary))

    def indexed(self, provider: str) -> _Indexed:
        found = self._indexes.get(provider)
        if found is None:
            prefixed = spec(provider).prefix_indexed
            found = self._indexes[provider] = _Indexed(
                PermissionIndex(prefixed, self.allows, lambda a: a.permission),
                PermissionIndex(prefixed, self.denies, _itself),
                PermissionIndex(prefixed, self.boundary or (), _itself),
            )
        return found

    def allows_covering(self, provider: str, p: Permission) -> list[_Allowed]:
        return [
            a
            for a in self.indexed(provider).allows.covering(p)
            if covers(provider, a.permission, p)
        ]

    def denies_covering(self, provider: str, p: Permission) -> list[Permission]:
        return [d for d in self.indexed(provider).denies.covering(p) if covers(provider, d, p)]

    def within_boundary(self, provider: str, p: Permission) -> bool:
        if self.boundary is None:
            return True
        candidates = self.indexed(provider).boundary.covering(p)
        return any(covers(provider, b, p) for b in candidates)

    def effective(self, provider: str, p: Permission, conditions: frozenset[str]) -> bool:
        """``p`` (under ``conditions``) is allowed here: granted, not denied, within bounds."""
        if self.denies_covering(provider, p) or not self.within_boundary(provider, p):
            return False
        return any(a.conditions <= conditions for a in self.allows_covering(provider, p))


def _itself(p: Permission) -> Permission:
    return p


@dataclass(frozen=True, slots=True)
class GrantDelta:
    """Permissions one head grant adds to an identity that existed at base, of one kind."""

    identity: Identity
    grant: Grant
    added: tuple[Permission, ...]
    kind: DeltaKind
    # What made it this kind, in words: "condition ... removed", "was namespace x".
    reason: str
    # Base's grants of the identity, for "what it had before".
    before: tuple[Grant, ...]
    # Set when the growth is a workload's: it reaches this identity only at head (a new
    # serviceAccountName, IRSA annotation or role ARN), so the workload is what changed.
    workload: Workload | None = None

    @property
    def location(self) -> Location | None:
        """The block the change adds: a new binding of an old rule, else the rule itself."""
        if self.workload is not None:
            return self.workload.identity_location or self.workload.location
        grant = self.grant
        if grant.binding is not None and not any(g.via == grant.via for g in self.before):
            return grant.binding
        return grant.location

    @property
    def related(self) -> tuple[Location, ...]:
        if self.workload is not None:
            return (self.grant.location,) if self.grant.location is not None else ()
        other = self.grant.location if self.location is self.grant.binding else self.grant.binding
        return (other,) if other is not None else ()


def _classify(
    provider: str, p: Permission, conditions: frozenset[str], base: Side, head: Side
) -> tuple[DeltaKind, str]:
    if level(p, provider) == "escalation":
        return "escalation", ""
    for a in base.allows_covering(provider, p):
        if not a.conditions <= conditions:
            gone = ", ".join(sorted(a.conditions - conditions))
            return "guardrail", f"the condition {gone} no longer applies"
    for d in base.denies_covering(provider, p):
        if not head.denies_covering(provider, p):
            return "guardrail", f"the explicit Deny of {d.action} on {d.resource} was removed"
    if base.boundary is not None and head.boundary is None:
        return "guardrail", "the permissions boundary was removed"
    if not base.within_boundary(provider, p):
        return "guardrail", "the permissions boundary was widened"
    restricted_by_name = spec(provider).restricted_by_name
    for a in base.allows:
        if restricted_by_name(a.permission, p):
            return (
                "guardrail",
                f"the resourceNames restriction ({a.permission.resource}) was dropped",
            )
    for a in base.indexed(provider).allows.same_action_within(p):
        narrow = a.permission
        if same_action(provider, narrow, p) and covers(
            provider, Permission(action=narrow.action, resource=p.resource, scope=p.scope), narrow
        ):
            was = _where(narrow)
            return "scope", f"it held this on {was}"
    return "growth", ""


def _where(p: Permission) -> str:
    if p.scope and p.scope != "*":
        return f"{p.resource} in namespace {p.scope}"
    return p.resource


def _by_identity(model: Model) -> dict[str, list[Grant]]:
    found: dict[str, list[Grant]] = {}
    for g in model.grants:
        found.setdefault(g.identity, []).append(g)
    return found


def _gains(
    provider: str, grant: Grant, base_side: Side, head_side: Side
) -> dict[DeltaKind, tuple[list[Permission], str]]:
    """What ``grant`` adds over ``base_side``, classified, in the order of the grant."""
    conditions = frozenset(grant.conditions)
    kinds: dict[DeltaKind, tuple[list[Permission], str]] = {}
    for p in grant.permissions:
        if not head_side.effective(provider, p, conditions):
            continue  # denied or capped at head: nothing gained
        if base_side.effective(provider, p, conditions):
            # Allowed before as a whole, but a Deny at base may have carved part of it
            # out (Allow s3:*, Deny s3:DeleteObject): what that Deny removed is gained.
            for d in base_side.denies:
                carved = covers(provider, p, d) and not covers(provider, d, p)
                if carved and head_side.effective(provider, d, conditions):
                    reason = f"the explicit Deny of {d.action} on {d.resource} was removed"
                    entry = kinds.setdefault("guardrail", ([], reason))[0]
                    if d not in entry:
                        entry.append(d)
            continue
        kind, reason = _classify(provider, p, conditions, base_side, head_side)
        kinds.setdefault(kind, ([], reason))[0].append(p)
    return kinds


def workload_deltas(base: Model, head: Model) -> list[GrantDelta]:
    """Growth a workload gains by reaching an identity it did not reach at base.

    A workload switched to a more privileged ServiceAccount, or whose ServiceAccount now
    federates to another role, gains that identity's permissions beyond what the
    identities it reached at base allowed (compared within each provider).
    """
    base_grants, head_grants = _by_identity(base), _by_identity(head)
    deltas: list[GrantDelta] = []
    for address, workload in sorted(head.workloads.items()):
        old = base.workloads.get(address)
        if old is None:
            continue
        before = set(base.effective_identities(old))
        for reached in head.effective_identities(workload):
            identity = head.identities.get(reached)
            if reached in before or identity is None or not identity.declared:
                continue
            provider = identity.provider
            same = [
                g
                for i in before
                if (b := base.identities.get(i)) is not None and same_provider(b, identity)
                for g in base_grants.get(i, ())
            ]
            base_side, head_side = Side.of(same), Side.of(head_grants.get(reached, ()))
            for grant in head_grants.get(reached, ()):
                if grant.effect != "allow":
                    continue
                kinds = _gains(provider, grant, base_side, head_side)
                for kind in sorted(kinds, key=_ORDER.__getitem__):
                    added, reason = kinds[kind]
                    why = f"{workload.address} now runs as it" + (f"; {reason}" if reason else "")
                    deltas.append(
                        GrantDelta(identity, grant, tuple(added), kind, why, tuple(same), workload)
                    )
    return deltas


def grant_deltas(base: Model, head: Model) -> list[GrantDelta]:
    base_grants, head_grants = _by_identity(base), _by_identity(head)
    deltas: list[GrantDelta] = []
    for address, identity in sorted(head.identities.items()):
        if address not in base.identities or not identity.declared:
            continue
        provider = identity.provider
        before = tuple(base_grants.get(address, ()))
        base_side = Side.of(before)
        grants = head_grants.get(address, [])
        head_side = Side.of(grants)
        for grant in grants:
            if grant.effect != "allow":
                continue
            kinds = _gains(provider, grant, base_side, head_side)
            for kind in sorted(kinds, key=_ORDER.__getitem__):
                added, reason = kinds[kind]
                deltas.append(GrantDelta(identity, grant, tuple(added), kind, reason, before))
    return deltas + workload_deltas(base, head)
