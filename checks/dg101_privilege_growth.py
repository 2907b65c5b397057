"""DG101 privilege-growth.

## What it finds

An identity that existed at the base of the change may do something at head that it
could not do before: a new action, or an action on a new resource, granted by a policy
statement, an attached policy, or an RBAC rule reached through a binding.

It also finds a new *hop*: the identity can now act as another one that holds no
more than ordinary permissions (it may pass a role to Lambda and create functions,
create pods that run as a ServiceAccount): what that identity holds and it lacks is
growth of what it can effectively do. Such findings are one level below the same
permissions granted directly, and of medium confidence: they are gained only by
putting the other identity to work. A hop onto admin or an escalation capability is
DG104.

## Why it matters

Privilege accumulates one small pull request at a time. Each step looks harmless in
review, but an inference service that started read-only ends up able to write model
artifacts, pass roles or read secrets. Growth that is intended should be visible and
approved; growth that is not should never merge.

## Example

```hcl
data "aws_iam_policy_document" "llm" {
  statement {
    actions   = ["s3:GetObject", "s3:PutObject"]   # s3:PutObject is new
    resources = ["arn:aws:s3:::models-prod/*"]
  }
}
```

## Fix

Grant only what the workload needs. If the growth is intended, say why in the pull
request and suppress the finding with a reason (`# driftgate:ignore[DG101] reason`).

## References

- OWASP Non-Human Identities Top 10: NHI5 Overprivileged NHI
- AWS IAM: grant least privilege
"""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.checks.delta import delta_drafts, hop_drafts, wide_drafts

META = CheckMeta(
    id="DG101",
    slug="privilege-growth",
    title="An identity may do something at head that it could not at base",
    severity=Severity.MEDIUM,
    owasp=("NHI5",),
    rationale=(
        "Privilege grows one small change at a time; each grant an identity gains should "
        "be seen and approved before merge."
    ),
    fix="Grant only what the workload needs, or suppress with the reason the growth is intended.",
    kind="delta",
    doc=__doc__ or "",
    by_level=True,
)


def run(ctx: CheckContext) -> Iterator[Draft]:
    yield from delta_drafts(ctx, "growth")
    # What an identity can now act as (a role it may pass and put to work) adds that
    # identity's permissions to what it can effectively do.
    yield from hop_drafts(ctx)
    yield from wide_drafts(ctx)


CHECK = Check(META, run)
