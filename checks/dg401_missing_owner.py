"""DG401 missing-owner.

## What it finds

An identity an inference workload runs as (directly or through federation), or an
inference workload itself, that names no owner: no tag or label whose key is one of
`owner_keys` (default `owner`, `team`; case-insensitive), counting AWS provider
`default_tags`, GCP labels, Azure tags and Kubernetes labels and annotations.

Identities no file in the repository declares (a role ARN managed elsewhere, the
implicit `default` ServiceAccount) are not judged: their owner is unknown, not missing,
and the model says so. GCP service accounts cannot carry labels; for them the workload
that runs as them is judged.

## Why it matters

An identity nobody owns is an identity nobody reviews, rotates or deletes. When an
inference service is retired, migrated or compromised, the owner is who knows what the
identity is for and whether its permissions are still needed; without one, identities
and their credentials outlive their workloads and accumulate privilege.

## Example

```yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: reranker
  namespace: ml-prod      # no `owner` or `team` label
```

## Fix

Add an owner tag or label (`team: search-relevance`, `owner: ml-platform@acme.com`) to
the identity and to the workload, or set AWS provider `default_tags` for the whole
root. Use the keys configured in `owner_keys`.

## References

- OWASP Non-Human Identities Top 10: NHI1 Improper Offboarding
- AWS: Tagging best practices (ownership tags)
- Kubernetes: Recommended labels
"""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.analyzer.model import Identity, Workload
from driftgate.analyzer.providers import spec
from driftgate.checks.inference_scope import env_text, identity_text, inference_users, workload_text

META = CheckMeta(
    id="DG401",
    slug="missing-owner",
    title="An inference identity or workload names no owner",
    severity=Severity.MEDIUM,
    owasp=("NHI1",),
    rationale=(
        "An identity nobody owns is never reviewed, rotated or retired: it outlives its "
        "workload and keeps its permissions."
    ),
    fix="Tag or label the identity and the workload with an owner key (`owner`, `team`).",
    kind="state",
    inference_only=True,
    doc=__doc__ or "",
)

# Identities that cannot carry tags or labels: their workloads are judged instead.
_NO_OWNER = "no owner tag or label (a key of owner_keys, e.g. owner or team)"


def run(ctx: CheckContext) -> Iterator[Draft]:
    model = ctx.head
    users = inference_users(model)
    for address, workloads in sorted(users.items()):
        identity = model.identities.get(address)
        if identity is None or not _judged(identity):
            continue
        if identity.owner is None:
            yield _identity_draft(ctx, identity, workloads)
    for workload in sorted(model.workloads.values(), key=lambda w: w.address):
        if workload.inference and workload.owner is None:
            yield _workload_draft(ctx, workload)


def _judged(identity: Identity) -> bool:
    """Declared here, and of a kind that can carry an owner tag or label."""
    return identity.declared and spec(identity.provider).labelled(identity)


def _identity_draft(ctx: CheckContext, identity: Identity, workloads: list[Workload]) -> Draft:
    message = (
        f"{identity_text(identity)}{env_text(identity.environment)} is used by inference "
        f"workload(s) {workload_text(workloads)} but has {_NO_OWNER}: nobody is "
        "accountable for reviewing, rotating or retiring it, so it outlives its workload "
        "with its permissions."
    )
    return Draft(
        identity=identity.address,
        message=message,
        subject="",
        location=identity.location,
        related=tuple(w.location for w in workloads if w.location is not None),
        environment=identity.environment,
        workloads=tuple(w.address for w in workloads),
        after="no owner",
    )


def _workload_draft(ctx: CheckContext, workload: Workload) -> Draft:
    model = ctx.head
    runs_as = [model.identities[i] for i in workload.identities if i in model.identities]
    identities = "; ".join(identity_text(i) for i in runs_as[:3]) or "no known identity"
    message = (
        f"inference workload {workload_text([workload])}{env_text(workload.environment)}, "
        f"running as {identities}, has {_NO_OWNER}: nobody is accountable for the "
        "identities and credentials it uses, so they are never reviewed or retired with it."
    )
    return Draft(
        identity=workload.address,
        message=message,
        subject="workload",
        location=workload.location,
        environment=workload.environment,
        workloads=(workload.address,),
        after="no owner",
    )


CHECK = Check(META, run)
