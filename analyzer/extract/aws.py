"""AWS IAM resources (Terraform) → identities, grants, trusts, credentials, workloads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from analyzer.extract import aws_policy
from analyzer.extract.addresses import external_address
from analyzer.extract.options import ExtractOptions
from analyzer.model import (
    Credential,
    Grant,
    Identity,
    Location,
    Model,
    Permission,
    Unknown,
    Workload,
)
from analyzer.parse import hcl_ast as ast
from analyzer.terraform.modules import ResourceInstance
from analyzer.terraform.values import ResourceRef, UnknownValue, Value, display

_IDENTITY_KINDS = {"aws_iam_role": "role", "aws_iam_user": "user"}
_INLINE_POLICIES = {"aws_iam_role_policy": "role", "aws_iam_user_policy": "user"}
_ATTACHMENTS = {"aws_iam_role_policy_attachment": "role", "aws_iam_user_policy_attachment": "user"}
# Terraform workloads that run as a role given by ARN: (role attribute, inference reason).
_WORKLOADS: dict[str, tuple[str, str | None]] = {
    "aws_sagemaker_model": ("execution_role_arn", "SageMaker model"),
    "aws_lambda_function": ("role", None),
    "aws_ecs_task_definition": ("task_role_arn", None),
}


def _str(value: Value) -> str | None:
    return value if isinstance(value, str) else None


def _tags(inst: ResourceInstance) -> dict[str, str]:
    tags: dict[str, str] = {k: display(v) for k, v in inst.provider_tags.items()}
    value = inst.get("tags")
    if isinstance(value, dict):
        tags.update({k: display(v) for k, v in value.items()})
    return tags


def _text_line(inst: ResourceInstance, attribute: str) -> int | None:
    """The line JSON text written in place starts on: a heredoc's body, a string's line."""
    attr = inst.block.attributes.get(attribute)
    if attr is None or not isinstance(attr.expr, ast.Literal | ast.Template):
        return None
    return attr.line + 1 if attr.expr.text.startswith("<<") else attr.line


@dataclass
class _AwsExtractor:
    options: ExtractOptions
    model: Model = field(default_factory=Model)
    # (root label, kind, name) → identity address, for references by name.
    by_name: dict[tuple[str, str, str], str] = field(default_factory=dict)
    policies: dict[str, ResourceInstance] = field(default_factory=dict)

    def location(self, inst: ResourceInstance, attribute: str | None = None) -> Location:
        line = inst.line_of(attribute) if attribute else inst.block.line
        end = inst.block.end_line if attribute is None else None
        return Location(path=inst.path, line=line, end_line=end)

    def environment(self, inst: ResourceInstance, tags: dict[str, str]) -> str | None:
        return self.options.environments.resolve(inst.root.env_path, labels=tags) or (
            self.options.environments.resolve(inst.path, labels=tags)
        )

    def identity(self, inst: ResourceInstance) -> None:
        kind = _IDENTITY_KINDS[inst.type]
        tags = _tags(inst)
        name = _str(inst.get("name")) or _str(inst.get("name_prefix")) or inst.name
        address = inst.full_address
        self.model.identities[address] = Identity(
            address=address,
            # The account is not in the configuration; the ARN is known only at apply.
            principal=Unknown(unknown=f"{inst.address}.arn"),
            provider="aws",
            kind=kind,
            name=name,
            environment=self.environment(inst, tags),
            owner=self.options.owner_from(tags),
            labels=tags,
            location=self.location(inst),
        )
        self.by_name[(inst.root.label, kind, name)] = address
        if kind == "role":
            policy = inst.get("assume_role_policy")
            if policy is not None:
                via = f"{inst.address}.assume_role_policy"
                where = self.location(inst, "assume_role_policy")
                line = _text_line(inst, "assume_role_policy")
                self.model.trusts.extend(aws_policy.trusts(address, policy, via, where, line))
            for inline in inst.children("inline_policy"):
                if inline.has("policy"):
                    where = Location(path=inst.path, line=inline.line_of("policy"))
                    policy_name = _str(inline.get("name")) or ""
                    via = f"{inst.address} inline_policy {policy_name}"
                    value = inline.get("policy")
                    if inline.unknown is not None:
                        value = UnknownValue(inline.unknown)
                    grants = aws_policy.grants(address, value, via.rstrip(), where)
                    self.model.grants.extend(grants)
            arns = inst.get("managed_policy_arns")
            if isinstance(arns, list):
                for arn in arns:
                    self.attach(address, arn, inst, "managed_policy_arns")

    def resolve_identity(self, inst: ResourceInstance, kind: str, value: Value) -> str | None:
        """The identity a `role`/`user` argument names: by reference, by name or by ARN."""
        if isinstance(value, ResourceRef):
            if value.address.startswith(f"aws_iam_{kind}."):
                return inst.address_of(value)
            return None
        if isinstance(value, str):
            name = value.rsplit("/", 1)[-1]
            return self.by_name.get((inst.root.label, kind, name))
        return None

    def inline_policy(self, inst: ResourceInstance) -> None:
        kind = _INLINE_POLICIES[inst.type]
        identity = self.resolve_identity(inst, kind, inst.get(kind))
        if identity is None:
            return
        where = self.location(inst, "policy")
        policy = inst.get("policy")
        line = _text_line(inst, "policy")
        self.model.grants.extend(aws_policy.grants(identity, policy, inst.address, where, line))

    def attachment(self, inst: ResourceInstance) -> None:
        kind = _ATTACHMENTS[inst.type]
        identity = self.resolve_identity(inst, kind, inst.get(kind))
        if identity is not None:
            self.attach(identity, inst.get("policy_arn"), inst, "policy_arn")

    def attach(self, identity: str, arn: Value, inst: ResourceInstance, attribute: str) -> None:
        where = self.location(inst, attribute)
        if isinstance(arn, ResourceRef) and arn.address.startswith("aws_iam_policy."):
            policy = self.policies.get(inst.address_of(arn))
            if policy is not None:
                via = f"{policy.address} attached by {inst.address}"
                policy_where = self.location(policy, "policy")
                document = policy.get("policy")
                line = _text_line(policy, "policy")
                self.model.grants.extend(
                    aws_policy.grants(identity, document, via, policy_where, line)
                )
                return
        # A policy managed outside this repository: known only by its ARN.
        text = display(arn)
        unknown = (text,) if isinstance(arn, UnknownValue) else ()
        self.model.grants.append(
            Grant(
                identity=identity,
                permissions=(Permission(action=f"policy {text}", resource="*"),),
                via=f"{inst.address} attaches {text}",
                unknown=unknown,
                location=where,
            )
        )

    def access_key(self, inst: ResourceInstance) -> None:
        identity = self.resolve_identity(inst, "user", inst.get("user"))
        status = inst.get("status")
        if status == "Inactive":
            return
        tags = _tags(inst)
        self.model.credentials[inst.full_address] = Credential(
            address=inst.full_address,
            kind="access_key",
            identity=identity,
            ttl_seconds=None,
            environment=self.environment(inst, tags),
            location=self.location(inst),
        )

    def workload(self, inst: ResourceInstance) -> None:
        attribute, reason = _WORKLOADS[inst.type]
        selectors = self.options.inference.resource_types
        if reason is None and inst.type in selectors:
            reason = f"{inst.type} selected as inference in the configuration"
        role = inst.get(attribute)
        identity = self.resolve_identity(inst, "role", role)
        if identity is None and isinstance(role, str) and role.startswith("arn:"):
            identity = external_address("aws", role)
        tags = _tags(inst)
        self.model.workloads[inst.full_address] = Workload(
            address=inst.full_address,
            kind=inst.type,
            name=_str(inst.get("name")) or _str(inst.get("function_name")) or inst.name,
            environment=self.environment(inst, tags),
            identities=(identity,) if identity else (),
            inference=reason is not None,
            inference_reason=reason,
            owner=self.options.owner_from(tags),
            labels=tags,
            location=self.location(inst),
        )


def extract_aws(instances: Iterable[ResourceInstance], options: ExtractOptions) -> Model:
    """Identities first, so that policies and attachments can find them by name."""
    extractor = _AwsExtractor(options)
    ordered = sorted(instances, key=lambda i: 0 if i.type in _IDENTITY_KINDS else 1)
    for inst in ordered:
        if inst.mode != "resource":
            continue
        if inst.type in _IDENTITY_KINDS:
            extractor.identity(inst)
        elif inst.type == "aws_iam_policy":
            extractor.policies[inst.full_address] = inst
    for inst in ordered:
        if inst.mode != "resource":
            continue
        if inst.type in _INLINE_POLICIES:
            extractor.inline_policy(inst)
        elif inst.type in _ATTACHMENTS:
            extractor.attachment(inst)
        elif inst.type == "aws_iam_access_key":
            extractor.access_key(inst)
        elif inst.type in _WORKLOADS:
            extractor.workload(inst)
    return extractor.model
