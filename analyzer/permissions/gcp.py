"""GCP IAM: a role on a resource path; a role held higher in the path holds below it.

Two roles the packaged catalog knows (predefined and basic roles) compare by their
permissions: one covers another when it includes all of its permissions. Others (custom
roles, roles newer than the catalog) compare by the families Google documents:
``roles/owner`` includes every role (it can grant itself any); ``roles/editor`` ⊇
``roles/viewer``; within one service, ``<service>.admin`` includes that service's other
roles, and an editor/user/developer role includes its viewer/reader. Anything else
compares by name only (never a guess that hides growth).

Any role may include another, so :data:`INDEX` files bindings by resource only: a binding
covering one on ``projects/p/secrets/s`` is on that path or one of its ancestors.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable

from driftgate.analyzer import vendor_roles
from driftgate.analyzer.model import Permission
from driftgate.analyzer.permissions.index import Paths

_BASIC = {"roles/owner": 3, "roles/editor": 2, "roles/viewer": 1}
_READERS = ("viewer", "reader", "objectviewer", "browser")
_WRITERS = ("editor", "user", "developer", "objectadmin", "writer", "invoker")


def _service_and_level(role: str) -> tuple[str, str] | None:
    if not role.startswith("roles/") or "." not in role:
        return None
    service, _, name = role[len("roles/") :].partition(".")
    return service, name.lower()


@functools.cache
def role_permissions(role: str) -> frozenset[str] | None:
    """The permissions of a predefined or basic role; None for one the catalog lacks."""
    found = vendor_roles.gcp_role(role) if role.startswith("roles/") else None
    return frozenset(found.permissions) if found is not None else None


def role_known(role: str) -> bool:
    """Whether a role is a custom one (named by its project or organisation), or a
    predefined or basic one the catalog holds."""
    return not role.startswith("roles/") or role_permissions(role) is not None


@functools.cache
def _role_covers(broad: str, narrow: str) -> bool:
    if broad == narrow or broad == "roles/owner":
        return True
    b_perms, n_perms = role_permissions(broad), role_permissions(narrow)
    if b_perms is not None and n_perms is not None:
        return n_perms <= b_perms
    b, n = _BASIC.get(broad), _BASIC.get(narrow)
    if b is not None and n is not None:
        return b >= n
    bs, ns = _service_and_level(broad), _service_and_level(narrow)
    if bs is None or ns is None or bs[0] != ns[0]:
        return False
    if bs[1] == "admin":
        return True
    if bs[1] == "objectadmin" and ns[1].startswith("object"):
        return True  # storage.objectAdmin ⊇ objectCreator, objectViewer, objectUser
    return bs[1] in _WRITERS and ns[1] in _READERS


def _resource_covers(broad: str, narrow: str) -> bool:
    """``projects/p`` covers ``projects/p/secrets/s``; org and folder ancestry is unknown."""
    return broad == narrow or narrow.startswith(broad.rstrip("/") + "/")


def covers(broad: Permission, narrow: Permission) -> bool:
    return _role_covers(broad.action, narrow.action) and _resource_covers(
        broad.resource, narrow.resource
    )


def _path(p: Permission) -> str:
    """The resource as :func:`_resource_covers` cuts it."""
    return p.resource.rstrip("/")


def _action(p: Permission) -> Hashable:
    """What the spec's ``same_action`` compares: the role, in any case."""
    return p.action.lower()


INDEX = Paths(path=_path, action=_action)
