"""What the Azure extractor's passes share: the model so far, and how references resolve.

Azure names a principal in two ways: role assignments and access policies by object id
(``principal_id``), Kubernetes workload identity by client id. Neither is known before
apply, so resolution goes by Terraform reference: ``azurerm_user_assigned_identity.x``,
``azuread_service_principal.x``, or a workload's ``identity[0].principal_id``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from driftgate.analyzer.extract.addresses import external_address
from driftgate.analyzer.extract.azure.values import tags, text
from driftgate.analyzer.extract.context import ExtractContext
from driftgate.analyzer.model import Unknown
from driftgate.analyzer.terraform.blocks import BlockView
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import ResourceRef, UnknownValue, Value, display

# Identity kinds of resources (or data sources) a principal reference may name.
_REFERENCED_KINDS = {
    "azurerm_user_assigned_identity": "user_assigned_identity",
    "azuread_service_principal": "service_principal",
    "azuread_application": "service_principal",
    "azuread_user": "user",
    "azuread_group": "group",
}
# `principal_type` of a role assignment → the kind of an identity known only by id.
PRINCIPAL_TYPES = {
    "user": "user",
    "group": "group",
    "foreigngroup": "group",
    "serviceprincipal": "service_principal",
}


# (node pool address, VM size, pool name)
GpuPool = tuple[str, str, str]


def resource_type(ref: ResourceRef) -> str:
    """``azurerm_user_assigned_identity`` of ``data.azurerm_user_assigned_identity.x``."""
    return ref.address.removeprefix("data.").split(".", 1)[0]


@dataclass
class AzureState(ExtractContext):
    PROVIDER = "azure"
    instances: dict[str, ResourceInstance] = field(default_factory=dict)
    # A resource that stands for an identity declared elsewhere: an azuread_service_principal
    # of an azuread_application in the repository is that application's identity.
    aliases: dict[str, str] = field(default_factory=dict)
    # (resource address, attribute) → identity: `identity` of a workload is its
    # system-assigned identity, `kubelet_identity` of a cluster its kubelet identity.
    sub_identities: dict[tuple[str, str], str] = field(default_factory=dict)
    # (root label, lower-case name) → user-assigned identity, for literal resource ids.
    by_name: dict[tuple[str, str], str] = field(default_factory=dict)
    # Lower-case Key Vault secret URI → the declared secret, for literal references.
    secret_uris: dict[str, str] = field(default_factory=dict)
    # Cluster address → its separately declared GPU node pools.
    gpu_pools: dict[str, list[GpuPool]] = field(default_factory=dict)
    # (root label, lower-case role name) → the custom role (azurerm_role_definition).
    custom_roles: dict[tuple[str, str], ResourceInstance] = field(default_factory=dict)
    # The custom roles some assignment here names.
    used_definitions: set[str] = field(default_factory=set)

    def target(self, inst: ResourceInstance, ref: ResourceRef) -> ResourceInstance | None:
        """The instance a reference names, when the repository declares it."""
        return self.instances.get(inst.address_of(ref))

    # ---- identities a value names -------------------------------------------------

    def referenced_identity(self, inst: ResourceInstance, ref: ResourceRef) -> str | None:
        """The identity a reference names, if the repository declares it as one."""
        address = inst.address_of(ref)
        if address in self.aliases:
            return self.aliases[address]
        if (address, ref.attribute) in self.sub_identities:
            return self.sub_identities[(address, ref.attribute)]
        if ref.address.startswith("data."):
            return None
        if address in self.model.identities:
            return address
        target = self.instances.get(address)
        if ref.attribute == "identity" and target is not None:
            # Any resource with a system-assigned identity (a disk encryption set, a
            # storage account), not only the workloads this extractor knows.
            return self.system_identity(target)
        return None

    def principal(self, inst: ResourceInstance, value: Value, kind: str = "principal") -> str:
        """The identity a ``principal_id`` / ``object_id`` names.

        A reference to a declared identity is that identity; a literal object id is an
        identity known only by that id; anything else is a placeholder named after the
        expression, kept per root since the same expression means different principals
        in different roots. Never a guess.
        """
        if isinstance(value, ResourceRef):
            found = self.referenced_identity(inst, value)
            if found is not None:
                return found
            address = inst.address_of(value)
            if resource_type(value) in _REFERENCED_KINDS:
                kind = _REFERENCED_KINDS[resource_type(value)]
            elif not value.address.startswith("data."):
                # A part of another resource (an add-on's identity): not the resource itself.
                address = f"{address}#{value.attribute}"
            return self.undeclared(address, Unknown(unknown=value.expression), kind, inst)
        if isinstance(value, str) and value.strip():
            principal = value.strip()
            return self.undeclared(external_address("azure", principal), principal, kind)
        expression = value.expression if isinstance(value, UnknownValue) else display(value)
        address = f"{inst.root.label}:{inst.module_prefix}{expression}"
        return self.undeclared(address, Unknown(unknown=expression), kind, inst)

    def add_identity(
        self,
        inst: ResourceInstance,
        *,
        address: str,
        principal: str | Unknown,
        kind: str,
        name: str,
        labels: dict[str, str],
        view: BlockView | None = None,
    ) -> str:
        """A declared identity, located at its resource (or at the block that makes it)."""
        where = None if view is None else self.block_location(inst, view)
        return self.declare(inst, address, principal, kind, name, labels, where)

    def system_identity(self, inst: ResourceInstance) -> str | None:
        """``<address>#system`` when the resource's ``identity`` block is system-assigned."""
        address = f"{inst.full_address}#system"
        if address in self.model.identities:
            return address
        for view in inst.children("identity"):
            declared = view.get("type")
            if view.unknown is not None or not isinstance(declared, str):
                continue
            if "systemassigned" not in {p.strip().lower() for p in declared.split(",")}:
                continue
            self.add_identity(
                inst,
                address=address,
                principal=Unknown(unknown=f"{inst.address}.identity[0].principal_id"),
                kind="system_assigned_identity",
                name=text(inst.get("name")) or inst.name,
                labels=tags(inst.get("tags")),
                view=view,
            )
            self.sub_identities[(inst.full_address, "identity")] = address
            return address
        return None

    def undeclared(
        self,
        address: str,
        principal: str | Unknown,
        kind: str,
        inst: ResourceInstance | None = None,
    ) -> str:
        """An identity no file declares; it takes the environment of the root naming it."""
        if address in self.model.identities:
            return address
        name = principal.rsplit("/", 1)[-1] if isinstance(principal, str) else principal.unknown
        environment = self.environment(inst, {}) if inst is not None else None
        return self.placeholder(address, principal, kind, name, environment=environment)

    def user_assigned(self, inst: ResourceInstance, value: Value) -> str | None:
        """A user-assigned identity named by reference or by resource id (``identity_ids``)."""
        if isinstance(value, ResourceRef):
            found = self.referenced_identity(inst, value)
            if found is not None:
                return found
            return self.principal(inst, value, "user_assigned_identity")
        if isinstance(value, str) and value.strip():
            resource_id = value.strip().rstrip("/")
            segments = resource_id.split("/")
            if len(segments) > 2 and segments[-2].lower() == "userassignedidentities":
                found = self.by_name.get((inst.root.label, segments[-1].lower()))
                if found is not None:
                    return found
            address = external_address("azure", resource_id)
            return self.undeclared(address, resource_id, "user_assigned_identity")
        return None
