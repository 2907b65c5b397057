"""One home per provider: what driftgate knows of each, asked by name.

``SPECS`` is the one table of providers (a :class:`ProviderSpec` per provider the model
can name); each spec lives in its own module here and uses its permission algebra in
:mod:`driftgate.analyzer.permissions`. Checks, the diff and the reports call
:func:`spec` (or the helpers below) and never test a provider's name themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import get_args

from driftgate.analyzer.model import Grant, Identity, Permission
from driftgate.analyzer.model.entities import Provider
from driftgate.analyzer.permissions.globs import matches
from driftgate.analyzer.providers import aws, azure, gcp, kubernetes, vault
from driftgate.analyzer.providers.spec import (
    LEVEL_ORDER,
    Danger,
    DefaultIdentity,
    Level,
    ProviderSpec,
    Rights,
    Wildcard,
)

SPECS: Mapping[Provider, ProviderSpec] = {
    "aws": aws.SPEC,
    "gcp": gcp.SPEC,
    "azure": azure.SPEC,
    "kubernetes": kubernetes.SPEC,
    "vault": vault.SPEC,
}
PROVIDERS: tuple[Provider, ...] = get_args(Provider)
_BY_NAME: dict[str, ProviderSpec] = dict(SPECS.items())


class UnknownProvider(KeyError):
    """A provider without a spec: a programming error, never a silent default."""


def spec(provider: str) -> ProviderSpec:
    found = _BY_NAME.get(provider)
    if found is None:
        raise UnknownProvider(f"driftgate has no provider spec for {provider!r}")
    return found


def same_provider(a: Identity, b: Identity) -> bool:
    """Both identities are of one provider, so their permissions compare."""
    return a.provider == b.provider


def covers(provider: str, broad: Permission, narrow: Permission) -> bool:
    """True when ``broad`` allows everything ``narrow`` allows."""
    return broad == narrow or spec(provider).covers(broad, narrow)


def covered(provider: str, permission: Permission, by: Iterable[Permission]) -> bool:
    return any(covers(provider, b, permission) for b in by)


def same_action(provider: str, a: Permission, b: Permission) -> bool:
    """The same action (verb, role, capability) whatever it applies to."""
    return spec(provider).same_action(a, b)


def level(permission: Permission, provider: str) -> Level:
    """How much a permission is worth: read, write, admin or escalation."""
    return spec(provider).level(permission)


def principal_covers(broad: str, narrow: str) -> bool:
    """Whoever ``narrow`` names is also named by ``broad``: the same principal, anyone
    (``*``), a provider's own rule (an AWS account root), or a wildcard pattern."""
    if broad == narrow or broad == "*":
        return True
    for found in SPECS.values():
        judged = found.principal_covers(broad, narrow)
        if judged is not None:
            return judged
    return matches(broad, narrow)


def human(principal: str) -> str | None:
    """What a principal is when it is a person, an account root or anyone; else None."""
    if principal == "*":
        return "anyone"
    return next((w for s in SPECS.values() if (w := s.human_principal(principal))), None)


def principal_account(principal: str) -> str | None:
    """The account a principal belongs to, when its notation names one."""
    return next((a for s in SPECS.values() if (a := s.principal_account(principal))), None)


def grant_level(grant: Grant, provider: str) -> Level:
    """The most a grant's permissions, or the managed policy it names, are worth."""
    found = spec(provider)
    levels = [found.level(p) for p in grant.permissions]
    if grant.unresolved and grant.policy is not None:
        levels.append(found.policy_level(grant.policy))
    return max(levels, key=LEVEL_ORDER.__getitem__, default="unknown")


__all__ = [
    "LEVEL_ORDER",
    "PROVIDERS",
    "SPECS",
    "Danger",
    "DefaultIdentity",
    "Level",
    "ProviderSpec",
    "Rights",
    "UnknownProvider",
    "Wildcard",
    "covered",
    "covers",
    "grant_level",
    "human",
    "level",
    "principal_account",
    "principal_covers",
    "same_action",
    "same_provider",
    "spec",
]
