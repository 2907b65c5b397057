"""Vault: capabilities on policy paths, auth roles that let workloads log in."""

from __future__ import annotations

from collections.abc import Iterable

from driftgate.analyzer.model import Permission
from driftgate.analyzer.permissions import vault as algebra
from driftgate.analyzer.permissions.index import Unfiled
from driftgate.analyzer.providers import aws
from driftgate.analyzer.providers.conditions import Condition, opaque
from driftgate.analyzer.providers.spec import Level, ProviderSpec

_WRITE = frozenset({"create", "update", "patch", "delete"})
_ADMIN_PATHS = ("sys/", "auth/", "identity/")
_GLOB_CLAIMS = "bound_claims_type: glob"


def _is_aws(permission: Permission) -> bool:
    # The AWS secrets engine's roles carry AWS actions (``s3:GetObject``): judged as AWS.
    return ":" in permission.action


def covers(broad: Permission, narrow: Permission) -> bool:
    if _is_aws(broad) and _is_aws(narrow):
        return aws.SPEC.covers(broad, narrow)
    return algebra.covers(broad, narrow)


def level(permission: Permission) -> Level:
    if _is_aws(permission):
        return aws.level(permission)
    capability = permission.action.lower()
    if capability in ("sudo", "*"):
        return "escalation"
    if capability in _WRITE:
        return "admin" if permission.resource.startswith(_ADMIN_PATHS) else "write"
    if capability in ("read", "list", "subscribe"):
        return "read"
    return "unknown"


def _condition(text: str, glob_claims: bool) -> Condition:
    key, sep, rest = text.partition(": ")
    if not sep:
        return opaque(text)
    values = tuple(v for v in rest.split(", ") if v)
    if key.endswith("cidrs"):
        return Condition(key=key, family="ip", values=values, text=text)
    if key == "namespace selector":
        return Condition(key=key, family="opaque", values=(rest,), text=text)
    glob = glob_claims and key != "issuer"
    return Condition(key=key, family="string", values=values, glob=glob, text=text)


def conditions(texts: Iterable[str]) -> list[Condition]:
    """An auth role's bounds (``bound_claims: …``); globs only under bound_claims_type glob."""
    texts = list(texts)
    glob_claims = _GLOB_CLAIMS in texts
    return [_condition(t, glob_claims) for t in texts if t != _GLOB_CLAIMS]


SPEC = ProviderSpec(
    name="vault",
    covers=covers,
    level=level,
    # Few permissions per identity, and AWS actions beside Vault paths: every one is asked.
    index=Unfiled,
    # The AWS secrets engine attaches AWS managed policies by ARN.
    policy_level=aws.policy_level,
    parse_conditions=conditions,
    trust_verb=lambda trust: "log in to",
    # A Vault role is logged into by workloads' tokens, not impersonated by people.
    lets_people_in=lambda trust: False,
)
