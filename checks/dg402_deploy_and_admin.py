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

from collections.abc import Iterator
from dataclasses import dataclass

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.analyzer.model import Grant, Identity, Model, Permission
from driftgate.analyzer.model.derived import per_model
from driftgate.analyzer.permissions.effective import Effective
from driftgate.analyzer.permissions.shared import BySharedObject
from driftgate.analyzer.providers import ProviderSpec, Rights, spec
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

# ---- the check -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Right:
    what: str
    grant: Grant

    @property
    def text(self) -> str:
        return f"{self.what} via {self.grant.via}"


# The permissions of a list that may give rights: a managed policy attached to many roles
# shares one tuple of thousands, sifted once.
_Sifted = BySharedObject[tuple[Permission, ...], tuple[Permission, ...]]


def _sifter(provider: ProviderSpec) -> _Sifted:
    may = provider.may_give_rights
    return BySharedObject(lambda permissions: tuple(p for p in permissions if may(p.action)))


def _rights(
    identity: Identity, grants: list[Grant], held: Effective, sifters: dict[str, _Sifted]
) -> tuple[list[_Right], list[_Right]]:
    provider = spec(identity.provider)
    sifted = sifters.get(identity.provider)
    if sifted is None:
        sifted = sifters[identity.provider] = _sifter(provider)
    deploy: list[_Right] = []
    admin: list[_Right] = []
    for grant in grants:
        if grant.effect != "allow":
            continue
        if grant.unresolved and grant.policy is not None:
            found = [provider.policy_rights(grant.policy) if held.policy_reaches() else Rights()]
        else:
            found = [
                provider.rights(
                    held.holds if grant.conditions else held.holds_under(permission), permission
                )
                for permission in sifted(grant.permissions)
            ]
        for rights in found:
            if rights.deploy is not None:
                deploy.append(_Right(rights.deploy, grant))
            if rights.admin is not None:
                admin.append(_Right(rights.admin, grant))
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


def _holders(model: Model) -> dict[str, tuple[list[_Right], list[_Right], Effective]]:
    """The identities holding both kinds of rights: what each may deploy and administer,
    and its effective permissions."""
    sifters: dict[str, _Sifted] = {}
    found: dict[str, tuple[list[_Right], list[_Right], Effective]] = {}
    for identity in model.identities.values():
        if identity.definition:
            continue  # held by no one here: its growth is what the delta checks say
        grants = model.grants_of(identity.address)
        held = Effective(identity.provider, grants)
        deploy, admin = _rights(identity, grants, held, sifters)
        if deploy and admin:
            found[identity.address] = (deploy, admin, held)
    return found


# A model's holders are the same whatever it is compared with: worked out ahead for the
# head while the base is built (see Check.prepare), once for each model.
_holders_of = per_model(_holders)


def run(ctx: CheckContext) -> Iterator[Draft]:
    model = ctx.head
    holders = _holders_of(model)
    for identity in sorted(model.identities.values(), key=lambda i: i.address):
        if identity.address not in holders:
            continue
        deploy, admin, held = holders[identity.address]
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


CHECK = Check(META, run, prepare=_holders_of)
