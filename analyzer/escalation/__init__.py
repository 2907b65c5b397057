"""Escalation paths over the identity-binding model (DESIGN.md §4): who can act as whom,
and which of those paths a change creates."""

from __future__ import annotations

from driftgate.analyzer.escalation.build import FINDERS, build_graph, graph_of
from driftgate.analyzer.escalation.changes import (
    Hop,
    PathChange,
    PathReport,
    before_of,
    path_changes,
    paths_of,
)
from driftgate.analyzer.escalation.graph import Edge, Graph, Path, Prize

__all__ = [
    "FINDERS",
    "Edge",
    "Graph",
    "Hop",
    "Path",
    "PathChange",
    "PathReport",
    "Prize",
    "before_of",
    "build_graph",
    "graph_of",
    "path_changes",
    "paths_of",
]
