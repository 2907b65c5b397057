"""AWS compute that runs as an IAM role → workloads, with why they count as inference.

SageMaker endpoints and models and Bedrock agents are inference by definition; EC2,
EKS node groups, notebooks and ECS tasks are when they ask for GPUs or accelerators or
run a known model server; anything else when the configuration selects it. A SageMaker
endpoint configuration is no workload of its own: the endpoint that uses it is, and
runs as the execution roles of the configuration's models.
"""

from __future__ import annotations

from collections.abc import Iterable

from driftgate.analyzer.extract.aws import secrets as aws_secrets
from driftgate.analyzer.extract.aws.common import AwsContext, accelerated_reason, tags_of, text
from driftgate.analyzer.extract.aws.containers import ecs_containers, environment_credentials
from driftgate.analyzer.extract.aws.iam import profile_identity
from driftgate.analyzer.extract.dispatch import Handles, Phase, handles
from driftgate.analyzer.extract.inference import selector_reason
from driftgate.analyzer.model import Location, Workload
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import Value, display

_ROLE, _PROFILE = "aws_iam_role", "aws_iam_instance_profile"
_MODEL, _ENDPOINT_CONFIG = "aws_sagemaker_model", "aws_sagemaker_endpoint_configuration"
# GPU and accelerator AMIs of EKS managed node groups.
_ACCELERATED_AMI = ("GPU", "NVIDIA", "NEURON")
# Arguments through which a workload names the role it runs as.
_ROLE_ATTRIBUTES = (
    "execution_role_arn",
    "role",
    "role_arn",
    "task_role_arn",
    "agent_resource_role_arn",
    "node_role_arn",
    "iam_instance_profile",
)
_NAMES = ("name", "function_name", "family", "agent_name", "node_group_name", "endpoint_name")


def _add(
    ctx: AwsContext,
    inst: ResourceInstance,
    identities: Iterable[str | None],
    reason: str | None,
    *,
    images: Iterable[str] = (),
    credentials: Iterable[str] = (),
) -> None:
    tags = tags_of(inst)
    if reason is None:
        reason = selector_reason(
            ctx.options.inference, resource_type=inst.type, labels=tags, images=images
        )
    name = next((n for a in _NAMES if (n := text(inst.get(a)))), None)
    ctx.model.workloads[inst.full_address] = Workload(
        address=inst.full_address,
        kind=inst.type,
        name=name or tags.get("Name") or inst.name,
        environment=ctx.environment(inst, tags),
        identities=tuple(dict.fromkeys(i for i in identities if i)),
        credentials=tuple(credentials),
        inference=reason is not None,
        inference_reason=reason,
        owner=ctx.owner(inst),
        labels=tags,
        location=ctx.location(inst),
        identity_location=next(
            (ctx.location(inst, a) for a in _ROLE_ATTRIBUTES if a in inst.block.attributes),
            None,
        ),
    )


def _first(*reasons: str | None) -> str | None:
    return next((r for r in reasons if r), None)


def lambda_function(ctx: AwsContext, inst: ResourceInstance) -> None:
    variables: list[tuple[str, Value]] = []
    where = ctx.location(inst)
    for env in inst.children("environment"):
        where = Location(path=inst.path, line=env.line_of("variables"))
        values = env.get("variables")
        if isinstance(values, dict):
            variables.extend((k, v) for k, v in values.items() if isinstance(k, str))
    environment = ctx.environment(inst, tags_of(inst))
    credentials = environment_credentials(
        ctx, inst, inst.full_address, variables, environment, where
    )
    _add(ctx, inst, [ctx.role(inst, inst.get("role"))], None, credentials=credentials)


def sagemaker_model(ctx: AwsContext, inst: ResourceInstance) -> None:
    """A model's containers: their images, and the environment they are started with
    (a Hugging Face token or an API key written there is a plaintext secret)."""
    ctx.register(inst, text(inst.get("name")))
    containers = (*inst.children("primary_container"), *inst.children("container"))
    images = [image for block in containers if isinstance(image := block.get("image"), str)]
    environment = ctx.environment(inst, tags_of(inst))
    credentials: list[str] = []
    for block in containers:
        values = block.get("environment")
        if isinstance(values, dict) and values:
            variables = [(k, v) for k, v in values.items() if isinstance(k, str)]
            where = Location(path=inst.path, line=block.line_of("environment"))
            credentials += environment_credentials(
                ctx, inst, inst.full_address, variables, environment, where
            )
    role = ctx.role(inst, inst.get("execution_role_arn"))
    _add(ctx, inst, [role], "SageMaker model", images=images, credentials=credentials)


def endpoint_configuration(ctx: AwsContext, inst: ResourceInstance) -> None:
    ctx.register(inst, text(inst.get("name")))


def sagemaker_endpoint(ctx: AwsContext, inst: ResourceInstance) -> None:
    identities: list[str | None] = []
    accelerated: str | None = None
    config = ctx.find(inst, "endpoint_config", inst.get("endpoint_config_name"))
    if config is not None:
        variants = [*config.children("production_variants")]
        variants.extend(config.children("shadow_production_variants"))
        for variant in variants:
            accelerated = accelerated or accelerated_reason(variant.get("instance_type"))
            model = ctx.find(config, "sagemaker_model", variant.get("model_name"))
            if model is not None:
                identities.append(ctx.role(model, model.get("execution_role_arn")))
    reason = f"SageMaker endpoint on {accelerated}" if accelerated else "SageMaker endpoint"
    _add(ctx, inst, identities, reason)


def notebook(ctx: AwsContext, inst: ResourceInstance) -> None:
    role = ctx.role(inst, inst.get("role_arn"))
    _add(ctx, inst, [role], accelerated_reason(inst.get("instance_type")))


def bedrock_agent(ctx: AwsContext, inst: ResourceInstance) -> None:
    role = ctx.role(inst, inst.get("agent_resource_role_arn"))
    _add(ctx, inst, [role], "Bedrock agent")


def ecs_task(ctx: AwsContext, inst: ResourceInstance) -> None:
    """Two identities: the task role the containers run as, and the execution role ECS
    uses to pull images and read the task's secrets."""
    roles = [ctx.role(inst, inst.get(a)) for a in ("task_role_arn", "execution_role_arn")]
    found = ecs_containers(ctx, inst, ctx.environment(inst, tags_of(inst)))
    _add(ctx, inst, roles, found.reason, images=found.images, credentials=found.credentials)


def eks_node_group(ctx: AwsContext, inst: ResourceInstance) -> None:
    ami = inst.get("ami_type")
    reason = None
    if isinstance(ami, str) and any(k in ami.upper() for k in _ACCELERATED_AMI):
        reason = f"GPU/accelerator AMI type {ami}"
    types = inst.get("instance_types")
    for instance_type in types if isinstance(types, list) else []:
        reason = reason or accelerated_reason(instance_type)
    _add(ctx, inst, [ctx.role(inst, inst.get("node_role_arn"))], reason)


def ec2_instance(ctx: AwsContext, inst: ResourceInstance) -> None:
    role = profile_identity(ctx, inst, inst.get("iam_instance_profile"))
    _add(ctx, inst, [role], accelerated_reason(inst.get("instance_type")))


def launch_template(ctx: AwsContext, inst: ResourceInstance) -> None:
    roles = []
    for profile in inst.children("iam_instance_profile"):
        value = profile.get("arn") if profile.has("arn") else profile.get("name")
        roles.append(profile_identity(ctx, inst, value))
    reason = accelerated_reason(inst.get("instance_type"))
    for requirements in inst.children("instance_requirements"):
        kinds = requirements.get("accelerator_types")
        wanted = [k for k in kinds if k in ("gpu", "inference")] if isinstance(kinds, list) else []
        if wanted and reason is None:
            reason = f"instance requirements ask for {display(wanted[0])} accelerators"
    _add(ctx, inst, roles, reason)


DECLARATIONS: tuple[Handles[AwsContext], ...] = (
    # Read before the endpoints that name them.
    handles(Phase.INDEX, sagemaker_model, _MODEL, reads={_ROLE}),
    handles(Phase.INDEX, endpoint_configuration, _ENDPOINT_CONFIG),
    handles(
        Phase.GRANT, lambda_function, "aws_lambda_function", reads={_ROLE, *aws_secrets.CONSUMED}
    ),
    handles(
        Phase.GRANT,
        sagemaker_endpoint,
        "aws_sagemaker_endpoint",
        reads={_ENDPOINT_CONFIG, _MODEL, _ROLE},
    ),
    handles(Phase.GRANT, notebook, "aws_sagemaker_notebook_instance", reads={_ROLE}),
    handles(Phase.GRANT, bedrock_agent, "aws_bedrockagent_agent", reads={_ROLE}),
    handles(Phase.GRANT, ecs_task, "aws_ecs_task_definition", reads={_ROLE, *aws_secrets.CONSUMED}),
    handles(Phase.GRANT, eks_node_group, "aws_eks_node_group", reads={_ROLE}),
    handles(Phase.GRANT, ec2_instance, "aws_instance", reads={_PROFILE}),
    handles(Phase.GRANT, launch_template, "aws_launch_template", reads={_PROFILE}),
)
