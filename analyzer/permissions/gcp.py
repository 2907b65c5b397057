"""GCP IAM: a role on a resource path; a role held higher in the path holds below it."""

from __future__ import annotations

from analyzer.model import Permission

# Basic roles: owner ⊇ editor ⊇ viewer. Predefined roles are compared by name only; a
# role catalogue would let narrower predefined roles be judged against basic ones.
_BASIC = {"roles/owner": 3, "roles/editor": 2, "roles/viewer": 1}


def _role_covers(broad: str, narrow: str) -> bool:
    if broad == narrow:
        return True
    b, n = _BASIC.get(broad), _BASIC.get(narrow)
    return b is not None and n is not None and b >= n


def _resource_covers(broad: str, narrow: str) -> bool:
    """``projects/p`` covers ``projects/p/secrets/s``; org and folder ancestry is unknown."""
    return broad == narrow or narrow.startswith(broad.rstrip("/") + "/")


def covers(broad: Permission, narrow: Permission) -> bool:
    return _role_covers(broad.action, narrow.action) and _resource_covers(
        broad.resource, narrow.resource
    )
