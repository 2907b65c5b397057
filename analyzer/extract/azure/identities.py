"""Azure identities: user-assigned identities, app registrations and their service principals,
and the managed identities that workloads get from their ``identity`` blocks.

An ``azuread_application`` and the ``azuread_service_principal`` created for it are one
identity, addressed by the application (where its credentials and federated credentials
hang); the service principal is an alias of it. A system-assigned identity has no
resource of its own: it is addressed ``<workload address>#system``.

The principal of an Azure identity is its client id, the value Kubernetes workload
identity annotations carry. Azure computes it at apply time, so it is Unknown unless a
file writes it (a service principal of an application registered elsewhere).
"""

from __future__ import annotations

from driftgate.analyzer.extract.azure.state import AzureState
from driftgate.analyzer.extract.azure.values import tags, text
from driftgate.analyzer.model import Unknown
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import ResourceRef, UnknownValue

USER_ASSIGNED = "azurerm_user_assigned_identity"
APPLICATION = "azuread_application"
SERVICE_PRINCIPAL = "azuread_service_principal"
# AKS add-on blocks → the nested block that exports the add-on's managed identity.
AKS_ADDONS = {
    "ingress_application_gateway": "ingress_application_gateway_identity",
    "oms_agent": "oms_agent_identity",
    "key_vault_secrets_provider": "secret_identity",
    "web_app_routing": "web_app_routing_identity",
}


def user_assigned(state: AzureState, inst: ResourceInstance) -> None:
    name = text(inst.get("name")) or inst.name
    address = state.add_identity(
        inst,
        address=inst.full_address,
        principal=Unknown(unknown=f"{inst.address}.client_id"),
        kind="user_assigned_identity",
        name=name,
        labels=tags(inst.get("tags")),
    )
    state.by_name.setdefault((inst.root.label, name.lower()), address)


def application(state: AzureState, inst: ResourceInstance) -> None:
    state.add_identity(
        inst,
        address=inst.full_address,
        principal=Unknown(unknown=f"{inst.address}.client_id"),
        kind="service_principal",
        name=text(inst.get("display_name")) or inst.name,
        labels=tags(inst.get("tags")),
    )


def service_principal(state: AzureState, inst: ResourceInstance) -> None:
    attribute = "client_id" if inst.view.has("client_id") else "application_id"
    client = inst.get(attribute)
    if isinstance(client, ResourceRef) and client.address.startswith(f"{APPLICATION}."):
        application = state.referenced_identity(inst, client)
        if application is not None:
            state.aliases[inst.full_address] = application
            return
    principal = text(client)
    state.add_identity(
        inst,
        address=inst.full_address,
        principal=principal or Unknown(unknown=f"{inst.address}.{attribute}"),
        kind="service_principal",
        name=principal or inst.name,
        labels=tags(inst.get("tags")),
    )


def managed_identities(state: AzureState, inst: ResourceInstance) -> list[str]:
    """The identities an ``identity`` block gives a workload, system-assigned one created."""
    found: list[str] = []
    for view in inst.children("identity"):
        if view.unknown is not None:
            unknown = Unknown(unknown=view.unknown)
            address = f"{inst.full_address}#identity"
            found.append(state.undeclared(address, unknown, "managed_identity", inst))
            continue
        system = state.system_identity(inst)
        if system is not None:
            found.append(system)
        ids = view.get("identity_ids")
        if isinstance(ids, list):
            found.extend(a for item in ids if (a := state.user_assigned(inst, item)) is not None)
        elif isinstance(ids, UnknownValue):
            found.append(state.principal(inst, ids, "user_assigned_identity"))
    return list(dict.fromkeys(found))


def aks_identities(
    state: AzureState, inst: ResourceInstance, name: str, labels: dict[str, str]
) -> list[str]:
    """A cluster's kubelet and add-on identities (its control-plane one is its ``identity``)."""
    found: list[str] = []
    kubelet: str | None = None
    views = inst.children("kubelet_identity")
    if views and views[0].unknown is None:
        view = views[0]
        given = view.get("user_assigned_identity_id")
        kubelet = state.user_assigned(inst, given) if given is not None else None
        client = text(view.get("client_id"))
        if kubelet is None and client is not None:
            kubelet = state.principal(inst, client, "user_assigned_identity")
    elif not views and inst.children("identity"):
        # Without a kubelet_identity block AKS creates one: "<cluster>-agentpool".
        kubelet = state.add_identity(
            inst,
            address=f"{inst.full_address}#kubelet",
            principal=Unknown(unknown=f"{inst.address}.kubelet_identity[0].client_id"),
            kind="kubelet_identity",
            name=f"{name}-agentpool",
            labels=labels,
        )
    if kubelet is not None:
        state.sub_identities[(inst.full_address, "kubelet_identity")] = kubelet
        found.append(kubelet)
    for block, exported in AKS_ADDONS.items():
        addon = inst.children(block)
        if not addon or addon[0].unknown is not None:
            continue
        address = state.add_identity(
            inst,
            address=f"{inst.full_address}#{block}",
            principal=Unknown(unknown=f"{inst.address}.{block}[0].{exported}[0].client_id"),
            kind="addon_identity",
            name=f"{name} {block}",
            labels=labels,
            view=addon[0],
        )
        state.sub_identities[(inst.full_address, block)] = address
        found.append(address)
    return found
