"""Kubernetes: RBAC verbs on ``apiGroup/resource[/subresource][#name]`` in a namespace
(``*``: the cluster), and ServiceAccounts."""

from __future__ import annotations

from driftgate.analyzer.model import Identity, Model, Permission
from driftgate.analyzer.permissions import kubernetes as algebra
from driftgate.analyzer.providers.spec import (
    Danger,
    DefaultIdentity,
    Holds,
    Level,
    ProviderSpec,
    Rights,
    Wildcard,
)

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


_DEPLOY_KINDS = (
    "apps/deployments",
    "apps/statefulsets",
    "apps/daemonsets",
    "apps/replicasets",
    "core/pods",
    "batch/jobs",
    "batch/cronjobs",
    "serving.kserve.io/inferenceservices",
    "serving.kserve.io/servingruntimes",
    "machinelearning.seldon.io/seldondeployments",
    "ray.io/rayservices",
    "ray.io/rayclusters",
    "serving.knative.dev/services",
)
_DEPLOY_VERBS = ("create", "update", "patch")
_ADMIN_KINDS = tuple(sorted(_ADMIN_RESOURCES))
_ADMIN_VERBS = ("create", "update", "patch", "delete", "bind", "escalate")


def _first(
    holds: Holds, p: Permission, kinds: tuple[str, ...], verbs: tuple[str, ...]
) -> str | None:
    # Cheap string tests first: building and comparing permissions for every kind x verb
    # of every rule was most of a warm scan's time on a large repository.
    verb_p = p.action.lower()
    group_p, _, rest = p.resource.partition("#")[0].partition("/")
    for kind in kinds:
        group, _, resource = kind.partition("/")
        if group_p not in ("*", group) or not (rest == resource or "*" in rest):
            continue
        for verb in verbs:
            if verb_p not in ("*", verb):
                continue
            target = Permission(action=verb, resource=kind, scope=p.scope)
            if (p == target or algebra.covers(p, target)) and holds(target):
                where = "cluster-wide" if p.scope in ("", "*") else f"in namespace {p.scope}"
                return f"write {p.resource} {where}"
    return None


def rights(holds: Holds, p: Permission) -> Rights:
    """Writing workloads deploys; writing RBAC or nodes administers the cluster."""
    return Rights(
        _first(holds, p, _DEPLOY_KINDS, _DEPLOY_VERBS),
        _first(holds, p, _ADMIN_KINDS, _ADMIN_VERBS),
    )


def wildcard(p: Permission) -> Wildcard | None:
    # ``group/resource[/subresource][#name]``; nonResourceURLs are no resource kind.
    group, _, rest = p.resource.partition("/")
    kind = rest.partition("#")[0].partition("/")[0]
    if kind != "*" or p.action.lower() in _READ:
        return None
    where = "cluster-wide" if p.scope in ("", "*") else f"in namespace {p.scope}"
    full = group == "*" and p.action == "*"
    return Wildcard(f"{p.action} on {p.resource} {where}", full and p.scope in ("", "*"))


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
    index=algebra.INDEX,
    restricted_by_name=algebra.restricted_by_name,
    trust_verb=lambda trust: "act as",
    default_identity=DefaultIdentity(is_default, danger),
    unnamed_identity="names no serviceAccountName, so it runs as",
    labelled=lambda identity: True,
    rights=rights,
    wildcard=wildcard,
)
