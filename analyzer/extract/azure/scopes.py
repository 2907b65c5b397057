"""Azure scopes as resource-id paths, readable even when Terraform computes the id.

A role assignment's scope is usually a reference (``azurerm_resource_group.ml.id``).
When the referenced resource's name and resource group are written in the repository,
its id is rebuilt: ``/subscriptions/${subscription}/resourceGroups/rg-ml/providers/...``,
so that a resource-group scope and a subscription scope compare by path prefix.
``${subscription}`` stands for the subscription the provider deploys to; it is the same
for every scope of a root and is not counted as an unknown part of a grant. Any other
part that cannot be known is shown as ``${expression}`` and reported as unknown.
"""

from __future__ import annotations

from driftgate.analyzer.extract.azure.state import AzureState, resource_type
from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.terraform.blocks import BlockView
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import ResourceRef, UnknownValue, Value, display

SUBSCRIPTION = "${subscription}"
# Terraform type → the provider path of its resource id, for resources named by
# `name` within `resource_group_name`.
_ARM_TYPES = {
    "azurerm_storage_account": "Microsoft.Storage/storageAccounts",
    "azurerm_key_vault": "Microsoft.KeyVault/vaults",
    "azurerm_container_registry": "Microsoft.ContainerRegistry/registries",
    "azurerm_cognitive_account": "Microsoft.CognitiveServices/accounts",
    "azurerm_ai_services": "Microsoft.CognitiveServices/accounts",
    "azurerm_machine_learning_workspace": "Microsoft.MachineLearningServices/workspaces",
    "azurerm_kubernetes_cluster": "Microsoft.ContainerService/managedClusters",
    "azurerm_user_assigned_identity": "Microsoft.ManagedIdentity/userAssignedIdentities",
    "azurerm_virtual_network": "Microsoft.Network/virtualNetworks",
    "azurerm_search_service": "Microsoft.Search/searchServices",
    "azurerm_log_analytics_workspace": "Microsoft.OperationalInsights/workspaces",
    "azurerm_application_insights": "Microsoft.Insights/components",
    "azurerm_container_app_environment": "Microsoft.App/managedEnvironments",
    "azurerm_container_app": "Microsoft.App/containerApps",
    "azurerm_cosmosdb_account": "Microsoft.DocumentDB/databaseAccounts",
    "azurerm_eventhub_namespace": "Microsoft.EventHub/namespaces",
    "azurerm_servicebus_namespace": "Microsoft.ServiceBus/namespaces",
    "azurerm_linux_web_app": "Microsoft.Web/sites",
    "azurerm_windows_web_app": "Microsoft.Web/sites",
    "azurerm_linux_function_app": "Microsoft.Web/sites",
    "azurerm_windows_function_app": "Microsoft.Web/sites",
}
_SUBSCRIPTION = "azurerm_subscription"
_MANAGEMENT_GROUP = "azurerm_management_group"
_RESOURCE_GROUP = "azurerm_resource_group"
_SUBNET = "azurerm_subnet"
# Read when a scope names one of them by its id.
SCOPE_TYPES = frozenset({_SUBSCRIPTION, _MANAGEMENT_GROUP, _RESOURCE_GROUP, _SUBNET, *_ARM_TYPES})
# Attributes that hold the Azure resource id of a resource.
_ID_ATTRIBUTES = frozenset({"id", "resource_manager_id", "resource_id"})


def render(view: BlockView, attribute: str) -> tuple[str | None, list[str]]:
    """A string attribute with its unknown parts shown as ``${expression}``; None if unset."""
    attr = view.block.attributes.get(attribute)
    if attr is None:
        return None, []
    value = view.evaluator.eval(attr.expr)
    if isinstance(value, str):
        return value, []
    if isinstance(value, UnknownValue):
        if not isinstance(attr.expr, ast.Template):
            return str(value), [value.expression]
        out: list[str] = []
        unknown: list[str] = []
        for part in attr.expr.parts:
            piece = part if isinstance(part, str) else view.evaluator.eval(part)
            if isinstance(piece, UnknownValue):
                out.append(str(piece))
                unknown.append(piece.expression)
            elif isinstance(piece, str | int | float):
                out.append(display(piece))
            else:
                return None, []
        return "".join(out), unknown
    return None, []


def resource_id(inst: ResourceInstance) -> tuple[str, list[str]] | None:
    """The resource id of a resource, its unknown name parts shown (and listed).

    Known only for the types above and when the name (and resource group) is set: a
    scope whose level is known but whose name is computed still compares by level.
    """
    kind = inst.type
    view = inst.view
    if kind == _SUBSCRIPTION:
        subscription, unknown = render(view, "subscription_id")
        return f"/subscriptions/{subscription or SUBSCRIPTION}", unknown
    name, unknown = render(view, "name")
    if name is None:
        return None
    if kind == _MANAGEMENT_GROUP:
        return f"/providers/Microsoft.Management/managementGroups/{name}", unknown
    if kind == _RESOURCE_GROUP:
        return f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{name}", unknown
    group, group_unknown = render(view, "resource_group_name")
    if group is None:
        return None
    unknown = group_unknown + unknown
    prefix = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers"
    if kind == _SUBNET:
        network, network_unknown = render(view, "virtual_network_name")
        if network is None:
            return None
        path = f"{prefix}/Microsoft.Network/virtualNetworks/{network}/subnets/{name}"
        return path, network_unknown + unknown
    provider_path = _ARM_TYPES.get(kind)
    return (f"{prefix}/{provider_path}/{name}", unknown) if provider_path else None


def _reference(
    state: AzureState, inst: ResourceInstance, ref: ResourceRef
) -> tuple[str, list[str]] | None:
    """A reference as scope text when it can be rebuilt; None otherwise."""
    subscriptions = ("azurerm_client_config", _SUBSCRIPTION)
    if ref.attribute == "subscription_id" and resource_type(ref) in subscriptions:
        target = state.target(inst, ref)
        known = target.get("subscription_id") if target is not None else None
        return (known if isinstance(known, str) else SUBSCRIPTION), []
    if ref.attribute not in _ID_ATTRIBUTES:
        return None
    target = state.target(inst, ref)
    return resource_id(target) if target is not None else None


def scope_text(state: AzureState, inst: ResourceInstance, value: Value) -> tuple[str, list[str]]:
    """A scope value as text, and the expressions of its unknown parts."""
    if isinstance(value, str):
        return value, []
    if isinstance(value, ResourceRef):
        rebuilt = _reference(state, inst, value)
        if rebuilt is not None:
            return rebuilt
        return str(value), [value.expression]
    if isinstance(value, UnknownValue):
        return str(value), [value.expression]
    if isinstance(value, int | float):
        return display(value), []
    return display(value), [display(value)]


def scope_of(
    state: AzureState, inst: ResourceInstance, view: BlockView, attribute: str
) -> tuple[str, list[str]]:
    """The scope an attribute names; an interpolated string is rendered part by part."""
    value = view.get(attribute)
    attr = view.block.attributes.get(attribute)
    if isinstance(value, UnknownValue) and attr is not None and isinstance(attr.expr, ast.Template):
        return _template(state, inst, view, attr.expr)
    return scope_text(state, inst, value)


def _template(
    state: AzureState, inst: ResourceInstance, view: BlockView, expr: ast.Template
) -> tuple[str, list[str]]:
    unknown: list[str] = []

    def part(expr: ast.Expr) -> str:
        text, missing = scope_text(state, inst, view.evaluator.eval(expr))
        unknown.extend(missing)
        return text

    return expr.join(part), unknown
