"""What kustomize rewrites in objects besides their names: references and images.

After a kustomization renamed objects (``namePrefix``/``nameSuffix``, or a patch), the
objects that refer to them by name are updated, as kustomize's name-reference
transformer does for the references identity depends on: a pod's
``serviceAccountName``, the Secrets a pod or a ServiceAccount names, a binding's
``roleRef`` and its ServiceAccount ``subjects`` (whose namespace follows the account).
A reference is only updated when the object it names is built by the same root
kustomization; one naming an object managed elsewhere is left as written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from driftgate.analyzer.extract.kubernetes.kustomize_nodes import (
    CORE_GROUPS,
    MAX_DEPTH,
    Node,
    Resource,
    ns_equal,
    text,
    walk_path,
)

# Where the pod template (metadata + spec) is, by workload kind of the core API groups.
TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
SELECTOR_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"})
_CONTAINER_KEYS = ("containers", "initContainers", "ephemeralContainers")
_BINDINGS = ("RoleBinding", "ClusterRoleBinding")

Warn = Callable[[str], None]


def pod_templates(resource: Resource) -> list[Node]:
    """The pod templates of a workload of the core API groups (kustomize's field specs)."""
    if resource.group not in CORE_GROUPS:
        return []
    path = TEMPLATE_PATHS.get(resource.kind)
    template = walk_path(resource.data, *path) if path else None
    return [template] if isinstance(template, Node) else []


def pod_specs(resource: Resource) -> list[Node]:
    if resource.group in CORE_GROUPS and resource.kind == "Pod":
        spec = resource.data.get("spec")
        return [spec] if isinstance(spec, Node) else []
    return [spec for t in pod_templates(resource) if isinstance(spec := t.get("spec"), Node)]


def _maps(value: object) -> list[Node]:
    return [item for item in value if isinstance(item, Node)] if isinstance(value, list) else []


def _secret_refs(resource: Resource) -> Iterator[tuple[Node, str]]:
    """(mapping, key) of every Secret name the object refers to."""
    if resource.group == "" and resource.kind == "ServiceAccount":
        for ref in _maps(resource.data.get("secrets")) + _maps(
            resource.data.get("imagePullSecrets")
        ):
            yield ref, "name"
    for spec in pod_specs(resource):
        for ref in _maps(spec.get("imagePullSecrets")):
            yield ref, "name"
        for volume in _maps(spec.get("volumes")):
            if isinstance(secret := volume.get("secret"), Node):
                yield secret, "secretName"
            for source in _maps(walk_path(volume, "projected", "sources")):
                if isinstance(secret := source.get("secret"), Node):
                    yield secret, "name"
        for key in _CONTAINER_KEYS:
            for container in _maps(spec.get(key)):
                for variable in _maps(container.get("env")):
                    key_ref = walk_path(variable, "valueFrom", "secretKeyRef")
                    if isinstance(key_ref, Node):
                        yield key_ref, "name"
                for source in _maps(container.get("envFrom")):
                    if isinstance(env_ref := source.get("secretRef"), Node):
                        yield env_ref, "name"


Index = dict[str, list[Resource]]


def fix_references(resources: list[Resource], warn: Warn) -> None:
    """Point references at the current names of the objects they named."""
    index: dict[str, Index] = {}  # kind → every name an object of it has had → objects
    for resource in resources:
        if resource.group in ("", "rbac.authorization.k8s.io"):
            names = index.setdefault(resource.kind, {})
            for name in resource.names:
                names.setdefault(name, []).append(resource)
    accounts, secrets = index.get("ServiceAccount", {}), index.get("Secret", {})
    for referrer in resources:
        for spec in pod_specs(referrer):
            _rename(spec, "serviceAccountName", accounts, referrer, warn)
        for node, key in _secret_refs(referrer):
            _rename(node, key, secrets, referrer, warn, same_namespace=True)
        if referrer.group != "rbac.authorization.k8s.io" or referrer.kind not in _BINDINGS:
            continue
        ref = referrer.data.get("roleRef")
        kind = text(ref.get("kind")) if isinstance(ref, Node) else None
        if isinstance(ref, Node) and kind in ("Role", "ClusterRole"):
            roles = index.get(kind, {})
            _rename(ref, "name", roles, referrer, warn, same_namespace=kind == "Role")
        for subject in _maps(referrer.data.get("subjects")):
            if subject.get("kind") != "ServiceAccount":
                continue
            wanted = text(subject.get("namespace"))
            found = _rename(subject, "name", accounts, referrer, warn, namespace=wanted)
            if found is not None and found.namespace:
                subject["namespace"] = found.namespace


def _rename(
    node: Node,
    key: str,
    index: Index,
    referrer: Resource,
    warn: Warn,
    *,
    same_namespace: bool = False,
    namespace: str | None = None,
) -> Resource | None:
    """Set ``node[key]`` to the current name of the object it names; that object.

    ``same_namespace``: only an object in the referrer's namespace (or cluster-scoped)
    can be meant; ``namespace``: only one that has been in that namespace.
    """
    old = text(node.get(key))
    if old is None:
        return None
    found = [c for c in index.get(old, []) if c.group in ("", "rbac.authorization.k8s.io")]
    if same_namespace and referrer.namespaced:
        found = [c for c in found if not c.namespaced or ns_equal(c.namespace, referrer.namespace)]
    if namespace is not None:
        found = [c for c in found if c.had_namespace(namespace)]
    if len(found) > 1:
        near = [c for c in found if ns_equal(c.namespace, referrer.namespace)]
        found = near if len(near) == 1 else found
    if not found:
        return None
    if len({c.name for c in found}) > 1:
        warn(
            f"{referrer.kind} {referrer.name}: {key} {old!r} may refer to any of "
            + ", ".join(sorted({f"{c.kind} {c.name}" for c in found}))
            + "; left as written"
        )
        return None
    node[key] = found[0].name
    return found[0]


def set_images(resources: list[Resource], entries: list[Node]) -> None:
    """kustomize ``images:``: new name, tag or digest for the containers that run an image."""
    for resource in resources:
        for container in _containers(resource.data, 0):
            image = text(container.get("image"))
            if image is None:
                continue
            for entry in entries:
                if (new := _new_image(image, entry)) is not None:
                    container["image"] = new
                    break


def _containers(value: Any, depth: int) -> Iterator[Node]:
    """Every container of an object: kustomize looks for them at any depth."""
    if depth > MAX_DEPTH or not isinstance(value, dict):
        return
    for key, item in value.items():
        if key in ("containers", "initContainers") and isinstance(item, list):
            yield from _maps(item)
        elif isinstance(item, dict):
            yield from _containers(item, depth + 1)
        elif isinstance(item, list):
            for element in item:
                yield from _containers(element, depth + 1)


def _new_image(image: str, entry: Node) -> str | None:
    name = text(entry.get("name"))
    reference, _, digest = image.partition("@")
    slash, colon = reference.rfind("/"), reference.rfind(":")
    repository, tag = (
        (reference[:colon], reference[colon + 1 :]) if colon > slash else (reference, "")
    )
    if name is None or repository != name:
        return None
    new_name = text(entry.get("newName")) or repository
    new_tag = entry.get("newTag")
    new_digest = text(entry.get("digest"))
    if new_digest:
        return f"{new_name}@{new_digest}"
    if isinstance(new_tag, (str, int, float)) and not isinstance(new_tag, bool) and new_tag != "":
        return f"{new_name}:{new_tag}"
    return new_name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
