"""Azure (azurerm_*, azuread_*) resources → identity-binding model entities.

The passes run in dependency order, so that each resource can resolve what it
references by Terraform reference: identities (user-assigned identities, app
registrations and their service principals), then credentials (a Key Vault secret may
hold an app's password), then workloads (which create their system-assigned, kubelet
and add-on identities and consume credentials), then grants and trusts (which name any
of those identities).
"""

from __future__ import annotations

from collections.abc import Iterable

from driftgate.analyzer.extract.azure import credentials as azure_credentials
from driftgate.analyzer.extract.azure import grants as azure_grants
from driftgate.analyzer.extract.azure import identities as azure_identities
from driftgate.analyzer.extract.azure import workloads as azure_workloads
from driftgate.analyzer.extract.azure.scopes import SCOPE_TYPES
from driftgate.analyzer.extract.azure.state import AzureState
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.model import Model
from driftgate.analyzer.terraform.modules import ResourceInstance

_PREFIXES = ("azurerm_", "azuread_", "azapi_", "time_", "random_")
# Every pass's own table: identities, credentials, workloads, grants, and the scopes
# grants name.
HANDLED_TYPES = (
    azure_identities.HANDLED_TYPES
    | azure_credentials.HANDLED_TYPES
    | azure_workloads.HANDLED_TYPES
    | azure_grants.HANDLED_TYPES
    | SCOPE_TYPES
)


def extract_azure(instances: Iterable[ResourceInstance], options: ExtractOptions) -> Model:
    relevant = [i for i in instances if i.type.startswith(_PREFIXES)]
    state = AzureState(options, instances={i.full_address: i for i in relevant})
    azure_identities.declare(state, relevant)
    azure_credentials.declare(state, relevant)
    azure_workloads.extract(state, relevant)
    azure_grants.extract(state, relevant)
    return state.model
