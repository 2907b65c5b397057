"""Kustomize patch targets: which objects a patch applies to.

A ``target:`` is kustomize's selector: group, version and kind compared exactly, name
and namespace as regexes (matched against every name and namespace the object has had,
as kustomize matches original or current ids), label and annotation selectors. A
strategic-merge patch without a target selects by its own kind and name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from driftgate.analyzer.extract.kubernetes.kustomize_nodes import (
    Node,
    Resource,
    label_value,
    text,
    walk_path,
)
from driftgate.analyzer.extract.kubernetes.kustomize_patch import PatchError


@dataclass(frozen=True)
class Selector:
    """A patch target: kustomize's selector (names and namespaces are regexes)."""

    group: str | None = None
    version: str | None = None
    kind: str | None = None
    name: Callable[[str], bool] | None = None
    namespace: Callable[[str], bool] | None = None
    labels: list[tuple[str, str, str | None]] = field(default_factory=list)
    annotations: list[tuple[str, str, str | None]] = field(default_factory=list)

    def matches(self, resource: Resource) -> bool:
        version = resource.api_version.rsplit("/", 1)[-1]
        if self.group is not None and self.group != resource.group:
            return False
        if self.version is not None and self.version != version:
            return False
        if self.kind is not None and self.kind != resource.kind:
            return False
        name = self.name
        if name is not None and not any(name(n) for n in resource.names):
            return False
        namespace = self.namespace
        if namespace is not None and not any(
            namespace(ns or "default") for ns in resource.namespaces
        ):
            return False
        annotations = walk_path(resource.data, "metadata", "annotations")
        return _requirements(self.labels, resource.labels()) and _requirements(
            self.annotations, annotations if isinstance(annotations, dict) else {}
        )


def selector(target: object) -> Selector:
    """The selector of a ``target:`` mapping; PatchError for what is not supported."""
    if not isinstance(target, dict):
        raise PatchError("the patch target is not a mapping")
    return Selector(
        group=_field(target, "group"),
        version=_field(target, "version"),
        kind=_field(target, "kind"),
        name=_pattern(target.get("name")),
        namespace=_pattern(target.get("namespace")),
        labels=_parse_requirements(target.get("labelSelector")),
        annotations=_parse_requirements(target.get("annotationSelector")),
    )


def patch_selector(patch: Node) -> Selector:
    """The object a strategic-merge patch without a target names by its own metadata."""
    api_version = text(patch.get("apiVersion")) or ""
    name = text(walk_path(patch, "metadata", "name"))
    namespace = text(walk_path(patch, "metadata", "namespace"))
    if name is None:
        raise PatchError("the patch names no object (metadata.name)")
    wanted = namespace or "default"
    return Selector(
        group=api_version.split("/", 1)[0] if "/" in api_version else "",
        kind=text(patch.get("kind")),
        name=lambda n: n == name,
        namespace=lambda ns: ns == wanted,
    )


def _field(target: dict[Any, Any], key: str) -> str | None:
    value = target.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PatchError(f"target {key} is not text")
    return value


_SIMPLE = re.compile(r"(?:[A-Za-z0-9_:@-]|\\\.|\.\*|\.\+|\.)*")


def _pattern(value: object) -> Callable[[str], bool] | None:
    """A kustomize target regex, for the subset that reads as a glob: literals, ``.``,
    ``.*``, ``.+``, ``\\.``, anchors and top-level alternation. Others are refused
    rather than run, since a crafted regex can backtrack for hours."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 256:
        raise PatchError("target name or namespace is not a short text")
    pattern = value.removeprefix("^")
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1]
    if pattern.startswith("(") and pattern.endswith(")"):
        pattern = pattern[1:-1]
    globs: list[str] = []
    for alternative in pattern.split("|"):
        if not _SIMPLE.fullmatch(alternative):
            raise PatchError(f"target regex {value!r} is not supported")
        globs.append(
            re.sub(
                r"\\\.|\.\*|\.\+|\.",
                lambda m: {"\\.": ".", ".*": "*", ".+": "?*", ".": "?"}[m.group(0)],
                alternative,
            )
        )
    return lambda name: any(fnmatchcase(name, glob) for glob in globs)


def _parse_requirements(value: object) -> list[tuple[str, str, str | None]]:
    """Equality-based selector terms: ``k=v``, ``k==v``, ``k!=v``, ``k``, ``!k``."""
    if value is None or value == "":
        return []
    if not isinstance(value, str):
        raise PatchError("a label or annotation selector is not text")
    found: list[tuple[str, str, str | None]] = []
    for term in (t.strip() for t in value.split(",")):
        if " in " in term or " notin " in term or "(" in term:
            raise PatchError(f"set-based selector {value!r} is not supported")
        if "!=" in term:
            key, _, wanted = term.partition("!=")
            found.append(("!=", key.strip(), wanted.strip()))
        elif "=" in term:
            key, _, wanted = term.replace("==", "=").partition("=")
            found.append(("=", key.strip(), wanted.strip()))
        elif term.startswith("!"):
            found.append(("!", term[1:].strip(), None))
        elif term:
            found.append(("exists", term, None))
    return found


def _requirements(terms: list[tuple[str, str, str | None]], values: dict[Any, Any]) -> bool:
    for operator, key, wanted in terms:
        present = key in values
        value = label_value(values.get(key))
        ok = {
            "=": present and value == wanted,
            "!=": not present or value != wanted,
            "!": not present,
            "exists": present,
        }[operator]
        if not ok:
            return False
    return True
