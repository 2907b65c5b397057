"""Secrets Manager secrets and SecureString parameters → static-secret credentials.

A secret's credential is addressed by the secret resource, so that every workload that
references it (by reference, name or ARN) points at the same credential and the same
secret in two environments is recognisably the same (DESIGN.md §5, "Same secret").

A literal secret value written in the configuration is a second credential at the
secret's address plus ``#plaintext``, located at the literal: the secret itself may be
rotated, but the value in the repository is readable by everyone who can read it.
"""

from __future__ import annotations

import re

from driftgate.analyzer.extract.addresses import external_address
from driftgate.analyzer.extract.aws.common import AwsContext, module_prefixes, tags_of, text
from driftgate.analyzer.extract.dispatch import Handles, Phase, handles
from driftgate.analyzer.extract.literals import plaintext
from driftgate.analyzer.model import Credential, Location
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import (
    ResourceRef,
    UnknownValue,
    Value,
    plain_value,
    written,
)

_DAY = 86400
_RATE = re.compile(r"^\s*rate\(\s*(\d+)\s+(hours?|days?)\s*\)\s*$")
# ``${aws_secretsmanager_secret.db.arn}:password::`` refers to a secret inside a template.
_IN_TEMPLATE = re.compile(
    r"\b((?:aws_secretsmanager_secret|aws_secretsmanager_secret_version|aws_ssm_parameter)"
    r"\.[A-Za-z_][\w-]*(?:\[[^\]]*\])?)\."
)
# Secrets Manager appends six random characters to the name in the ARN.
_ARN_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")

_SECRET = "aws_secretsmanager_secret"


def rotation_seconds(rules: Value, schedule: Value) -> int | None:
    """``automatically_after_days`` or a ``rate(...)`` schedule; a cron schedule's
    period is not read."""
    if isinstance(rules, int) and not isinstance(rules, bool) and rules > 0:
        return rules * _DAY
    match = _RATE.match(schedule) if isinstance(schedule, str) else None
    if match:
        amount = int(match.group(1))
        return amount * (_DAY if match.group(2).startswith("day") else 3600) or None
    return None


def secret_name_key(name: str) -> str:
    """The name a Secrets Manager secret is known by across roots and accounts."""
    return f"aws:secretsmanager:{name}"


def _credential(
    ctx: AwsContext,
    inst: ResourceInstance,
    address: str,
    where: Location,
    ttl: int | None,
    names: tuple[str, ...] = (),
) -> None:
    ctx.model.credentials[address] = Credential(
        address=address,
        kind="static_secret",
        ttl_seconds=ttl,
        environment=ctx.environment(inst, tags_of(inst)),
        location=where,
        names=names,
    )


def secret(ctx: AwsContext, inst: ResourceInstance) -> None:
    name = text(inst.get("name"))
    ctx.register(inst, name)
    ttl = None
    # Provider v2 configured rotation on the secret itself.
    for rules in inst.children("rotation_rules"):
        ttl = rotation_seconds(rules.get("automatically_after_days"), None)
    names = (secret_name_key(name),) if name else ()
    _credential(ctx, inst, inst.full_address, ctx.location(inst), ttl, names)


def ssm_parameter(ctx: AwsContext, inst: ResourceInstance) -> None:
    ctx.instances[inst.full_address] = inst
    if inst.get("type") != "SecureString":
        return
    _credential(ctx, inst, inst.full_address, ctx.location(inst), None)
    _plaintext(ctx, inst, inst.full_address, "value")


def rotation(ctx: AwsContext, inst: ResourceInstance) -> None:
    address = secret_address(ctx, inst, inst.get("secret_id"))
    credential = ctx.model.credentials.get(address) if address else None
    if credential is None:
        return
    ttl = None
    for rules in inst.children("rotation_rules"):
        ttl = rotation_seconds(
            rules.get("automatically_after_days"), rules.get("schedule_expression")
        )
    if ttl is not None:
        ctx.model.credentials[credential.address] = credential.model_copy(
            update={"ttl_seconds": ttl}
        )


def version(ctx: AwsContext, inst: ResourceInstance) -> None:
    ctx.instances[inst.full_address] = inst
    address = secret_address(ctx, inst, inst.get("secret_id")) or inst.full_address
    for attribute in ("secret_string", "secret_binary"):
        _plaintext(ctx, inst, address, attribute)


def _plaintext(ctx: AwsContext, inst: ResourceInstance, address: str, attribute: str) -> None:
    """A value written in the file (not a variable, not another resource's output)."""
    value = plain_value(inst.get(attribute))
    if value is None or value == "" or not written(value):
        return
    environment = ctx.environment(inst, tags_of(inst))
    credential = plaintext(address, value, environment, ctx.location(inst, attribute))
    ctx.model.credentials[credential.address] = credential


def secret_address(ctx: AwsContext, inst: ResourceInstance, value: Value) -> str | None:
    """The credential of the secret ``value`` names, when declared here."""
    if isinstance(value, ResourceRef):
        target = inst.address_of(value)
        declared = ctx.instances.get(target)
        if declared is not None and declared.type == "aws_secretsmanager_secret_version":
            return secret_address(ctx, declared, declared.get("secret_id"))
        return target if target in ctx.model.credentials else None
    if isinstance(value, UnknownValue):
        match = _IN_TEMPLATE.search(value.expression)
        if match is None:
            return None
        for prefix in module_prefixes(inst.module_prefix):
            target = f"{inst.root.label}:{prefix}{match.group(1)}"
            if target in ctx.instances:
                ref = ResourceRef(value.expression, "", match.group(1), "", prefix)
                return secret_address(ctx, inst, ref)
        return None
    if not isinstance(value, str):
        return None
    name = value
    if value.startswith("arn:") and ":secret:" in value:
        name = value.split(":secret:", 1)[1].split(":", 1)[0]
    elif value.startswith("arn:"):
        return None
    for candidate in (name, _ARN_SUFFIX.sub("", name)):
        address = ctx.by_name.get((inst.root.label, "secret", candidate))
        if address is not None:
            return address
    return None


def consumed(
    ctx: AwsContext,
    inst: ResourceInstance,
    value: Value,
    fallback: str,
    environment: str | None,
    where: Location,
) -> str:
    """The credential a workload's secret reference (``valueFrom``, an ARN) names.

    A secret declared here is its resource's credential; one named by ARN only is an
    external credential shared by everything naming that ARN; one not known statically
    is the workload's own (``fallback``), so that it still shows.
    """
    address = secret_address(ctx, inst, value)
    if address is not None:
        return address
    if isinstance(value, ResourceRef) and inst.address_of(value) in ctx.model.credentials:
        return inst.address_of(value)
    names: tuple[str, ...] = ()
    if isinstance(value, str) and value:
        if value.startswith("arn:aws:secretsmanager:"):
            value = ":".join(value.split(":")[:7])
            if ":secret:" in value:
                # Usually with Secrets Manager's six random characters; a partial ARN has
                # none, and "hf-tokens" must not become "hf": both readings are kept, the
                # exact name first, and linking takes the first a declaration has.
                tail = value.split(":secret:", 1)[1]
                readings = (tail, _ARN_SUFFIX.sub("", tail))
                names = tuple(dict.fromkeys(secret_name_key(n) for n in readings))
        address = external_address("aws", value)
    else:
        address = fallback
    if address not in ctx.model.credentials:
        ctx.model.credentials[address] = Credential(
            address=address,
            kind="static_secret",
            environment=environment,
            location=where,
            names=names,
        )
    return address


DECLARATIONS: tuple[Handles[AwsContext], ...] = (
    handles(Phase.INDEX, secret, _SECRET),
    handles(Phase.INDEX, ssm_parameter, "aws_ssm_parameter"),
    # After the secrets they name, before the workloads that consume them.
    handles(Phase.CREDENTIAL, rotation, "aws_secretsmanager_secret_rotation", reads={_SECRET}),
    handles(Phase.CREDENTIAL, version, "aws_secretsmanager_secret_version", reads={_SECRET}),
)
# What a workload's environment may name (:func:`secret_address`): a secret, a version of
# one, a parameter, or any credential of a user.
CONSUMED = frozenset(
    {
        _SECRET,
        "aws_ssm_parameter",
        "aws_secretsmanager_secret_version",
        "aws_iam_access_key",
        "aws_iam_user_login_profile",
        "aws_iam_service_specific_credential",
        "aws_iam_signing_certificate",
    }
)
