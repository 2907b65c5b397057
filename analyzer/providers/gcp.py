"""GCP: IAM roles bound on the resource hierarchy, service accounts, workload identity."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from driftgate.analyzer.model import Permission
from driftgate.analyzer.permissions import gcp as algebra
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
    {
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
)
# Roles on a service account that include another one's ways of acting as it.
_IMPLIES: dict[str, frozenset[str]] = {
    "roles/iam.serviceAccountTokenCreator": frozenset(
        {"roles/iam.serviceAccountOpenIdTokenCreator"}
    ),
}
_ALL = "roles/owner"
# The title before an IAM condition's expression: text without CEL syntax, then ": ".
_TITLE = re.compile(r"^[^'\"=()\[\]{}<>!&|]*?: ")


def level(permission: Permission) -> Level:
    if not algebra.role_known(permission.action):
        return "unknown"  # a predefined role the catalog lacks: a typo, or too new
    role = permission.action.lower()
    if role in _ESCALATION or role.endswith(".setiampolicy"):
        return "escalation"
    if role == "roles/editor":
        # Editor holds iam.serviceAccounts.actAs: it can run as any service account.
        return "escalation"
    if role.endswith("admin"):
        return "admin"
    if role == "roles/viewer" or role.endswith(("viewer", "reader", "browser", "accessor")):
        return "read"
    return "write" if role.startswith("roles/") else "unknown"


def trust_action_covers(broad: str, narrow: str) -> bool:
    return broad == _ALL or narrow in _IMPLIES.get(broad, frozenset())


_PEOPLE = (
    ("user:", "a person"),
    ("group:", "a group of people"),
    ("domain:", "every user of a domain"),
)


def human(member: str) -> str | None:
    if member in ("allUsers", "allAuthenticatedUsers"):
        return "anyone"
    return next((what for prefix, what in _PEOPLE if member.startswith(prefix)), None)


def iam_condition(title: str, expression: str) -> Condition:
    """An IAM condition or a pool's attribute condition: CEL, compared by its expression
    only (a new title is not a new condition)."""
    return dataclasses.replace(
        opaque(expression), text=f"{title}: {expression}" if title else expression
    )


def conditions(texts: Iterable[str]) -> list[Condition]:
    """Conditions written ``title: expression``."""
    found = []
    for text in texts:
        title = _TITLE.match(text)
        if title is None:
            found.append(iam_condition("", text))
        else:
            found.append(iam_condition(text[: title.end() - 2], text[title.end() :]))
    return found


_DEPLOY_ROLES = frozenset(
    {
        "roles/owner",
        "roles/editor",
        "roles/run.admin",
        "roles/run.developer",
        "roles/aiplatform.admin",
        "roles/aiplatform.user",
        "roles/cloudfunctions.admin",
        "roles/cloudfunctions.developer",
        "roles/container.admin",
        "roles/container.developer",
        "roles/appengine.deployer",
        "roles/ml.admin",
        "roles/ml.developer",
    }
)
_DEPLOY_PERMISSIONS = (
    "run.services.create",
    "run.services.update",
    "aiplatform.endpoints.deploy",
    "cloudfunctions.functions.update",
    "container.deployments.create",
    "container.deployments.update",
)
_ADMIN_ROLES = frozenset(
    {
        "roles/owner",
        "roles/iam.securityadmin",
        "roles/iam.roleadmin",
        "roles/iam.organizationroleadmin",
        "roles/resourcemanager.organizationadmin",
        "roles/container.admin",
        "roles/container.clusteradmin",
    }
)
_FULL = frozenset({"roles/owner"})
_BASIC = frozenset({"roles/editor"})


def rights(holds: Holds, p: Permission) -> Rights:
    if not holds(p):
        return Rights()
    role = p.action.lower()
    deploy = role in _DEPLOY_ROLES or role.endswith(_DEPLOY_PERMISSIONS)
    admin = role in _ADMIN_ROLES or role.endswith(("iamadmin", ".setiampolicy"))
    return Rights(p.action if deploy else None, p.action if admin else None)


_SHOWN = 6


def gain_detail(added: Sequence[Permission], before: Sequence[Permission]) -> str | None:
    """The permissions the gained roles include beyond every role held before."""
    gained: set[str] = set()
    for p in added:
        perms = algebra.role_permissions(p.action)
        if perms is None:
            return None  # a role the catalog lacks: its name is all that is known
        gained |= perms
    for p in before:
        gained -= algebra.role_permissions(p.action) or frozenset()
    if not gained:
        return None
    # Writes and deletes first, of the service and the kind of object most of them are
    # about (storage.objects.delete before monitoring.timeSeries.create).
    services = Counter(perm.split(".", 1)[0] for perm in gained)
    kinds = Counter(perm.rsplit(".", 1)[0] for perm in gained)
    ordered = sorted(
        gained,
        key=lambda perm: (
            perm.rsplit(".", 1)[-1] in _READ_VERBS,
            -services[perm.split(".", 1)[0]],
            -kinds[perm.rsplit(".", 1)[0]],
            perm,
        ),
    )
    shown = ", ".join(ordered[:_SHOWN])
    more = f", and {len(ordered) - _SHOWN} more" if len(ordered) > _SHOWN else ""
    return f"adds {len(ordered)} permission{'s' if len(ordered) != 1 else ''}: {shown}{more}"


_READ_VERBS = frozenset({"get", "list", "getIamPolicy", "search", "query", "read"})


def wildcard(p: Permission) -> Wildcard | None:
    role = p.action.lower()
    if role in _FULL:
        return Wildcard(f"{p.action} on {p.resource}", True)
    if role in _BASIC:
        return Wildcard(f"{p.action} on {p.resource}", False)
    whole = p.resource.count("/") <= 1 and p.resource.startswith(
        ("projects/", "folders/", "organizations/")
    )
    if role.endswith(".admin") and whole:
        return Wildcard(f"{p.action} on {p.resource}", False)
    return None


SPEC = ProviderSpec(
    name="gcp",
    covers=algebra.covers,
    level=level,
    index=algebra.INDEX,
    trust_action_covers=trust_action_covers,
    parse_conditions=conditions,
    human_principal=human,
    gain_detail=gain_detail,
    trust_verb=lambda trust: "impersonate",
    trust_names_actions=True,
    default_identity=DefaultIdentity.of_kind(
        "default_service_account",
        (
            "high",
            "every service and VM in the project that names no service account shares and "
            "which holds the project Editor role unless the organisation disabled that grant",
        ),
    ),
    # Service accounts and pools carry no labels: an owner cannot be written on them.
    labelled=lambda identity: False,
    rights=rights,
    wildcard=wildcard,
)
