"""DG204 cross-env-secret-reuse.

## What it finds

The same secret or credential consumed by workloads in two or more environments. The
same secret is the same secret resource, the same secret id, ARN or URI (a Secrets
Manager secret, an SSM SecureString parameter, a Secret Manager secret
`projects/P/secrets/S`, a Key Vault secret), the same Vault path, or the same Kubernetes
Secret: two Kubernetes Secrets with the same name in different namespaces are different
secrets, as are two Secret Manager secrets with the same name in different projects.
Projected ServiceAccount tokens and role sessions are minted per workload and never
shared.

## Why it matters

Environments are blast-radius boundaries, and a secret shared across them erases the
boundary: whoever can read it in the environment with the weaker controls (staging's
broader access, test images, debug endpoints) holds production's API key, database
password or model-hub token. Rotating it after a leak breaks every environment at once,
so it tends not to be rotated.

## Example

```hcl
# envs/prod/main.tf — the prod task reads staging's Hugging Face token
resource "aws_ecs_task_definition" "embedder" {
  container_definitions = jsonencode([{
    name    = "embedder"
    secrets = [{
      name      = "HF_TOKEN"
      valueFrom = "arn:aws:secretsmanager:us-east-1:111122223333:secret:staging/hf-token-Ab12Cd"
    }]
  }])
}
```

## Fix

Create one secret per environment (the same module, the environment in its name or
path), store a different value in each, and point each environment's workloads at their
own.

## References

- OWASP Non-Human Identities Top 10: NHI8 Environment Isolation
"""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.analyzer.model import Credential, Model, Workload
from driftgate.checks.common import credential_kind_name

META = CheckMeta(
    id="DG204",
    slug="cross-env-secret-reuse",
    title="The same secret or credential is referenced from two or more environments",
    severity=Severity.MEDIUM,
    owasp=("NHI8",),
    rationale=(
        "A secret shared across environments erases the boundary between them: whoever "
        "reads it in the weaker environment holds the stronger one's secret."
    ),
    fix="Create one secret per environment and point each environment's workloads at it.",
    kind="state",
    doc=__doc__ or "",
)

# Credentials that exist once and can be handed to several workloads; projected tokens
# and role sessions are minted per workload.
SHAREABLE = frozenset(
    {
        "static_secret",
        "access_key",
        "sa_key",
        "client_secret",
        "certificate",
        "token",
        "legacy_sa_token",
    }
)


def run(ctx: CheckContext) -> Iterator[Draft]:
    model = ctx.head
    consumers: dict[str, list[Workload]] = {}
    for workload in model.workloads.values():
        for address in dict.fromkeys(workload.credentials):
            consumers.setdefault(address, []).append(workload)
    inference = _inference_identities(model)
    for address, workloads in sorted(consumers.items()):
        credential = model.credentials.get(address)
        if credential is None or credential.kind not in SHAREABLE:
            continue
        environments = sorted({w.environment for w in workloads if w.environment})
        if len(environments) < 2:
            continue
        yield _draft(ctx, credential, sorted(workloads, key=lambda w: w.address), inference)


def _inference_identities(model: Model) -> set[str]:
    """The identities the engine raises findings for (used by an inference workload)."""
    return {
        address
        for w in model.workloads.values()
        if w.inference
        for address in model.effective_identities(w)
    }


def _draft(
    ctx: CheckContext, credential: Credential, workloads: list[Workload], inference: set[str]
) -> Draft:
    environments = sorted({w.environment for w in workloads if w.environment})
    in_envs = [w for w in workloads if w.environment]
    base_users: dict[str, str | None] = {}
    if ctx.base is not None:
        base_users = {
            w.address: w.environment
            for w in ctx.base.workloads.values()
            if credential.address in w.credentials
        }
    # Point at the usage the change adds, preferring one in an environment that did not
    # read the secret before (GitHub shows an alert only on the lines a pull request
    # touches).
    known_envs = set(base_users.values())
    adopters = [w for w in in_envs if w.address not in base_users] or in_envs
    adopter = min(adopters, key=lambda w: (w.environment in known_envs, w.address))
    per_env = "; ".join(
        f"{env}: {', '.join(w.address for w in in_envs if w.environment == env)}"
        for env in environments
    )
    kind = credential_kind_name(credential)
    holder = f", which authenticates {credential.identity}," if credential.identity else ""
    reads = "now reads" if ctx.base is not None and adopter.address not in base_users else "reads"
    message = (
        f"{kind} {credential.address}{holder} is referenced by workloads in "
        f"{len(environments)} environments — {per_env}; {adopter.address} in "
        f"{adopter.environment} {reads} it, so whoever can read it in one environment holds "
        "the others' secret and a rotation after a leak breaks them all."
    )
    severity = Severity.HIGH if "prod" in environments else Severity.MEDIUM
    identity = credential.identity or credential.address
    # The engine raises findings about identities an inference workload uses; a secret
    # that no identity owns is raised here when an inference workload reads it.
    if identity not in inference and any(w.inference for w in workloads):
        severity = severity.raised()
    related = [w.location for w in workloads if w is not adopter and w.location is not None]
    if credential.location is not None and credential.location not in related:
        related.append(credential.location)
    return Draft(
        identity=identity,
        message=message,
        subject=credential.address,
        location=adopter.location,
        related=tuple(related),
        severity=severity,
        environment=adopter.environment,
        workloads=tuple(w.address for w in workloads),
        after=", ".join(environments),
    )


CHECK = Check(META, run)
