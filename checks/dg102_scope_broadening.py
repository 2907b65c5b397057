"""DG102 scope-broadening.

## What it finds

An identity holds a permission it already had, on a broader scope: a resource pattern
widened (`arn:aws:s3:::models-prod/*` → `*`), a namespace binding made cluster-wide
(RoleBinding → ClusterRoleBinding), a GCP role moved from a bucket to the project, an
Azure role assignment moved from a resource group to the subscription, a Vault path
glob widened.

## Why it matters

The action looks familiar in review, so the change looks harmless; but the identity
now reaches every object of that kind — other teams' models, other environments'
secrets. Broadened scope is how a narrow inference identity quietly becomes an
account-wide one.

## Example

```hcl
statement {
  actions   = ["s3:GetObject"]
  resources = ["*"]          # was ["arn:aws:s3:::models-prod/*"]
}
```

## Fix

Keep the scope to what the workload reads or writes; name the resources or the
namespace. If the broader scope is needed, suppress with the reason.

## References

- OWASP Non-Human Identities Top 10: NHI5 Overprivileged NHI
"""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.checks.delta import delta_drafts

META = CheckMeta(
    id="DG102",
    slug="scope-broadening",
    title="The same permission on a broader scope",
    severity=Severity.MEDIUM,
    owasp=("NHI5",),
    rationale=(
        "A permission the identity already had now reaches more: more resources, more "
        "namespaces, a wider level of the resource hierarchy."
    ),
    fix="Name the resources, namespace or scope the workload needs, or suppress with a reason.",
    kind="delta",
    doc=__doc__ or "",
    by_level=True,
)


def run(ctx: CheckContext) -> Iterator[Draft]:
    return delta_drafts(ctx, "scope")


CHECK = Check(META, run)
