"""AWS IAM resources (Terraform) → identities, grants, trusts, credentials, workloads.

The resources are read in phases (:mod:`..dispatch`) so that whatever a resource refers
to is known by the time it is read: policies and data sources, then identities, then the
resources others point into (instance profiles, secrets, SageMaker models), then
credentials, then everything else. Group grants reach the group's members once every
membership has been read.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from driftgate.analyzer import vendor_roles
from driftgate.analyzer.extract.aws import iam as aws_iam
from driftgate.analyzer.extract.aws import policy as aws_policy
from driftgate.analyzer.extract.aws import secrets as aws_secrets
from driftgate.analyzer.extract.aws import workloads as aws_workloads
from driftgate.analyzer.extract.aws.common import (
    AwsContext,
    managed_policy,
    tags_of,
    text,
    text_line,
    unresolved_text,
)
from driftgate.analyzer.extract.aws.definitions import add_definitions
from driftgate.analyzer.extract.context import Report, ignore
from driftgate.analyzer.extract.dispatch import Dispatch, Phase, handles
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.model import Grant, Identity, Location, Model, Unknown
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import UnknownValue, Value, display

_IDENTITY_KINDS = {"aws_iam_role": "role", "aws_iam_user": "user"}
_INLINE_POLICIES = {
    "aws_iam_role_policy": "role",
    "aws_iam_user_policy": "user",
    "aws_iam_group_policy": "group",
}
_ATTACHMENTS = {
    "aws_iam_role_policy_attachment": "role",
    "aws_iam_user_policy_attachment": "user",
    "aws_iam_group_policy_attachment": "group",
}
_DATA_SOURCES = {"aws_iam_role", "aws_iam_user", "aws_iam_group", "aws_iam_policy"}


def _readable_name(inst: ResourceInstance) -> str:
    """A name a reviewer recognises: the role's name, its name_prefix followed by "…",
    else the module call that creates it or the resource's address, never `this` or `-`
    alone."""
    name = text(inst.get("name"))
    if name and any(c.isalnum() for c in name):
        return name
    prefix = text(inst.get("name_prefix"))
    if prefix and any(c.isalnum() for c in prefix):
        return f"{prefix}…"
    return inst.module_prefix.rstrip(".") or inst.address


def identity(ctx: AwsContext, inst: ResourceInstance) -> None:
    kind = _IDENTITY_KINDS[inst.type]
    tags = tags_of(inst)
    name = _readable_name(inst)
    address = inst.full_address
    ctx.model.identities[address] = Identity(
        address=address,
        # The account is not in the configuration; the ARN is known only at apply.
        principal=Unknown(unknown=f"{inst.address}.arn"),
        provider="aws",
        kind=kind,
        name=name,
        environment=ctx.environment(inst, tags),
        owner=ctx.owner(inst),
        labels=tags,
        location=ctx.location(inst),
        module_calls=ctx.calls(inst),
    )
    ctx.register(inst, name)
    if kind == "role":
        policy = inst.get("assume_role_policy")
        if policy is not None:
            via = f"{inst.address}.assume_role_policy"
            where = ctx.location(inst, "assume_role_policy")
            line = text_line(inst, "assume_role_policy")
            ctx.model.trusts.extend(aws_policy.trusts(address, policy, via, where, line))
        for inline in inst.children("inline_policy"):
            if inline.has("policy"):
                where = Location(path=inst.path, line=inline.line_of("policy"))
                policy_name = text(inline.get("name")) or ""
                via = f"{inst.address} inline_policy {policy_name}"
                value = inline.get("policy")
                if inline.unknown is not None:
                    value = UnknownValue(inline.unknown)
                grants = aws_policy.grants(address, value, via.rstrip(), where)
                ctx.model.grants.extend(grants)
        arns = inst.get("managed_policy_arns")
        if isinstance(arns, list):
            for arn in arns:
                ctx.model.grants.extend(
                    policy_grants(ctx, address, arn, inst, "managed_policy_arns")
                )
    aws_iam.session_and_boundary(ctx, inst, address, tags)


def group(ctx: AwsContext, inst: ResourceInstance) -> None:
    """A group is no principal (nothing authenticates as it): its grants go to members."""
    name = text(inst.get("name")) or inst.name
    ctx.register(inst, name)
    ctx.group_grants.setdefault(inst.full_address, [])


def _give(ctx: AwsContext, kind: str, address: str, grants: Iterable[Grant]) -> None:
    if kind == "group":
        ctx.group_grants.setdefault(address, []).extend(grants)
    else:
        ctx.model.grants.extend(grants)


def _grantee(
    ctx: AwsContext, inst: ResourceInstance, kind: str, attribute: str, value: Value
) -> str | None:
    """Roles and users are kept when unresolved; a group's members would be unknown."""
    if kind == "group":
        found = ctx.resolve(inst, kind, value)
        if found is None and value is not None:
            ctx.warn_unresolved(
                inst,
                inst.line_of(attribute),
                f"its group {display(value)} is not declared in what driftgate read; "
                "who it grants to is unknown",
            )
        return found
    return ctx.grantee(inst, kind, attribute, value)


def inline_policy(ctx: AwsContext, inst: ResourceInstance) -> None:
    kind = _INLINE_POLICIES[inst.type]
    target = _grantee(ctx, inst, kind, kind, inst.get(kind))
    if target is None:
        return
    where = ctx.location(inst, "policy")
    policy = inst.get("policy")
    line = text_line(inst, "policy")
    _give(ctx, kind, target, aws_policy.grants(target, policy, inst.address, where, line))


def attachment(ctx: AwsContext, inst: ResourceInstance) -> None:
    kind = _ATTACHMENTS[inst.type]
    target = _grantee(ctx, inst, kind, kind, inst.get(kind))
    if target is not None:
        _give(ctx, kind, target, policy_grants(ctx, target, inst.get("policy_arn"), inst))


def exclusive_attachment(ctx: AwsContext, inst: ResourceInstance) -> None:
    """``aws_iam_policy_attachment``: one policy to lists of users, roles and groups."""
    arn = inst.get("policy_arn")
    for attribute, kind in (("users", "user"), ("roles", "role"), ("groups", "group")):
        members = inst.get(attribute)
        if isinstance(members, UnknownValue):
            members = [members]  # which ones is unknown: kept as one unresolved grantee
        for member in members if isinstance(members, list) else []:
            target = _grantee(ctx, inst, kind, attribute, member)
            if target is not None:
                _give(ctx, kind, target, policy_grants(ctx, target, arn, inst))


def policy_grants(
    ctx: AwsContext,
    identity: str,
    arn: Value,
    inst: ResourceInstance,
    attribute: str = "policy_arn",
) -> list[Grant]:
    """The grants of the policy ``arn`` names: its statements when declared here."""
    where = ctx.location(inst, attribute)
    policy = managed_policy(ctx, inst, arn)
    if policy is not None:
        via = f"{policy.address} attached by {inst.address}"
        policy_where = ctx.location(policy, "policy")
        document = policy.get("policy")
        line = text_line(policy, "policy")
        # The attachment wrote the grant too: a new attachment of an old policy is the line.
        return [
            g.model_copy(update={"origins": (*g.origins, where)})
            for g in aws_policy.grants(identity, document, via, policy_where, line)
        ]
    shown = display(arn)
    vendor = _aws_managed(ctx, inst, attribute, arn)
    if vendor is not None:
        # AWS's own policy: its statements, as if written where it is attached.
        via = f"{inst.address} attaches {vendor.name}"
        # The whole attachment too: the policy is often named in its for_each map.
        block = ctx.location(inst)
        update = {"identity": identity, "policy": shown, "location": where, "origins": (block,)}
        return [
            g.model_copy(update={**update, "via": via + g.via}) for g in _vendor_grants(vendor.name)
        ]
    # A policy managed outside this repository: known only by its ARN.
    return [
        Grant(
            identity=identity,
            via=f"{inst.address} attaches {shown}",
            policy=shown,
            unknown=(unresolved_text(arn),),
            location=where,
        )
    ]


@functools.cache
def _vendor_grants(name: str) -> tuple[Grant, ...]:
    """An AWS managed policy's statements read once per run, for any identity: a policy
    such as ReadOnlyAccess holds thousands of actions and is attached to many roles.
    Each grant's ``via`` is the statement's label (with its leading space)."""
    vendor = vendor_roles.aws_policy(name)
    if vendor is None:
        return ()
    statements: dict[str, Value] = {"Statement": [dict(s) for s in vendor.statements]}
    return tuple(aws_policy.grants("", statements, "", Location(path="")))


# arn:aws:iam::aws:policy/X, or with the partition from data.aws_partition (or a local
# holding it) left unknown: it is still AWS's own policy X.
_MANAGED_ARN = re.compile(r"^arn:(?:[a-z-]*|\$\{[^}]*\}):iam::aws:policy/([^${}]+)$")


def _aws_managed(
    ctx: AwsContext, inst: ResourceInstance, attribute: str, arn: Value
) -> vendor_roles.AwsManagedPolicy | None:
    """The AWS managed policy ``arn`` names, from the packaged catalog; one the catalog
    does not know is named in a warning (its grant stays unknown, never empty)."""
    text = arn if isinstance(arn, str) else arn.expression if isinstance(arn, UnknownValue) else ""
    found = _MANAGED_ARN.match(text)
    if found is None:
        return None
    policy = vendor_roles.aws_policy(found.group(1))
    if policy is None:
        ctx.warn_unresolved(
            inst,
            inst.line_of(attribute),
            f"AWS managed policy {found.group(1)} is not in driftgate's catalog (a typo, a "
            "retired policy, or one newer than the catalog); what it grants is unknown",
        )
    return policy


def access_key(ctx: AwsContext, inst: ResourceInstance) -> None:
    aws_iam.user_credential(ctx, inst, "access_key", None)


def declared_policy(ctx: AwsContext, inst: ResourceInstance) -> None:
    """A managed policy grants nothing until attached: kept for the attachments to read."""
    ctx.register(inst, text(inst.get("name")))


def _data_source(ctx: AwsContext, inst: ResourceInstance) -> None:
    # Every data source: a workload may name its identity by one (remote state).
    ctx.register(inst, None)


_POLICY = "aws_iam_policy"
_PRINCIPALS = {*_IDENTITY_KINDS, "aws_iam_group"}
_DISPATCH: Dispatch[AwsContext] = Dispatch(
    (
        handles(Phase.DECLARE, declared_policy, _POLICY),
        handles(Phase.IDENTITY, identity, *_IDENTITY_KINDS, reads={_POLICY}),
        handles(Phase.IDENTITY, group, "aws_iam_group"),
        handles(Phase.CREDENTIAL, access_key, "aws_iam_access_key", reads={"aws_iam_user"}),
        handles(Phase.GRANT, inline_policy, *_INLINE_POLICIES, reads=_PRINCIPALS),
        handles(Phase.GRANT, attachment, *_ATTACHMENTS, reads={*_PRINCIPALS, _POLICY}),
        handles(
            Phase.GRANT,
            exclusive_attachment,
            "aws_iam_policy_attachment",
            reads={*_PRINCIPALS, _POLICY},
        ),
        *aws_iam.DECLARATIONS,
        *aws_secrets.DECLARATIONS,
        *aws_workloads.DECLARATIONS,
    ),
    data_sources=_data_source,
)
# What this extractor reads: exactly what it dispatches on, so the two cannot differ.
HANDLED_TYPES = _DISPATCH.handled_types


def extract_aws(
    instances: Iterable[ResourceInstance], options: ExtractOptions, report: Report = ignore
) -> Model:
    ctx = AwsContext(options, report=report)
    instances = list(instances)
    _DISPATCH.run(ctx, instances)
    aws_iam.memberships_done(ctx)
    add_definitions(ctx, instances)
    return ctx.model
