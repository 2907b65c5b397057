"""DG303 plaintext-secret.

## What it finds

A secret value written literally in the repository and consumed by a workload:

- a literal `secret_string` / `secret_binary` of an `aws_secretsmanager_secret_version`,
  or the `value` of a SecureString `aws_ssm_parameter`, that a workload reads;
- a literal environment variable value that is a secret: its name says so (`*_TOKEN`,
  `*_API_KEY`, `*_PASSWORD`, `AWS_SECRET_ACCESS_KEY`, …, but not `*_ARN`, `*_PATH`,
  `*_URL`, …) or it has the shape of a published token format (Hugging Face `hf_…`,
  OpenAI `sk-…`, GitHub, GitLab, Slack, Google API keys, private keys), whatever the
  name — in ECS containers, Lambda functions, Kubernetes containers (`env[].value`),
  Cloud Run services, Container Apps and App Service settings;
- a literal `value` of a Container Apps `secret` block, and an App Service connection
  string that carries its password or account key.

Randomness alone is not taken as a secret: model ids, digests and base64 configuration
are as random as tokens. A `$(VAR)` reference is not a value. The secret itself is
never printed: the finding names the variable or the secret, shows its first four
characters (when it is at least 16 long) and its length, and points at the line that
holds the value.

## Why it matters

Everything in a repository is read by many more people and systems than the secret was
meant for: every clone, fork, CI log, code-search index and backup holds it, and the
Git history keeps it after the line is deleted. A secret that reached a repository is
compromised and must be rotated, not just moved.

## Example

```hcl
resource "aws_lambda_function" "summarize" {
  environment {
    variables = {
      OPENAI_API_KEY = "sk-proj-…"   # literal value in the repository
    }
  }
}
```

## Fix

Rotate the secret first. Then store it in a secret manager (Secrets Manager, Secret
Manager, Key Vault, Vault) outside Terraform state where possible, and hand the workload
a reference (`secrets[].valueFrom`, `secretKeyRef`, a Key Vault reference) or, better, a
workload identity that needs no secret at all.

## References

- OWASP Non-Human Identities Top 10: NHI2 Secret Leakage
- AWS: Pass Secrets Manager secrets to ECS containers (`valueFrom`)
- GitHub: About secret scanning
"""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.analyzer.model import PLAINTEXT, Credential
from driftgate.checks.inference_scope import (
    consumers,
    env_text,
    identity_text,
    inference_users,
    workload_text,
)

META = CheckMeta(
    id="DG303",
    slug="plaintext-secret",
    title="A literal secret value in the repository is consumed by a workload",
    severity=Severity.HIGH,
    owasp=("NHI2",),
    rationale=(
        "A secret written in a repository is readable by every clone, fork, CI log and "
        "backup, and stays in the Git history after it is deleted."
    ),
    fix=(
        "Rotate the secret, keep it in a secret manager and hand the workload a reference "
        "or a workload identity instead of the value."
    ),
    kind="state",
    doc=__doc__ or "",
)


def run(ctx: CheckContext) -> Iterator[Draft]:
    model = ctx.head
    inference = inference_users(model)
    for credential in sorted(model.credentials.values(), key=lambda c: c.address):
        if not credential.address.endswith(PLAINTEXT):
            continue
        workloads = consumers(model, credential)
        if not workloads:
            continue
        identity = credential.identity or credential.address
        severity = META.severity
        # The engine raises a finding on an inference identity; a literal has no identity
        # of its own, so it is raised here when an inference workload consumes it.
        if any(w.inference for w in workloads) and identity not in inference:
            severity = severity.raised()
        yield Draft(
            identity=identity,
            message=_message(ctx, credential, [w.address for w in workloads]),
            subject=credential.address,
            location=credential.location,
            related=tuple(w.location for w in workloads if w.location is not None),
            severity=severity,
            environment=credential.environment or workloads[0].environment,
            workloads=tuple(w.address for w in workloads),
            after="literal value in the repository",
        )


def _what(credential: Credential) -> str:
    """``environment variable OPENAI_API_KEY of …`` or ``secret aws_secretsmanager_secret.x``."""
    address = credential.address.removesuffix(PLAINTEXT)
    owner, sep, name = address.rpartition("/env/")
    if sep:
        return f"environment variable {name} of {owner}"
    return f"secret {address}"


def _message(ctx: CheckContext, credential: Credential, workloads: list[str]) -> str:
    model = ctx.head
    users = [model.workloads[w] for w in workloads]
    environment = credential.environment or users[0].environment
    runs_as = sorted({i for w in users for i in w.identities if i in model.identities})
    identities = "; ".join(identity_text(model.identities[i]) for i in runs_as[:3])
    as_whom = f" (running as {identities})" if identities else ""
    inference = " inference" if any(w.inference for w in users) else ""
    shown = "value not shown"
    if credential.preview:
        shown = f"value {credential.preview}; the rest not shown"
    return (
        f"{_what(credential)}{env_text(environment)} has its value written literally in the "
        f"repository ({shown}) and is consumed by{inference} workload(s) "
        f"{workload_text(users)}{as_whom}: everyone who can read the repository or its "
        "history holds the secret, so it must be rotated and passed by reference."
    )


CHECK = Check(META, run)
