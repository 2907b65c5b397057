"""Kustomize building blocks: mappings that remember the file that defined them.

A kustomization combines documents of several files (a base object, an overlay's
patch, the kustomization's own labels), and a finding must point at the file and line
that defines the value it is about. Every mapping of a built object is therefore a
:class:`Node`: a :class:`LineDict` that also knows its file. Scalars and lists carry
no location, exactly as in the loader's documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from driftgate.analyzer.parse.yaml_docs import LineDict

# Deeper trees are refused: JSON patch ``copy`` ops can nest a tree into itself.
MAX_DEPTH = 250
# Work limits for one root kustomization and for the whole run: kustomizations built,
# objects produced, mapping/list/scalar nodes copied.
MAX_VISITS = 500
MAX_OBJECTS = 10_000
MAX_NODES = 1_000_000
MAX_TOTAL_NODES = 5_000_000
# Objects a root's patches are matched against, summed over its patches.
MAX_CHECKS = 1_000_000
# Entries of one list of a kustomization (resources, patches, ...) and ops of one patch.
MAX_ENTRIES = 1_000

CORE_GROUPS = frozenset({"", "apps", "batch", "extensions"})
# Kinds the namespace transformer leaves alone (kustomize's built-in cluster-scoped list,
# for the kinds that appear in application repositories).
CLUSTER_SCOPED = frozenset(
    {
        "APIService",
        "ClusterIssuer",
        "ClusterRole",
        "ClusterRoleBinding",
        "ClusterServingRuntime",
        "CSIDriver",
        "CustomResourceDefinition",
        "IngressClass",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PodSecurityPolicy",
        "PriorityClass",
        "RuntimeClass",
        "StorageClass",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
    }
)


class Refused(Exception):
    """Input too large or too deep to build: the root's output is dropped, with why."""


class Node(LineDict):
    """A mapping with the file (``path``) whose ``line``..``end_line`` define it."""

    __slots__ = ("path",)

    def __init__(self, path: str, line: int = 1, end_line: int = 1) -> None:
        super().__init__(line, end_line)
        self.path = path

    def take_origin(self, other: Node) -> None:
        self.path, self.line, self.end_line = other.path, other.line, other.end_line


@dataclass
class Budget:
    """Nodes copied while building one root, against a limit."""

    limit: int
    reason: str = ""
    spent: int = 0

    def spend(self, count: int = 1) -> None:
        self.spent += count
        if self.spent > self.limit:
            raise Refused(self.reason or f"more than {self.limit} YAML nodes")


def _int(value: object, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return default


def adopt(value: Any, path: str, budget: Budget, *, shift: int = 0, flat: int | None = None) -> Any:
    """A copy of a loaded document whose mappings are Nodes of ``path``.

    ``shift`` moves every line (a patch written inline in a kustomization starts some
    lines below the kustomization's first line); ``flat`` puts every mapping at one line
    when where an inline text sits in its file is not known.
    """
    return _adopt(value, path, budget, shift, flat, 1, 0)


def _adopt(
    value: Any, path: str, budget: Budget, shift: int, flat: int | None, parent: int, depth: int
) -> Any:
    if depth > MAX_DEPTH:
        raise Refused(f"YAML nesting deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        budget.spend(1 + len(value))
        if flat is not None:
            line = end = flat
        else:
            line = _int(getattr(value, "line", None), parent - shift) + shift
            end = max(line, _int(getattr(value, "end_line", None), line - shift) + shift)
        node = Node(path, line, end)
        for key, item in value.items():
            node[key] = (
                _adopt(item, path, budget, shift, flat, line, depth + 1)
                if isinstance(item, (dict, list))
                else item
            )
        return node
    if isinstance(value, list):
        budget.spend(1 + len(value))
        return [
            _adopt(item, path, budget, shift, flat, parent, depth + 1)
            if isinstance(item, (dict, list))
            else item
            for item in value
        ]
    return value


def clone(value: Any, budget: Budget, depth: int = 0) -> Any:
    """A deep copy of a tree of Nodes, lists and scalars; mappings keep their origin."""
    if depth > MAX_DEPTH:
        raise Refused(f"YAML nesting deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        budget.spend(1 + len(value))
        node = (
            Node(value.path, value.line, value.end_line)
            if isinstance(value, Node)
            else Node("", 1, 1)
        )
        for key, item in value.items():
            node[key] = clone(item, budget, depth + 1) if isinstance(item, (dict, list)) else item
        return node
    if isinstance(value, list):
        budget.spend(1 + len(value))
        return [
            clone(item, budget, depth + 1) if isinstance(item, (dict, list)) else item
            for item in value
        ]
    return value


def child(parent: Node, key: str, origin: Node | None = None) -> Node:
    """``parent[key]`` as a mapping, created (at ``origin``, else at ``parent``) if absent."""
    value = parent.get(key)
    if isinstance(value, Node):
        return value
    node = Node("", 1, 1)
    node.take_origin(origin if origin is not None else parent)
    if isinstance(value, dict):
        node.update(value)
    parent[key] = node
    return node


def walk_path(value: Any, *keys: str) -> Any:
    """``value[k1][k2]...``, or None when a step is not a mapping."""
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def label_value(value: object) -> str | None:
    """A label or annotation value as kustomize writes it (YAML scalars become text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return None


def ns_equal(a: str | None, b: str | None) -> bool:
    """Namespaces compare with an absent namespace meaning ``default``, as in kustomize."""
    return (a or "default") == (b or "default")


@dataclass(eq=False)
class Resource:
    """One object being built, with the names it has had and the patches that changed it."""

    data: Node
    source: str  # the file the object was read from
    source_line: int
    names: list[str] = field(default_factory=list)
    namespaces: list[str | None] = field(default_factory=list)
    # (file, line) of each patch that changed the object, in the order applied.
    patched: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.remember()

    @property
    def api_version(self) -> str:
        return text(self.data.get("apiVersion")) or ""

    @property
    def group(self) -> str:
        version = self.api_version
        return version.split("/", 1)[0] if "/" in version else ""

    @property
    def kind(self) -> str:
        return text(self.data.get("kind")) or ""

    @property
    def name(self) -> str:
        return text(walk_path(self.data, "metadata", "name")) or ""

    @property
    def namespace(self) -> str | None:
        return text(walk_path(self.data, "metadata", "namespace"))

    @property
    def namespaced(self) -> bool:
        return self.kind not in CLUSTER_SCOPED

    def metadata(self) -> Node:
        return child(self.data, "metadata")

    def labels(self) -> dict[str, str]:
        found = walk_path(self.data, "metadata", "labels")
        if not isinstance(found, dict):
            return {}
        return {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)}

    def remember(self) -> None:
        """Record the current name and namespace among those the object has had."""
        if self.name not in self.names:
            self.names.append(self.name)
        if self.namespace not in self.namespaces:
            self.namespaces.append(self.namespace)

    def had_namespace(self, namespace: str | None) -> bool:
        return any(ns_equal(namespace, seen) for seen in self.namespaces)

    def same_id(self, other: Resource) -> bool:
        return (
            self.group == other.group
            and self.kind == other.kind
            and self.name == other.name
            and ns_equal(self.namespace, other.namespace)
        )
