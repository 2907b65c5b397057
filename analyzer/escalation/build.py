"""The escalation graph of one model: every provider's edges, the federation that joins
them, and what each identity holds that is worth reaching."""

from __future__ import annotations

from collections.abc import Callable

from driftgate.analyzer.escalation import aws, azure, gcp, kubernetes
from driftgate.analyzer.escalation.graph import Edge, Graph, Prize
from driftgate.analyzer.escalation.view import Found, View, where
from driftgate.analyzer.model import Identity, Location, Model, Permission
from driftgate.analyzer.model.derived import per_model
from driftgate.analyzer.providers import spec

Finder = Callable[[View, Found], None]


def _nothing(view: View, found: Found) -> None:
    """Vault policies give tokens capabilities on paths, not other identities."""


# Every provider the model can name has its finder (tests/test_escalation_graph.py).
FINDERS: dict[str, Finder] = {
    "aws": aws.find,
    "gcp": gcp.find,
    "azure": azure.find,
    "kubernetes": kubernetes.find,
    "vault": _nothing,
}


def build_graph(model: Model) -> Graph:
    view = View(model)
    prizes = {
        identity.address: prize
        for identity in model.identities.values()
        if (prize := _prize(view, identity)) is not None
    }
    view.admins = frozenset(address for address, prize in prizes.items() if prize.admin)
    view.prized = frozenset(prizes)
    found = Found()
    for provider in sorted(view.by_provider):
        FINDERS[provider](view, found)
    found.edges.extend(e for e in _federation(model) if e.source not in view.admins)
    names = {address: identity.name for address, identity in model.identities.items()}
    passive = frozenset(a for a, identity in model.identities.items() if identity.definition)
    return Graph(found.edges, found.writers, prizes, found.unresolved, names, found.wide, passive)


# The graph a check asks for: built once per model, or ahead (see checkapi.prepare).
graph_of = per_model(build_graph)


def _federation(model: Model) -> list[Edge]:
    """A ServiceAccount that federates into a cloud identity (IRSA, GKE and Azure
    workload identity) is that identity to whoever controls it."""
    edges = []
    for identity in model.identities.values():
        for target in identity.federates_to:
            other = model.identities.get(target)
            if other is None:
                continue
            edges.append(
                Edge(
                    identity.address,
                    target,
                    "federation",
                    f"federates into {other.kind} {other.name}",
                    identity.location,
                    where(other.location),
                )
            )
    return edges


def _prize(view: View, identity: Identity) -> Prize | None:
    provider = spec(identity.provider)

    def worth(p: Permission) -> bool:
        found = provider.wildcard(p)
        return (found is not None and found.full_admin) or provider.is_escalation(p)

    effective = view.effective(identity)
    admin: tuple[str, Location | None] | None = None
    capabilities: dict[str, Location | None] = {}
    for grant in view.model.grants_of(identity.address):
        if grant.effect != "allow" or not grant.unresolved or grant.policy is None:
            continue
        policy = provider.policy_wildcard(grant.policy)
        if policy is not None and policy.full_admin and effective.policy_reaches():
            admin = admin or (grant.policy.rsplit("/", 1)[-1], grant.location)
    for allow in view.allows(identity, f"prize-{identity.provider}", worth):
        p = allow.permission
        if not effective.holds(p):
            continue
        wild = provider.wildcard(p)
        if wild is not None and wild.full_admin:
            name = allow.grant.policy.rsplit("/", 1)[-1] if allow.grant.policy else wild.what
            admin = admin or (name, allow.grant.location)
        else:
            capabilities.setdefault(f"{p.action} on {p.resource}", allow.grant.location)
    if admin is not None:
        what, location = admin
        return Prize(what, True, location, frozenset(k.lower() for k in capabilities))
    if capabilities:
        first = next(iter(capabilities))
        more = f" and {len(capabilities) - 1} more" if len(capabilities) > 1 else ""
        return Prize(
            f"{first}{more}",
            False,
            capabilities[first],
            frozenset(k.lower() for k in capabilities),
        )
    return None
