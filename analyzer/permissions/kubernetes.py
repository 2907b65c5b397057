"""Kubernetes RBAC: a verb on ``group/resource[/name]`` in a namespace or cluster-wide.

``scope`` is the namespace the permission holds in, ``*`` for the whole cluster.
"""

from __future__ import annotations

from analyzer.model import Permission


def _split(resource: str) -> tuple[str, str, str]:
    group, _, rest = resource.partition("/")
    kind, _, name = rest.partition("/")
    return group, kind, name


def _part(broad: str, narrow: str) -> bool:
    return broad in ("*", narrow)


def covers(broad: Permission, narrow: Permission) -> bool:
    if not _part(broad.scope or "*", narrow.scope or "*"):
        return False
    if not _part(broad.action.lower(), narrow.action.lower()):
        return False
    if broad.resource.startswith("/") or narrow.resource.startswith("/"):
        # nonResourceURLs: a trailing * is a prefix match.
        b = broad.resource
        return b == narrow.resource or (b.endswith("*") and narrow.resource.startswith(b[:-1]))
    b_group, b_kind, b_name = _split(broad.resource)
    n_group, n_kind, n_name = _split(narrow.resource)
    # No resourceName allows every object of the kind.
    return _part(b_group, n_group) and _part(b_kind, n_kind) and (not b_name or b_name == n_name)


def same_verb_and_kind(a: Permission, b: Permission) -> bool:
    """The same verb on the same kind of object, whatever the namespace or object name."""
    return a.action.lower() == b.action.lower() and _split(a.resource)[:2] == _split(b.resource)[:2]


def restricted_by_name(base: Permission, head: Permission) -> bool:
    """``head`` drops the ``resourceNames`` restriction ``base`` had on the same verb/kind."""
    return (
        same_verb_and_kind(base, head)
        and bool(_split(base.resource)[2])
        and not _split(head.resource)[2]
    )
