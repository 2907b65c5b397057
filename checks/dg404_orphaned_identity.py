"""DG404 orphaned-identity.

## What it finds

A change that removes a workload — present at base, gone at head — but leaves behind
what it ran as or consumed, now used by no workload:

- its identity, still declared (a ServiceAccount, an IAM role, a GCP service account, a
  managed identity), together with the grants, trusts and credentials it still holds;
- the bindings of an identity whose declaration went with it (a RoleBinding naming a
  deleted ServiceAccount, a `google_project_iam_member` naming a deleted service
  account by e-mail), or the keys and passwords issued for it;
- a secret the workload alone consumed (a Secrets Manager secret, a Key Vault secret).

Identities reached through federation are followed: removing a Deployment whose
ServiceAccount is annotated with an IRSA role leaves both the ServiceAccount and the
role behind. Default identities (the Kubernetes `default` ServiceAccount, the Compute
Engine default service account) are not reported: they exist whether or not anything
uses them.

## Why it matters

An identity nobody uses is an identity nobody watches. Its permissions, trust
relationships and keys stay valid after the workload that justified them is gone, no
owner notices when they are used, and nobody remembers why they exist by the time the
next audit asks. Removing the workload is the moment its identity can be removed with
full knowledge of what it was for.

## Example

```diff
-apiVersion: apps/v1
-kind: Deployment
-metadata:
-  name: summarizer
-  namespace: ml-prod
-spec:
-  template:
-    spec:
-      serviceAccountName: summarizer
```

The `summarizer` ServiceAccount, its IRSA role and its RoleBinding stay in the
repository, and the role may still read the production model bucket.

## Fix

Remove the identity, its role bindings and policies, and its keys and secrets in the same
change that removes the workload — or, if another workload is about to adopt them, say so
and point that workload at them in the same change.

## References

- OWASP Non-Human Identities Top 10: NHI1 Improper Offboarding
"""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.analyzer.model import Credential, Identity, Location, Model, Workload
from driftgate.analyzer.providers import spec
from driftgate.checks.common import credential_kind_name, principal_text

META = CheckMeta(
    id="DG404",
    slug="orphaned-identity",
    title="The change removes a workload but leaves its identity or credentials behind",
    severity=Severity.MEDIUM,
    owasp=("NHI1",),
    rationale=(
        "An identity nobody uses is an identity nobody watches: its permissions and keys "
        "stay valid after the workload that justified them is gone."
    ),
    fix=(
        "Remove the identity, its bindings and its credentials in the change that removes "
        "the workload."
    ),
    kind="delta",
    doc=__doc__ or "",
)

# Credentials that let someone act as the identity for as long as they are not revoked.
_STANDING = frozenset(
    {"access_key", "sa_key", "client_secret", "certificate", "token", "legacy_sa_token"}
)


def run(ctx: CheckContext) -> Iterator[Draft]:
    base, head = ctx.base, ctx.head
    if base is None:
        return
    removed = sorted(
        (w for address, w in base.workloads.items() if address not in head.workloads),
        key=lambda w: w.address,
    )
    if not removed:
        return
    used = {a for w in head.workloads.values() for a in head.effective_identities(w)}
    consumed = {c for w in head.workloads.values() for c in w.credentials}
    orphans: dict[str, list[Workload]] = {}
    secrets: dict[str, list[Workload]] = {}
    for workload in removed:
        for address in base.effective_identities(workload):
            identity = head.identities.get(address)
            if (
                identity is None
                or address in used
                or spec(identity.provider).is_default_identity(identity)
            ):
                continue
            orphans.setdefault(address, []).append(workload)
        for address in workload.credentials:
            if address in head.credentials and address not in consumed:
                secrets.setdefault(address, []).append(workload)
    for address, workloads in sorted(orphans.items()):
        draft = _identity_draft(head, head.identities[address], workloads)
        if draft is not None:
            yield draft
    for address, workloads in sorted(secrets.items()):
        credential = head.credentials[address]
        if credential.identity is not None and credential.identity in orphans:
            continue  # named in the identity's finding
        yield _credential_draft(credential, workloads)


def _kind(credential: Credential) -> str:
    return credential_kind_name(credential)


def _and(items: list[str]) -> str:
    """``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _removed(workloads: list[Workload], clause: str) -> str:
    """``A (prod), which ran as it, was removed``."""
    names = [f"{w.address}{f' ({w.environment})' if w.environment else ''}" for w in workloads]
    verb = "was" if len(names) == 1 else "were"
    return f"{', '.join(names)}, {clause}, {verb} removed"


def _identity_draft(model: Model, identity: Identity, workloads: list[Workload]) -> Draft | None:
    grants = [g for g in model.grants_of(identity.address) if g.effect == "allow"]
    credentials = sorted(
        (c for c in model.credentials.values() if c.identity == identity.address),
        key=lambda c: c.address,
    )
    trusts = [t for t in model.trusts if t.identity == identity.address]
    if not identity.declared and not grants and not credentials:
        return None  # nothing of it is left in the repository
    left: list[str] = []
    if identity.federates_to:
        left.append(f"federation to {', '.join(identity.federates_to)}")
    if grants:
        vias = list(dict.fromkeys(g.via for g in grants))
        shown = ", ".join(vias[:3]) + (f" and {len(vias) - 3} more" if len(vias) > 3 else "")
        left.append(f"{len(grants)} grant{'s' if len(grants) != 1 else ''} ({shown})")
    if trusts:
        left.append(f"{len(trusts)} trust relationship{'s' if len(trusts) != 1 else ''}")
    if credentials:
        left.append(_and([f"{_kind(c)} {c.address}" for c in credentials]))
    standing = any(c.kind in _STANDING for c in credentials)
    if standing:
        severity = Severity.HIGH
    elif grants or identity.federates_to:
        severity = Severity.MEDIUM
    else:
        severity = Severity.LOW
    principal = principal_text(identity) or identity.address
    env = f" in {identity.environment}" if identity.environment else ""
    if identity.declared:
        what = "its declaration remains"
    else:
        parts = ["the bindings naming it"] if grants else []
        parts += ["the credentials issued for it"] if credentials else []
        what = f"{' and '.join(parts)} remain"
    holding = f" with {_and(left)}" if left else ""
    message = (
        f"{identity.kind} {identity.name} [{identity.address}] ({principal}){env} is left "
        f"behind: {_removed(workloads, 'which ran as it')}, but {what}{holding}, and "
        "no workload uses it any more, so its access stays valid with nobody watching it."
    )
    related: list[Location] = []
    for grant in grants:
        where = grant.binding or grant.location
        if where is not None and where not in related:
            related.append(where)
    related += [c.location for c in credentials if c.location and c.location not in related]
    location = identity.location
    if location is None and related:
        location = related.pop(0)
    return Draft(
        identity=identity.address,
        message=message,
        subject="orphaned",
        location=location,
        related=tuple(related),
        severity=severity,
        environment=identity.environment or workloads[0].environment,
        workloads=tuple(w.address for w in workloads),
        before=", ".join(w.address for w in workloads),
        after=None,
    )


def _credential_draft(credential: Credential, workloads: list[Workload]) -> Draft:
    env = f" in {credential.environment}" if credential.environment else ""
    kind = _kind(credential)
    holder = f", which authenticates {credential.identity}," if credential.identity else ""
    only = f"the only {'workload' if len(workloads) == 1 else 'workloads'} reading it"
    message = (
        f"{kind} {credential.address}{env}{holder} is left behind: {_removed(workloads, only)}, "
        "but the secret remains, so its value stays valid with nobody reading or rotating it."
    )
    return Draft(
        identity=credential.identity or credential.address,
        message=message,
        subject=credential.address,
        location=credential.location,
        severity=Severity.HIGH if credential.kind in _STANDING else Severity.MEDIUM,
        environment=credential.environment or workloads[0].environment,
        workloads=tuple(w.address for w in workloads),
        before=", ".join(w.address for w in workloads),
        after=None,
    )


CHECK = Check(META, run)
