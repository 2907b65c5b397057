"""Does one permission cover another? Wildcards on action, resource and scope.

This is the exact-match-with-wildcards comparison of the walking skeleton; the full
per-provider algebra (NotAction, conditions, resource hierarchies) replaces it later.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

from analyzer.model import Permission


def _glob(pattern: str, value: str) -> bool:
    # IAM wildcards are * and ?; brackets are literal in ARNs, so escape them.
    return fnmatchcase(value, pattern.replace("[", "[[]"))


def covers(broad: Permission, narrow: Permission) -> bool:
    """True when ``broad`` allows everything ``narrow`` allows."""
    if broad.action.startswith("NOT ") or broad.resource.startswith("NOT "):
        return broad == narrow
    return (
        _glob(broad.action.lower(), narrow.action.lower())
        and _glob(broad.resource, narrow.resource)
        and (broad.scope in ("*", narrow.scope))
    )


def covered(permission: Permission, by: Iterable[Permission]) -> bool:
    return any(covers(b, permission) for b in by)
