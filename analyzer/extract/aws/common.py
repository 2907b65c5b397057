"""What the AWS extractor modules share: the model being built and how to find things in it.

Resources refer to each other three ways: by reference (``aws_iam_role.x.arn``, a
:class:`ResourceRef` that also names the module it was written in), by name
(``role = "ml-serve"``) and by ARN (``arn:aws:iam::123456789012:role/ml-serve``). Every
lookup here accepts all three, within one root and across its module instances.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from driftgate.analyzer.extract.addresses import external_address
from driftgate.analyzer.extract.context import ExtractContext
from driftgate.analyzer.extract.external_refs import external_object
from driftgate.analyzer.model import Grant, Location, Unknown
from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import ResourceRef, UnknownValue, Value, display

# The resource type each lookup kind names.
RESOURCE_TYPES = {
    "role": "aws_iam_role",
    "user": "aws_iam_user",
    "group": "aws_iam_group",
    "policy": "aws_iam_policy",
    "instance_profile": "aws_iam_instance_profile",
    "secret": "aws_secretsmanager_secret",
    "sagemaker_model": "aws_sagemaker_model",
    "endpoint_config": "aws_sagemaker_endpoint_configuration",
}
KINDS = {t: k for k, t in RESOURCE_TYPES.items()}

# EC2 families with GPUs or ML accelerators (NVIDIA p/g, Inferentia, Trainium, Gaudi);
# SageMaker names them with an ``ml.`` prefix.
_ACCELERATED = re.compile(r"^(?:ml\.)?(?:p|g|gr|inf|trn|dl)\d[a-z0-9-]*\.[a-z0-9-]+$")
# ``aws_iam_user.this[0].name`` as written: the type, and the instance it names.
_REFERENCE = re.compile(r"^(aws_[a-z0-9_]+)\.[A-Za-z_][\w-]*(?:\[[^\]]*\])?\.")
# The instance key at the end of an address (``[0]``).
_INDEX = re.compile(r"\[[^\]]*\]$")
# The literal role name at the end of an ARN whose account or partition is unknown:
# ``arn:aws:iam::${var.account}:role/serving/llm`` still names the role ``llm``.
_ROLE_TAIL = re.compile(r":role/(?:[^${}/]+/)*([^${}/:]+)$")


def text(value: Value) -> str | None:
    return value if isinstance(value, str) else None


def own_tags(inst: ResourceInstance) -> dict[str, str]:
    value = inst.get("tags")
    if not isinstance(value, dict):
        return {}
    return {k: display(v) for k, v in value.items() if isinstance(k, str)}


def tags_of(inst: ResourceInstance) -> dict[str, str]:
    """The resource's tags over the provider's ``default_tags``, as text."""
    tags: dict[str, str] = {k: display(v) for k, v in inst.provider_tags.items()}
    tags.update(own_tags(inst))
    return tags


def text_line(inst: ResourceInstance, attribute: str) -> int | None:
    """The line JSON text written in place starts on: a heredoc's body, a string's line."""
    attr = inst.block.attributes.get(attribute)
    if attr is None or not isinstance(attr.expr, ast.Literal | ast.Template):
        return None
    return attr.line + 1 if attr.expr.text.startswith("<<") else attr.line


def accelerated_reason(instance_type: Value) -> str | None:
    """``GPU/accelerator instance type g5.xlarge`` for GPU, Inferentia and Trainium types."""
    if isinstance(instance_type, str) and _ACCELERATED.match(instance_type.strip().lower()):
        return f"GPU/accelerator instance type {instance_type}"
    return None


def module_prefixes(prefix: str) -> list[str]:
    """``module.a.module.b.`` → itself, ``module.a.``, and the root's ``""``."""
    out = [prefix]
    while prefix:
        prefix = prefix[: prefix.rstrip(".").rfind("module.")] if "module." in prefix else ""
        out.append(prefix)
    return out


@dataclass
class AwsContext(ExtractContext):
    PROVIDER = "aws"
    # (root label, kind, name) → full address, for references by name or ARN.
    by_name: dict[tuple[str, str, str], str] = field(default_factory=dict)
    # Full address → instance, for the resources others point into (policies, profiles,
    # secrets, SageMaker models and endpoint configurations, data sources).
    instances: dict[str, ResourceInstance] = field(default_factory=dict)
    # Grants of a group, given to its members once every membership is known.
    group_grants: dict[str, list[Grant]] = field(default_factory=dict)
    # (user identity, group value as written, the membership instance, its location).
    memberships: list[tuple[str, Value, ResourceInstance, Location]] = field(default_factory=list)
    # Instance profile address → the role it carries (None: not declared here).
    profile_roles: dict[str, str | None] = field(default_factory=dict)
    # The managed policies something attaches (or sets as a boundary).
    used_policies: set[str] = field(default_factory=set)

    def owner(self, inst: ResourceInstance) -> str | None:
        """The resource's own owner tag first: ``default_tags`` are only the fallback."""
        provider = {k: display(v) for k, v in inst.provider_tags.items()}
        return self.options.owner_from(own_tags(inst), provider)

    def register(self, inst: ResourceInstance, name: str | None) -> None:
        self.instances[inst.full_address] = inst
        kind = KINDS.get(inst.type)
        if kind is not None and name and inst.mode == "resource":
            self.by_name[(inst.root.label, kind, name)] = inst.full_address

    def resolve(self, inst: ResourceInstance, kind: str, value: Value) -> str | None:
        """The address of the ``kind`` resource ``value`` names: reference, name or ARN."""
        type_ = RESOURCE_TYPES[kind]
        if isinstance(value, ResourceRef):
            if value.address.startswith(f"{type_}."):
                return inst.address_of(value)
            if value.address.startswith(f"data.{type_}."):
                # A data source looks the resource up by name: declared here, or not.
                data = self.instances.get(inst.address_of(value))
                name = text(data.get("name")) if data is not None else None
                return self.by_name.get((inst.root.label, kind, name)) if name else None
            return None
        if isinstance(value, str):
            name = value.rsplit("/", 1)[-1] if kind != "secret" else value
            return self.by_name.get((inst.root.label, kind, name))
        if isinstance(value, UnknownValue) and kind == "role":
            match = _ROLE_TAIL.search(value.expression)
            if match:
                return self.by_name.get((inst.root.label, kind, match.group(1)))
        return None

    def written_reference(self, inst: ResourceInstance, kind: str, attribute: str) -> str | None:
        """The declared ``kind`` resource the attribute's expression refers to, whatever
        its value: ``user = aws_iam_user.this[0].name`` names that user even when its
        name is the module's empty default."""
        written = inst.block.attributes.get(attribute)
        found = _REFERENCE.match(written.expr.text) if written is not None else None
        if found is None or found.group(1) != RESOURCE_TYPES[kind]:
            return None
        address = f"{inst.root.label}:{inst.module_prefix}{found.group(0).rstrip('.')}"
        # `this[0]` of a resource whose count is unknown: its one instance is `this[*]`.
        every = _INDEX.sub("[*]", address)
        return next((a for a in (address, every) if a in self.instances), None)

    def grantee(
        self, inst: ResourceInstance, kind: str, attribute: str, value: Value
    ) -> str | None:
        """The role or user a policy or attachment is given to, never dropped.

        One this tree does not declare is kept as an undeclared identity, so that what it
        is granted still counts: a role named by ARN or by name (it exists in the account,
        managed elsewhere), a data source's or remote state's object, or, when nothing
        tells which role it is (a module that was not read, a variable without a value),
        the expression that names it, with a warning. None only for no value at all.
        """
        found = self.resolve(inst, kind, value) or self.written_reference(inst, kind, attribute)
        if found is not None or value is None:
            return found
        environment = self.environment(inst)
        if isinstance(value, str):
            if not value.strip():
                return None
            name = value.rsplit("/", 1)[-1]
            if value.startswith("arn:"):
                address = external_address("aws", value)
                return self.placeholder(address, value, kind, name, environment=environment)
            # By name, the account is the root's: another root may mean another role.
            arn = f"arn:aws:iam::${{account}}:{kind}/{value}"
            address = f"{inst.root.label}:{external_address('aws', f'{kind}/{value}')}"
            return self.placeholder(address, arn, kind, name, environment=environment)
        if isinstance(value, ResourceRef):
            read = external_object(value, self.instances.get(inst.address_of(value)))
            if read is not None:
                name = read.rsplit(".", 1)[-1]
                address = external_address("aws", read)
                return self.placeholder(
                    address, Unknown(unknown=read), kind, name, environment=environment
                )
        expression = value.expression if isinstance(value, UnknownValue) else display(value)
        return self.unresolved(inst, expression, kind, attribute)

    def find(self, inst: ResourceInstance, kind: str, value: Value) -> ResourceInstance | None:
        """The declared instance ``value`` names, when this repository declares it."""
        address = self.resolve(inst, kind, value)
        found = self.instances.get(address) if address else None
        if found is None or found.mode != "resource" or found.type != RESOURCE_TYPES[kind]:
            return None
        return found

    def role(self, inst: ResourceInstance, value: Value) -> str | None:
        """The identity a workload runs as, given its role's ARN, name or reference.

        A role no file declares is named by its ARN for the link step, which points it
        at a declaring resource elsewhere or adds an undeclared placeholder. An ARN whose
        account is unknown keeps the unknown part visible in that address.
        """
        found = self.resolve(inst, "role", value)
        if found is not None:
            return found
        if isinstance(value, str) and value.startswith("arn:"):
            return external_address("aws", value)
        if isinstance(value, UnknownValue) and not isinstance(value, ResourceRef):
            expression = value.expression
            if expression.startswith("arn:") and _ROLE_TAIL.search(expression):
                return external_address("aws", expression)
        if isinstance(value, ResourceRef):
            read = external_object(value, self.instances.get(inst.address_of(value)))
            if read is not None:
                return external_address("aws", read)
        return None


def managed_policy(ctx: AwsContext, inst: ResourceInstance, arn: Value) -> ResourceInstance | None:
    """The ``aws_iam_policy`` an ARN or reference names; AWS-managed ARNs never match."""
    found = None
    if isinstance(arn, ResourceRef) or (
        isinstance(arn, str) and arn.startswith("arn:") and ":iam::aws:" not in arn
    ):
        found = ctx.find(inst, "policy", arn)
    if found is not None:
        ctx.used_policies.add(found.full_address)
    return found


def unresolved_text(arn: Value) -> str:
    """Why a managed policy's permissions are unknown, as findings show it."""
    if isinstance(arn, UnknownValue):
        return display(arn)
    return f"managed policy {display(arn)}"
