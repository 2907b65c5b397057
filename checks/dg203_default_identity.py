"""DG203 default-identity.

## What it finds

An inference workload that runs as a default identity instead of one of its own, directly
or through federation:

- the Kubernetes `default` ServiceAccount of its namespace, named explicitly
  (`serviceAccountName: default`) or implicitly (no `serviceAccountName` at all);
- the Compute Engine default service account (`PROJECT_NUMBER-compute@developer...`) or
  the App Engine default account (`PROJECT@appspot...`), which Cloud Run services, GKE
  node pools and VMs run as when they name no `service_account`;
- the kubelet identity AKS creates for a cluster without a `kubelet_identity` block
  (`<cluster>-agentpool`), which every pod on its GPU nodes can obtain from the instance
  metadata endpoint.

## Why it matters

A default identity is shared by everything that did not ask for another one: every pod in
the namespace, every service in the project, every pod on the node. Any permission given
to it "for the model server" is given to all of them, and a compromise of any of them —
or of the model server, which loads third-party artifacts and often serves the internet —
holds it. The Compute Engine default account is granted the project `Editor` role unless
the organisation disables that grant.

## Example

```yaml
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: llm
  namespace: ml-prod
spec:
  predictor:        # no serviceAccountName: runs as ml-prod's `default` ServiceAccount
    model:
      modelFormat:
        name: huggingface
```

## Fix

Create a dedicated identity for the workload (a ServiceAccount, a GCP service account, a
user-assigned managed identity for the kubelet) with only what it needs, name it
explicitly (`serviceAccountName`, `service_account`, `kubelet_identity`), and turn off
token automounting for the `default` ServiceAccount.

## References

- OWASP Non-Human Identities Top 10: NHI5 Overprivileged NHI
- Kubernetes: Configure Service Accounts for Pods
- Google Cloud: Default service accounts (automatic role grants)
- Azure: Use a managed identity in AKS (kubelet identity)
"""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.analyzer.model import Identity, Model, Workload
from driftgate.analyzer.providers import DefaultIdentity, spec
from driftgate.checks.common import principal_text

META = CheckMeta(
    id="DG203",
    slug="default-identity",
    title="An inference workload runs as a default identity",
    severity=Severity.HIGH,
    owasp=("NHI5",),
    rationale=(
        "A default identity is shared by everything that did not ask for another one: what "
        "it may do, every such workload may do, and a compromise of any of them holds it."
    ),
    fix=(
        "Give the workload a dedicated, least-privileged identity and name it explicitly "
        "(serviceAccountName, service_account, kubelet_identity)."
    ),
    kind="state",
    inference_only=True,
    doc=__doc__ or "",
)


def run(ctx: CheckContext) -> Iterator[Draft]:
    model = ctx.head
    for workload in sorted(model.workloads.values(), key=lambda w: w.address):
        if not workload.inference:
            continue
        for address in model.effective_identities(workload):
            identity = model.identities.get(address)
            if identity is None:
                continue
            # The Kubernetes `default` SA, a GCP default service account, an AKS kubelet
            # identity: whatever the provider hands a workload that names none.
            default = spec(identity.provider).default_identity
            if default is not None and default.matches(identity):
                yield _draft(model, workload, identity, default)


def _draft(model: Model, workload: Workload, identity: Identity, default: DefaultIdentity) -> Draft:
    severity, why = _danger(model, identity, default)
    principal = principal_text(identity) or identity.address
    how = "runs as"
    if identity.address not in workload.identities:
        how = "reaches, through federation,"
    elif workload.identity_location is None and (
        unnamed := spec(identity.provider).unnamed_identity
    ):
        how = unnamed
    reason = f" ({workload.inference_reason})" if workload.inference_reason else ""
    env = f" in {workload.environment}" if workload.environment else ""
    message = (
        f"inference workload {workload.address}{reason}{env} {how} the default identity "
        f"{_label(identity)} [{identity.address}] ({principal}), which {why}, "
        "so whatever it may do every such workload may do and a compromise of any of them "
        "holds it."
    )
    related = (identity.location,) if identity.location is not None else ()
    return Draft(
        identity=identity.address,
        message=message,
        # One finding per workload: a second model server adopting the same default
        # identity is a new finding, not the old one.
        subject=workload.address,
        location=workload.identity_location or workload.location,
        related=related,
        severity=severity,
        environment=workload.environment,
        workloads=(workload.address,),
        after=identity.address,
    )


def _label(identity: Identity) -> str:
    """``ServiceAccount default``; a name that already says what it is stays alone."""
    kind = identity.kind.replace("_", " ")
    return identity.name if kind.lower() in identity.name.lower() else f"{kind} {identity.name}"


def _danger(model: Model, identity: Identity, default: DefaultIdentity) -> tuple[Severity, str]:
    """How bad this default identity is, and why, in a clause."""
    level, why = default.danger(model, identity)
    return Severity(level), why


CHECK = Check(META, run)
