"""What the state checks DG301, DG303, DG401, DG402, DG403 and DG405 share.

Which identities and workloads serve inference, and how a finding names them. What an
identity effectively holds is :class:`driftgate.analyzer.permissions.effective.Effective`.
"""

from __future__ import annotations

from collections.abc import Iterable

from driftgate.analyzer.model import (
    PLAINTEXT,
    Credential,
    Grant,
    Identity,
    Location,
    Model,
    Workload,
)
from driftgate.checks.common import principal_text


def inference_users(model: Model) -> dict[str, list[Workload]]:
    """Identity address → the inference workloads that run as it, directly or through
    federation, sorted by address."""
    users: dict[str, list[Workload]] = {}
    for workload in sorted(model.workloads.values(), key=lambda w: w.address):
        if not workload.inference:
            continue
        for address in model.effective_identities(workload):
            users.setdefault(address, []).append(workload)
    return users


def consumers(model: Model, credential: Credential) -> list[Workload]:
    """Workloads that are handed ``credential`` (env var, mounted secret, secret ref).

    A literal value (``<secret>#plaintext``) is consumed by whoever consumes the secret
    it is the value of.
    """
    addresses = {credential.address, credential.address.removesuffix(PLAINTEXT)}
    return sorted(
        (w for w in model.workloads.values() if addresses.intersection(w.credentials)),
        key=lambda w: w.address,
    )


def workload_text(workloads: Iterable[Workload], limit: int = 3) -> str:
    """``k8s:ml/Deployment/llm (vLLM image), …`` — with the reason a workload is inference."""
    items = list(workloads)
    shown = [
        f"{w.address} ({w.inference_reason})" if w.inference and w.inference_reason else w.address
        for w in items[:limit]
    ]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(shown) + more


def identity_text(identity: Identity) -> str:
    """``role llm [envs/prod:aws_iam_role.llm, principal ${aws_iam_role.llm.arn}]``."""
    details = [identity.address]
    principal = principal_text(identity)
    if principal and principal != identity.address:
        details.append(f"principal {principal}")
    return f"{identity.kind} {identity.name} [{', '.join(details)}]"


def env_text(environment: str | None) -> str:
    return f" in {environment}" if environment else " (environment unknown)"


def added_location(base: Model | None, identity: str, grants: list[Grant]) -> Location | None:
    """Where a state finding on ``grants`` points: the first grant the change adds (its
    binding, when the binding is what is new), else the first grant.

    GitHub shows a pull-request alert only on lines of the diff.
    """
    before = set() if base is None else {(g.via, g.permissions) for g in base.grants_of(identity)}
    before_via = {via for via, _ in before}
    new = [g for g in grants if (g.via, g.permissions) not in before]
    if not new:
        return grants[0].location if grants else None
    grant = new[0]
    if grant.binding is not None and grant.via not in before_via:
        return grant.binding
    return grant.location
