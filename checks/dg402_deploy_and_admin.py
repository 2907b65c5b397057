"""DG402 deploy-and-admin.

## What it finds

One identity that holds both

- **deployment rights**, which create or update workloads: `sagemaker:CreateEndpoint`
  / `UpdateEndpoint`, `ecs:UpdateService`, `lambda:UpdateFunctionCode`,
  `bedrock:UpdateAgent`; `roles/run.developer`, `roles/aiplatform.user`,
  `run.services.update`; Contributor, Azure ML and App Service writes; Kubernetes
  `create` / `update` / `patch` of Deployments, StatefulSets, Pods, Jobs, KServe
  InferenceServices, Seldon and Ray serving objects; and
- **infrastructure-admin rights**, which change who may do what or the platform
  itself: IAM writes and other account-wide *Permissions management* actions,
  `roles/owner`, `*IamAdmin`, `roles/iam.securityAdmin`, `roles/container.admin`, Owner,
  User Access Administrator, role assignment writes; Kubernetes writes of Roles,
  ClusterRoles, their bindings, and Nodes.

Full admin (`*`, `AdministratorAccess`, Owner, `cluster-admin`) counts as both.
`iam:PassRole` lets a deployer hand a role to what it deploys: it is an escalation
capability (DG104), not infrastructure admin. Grants are judged after explicit Denies
and permissions boundaries; a boundary driftgate cannot read (a policy the repository does
not declare) caps nothing for certain, so the finding stays, at `confidence: low`.
Reported when the identity newly holds both at head.

## Why it matters

Separation of duties: the pipeline that ships model servers should not also be able to
rewrite IAM or RBAC. Deploy identities are exercised on every merge by CI systems that
run repository code; if the same identity can change permissions, one poisoned build
or leaked CI token becomes an administrator of the platform, and the audit trail can
no longer tell a deployment from a privilege change.

## Example

```hcl
statement {
  actions   = ["sagemaker:CreateEndpoint", "sagemaker:UpdateEndpoint"]
  resources = ["*"]
}
statement {
  actions   = ["iam:*"]          # the deployer can now rewrite every role
  resources = ["*"]
}
```

## Fix

Split the identity: one deploy role with the deployment actions (and `iam:PassRole` on
the exact execution roles it hands out), one separately guarded identity for IAM and
RBAC changes, used by a different pipeline with its own approvals.

## References

- OWASP Non-Human Identities Top 10: NHI5 Overprivileged NHI
- AWS IAM: Access levels (Permissions management)
- Kubernetes: RBAC good practices (escalation via roles and bindings)
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.analyzer.model import Grant, Identity, Permission
from driftgate.analyzer.permissions.effective import Effective
from driftgate.analyzer.permissions.globs import matches
from driftgate.analyzer.providers import covers
from driftgate.analyzer.providers.aws import access_levels
from driftgate.checks.common import workloads_of
from driftgate.checks.inference_scope import (
    added_location,
    env_text,
    identity_text,
    workload_text,
)

META = CheckMeta(
    id="DG402",
    slug="deploy-and-admin",
    title="One identity holds both deployment and infrastructure-admin rights",
    severity=Severity.HIGH,
    owasp=("NHI5",),
    rationale=(
        "An identity that both deploys workloads and changes permissions turns one "
        "compromised pipeline run into an administrator of the platform."
    ),
    fix=(
        "Split it: a deploy identity with deployment actions only, and a separately "
        "guarded identity for IAM and RBAC changes."
    ),
    kind="state",
    doc=__doc__ or "",
)

# ---- AWS -------------------------------------------------------------------------------

_AWS_DEPLOY = (
    "sagemaker:CreateEndpoint",
    "sagemaker:UpdateEndpoint",
    "sagemaker:CreateEndpointConfig",
    "sagemaker:CreateModel",
    "sagemaker:UpdateEndpointWeightsAndCapacities",
    "sagemaker:CreateInferenceComponent",
    "sagemaker:UpdateInferenceComponent",
    "ecs:CreateService",
    "ecs:UpdateService",
    "ecs:RegisterTaskDefinition",
    "lambda:CreateFunction",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "bedrock:CreateAgent",
    "bedrock:UpdateAgent",
    "apprunner:CreateService",
    "apprunner:UpdateService",
    "batch:SubmitJob",
)
# Managed policies known only by ARN: what they amount to.
_AWS_MANAGED_DEPLOY = (
    "AdministratorAccess",
    "PowerUserAccess",
    "AmazonSageMakerFullAccess",
    "AWSLambda_FullAccess",
    "AWSLambdaFullAccess",
    "AmazonECS_FullAccess",
    "AWSAppRunnerFullAccess",
    "AmazonBedrockFullAccess",
)
_AWS_MANAGED_ADMIN = ("AdministratorAccess", "IAMFullAccess")


@functools.cache
def _aws_admin_actions() -> tuple[str, ...]:
    """IAM writes and Permissions-management actions, less ``iam:PassRole``."""
    found = []
    for action, access in access_levels().items():
        if action == "iam:passrole":
            continue
        iam_write = action.startswith("iam:") and access in ("Write", "Permissions management")
        if iam_write or access == "Permissions management":
            found.append(action)
    # IAM first: it names the right most reviewers recognise.
    return tuple(sorted(found, key=lambda a: (not a.startswith("iam:"), a)))


@functools.cache
def _aws_admin_match(pattern: str) -> tuple[str, ...]:
    """The admin actions an action pattern (``iam:*``, ``NOT s3:*``) allows."""
    if pattern.startswith("NOT "):
        excluded = pattern[4:]
        return tuple(
            a for a in _aws_admin_actions() if not matches(excluded, a, case_sensitive=False)
        )
    return tuple(a for a in _aws_admin_actions() if matches(pattern, a, case_sensitive=False))


@functools.cache
def _aws_deploy_match(pattern: str) -> tuple[str, ...]:
    """The deploy actions an action pattern allows (on the same resource), in order."""
    return tuple(
        action
        for action in _AWS_DEPLOY
        if covers(
            "aws", Permission(action=pattern, resource="*"), Permission(action=action, resource="*")
        )
    )


def _aws_managed(policy: str) -> tuple[str | None, str | None]:
    """(deploy, admin) a managed policy known only by its ARN amounts to, by its name."""
    name = policy.rsplit("/", 1)[-1]
    deploy = policy if name in _AWS_MANAGED_DEPLOY else None
    return deploy, policy if name in _AWS_MANAGED_ADMIN else None


def _aws(holdings: Effective, p: Permission) -> tuple[str | None, str | None]:
    deploy = admin = None
    if p.action == "*" and p.resource == "*" and holdings.holds(p):
        return "* on *", "* on *"
    for action in _aws_deploy_match(p.action):
        target = Permission(action=action, resource=p.resource, scope=p.scope)
        if holdings.holds(target):
            deploy = action if p.action.lower() == action.lower() else f"{p.action} ({action})"
            break
    # Permissions management on one resource (a bucket policy, a function's resource
    # policy) is the resource's own business; IAM writes count wherever they apply.
    for action in _aws_admin_match(p.action):
        if not action.startswith("iam:") and p.resource != "*":
            continue
        target = Permission(action=action, resource=p.resource, scope=p.scope)
        if holdings.holds(target):
            admin = p.action if p.action.lower() == action else f"{p.action} ({action})"
            break
    return deploy, admin


# ---- Kubernetes ----------------------------------------------------------------------

_K8S_DEPLOY_KINDS = (
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
_K8S_DEPLOY_VERBS = ("create", "update", "patch")
_K8S_ADMIN_KINDS = (
    "rbac.authorization.k8s.io/roles",
    "rbac.authorization.k8s.io/clusterroles",
    "rbac.authorization.k8s.io/rolebindings",
    "rbac.authorization.k8s.io/clusterrolebindings",
    "core/nodes",
)
_K8S_ADMIN_VERBS = ("create", "update", "patch", "delete", "bind", "escalate")


def _k8s_first(
    holdings: Effective, p: Permission, kinds: tuple[str, ...], verbs: tuple[str, ...]
) -> str | None:
    # Cheap string tests first: building and comparing models for every kind x verb of
    # every rule was most of a warm scan's time on a large repository.
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
            if covers("kubernetes", p, target) and holdings.holds(target):
                where = "cluster-wide" if p.scope in ("", "*") else f"in namespace {p.scope}"
                return f"write {p.resource} {where}"
    return None


def _k8s(holdings: Effective, p: Permission) -> tuple[str | None, str | None]:
    return (
        _k8s_first(holdings, p, _K8S_DEPLOY_KINDS, _K8S_DEPLOY_VERBS),
        _k8s_first(holdings, p, _K8S_ADMIN_KINDS, _K8S_ADMIN_VERBS),
    )


# ---- GCP -------------------------------------------------------------------------------

_GCP_DEPLOY_ROLES = {
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
_GCP_DEPLOY_PERMISSIONS = (
    "run.services.create",
    "run.services.update",
    "aiplatform.endpoints.deploy",
    "cloudfunctions.functions.update",
    "container.deployments.create",
    "container.deployments.update",
)
_GCP_ADMIN_ROLES = {
    "roles/owner",
    "roles/iam.securityadmin",
    "roles/iam.roleadmin",
    "roles/iam.organizationroleadmin",
    "roles/resourcemanager.organizationadmin",
    "roles/container.admin",
    "roles/container.clusteradmin",
}


def _gcp(holdings: Effective, p: Permission) -> tuple[str | None, str | None]:
    role = p.action.lower()
    deploy = (
        p.action if role in _GCP_DEPLOY_ROLES or role.endswith(_GCP_DEPLOY_PERMISSIONS) else None
    )
    admin = None
    if role in _GCP_ADMIN_ROLES or role.endswith(("iamadmin", ".setiampolicy")):
        admin = p.action
    if not holdings.holds(p):
        return None, None
    return deploy, admin


# ---- Azure -----------------------------------------------------------------------------

_AZURE_DEPLOY_ROLES = {
    "owner",
    "contributor",
    "azureml data scientist",
    "azureml compute operator",
    "website contributor",
    "azure kubernetes service rbac writer",
    "azure kubernetes service rbac admin",
    "azure kubernetes service rbac cluster admin",
}
_AZURE_DEPLOY_ACTIONS = (
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/write",
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write",
    "Microsoft.Web/sites/write",
    "Microsoft.App/containerApps/write",
    "Microsoft.ContainerInstance/containerGroups/write",
    "Microsoft.ContainerService/managedClusters/apps/deployments/write",
)
_AZURE_ADMIN_ROLES = {
    "owner",
    "user access administrator",
    "role based access control administrator",
    "azure kubernetes service rbac cluster admin",
    "azure kubernetes service cluster admin role",
}
_AZURE_ADMIN_ACTIONS = (
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.Authorization/roleDefinitions/write",
    "Microsoft.Authorization/policyAssignments/write",
)


def _azure(holdings: Effective, p: Permission) -> tuple[str | None, str | None]:
    role = p.action.lower()
    deploy = p.action if role in _AZURE_DEPLOY_ROLES else None
    admin = p.action if role in _AZURE_ADMIN_ROLES else None
    if "/" in p.action or p.action == "*":
        # A custom role's actions (wildcards allowed).
        for action in _AZURE_DEPLOY_ACTIONS:
            target = Permission(action=action, resource=p.resource)
            if deploy is None and covers("azure", p, target) and holdings.holds(target):
                deploy = p.action
        for action in _AZURE_ADMIN_ACTIONS:
            target = Permission(action=action, resource=p.resource)
            if admin is None and covers("azure", p, target) and holdings.holds(target):
                admin = p.action
    elif not holdings.holds(p):
        return None, None
    return deploy, admin


_CLASSIFIERS = {"aws": _aws, "kubernetes": _k8s, "gcp": _gcp, "azure": _azure}


# ---- the check -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Right:
    what: str
    grant: Grant

    @property
    def text(self) -> str:
        return f"{self.what} via {self.grant.via}"


def _rights(
    identity: Identity, grants: list[Grant], held: Effective
) -> tuple[list[_Right], list[_Right]]:
    classify = _CLASSIFIERS.get(identity.provider)
    if classify is None:
        return [], []
    deploy: list[_Right] = []
    admin: list[_Right] = []
    for grant in grants:
        if grant.effect != "allow":
            continue
        if grant.unresolved and grant.policy is not None:
            d, a = _aws_managed(grant.policy) if held.policy_reaches() else (None, None)
            found = [(d, a)]
        else:
            found = [classify(held, permission) for permission in grant.permissions]
        for d, a in found:
            if d is not None:
                deploy.append(_Right(d, grant))
            if a is not None:
                admin.append(_Right(a, grant))
    return deploy, admin


def _describe(rights: list[_Right], limit: int = 3) -> str:
    """``a, b via grant 1; c via grant 2``: what each grant gives, in order."""
    by_grant: dict[str, list[str]] = {}
    for right in rights:
        whats = by_grant.setdefault(right.grant.via, [])
        if right.what not in whats:
            whats.append(right.what)
    parts = []
    for via, whats in list(by_grant.items())[:2]:
        more = f" and {len(whats) - limit} more" if len(whats) > limit else ""
        parts.append(f"{', '.join(whats[:limit])}{more} via {via}")
    return "; ".join(parts)


def run(ctx: CheckContext) -> Iterator[Draft]:
    model = ctx.head
    for identity in sorted(model.identities.values(), key=lambda i: i.address):
        grants = model.grants_of(identity.address)
        held = Effective(identity.provider, grants)
        deploy, admin = _rights(identity, grants, held)
        if not deploy or not admin:
            continue
        workloads = workloads_of(identity, model)
        used = f", used by {workload_text(workloads)}," if workloads else ""
        both = [r for r in admin if r in deploy]
        if both and len(both) == len(admin):
            rights = (
                f"full admin ({_describe(both)}), which is both deployment and "
                "infrastructure-admin rights"
            )
        else:
            rights = (
                f"both deployment rights ({_describe(deploy)}) and infrastructure-admin "
                f"rights ({_describe(admin)})"
            )
        message = (
            f"{identity_text(identity)}{env_text(identity.environment)}{used} holds {rights}: "
            "whoever runs as it can ship a workload and change who may do what, so one "
            "compromised deploy is a platform takeover."
        )
        location = added_location(ctx.base, identity.address, [r.grant for r in [*admin, *deploy]])
        related = tuple(
            dict.fromkeys(
                r.grant.location
                for r in [*admin, *deploy]
                if r.grant.location is not None and r.grant.location != location
            )
        )
        yield Draft(
            identity=identity.address,
            message=message,
            subject="",
            location=location,
            related=related,
            environment=identity.environment,
            workloads=tuple(w.address for w in workloads),
            after=f"deploy: {deploy[0].what}; admin: {admin[0].what}",
            # A boundary driftgate cannot read may cap either right.
            confidence="low" if held.boundary_unknown else "high",
        )


CHECK = Check(META, run)
