"""Azure: role definitions assigned on scope paths, managed identities, federation."""

from __future__ import annotations

from collections.abc import Iterable

from driftgate.analyzer.model import Identity, Model, Permission, Trust
from driftgate.analyzer.permissions import azure as algebra
from driftgate.analyzer.providers.conditions import Condition, opaque
from driftgate.analyzer.providers.spec import Danger, Level, ProviderSpec

_ESCALATION = frozenset(
    {"owner", "user access administrator", "role based access control administrator"}
)


def level(permission: Permission) -> Level:
    action = permission.action.lower()
    if action in _ESCALATION or "roleassignments/write" in action:
        return "escalation"
    if action == "contributor":
        # Contributor may assign managed identities and run commands as them.
        return "escalation"
    if action == "*" or action.endswith("administrator"):
        return "admin"
    if action == "reader" or action.endswith(("reader", "/read")):
        return "read"
    return "write"


def conditions(texts: Iterable[str]) -> list[Condition]:
    """A federated credential's audience; anything else compared by its text."""
    found = []
    for text in texts:
        key, sep, rest = text.partition(" ")
        if sep and key == "audience":
            found.append(Condition(key=key, family="string", values=(rest,)))
        else:
            found.append(opaque(text))
    return found


def trust_verb(trust: Trust) -> str:
    # A role on the identity (Managed Identity Operator) lets its holder act as it; a
    # federated credential lets a workload sign in as it.
    return "act as" if trust.actions else "federate into"


def is_default(identity: Identity) -> bool:
    return identity.kind == "kubelet_identity"


def danger(model: Model, identity: Identity) -> Danger:
    return (
        "high",
        "AKS created for the cluster and every pod on its nodes can obtain from the "
        "instance metadata endpoint",
    )


SPEC = ProviderSpec(
    name="azure",
    covers=algebra.covers,
    level=level,
    prefix_indexed=False,
    parse_conditions=conditions,
    trust_verb=trust_verb,
    trust_names_actions=True,
    is_default_identity=is_default,
    default_danger=danger,
    labelled=lambda identity: True,
)
