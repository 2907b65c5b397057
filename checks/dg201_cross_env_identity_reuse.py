"""DG201 cross-env-identity-reuse.

## What it finds

The same principal — an IAM role (by ARN or by the resource that declares it), a GCP
service account, an Azure identity, a ServiceAccount — is used by workloads in two or
more environments, directly or through federation (IRSA, GKE/Azure workload identity).

An identity the configuration only reads from outside — an output of a remote state, a
data source — is the same identity in two roots when both read the same thing: the
same data source type with the same, fully known arguments (backend, bucket, key,
workspace) and the same output. Its value is unknown, so the finding says so and
carries `confidence: medium`; roots that read different states, or a state whose
location is a variable, are never called reuse.

## Why it matters

Environments are blast-radius boundaries. When the inference service promoted to
production keeps running as its staging role, anything that compromises staging (a
looser review process, a test image, a debug endpoint) holds production's credentials,
and any permission granted "for staging" is granted in production too.

## Example

```yaml
# k8s/prod/llm.yaml
kind: ServiceAccount
metadata:
  name: llm
  namespace: ml-prod
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/llm-staging   # staging's role
```

## Fix

Give each environment its own identity (one role per environment, created by the same
module with the environment in its name) and point each environment's workloads at it.

## References

- OWASP Non-Human Identities Top 10: NHI8 Environment Isolation, NHI9 NHI Reuse
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.analyzer.model import Model, Unknown, Workload
from driftgate.checks.common import principal_text

META = CheckMeta(
    id="DG201",
    slug="cross-env-identity-reuse",
    title="The same principal is used by workloads in two or more environments",
    severity=Severity.MEDIUM,
    owasp=("NHI8", "NHI9"),
    rationale=(
        "An identity shared across environments erases the boundary between them: a "
        "compromise of the weaker environment holds the stronger one's credentials."
    ),
    fix="Give each environment its own identity and point its workloads at it.",
    kind="state",
    doc=__doc__ or "",
)


def run(ctx: CheckContext) -> Iterator[Draft]:
    model = ctx.head
    usage: dict[str, list[Workload]] = {}
    for workload in model.workloads.values():
        if workload.environment is None:
            continue
        for address in model.effective_identities(workload):
            usage.setdefault(address, []).append(workload)
    for address, workloads in sorted(usage.items()):
        identity = model.identities.get(address)
        environments = sorted({w.environment for w in workloads if w.environment})
        if identity is None or len(environments) < 2:
            continue
        workloads.sort(key=lambda w: w.address)
        base_users = set()
        if ctx.base is not None:
            base_users = {w.address for w in ctx.base.workloads_using(address)}
        # Point at the usage the change adds (GitHub shows an alert only on diff lines),
        # preferring a workload outside the identity's own environment.
        adopters = [w for w in workloads if w.address not in base_users] or workloads
        adopter = min(adopters, key=lambda w: (w.environment == identity.environment, w.address))
        principal = principal_text(identity) or address
        # Known only as the same read of the same external object (a remote state's
        # output): the same value in every root, whatever it is.
        external = not identity.declared and isinstance(identity.principal, Unknown)
        if external:
            principal = f"whatever {address.partition(':')[2]} holds"
        refused = None if external else _refused(model, address, adopter)
        per_env = "; ".join(
            f"{env}: {', '.join(w.address for w in workloads if w.environment == env)}"
            for env in environments
        )
        own = f" (declared for {identity.environment})" if identity.environment else ""
        runs = "now runs" if adopter.address not in base_users and ctx.base else "runs"
        if external:
            message = (
                f"workloads in {len(environments)} environments run as the same "
                f"{identity.kind.replace('_', ' ')}, read from the same external object "
                f"— {per_env}; "
                f"{adopter.address} in {adopter.environment} {runs} as {principal}: "
                "driftgate cannot see the value, but every root reads the same one, so a "
                "compromise or a permission granted in one environment reaches the others."
            )
        elif refused is not None:
            accounts, admitted = refused
            message = (
                f"{identity.kind} {identity.name} [{address}]{own} is named by workloads in "
                f"{len(environments)} environments — {per_env}; {adopter.address} in "
                f"{adopter.environment} points at {principal} through {accounts}, but its "
                f"trust admits only {admitted}: the pod would be refused, unless the trust "
                "is widened elsewhere — point it at its own environment's identity."
            )
        else:
            message = (
                f"{identity.kind} {identity.name} [{address}]{own} is used by workloads in "
                f"{len(environments)} environments — {per_env}; {adopter.address} in "
                f"{adopter.environment} {runs} as {principal}, so a compromise or a "
                f"permission granted in one environment reaches the others."
            )
        yield Draft(
            identity=address,
            message=message,
            subject=principal,
            location=adopter.location,
            related=tuple(
                w.location for w in workloads if w is not adopter and w.location is not None
            ),
            severity=Severity.HIGH if "prod" in environments else Severity.MEDIUM,
            environment=adopter.environment,
            workloads=tuple(w.address for w in workloads),
            before=None,
            after=", ".join(environments),
            confidence="medium" if external or refused is not None else "high",
        )


# How a trust names a Kubernetes ServiceAccount: an OIDC subject, a GKE member.
_SUBJECTS = ("system:serviceaccount:", ".svc.id.goog[")


def _refused(model: Model, address: str, workload: Workload) -> tuple[str, str] | None:
    """(the workload's ServiceAccounts, what the trust admits) when ``address``'s trust
    names ServiceAccounts and none of the workload's: federation would refuse the pod.
    None when it admits one, or names none (driftgate cannot tell)."""
    named = [
        value
        for trust in model.trusts
        if trust.identity == address
        for value in (*trust.principals, *(v for c in trust.conditions for v in c.values))
        if any(marker in value for marker in _SUBJECTS)
    ]
    if not named:
        return None
    accounts = [
        model.identities[a]
        for a in workload.identities
        if a in model.identities and model.identities[a].kind == "ServiceAccount"
    ]
    forms: list[str] = []
    for account in accounts:
        if not isinstance(account.principal, str) or account.principal.count(":") != 3:
            return None  # a ServiceAccount whose name driftgate cannot read
        _, _, namespace, name = account.principal.split(":")
        forms += [account.principal, f"[{namespace}/{name}]"]
    if not forms:
        return None
    for value in named:
        if any(fnmatchcase(form, value) or value.endswith(form) for form in forms):
            return None
    shown = ", ".join(sorted(dict.fromkeys(named))[:3])
    return ", ".join(a.principal for a in accounts if isinstance(a.principal, str)), shown


CHECK = Check(META, run)
