"""Azure RBAC: a role (or an action of a custom role) at a scope path and below it."""

from __future__ import annotations

from driftgate.analyzer.model import Permission
from driftgate.analyzer.permissions.globs import matches

# Built-in roles that include others: Owner ⊇ Contributor ⊇ Reader, and the data-plane
# families "<X> Data Owner" ⊇ "<X> Data Contributor" ⊇ "<X> Data Reader" (Microsoft's
# documented role families, written here by hand).
_RANK = {"owner": 3, "contributor": 2, "reader": 1}
_DATA_RANK = {"owner": 3, "contributor": 2, "reader": 1}


def _family(role: str) -> tuple[str, int] | None:
    """``storage blob data reader`` → (``storage blob data``, 1)."""
    head, _, last = role.rpartition(" ")
    if head.endswith(" data") and last in _DATA_RANK:
        return head, _DATA_RANK[last]
    return None


def _action_covers(broad: str, narrow: str) -> bool:
    b, n = broad.lower(), narrow.lower()
    if b == n or b == "owner":
        return True
    if b in _RANK and n in _RANK:
        return _RANK[b] >= _RANK[n]
    bf, nf = _family(b), _family(n)
    if bf is not None and nf is not None:
        return bf[0] == nf[0] and bf[1] >= nf[1]
    if b == "*":
        return "/" in n  # a custom role's "*": every control-plane action, no role name
    # Custom role actions are glob patterns (Microsoft.Storage/*/read).
    return "/" in b and matches(b, n, case_sensitive=False)


def _scope_covers(broad: str, narrow: str) -> bool:
    b, n = broad.rstrip("/").lower(), narrow.rstrip("/").lower()
    return b == n or n.startswith(b + "/") or b == ""


def covers(broad: Permission, narrow: Permission) -> bool:
    return _action_covers(broad.action, narrow.action) and _scope_covers(
        broad.resource, narrow.resource
    )
