"""GCP edges: a role on a service account (or on the project or folder above it) that
mints its tokens, signs as it, attaches it to compute or creates its keys; and the IAM
admin roles that let an identity grant itself any role."""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.escalation.graph import Confidence, Edge, weakest
from driftgate.analyzer.escalation.view import Allow, Found, View, granted, self_grant
from driftgate.analyzer.model import Identity, Permission

PROVIDER = "gcp"
# Role or permission → (edge kind, what it lets the holder do, confidence). Acting as an
# account (actAs) needs compute to attach it to: medium, as the compute is not checked.
ACT_AS: dict[str, tuple[str, str, Confidence]] = {
    "roles/iam.serviceaccounttokencreator": ("token", "mint its access tokens", "high"),
    "roles/iam.workloadidentityuser": ("token", "impersonate it through workload identity", "high"),
    "roles/iam.serviceaccountkeyadmin": ("credentials", "create its keys", "high"),
    "roles/iam.serviceaccountuser": ("act-as", "attach it to compute it runs", "medium"),
    "roles/editor": ("act-as", "attach it to compute it runs (Editor holds actAs)", "medium"),
    "iam.serviceaccounts.getaccesstoken": ("token", "mint its access tokens", "high"),
    "iam.serviceaccounts.signjwt": ("token", "sign tokens as it", "high"),
    "iam.serviceaccounts.signblob": ("token", "sign as it", "high"),
    "iam.serviceaccounts.implicitdelegation": ("token", "delegate to it", "high"),
    "iam.serviceaccountkeys.create": ("credentials", "create its keys", "high"),
    "iam.serviceaccounts.actas": ("act-as", "attach it to compute it runs", "medium"),
}
# Roles that set IAM policy where they are held: the holder grants itself any role.
SELF_GRANT = frozenset(
    {
        "roles/resourcemanager.projectiamadmin",
        "roles/resourcemanager.folderiamadmin",
        "roles/resourcemanager.organizationadmin",
        "roles/iam.securityadmin",
        "resourcemanager.projects.setiampolicy",
    }
)
_SUFFIX = ".iam.gserviceaccount.com"


def _pick(p: Permission) -> bool:
    role = p.action.lower()
    return role in ACT_AS or role in SELF_GRANT


def find(view: View, found: Found) -> None:
    accounts = [i for i in view.identities(PROVIDER) if i.kind == "service_account"]
    for source in view.sources(PROVIDER):
        for allow in view.allows(source, "gcp-escalation", _pick):
            role = allow.permission.action.lower()
            if role in SELF_GRANT:
                if _whole(allow.permission.resource):
                    found.writers.append(_self_grant(source, allow))
                continue
            found.edges.extend(_acts_as(source, allow, accounts))


def _whole(resource: str) -> bool:
    """A project, folder or organisation (not one object in it)."""
    return (
        resource.startswith(("projects/", "folders/", "organizations/"))
        and resource.count("/") == 1
    )


def _project(account: Identity) -> str | None:
    principal = account.principal
    if isinstance(principal, str) and principal.lower().endswith(_SUFFIX):
        return principal.lower().removesuffix(_SUFFIX).rsplit("@", 1)[-1]
    return None


def _reaches(resource: str, account: Identity) -> Confidence | None:
    """Whether a role on ``resource`` holds on the service account."""
    if "/serviceAccounts/" in resource:
        named = resource.rsplit("/serviceAccounts/", 1)[1]
        if named.startswith("${"):
            local = account.address.split(":", 1)[-1]
            return "high" if named[2:].startswith(local + ".") else None
        principal = account.principal
        return "high" if isinstance(principal, str) and named.lower() == principal.lower() else None
    if resource.startswith("projects/") and resource.count("/") == 1:
        project = _project(account)
        if project is None:
            return "medium"
        return "high" if resource.removeprefix("projects/") == project else None
    if resource.startswith(("folders/", "organizations/")) and resource.count("/") == 1:
        return "medium"  # every project below: which are is not in the tree
    return None


def _acts_as(source: Identity, allow: Allow, accounts: list[Identity]) -> Iterator[Edge]:
    kind, words, confidence = ACT_AS[allow.permission.action.lower()]
    for account in accounts:
        if account.address == source.address:
            continue
        reach = _reaches(allow.permission.resource, account)
        if reach is None:
            continue
        how = f"may {words} ({allow.permission.action} on {allow.permission.resource})"
        yield granted(source, account, kind, how, allow, weakest((reach, confidence)))


def _self_grant(source: Identity, allow: Allow) -> Edge:
    p = allow.permission
    return self_grant(source, allow, f"may grant itself any role on {p.resource} ({p.action})")
