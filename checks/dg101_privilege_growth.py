"""DG101 privilege-growth.

## What it finds

An identity that existed at the base of the change may do something at head that it
could not do before: a new action, or an action on a new resource, granted by a policy
statement, an attached policy, or an RBAC rule reached through a binding.

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

from analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from analyzer.model import Grant, Permission
from analyzer.permissions.levels import LEVEL_ORDER, Level, level
from checks.common import who, workloads_of

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
)

_SEVERITY: dict[Level, Severity] = {
    "read": Severity.LOW,
    "write": Severity.MEDIUM,
    "unknown": Severity.MEDIUM,
    "admin": Severity.HIGH,
    "escalation": Severity.HIGH,
}
_WHY: dict[Level, str] = {
    "read": "it can now read what it could not before",
    "write": "it can now create, change or delete what it could only read or not reach before",
    "admin": "it can now change permissions or the platform itself",
    "escalation": "it can now grant itself more privilege",
    "unknown": "driftgate cannot tell how much this permission is worth",
}


def describe(permissions: tuple[Permission, ...] | list[Permission]) -> str:
    """``s3:GetObject, s3:PutObject on arn:...`` grouped by resource and scope."""
    by_target: dict[str, list[str]] = {}
    for p in permissions:
        target = p.resource + (f" in namespace {p.scope}" if p.scope not in ("", "*") else "")
        if p.scope == "*" and "/" in p.resource:
            target += " cluster-wide"
        actions = by_target.setdefault(target, [])
        if p.action not in actions:
            actions.append(p.action)
    return "; ".join(f"{', '.join(a)} on {t}" for t, a in by_target.items())


def _before(grants: tuple[Grant, ...]) -> str:
    permissions = [p for g in grants if g.effect == "allow" for p in g.permissions]
    return describe(permissions) if permissions else "nothing"


def run(ctx: CheckContext) -> Iterator[Draft]:
    # One finding per grant that adds permissions (DESIGN.md §5), as severe as the most
    # valuable permission it adds; the later checks DG102-DG104 take their classes out.
    for delta in ctx.grant_deltas():
        identity = delta.identity
        worst = max((level(p, identity.provider) for p in delta.added), key=LEVEL_ORDER.__getitem__)
        unknown = (
            f" (part of it is not known statically: {', '.join(delta.grant.unknown)})"
            if delta.grant.unknown
            else ""
        )
        message = (
            f"{who(identity, ctx.head)} gains {describe(delta.added)} "
            f"via {delta.grant.via}{unknown}: {_WHY[worst]}."
        )
        subject = "|".join(sorted(f"{p.action}@{p.resource}@{p.scope}" for p in delta.added))
        yield Draft(
            identity=identity.address,
            message=message,
            subject=subject,
            location=delta.location,
            related=delta.related,
            severity=_SEVERITY[worst],
            environment=identity.environment,
            workloads=tuple(w.address for w in workloads_of(identity, ctx.head)),
            before=_before(delta.before),
            after=describe(delta.added),
        )


CHECK = Check(META, run)
