"""Azure workloads: what runs as an Azure identity, and which of it serves models.

Inference is recognised from the resource (an Azure ML online endpoint, an Azure OpenAI
or Cognitive Services account), from GPU capacity (an N-series VM size, a GPU workload
profile) and from model-server images, as in Kubernetes. An AKS cluster is one
workload: its node pools run as its kubelet identity, so a GPU node pool marks the
cluster rather than adding a workload that would share the identity with it.
"""

from __future__ import annotations

import re

from driftgate.analyzer.extract.addresses import external_address
from driftgate.analyzer.extract.azure.credentials import consumed
from driftgate.analyzer.extract.azure.identities import aks_identities, managed_identities
from driftgate.analyzer.extract.azure.state import AzureState, GpuPool
from driftgate.analyzer.extract.azure.values import gpu_vm_size, key_vault_reference, tags, text
from driftgate.analyzer.extract.inference import model_server_reason, selector_reason
from driftgate.analyzer.extract.literals import env_literal, literal_secret, plaintext
from driftgate.analyzer.model import Credential, Location, Workload
from driftgate.analyzer.terraform.blocks import BlockView
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import ResourceRef, written

AKS = "azurerm_kubernetes_cluster"
NODE_POOL = "azurerm_kubernetes_cluster_node_pool"
CONTAINER_APP = "azurerm_container_app"
WEB_APPS = frozenset(
    {
        "azurerm_linux_web_app",
        "azurerm_windows_web_app",
        "azurerm_linux_function_app",
        "azurerm_windows_function_app",
    }
)
# Terraform type → (attribute holding the VM size, fixed inference reason).
_TYPES: dict[str, tuple[str | None, str | None]] = {
    "azurerm_machine_learning_workspace": (None, None),
    "azurerm_machine_learning_compute_cluster": ("vm_size", None),
    "azurerm_machine_learning_compute_instance": ("virtual_machine_size", None),
    "azurerm_machine_learning_online_endpoint": (None, "Azure ML online endpoint"),
    AKS: (None, None),
    CONTAINER_APP: (None, None),
    "azurerm_cognitive_account": (None, "Azure OpenAI / Cognitive Services account"),
    "azurerm_ai_services": (None, "Azure OpenAI / Cognitive Services account"),
    **dict.fromkeys(WEB_APPS, (None, None)),
}
_AZAPI_RESOURCE = "azapi_resource"
# A GPU node pool marks the cluster it belongs to rather than being a workload of its own.
WORKLOAD_TYPES = frozenset({*_TYPES, _AZAPI_RESOURCE})
# azapi resource types (lower case, without API version) that serve models.
_AZAPI = {
    "microsoft.machinelearningservices/workspaces/onlineendpoints": "Azure ML online endpoint",
    "microsoft.machinelearningservices/workspaces/onlineendpoints/deployments": (
        "Azure ML online deployment"
    ),
}

# A connection string that carries its secret (not one that authenticates as an identity).
_SECRET_IN_CONNECTION = re.compile(
    r"(?i)(?:^|;)\s*(?:password|pwd|accountkey|sharedaccesskey|client_?secret)\s*=\s*[^;\s]"
)


def gpu_pool(state: AzureState, inst: ResourceInstance) -> None:
    """A separately declared node pool with a GPU VM size marks its cluster."""
    cluster = inst.get("kubernetes_cluster_id")
    size = gpu_vm_size(inst.get("vm_size"))
    if isinstance(cluster, ResourceRef) and size is not None:
        pool = (inst.full_address, size, text(inst.get("name")) or inst.name)
        state.gpu_pools.setdefault(inst.address_of(cluster), []).append(pool)


def workload(state: AzureState, inst: ResourceInstance) -> None:
    kind = inst.type
    size_attribute, reason = _TYPES.get(inst.type, (None, None))
    if inst.type == _AZAPI_RESOURCE:
        declared = text(inst.get("type"))
        api_type = declared.split("@", 1)[0] if declared else ""
        if api_type.lower() not in _AZAPI:
            return
        kind, reason = api_type, _AZAPI[api_type.lower()]
    labels = tags(inst.get("tags"))
    name = text(inst.get("name")) or inst.name
    identities = managed_identities(state, inst)
    credentials: list[str] = []
    images: list[str] = []
    if size_attribute is not None and (size := gpu_vm_size(inst.get(size_attribute))):
        reason = f"GPU VM size {size}"
    if inst.type == "azurerm_cognitive_account" and (account_kind := text(inst.get("kind"))):
        reason = f"{reason} (kind {account_kind})"
    if inst.type == "azurerm_machine_learning_workspace":
        primary = inst.get("primary_user_assigned_identity")
        if primary is not None and (found := state.user_assigned(inst, primary)):
            identities.append(found)
    elif inst.type == AKS:
        identities.extend(aks_identities(state, inst, name, labels))
        identities.extend(_aks_service_principal(state, inst, credentials))
        reason = _aks_reason(inst, state.gpu_pools)
    elif inst.type == CONTAINER_APP:
        credentials.extend(_container_app_secrets(state, inst))
        images = _container_images(inst)
        reason = _gpu_profile(state, inst)
    elif inst.type in WEB_APPS:
        credentials.extend(_web_app_credentials(state, inst))
        images = _web_app_images(inst)
        given = inst.get("key_vault_reference_identity_id")
        if given is not None and (found := state.user_assigned(inst, given)):
            identities.append(found)
    for image in images:
        reason = reason or model_server_reason(image)
    if reason is None:
        reason = selector_reason(
            state.options.inference, resource_type=inst.type, labels=labels, images=images
        )
    state.model.workloads[inst.full_address] = Workload(
        address=inst.full_address,
        kind=kind,
        name=name,
        environment=state.environment(inst, labels),
        identities=tuple(dict.fromkeys(identities)),
        credentials=tuple(dict.fromkeys(credentials)),
        inference=reason is not None,
        inference_reason=reason,
        owner=state.options.owner_from(labels),
        labels=labels,
        location=state.location(inst),
    )


# ---- AKS ----------------------------------------------------------------------------


def _aks_reason(inst: ResourceInstance, pools: dict[str, list[GpuPool]]) -> str | None:
    for view in inst.children("default_node_pool")[:1]:
        if size := gpu_vm_size(view.get("vm_size")):
            return f"GPU VM size {size} (default node pool)"
    for _, size, pool in sorted(pools.get(inst.full_address, [])):
        return f"GPU VM size {size} (node pool {pool})"
    return None


def _aks_service_principal(
    state: AzureState, inst: ResourceInstance, credentials: list[str]
) -> list[str]:
    """A cluster that authenticates with a client id and secret instead of an identity."""
    found: list[str] = []
    for view in inst.children("service_principal")[:1]:
        if view.unknown is not None:
            continue
        client = view.get("client_id")
        if isinstance(client, str) and client.strip():
            # By client id: the link step finds the service principal that has it.
            identity = external_address("azure", client.strip())
        else:
            identity = state.principal(inst, client, "service_principal")
        found.append(identity)
        where = state.block_location(inst, view)
        secrets = consumed(state, inst, view.get("client_secret"), where)
        if not secrets:
            address = f"{inst.full_address}#service_principal"
            state.model.credentials[address] = Credential(
                address=address,
                kind="client_secret",
                identity=identity,
                environment=state.environment(inst, tags(inst.get("tags"))),
                location=where,
            )
            secrets = [address]
        credentials.extend(secrets)
    return found


# ---- Container Apps -----------------------------------------------------------------


def _container_app_secrets(state: AzureState, inst: ResourceInstance) -> list[str]:
    """The app's secrets: Key Vault secrets by id, values that carry a known credential,
    and otherwise the value itself, a static secret held in the app."""
    found: list[str] = []
    for index, view in enumerate(inst.children("secret")):
        if view.unknown is not None:
            continue
        where = Location(path=inst.path, line=view.line)
        secrets: list[str] = []
        if view.has("key_vault_secret_id"):
            secrets = consumed(state, inst, view.get("key_vault_secret_id"), where)
        if not secrets and view.has("value"):
            secrets = consumed(state, inst, view.get("value"), where)
        if not secrets:
            address = f"{inst.full_address}#secret/{text(view.get('name')) or index}"
            value = view.get("value")
            environment = state.environment(inst, tags(inst.get("tags")))
            # A value written here, not passed in: the secret is in the repository.
            if isinstance(value, str) and value and written(value) and not view.has("identity"):
                at = Location(path=inst.path, line=view.line_of("value"))
                credential = plaintext(address, value, environment, at)
            else:
                credential = Credential(
                    address=address,
                    kind="static_secret",
                    environment=environment,
                    location=where,
                )
            state.model.credentials[credential.address] = credential
            secrets = [credential.address]
        found.extend(secrets)
    for template in inst.children("template"):
        for index, container in enumerate(template.children("container")):
            name = text(container.get("name")) or str(index)
            for env in container.children("env"):
                found.extend(_plaintext_env(state, inst, name, env))
    return found


def _plaintext_env(
    state: AzureState, inst: ResourceInstance, container: str, env: BlockView
) -> list[str]:
    """A literal secret written as an environment variable's value."""
    found = env_literal(env)
    if found is None:
        return []
    name, value = found
    credential = plaintext(
        f"{inst.full_address}/container/{container}/env/{name}",
        value,
        state.environment(inst, tags(inst.get("tags"))),
        Location(path=inst.path, line=env.line_of("value")),
    )
    state.model.credentials[credential.address] = credential
    return [credential.address]


def _container_images(inst: ResourceInstance) -> list[str]:
    return [
        image
        for template in inst.children("template")
        for container in template.children("container")
        if (image := text(container.get("image")))
    ]


def _gpu_profile(state: AzureState, inst: ResourceInstance) -> str | None:
    """``GPU workload profile NC24-A100`` when the app runs on a GPU profile."""
    profile = text(inst.get("workload_profile_name"))
    environment_ref = inst.get("container_app_environment_id")
    if profile is None or not isinstance(environment_ref, ResourceRef):
        return None
    environment = state.target(inst, environment_ref)
    if environment is None:
        return None
    for view in environment.children("workload_profile"):
        if text(view.get("name")) != profile:
            continue
        profile_type = text(view.get("workload_profile_type")) or ""
        if "gpu" in profile_type.lower() or profile_type.upper().startswith("NC"):
            return f"GPU workload profile {profile_type}"
    return None


# ---- App Service --------------------------------------------------------------------


def _web_app_credentials(state: AzureState, inst: ResourceInstance) -> list[str]:
    """Key Vault references and keys in app settings, literal secrets among them (app
    settings are the app's environment variables); connection strings."""
    settings = inst.get("app_settings")
    where = state.location(inst, "app_settings")
    found = consumed(state, inst, settings, where)
    for name, value in settings.items() if isinstance(settings, dict) else ():
        literal = isinstance(value, str) and key_vault_reference(value) is None
        if isinstance(name, str) and literal and literal_secret(name, value):
            environment = state.environment(inst, tags(inst.get("tags")))
            credential = plaintext(f"{inst.full_address}/env/{name}", value, environment, where)
            state.model.credentials[credential.address] = credential
            found.append(credential.address)
    for index, view in enumerate(inst.children("connection_string")):
        found.extend(_connection_string(state, inst, view, index))
    return found


def _connection_string(
    state: AzureState, inst: ResourceInstance, view: BlockView, index: int
) -> list[str]:
    where = Location(path=inst.path, line=view.line)
    found = consumed(state, inst, view.get("value"), where)
    if found or view.unknown is not None:
        return found
    address = f"{inst.full_address}#connection_string/{text(view.get('name')) or index}"
    value = view.get("value")
    environment = state.environment(inst, tags(inst.get("tags")))
    if isinstance(value, str) and written(value) and _SECRET_IN_CONNECTION.search(value):
        at = Location(path=inst.path, line=view.line_of("value"))
        credential = plaintext(address, value, environment, at)
    else:
        credential = Credential(
            address=address, kind="static_secret", environment=environment, location=where
        )
    state.model.credentials[credential.address] = credential
    return [credential.address]


def _web_app_images(inst: ResourceInstance) -> list[str]:
    return [
        image
        for site in inst.children("site_config")
        for stack in site.children("application_stack")
        if (image := text(stack.get("docker_image_name")))
    ]
