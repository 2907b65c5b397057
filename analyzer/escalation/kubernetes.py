"""Kubernetes edges: a pod created in a namespace may run as any ServiceAccount there; a
shell in a running pod is its ServiceAccount; a token minted for, or a request made as,
a ServiceAccount is that account; ``bind`` or ``escalate`` cluster-wide is every role.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from driftgate.analyzer.escalation.graph import Edge
from driftgate.analyzer.escalation.view import Allow, Found, View, granted, self_grant, where
from driftgate.analyzer.model import Identity, Permission
from driftgate.analyzer.permissions import kubernetes as algebra

PROVIDER = "kubernetes"
# Resources whose creation starts pods that may name any ServiceAccount of the namespace.
POD_MAKERS = (
    "core/pods",
    "apps/deployments",
    "apps/statefulsets",
    "apps/daemonsets",
    "apps/replicasets",
    "batch/jobs",
    "batch/cronjobs",
    "core/replicationcontrollers",
)
SHELLS = ("core/pods/exec", "core/pods/attach")
TOKEN = "core/serviceaccounts/token"
SERVICE_ACCOUNTS = "core/serviceaccounts"
RBAC = ("rbac.authorization.k8s.io/clusterroles", "rbac.authorization.k8s.io/roles")
CLUSTER = ("", "*")


def _grants(p: Permission, verb: str, resource: str) -> bool:
    """``p`` allows ``verb`` on every object of ``resource`` in some namespace."""
    return algebra.covers(
        Permission(action=p.action, resource=p.resource, scope="n"),
        Permission(action=verb, resource=resource, scope="n"),
    )


def _grants_some(p: Permission, verb: str, resource: str) -> bool:
    """``p`` allows ``verb`` on ``resource``, perhaps on named objects only."""
    unnamed = Permission(action=p.action, resource=p.resource.partition("#")[0], scope=p.scope)
    return _grants(unnamed, verb, resource)


def _pick(p: Permission) -> bool:
    return _picks(p.action, p.resource)


@functools.cache
def _picks(action: str, resource: str) -> bool:
    verb = action.lower()
    if verb in ("bind", "escalate", "impersonate", "*"):
        return True
    if verb == "create":
        p = Permission(action=action, resource=resource)
        return any(_grants_some(p, verb, r) for r in (*POD_MAKERS, *SHELLS, TOKEN))
    return False


@dataclass(frozen=True, slots=True)
class _Reach:
    """What one rule lets its holder do towards other ServiceAccounts."""

    maker: str | None  # the pod-making resource it may create
    shell: str | None  # the shell subresource it may create
    token: bool  # serviceaccounts/token
    impersonate: bool

    @property
    def anything(self) -> bool:
        return bool(self.maker or self.shell or self.token or self.impersonate)


@functools.cache
def _reaches(action: str, resource: str) -> _Reach:
    p = Permission(action=action, resource=resource, scope="n")
    maker = next((r for r in POD_MAKERS if _grants(p, "create", r)), None)
    # Since Kubernetes 1.31 an exec over WebSocket needs create, as over SPDY; get on
    # pods/exec (what a read-only role on every resource holds) opens no shell.
    shell = next((r for r in SHELLS if _grants(p, "create", r)), None)
    token = _grants_some(p, "create", TOKEN)
    impersonate = action.lower() in ("impersonate", "*") and _grants_some(
        Permission(action="impersonate", resource=resource, scope="n"),
        "impersonate",
        SERVICE_ACCOUNTS,
    )
    return _Reach(maker, shell, token, impersonate)


def namespace_of(identity: Identity) -> str | None:
    principal = identity.principal
    if isinstance(principal, str) and principal.startswith("system:serviceaccount:"):
        return principal.split(":")[2]
    return None


def find(view: View, found: Found) -> None:
    accounts: dict[str, list[Identity]] = {}
    for identity in view.identities(PROVIDER):
        namespace = namespace_of(identity)
        if identity.kind == "ServiceAccount" and namespace is not None:
            accounts.setdefault(namespace, []).append(identity)
    running: dict[str, list[tuple[str, str]]] = {}
    for workload in view.model.workloads.values():
        if workload.namespace is None:
            continue
        for address in workload.identities:
            if address.startswith("k8s:"):
                running.setdefault(workload.namespace, []).append((address, workload.name))
    for source in view.sources(PROVIDER):
        allows = view.allows(source, "k8s-escalation", _pick)
        for allow in allows:
            found.edges.extend(_edges(source, allow, accounts, running, view))
            writer = _self_grant(source, allow)
            if writer is not None:
                found.writers.append(writer)


def _namespaces(allow: Allow, accounts: dict[str, list[Identity]]) -> list[str]:
    scope = allow.permission.scope
    return sorted(accounts) if scope in CLUSTER else [scope] if scope in accounts else []


def _edges(
    source: Identity,
    allow: Allow,
    accounts: dict[str, list[Identity]],
    running: dict[str, list[tuple[str, str]]],
    view: View,
) -> Iterator[Edge]:
    p = allow.permission
    reach = _reaches(p.action, p.resource)
    if not reach.anything:
        return
    for namespace in _namespaces(allow, accounts):
        where_ns = f"namespace {namespace}"
        for target in (
            accounts[namespace] if (reach.maker or reach.token or reach.impersonate) else ()
        ):
            if target.address == source.address:
                continue
            kind = how = None
            if reach.maker is not None:
                kind = "pod"
                made = reach.maker.split("/")[1]
                how = f"may create {made} in {where_ns}, whose pods may run as it"
            elif reach.token and _names(p, target):
                kind, how = "token", f"may mint tokens for it in {where_ns}"
            elif reach.impersonate and _names(p, target):
                kind, how = "impersonate", f"may impersonate it in {where_ns}"
            if kind is not None and how is not None:
                actions = (p.action, p.resource.split("/", 1)[-1])
                how = f"{how} ({p.action} {p.resource})"
                yield granted(source, target, kind, how, allow, "high", actions)
        shell = reach.shell
        if shell is None:
            continue
        for address, workload in sorted(set(running.get(namespace, []))):
            if address == source.address or address not in view.model.identities:
                continue
            yield Edge(
                source.address,
                address,
                "exec",
                f"may open a shell in pods of {workload} in {where_ns}, which run as it"
                f" ({p.action} {shell.split('/', 1)[1]})",
                allow.grant.binding or allow.grant.location,
                where(allow.grant.location),
                "high",
                (p.action, "pods/exec"),
            )


def _names(p: Permission, target: Identity) -> bool:
    name = p.resource.partition("#")[2]
    return not name or name == target.name


def _self_grant(source: Identity, allow: Allow) -> Edge | None:
    """``bind`` or ``escalate`` on roles cluster-wide: any permission, through any role."""
    p = allow.permission
    if p.scope not in CLUSTER or p.action.lower() not in ("bind", "escalate", "*"):
        return None
    if not any(_grants(p, verb, r) for verb in ("bind", "escalate") for r in RBAC):
        return None
    how = f"may grant itself any cluster role ({p.action} {p.resource} cluster-wide)"
    return self_grant(source, allow, how)
