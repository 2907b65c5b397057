"""What the privilege-delta checks (DG101-DG104) share: one draft per classified delta."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from driftgate.analyzer.checkapi import (
    LEVEL_SEVERITY,
    CheckContext,
    Draft,
    Severity,
    target_text,
)
from driftgate.analyzer.diff import DeltaKind, GrantDelta
from driftgate.analyzer.escalation import Hop
from driftgate.analyzer.model import Grant, Permission
from driftgate.analyzer.providers import LEVEL_ORDER, Level, grant_level, level, spec
from driftgate.checks.common import details, lead, listed, workloads_of

WHY: dict[Level, str] = {
    "read": "it can now read what it could not before",
    "write": "it can now create, change or delete what it could only read or not reach before",
    "admin": "it can now change permissions or the platform itself",
    "escalation": "it can now grant itself more privilege",
    "unknown": "driftgate cannot tell how much this permission is worth",
}


# Targets a message lists; a policy may name tens of thousands of ARNs.
MAX_TARGETS = 20


def describe(
    permissions: tuple[Permission, ...] | list[Permission], policies: Iterable[str] = ()
) -> str:
    """``s3:GetObject, s3:PutObject on arn:...`` grouped by resource and scope; the
    first :data:`MAX_TARGETS` targets, then how many more; then the managed policies known
    only by name."""
    by_target: dict[str, list[str]] = {}
    for p in permissions:
        actions = by_target.setdefault(target_text(p), [])
        if p.action not in actions:
            actions.append(p.action)
    listed = list(by_target.items())
    text = "; ".join(f"{', '.join(a)} on {t}" for t, a in listed[:MAX_TARGETS])
    if len(listed) > MAX_TARGETS:
        text += f"; and {len(listed) - MAX_TARGETS} more resources"
    named = [f"managed policy {p}" for p in dict.fromkeys(policies)]
    return "; ".join([text, *named] if text else named)


def before_text(grants: tuple[Grant, ...]) -> str:
    allows = [g for g in grants if g.effect == "allow"]
    permissions = [p for g in allows for p in g.permissions]
    text = describe(permissions, unresolved_policies(allows))
    return text or "nothing"


def unresolved_policies(grants: Iterable[Grant]) -> list[str]:
    """The managed policies known only by name among ``grants``."""
    return [g.policy for g in grants if g.unresolved and g.policy is not None]


def delta_drafts(
    ctx: CheckContext, kind: DeltaKind, floor: Severity | None = None
) -> Iterator[Draft]:
    """One draft per delta of ``kind``, as severe as its most valuable permission.

    ``floor`` raises the severity to at least that level (a removed guardrail is never
    merely low, whatever it guarded).
    """
    for delta in ctx.grant_deltas():
        if delta.kind != kind:
            continue
        identity = delta.identity
        policies = unresolved_policies([delta.grant])
        levels = [level(p, identity.provider) for p in delta.added]
        if policies:
            levels.append(grant_level(delta.grant, identity.provider))
        worst = max(levels, key=LEVEL_ORDER.__getitem__)
        severity = LEVEL_SEVERITY[worst]
        if floor is not None and severity.rank < floor.rank:
            severity = floor
        unknown = (
            f" (cannot resolve {', '.join(delta.grant.unknown)}: the change may be larger)"
            if delta.grant.unknown
            else ""
        )
        because = f" — {delta.reason}" if delta.reason else ""
        # A policy keeps the subject it had as a pseudo-permission: fingerprints survive.
        subject = "|".join(
            sorted(
                [f"{p.action}@{p.resource}@{p.scope}" for p in delta.added]
                + [f"policy {name}@*@" for name in policies]
            )
        )
        gained = describe(delta.added, policies)
        before_permissions = [p for g in delta.before if g.effect == "allow" for p in g.permissions]
        detail = spec(identity.provider).gain_detail(delta.added, before_permissions)
        if detail:
            gained = f"{gained} ({detail})"
        name = f"{identity.kind} {identity.name}"
        context = details(identity, ctx.head)
        if delta.workload is not None:
            w = delta.workload
            env = f" in {w.environment}" if w.environment else ""
            first = lead(f"{w.address}{env} now runs as {name} and so", "gains", gained)
            message = f"{first}. Via {delta.grant.via}{unknown}: {WHY[worst]} ({context})."
            subject = f"{w.address}|{subject}"
        else:
            first = lead(name, "gains", gained)
            message = f"{first}. Via {delta.grant.via}{because}{unknown}: {WHY[worst]} ({context})."
        if first.endswith("…"):
            message += f" It gains {gained}."
        yield Draft(
            identity=identity.address,
            message=message,
            subject=subject,
            location=delta.location,
            related=delta.related,
            severity=severity,
            environment=identity.environment,
            workloads=tuple(w.address for w in workloads_of(identity, ctx.head)),
            before=before_text(delta.before),
            after=gained,
            added=delta.added,
            # A broadened scope wrote a resource; anything else, an action.
            focus=(
                *(
                    p.resource if kind == "scope" else p.action.removeprefix("NOT ")
                    for p in delta.added
                ),
                # An AWS managed policy attached: its name is what the change wrote.
                *((delta.grant.policy.rsplit("/", 1)[-1],) if delta.grant.policy else ()),
            ),
            # Worth unknown (an action or a role driftgate cannot resolve, one its
            # catalog lacks), or an identity no file declares that is unresolved or was
            # not named at base: growth is not certain.
            # Or a value driftgate can no longer resolve where base held the same actions
            # (a literal replaced by a lookup): changed, not certainly grown.
            confidence="low"
            if worst == "unknown" or not delta.certain or _became_unknown(delta)
            else "high",
        )


def _became_unknown(delta: GrantDelta) -> bool:
    if not delta.grant.unknown or not delta.added:
        return False
    held = {p.action for g in delta.before if g.effect == "allow" for p in g.permissions}
    return all(p.action in held for p in delta.added)


def hop_drafts(ctx: CheckContext) -> Iterator[Draft]:
    """One draft per new step onto identities that hold no more than ordinary
    permissions: the source can now act as them, so it gains what they hold. One rule
    that reaches several (iam:PassRole on * with ec2:RunInstances) is one draft."""
    if ctx.base is None:
        return
    groups: dict[tuple[object, ...], list[Hop]] = {}
    for hop in ctx.escalations().hops:
        e = hop.edge
        groups.setdefault((e.source, e.kind, e.location, e.actions), []).append(hop)
    for hops in groups.values():
        hops.sort(key=lambda h: h.edge.target)
        edge = hops[0].edge
        source = ctx.head.identities[edge.source]
        targets = [ctx.head.identities[h.edge.target] for h in hops]
        added = tuple(dict.fromkeys(p for h in hops for p in h.gained))
        worst = max((level(p, source.provider) for p in added), key=LEVEL_ORDER.__getitem__)
        gained = describe(added)
        name = f"{source.kind} {source.name}"
        whom = f"{targets[0].kind} {targets[0].name}"
        if len(targets) > 1:
            whom += f" (and {listed([t.name for t in targets[1:]])})"
        # The subject keeps half the lead: the target's name goes with it, the gain last.
        first = lead(name, "can now act as", f"{whom} and so gains {gained}")
        message = f"{first}. It {edge.how}: {WHY[worst]} ({details(source, ctx.head)})."
        if first.endswith("…"):
            message += f" It gains {gained}."
        subject = f"acts as {targets[0].address}"
        if len(targets) > 1:
            subject = f"acts as others by {edge.kind} {'/'.join(edge.actions)}"
        yield Draft(
            identity=source.address,
            message=message,
            subject=subject,
            location=edge.location,
            related=tuple(dict.fromkeys(r for h in hops for r in h.edge.related)),
            # One level below the same permissions granted to it: they are reached only
            # by putting the other identity to work (a function created with the role).
            severity=LEVEL_SEVERITY[worst].lowered(),
            environment=source.environment,
            workloads=tuple(w.address for w in workloads_of(source, ctx.head)),
            after=gained,
            added=added,
            # Potential: it gains them when it uses the hop (creates the function).
            confidence="medium",
            focus=edge.actions,
        )


def wide_drafts(ctx: CheckContext) -> Iterator[Draft]:
    """A new rule that reaches more identities than are followed one by one: what it
    gains is theirs, unknown here, so said as such (never a silent pass)."""
    if ctx.base is None:
        return
    for edge in ctx.escalations().wide:
        source = ctx.head.identities[edge.source]
        name = f"{source.kind} {source.name}"
        service = edge.target.removeprefix("*")
        first = lead(name, "can now act as", f"any of the roles it may pass to {service}")
        message = (
            f"{first}. It {edge.how}; they were not followed one by one, so what it gains"
            f" through them is not listed: {WHY['unknown']} ({details(source, ctx.head)})."
        )
        yield Draft(
            identity=source.address,
            message=message,
            subject=f"acts as {edge.target}",
            location=edge.location,
            related=edge.related,
            severity=LEVEL_SEVERITY["unknown"],
            environment=source.environment,
            workloads=tuple(w.address for w in workloads_of(source, ctx.head)),
            confidence="low",
            focus=edge.actions,
        )
