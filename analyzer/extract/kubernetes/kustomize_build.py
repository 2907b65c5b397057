"""Building one root kustomization: its resources, recursively, then its transformers.

The order is kustomize's: resources (files, and base directories built first), then
components, then patchesStrategicMerge, patches, namespace, namePrefix/nameSuffix,
commonLabels/labels, commonAnnotations, patchesJson6902, images; name references are
fixed once, at the root. Generators, replacements, vars and plugins are not run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.extract.kubernetes.kustomize_nodes import (
    MAX_CHECKS,
    MAX_NODES,
    MAX_OBJECTS,
    MAX_VISITS,
    Budget,
    Node,
    Refused,
    Resource,
    adopt,
    child,
    label_value,
    text,
    walk_path,
)
from driftgate.analyzer.extract.kubernetes.kustomize_patch import (
    PatchError,
    json_patch,
    strategic_merge,
)
from driftgate.analyzer.extract.kubernetes.kustomize_refs import (
    SELECTOR_KINDS,
    fix_references,
    pod_templates,
    set_images,
)
from driftgate.analyzer.extract.kubernetes.kustomize_target import patch_selector, selector
from driftgate.analyzer.parse.yaml_docs import YamlDocument

PatchField = Literal["patchesStrategicMerge", "patches", "patchesJson6902"]
_BINDINGS = ("RoleBinding", "ClusterRoleBinding")
_NOT_RENAMED = ("Namespace", "CustomResourceDefinition")


@dataclass
class PatchSpec:
    """One patch of a kustomization, read when the kustomization was read."""

    field: PatchField
    path: str  # the file that holds the patch text (the kustomization for inline ones)
    line: int  # where the patch entry is, for diagnostics
    documents: list[Any]  # the patch documents as loaded
    shift: int = 0  # added to the documents' lines (inline patches)
    flat: int | None = None  # every line of an inline patch whose place is unknown
    target: object = None


@dataclass
class Kustomization:
    path: str
    directory: str
    line: int
    data: dict[Any, Any]
    resources: list[tuple[Literal["file", "kustomization"], str]] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    patches: list[PatchSpec] = field(default_factory=list)


@dataclass
class Files:
    """The loaded YAML documents by file, and every directory that holds one."""

    documents: dict[str, list[YamlDocument]]
    directories: set[str]
    empty: frozenset[str] = frozenset()  # files read that yielded no document

    @classmethod
    def of(cls, documents: list[YamlDocument], paths: frozenset[str] = frozenset()) -> Files:
        by_path: dict[str, list[YamlDocument]] = {}
        directories: set[str] = set()
        for document in documents:
            if not isinstance(document.path, str):
                continue
            by_path.setdefault(document.path, []).append(document)
            parts = document.path.split("/")[:-1]
            directories.update("/".join(parts[:i]) for i in range(len(parts) + 1))
        return cls(by_path, directories, paths - by_path.keys())


Report = Callable[[Diagnostic], None]


class Builder:
    """Builds root kustomizations; one instance per run, limits per root and per run."""

    def __init__(
        self, files: Files, kustomizations: dict[str, Kustomization], report: Report
    ) -> None:
        self.files = files
        self.kustomizations = kustomizations
        self.report = report
        self.budget = Budget(limit=MAX_NODES)
        self.visits = self.objects = self.checks = 0

    def build(self, root: Kustomization, budget: Budget) -> list[Resource]:
        """The objects ``root`` produces. Raises Refused past a limit."""
        self.budget = budget
        self.visits = self.objects = self.checks = 0
        built: list[Resource] = []
        self._build(root, (root.path,), built)
        fix_references(built, lambda message: self._warn(root.path, root.line, message))
        return built

    def _build(self, k: Kustomization, stack: tuple[str, ...], into: list[Resource]) -> None:
        self.visits += 1
        if self.visits > MAX_VISITS:
            raise Refused(f"more than {MAX_VISITS} kustomizations to build")
        seen = {_key(r) for r in into}
        for kind, target in k.resources:
            added: list[Resource] = []
            if kind == "file":
                added = self._load(target)
            elif target not in stack:  # a cycle is reported once, when the graph is read
                self._build(self.kustomizations[target], (*stack, target), added)
            for resource in added:
                key = _key(resource)
                if key in seen:
                    self._warn(k.path, k.line, f"{_describe(resource)} is added twice; kept once")
                    continue
                seen.add(key)
                into.append(resource)
        for component in k.components:
            if component not in stack:
                self._build(self.kustomizations[component], (*stack, component), into)
        self._transform(k, into)

    def _load(self, path: str) -> list[Resource]:
        found: list[Resource] = []
        for document in self.files.documents.get(path, []):
            data = document.data
            items = data.get("items") if isinstance(data, dict) else None
            kind = data.get("kind") if isinstance(data, dict) else None
            listed = isinstance(kind, str) and kind.endswith("List") and isinstance(items, list)
            for item in items if listed and isinstance(items, list) else [data]:
                if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
                    continue
                node = adopt(item, path, self.budget)
                self.objects += 1
                if self.objects > MAX_OBJECTS:
                    raise Refused(f"more than {MAX_OBJECTS} objects")
                found.append(Resource(node, path, node.line))
        return found

    def _transform(self, k: Kustomization, into: list[Resource]) -> None:
        data = adopt(k.data, k.path, self.budget)
        for spec in k.patches:
            if spec.field != "patchesJson6902":
                self._patch(spec, into)
        if namespace := text(data.get("namespace")):
            _set_namespace(into, namespace)
        prefix, suffix = text(data.get("namePrefix")) or "", text(data.get("nameSuffix")) or ""
        if prefix or suffix:
            for resource in into:
                if resource.kind not in _NOT_RENAMED and resource.name:
                    resource.metadata()["name"] = prefix + resource.name + suffix
                    resource.remember()
        common = data.get("commonLabels")
        if isinstance(common, Node):
            _add_labels(into, common, common, templates=True, selectors=True)
        for entry in data.get("labels") if isinstance(data.get("labels"), list) else []:
            pairs = entry.get("pairs") if isinstance(entry, Node) else None
            if isinstance(entry, Node) and isinstance(pairs, dict):
                selectors = entry.get("includeSelectors") is True
                templates = selectors or entry.get("includeTemplates") is True
                _add_labels(into, pairs, entry, templates=templates, selectors=selectors)
        annotations = data.get("commonAnnotations")
        if isinstance(annotations, Node):
            _add_annotations(into, annotations)
        for spec in k.patches:
            if spec.field == "patchesJson6902":
                self._patch(spec, into)
        images = data.get("images")
        if isinstance(images, list):
            set_images(into, [entry for entry in images if isinstance(entry, Node)])

    def _patch(self, spec: PatchSpec, into: list[Resource]) -> None:
        for raw in spec.documents:
            document = adopt(raw, spec.path, self.budget, shift=spec.shift, flat=spec.flat)
            line = document.line if isinstance(document, Node) else spec.line
            try:
                matched = self._apply(spec, document, into)
            except PatchError as exc:
                self._warn(spec.path, line, f"{spec.field} not applied: {exc}")
                continue
            if not matched:
                self._warn(spec.path, line, f"{spec.field}: the patch matches no object")

    def _apply(self, spec: PatchSpec, document: Any, into: list[Resource]) -> bool:
        json6902 = spec.field == "patchesJson6902" or isinstance(document, list)
        if json6902:
            if spec.target is None:
                raise PatchError("a JSON 6902 patch needs a target")
            if not isinstance(document, list):
                raise PatchError("a JSON 6902 patch is a list of operations")
            choose = selector(spec.target)
        elif isinstance(document, Node):
            choose = selector(spec.target) if spec.target is not None else patch_selector(document)
        else:
            raise PatchError("the patch is neither a mapping nor a list of operations")
        self.checks += len(into)
        if self.checks > MAX_CHECKS:
            raise Refused(f"more than {MAX_CHECKS} patch target checks")
        targets = [resource for resource in into if choose.matches(resource)]
        for resource in targets:
            if isinstance(document, list):
                line = json_patch(resource, document, self.budget)
                resource.patched.append((spec.path, line or spec.line))
            elif strategic_merge(resource, document, self.budget):
                resource.patched.append((document.path, document.line))
            else:
                into.remove(resource)
            resource.remember()
        return bool(targets)

    def _warn(self, path: str, line: int, message: str) -> None:
        self.report(Diagnostic(path, line, message, "evaluation", "warning"))


def _key(resource: Resource) -> tuple[str, str, str, str]:
    return (resource.group, resource.kind, resource.namespace or "default", resource.name)


def _describe(resource: Resource) -> str:
    where = f"{resource.namespace}/" if resource.namespace else ""
    return f"{resource.kind} {where}{resource.name}"


def _set_namespace(resources: list[Resource], namespace: str) -> None:
    for resource in resources:
        if resource.namespaced:
            resource.metadata()["namespace"] = namespace
        if resource.group == "rbac.authorization.k8s.io" and resource.kind in _BINDINGS:
            subjects = resource.data.get("subjects")
            for subject in subjects if isinstance(subjects, list) else []:
                # kustomize moves only the subjects named "default"; the others follow
                # the ServiceAccount they name when references are fixed.
                if isinstance(subject, Node) and subject.get("name") == "default":
                    subject["namespace"] = namespace
        resource.remember()


def _string_map(values: dict[Any, Any]) -> dict[str, str]:
    return {
        key: written
        for key, value in values.items()
        if isinstance(key, str) and (written := label_value(value)) is not None
    }


def _add_labels(
    resources: list[Resource],
    values: dict[Any, Any],
    origin: Node,
    *,
    templates: bool,
    selectors: bool,
) -> None:
    labels = _string_map(values)
    for resource in resources:
        child(resource.metadata(), "labels", origin).update(labels)
        if templates:
            for template in pod_templates(resource):
                child(child(template, "metadata", origin), "labels", origin).update(labels)
        spec = resource.data.get("spec")
        if not selectors or not isinstance(spec, Node):
            continue
        if resource.group in ("apps", "extensions") and resource.kind in SELECTOR_KINDS:
            child(child(spec, "selector", origin), "matchLabels", origin).update(labels)
        elif (resource.group, resource.kind) == ("", "Service"):
            child(spec, "selector", origin).update(labels)


def _add_annotations(resources: list[Resource], values: Node) -> None:
    annotations = _string_map(values)
    for resource in resources:
        child(resource.metadata(), "annotations", values).update(annotations)
        for template in pod_templates(resource):
            child(child(template, "metadata", values), "annotations", values).update(annotations)


def template_labels(resource: Resource) -> dict[str, str]:
    """The labels the extractor judges a workload's environment by."""
    labels: dict[str, str] = {}
    for template in pod_templates(resource):
        found = walk_path(template, "metadata", "labels")
        if isinstance(found, dict):
            labels.update(_string_map(found))
    labels.update(resource.labels())
    return labels
