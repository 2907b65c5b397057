"""Azure RBAC: a role (or an action of a custom role) at a scope path and below it."""

from __future__ import annotations

from analyzer.model import Permission
from analyzer.permissions.globs import matches

# Built-in roles that include others: Owner ⊇ Contributor ⊇ Reader.
_RANK = {"owner": 3, "contributor": 2, "reader": 1}


def _action_covers(broad: str, narrow: str) -> bool:
    b, n = broad.lower(), narrow.lower()
    if b == n:
        return True
    if b in _RANK and n in _RANK:
        return _RANK[b] >= _RANK[n]
    # Custom role actions are glob patterns (Microsoft.Storage/*/read).
    return "/" in b and matches(b, n, case_sensitive=False)


def _scope_covers(broad: str, narrow: str) -> bool:
    b, n = broad.rstrip("/").lower(), narrow.rstrip("/").lower()
    return b == n or n.startswith(b + "/") or b == ""


def covers(broad: Permission, narrow: Permission) -> bool:
    return _action_covers(broad.action, narrow.action) and _scope_covers(
        broad.resource, narrow.resource
    )
