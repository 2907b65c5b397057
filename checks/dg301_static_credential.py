"""DG301 static-credential.

## What it finds

A static credential that authenticates an identity an inference workload uses,
directly or through federation (a Kubernetes ServiceAccount → IAM role, GCP service
account, Azure identity), or that an inference workload is handed itself:

- AWS `aws_iam_access_key`, service-specific credentials and signing certificates, and
  `AWS_SECRET_ACCESS_KEY` in a task's or function's environment;
- GCP `google_service_account_key`;
- Azure `azuread_application_password`, `azuread_application_certificate`,
  `azuread_service_principal_password`, a cluster's `service_principal` secret;
- Kubernetes Secrets of type `kubernetes.io/service-account-token` (legacy tokens);
- secrets consumed by the workload (`secretKeyRef`, `envFrom`, ECS `secrets`, Key Vault
  references), which are long-lived unless something outside the repository rotates
  them.

It applies whatever the credential's expiry: a key that expires in a year is still a
key that works from anywhere until then (DG302 reports the lifetime as well when it is
over the threshold). A literal value written in the repository is DG303's finding, not
this one's.

## Why it matters

Inference workloads run third-party model servers, load untrusted model artifacts and
often serve the internet: they are where credentials leak. A static credential works
from any machine, is copied into images, logs and notebooks, and is rarely rotated,
while the platform could hand the workload short-lived tokens bound to where it runs.

## Example

```yaml
apiVersion: v1
kind: Secret
metadata:
  name: llm-token
  namespace: ml-prod
  annotations:
    kubernetes.io/service-account.name: llm   # the vLLM server's ServiceAccount
type: kubernetes.io/service-account-token
```

## Fix

Delete the static credential and let the platform issue short-lived ones: projected
ServiceAccount tokens, IRSA / EKS Pod Identity, GKE Workload Identity, Azure Workload
Identity or managed identities. Where a third-party API key is unavoidable, keep it in
a secret manager with rotation and scope it to the one model it serves.

## References

- OWASP Non-Human Identities Top 10: NHI7 Long-Lived Secrets
- Kubernetes: Service account tokens (legacy token Secrets)
- Google Cloud: Best practices for managing service account keys
- AWS IAM: Use temporary credentials (roles) instead of long-term access keys
"""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.analyzer.model import PLAINTEXT, Credential, Workload
from driftgate.checks.common import human_duration
from driftgate.checks.inference_scope import (
    consumers,
    env_text,
    identity_text,
    inference_users,
    workload_text,
)

META = CheckMeta(
    id="DG301",
    slug="static-credential",
    title="A static credential authenticates an identity an inference workload uses",
    severity=Severity.HIGH,
    owasp=("NHI7",),
    rationale=(
        "A static credential works from anywhere until it is revoked; on an inference "
        "workload, which runs untrusted models and serves the internet, it is the "
        "credential most likely to leak."
    ),
    fix=(
        "Replace the static credential with platform-issued short-lived tokens (projected "
        "ServiceAccount tokens, IRSA / Pod Identity, Workload Identity, managed identities)."
    ),
    kind="state",
    inference_only=True,
    doc=__doc__ or "",
)

STATIC_KINDS = frozenset(
    {"access_key", "sa_key", "client_secret", "certificate", "legacy_sa_token", "static_secret"}
)
_NAMES = {
    "access_key": "static access key",
    "sa_key": "service account key",
    "client_secret": "client secret",
    "certificate": "certificate credential",
    "legacy_sa_token": "legacy ServiceAccount token Secret",
    "static_secret": "long-lived secret",
}


def run(ctx: CheckContext) -> Iterator[Draft]:
    model = ctx.head
    users = inference_users(model)
    for credential in sorted(model.credentials.values(), key=lambda c: c.address):
        if credential.kind not in STATIC_KINDS or credential.address.endswith(PLAINTEXT):
            continue
        via_identity = users.get(credential.identity or "", [])
        handed = [w for w in consumers(model, credential) if w.inference]
        workloads = sorted(
            {w.address: w for w in [*via_identity, *handed]}.values(), key=lambda w: w.address
        )
        if not workloads:
            continue
        yield _draft(ctx, credential, workloads, bool(via_identity))


def _draft(
    ctx: CheckContext, credential: Credential, workloads: list[Workload], authenticates: bool
) -> Draft:
    model = ctx.head
    identity = model.identities.get(credential.identity or "")
    kind = _NAMES[credential.kind]
    environment = credential.environment or (identity.environment if identity else None)
    if identity is not None and authenticates:
        whom = f"authenticates {identity_text(identity)}, which inference workload(s) "
        whom += f"{workload_text(workloads)} run as"
    elif identity is not None:
        whom = f"of {identity_text(identity)} is handed to inference workload(s) "
        whom += workload_text(workloads)
    else:
        whom = f"is handed to inference workload(s) {workload_text(workloads)}"
    if credential.ttl_seconds is None:
        lifetime = "it never expires, so a leaked copy works from anywhere until revoked"
        severity = Severity.HIGH if credential.kind == "static_secret" else Severity.CRITICAL
    else:
        lifetime = (
            f"even though it expires after {human_duration(credential.ttl_seconds)}, a leaked "
            "copy works from anywhere until then"
        )
        severity = Severity.HIGH
    message = (
        f"{kind} {credential.address}{env_text(environment)} {whom}: {lifetime}, where "
        "the platform could issue the workload short-lived tokens instead."
    )
    return Draft(
        identity=credential.identity or credential.address,
        message=message,
        subject=credential.address,
        location=credential.location,
        related=tuple(w.location for w in workloads if w.location is not None),
        severity=severity,
        environment=environment,
        workloads=tuple(w.address for w in workloads),
        after="never expires"
        if credential.ttl_seconds is None
        else human_duration(credential.ttl_seconds),
    )


CHECK = Check(META, run)
