"""Azure edges: a role on a user-assigned identity (or a scope above it) that assigns it
to compute the holder runs or adds a federated credential the holder controls; and the
roles that let an identity assign itself any role where they are held."""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.escalation.graph import Confidence, Edge
from driftgate.analyzer.escalation.view import Allow, Found, View, granted, self_grant
from driftgate.analyzer.model import Identity, Permission

PROVIDER = "azure"
# Role or action → (edge kind, what it lets the holder do).
ACT_AS: dict[str, tuple[str, str]] = {
    "managed identity operator": ("identity-assign", "assign it to compute it runs"),
    "managed identity contributor": (
        "federated-credential",
        "add a federated credential it controls to it",
    ),
    "contributor": ("federated-credential", "add a federated credential it controls to it"),
    "microsoft.managedidentity/userassignedidentities/federatedidentitycredentials/write": (
        "federated-credential",
        "add a federated credential it controls to it",
    ),
    "microsoft.managedidentity/userassignedidentities/*/assign/action": (
        "identity-assign",
        "assign it to compute it runs",
    ),
}
SELF_GRANT = frozenset(
    {
        "user access administrator",
        "role based access control administrator",
        "microsoft.authorization/roleassignments/write",
    }
)


def _pick(p: Permission) -> bool:
    role = p.action.lower()
    return role in ACT_AS or role in SELF_GRANT


def find(view: View, found: Found) -> None:
    identities = [i for i in view.identities(PROVIDER) if i.kind == "user_assigned_identity"]
    for source in view.sources(PROVIDER):
        for allow in view.allows(source, "azure-escalation", _pick):
            if allow.permission.action.lower() in SELF_GRANT:
                found.writers.append(_self_grant(source, allow))
                continue
            found.edges.extend(_acts_as(source, allow, identities))


def _reaches(resource: str, source: Identity, target: Identity) -> Confidence | None:
    """Whether a role on scope ``resource`` holds on the identity ``target``. Its resource
    id is seldom known: a subscription holds every identity in it (medium: which
    subscription is not always known); a resource group only those its root declares,
    and that only as a possibility (low)."""
    if resource.startswith("${"):
        local = target.address.split(":", 1)[-1]
        return "high" if resource[2:].startswith(local + ".") else None
    parts = [p for p in resource.split("/") if p]
    if "/userassignedidentities/" in resource.lower():
        return "high" if parts[-1].lower() == target.name.lower() else None
    if resource in ("*", "/") or (len(parts) == 2 and parts[0].lower() == "subscriptions"):
        return "medium"
    same_root = source.address.split(":", 1)[0] == target.address.split(":", 1)[0]
    if len(parts) == 4 and parts[2].lower() == "resourcegroups" and same_root:
        return "low"
    return None


def _acts_as(source: Identity, allow: Allow, identities: list[Identity]) -> Iterator[Edge]:
    kind, words = ACT_AS[allow.permission.action.lower()]
    for target in identities:
        if target.address == source.address:
            continue
        reach = _reaches(allow.permission.resource, source, target)
        if reach is None:
            continue
        how = f"may {words} ({allow.permission.action} on {allow.permission.resource})"
        yield granted(source, target, kind, how, allow, reach)


def _self_grant(source: Identity, allow: Allow) -> Edge:
    p = allow.permission
    return self_grant(source, allow, f"may assign itself any role on {p.resource} ({p.action})")
