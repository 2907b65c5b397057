"""Azure (azurerm_*, azuread_*) resources → identity-binding model entities.

Each resource is read in the phase that lets it resolve what it references by Terraform
reference: app registrations before the service principals that alias them, passwords
before the Key Vault secrets that hold them, those before the workloads that consume
them, and workloads (which create their system-assigned, kubelet and add-on identities)
before the grants and trusts that name any of those identities.
"""

from __future__ import annotations

from collections.abc import Iterable

from driftgate.analyzer.extract.azure import credentials, grants, identities, workloads
from driftgate.analyzer.extract.azure.scopes import SCOPE_TYPES
from driftgate.analyzer.extract.azure.state import AzureState
from driftgate.analyzer.extract.context import Report, ignore
from driftgate.analyzer.extract.dispatch import Dispatch, Phase, handles, indexed
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.model import Model
from driftgate.analyzer.terraform.modules import ResourceInstance

_PREFIXES = ("azurerm_", "azuread_", "azapi_", "time_", "random_")
_SERVICE_PRINCIPAL = identities.SERVICE_PRINCIPAL
_IDENTITIES = {identities.USER_ASSIGNED, identities.APPLICATION, _SERVICE_PRINCIPAL}


def _application(state: AzureState, inst: ResourceInstance) -> None:
    identities.application(state, inst)
    credentials.inline_password(state, inst)


_READ = {
    *_IDENTITIES,
    grants.ROLE_DEFINITION,
    workloads.NODE_POOL,
    *workloads.WORKLOAD_TYPES,
    "azurerm_key_vault",
}
_DISPATCH: Dispatch[AzureState] = Dispatch(
    (
        handles(Phase.DECLARE, _application, identities.APPLICATION),
        handles(Phase.DECLARE, grants.custom_role, grants.ROLE_DEFINITION),
        handles(Phase.DECLARE, workloads.gpu_pool, workloads.NODE_POOL),
        # Named by reference or resource id, read where they are named.
        handles(Phase.DECLARE, indexed, *(SCOPE_TYPES - _READ) | credentials.LOOKED_UP),
        handles(Phase.IDENTITY, identities.user_assigned, identities.USER_ASSIGNED),
        handles(
            Phase.IDENTITY,
            identities.service_principal,
            _SERVICE_PRINCIPAL,
            reads={identities.APPLICATION},
        ),
        handles(
            Phase.INDEX,
            credentials.password,
            *credentials.PASSWORDS,
            reads={identities.APPLICATION, _SERVICE_PRINCIPAL},
        ),
        handles(
            Phase.CREDENTIAL,
            credentials.key_vault_secret,
            credentials.KEY_VAULT_SECRET,
            reads=credentials.PASSWORDS.keys(),
        ),
        handles(
            Phase.WORKLOAD,
            workloads.workload,
            *workloads.WORKLOAD_TYPES,
            reads={*_IDENTITIES, credentials.KEY_VAULT_SECRET, workloads.NODE_POOL},
        ),
        handles(Phase.GRANT, grants.role_assignment, "azurerm_role_assignment"),
        handles(Phase.GRANT, grants.key_vault_access_policy, "azurerm_key_vault_access_policy"),
        handles(Phase.GRANT, grants.key_vault, "azurerm_key_vault"),
        handles(Phase.GRANT, grants.federated, *grants.FEDERATED, reads=_IDENTITIES),
    )
)
HANDLED_TYPES = _DISPATCH.handled_types


def extract_azure(
    instances: Iterable[ResourceInstance], options: ExtractOptions, report: Report = ignore
) -> Model:
    relevant = [i for i in instances if i.type.startswith(_PREFIXES) and not i.dormant]
    state = AzureState(options, instances={i.full_address: i for i in relevant}, report=report)
    _DISPATCH.run(state, relevant)
    grants.unassigned_definitions(state)
    return state.model
