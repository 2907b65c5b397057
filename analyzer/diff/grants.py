"""Base model and head model → what each identity may do at head that it could not at base.

Identities are matched by address, and permissions are compared over the union of all
of an identity's grants, so a statement moved between policies of the same role, a
reformatted policy or a renamed policy resource is not growth. An identity absent at
base is never growth (DESIGN.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.model import Grant, Identity, Location, Model, Permission
from analyzer.permissions.match import covered


@dataclass(frozen=True, slots=True)
class GrantDelta:
    """Permissions one head grant adds to an identity that existed at base."""

    identity: Identity
    grant: Grant
    added: tuple[Permission, ...]
    # Base's grants of the identity, for "what it had before".
    before: tuple[Grant, ...]

    @property
    def location(self) -> Location | None:
        """The block the change adds: a new binding of an old rule, else the rule itself."""
        grant = self.grant
        if grant.binding is not None and not any(g.via == grant.via for g in self.before):
            return grant.binding
        return grant.location

    @property
    def related(self) -> tuple[Location, ...]:
        other = self.grant.location if self.location is self.grant.binding else self.grant.binding
        return (other,) if other is not None else ()


def _allowed(model: Model, address: str) -> list[Permission]:
    return [p for g in model.grants_of(address) if g.effect == "allow" for p in g.permissions]


def grant_deltas(base: Model, head: Model) -> list[GrantDelta]:
    deltas: list[GrantDelta] = []
    base_grants: dict[str, list[Grant]] = {}
    for g in base.grants:
        base_grants.setdefault(g.identity, []).append(g)
    for address, identity in sorted(head.identities.items()):
        old = base.identities.get(address)
        if old is None or not identity.declared:
            continue
        before = _allowed(base, address)
        for grant in head.grants_of(address):
            if grant.effect != "allow":
                continue
            added = tuple(p for p in grant.permissions if not covered(p, before))
            if added:
                deltas.append(
                    GrantDelta(identity, grant, added, tuple(base_grants.get(address, ())))
                )
    return deltas
