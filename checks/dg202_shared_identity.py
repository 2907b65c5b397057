"""DG202 shared-identity.

## What it finds

One identity — a ServiceAccount, an IAM role, a GCP service account, an Azure managed
identity — that several distinct workloads in the same environment run as, directly or
through federation (two ServiceAccounts annotated with the same IRSA role share the
role). The workloads must choose the identity themselves: a SageMaker endpoint runs as
the execution roles of its models and is not a second user of them.

Not reported here: the same identity used in two or more environments (DG201
cross-env-identity-reuse), default identities, such as a namespace's `default`
ServiceAccount (even when a file declares it, to add an image pull secret) or the
Compute Engine default service account: every workload that names no identity runs as
it, so its users did not choose to share it, and DG203 default-identity reports the
inference workloads among them; and identities no file in the repository declares.

## Why it matters

An identity shared by several workloads holds the union of what each of them needs, so
each workload may do what any of them may do: compromising the least careful one — a
batch job, a model server loading third-party weights — yields the permissions of all.
Audit logs cannot tell the workloads apart, a permission granted for one silently reaches
the others, and the identity cannot be rotated or removed without touching all of them.

## Example

```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reranker
  namespace: ml-prod
spec:
  template:
    spec:
      serviceAccountName: embedder   # the embedder's identity, now also the reranker's
```

## Fix

Give each workload its own identity with only the permissions it needs (one
ServiceAccount and one role per workload, created by the same module), and point each
workload at its own.

## References

- OWASP Non-Human Identities Top 10: NHI9 NHI Reuse
"""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.analyzer.model import Identity, Location, Model, Workload
from driftgate.analyzer.providers import SPECS, spec
from driftgate.checks.common import principal_text

META = CheckMeta(
    id="DG202",
    slug="shared-identity",
    title="One identity is used by several distinct workloads",
    severity=Severity.MEDIUM,
    owasp=("NHI9",),
    rationale=(
        "A shared identity holds the union of what its workloads need, so a compromise of "
        "any of them yields the permissions of all, and audit logs cannot tell them apart."
    ),
    fix="Give each workload its own least-privileged identity and point it at that identity.",
    kind="state",
    doc=__doc__ or "",
)

# Workloads that run as identities other workloads choose (a SageMaker endpoint runs as
# its models' execution roles): they are not further users of those identities.
_INHERITS_IDENTITY = frozenset().union(*(s.identity_inheriting_workloads for s in SPECS.values()))


def run(ctx: CheckContext) -> Iterator[Draft]:
    model = ctx.head
    users = _users(model)
    for address, entries in sorted(users.items()):
        identity = model.identities.get(address)
        if identity is None or not identity.declared or _is_default(identity):
            continue
        groups = _shared_groups(entries)
        if not groups:
            continue
        # Users that all reach this identity through the same declared identity make that
        # identity the shared one: it is reported, this one follows from it.
        via = {entry for pairs in groups.values() for _, entry in pairs}
        only = next(iter(via))
        if len(via) == 1 and only != address and _reportable(model, users, only):
            continue
        yield _draft(ctx, identity, groups)


def _is_default(identity: Identity) -> bool:
    """Kubernetes samples that name no ServiceAccount all fall to one namespace's `default`
    (kserve: 63 unrelated samples on `default/default`): being its user is an omission,
    DG203's, not a choice to share an identity."""
    return spec(identity.provider).is_default_identity(identity)


def _users(model: Model) -> dict[str, list[tuple[Workload, str]]]:
    """Identity address → (workload, the workload's own identity that leads to it)."""
    users: dict[str, list[tuple[Workload, str]]] = {}
    for workload in model.workloads.values():
        if workload.kind in _INHERITS_IDENTITY:
            continue
        for entry in workload.identities:
            for address in _reached(model, entry):
                pairs = users.setdefault(address, [])
                if all(w.address != workload.address for w, _ in pairs):
                    pairs.append((workload, entry))
    return users


def _reached(model: Model, entry: str) -> list[str]:
    seen: list[str] = []
    todo = [entry]
    while todo:
        address = todo.pop(0)
        if address in seen:
            continue
        seen.append(address)
        identity = model.identities.get(address)
        if identity is not None:
            todo.extend(identity.federates_to)
    return seen


def _shared_groups(
    entries: list[tuple[Workload, str]],
) -> dict[str | None, list[tuple[Workload, str]]]:
    """Environment → its users, for the environments where two or more workloads use it."""
    by_env: dict[str | None, list[tuple[Workload, str]]] = {}
    for workload, entry in entries:
        by_env.setdefault(workload.environment, []).append((workload, entry))
    return {
        env: sorted(pairs, key=lambda p: p[0].address)
        for env, pairs in by_env.items()
        if len(pairs) >= 2
    }


def _reportable(model: Model, users: dict[str, list[tuple[Workload, str]]], address: str) -> bool:
    identity = model.identities.get(address)
    if identity is None or not identity.declared or _is_default(identity):
        return False
    return bool(_shared_groups(users.get(address, [])))


def _where(workload: Workload) -> Location | None:
    return workload.identity_location or workload.location


def _draft(
    ctx: CheckContext, identity: Identity, groups: dict[str | None, list[tuple[Workload, str]]]
) -> Draft:
    workloads = [w for pairs in groups.values() for w, _ in pairs]
    base_users: set[str] = set()
    if ctx.base is not None:
        base_users = {w.address for w in ctx.base.workloads_using(identity.address)}
    adopters = [w for w in workloads if w.address not in base_users] or workloads
    adopter = min(adopters, key=lambda w: w.address)
    principal = principal_text(identity) or identity.address
    per_env = "; ".join(
        f"{env or 'no named environment'}: {', '.join(w.address for w, _ in pairs)}"
        for env, pairs in sorted(groups.items(), key=lambda kv: kv[0] or "")
    )
    runs = "now runs" if ctx.base is not None and adopter.address not in base_users else "runs"
    env = f" in {adopter.environment}" if adopter.environment else ""
    message = (
        f"{identity.kind} {identity.name} [{identity.address}] ({principal}) is shared by "
        f"{len(workloads)} workloads in the same environment — {per_env}; "
        f"{adopter.address}{env} {runs} as it, so a compromise of any of them holds the "
        "permissions of all and audit logs cannot tell them apart."
    )
    related = [loc for w in workloads if w is not adopter and (loc := _where(w)) is not None]
    if identity.location is not None:
        related.append(identity.location)
    return Draft(
        identity=identity.address,
        message=message,
        subject=principal,
        location=_where(adopter),
        related=tuple(related),
        environment=adopter.environment,
        workloads=tuple(sorted(w.address for w in workloads)),
        after=", ".join(sorted(w.address for w in workloads)),
    )


CHECK = Check(META, run)
