"""Azure: role definitions assigned on scope paths, managed identities, federation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from driftgate.analyzer.model import Permission, Trust
from driftgate.analyzer.permissions import azure as algebra
from driftgate.analyzer.providers.conditions import Condition, opaque
from driftgate.analyzer.providers.spec import (
    DefaultIdentity,
    Holds,
    Level,
    ProviderSpec,
    Rights,
    Wildcard,
)

_ESCALATION = frozenset(
    {"owner", "user access administrator", "role based access control administrator"}
)


def level(permission: Permission) -> Level:
    action = permission.action.lower()
    if "/" not in action and action != "*" and algebra.role_actions(permission.action) is None:
        return "unknown"  # neither a built-in role the catalog holds nor an action
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
            found.append(Condition(key=key, family="string", values=(rest,), text=text))
        else:
            found.append(opaque(text))
    return found


def trust_verb(trust: Trust) -> str:
    # A role on the identity (Managed Identity Operator) lets its holder act as it; a
    # federated credential lets a workload sign in as it.
    return "act as" if trust.actions else "federate into"


_DEPLOY_ROLES = frozenset(
    {
        "owner",
        "contributor",
        "azureml data scientist",
        "azureml compute operator",
        "website contributor",
        "azure kubernetes service rbac writer",
        "azure kubernetes service rbac admin",
        "azure kubernetes service rbac cluster admin",
    }
)
_DEPLOY_ACTIONS = (
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/write",
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write",
    "Microsoft.Web/sites/write",
    "Microsoft.App/containerApps/write",
    "Microsoft.ContainerInstance/containerGroups/write",
    "Microsoft.ContainerService/managedClusters/apps/deployments/write",
)
_ADMIN_ROLES = frozenset(
    {
        "owner",
        "user access administrator",
        "role based access control administrator",
        "azure kubernetes service rbac cluster admin",
        "azure kubernetes service cluster admin role",
    }
)
_ADMIN_ACTIONS = (
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.Authorization/roleDefinitions/write",
    "Microsoft.Authorization/policyAssignments/write",
)
_FULL = frozenset({"owner", "user access administrator"})
_BASIC = frozenset({"contributor"})


def _first_held(holds: Holds, p: Permission, actions: tuple[str, ...]) -> str | None:
    for action in actions:
        target = Permission(action=action, resource=p.resource)
        if (p == target or algebra.covers(p, target)) and holds(target):
            return p.action
    return None


def rights(holds: Holds, p: Permission) -> Rights:
    role = p.action.lower()
    deploy = p.action if role in _DEPLOY_ROLES else None
    admin = p.action if role in _ADMIN_ROLES else None
    if "/" in p.action or p.action == "*":
        # A custom role's actions (wildcards allowed).
        deploy = deploy or _first_held(holds, p, _DEPLOY_ACTIONS)
        admin = admin or _first_held(holds, p, _ADMIN_ACTIONS)
    elif not holds(p):
        return Rights()
    return Rights(deploy, admin)


_SHOWN = 6


def gain_detail(added: Sequence[Permission], before: Sequence[Permission]) -> str | None:
    """The actions and data actions of the gained built-in roles that no role held
    before allows (Storage Blob Data Reader → Contributor: blob write and delete)."""
    held = [r for p in before if (r := algebra.role_actions(p.action)) is not None]
    gained: dict[str, None] = {}
    for p in added:
        role = algebra.role_actions(p.action)
        if role is None:
            return None  # a role the catalog lacks: its name is all that is known
        for data, actions in ((True, role.data_actions), (False, role.actions)):
            for action in actions:
                if not any(h.allows(action, data) for h in held):
                    gained[("data action " if data else "action ") + action] = None
    if not gained:
        return None
    listed = list(gained)
    shown = ", ".join(listed[:_SHOWN])
    more = f", and {len(listed) - _SHOWN} more" if len(listed) > _SHOWN else ""
    return f"adds {shown}{more}"


def wildcard(p: Permission) -> Wildcard | None:
    role = p.action.lower()
    if role in _FULL or role == "*":
        return Wildcard(f"{p.action} on {p.resource}", True)
    if role in _BASIC or (role.endswith("/*") and role.count("/") == 1):
        return Wildcard(f"{p.action} on {p.resource}", False)
    return None


SPEC = ProviderSpec(
    name="azure",
    covers=algebra.covers,
    level=level,
    index=algebra.INDEX,
    parse_conditions=conditions,
    trust_verb=trust_verb,
    trust_names_actions=True,
    gain_detail=gain_detail,
    people_kinds=frozenset({"user", "group"}),
    default_identity=DefaultIdentity.of_kind(
        "kubelet_identity",
        (
            "high",
            "AKS created for the cluster and every pod on its nodes can obtain from the "
            "instance metadata endpoint",
        ),
    ),
    labelled=lambda identity: True,
    rights=rights,
    wildcard=wildcard,
)
