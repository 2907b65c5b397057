"""Vault secrets engine roles: what the credentials they mint may do, and how long they live.

A ``vault_aws_secret_backend_role`` mints AWS credentials whose permissions are its
policy document, managed policies and roles; a database role mints database users. Each
role is an identity of its own (addressed by the resource), reached by whoever may read
its ``creds/`` path: the extractor links those callers to it with ``federates_to``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from driftgate.analyzer.extract.addresses import external_address
from driftgate.analyzer.extract.aws import policy as aws_policy
from driftgate.analyzer.extract.aws.common import unresolved_text
from driftgate.analyzer.extract.vault.values import positive_duration, texts
from driftgate.analyzer.model import Grant, Location
from driftgate.analyzer.model.conditions import opaque
from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import ResourceRef, Value, display

# Terraform type → (identity kind, path segment that mints credentials).
SECRET_ROLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "vault_aws_secret_backend_role": ("aws_secret_role", ("creds", "sts")),
    "vault_database_secret_backend_role": ("database_secret_role", ("creds",)),
    "vault_database_secret_backend_static_role": ("database_static_role", ("static-creds",)),
}
_STS_TYPES = frozenset({"assumed_role", "federation_token", "session_tags"})


@dataclass(slots=True)
class SecretRole:
    """What one secrets engine role contributes to the model."""

    grants: list[Grant] = field(default_factory=list)
    federates_to: list[str] = field(default_factory=list)
    # Seconds the minted credential lives; None when it never has to change.
    ttl_seconds: int | None = None


def text_line(inst: ResourceInstance, argument: str) -> int | None:
    """The line text written in place starts on: a heredoc's body, a string's line."""
    attr = inst.block.attributes.get(argument)
    if attr is None or not isinstance(attr.expr, ast.Literal | ast.Template):
        return None
    return attr.line + 1 if attr.expr.text.startswith("<<") else attr.line


def _where(inst: ResourceInstance, argument: str) -> Location:
    if argument in inst.block.attributes:
        return Location(path=inst.path, line=inst.line_of(argument))
    return Location(path=inst.path, line=inst.block.line, end_line=inst.block.end_line)


def _items(value: Value) -> list[Value]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def aws_secret_role(inst: ResourceInstance, identity: str, lease_max: int) -> SecretRole:
    """AWS permissions of the credentials the role mints; the roles it assumes."""
    role = SecretRole()
    boundary = inst.get("permissions_boundary_arn")
    guard = (opaque(f"permissions boundary {display(boundary)}"),) if boundary else ()
    if inst.get("policy_document") is not None:
        via = f"{inst.address} policy_document"
        where = _where(inst, "policy_document")
        line = text_line(inst, "policy_document")
        for grant in aws_policy.grants(identity, inst.get("policy_document"), via, where, line):
            conditions = grant.conditions + guard
            role.grants.append(grant.model_copy(update={"conditions": conditions}))
    for arn in _items(inst.get("policy_arns")):
        text = display(arn)
        role.grants.append(
            Grant(
                identity=identity,
                conditions=guard,
                via=f"{inst.address} policy_arns {text}",
                policy=text,
                unknown=(unresolved_text(arn),),
                location=_where(inst, "policy_arns"),
            )
        )
    for group in texts(inst.get("iam_groups")):
        role.grants.append(
            Grant(
                identity=identity,
                via=f"{inst.address} iam_groups {group}",
                unknown=(f"policies of IAM group {group} are not declared with the role",),
                location=_where(inst, "iam_groups"),
            )
        )
    for arn in _items(inst.get("role_arns")):
        if isinstance(arn, ResourceRef) and arn.address.startswith("aws_iam_role."):
            role.federates_to.append(inst.address_of(arn))
        elif arn is not None:
            role.federates_to.append(external_address("aws", display(arn)))
    credential_type = inst.get("credential_type")
    stated = 0
    if isinstance(credential_type, str) and credential_type in _STS_TYPES:
        stated = max(
            positive_duration(inst.get("default_sts_ttl")) or 0,
            positive_duration(inst.get("max_sts_ttl")) or 0,
        )
    role.ttl_seconds = stated or lease_max
    return role


def database_role(inst: ResourceInstance, identity: str, lease_max: int) -> SecretRole:
    """A dynamic database user: its privileges live in SQL, which is not analysed."""
    role = SecretRole()
    database = display(inst.get("db_name"))
    role.grants.append(
        Grant(
            identity=identity,
            via=f"{inst.address} creation_statements",
            unknown=(f"privileges in database {database} are set by SQL, not analysed",),
            location=_where(inst, "creation_statements"),
        )
    )
    stated = max(
        positive_duration(inst.get("default_ttl")) or 0,
        positive_duration(inst.get("max_ttl")) or 0,
    )
    role.ttl_seconds = stated or lease_max
    return role


def database_static_role(inst: ResourceInstance, identity: str, lease_max: int) -> SecretRole:
    """An existing database user whose password Vault rotates every ``rotation_period``."""
    role = SecretRole()
    user = display(inst.get("username"))
    role.grants.append(
        Grant(
            identity=identity,
            via=f"{inst.address} username",
            unknown=(f"privileges of database user {user} are not in the configuration",),
            location=_where(inst, "username"),
        )
    )
    # A cron `rotation_schedule` instead of a period is not turned into seconds.
    role.ttl_seconds = positive_duration(inst.get("rotation_period"))
    return role
