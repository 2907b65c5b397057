"""DG106 promotion-drift.

## What it finds

A workload newly deployed to an environment — no workload like it ran there before the
change — whose identities there may do more than the same workload's identities in the
environment it came from. Workloads are alike when they have the same kind, name and
namespace once environment tokens are replaced (`Deployment ml-prod/llm` ~ `Deployment
ml-staging/llm`, `llm-prod` ~ `llm-staging`); permissions are compared through federation
(IRSA, GKE and Azure workload identity) and after the same replacement in resources
(`arn:aws:s3:::models-prod/*` ~ `arn:aws:s3:::models-staging/*`).

## Why it matters

Promotion is supposed to move the thing that was reviewed and tested. When production's
copy of a model server quietly runs with write or admin rights that its staging copy never
had, nobody exercised those rights before they reached the environment that matters most,
and the difference hides in a new environment root or overlay that reviewers read as
"the same as staging".

## Example

```hcl
# envs/staging/terraform.tfvars
model_actions = ["s3:GetObject"]

# envs/prod/terraform.tfvars (added by the change)
model_actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
```

The prod SageMaker endpoint runs as a role that may write and delete model artifacts;
the staging endpoint it was promoted from could only read them.

## Fix

Promote the identity together with the workload: give the new environment the same
grants as the one the workload came from (the same module inputs, the same overlay), and
widen both deliberately, in their own change, if the workload really needs more.

## References

- OWASP Non-Human Identities Top 10: NHI8 Environment Isolation
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from driftgate.analyzer.checkapi import (
    LEVEL_SEVERITY,
    Check,
    CheckContext,
    CheckMeta,
    Draft,
    Severity,
)
from driftgate.analyzer.diff import ExtraPermission, ExtraPolicy, Promotion
from driftgate.analyzer.model import Identity
from driftgate.analyzer.providers import LEVEL_ORDER, Level, grant_level, level
from driftgate.checks.common import principal_text
from driftgate.checks.delta import describe, unresolved_policies

META = CheckMeta(
    id="DG106",
    slug="promotion-drift",
    title=(
        "A workload newly deployed to an environment runs with more privilege there than "
        "in the environment it came from"
    ),
    severity=Severity.MEDIUM,
    owasp=("NHI8",),
    rationale=(
        "Promotion should move what was reviewed and tested: permissions a workload gains "
        "only on its way to a new environment were never exercised before they got there."
    ),
    fix=(
        "Give the new environment the same grants as the one the workload came from, and "
        "widen both deliberately if it needs more."
    ),
    kind="delta",
    doc=__doc__ or "",
    by_level=True,
)


def _named(identity: Identity) -> str:
    principal = principal_text(identity)
    shown = f" ({principal})" if principal and principal != identity.name else ""
    return f"{identity.kind} {identity.name} [{identity.address}]{shown}"


def _source_side(promotion: Promotion, providers: Sequence[str]) -> str:
    """Who the source workload runs as, for the providers the extra permissions are in."""
    names = [_named(i) for i in promotion.source_identities_of(providers)]
    if not names:
        return f"no {' or '.join(providers)} identity"
    return " and ".join(names)


def _level(extra: ExtraPermission | ExtraPolicy) -> Level:
    if isinstance(extra, ExtraPolicy):
        return grant_level(extra.grant, extra.identity.provider)
    return level(extra.permission, extra.identity.provider)


def _describe(extra: Sequence[ExtraPermission | ExtraPolicy]) -> str:
    shown = [e.shown for e in extra if isinstance(e, ExtraPermission)]
    named = unresolved_policies(e.grant for e in extra if isinstance(e, ExtraPolicy))
    return describe(shown, named)


def _draft(promotion: Promotion) -> Draft:
    extra: list[ExtraPermission | ExtraPolicy] = [*promotion.extra, *promotion.policies]
    worst = max(extra, key=lambda e: LEVEL_ORDER[_level(e)])
    by_identity: dict[str, list[ExtraPermission | ExtraPolicy]] = {}
    for e in extra:
        by_identity.setdefault(e.identity.address, []).append(e)
    holders = [entries[0].identity for entries in by_identity.values()]
    providers = list(dict.fromkeys(i.provider for i in holders))
    env, src_env = promotion.environment, promotion.source_environment
    workload, source = promotion.workload, promotion.source
    may = " and as ".join(
        f"{_named(entries[0].identity)} which may {_describe(entries)}"
        for entries in by_identity.values()
    )
    unresolved = sorted({u for e in extra for u in e.grant.unknown})
    notes = ""
    if unresolved:
        notes += f" (cannot resolve {', '.join(unresolved)}: it may hold more)"
    if promotion.undecided:
        notes += (
            f" (not compared: the grants of {', '.join(promotion.undecided)} are declared "
            "nowhere driftgate reads)"
        )
    message = (
        f"in {env}, {workload.address} runs as {may} — in {src_env} it could not "
        f"({source.address} runs as {_source_side(promotion, providers)}){notes}: "
        f"promoted from {src_env} to {env}, it holds more than it was tested with."
    )
    return Draft(
        identity=holders[0].address,
        message=message,
        subject=f"{workload.address}@{src_env}",
        location=workload.location,
        related=(source.location,) if source.location is not None else (),
        severity=LEVEL_SEVERITY[_level(worst)],
        environment=env,
        workloads=(workload.address, source.address),
        before=f"{src_env}: {_source_side(promotion, providers)}",
        after=_describe(extra),
        added=tuple(e.shown for e in extra if isinstance(e, ExtraPermission)),
    )


def run(ctx: CheckContext) -> Iterator[Draft]:
    for promotion in ctx.promotions():
        if promotion.extra or promotion.policies:
            yield _draft(promotion)


CHECK = Check(META, run)
