"""Azure RBAC: a role (or an action of a custom role) at a scope path and below it.

Two built-in roles the packaged catalog knows compare by what they allow: one covers
another when each of the other's actions and data actions is matched by one of its own
and excluded by none of its notActions / notDataActions. Others compare by the families
below.

Any role may include another, so :data:`INDEX` files assignments by scope only: one
covering an assignment at a scope is at that scope or one of its ancestors.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable
from dataclasses import dataclass

from driftgate.analyzer import vendor_roles
from driftgate.analyzer.model import Permission
from driftgate.analyzer.permissions.globs import matches
from driftgate.analyzer.permissions.index import Paths


@dataclass(frozen=True, slots=True)
class RoleActions:
    """What a built-in role allows, control plane and data plane, as Microsoft writes it."""

    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    data_actions: tuple[str, ...]
    not_data_actions: tuple[str, ...]

    def allows(self, action: str, data: bool) -> bool:
        allow, deny = (
            (self.data_actions, self.not_data_actions) if data else (self.actions, self.not_actions)
        )
        # ``action`` may itself be a pattern (User Access Administrator's
        # Microsoft.Authorization/*): any overlap with an exclusion is not covered.
        return any(_glob(a, action) for a in allow) and not any(
            _glob(n, action) or _glob(action, n) for n in deny
        )


def _glob(pattern: str, action: str) -> bool:
    return pattern.lower() == action.lower() or matches(pattern, action, case_sensitive=False)


@functools.cache
def role_actions(role: str) -> RoleActions | None:
    """A built-in role's actions; None for a name the catalog does not hold."""
    if "/" in role and not role.lower().startswith("/"):
        return None  # a custom role's action pattern, not a role
    found = vendor_roles.azure_role(role)
    if found is None:
        return None
    return RoleActions(found.actions, found.not_actions, found.data_actions, found.not_data_actions)


@functools.cache
def _catalog_covers(broad: str, narrow: str) -> bool | None:
    b, n = role_actions(broad), role_actions(narrow)
    if b is None or n is None:
        return None
    return all(b.allows(a, False) for a in n.actions) and all(
        b.allows(a, True) for a in n.data_actions
    )


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
    judged = _catalog_covers(b, n)
    if judged is not None:
        return judged
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


def _path(p: Permission) -> str:
    """The scope as :func:`_scope_covers` compares it."""
    return p.resource.rstrip("/").lower()


def _action(p: Permission) -> Hashable:
    """What the spec's ``same_action`` compares: the role, in any case."""
    return p.action.lower()


INDEX = Paths(path=_path, action=_action)
