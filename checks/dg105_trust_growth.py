"""DG105 trust-growth.

## What it finds

More principals may assume, impersonate or federate into an identity that existed
before the change:

- a new principal in an AWS role's trust policy (another account's role, an account
  root, an IAM user, an SSO role, a service, an OIDC provider), or a principal widened
  (`arn:aws:iam::111122223333:role/ci` → `arn:aws:iam::111122223333:root` or `*`);
- an OIDC `sub` / `aud` condition widened (`repo:org/app:ref:refs/heads/main` →
  `repo:org/*`) or removed — compared by wildcard subsumption, so a narrowing is silent;
- a new member with Service Account User, Token Creator or Workload Identity User on
  a GCP service account;
- a new federated credential subject on an Azure identity or application;
- a new ServiceAccount, subject or principal bound to a Vault auth role.

Trusts are compared per identity, over all its trust statements: a statement moved,
merged, reordered or reformatted is not growth.

## Why it matters

Whoever may assume an identity holds all of its permissions. A trust widened from one
repository's `main` branch to every repository of the organisation lets any workflow
in any of them — a fork's pull request, a test job — act as the production inference
role; a person added to a service account's token creators can act as the service
without the controls that apply to people.

## Example

```hcl
condition {
  test     = "StringLike"                                       # was StringEquals
  variable = "token.actions.githubusercontent.com:sub"
  values   = ["repo:acme/*"]                     # was repo:acme/llm:ref:refs/heads/main
}
```

## Fix

Trust the exact principal that needs the identity: one role ARN rather than an account
root, one repository and branch or environment in the `sub` condition, a service
account rather than a person. Give people their own roles and audit their use.

## References

- OWASP Non-Human Identities Top 10: NHI4 Insecure Authentication
- GitHub: Configuring OpenID Connect in Amazon Web Services (the `sub` condition)
- Google Cloud: Service account impersonation
"""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.analyzer.diff import TrustDelta
from driftgate.analyzer.providers import spec
from driftgate.checks.common import who, workloads_of

META = CheckMeta(
    id="DG105",
    slug="trust-growth",
    title="More principals may assume, impersonate or federate into an identity",
    severity=Severity.HIGH,
    owasp=("NHI4",),
    rationale=(
        "Whoever may assume an identity holds all of its permissions: a widened trust "
        "hands them to every principal it now lets in."
    ),
    fix=(
        "Trust the exact principal that needs the identity: one role, one repository and "
        "branch, one ServiceAccount; never a person or an account root."
    ),
    kind="delta",
    doc=__doc__ or "",
)

# How each provider's principals get in.


def _before(delta: TrustDelta) -> str:
    """Who base let in, and the base side of each loosened condition."""
    parts: list[str] = []
    if delta.added:
        principals = [p for t in delta.before for p in t.principals]
        parts.append(", ".join(dict.fromkeys(principals)) or "nobody")
    parts += [f"{c.key} {c.before}" for c in delta.loosened]
    return "; ".join(parts)


def _after(delta: TrustDelta) -> str:
    """What the head trust adds: the principals, and the head side of each condition."""
    parts = [f"{g.principal} ({g.action})" if g.action else g.principal for g in delta.added]
    parts += [f"{c.key} {c.after if c.after is not None else '(removed)'}" for c in delta.loosened]
    return "; ".join(parts)


def _subject(delta: TrustDelta) -> str:
    """What grew, without line numbers: the principals and condition keys concerned."""
    parts = [f"principal:{g.principal}:{g.action or ''}" for g in delta.added]
    if delta.loosened:
        whom = ",".join(sorted(delta.trust.principals))
        parts += [f"condition:{c.key.lower()}:{c.after or ''}@{whom}" for c in delta.loosened]
    return "|".join(sorted(parts))


def run(ctx: CheckContext) -> Iterator[Draft]:
    for delta in ctx.trust_deltas():
        identity = delta.identity
        provider = spec(identity.provider)
        verb = provider.trust_verb(delta.trust)
        principal = identity.principal
        named = (
            f" [{principal}]" if isinstance(principal, str) and principal != identity.name else ""
        )
        humans = delta.humans
        if humans:
            why = (
                f"{', '.join(humans)} can now act as this non-human identity with all of its "
                "permissions, outside the controls that apply to people and workloads"
            )
            severity = Severity.CRITICAL
        else:
            why = f"whoever the change lets in can {verb} it and use all of its permissions"
            severity = META.severity
        via = delta.trust.via
        if provider.trust_names_actions and delta.trust.actions:
            via += f" ({', '.join(delta.trust.actions)})"
        message = (
            f"{who(identity, ctx.head)}{named}: more principals may {verb} it via {via} — "
            f"{delta.reason}; {why}."
        )
        # The identity itself, when the trust is declared elsewhere (a binding, a credential).
        where = identity.location
        related = (where,) if where is not None and where != delta.location else ()
        yield Draft(
            identity=identity.address,
            message=message,
            subject=_subject(delta),
            location=delta.location,
            related=related,
            severity=severity,
            environment=identity.environment,
            workloads=tuple(w.address for w in workloads_of(identity, ctx.head)),
            before=_before(delta),
            after=_after(delta),
        )


CHECK = Check(META, run)
