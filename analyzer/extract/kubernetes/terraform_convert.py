"""Terraform ``kubernetes_*`` resources → the mappings a Kubernetes YAML document holds.

The Kubernetes provider writes an object's fields as snake_case arguments and nested
blocks (``spec { template { spec { container { ... } } } }``); the YAML extractor reads
camelCase mappings and lists. Converting one into the other lets the YAML extractor's
own functions build the model, so that an object moved from YAML into Terraform keeps
its address, its grants and its credentials. Every mapping remembers its block's lines.

Unknown values stay visible as ``${expression}`` text; the converter also records them
by block so that the grants built from those blocks can say what was not known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.parse.yaml_docs import LineDict, YamlDocument
from driftgate.analyzer.terraform.blocks import BlockView
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import (
    JsonDoc,
    LocatedDict,
    ResourceRef,
    UnknownValue,
    Value,
)

_RBAC = "rbac.authorization.k8s.io/v1"
_TYPED: dict[str, tuple[str, str]] = {
    "kubernetes_service_account": ("v1", "ServiceAccount"),
    "kubernetes_default_service_account": ("v1", "ServiceAccount"),
    "kubernetes_secret": ("v1", "Secret"),
    "kubernetes_role": (_RBAC, "Role"),
    "kubernetes_cluster_role": (_RBAC, "ClusterRole"),
    "kubernetes_role_binding": (_RBAC, "RoleBinding"),
    "kubernetes_cluster_role_binding": (_RBAC, "ClusterRoleBinding"),
    "kubernetes_deployment": ("apps/v1", "Deployment"),
    "kubernetes_stateful_set": ("apps/v1", "StatefulSet"),
    "kubernetes_daemonset": ("apps/v1", "DaemonSet"),
    "kubernetes_daemon_set": ("apps/v1", "DaemonSet"),
    "kubernetes_replication_controller": ("v1", "ReplicationController"),
    "kubernetes_job": ("batch/v1", "Job"),
    "kubernetes_cron_job": ("batch/v1", "CronJob"),
    "kubernetes_pod": ("v1", "Pod"),
}
# Every type also exists with a `_v1` suffix (`kubernetes_daemon_set_v1`, not `daemonset`).
KINDS: dict[str, tuple[str, str]] = {
    **{t: k for t, k in _TYPED.items() if t != "kubernetes_daemon_set"},
    **{f"{t}_v1": k for t, k in _TYPED.items() if t != "kubernetes_daemonset"},
}
_MANIFEST = "kubernetes_manifest"
# Read for their metadata when another object names its namespace by reference.
_NAMESPACES = frozenset({"kubernetes_namespace", "kubernetes_namespace_v1"})
# What the converter reads: the objects it converts, and what their references name.
HANDLED_TYPES = frozenset({*KINDS, _MANIFEST, *_NAMESPACES})
_DEFAULT_SA = frozenset(
    {"kubernetes_default_service_account", "kubernetes_default_service_account_v1"}
)
# Blocks that are list items in the API object, by their Terraform name.
_LIST_BLOCKS = {
    "container": "containers",
    "init_container": "initContainers",
    "ephemeral_container": "ephemeralContainers",
    "volume": "volumes",
    "volume_mount": "volumeMounts",
    "env": "env",
    "env_from": "envFrom",
    "port": "ports",
    "rule": "rules",
    "subject": "subjects",
    "cluster_role_selectors": "clusterRoleSelectors",
    "match_expressions": "matchExpressions",
    "toleration": "tolerations",
    "image_pull_secrets": "imagePullSecrets",
    "host_aliases": "hostAliases",
    "items": "items",
    "readiness_gate": "readinessGates",
    "topology_spread_constraint": "topologySpreadConstraints",
    "sources": "sources",
}
# A ServiceAccount's own `secret` / `image_pull_secret` blocks are lists.
_ACCOUNT_LISTS = {"secret": "secrets", "image_pull_secret": "imagePullSecrets"}
_SPECIAL_NAMES = {
    "non_resource_urls": "nonResourceURLs",
    "host_ipc": "hostIPC",
    "host_pid": "hostPID",
}
# Terraform's own arguments and blocks, not part of the object.
_META = frozenset(
    {
        "count",
        "for_each",
        "depends_on",
        "provider",
        "lifecycle",
        "timeouts",
        "wait_for_rollout",
        "wait_for_completion",
        "wait_for_load_balancer",
        "wait_for_service_account_token",
    }
)
_INT_FIELDS = frozenset({"expirationSeconds"})
_MAX_REF_DEPTH = 8


def camel(name: str) -> str:
    """``service_account_name`` → ``serviceAccountName``."""
    if name in _SPECIAL_NAMES:
        return _SPECIAL_NAMES[name]
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def _metadata_field(expr: ast.Expr) -> str | None:
    """``name`` for ``kubernetes_x.y.metadata[0].name`` (or ``.metadata.0.name``)."""
    if not isinstance(expr, ast.GetAttr):
        return None
    inner = expr.obj
    if isinstance(inner, ast.Index) and isinstance(inner.key, ast.Literal):
        inner = inner.obj
    if isinstance(inner, ast.GetAttr) and inner.name == "metadata":
        return expr.name
    return None


def resolve_metadata(
    value: Value,
    expr: ast.Expr,
    inst: ResourceInstance,
    index: Mapping[str, ResourceInstance],
    depth: int = 0,
) -> Value:
    """A reference to another Kubernetes object's name or namespace, read from its block.

    ``kubernetes_namespace.ml.metadata[0].name`` is "computed by the provider" to the
    evaluator, but it is the name the block configures. Other values are returned as is.
    """
    if isinstance(value, list) and isinstance(expr, ast.TupleExpr):
        if len(value) == len(expr.items):
            return [
                resolve_metadata(v, e, inst, index, depth)
                for v, e in zip(value, expr.items, strict=True)
            ]
        return value
    if not (
        isinstance(value, ResourceRef)
        and value.attribute == "metadata"
        and value.address.startswith("kubernetes_")
        and depth < _MAX_REF_DEPTH
    ):
        return value
    name = _metadata_field(expr)
    target = index.get(inst.address_of(value))
    if name is None or target is None:
        return value
    views = target.children("metadata")
    if not views:
        return value
    view = views[0]
    attr = view.block.attributes.get(name)
    if attr is None:
        if name == "name" and target.type in _DEFAULT_SA:
            return "default"
        if name == "namespace" and not target.type.startswith("kubernetes_namespace"):
            return "default"
        return value
    return resolve_metadata(view.get(name), attr.expr, target, index, depth + 1)


@dataclass
class Converted:
    """Objects as YAML documents, and what the conversion could not know."""

    documents: list[YamlDocument] = field(default_factory=list)
    # (path, line) of a block → the unknown expressions among its arguments.
    unknown: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    # `${...}` text of a reference → (full address, local address) of the resource.
    references: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Converter:
    """Converts resources into ``result``; ``index`` resolves references between them."""

    index: Mapping[str, ResourceInstance]
    result: Converted = field(default_factory=Converted)

    def convert(self, inst: ResourceInstance) -> None:
        if inst.mode != "resource":
            return
        if inst.type == _MANIFEST:
            self._manifest(inst)
            return
        kind = KINDS.get(inst.type)
        if kind is None:
            return
        data = LineDict(inst.block.line, inst.block.end_line)
        data["apiVersion"], data["kind"] = kind
        self._fill(data, inst.view, inst, top=kind[1] == "ServiceAccount")
        metadata = data.get("metadata")
        if inst.type in _DEFAULT_SA and isinstance(metadata, dict):
            metadata.setdefault("name", "default")
        subjects = data.get("subjects")
        if kind[1] in ("RoleBinding", "ClusterRoleBinding") and isinstance(subjects, list):
            for subject in subjects:
                # The provider, not the API server, defaults a subject's namespace.
                if isinstance(subject, dict) and subject.get("kind") == "ServiceAccount":
                    subject.setdefault("namespace", "default")
        self._document(inst, data)

    def _document(self, inst: ResourceInstance, data: LineDict) -> None:
        index = len(self.result.documents)
        document = YamlDocument(inst.path, index, inst.block.line, inst.block.end_line, data)
        self.result.documents.append(document)

    def _manifest(self, inst: ResourceInstance) -> None:
        """``kubernetes_manifest``: the object is already written in the API's shape."""
        attr = inst.block.attributes.get("manifest")
        if attr is None:
            return
        data = self._value(inst.get("manifest"), attr.expr, inst, (inst.path, inst.block.line))
        if isinstance(data, LineDict):
            data.line, data.end_line = inst.block.line, inst.block.end_line
            self._document(inst, data)

    def _fill(
        self,
        out: LineDict,
        view: BlockView,
        inst: ResourceInstance,
        top: bool = False,
    ) -> None:
        key = (inst.path, view.line)
        for name, attr in view.block.attributes.items():
            if name in _META:
                continue
            value = self._value(view.get(name), attr.expr, inst, key)
            field_name = camel(name)
            if field_name in _INT_FIELDS and isinstance(value, str) and value.isdigit():
                value = int(value)
            out[field_name] = value
        if view.unknown is not None:
            # The content of a dynamic block over an unknown collection: its iterator's
            # unknowns say nothing more than that.
            self.result.unknown[key] = [view.unknown]
        block_types = dict.fromkeys(
            b.labels[0] if b.type == "dynamic" and b.labels else b.type for b in view.block.blocks
        )
        for block_type in block_types:
            if block_type in _META or block_type == "dynamic":
                continue
            children = view.children(block_type)
            if block_type == "sources":
                out["sources"] = [item for child in children for item in self._sources(child, inst)]
                continue
            items = [self._block(child, inst) for child in children]
            list_key = (_ACCOUNT_LISTS if top else {}).get(block_type) or _LIST_BLOCKS.get(
                block_type
            )
            if list_key is not None:
                out[list_key] = items
            elif items:
                out[camel(block_type)] = items[0]

    def _block(self, view: BlockView, inst: ResourceInstance) -> LineDict:
        out = LineDict(view.line, view.block.end_line)
        self._fill(out, view, inst)
        return out

    def _sources(self, view: BlockView, inst: ResourceInstance) -> list[LineDict]:
        """A projected volume's ``sources`` block may hold several sources; the API object
        lists them one per item."""
        items: list[LineDict] = []
        types = dict.fromkeys(
            b.labels[0] if b.type == "dynamic" and b.labels else b.type for b in view.block.blocks
        )
        for source_type in types:
            for child in view.children(source_type):
                item = LineDict(child.line, child.block.end_line)
                item[camel(source_type)] = self._block(child, inst)
                items.append(item)
        return items

    def _value(
        self, value: Value, expr: ast.Expr | None, inst: ResourceInstance, key: tuple[str, int]
    ) -> Value:
        """An evaluated argument as YAML would hold it; unknowns as ``${...}`` text.

        ``key`` is the block the argument is in, where its unknown parts are recorded.
        """
        if expr is not None:
            value = resolve_metadata(value, expr, inst, self.index)
        if isinstance(value, JsonDoc):
            value = value.value
        if isinstance(value, UnknownValue):
            text = str(value)
            self.result.unknown.setdefault(key, []).append(text)
            if isinstance(value, ResourceRef):
                self.result.references[text] = (inst.address_of(value), value.address)
            return text
        if isinstance(value, list):
            items = expr.items if isinstance(expr, ast.TupleExpr) else ()
            return [
                self._value(v, items[i] if i < len(items) else None, inst, key)
                for i, v in enumerate(value)
            ]
        if isinstance(value, dict):
            exprs = _object_items(expr)
            inner = key
            if isinstance(value, LocatedDict) and value.line:
                inner = (inst.path, value.line)
            out = LineDict(inner[1], 0)
            for k, v in value.items():
                out[k] = self._value(v, exprs.get(k), inst, inner)
            return out
        return value


def _object_items(expr: ast.Expr | None) -> dict[str, ast.Expr]:
    """The value expression of each literal key of an object expression."""
    if not isinstance(expr, ast.ObjectExpr):
        return {}
    return {
        k.value: v for k, v in expr.items if isinstance(k, ast.Literal) and isinstance(k.value, str)
    }
