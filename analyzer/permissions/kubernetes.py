"""Kubernetes RBAC: a verb on ``group/resource[/subresource][#name]`` in a namespace.

``scope`` is the namespace the permission holds in, ``*`` for the whole cluster.
Non-resource URLs are ``url:/healthz``-style resources.

:data:`INDEX` files rules by namespace, verb, apiGroup, resource and resourceName, each
either the value itself or what covers every value (``*``, no resourceName), so a
question about one rule looks at a few buckets rather than at every rule of a role.
"""

from __future__ import annotations

from collections.abc import Hashable

from driftgate.analyzer.model import Permission
from driftgate.analyzer.permissions.globs import matches
from driftgate.analyzer.permissions.index import Keys

URL = "url:"


def split(resource: str) -> tuple[str, str, str]:
    """``apps/deployments/scale#web`` → (``apps``, ``deployments/scale``, ``web``)."""
    target, _, name = resource.partition("#")
    group, _, kind = target.partition("/")
    return group, kind, name


def _part(broad: str, narrow: str) -> bool:
    return broad in ("*", narrow)


def _kind(broad: str, narrow: str) -> bool:
    """``*`` is every resource and subresource; ``pods/*`` every subresource of pods;
    ``*/scale`` that subresource of every resource; ``pods`` does not include ``pods/exec``.
    """
    if broad == "*" or broad == narrow:
        return True
    return "/" in broad and "*" in broad and matches(broad, narrow)


def covers(broad: Permission, narrow: Permission) -> bool:
    if not _part(broad.scope or "*", narrow.scope or "*"):
        return False
    if not _part(broad.action.lower(), narrow.action.lower()):
        return False
    b_url, n_url = broad.resource.startswith(URL), narrow.resource.startswith(URL)
    if b_url or n_url:
        if not (b_url and n_url):
            return False
        b, n = broad.resource[len(URL) :], narrow.resource[len(URL) :]
        # A trailing * is a prefix match (RBAC's only wildcard for URLs).
        return b == n or (b.endswith("*") and n.startswith(b[:-1]))
    b_group, b_kind, b_name = split(broad.resource)
    n_group, n_kind, n_name = split(narrow.resource)
    # No resourceName allows every object of the kind.
    return _part(b_group, n_group) and _kind(b_kind, n_kind) and (not b_name or b_name == n_name)


def same_verb_and_kind(a: Permission, b: Permission) -> bool:
    """The same verb on the same kind of object, whatever the namespace or object name."""
    return a.action.lower() == b.action.lower() and split(a.resource)[:2] == split(b.resource)[:2]


def restricted_by_name(base: Permission, head: Permission) -> bool:
    """``head`` drops the ``resourceNames`` restriction ``base`` had on the same verb/kind."""
    return (
        same_verb_and_kind(base, head)
        and bool(split(base.resource)[2])
        and not split(head.resource)[2]
    )


# The resource-key part of a subresource pattern (``pods/*``, ``*/scale``): matched by
# ``covers``, so filed apart and sought by every question about a resource.
_PATTERN = None


def _filed(p: Permission) -> tuple[Hashable, ...]:
    scope, verb = p.scope or "*", p.action.lower()
    if p.resource.startswith(URL):
        # Few per identity, and matched by prefix: one bucket per namespace and verb.
        return scope, verb, URL, "", ""
    group, kind, name = split(p.resource)
    pattern = kind != "*" and "/" in kind and "*" in kind
    return scope, verb, group, _PATTERN if pattern else kind, name


def _or_any(value: str, anything: str = "*") -> tuple[str, ...]:
    return (anything,) if value == anything else (anything, value)


def _sought(p: Permission) -> tuple[tuple[Hashable, ...], ...]:
    """What a rule covering ``p`` has in each part of :func:`_filed`, as ``covers`` reads
    it: ``*`` or the same namespace and verb; a URL for a URL; ``*`` or the same group;
    ``*``, a subresource pattern or the same resource; no resourceName or the same one."""
    scope, verb = _or_any(p.scope or "*"), _or_any(p.action.lower())
    if p.resource.startswith(URL):
        return scope, verb, (URL,), ("",), ("",)
    group, kind, name = split(p.resource)
    kinds: tuple[Hashable, ...] = ("*", _PATTERN) if kind == "*" else ("*", _PATTERN, kind)
    return scope, verb, _or_any(group), kinds, _or_any(name, "")


def _action(p: Permission) -> Hashable:
    """What :func:`same_verb_and_kind` compares."""
    return p.action.lower(), *split(p.resource)[:2]


INDEX = Keys(filed=_filed, sought=_sought, action=_action)
