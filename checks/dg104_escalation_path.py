"""DG104 escalation-path.

## What it finds

An identity gains a capability that lets it grant itself more privilege:
`iam:PassRole`, `iam:Put*Policy`, `iam:Attach*Policy`, `iam:CreateAccessKey`,
`iam:CreatePolicyVersion`, `sts:AssumeRole` on `*`; GCP `roles/owner`,
`roles/iam.serviceAccountTokenCreator`, `roles/iam.serviceAccountUser`, `setIamPolicy`;
Kubernetes `bind`, `escalate`, `impersonate`, secrets read cluster-wide; Azure Owner or
User Access Administrator; Vault `sudo`.

## Why it matters

An escalation capability is not one more permission: it is every permission. Whoever
controls the workload — a compromised model server, a malicious model artifact — can
turn it into administrator of the account, project or cluster.

## Example

```hcl
statement {
  actions   = ["iam:PassRole"]
  resources = ["*"]
}
```

## Fix

Remove the capability, or restrict it to the exact roles and services needed
(`iam:PassRole` on one role ARN with `iam:PassedToService`).

## References

- OWASP Non-Human Identities Top 10: NHI5 Overprivileged NHI
- Rhino Security Labs: AWS IAM privilege escalation methods
"""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.checks.delta import delta_drafts

META = CheckMeta(
    id="DG104",
    slug="escalation-path",
    title="An identity gains a privilege-escalation capability",
    severity=Severity.HIGH,
    owasp=("NHI5",),
    rationale=(
        "A capability to grant oneself more privilege is worth every privilege: it turns "
        "a compromise of the workload into a compromise of the platform."
    ),
    fix="Remove the capability or restrict it to the exact roles and services needed.",
    kind="delta",
    doc=__doc__ or "",
    by_level=True,
)


def run(ctx: CheckContext) -> Iterator[Draft]:
    return delta_drafts(ctx, "escalation")


CHECK = Check(META, run)
