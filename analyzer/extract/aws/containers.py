"""What a workload's containers reveal: images, GPUs and the secrets they are handed.

ECS ``container_definitions`` (JSON text or ``jsonencode``) and Lambda environment
variables. A secret handed over by reference (``secrets[].valueFrom``) is a credential the
workload consumes; a secret-looking environment variable is one too, and a literal value
there is a plaintext secret in the repository (``#plaintext``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from driftgate.analyzer.extract.aws import secrets as aws_secrets
from driftgate.analyzer.extract.aws.common import AwsContext
from driftgate.analyzer.extract.inference import model_server_reason
from driftgate.analyzer.extract.literals import literal_secret, preview, secret_name
from driftgate.analyzer.model import PLAINTEXT, Credential, Location
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import (
    PlanText,
    ResourceRef,
    UnknownValue,
    Value,
    display,
    from_plan,
    plain_value,
    written,
)


@dataclass
class Containers:
    images: list[str] = field(default_factory=list)
    reason: str | None = None
    credentials: list[str] = field(default_factory=list)


def environment_credentials(
    ctx: AwsContext,
    inst: ResourceInstance,
    workload: str,
    variables: Iterable[tuple[str, Value]],
    environment: str | None,
    where: Location,
) -> list[str]:
    """Credentials for the secret-looking variables; a literal value is plaintext.

    A variable set from a credential declared here (``aws_iam_access_key.x.secret``)
    hands the workload that credential, with its owner and lifetime, not a new one.
    """
    out: list[str] = []
    for name, value in variables:
        if value is None or value == "":
            continue
        literal = written(value)
        plain = plain_value(value) if literal else None
        # A literal must look like a secret (a known token format whatever the name, or a
        # secret's name with a value that is no number, switch or path); a reference
        # to something else is a secret handed over when the name says so.
        if not (literal_secret(name, plain) if literal else secret_name(name)):
            continue
        declared = aws_secrets.secret_address(ctx, inst, value)
        if declared is not None:
            out.append(declared)
            continue
        address = f"{workload}/env/{name}" + (PLAINTEXT if literal else "")
        ctx.model.credentials[address] = Credential(
            address=address,
            kind="access_key" if name.upper() == "AWS_SECRET_ACCESS_KEY" else "static_secret",
            environment=environment,
            location=where,
            preview=preview(plain),
        )
        out.append(address)
    return out


def _definitions(value: Value) -> list[dict[str, Value]]:
    value = plain_value(value)
    if isinstance(value, str):
        resolved = isinstance(value, PlanText)
        try:
            value = json.loads(value)
        except ValueError:
            return []
        if resolved:
            value = from_plan(value)  # the text came from a plan, and so does its content
    if not isinstance(value, list):
        return []
    return [c for c in value if isinstance(c, dict)]


def _gpu(container: dict[str, Value], name: str) -> str | None:
    requirements = container.get("resourceRequirements")
    for item in requirements if isinstance(requirements, list) else []:
        if isinstance(item, dict) and str(item.get("type", "")).upper() == "GPU":
            amount = item.get("value")
            if isinstance(amount, str | int) and str(amount).strip() not in ("", "0"):
                return f"container {name} requires {amount} GPU"
    return None


def _pairs(items: Value, key: str) -> list[tuple[str, Value]]:
    """``[{name, value}]`` lists as (name, value) pairs; unnamed entries are skipped."""
    out: list[tuple[str, Value]] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            out.append((item["name"], item.get(key)))
    return out


def ecs_containers(ctx: AwsContext, inst: ResourceInstance, environment: str | None) -> Containers:
    found = Containers()
    where = ctx.location(inst, "container_definitions")
    for index, container in enumerate(_definitions(inst.get("container_definitions"))):
        name = container.get("name")
        name = name if isinstance(name, str) and name else str(index)
        own = f"{inst.full_address}/container/{name}"
        image = container.get("image")
        if isinstance(image, str):
            found.images.append(image)
            found.reason = found.reason or model_server_reason(image)
        gpu = _gpu(container, name)
        # A GPU says more about the workload than its image does.
        found.reason = gpu or found.reason
        for secret, value_from in _pairs(container.get("secrets"), "valueFrom"):
            if isinstance(value_from, ResourceRef | UnknownValue | str):
                fallback = f"{own}/secret/{secret}"
                found.credentials.append(
                    aws_secrets.consumed(ctx, inst, value_from, fallback, environment, where)
                )
        variables = _pairs(container.get("environment"), "value")
        found.credentials.extend(
            environment_credentials(ctx, inst, own, variables, environment, where)
        )
    for accelerator in inst.children("inference_accelerator"):
        device = display(accelerator.get("device_type"))
        found.reason = found.reason or f"Elastic Inference accelerator {device}"
    found.credentials = list(dict.fromkeys(found.credentials))
    return found
