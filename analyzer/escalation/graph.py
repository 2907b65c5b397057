"""Who can act as whom, and whom that makes them (DESIGN.md §4: escalation paths).

Nodes are identities. An :class:`Edge` says "the source can act as the target": it may
assume it, pass it to a service that runs code the source controls, mint its keys, change
the code of compute that runs as it, create a pod that runs as it, federate into it. A
*writer* edge says "the source can rewrite the target's permissions": the target is then
as good as admin to whoever can also act as it (or is it).

A :class:`Path` leads from an identity to one that holds what the source lacks: full
admin, or a capability to escalate further. The compute that runs as an identity is not
a node of its own: an edge through it names it in its ``how``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

from driftgate.analyzer.model import Location

Confidence = Literal["high", "medium", "low"]
_RANK: dict[Confidence, int] = {"low": 0, "medium": 1, "high": 2}
# Longer chains exist in theory; past this many hops a reviewer needs the graph, not a
# finding, and the search stays linear in the edges.
MAX_HOPS = 6


def weakest(confidences: Iterable[Confidence]) -> Confidence:
    return min(confidences, key=_RANK.__getitem__, default="high")


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    # assume, pass-role, credentials, trust-write, code, federation, pod, exec, token,
    # impersonate, act-as, identity-assign, federated-credential; "policy-write" for a
    # writer edge.
    kind: str
    # What the source does, in words: "may pass cfn-exec to cloudformation.amazonaws.com
    # (iam:PassRole) and create stacks (cloudformation:CreateStack)".
    how: str
    # The statement (binding, trust) that gives the edge; the others it needs follow.
    location: Location | None
    related: tuple[Location, ...] = ()
    confidence: Confidence = "high"
    # The actions (roles, verbs) that make the edge: what a change wrote to create it.
    actions: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.target, self.kind)


@dataclass(frozen=True, slots=True)
class Prize:
    """What an identity holds that is worth reaching."""

    # Why it is admin ("AdministratorAccess", "* on *"), or the capability it holds
    # ("iam:PassRole on *").
    what: str
    admin: bool
    location: Location | None
    # The escalation capabilities held (provider notation, lower case): reaching the
    # identity gains the source those it lacks.
    capabilities: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Path:
    source: str
    target: str
    # The hops in order; the last may be a writer edge (the path rewrites the target).
    edges: tuple[Edge, ...]
    prize: Prize
    # Shortest routes from source to target, this one included.
    routes: int = 1
    # The source rewrites the target's permissions itself: the path stands for that
    # capability, and ``also`` counts the other identities it could do the same with.
    rewrite: bool = False
    also: int = 0

    @property
    def key(self) -> tuple[str, str, bool]:
        """What makes a path the same at base and head: its source and target, or for a
        source that rewrites what it reaches, that capability whoever the target."""
        if self.rewrite:
            return (self.source, "*rewrite*", True)
        return (self.source, self.target, self.prize.admin)

    @property
    def confidence(self) -> Confidence:
        return weakest(e.confidence for e in self.edges)


@dataclass
class Graph:
    edges: list[Edge] = field(default_factory=list)
    writers: list[Edge] = field(default_factory=list)
    prizes: dict[str, Prize] = field(default_factory=dict)
    # What could not be followed (a capability whose targets no file declares), by
    # source: sentences for findings, never silence.
    unresolved: dict[str, list[str]] = field(default_factory=dict)
    # Identities' names as messages give them, by address.
    names: dict[str, str] = field(default_factory=dict)
    # Steps onto more identities than were followed one by one (target ``*service``).
    wide: list[Edge] = field(default_factory=list)
    # Identities nothing authenticates as (an IAM group, a policy nothing attaches):
    # steps lead through them, no path starts at them.
    passive: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # One edge per (source, target, kind): several rules giving the same step are
        # one route, the surest of them.
        self.edges = _unique(self.edges)
        self.writers = _unique(self.writers)
        self._out: dict[str, list[Edge]] = {}
        self._writes: dict[str, list[Edge]] = {}
        for edge in self.edges:
            self._out.setdefault(edge.source, []).append(edge)
        for edge in self.writers:
            self._writes.setdefault(edge.target, []).append(edge)

    @property
    def edge_keys(self) -> frozenset[tuple[str, str, str]]:
        return frozenset(e.key for e in (*self.edges, *self.writers))

    def sources(self) -> list[str]:
        return sorted({e.source for e in (*self.edges, *self.writers)} - self.passive)

    def paths(self) -> list[Path]:
        """From every identity, the paths to what it lacks: full admin wherever it is
        reachable; an escalation capability only where no admin is."""
        found: list[Path] = []
        for source in self.sources():
            found.extend(self.paths_from(source))
        return found

    def paths_from(self, source: str) -> Iterator[Path]:
        own = self.prizes.get(source)
        if own is not None and own.admin:
            return  # already holds everything: nothing to reach
        lacks = own.capabilities if own is not None else frozenset()
        # Breadth first: the shortest route to each identity, and how many there are.
        via: dict[str, tuple[Edge, ...]] = {source: ()}
        count: dict[str, int] = {source: 1}
        layer = [source]
        for _ in range(MAX_HOPS):
            reached: dict[str, list[Edge]] = {}
            for node in layer:
                prize = self.prizes.get(node)
                if node != source and prize is not None and prize.admin:
                    continue  # admin reached: nothing beyond it is more
                for edge in self._out.get(node, ()):
                    if edge.target in via:
                        continue
                    reached.setdefault(edge.target, []).append(edge)
            for target, edges in sorted(reached.items()):
                edges.sort(key=lambda e: (-_RANK[e.confidence], e.kind, e.source))
                via[target] = (*via[edges[0].source], edges[0])
                count[target] = sum(count[e.source] for e in edges)
            layer = sorted(reached)
            if not layer:
                break
        admin: list[Path] = []
        lesser: list[Path] = []
        # Identities the source may act as and rewrite: one capability of the source,
        # however many there are, said once (on itself when it can rewrite itself).
        rewrites: list[Path] = []
        for target, hops in sorted(via.items()):
            if hops and hops[0].kind == "federation":
                # The identity it federates into is itself: that one's paths say it.
                continue
            on_path = {source, *(e.source for e in hops)}
            writer = next(
                (w for w in self._writes.get(target, ()) if w.source in on_path | {target}),
                None,
            )
            prize = self.prizes.get(target)
            if writer is not None and not (prize is not None and prize.admin and target != source):
                what = "it may rewrite its own permissions"
                if writer.source != target:
                    who = self.names.get(writer.source, writer.source)
                    what = f"{who} may rewrite its permissions"
                rewritten = Prize(what, True, writer.location)
                path = Path(source, target, (*hops, writer), rewritten, count[target])
                (rewrites if writer.source == source else admin).append(path)
            elif target == source or prize is None:
                continue
            elif prize.admin:
                admin.append(Path(source, target, hops, prize, count[target]))
            elif prize.capabilities - lacks:
                lesser.append(Path(source, target, hops, prize, count[target]))
        if rewrites:
            best = min(rewrites, key=lambda p: (p.target != source, len(p.edges), p.target))
            admin.append(replace(best, also=len(rewrites) - 1, rewrite=True))
        yield from admin if admin else lesser


def _unique(edges: list[Edge]) -> list[Edge]:
    kept: dict[tuple[str, str, str], Edge] = {}
    for edge in edges:
        seen = kept.get(edge.key)
        if seen is None or _RANK[edge.confidence] > _RANK[seen.confidence]:
            kept[edge.key] = edge
    return list(kept.values())
