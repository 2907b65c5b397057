"""DG405 overprivileged-inference.

## What it finds

An identity an inference workload runs as (directly or through federation) that holds
admin or wildcard permissions:

- AWS: action `*` or `service:*` (or a `NotAction`) on resource `*`, or the managed
  `AdministratorAccess`, `PowerUserAccess` or a `*FullAccess` policy;
- GCP: the basic roles `roles/owner` and `roles/editor`, or a predefined `*.admin` role
  on a whole project, folder or organization;
- Azure: Owner, Contributor or User Access Administrator, or a custom role with `*`;
- Kubernetes: `cluster-admin`, or any verb but get/list/watch on every resource (`*`)
  of an API group.

An object-prefix ARN (`arn:aws:s3:::models/*`) is not a wildcard, and a permission an
explicit Deny or permissions boundary takes away is not held. A boundary driftgate cannot
read (a policy the repository does not declare) takes nothing away for certain: the
finding stays, at `confidence: low`. Reported when the identity newly holds it at head,
beside any privilege-growth finding of the change.

## Why it matters

An inference service needs to read its model artifacts, write its logs and perhaps
call one or two APIs. Model servers run untrusted model code (pickle, custom
handlers, `trust_remote_code`), parse attacker-controlled prompts and are exposed to
the internet: a compromise is likely, and with a wildcard it reaches everything the
account, project or cluster holds.

## Example

```hcl
resource "aws_iam_role_policy_attachment" "llm" {
  role       = aws_iam_role.llm.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"   # s3:* on *
}
```

## Fix

Grant the exact actions on the exact resources the server uses (`s3:GetObject` on the
model prefix, `logs:PutLogEvents` on its log group), bind namespaced Roles instead of
cluster-wide ones, and use predefined narrow roles (`roles/storage.objectViewer` on one
bucket) instead of basic roles.

## References

- OWASP Non-Human Identities Top 10: NHI5 Overprivileged NHI
- AWS IAM: Grant least privilege
- Google Cloud: Basic roles are highly permissive
- Kubernetes: RBAC good practices (avoid cluster-admin and wildcards)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.analyzer.model import Grant, Identity, Workload
from driftgate.analyzer.permissions.effective import Effective
from driftgate.analyzer.providers import spec
from driftgate.checks.inference_scope import (
    added_location,
    env_text,
    identity_text,
    inference_users,
    workload_text,
)

META = CheckMeta(
    id="DG405",
    slug="overprivileged-inference",
    title="An inference identity holds admin or wildcard permissions",
    # Admin on an inference identity is critical (DESIGN.md §5, severity); the check is
    # about inference identities only, so the engine does not raise it further.
    severity=Severity.CRITICAL,
    owasp=("NHI5",),
    rationale=(
        "Model servers run untrusted model code and face the internet; a wildcard turns "
        "their compromise into a compromise of the whole account, project or cluster."
    ),
    fix=(
        "Grant the exact actions on the exact resources the server uses; no wildcards, "
        "basic roles or cluster-wide admin."
    ),
    kind="state",
    inference_only=True,
    doc=__doc__ or "",
)

# (the grant, what it gives, whether that is full admin)
_Found = tuple[Grant, str, bool]


def _wildcards(identity: Identity, grants: list[Grant], held: Effective) -> list[_Found]:
    provider = spec(identity.provider)
    found: list[_Found] = []
    for grant in grants:
        if grant.effect != "allow":
            continue
        if grant.unresolved and grant.policy is not None:
            verdict = provider.policy_wildcard(grant.policy) if held.policy_reaches() else None
            found.extend([(grant, verdict.what, verdict.full_admin)] if verdict else [])
            continue
        for permission in grant.permissions:
            for part in held.amounts_to(permission):
                if (verdict := provider.wildcard(part)) is not None:
                    found.append((grant, verdict.what, verdict.full_admin))
    return found


def run(ctx: CheckContext) -> Iterator[Draft]:
    model = ctx.head
    for address, workloads in sorted(inference_users(model).items()):
        identity = model.identities.get(address)
        if identity is None:
            continue
        grants = model.grants_of(identity.address)
        held = Effective(identity.provider, grants)
        found = _wildcards(identity, grants, held)
        if not found:
            continue
        draft = _draft(ctx, identity, workloads, found)
        # A boundary driftgate cannot read may cap what was found.
        yield replace(draft, confidence="low") if held.boundary_unknown else draft


def _draft(
    ctx: CheckContext,
    identity: Identity,
    workloads: list[Workload],
    found: list[_Found],
) -> Draft:
    full = any(f for _, _, f in found)
    grants = list(dict.fromkeys(g for g, _, _ in found))
    shown = list(dict.fromkeys(f"{what} via {g.via}" for g, what, _ in found))
    more = f" and {len(shown) - 3} more" if len(shown) > 3 else ""
    message = (
        f"{identity_text(identity)}{env_text(identity.environment)}, which inference "
        f"workload(s) {workload_text(workloads)} run as, holds "
        f"{'full admin' if full else 'wildcard'} permissions ({'; '.join(shown[:3])}{more}): "
        "a model server runs untrusted model code and faces the internet, so its compromise "
        f"reaches {'everything' if full else 'whole services'} instead of the few resources "
        "it serves from."
    )
    location = added_location(ctx.base, identity.address, grants)
    related = tuple(
        dict.fromkeys(
            g.location for g in grants if g.location is not None and g.location != location
        )
    )
    return Draft(
        identity=identity.address,
        message=message,
        subject="",
        location=location,
        related=related,
        environment=identity.environment,
        workloads=tuple(w.address for w in workloads),
        after="; ".join(shown[:3]),
    )


CHECK = Check(META, run)
