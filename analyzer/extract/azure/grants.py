"""Azure grants and trusts: role assignments, Key Vault access policies, federated
identity credentials.

A role assignment of a built-in role is one permission: the role's name on the scope
path (``Contributor`` on ``/subscriptions/${subscription}/resourceGroups/rg-ml``). A
custom role (``azurerm_role_definition`` in the repository) is expanded into its actions
and data actions on the scope, so that editing the role's actions is growth of every
identity it is assigned to; its ``not_actions`` / ``not_data_actions`` become
conditions (``NotActions Microsoft.Authorization/*``), so that removing one reads as a
guardrail removed. The grant is located at the role's ``permissions`` block and bound at
the assignment.
"""

from __future__ import annotations

from dataclasses import dataclass

from driftgate.analyzer import vendor_roles
from driftgate.analyzer.extract.azure.scopes import resource_id, scope_of
from driftgate.analyzer.extract.azure.state import PRINCIPAL_TYPES, AzureState, resource_type
from driftgate.analyzer.extract.azure.values import strings, text
from driftgate.analyzer.model import Grant, Location, Permission, Trust
from driftgate.analyzer.model.conditions import opaque
from driftgate.analyzer.providers import azure
from driftgate.analyzer.terraform.blocks import BlockView
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import ResourceRef, UnknownValue, Value, display

ROLE_DEFINITION = "azurerm_role_definition"
USER_ASSIGNED = "azurerm_user_assigned_identity"
# Built-in roles whose holders may assign a user-assigned identity to what they control.
_ASSIGNS_IDENTITY = frozenset({"managed identity operator", "contributor", "owner"})
_ACCESS_POLICY_PERMISSIONS = (
    ("secret_permissions", "secrets"),
    ("key_permissions", "keys"),
    ("certificate_permissions", "certificates"),
    ("storage_permissions", "storage"),
)
_EXCLUSIONS = (("not_actions", "NotActions"), ("not_data_actions", "NotDataActions"))
FEDERATED = {
    "azurerm_federated_identity_credential": ("parent_id",),
    "azuread_application_federated_identity_credential": (
        "application_id",
        "application_object_id",
    ),
}


@dataclass(frozen=True, slots=True)
class _Role:
    """What a role assignment assigns: a role name, or a custom role in the repository."""

    name: str
    unknown: tuple[str, ...] = ()
    definition: ResourceInstance | None = None


def custom_role(state: AzureState, inst: ResourceInstance) -> None:
    """A custom role is read as what the assignments that name it grant."""
    if name := text(inst.get("name")):
        state.custom_roles[(inst.root.label, name.lower())] = inst


# ---- role assignments ---------------------------------------------------------------


def _role(state: AzureState, inst: ResourceInstance) -> _Role:
    custom = state.custom_roles
    name = inst.get("role_definition_name")
    if isinstance(name, str):
        return _Role(name, (), custom.get((inst.root.label, name.lower())))
    value = inst.get("role_definition_id")
    if isinstance(value, ResourceRef):
        target = state.target(inst, value)
        if target is not None and resource_type(value) == ROLE_DEFINITION:
            if target.mode == "resource":
                return _Role(text(target.get("name")) or target.address, (), target)
            # data "azurerm_role_definition": a built-in (or existing) role by name or id.
            known = text(target.get("name")) or _builtin(target.get("role_definition_id"))
            if known is not None:
                return _Role(known)
    if isinstance(value, str) and value:
        guid = value.rstrip("/").rsplit("/", 1)[-1]
        for definition in custom.values():
            if definition.root == inst.root and text(definition.get("role_definition_id")) == guid:
                return _Role(text(definition.get("name")) or value, (), definition)
        return _Role(_builtin(value) or value)
    shown = value if value is not None else name
    expression = shown.expression if isinstance(shown, UnknownValue) else display(shown)
    return _Role(display(shown), (expression,))


def _builtin(value: Value) -> str | None:
    """The built-in role a role definition id names; the id itself when not a known one."""
    if not isinstance(value, str) or not value:
        return None
    guid = value.rstrip("/").rsplit("/", 1)[-1].lower()
    # Built-in role ids are the same in every tenant: the catalog names them.
    found = vendor_roles.azure_role(guid)
    return found.name if found is not None else value


def role_assignment(state: AzureState, inst: ResourceInstance) -> None:
    principal_type = text(inst.get("principal_type"))
    kind = PRINCIPAL_TYPES.get((principal_type or "").lower(), "principal")
    identity = state.principal(inst, inst.get("principal_id"), kind)
    scope, unknown = scope_of(state, inst, inst.view, "scope")
    role = _role(state, inst)
    unknown.extend(role.unknown)
    conditions: list[str] = []
    condition = inst.get("condition")
    if condition is not None:
        version = text(inst.get("condition_version"))
        prefix = f"ABAC {version}: " if version else "ABAC: "
        conditions.append(prefix + display(condition))
        if isinstance(condition, UnknownValue):
            unknown.append(condition.expression)
    where = state.location(inst)
    _acts_as(state, inst, identity, role.name, where)
    if role.definition is None and not role.unknown and vendor_roles.azure_role(role.name) is None:
        # Neither built in nor declared here: a typo, or a role newer than the catalog.
        unknown.append(f"role {role.name} (not in driftgate's catalog)")
        attribute = "role_definition_name" if inst.view.has("role_definition_name") else None
        state.warn_unresolved(
            inst,
            inst.line_of(attribute) if attribute else inst.block.line,
            f"role {role.name} is neither an Azure built-in role in driftgate's catalog nor "
            "declared in this tree; what it grants is unknown",
        )
    if role.definition is None:
        state.model.grants.append(
            Grant(
                identity=identity,
                permissions=(Permission(action=role.name, resource=scope),),
                conditions=tuple(opaque(c) for c in conditions),
                via=inst.address,
                unknown=tuple(unknown),
                location=where,
                binding=where,
            )
        )
        return
    definition = role.definition
    state.used_definitions.add(definition.full_address)
    state.model.grants.append(
        _definition_grant(
            identity,
            definition,
            scope,
            role.name,
            conditions,
            unknown,
            f"{inst.address} assigns {definition.address} ({role.name})",
            where,
        )
    )


def _definition_grant(
    identity: str,
    definition: ResourceInstance,
    scope: str,
    name: str,
    conditions: list[str],
    unknown: list[str],
    via: str,
    binding: Location | None,
) -> Grant:
    """What a custom role (``azurerm_role_definition``) grants at ``scope``."""
    views = definition.children("permissions")
    permissions: list[Permission] = []
    for view in views:
        if view.unknown is not None:
            unknown.append(view.unknown)
            continue
        for attribute in ("actions", "data_actions"):
            actions, missing = strings(view.get(attribute))
            permissions.extend(Permission(action=a, resource=scope) for a in actions)
            unknown.extend(missing)
        for attribute, label in _EXCLUSIONS:
            actions, missing = strings(view.get(attribute))
            conditions.extend(f"{label} {a}" for a in actions)
            unknown.extend(missing)
    if not permissions:
        # Actions that cannot be read: the role is still visible by name.
        permissions.append(Permission(action=name, resource=scope))
    line = views[0].line if views else definition.block.line
    end = views[-1].block.end_line if views else definition.block.end_line
    return Grant(
        identity=identity,
        permissions=tuple(dict.fromkeys(permissions)),
        conditions=tuple(opaque(c) for c in conditions),
        via=via,
        unknown=tuple(unknown),
        location=Location(path=definition.path, line=line, end_line=end if end > line else None),
        binding=binding,
    )


def unassigned_definitions(state: AzureState) -> None:
    """Custom roles nothing here assigns, kept so that what they gain is said on them."""
    for definition in state.custom_roles.values():
        if definition.full_address in state.used_definitions:
            continue
        name = text(definition.get("name")) or definition.address
        scope = definition.get("scope")
        shown = scope if isinstance(scope, str) else display(scope) if scope is not None else "/"
        address = state.define(definition, "role definition", name, "assigned to nothing here")
        via = f"{definition.address} ({name})"
        state.model.grants.append(
            _definition_grant(address, definition, shown, name, [], [], via, None)
        )


def _acts_as(
    state: AzureState, inst: ResourceInstance, assignee: str, role: str, where: Location
) -> None:
    """A role on a user-assigned identity that lets its holder attach the identity to a
    resource they control (``userAssignedIdentities/*/assign/action``), and so act as
    it: a trust of that identity, naming a person or group as ``user:``/``group:``."""
    if role.lower() not in _ASSIGNS_IDENTITY:
        return
    scope = inst.get("scope")
    if not isinstance(scope, ResourceRef) or resource_type(scope) != USER_ASSIGNED:
        return
    target = state.referenced_identity(inst, scope)
    holder = state.model.identities.get(assignee)
    if target is None or holder is None:
        return
    kind = holder.kind if holder.kind in ("user", "group") else "principal"
    state.model.trusts.append(
        Trust(
            identity=target,
            principals=(f"{kind}:{holder.name}",),
            actions=(role,),
            via=inst.address,
            location=where,
        )
    )


# ---- Key Vault access policies -------------------------------------------------------


def key_vault_access_policy(state: AzureState, inst: ResourceInstance) -> None:
    scope, unknown = scope_of(state, inst, inst.view, "key_vault_id")
    _access_policy(state, inst, inst.view, scope, unknown, inst.address)


def key_vault(state: AzureState, inst: ResourceInstance) -> None:
    vault, unknown = resource_id(inst) or (f"${{{inst.address}.id}}", [f"{inst.address}.id"])
    for view in inst.children("access_policy"):
        _access_policy(state, inst, view, vault, unknown, f"{inst.address} access_policy")


def _access_policy(
    state: AzureState,
    inst: ResourceInstance,
    view: BlockView,
    vault: str,
    vault_unknown: list[str],
    via: str,
) -> None:
    """One grant per permission list, located at that list (``secrets/get`` on the vault)."""
    if view.unknown is not None:
        return
    identity = state.principal(inst, view.get("object_id"), "principal")
    for attribute, prefix in _ACCESS_POLICY_PERMISSIONS:
        if not view.has(attribute):
            continue
        names, missing = strings(view.get(attribute))
        permissions = tuple(
            dict.fromkeys(Permission(action=f"{prefix}/{n.lower()}", resource=vault) for n in names)
        )
        if not permissions and not missing:
            continue
        state.model.grants.append(
            Grant(
                identity=identity,
                permissions=permissions,
                via=via,
                unknown=(*vault_unknown, *missing),
                location=Location(path=inst.path, line=view.line_of(attribute)),
            )
        )


# ---- federated identity credentials --------------------------------------------------


def federated(state: AzureState, inst: ResourceInstance) -> None:
    """Who may sign in as the identity: ``<issuer>#<subject>`` of the external token."""
    identity = None
    for attribute in FEDERATED[inst.type]:
        if inst.view.has(attribute):
            value = inst.get(attribute)
            if inst.type == "azurerm_federated_identity_credential":
                identity = state.user_assigned(inst, value)
            else:
                identity = state.principal(inst, value, "service_principal")
            break
    if identity is None:
        return
    issuer, subject = display(inst.get("issuer")), display(inst.get("subject"))
    audience = inst.get("audience") if inst.view.has("audience") else inst.get("audiences")
    audiences, missing = strings(audience)
    conditions = [f"audience {a}" for a in audiences] + [f"audience ${{{m}}}" for m in missing]
    state.model.trusts.append(
        Trust(
            identity=identity,
            principals=(f"{issuer}#{subject}",),
            conditions=tuple(azure.conditions(conditions)),
            via=inst.address,
            location=state.location(inst),
        )
    )
