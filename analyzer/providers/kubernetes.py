"""Kubernetes: RBAC verbs on ``apiGroup/resource[/subresource][#name]`` in a namespace
(``*``: the cluster), and ServiceAccounts."""

from __future__ import annotations

from driftgate.analyzer.model import Identity, Model, Permission
from driftgate.analyzer.permissions import kubernetes as algebra
from driftgate.analyzer.providers.spec import Danger, Level, ProviderSpec

_READ = frozenset({"get", "list", "watch"})
_IDENTITY_SUBRESOURCES = frozenset(
    {"pods/exec", "pods/attach", "pods/portforward", "serviceaccounts/token"}
)
_ESCALATION_VERBS = frozenset({"bind", "escalate", "impersonate"})
_ADMIN_RESOURCES = frozenset(
    {
        "rbac.authorization.k8s.io/roles",
        "rbac.authorization.k8s.io/clusterroles",
        "rbac.authorization.k8s.io/rolebindings",
        "rbac.authorization.k8s.io/clusterrolebindings",
        "core/nodes",
    }
)


def level(permission: Permission) -> Level:
    verb = permission.action.lower()
    resource = permission.resource.partition("#")[0].split("/")
    group_resource = "/".join(resource[:2])
    if verb in _ESCALATION_VERBS or (verb == "*" and group_resource.endswith("/*")):
        return "escalation"
    # A shell in, or a token for, a pod's identity is that identity (issue 5).
    if "/".join(resource[1:3]) in _IDENTITY_SUBRESOURCES and verb in ("create", "*", "get"):
        return "escalation"
    if group_resource == "core/secrets" and permission.scope == "*" and verb in _READ:
        return "escalation"
    if verb in _READ:
        return "read"
    if group_resource in _ADMIN_RESOURCES or resource[1:2] == ["*"]:
        return "admin"
    return "write"


def is_default(identity: Identity) -> bool:
    return identity.kind == "ServiceAccount" and identity.name == "default"


def danger(model: Model, identity: Identity) -> Danger:
    shared = "every pod in the namespace shares unless it names another ServiceAccount"
    powers = []
    if identity.federates_to:
        powers.append(f"federates to {', '.join(identity.federates_to)}")
    if any(g.effect == "allow" for g in model.grants_of(identity.address)):
        powers.append("holds RBAC permissions")
    if powers:
        return "high", f"{shared}, and which {' and '.join(powers)}"
    return "medium", shared


SPEC = ProviderSpec(
    name="kubernetes",
    covers=algebra.covers,
    same_action=algebra.same_verb_and_kind,
    level=level,
    prefix_indexed=False,
    restricted_by_name=algebra.restricted_by_name,
    trust_verb=lambda trust: "act as",
    is_default_identity=is_default,
    unnamed_identity="names no serviceAccountName, so it runs as",
    default_danger=danger,
    labelled=lambda identity: True,
)
