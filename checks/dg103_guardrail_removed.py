"""DG103 guardrail-removed.

## What it finds

A guardrail that limited what an identity may do was removed or loosened: a policy
condition (`aws:SourceVpc`, `aws:PrincipalTag`, an IAM condition on a GCP binding), a
permissions boundary, a Kubernetes `resourceNames` restriction, an explicit Deny.

## Why it matters

Guardrails are how a broad grant is made safe. Removing one changes nothing in the
list of actions a reviewer reads, yet the identity can suddenly act from anywhere, on
anything, or beyond its boundary.

## Example

```hcl
statement {
  actions   = ["s3:PutObject"]
  resources = ["arn:aws:s3:::models-prod/*"]
  # condition { test = "StringEquals" variable = "aws:SourceVpce" values = [...] }  removed
}
```

## Fix

Keep the condition, boundary, `resourceNames` or Deny; if it must go, record why in a
suppression with an expiry.

## References

- OWASP Non-Human Identities Top 10: NHI5 Overprivileged NHI
- AWS IAM: permissions boundaries; policy evaluation logic
"""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.checks.delta import delta_drafts

META = CheckMeta(
    id="DG103",
    slug="guardrail-removed",
    title="A condition, permissions boundary, resourceNames restriction or explicit Deny removed",
    severity=Severity.HIGH,
    owasp=("NHI5",),
    rationale=(
        "Guardrails make broad grants safe; removing one widens what the identity may do "
        "without adding a single action to the policy."
    ),
    fix="Restore the guardrail, or suppress with the reason and an expiry.",
    kind="delta",
    doc=__doc__ or "",
    by_level=True,
    floor=Severity.MEDIUM,
)


def run(ctx: CheckContext) -> Iterator[Draft]:
    return delta_drafts(ctx, "guardrail", floor=META.floor)


CHECK = Check(META, run)
