"""Kustomize patches: the strategic-merge subset and JSON 6902 operations.

Strategic merge, as far as identity needs it: mappings merge key by key, a ``null``
value deletes its key, ``$patch: delete`` deletes the object (at the top) or the
mapping / list item it is in, ``$patch: replace`` replaces a mapping. Lists named in
:data:`MERGE_KEYS` (containers, volumes, env, ...) merge their items by that key; every
other list is replaced, as the Kubernetes schema does for RBAC ``rules``, binding
``subjects`` and projected volume ``sources``. A patch never renames its target: its
``apiVersion``, ``kind``, ``metadata.name`` and ``metadata.namespace`` select it.

Every mapping a patch touches takes the patch's file and line, so a finding about a
value an overlay changed points at the overlay.
"""

from __future__ import annotations

from typing import Any

from driftgate.analyzer.extract.kubernetes.kustomize_nodes import (
    MAX_ENTRIES,
    Budget,
    Node,
    Refused,
    Resource,
    clone,
)

MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "env": "name",
    "imagePullSecrets": "name",
    "volumeMounts": "mountPath",
}
_IDENTITY_KEYS = ("apiVersion", "kind")


class _Deleted:
    """What merging ``$patch: delete`` yields."""


DELETED = _Deleted()


class PatchError(Exception):
    """The patch cannot apply (kustomize would fail the build); reported, then skipped."""


def strategic_merge(resource: Resource, patch: Node, budget: Budget) -> bool:
    """Merge ``patch`` into the object; False when the patch deletes the object."""
    if patch.get("$patch") == "delete":
        return False
    body = Node(patch.path, patch.line, patch.end_line)
    for key, value in patch.items():
        if key in _IDENTITY_KEYS:
            continue
        if key == "metadata" and isinstance(value, Node):
            meta = Node(value.path, value.line, value.end_line)
            meta.update((k, v) for k, v in value.items() if k not in ("name", "namespace"))
            value = meta
        body[key] = value
    merged = _merge(resource.data, body, budget, 0)
    if isinstance(merged, Node):
        resource.data = merged
    return True


def _merge(base: Any, patch: Any, budget: Budget, depth: int) -> Any:
    if depth > 250:
        raise Refused("strategic merge deeper than 250 levels")
    if isinstance(patch, dict):
        directive = patch.get("$patch")
        if directive == "delete":
            return DELETED
        if directive == "replace" or not isinstance(base, Node):
            return _strip(clone(patch, budget))
        for key, value in patch.items():
            if isinstance(key, str) and key.startswith("$"):
                continue  # $setElementOrder, $retainKeys, ...: ordering and pruning hints
            if value is None:
                base.pop(key, None)
                continue
            merge_key = MERGE_KEYS.get(key) if isinstance(key, str) else None
            current = base.get(key)
            if merge_key and isinstance(value, list) and isinstance(current, list):
                base[key] = _merge_list(current, value, merge_key, budget, depth)
                continue
            result = _merge(current, value, budget, depth + 1)
            if result is DELETED:
                base.pop(key, None)
            else:
                base[key] = result
        if isinstance(patch, Node):
            base.take_origin(patch)
        return base
    if isinstance(patch, list):
        return _strip(clone(patch, budget))
    return patch


def _merge_list(
    base: list[Any], patch: list[Any], key: str, budget: Budget, depth: int
) -> list[Any]:
    if any(isinstance(item, dict) and item.get("$patch") == "replace" for item in patch):
        return [
            _strip(clone(item, budget))
            for item in patch
            if not (isinstance(item, dict) and item.get("$patch") == "replace")
        ]
    result = list(base)
    for item in patch:
        wanted = item.get(key) if isinstance(item, dict) else None
        if wanted is None or isinstance(wanted, (dict, list)):
            result.append(_strip(clone(item, budget)))
            continue
        index = next(
            (i for i, old in enumerate(result) if isinstance(old, dict) and old.get(key) == wanted),
            None,
        )
        if item.get("$patch") == "delete":
            if index is not None:
                del result[index]
            continue
        if index is None:
            result.append(_strip(clone(item, budget)))
        else:
            merged = _merge(result[index], item, budget, depth + 1)
            if merged is not DELETED:
                result[index] = merged
    return result


def _strip(value: Any) -> Any:
    """A patch value without its ``$`` directives, for where nothing is merged into."""
    if isinstance(value, dict):
        for key in [k for k in value if isinstance(k, str) and k.startswith("$")]:
            del value[key]
        for item in value.values():
            _strip(item)
    elif isinstance(value, list):
        value[:] = [
            _strip(item)
            for item in value
            if not (isinstance(item, dict) and item.get("$patch") == "delete")
        ]
    return value


# --- JSON 6902 ------------------------------------------------------------------------


def json_patch(resource: Resource, ops: list[Any], budget: Budget) -> int:
    """Apply the operations to a copy, then keep it; the line of the first op applied.

    Raises PatchError when an operation cannot apply (the object is then unchanged).
    """
    if len(ops) > MAX_ENTRIES:
        raise PatchError(f"more than {MAX_ENTRIES} operations")
    document = clone(resource.data, budget)
    first = 0
    for op in ops:
        if not isinstance(op, Node):
            raise PatchError("a JSON patch operation is not a mapping")
        _operation(document, op, budget)
        first = first or op.line
    if isinstance(document, Node):
        resource.data = document
    return first


def _operation(document: Node, op: Node, budget: Budget) -> None:
    name, path = op.get("op"), op.get("path")
    if not isinstance(name, str) or not isinstance(path, str):
        raise PatchError("a JSON patch operation needs 'op' and 'path'")
    if name == "test":
        if _get(document, path) != op.get("value"):
            raise PatchError(f"test failed at {path}")
        return
    if name in ("add", "replace"):
        if "value" not in op:
            raise PatchError(f"{name} at {path} has no value")
        value = clone(op["value"], budget)
    elif name in ("move", "copy"):
        source = op.get("from")
        if not isinstance(source, str):
            raise PatchError(f"{name} to {path} has no 'from'")
        if name == "move" and (path + "/").startswith(source + "/"):
            raise PatchError(f"cannot move {source} into itself")
        value = clone(_get(document, source), budget)
        if name == "move":
            _remove(document, source, op)
        name = "add"
    elif name == "remove":
        _remove(document, path, op)
        return
    else:
        raise PatchError(f"unsupported JSON patch op {name!r}")
    container, last, holder = _parent(document, path)
    if isinstance(container, dict):
        if name == "replace" and last not in container:
            raise PatchError(f"replace: {path} does not exist")
        container[last] = value
    else:
        if last == "-" and name == "add":
            container.append(value)
        else:
            index = _index(container, last, path, inserting=name == "add")
            if name == "add":
                container.insert(index, value)
            else:
                container[index] = value
    holder.take_origin(op)


def _remove(document: Node, path: str, op: Node) -> None:
    container, last, holder = _parent(document, path)
    if isinstance(container, dict):
        if last not in container:
            raise PatchError(f"remove: {path} does not exist")
        del container[last]
    else:
        del container[_index(container, last, path, inserting=False)]
    holder.take_origin(op)


def _tokens(path: str) -> list[str]:
    if not path.startswith("/"):
        raise PatchError(f"JSON pointer {path!r} does not start with '/'")
    return [token.replace("~1", "/").replace("~0", "~") for token in path[1:].split("/")]


def _index(container: list[Any], token: str, path: str, *, inserting: bool) -> int:
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")):
        raise PatchError(f"{path}: {token!r} is not a list index")
    index = int(token)
    if index > len(container) or (index == len(container) and not inserting):
        raise PatchError(f"{path}: index {index} is out of range")
    return index


def _step(value: Any, token: str, path: str) -> Any:
    if isinstance(value, dict):
        if token not in value:
            raise PatchError(f"{path} does not exist")
        return value[token]
    if isinstance(value, list):
        return value[_index(value, token, path, inserting=False)]
    raise PatchError(f"{path} does not exist")


def _get(document: Node, path: str) -> Any:
    value: Any = document
    for token in _tokens(path) if path else []:
        value = _step(value, token, path)
    return value


def _parent(document: Node, path: str) -> tuple[dict[Any, Any] | list[Any], str, Node]:
    """The container of the path's last token, that token, and the nearest mapping."""
    tokens = _tokens(path)
    value: Any = document
    holder = document
    for token in tokens[:-1]:
        value = _step(value, token, path)
        if isinstance(value, Node):
            holder = value
    if not isinstance(value, (dict, list)):
        raise PatchError(f"{path}: parent is not a mapping or a list")
    return value, tokens[-1], holder
