"""DG302 long-ttl.

## What it finds

A token, session, secret or password that lives longer than the configured threshold:
projected ServiceAccount tokens (`expirationSeconds`) and Vault token TTLs against
`max_token_ttl` (default 1h); role sessions against `max_session_duration` (default
1h); passwords, client secrets, keys and rotation periods with an expiry against
`max_credential_age` (default 90d). A credential without any expiry is DG301's concern,
not this check's.

## Why it matters

A leaked token is usable until it expires. Inference workloads are exposed: they run
third-party model servers, load untrusted artifacts and often serve the internet. A
one-year token turns a brief compromise into a year of access.

## Example

```yaml
volumes:
  - name: token
    projected:
      sources:
        - serviceAccountToken:
            path: token
            expirationSeconds: 31536000   # one year
```

## Fix

Use short-lived credentials: leave `expirationSeconds` at its default (3600) or lower,
and let the kubelet rotate the token.

## References

- OWASP Non-Human Identities Top 10: NHI7 Long-Lived Secrets
- Kubernetes: ServiceAccount token volume projection
"""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.analyzer.model import Credential
from driftgate.checks.common import human_duration

# What leaks, by credential kind, in the message's last words.
_LEAKED = {
    "session": "session",
    "token": "token",
    "projected_token": "token",
    "legacy_sa_token": "token",
    "access_key": "key",
    "sa_key": "key",
    "certificate": "certificate",
}

META = CheckMeta(
    id="DG302",
    slug="long-ttl",
    title="A token, session or secret lives longer than the threshold",
    severity=Severity.MEDIUM,
    owasp=("NHI7",),
    rationale="A leaked credential is usable until it expires; long lifetimes turn a brief "
    "compromise into lasting access.",
    fix="Shorten the lifetime to the threshold or below and rely on automatic rotation.",
    kind="state",
    doc=__doc__ or "",
)

_TOKENS = {"projected_token", "token"}
_NAMES = {
    "projected_token": "projected service-account token",
    "token": "token",
    "session": "role session",
}


def run(ctx: CheckContext) -> Iterator[Draft]:
    model = ctx.head
    t = ctx.thresholds
    for credential in sorted(model.credentials.values(), key=lambda c: c.address):
        if credential.ttl_seconds is None:
            continue
        if credential.kind in _TOKENS:
            limit, setting = t.max_token_ttl, "max_token_ttl"
        elif credential.kind == "session":
            limit, setting = t.max_session_duration, "max_session_duration"
        else:
            limit, setting = t.max_credential_age, "max_credential_age"
        if credential.ttl_seconds <= limit:
            continue
        users = _users(credential, ctx)
        identity = credential.identity or credential.address
        used = f" mounted by {', '.join(users)}" if users else ""
        kind = _NAMES.get(credential.kind, credential.kind.replace("_", " "))
        env = f" in {credential.environment}" if credential.environment else ""
        message = (
            f"{kind} for {identity}{env}{used} lives {human_duration(credential.ttl_seconds)} "
            f"({credential.ttl_seconds}s), over {setting} {human_duration(limit)}: "
            f"a leaked {_LEAKED.get(credential.kind, 'secret')} stays usable that long."
        )
        yield Draft(
            identity=identity,
            message=message,
            subject=credential.address,
            location=credential.location,
            environment=credential.environment,
            workloads=tuple(users),
            after=human_duration(credential.ttl_seconds),
        )


def _users(credential: Credential, ctx: CheckContext) -> list[str]:
    return sorted(
        w.address
        for w in ctx.head.workloads.values()
        if credential.address in w.credentials or credential.address.startswith(w.address + "/")
    )


CHECK = Check(META, run)
