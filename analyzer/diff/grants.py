"""Base model and head model → what each identity may do at head that it could not at base.

Identities are matched by address, and permissions are compared over the union of all
of an identity's grants, so a statement moved between policies of the same role, a
policy split in two, a reformatted policy or a wildcard replaced by the actions it
already covered is not growth. An identity the change declares is new: it is never growth
(DESIGN.md §5). An identity no file declares (a role managed elsewhere, named by ARN or
name, or one driftgate could not resolve) existed before the change whether or not the
base named it, so what it gains is growth, with low confidence when its identity or what
it held before is unknown.

Each permission a head grant adds is classified once, by the most specific kind:
escalation (DG104), guardrail removed (DG103), scope broadened (DG102), else growth
(DG101); the permissions of one grant in one kind form one delta.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from driftgate.analyzer.model import (
    Condition,
    Grant,
    Identity,
    Location,
    Model,
    Permission,
    Workload,
)
from driftgate.analyzer.permissions.aws import excluded as aws_excluded
from driftgate.analyzer.permissions.effective import Effective
from driftgate.analyzer.permissions.shared import BySharedObject
from driftgate.analyzer.providers import covers, level, same_action, same_provider, spec

DeltaKind = Literal["escalation", "guardrail", "scope", "growth"]
_ORDER: dict[DeltaKind, int] = {"escalation": 0, "guardrail": 1, "scope": 2, "growth": 3}


@dataclass(frozen=True, slots=True)
class GrantDelta:
    """Permissions one head grant adds to an identity that existed at base, of one kind.

    A grant of a managed policy known only by name adds that policy (``grant.policy``)
    and no permissions.
    """

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
    # The identity is declared nowhere and the base did not name it: what it held before
    # the change is unknown.
    unseen_at_base: bool = False

    @property
    def certain(self) -> bool:
        """Whether both the identity and what it held before are known."""
        identity = self.identity
        unresolved = not identity.declared and not isinstance(identity.principal, str)
        return not (self.unseen_at_base or unresolved)

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
            found = (self.grant.location,) if self.grant.location is not None else ()
        else:
            grant = self.grant
            other = grant.location if self.location is grant.binding else grant.binding
            found = (other,) if other is not None else ()
        return found + tuple(o for o in self.grant.origins if o not in found)


def _classify(
    provider: str, p: Permission, conditions: frozenset[Condition], base: Effective, head: Effective
) -> tuple[DeltaKind, str]:
    if level(p, provider) == "escalation":
        return "escalation", ""
    for a in base.allows_covering(p):
        if not a.conditions <= conditions:
            gone = ", ".join(sorted(str(c) for c in a.conditions - conditions))
            return "guardrail", f"the condition {gone} no longer applies"
    for d in base.denies_covering(p):
        if not head.denies_covering(p):
            return "guardrail", f"the explicit Deny of {d.action} on {d.resource} was removed"
    boundary = _boundary_gone(base, head, base.within_boundary(p))
    if boundary is not None:
        return "guardrail", boundary
    if (restricted_by_name := spec(provider).restricted_by_name) is not None:
        for a in base.allows_of_action(p):
            if restricted_by_name(a.permission, p):
                return (
                    "guardrail",
                    f"the resourceNames restriction ({a.permission.resource}) was dropped",
                )
    for a in base.allows_within(p):
        narrow = a.permission
        if same_action(provider, narrow, p) and covers(
            provider, Permission(action=narrow.action, resource=p.resource, scope=p.scope), narrow
        ):
            was = _where(narrow)
            return "scope", f"it held this on {was}"
    return "growth", ""


def _boundary_gone(base: Effective, head: Effective, within: bool) -> str | None:
    if base.boundary is not None and head.boundary is None:
        return "the permissions boundary was removed"
    if not within:
        return "the permissions boundary was widened"
    return None


def _where(p: Permission) -> str:
    if p.scope and p.scope != "*":
        return f"{p.resource} in namespace {p.scope}"
    return p.resource


def _gains(
    grant: Grant, base_side: Effective, head_side: Effective
) -> dict[DeltaKind, tuple[list[Permission], str]]:
    """What ``grant`` adds over ``base_side``, classified, in the order of the grant."""
    provider = head_side.provider
    conditions = frozenset(grant.conditions)
    if grant.unresolved and grant.policy is not None:
        return _policy_gain(grant.policy, conditions, base_side, head_side)
    kinds: dict[DeltaKind, tuple[list[Permission], str]] = {}
    for p in grant.permissions:
        if not head_side.holds(p, conditions):
            continue  # denied or capped at head: nothing gained
        if base_side.holds(p, conditions):
            # Allowed before as a whole, but a Deny at base may have carved part of it
            # out (Allow s3:*, Deny s3:DeleteObject): what that Deny removed is gained.
            for d in base_side.denies:
                carved = covers(provider, p, d) and not covers(provider, d, p)
                if carved and head_side.holds(d, conditions):
                    reason = f"the explicit Deny of {d.action} on {d.resource} was removed"
                    entry = kinds.setdefault("guardrail", ([], reason))[0]
                    if d not in entry:
                        entry.append(d)
            continue
        kind, reason = _classify(provider, p, conditions, base_side, head_side)
        kinds.setdefault(kind, ([], reason))[0].append(p)
    return kinds


def _policy_gain(
    policy: str, conditions: frozenset[Condition], base_side: Effective, head_side: Effective
) -> dict[DeltaKind, tuple[list[Permission], str]]:
    """A managed policy known only by name is gained as a whole, or not at all."""
    if not head_side.holds_policy(policy, conditions) or base_side.holds_policy(policy, conditions):
        return {}
    reason = _boundary_gone(base_side, head_side, base_side.policy_reaches())
    return {"guardrail": ([], reason)} if reason is not None else {"growth": ([], "")}


def workload_deltas(base: Model, head: Model) -> list[GrantDelta]:
    """Growth a workload gains by reaching an identity it did not reach at base.

    A workload switched to a more privileged ServiceAccount, or whose ServiceAccount now
    federates to another role, gains that identity's permissions beyond what the
    identities it reached at base allowed (compared within each provider).
    """
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
                for g in base.grants_of(i)
            ]
            grants = head.grants_of(reached)
            base_side, head_side = Effective(provider, same), Effective(provider, grants)
            for grant, kind, added, reason in _classified(grants, base_side, head_side):
                why = f"{workload.address} now runs as it" + (f"; {reason}" if reason else "")
                deltas.append(
                    GrantDelta(identity, grant, tuple(added), kind, why, tuple(same), workload)
                )
    return deltas


def _classified(
    grants: Iterable[Grant], base_side: Effective, head_side: Effective
) -> Iterator[tuple[Grant, DeltaKind, list[Permission], str]]:
    """What each allow grant adds over the base side, one entry per kind, in kind order."""
    for grant in grants:
        if grant.effect != "allow":
            continue
        kinds = _gains(grant, base_side, head_side)
        for kind in sorted(kinds, key=_ORDER.__getitem__):
            added, reason = kinds[kind]
            yield grant, kind, added, reason


class _Permissions:
    """A grant's permissions tuple, hashed once: a managed policy's thousands of
    permissions are one tuple shared by every role it is attached to, and a tuple does
    not keep its hash. Equal when the permissions are (never by hash alone)."""

    __slots__ = ("_equal", "_hash", "items")

    def __init__(self, items: tuple[Permission, ...]) -> None:
        self.items = items
        self._hash = hash(items)
        # Others found equal (base's copy of the same policy): compared once, not per role.
        self._equal: set[int] = set()

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Permissions):
            return NotImplemented
        if self._hash != other._hash:
            return False
        if self.items is other.items or id(other) in self._equal:
            return True
        if self.items != other.items:
            return False
        self._equal.add(id(other))
        other._equal.add(id(self))
        return True


_Hashed = BySharedObject[tuple[Permission, ...], _Permissions]


def _gives(grant: Grant, hashed: _Hashed) -> tuple[object, ...]:
    """What a grant gives, whatever its place, binding or name: all that
    :class:`Effective` reads of it. Hashed once per grant, never compared as a model."""
    permissions = hashed(grant.permissions)
    return grant.effect, permissions, grant.conditions, grant.policy, grant.unknown


def _changed_allows(
    before: Sequence[Grant], after: Sequence[Grant], hashed: _Hashed
) -> list[Grant]:
    """The head allows worth classifying. When the denies and boundary give what they
    gave at base, an allow that gives what one at base gave is held there, so it adds
    nothing wherever it is written: skipping it keeps an unchanged 2,900-action
    ReadOnlyAccess, or the 1,700 permissions of ClusterRoles whose file gained a line at
    the top, from costing every scan. ``hashed`` holds the permission tuples hashed in
    this run."""
    gave = {_gives(g, hashed) for g in before}
    gives = [(_gives(g, hashed), g) for g in after]
    if {k for k in gave if k[0] != "allow"} != {k for k, _ in gives if k[0] != "allow"}:
        return [g for g in after if g.effect == "allow"]
    return [g for k, g in gives if g.effect == "allow" and k not in gave]


def _removed_denies(before: Sequence[Grant], after: Sequence[Grant]) -> list[Grant]:
    """What base's Deny statements denied that head's no longer do, each as a deny grant.

    A statement gone (no head Deny has its place) keeps its base location, and what no
    head Deny with the same conditions still covers. A statement still there that denies
    less — an action dropped from its list, or one that joins its NotAction — is located
    at head's statement, with only what it stopped denying.
    """
    heads: dict[str, list[Grant]] = {}
    for g in after:
        if g.effect == "deny":
            heads.setdefault(g.via, []).append(g)
    found: list[Grant] = []
    for g in before:
        if g.effect != "deny" or not g.permissions:
            continue
        same = heads.get(g.via, [])
        if not same:
            kept = {
                p
                for h in after
                if h.effect == "deny" and h.conditions == g.conditions
                for p in h.permissions
            }
            if not set(g.permissions) <= kept:
                found.append(g)
            continue
        for h in same:
            if h.conditions != g.conditions:
                continue
            gone = _denied_less(g.permissions, h.permissions)
            if gone:
                found.append(g.model_copy(update={"permissions": gone, "location": h.location}))
    return found


def _denied_less(
    base: tuple[Permission, ...], head: tuple[Permission, ...]
) -> tuple[Permission, ...]:
    """What a Deny statement denied at base and not at head: actions dropped from its
    list, and actions that joined its NotAction (``NOT x`` is denied everything but x)."""
    kept = set(head)
    dropped = [p for p in base if not p.action.startswith("NOT ") and p not in kept]
    before = {
        (p.resource, x) for p in base if p.action.startswith("NOT ") for x in aws_excluded(p.action)
    }
    excluded = [
        Permission(action=x, resource=p.resource, scope=p.scope)
        for p in head
        if p.action.startswith("NOT ")
        for x in aws_excluded(p.action)
        if (p.resource, x) not in before
    ]
    # A NotAction statement that gained an exclusion: only if it had exclusions before
    # (a new NotAction statement replacing an Action one is a different statement).
    if excluded and not any(p.action.startswith("NOT ") for p in base):
        excluded = []
    return tuple(dict.fromkeys([*dropped, *excluded]))


def _denies_gone(
    identity: Identity,
    removed: Sequence[Grant],
    before: tuple[Grant, ...],
    base_side: Effective,
    head_side: Effective,
) -> Iterator[GrantDelta]:
    """A Deny removed is a guardrail removed even when nothing in this tree allows what it
    denied: a policy attached elsewhere (by hand, by another repository) now can. When
    something here does allow it, the allow's own delta already says so."""
    for deny in removed:
        gone = tuple(
            p
            for p in deny.permissions
            # Something here allows part of it: that allow's delta says it was regained.
            if not head_side.denies_covering(p)
            and not head_side.holds(p)
            and not head_side.allows_within(p)
        )
        if not gone:
            continue
        shown = ", ".join(f"{p.action} on {p.resource}" for p in gone[:3])
        narrowed = deny not in before
        guarded = f" (when {', '.join(str(c) for c in deny.conditions)})" if deny.conditions else ""
        reason = (
            f"the explicit Deny{guarded} no longer covers {shown}"
            if narrowed
            else f"the explicit Deny{guarded} of {shown} was removed"
        ) + "; nothing here allows it today, but a policy attached elsewhere now can"
        # A statement gone has no line at head: point at the identity's declaration.
        where = deny.location if narrowed else identity.location
        at = deny.model_copy(update={"effect": "allow", "location": where, "binding": None})
        yield GrantDelta(identity, at, gone, "guardrail", reason, before)


def grant_deltas(base: Model, head: Model) -> list[GrantDelta]:
    deltas: list[GrantDelta] = []
    hashed: _Hashed = BySharedObject(_Permissions)
    for address, identity in sorted(head.identities.items()):
        unseen = address not in base.identities
        if unseen and identity.declared:
            continue
        provider = identity.provider
        if not identity.declared and identity.kind in spec(provider).people_kinds:
            continue
        before = tuple(base.grants_of(address))
        grants = head.grants_of(address)
        changed = _changed_allows(before, grants, hashed)
        removed = _removed_denies(before, grants) if identity.declared and not unseen else []
        if not changed and not removed:
            continue
        base_side = Effective(provider, before)
        head_side = Effective(provider, grants)
        for grant, kind, added, reason in _classified(changed, base_side, head_side):
            deltas.append(
                GrantDelta(identity, grant, tuple(added), kind, reason, before, None, unseen)
            )
        deltas.extend(_denies_gone(identity, removed, before, base_side, head_side))
    return deltas + workload_deltas(base, head)
