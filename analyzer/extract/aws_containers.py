"""What a workload's containers reveal: images, GPUs and the secrets they are handed.

ECS ``container_definitions`` (JSON text or ``jsonencode``) and Lambda environment
variables. A secret handed over by reference (``secrets[].valueFrom``) is a credential the
workload consumes; a secret-looking environment variable is one too, and a literal value
there is a plaintext secret in the repository (``#plaintext``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from analyzer.extract import aws_secrets
from analyzer.extract.aws_common import AwsContext
from analyzer.extract.inference import model_server_reason
from analyzer.model import Credential, Location
from analyzer.terraform.modules import ResourceInstance
from analyzer.terraform.values import (
    ResourceRef,
    UnknownValue,
    Value,
    display,
    is_known,
    plain_value,
)

# Environment variable names that carry a secret value ...
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)(?:_|$)"
)
# ... unless they name where the secret is, or describe it.
_NOT_A_VALUE = re.compile(
    r"_(?:ARN|NAME|ID|FILE|PATH|URL|URI|ENDPOINT|REGION|HEADER|TTL|EXPIRY|LENGTH|TYPE)$"
)


@dataclass
class Containers:
    images: list[str] = field(default_factory=list)
    reason: str | None = None
    credentials: list[str] = field(default_factory=list)


def secret_name(name: str) -> bool:
    upper = name.upper()
    return bool(_SECRET_NAME.search(upper)) and not _NOT_A_VALUE.search(upper)


def environment_credentials(
    ctx: AwsContext,
    workload: str,
    variables: Iterable[tuple[str, Value]],
    environment: str | None,
    where: Location,
) -> list[str]:
    """Credentials for the secret-looking variables; a literal value is plaintext."""
    out: list[str] = []
    for name, value in variables:
        if not secret_name(name) or value is None or value == "":
            continue
        literal = is_known(value) and not isinstance(value, UnknownValue)
        address = f"{workload}/env/{name}" + (aws_secrets.PLAINTEXT if literal else "")
        ctx.model.credentials[address] = Credential(
            address=address,
            kind="access_key" if name.upper() == "AWS_SECRET_ACCESS_KEY" else "static_secret",
            environment=environment,
            location=where,
        )
        out.append(address)
    return out


def _definitions(value: Value) -> list[dict[str, Value]]:
    value = plain_value(value)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
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
        found.credentials.extend(environment_credentials(ctx, own, variables, environment, where))
    for accelerator in inst.children("inference_accelerator"):
        device = display(accelerator.get("device_type"))
        found.reason = found.reason or f"Elastic Inference accelerator {device}"
    found.credentials = list(dict.fromkeys(found.credentials))
    return found
