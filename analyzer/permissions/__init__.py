"""The permission algebra: does one permission allow everything another allows?

One module per provider holds that provider's vocabulary (DESIGN.md §4); this module
dispatches on the identity's provider. Everything here is pure and total: any input,
however hostile, yields True or False, never an exception.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from driftgate.analyzer.model import Permission
from driftgate.analyzer.permissions import aws, azure, gcp, kubernetes, vault

Covers = Callable[[Permission, Permission], bool]

_COVERS: dict[str, Covers] = {
    "aws": aws.covers,
    "kubernetes": kubernetes.covers,
    "gcp": gcp.covers,
    "azure": azure.covers,
    "vault": vault.covers,
}


def covers(provider: str, broad: Permission, narrow: Permission) -> bool:
    """True when ``broad`` allows everything ``narrow`` allows."""
    if broad == narrow:
        return True
    # Vault's AWS secrets-engine roles carry AWS actions: judge them as AWS.
    if provider != "aws" and ":" in narrow.action and ":" in broad.action:
        return aws.covers(broad, narrow)
    return _COVERS.get(provider, _equal)(broad, narrow)


def covered(provider: str, permission: Permission, by: Iterable[Permission]) -> bool:
    return any(covers(provider, b, permission) for b in by)


def same_action(provider: str, a: Permission, b: Permission) -> bool:
    """The same action (verb, role, capability) whatever it applies to."""
    if provider == "kubernetes":
        return kubernetes.same_verb_and_kind(a, b)
    return a.action.lower() == b.action.lower()


def _equal(broad: Permission, narrow: Permission) -> bool:
    return broad == narrow
