"""How a finding's workloads reach its identity, for reports that draw it.

A workload runs as an identity (a ServiceAccount, an instance profile's role) and that
identity may federate into another (IRSA, GKE or Azure workload identity). A finding
about the second names the workload; the picture in the markdown report needs the steps
between, with each node's environment, so that "a prod workload federates into the
staging role" is drawn across two environment boxes rather than read in a sentence.
Computed where the model is at hand, so that reports (and cached findings) need none.
"""

from __future__ import annotations

from collections.abc import Sequence

from driftgate.analyzer.engine.findings import ChainNode
from driftgate.analyzer.model import Identity, Model, Workload

# Steps followed from a workload at most: federation chains are one or two links long.
MAX_STEPS = 4


def identity_node(model: Model, address: str) -> ChainNode:
    identity = model.identities.get(address)
    if identity is None:
        return ChainNode(address, address, None, "identity")
    return ChainNode(address, _identity_label(identity), identity.environment, "identity")


def chains(
    model: Model, identity: str, workloads: Sequence[str]
) -> tuple[tuple[ChainNode, ...], ...]:
    """One chain per workload that reaches ``identity``: workload, the identities it
    passes through, then ``identity``; the identity alone when no workload is named."""
    target = identity_node(model, identity)
    found: list[tuple[ChainNode, ...]] = []
    for address in workloads:
        workload = model.workloads.get(address)
        if workload is None:
            continue
        steps = _route(model, workload, identity)
        if steps is None:
            continue
        start = ChainNode(address, _workload_label(workload), workload.environment, "workload")
        found.append((start, *(identity_node(model, a) for a in steps[:-1]), target))
    return tuple(found) or ((target,),)


def _route(model: Model, workload: Workload, identity: str) -> list[str] | None:
    """The identities from the workload's own to ``identity`` (shortest), or None."""
    frontier: list[list[str]] = [[a] for a in workload.identities]
    seen: set[str] = set()
    for _ in range(MAX_STEPS):
        following: list[list[str]] = []
        for route in frontier:
            last = route[-1]
            if last == identity:
                return route
            if last in seen:
                continue
            seen.add(last)
            known = model.identities.get(last)
            if known is not None:
                following.extend([*route, nxt] for nxt in known.federates_to)
        frontier = following
    return None


def _identity_label(identity: Identity) -> str:
    return f"{identity.kind} {identity.name}"


def _workload_label(workload: Workload) -> str:
    where = f"{workload.namespace}/" if workload.namespace else ""
    return f"{workload.kind} {where}{workload.name}"
