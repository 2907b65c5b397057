"""The paths a change creates: at head, from a source to a target, and not at base.

A path is new when its source could not reach that target's prize at base, whatever
route: a second route to the same admin is not a new path. Its finding points at the
first hop base did not have; when every hop existed, at what made the target worth
reaching (it became admin). In state mode (no base) every path is new.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from driftgate.analyzer.escalation.build import graph_of
from driftgate.analyzer.escalation.graph import Edge, Graph, Path
from driftgate.analyzer.model import Identity, Model, Permission
from driftgate.analyzer.model.derived import per_model
from driftgate.analyzer.permissions.effective import Effective


@dataclass(frozen=True, slots=True)
class PathChange:
    path: Path
    # The first hop base did not have; None when all existed (the prize is new).
    first_new: Edge | None
    # What could not be followed from the source (a capability naming nothing declared).
    unresolved: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hop:
    """A new edge onto an identity that holds no prize: what the source gains by it is
    the target's permissions it lacks (growth, not escalation)."""

    edge: Edge
    gained: tuple[Permission, ...]


@dataclass(frozen=True, slots=True)
class PathReport:
    changes: list[PathChange]
    # By source: what could not be followed at head, in words.
    unresolved: dict[str, tuple[str, ...]]
    # New hops onto identities worth less than admin or an escalation capability.
    hops: list[Hop] = field(default_factory=list)
    # New steps onto more identities than were followed one by one.
    wide: list[Edge] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Before:
    """What a diff asks of the base's graph: the keys of its paths, steps and wide steps
    (small enough to travel with a model another process built)."""

    paths: frozenset[tuple[str, str, bool]]
    edges: frozenset[tuple[str, str, str]]
    wide: frozenset[tuple[str, str, str]]


def _before(model: Model) -> Before:
    graph = graph_of(model)
    return Before(
        frozenset(p.key for p in graph.paths()),
        graph.edge_keys,
        frozenset(e.key for e in graph.wide),
    )


def _paths(model: Model) -> list[Path]:
    return graph_of(model).paths()


before_of = per_model(_before)
paths_of = per_model(_paths)


def path_changes(base: Model | None, head: Model) -> PathReport:
    graph = graph_of(head)
    paths = paths_of(head)
    hops: list[Hop] = []
    wide: list[Edge] = []
    if base is None:
        old_paths: frozenset[tuple[str, str, bool]] = frozenset()
        old_edges: frozenset[tuple[str, str, str]] = frozenset()
    else:
        before = before_of(base)
        old_paths = before.paths
        old_edges = before.edges
        hops = _hops(graph, old_edges, head)
        wide = [e for e in graph.wide if e.key not in before.wide and e.source not in graph.passive]
    changes = []
    for path in paths:
        if path.key in old_paths:
            continue
        first = next((e for e in path.edges if e.key not in old_edges), None)
        notes = tuple(graph.unresolved.get(path.source, ()))
        changes.append(PathChange(path, first, notes))
    unresolved = {source: tuple(notes) for source, notes in graph.unresolved.items()}
    return PathReport(changes, unresolved, hops, wide)


def _hops(graph: Graph, old_edges: frozenset[tuple[str, str, str]], head: Model) -> list[Hop]:
    """New edges onto identities that are no prize, with what each gives the source."""
    found: list[Hop] = []
    seen: set[tuple[str, str]] = set()
    # One source may step onto many targets: each side's permissions indexed once.
    effective: dict[str, Effective] = {}

    def of(identity: Identity) -> Effective:
        if identity.address not in effective:
            grants = head.grants_of(identity.address)
            effective[identity.address] = Effective(identity.provider, grants)
        return effective[identity.address]

    for edge in graph.edges:
        pair = (edge.source, edge.target)
        if (
            edge.key in old_edges
            or edge.kind == "federation"
            or edge.source == edge.target
            or edge.target in graph.prizes
            or edge.source in graph.passive
            or pair in seen
        ):
            continue
        source, target = head.identities.get(edge.source), head.identities.get(edge.target)
        if source is None or target is None or source.provider != target.provider:
            continue
        seen.add(pair)
        mine, theirs = of(source), of(target)
        gained = tuple(
            dict.fromkeys(
                a.permission
                for a in theirs.allows
                # A statement driftgate could not read is no permission to name.
                if "${" not in a.permission.action
                and theirs.holds(a.permission)
                and not mine.holds(a.permission)
            )
        )
        if gained:
            found.append(Hop(edge, gained))
    return found
