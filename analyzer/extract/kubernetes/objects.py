"""Kubernetes objects out of YAML documents, and defensive accessors for their fields.

Documents come from untrusted files: every field is checked for its type before use,
and an object that is not well-formed is skipped, never an exception.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from driftgate.analyzer.model.entities import Location
from driftgate.analyzer.parse.yaml_docs import YamlDocument

# Cluster-scoped kinds that matter here; every other kind lives in a namespace.
CLUSTER_SCOPED = frozenset(
    {"ClusterRole", "ClusterRoleBinding", "ClusterServingRuntime", "Namespace"}
)


@dataclass(frozen=True, slots=True, eq=False)
class K8sObject:
    """One Kubernetes object with the metadata every extractor needs."""

    path: str
    data: dict[Any, Any] = field(repr=False)
    api_version: str
    kind: str
    name: str
    namespace: str | None  # None for cluster-scoped objects
    labels: dict[str, str]
    annotations: dict[str, str]
    location: Location

    @property
    def group(self) -> str:
        """The API group: ``apps`` for ``apps/v1``, ``""`` for the core ``v1``."""
        return self.api_version.split("/", 1)[0] if "/" in self.api_version else ""


def k8s_objects(documents: Iterable[YamlDocument]) -> Iterator[K8sObject]:
    """The well-formed objects of the documents, including the items of a ``kind: List``."""
    for document in documents:
        data = document.data
        if not isinstance(data, dict) or not isinstance(document.path, str):
            continue
        kind = data.get("kind")
        if isinstance(kind, str) and kind.endswith("List") and isinstance(data.get("items"), list):
            for item in data["items"]:
                if (obj := _object(document, item)) is not None:
                    yield obj
        elif (obj := _object(document, data)) is not None:
            yield obj


def _object(document: YamlDocument, data: object) -> K8sObject | None:
    if not isinstance(data, dict):
        return None
    api_version, kind, metadata = data.get("apiVersion"), data.get("kind"), data.get("metadata")
    if not (isinstance(api_version, str) and isinstance(kind, str) and isinstance(metadata, dict)):
        return None
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        return None
    namespace: str | None = None
    if kind not in CLUSTER_SCOPED:
        namespace = text(metadata.get("namespace")) or "default"
    fallback = Location(path=document.path, line=_int(document.line), end_line=None)
    return K8sObject(
        path=document.path,
        data=data,
        api_version=api_version,
        kind=kind,
        name=name,
        namespace=namespace,
        labels=string_map(metadata.get("labels")),
        annotations=string_map(metadata.get("annotations")),
        location=location(document.path, data, fallback),
    )


def mapping(value: object, *keys: str) -> dict[Any, Any]:
    """The mapping at ``value[k1][k2]...``, or an empty one when any step is not a mapping."""
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else {}


def mappings(value: object) -> list[dict[Any, Any]]:
    """The mappings of a list (other items dropped); empty when ``value`` is not a list."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def strings(value: object) -> list[str]:
    """The strings of a list (other items dropped); empty when ``value`` is not a list."""
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def text(value: object) -> str | None:
    """A non-empty string, or None."""
    return value if isinstance(value, str) and value else None


def string_map(value: object) -> dict[str, str]:
    """Labels or annotations: the string-to-string entries of a mapping."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def location(path: str, node: object, fallback: Location) -> Location:
    """Where a mapping is in its file; ``fallback`` when it carries no line."""
    line = getattr(node, "line", None)
    if not isinstance(line, int) or isinstance(line, bool) or line < 1:
        return fallback
    end = getattr(node, "end_line", None)
    end_line = end if isinstance(end, int) and not isinstance(end, bool) and end >= line else None
    return Location(path=path, line=line, end_line=end_line)


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 1
