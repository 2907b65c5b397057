"""The Azure extractor: identities, grants, trusts, credentials and workloads from Terraform."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftgate.analyzer.extract.azure.extract import extract_azure
from driftgate.analyzer.extract.azure.values import go_duration, key_vault_reference, rfc3339, tags
from driftgate.analyzer.extract.kubernetes.manifests import extract_kubernetes
from driftgate.analyzer.extract.link import link, merge
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.model import Grant, Location, Model, Permission, Unknown
from driftgate.analyzer.parse.hcl import parse_hcl
from driftgate.analyzer.parse.yaml_docs import load_yaml
from driftgate.analyzer.terraform.modules import TerraformProject

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = "testdata/model/azure"
GOLDEN = ROOT / "tests" / "golden" / "model-azure.json"

DAY = 86_400
ROOT_LABEL = "envs/prod"
UAI_IDS = (
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities"
)
ROLE_IDS = "/subscriptions/0000/providers/Microsoft.Authorization/roleDefinitions"
VAULT = (
    "/subscriptions/${subscription}/resourceGroups/rg-ml/providers/Microsoft.KeyVault/vaults/kv-ml"
)


def _model(*files: tuple[str, str]) -> Model:
    parsed = [parse_hcl(path, textwrap.dedent(text)) for path, text in files]
    instances = list(TerraformProject(parsed).instances())
    return extract_azure(instances, ExtractOptions())


def _tf(text: str, **values: str) -> Model:
    """``@NAME@`` in ``text`` is replaced by ``values[NAME]`` (long ids stay readable)."""
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    return _model((f"{ROOT_LABEL}/main.tf", text))


def _a(address: str) -> str:
    return f"{ROOT_LABEL}:{address}"


def _grants(model: Model, via: str) -> list[Grant]:
    return [g for g in model.grants if g.via == via]


# --- identities -----------------------------------------------------------------------


def test_user_assigned_identity_with_owner_and_environment_from_tags() -> None:
    model = _model(
        (
            "platform/main.tf",
            """\
            resource "azurerm_user_assigned_identity" "llm" {
              name                = "id-llm"
              resource_group_name = "rg"
              location            = "westeurope"
              tags = { team = "ml-platform", environment = "production" }
            }
            """,
        )
    )
    identity = model.identities["platform:azurerm_user_assigned_identity.llm"]
    assert identity.kind == "user_assigned_identity"
    assert identity.name == "id-llm"
    # The client id is computed by Azure: the principal stays unknown, never guessed.
    assert identity.principal == Unknown(unknown="azurerm_user_assigned_identity.llm.client_id")
    assert (identity.owner, identity.environment) == ("ml-platform", "prod")
    assert identity.location == Location(path="platform/main.tf", line=1, end_line=6)


def test_identity_block_system_and_user_assigned() -> None:
    model = _tf(
        """\
        resource "azurerm_user_assigned_identity" "shared" {
          name = "id-shared"
        }

        resource "azurerm_linux_web_app" "api" {
          name = "api"
          identity {
            type         = "SystemAssigned, UserAssigned"
            identity_ids = [
              azurerm_user_assigned_identity.shared.id,
              "@IDS@/id-shared",
              "@IDS@/id-other",
            ]
          }
        }
        """,
        IDS=UAI_IDS,
    )
    workload = model.workloads[_a("azurerm_linux_web_app.api")]
    other = f"azure:{UAI_IDS}/id-other"
    assert workload.identities == (
        _a("azurerm_linux_web_app.api#system"),
        # By reference and by resource id (matched on the name): the same identity.
        _a("azurerm_user_assigned_identity.shared"),
        other,
    )
    system = model.identities[_a("azurerm_linux_web_app.api#system")]
    assert system.kind == "system_assigned_identity"
    assert system.principal == Unknown(unknown="azurerm_linux_web_app.api.identity[0].principal_id")
    assert system.location == Location(path="envs/prod/main.tf", line=7, end_line=14)
    assert model.identities[other].declared is False
    assert model.identities[other].name == "id-other"


def test_workload_without_identity_block_and_with_unknown_identities() -> None:
    model = _tf(
        """\
        variable "ids" {}
        variable "modes" {}

        resource "azurerm_linux_function_app" "plain" {
          name = "plain"
        }

        resource "azurerm_container_app" "by_var" {
          name = "by-var"
          identity {
            type         = "UserAssigned"
            identity_ids = var.ids
          }
        }

        resource "azurerm_container_app" "dynamic" {
          name = "dynamic"
          dynamic "identity" {
            for_each = var.modes
            content {
              type = identity.value
            }
          }
        }
        """
    )
    assert model.workloads[_a("azurerm_linux_function_app.plain")].identities == ()
    (by_var,) = model.workloads[_a("azurerm_container_app.by_var")].identities
    assert by_var == _a("var.ids")
    assert model.identities[by_var].principal == Unknown(unknown="var.ids")
    assert model.identities[by_var].declared is False
    (dynamic,) = model.workloads[_a("azurerm_container_app.dynamic")].identities
    assert dynamic == _a("azurerm_container_app.dynamic#identity")
    assert model.identities[dynamic].kind == "managed_identity"


def test_application_and_its_service_principal_are_one_identity() -> None:
    model = _tf(
        """\
        resource "azuread_application" "deployer" {
          display_name = "llm-deployer"
          tags         = ["team=ml-platform", "HideApp"]
        }

        resource "azuread_service_principal" "deployer" {
          client_id = azuread_application.deployer.client_id
        }

        resource "azurerm_role_assignment" "deployer" {
          scope                = "/subscriptions/0000/resourceGroups/rg-ml"
          role_definition_name = "Contributor"
          principal_id         = azuread_service_principal.deployer.object_id
        }
        """
    )
    assert _a("azuread_service_principal.deployer") not in model.identities
    app = model.identities[_a("azuread_application.deployer")]
    assert (app.kind, app.name, app.owner) == ("service_principal", "llm-deployer", "ml-platform")
    (grant,) = model.grants
    assert grant.identity == app.address
    assert grant.permissions == (
        Permission(action="Contributor", resource="/subscriptions/0000/resourceGroups/rg-ml"),
    )


def test_service_principal_with_literal_client_id_links_to_the_annotated_service_account() -> None:
    client_id = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
    azure = _tf(
        f"""\
        resource "azuread_service_principal" "vendor" {{
          client_id = "{client_id}"
        }}
        """
    )
    assert azure.identities[_a("azuread_service_principal.vendor")].principal == client_id
    documents, _ = load_yaml(
        "k8s/prod/sa.yaml",
        textwrap.dedent(
            f"""\
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: scorer
              namespace: ml-prod
              annotations:
                azure.workload.identity/client-id: "{client_id}"
            """
        ).encode(),
    )
    kubernetes = extract_kubernetes(documents, ExtractOptions())
    linked = link(merge([azure, kubernetes]))
    account = linked.identities["k8s:ml-prod/ServiceAccount/scorer"]
    assert account.federates_to == (_a("azuread_service_principal.vendor"),)


# --- credentials ----------------------------------------------------------------------


def test_password_lifetimes_come_from_the_configuration_only() -> None:
    model = _tf(
        """\
        resource "azuread_application" "app" {
          display_name = "app"
          password {
            display_name = "bootstrap"
          }
        }

        resource "time_rotating" "quarterly" {
          rotation_days = 90
        }

        resource "azuread_application_password" "relative" {
          application_id    = azuread_application.app.id
          end_date_relative = "8760h"
        }

        resource "azuread_application_password" "window" {
          application_id = azuread_application.app.id
          start_date     = "2026-01-01T00:00:00Z"
          end_date       = "2026-01-31T00:00:00Z"
        }

        resource "azuread_application_password" "timeadd" {
          application_id = azuread_application.app.id
          end_date       = timeadd(timestamp(), "720h")
        }

        resource "azuread_application_password" "rotated" {
          application_id      = azuread_application.app.id
          end_date            = time_rotating.quarterly.rotation_rfc3339
          rotate_when_changed = { rotation = time_rotating.quarterly.id }
        }

        resource "azuread_application_password" "absolute" {
          application_id = azuread_application.app.id
          end_date       = "2099-12-31T00:00:00Z"
        }

        resource "azuread_application_password" "default" {
          application_id    = azuread_application.app.id
          end_date_relative = "one year"
        }

        resource "azuread_application_certificate" "cert" {
          application_id = azuread_application.app.id
          type           = "AsymmetricX509Cert"
          value          = "-----BEGIN CERTIFICATE-----"
        }
        """
    )
    app = _a("azuread_application.app")

    def ttl(name: str) -> int | None:
        credential = model.credentials[_a(name)]
        assert credential.identity == app
        return credential.ttl_seconds

    assert ttl("azuread_application_password.relative") == 365 * DAY
    assert ttl("azuread_application_password.window") == 30 * DAY
    assert ttl("azuread_application_password.timeadd") == 30 * DAY
    assert ttl("azuread_application_password.rotated") == 90 * DAY
    # An absolute end with no start has no length without a clock: unknown, not guessed.
    assert ttl("azuread_application_password.absolute") is None
    # Graph's default when no end is given (an unparsable relative end is ignored).
    assert ttl("azuread_application_password.default") == 2 * 365 * DAY
    assert ttl("azuread_application.app#password") == 2 * 365 * DAY
    certificate = model.credentials[_a("azuread_application_certificate.cert")]
    assert (certificate.kind, certificate.ttl_seconds) == ("certificate", None)
    # At the line that sets the lifetime: what a long-TTL finding asks to change.
    assert model.credentials[_a("azuread_application_password.relative")].location == Location(
        path="envs/prod/main.tf", line=14
    )
    # No lifetime set (the provider's two-year default): the whole block.
    default = model.credentials[_a("azuread_application.app#password")].location
    assert default is not None and default.end_line is not None


def test_key_vault_secret_holding_a_password_authenticates_its_identity() -> None:
    model = _tf(
        """\
        resource "azuread_application" "ci" {
          display_name = "ci"
        }

        resource "azuread_service_principal" "ci" {
          client_id = azuread_application.ci.client_id
        }

        resource "azuread_service_principal_password" "ci" {
          service_principal_id = azuread_service_principal.ci.id
        }

        resource "azurerm_key_vault_secret" "ci" {
          name            = "ci-secret"
          value           = azuread_service_principal_password.ci.value
          key_vault_id    = "/kv"
          not_before_date = "2026-01-01T00:00:00Z"
          expiration_date = "2026-04-01T00:00:00Z"
        }

        resource "azurerm_key_vault_secret" "forever" {
          name         = "forever"
          value        = "hunter2"
          key_vault_id = "/kv"
        }
        """
    )
    password = model.credentials[_a("azuread_service_principal_password.ci")]
    assert password.identity == _a("azuread_application.ci")
    secret = model.credentials[_a("azurerm_key_vault_secret.ci")]
    assert (secret.kind, secret.identity, secret.ttl_seconds) == (
        "static_secret",
        _a("azuread_application.ci"),
        90 * DAY,
    )
    assert model.credentials[_a("azurerm_key_vault_secret.forever")].ttl_seconds is None


# --- grants ---------------------------------------------------------------------------


def test_role_assignments_at_subscription_and_resource_group_scope() -> None:
    model = _tf(
        """\
        data "azurerm_subscription" "current" {}
        data "azurerm_client_config" "current" {}

        resource "azurerm_resource_group" "ml" {
          name     = "rg-ml"
          location = "westeurope"
        }

        resource "azurerm_user_assigned_identity" "llm" {
          name = "id-llm"
        }

        resource "azurerm_role_assignment" "sub" {
          scope                = data.azurerm_subscription.current.id
          role_definition_name = "Reader"
          principal_id         = azurerm_user_assigned_identity.llm.principal_id
        }

        resource "azurerm_role_assignment" "rg" {
          scope              = azurerm_resource_group.ml.id
          role_definition_id = "@ROLES@/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
          principal_id       = azurerm_user_assigned_identity.llm.principal_id
        }

        resource "azurerm_role_assignment" "templated" {
          scope                = "@SCOPE@"
          role_definition_name = "Storage Blob Data Reader"
          principal_id         = azurerm_user_assigned_identity.llm.principal_id
          condition_version    = "2.0"
          condition            = "@Resource[name] StringEquals 'models'"
        }
        """,
        ROLES=ROLE_IDS,
        SCOPE="/subscriptions/${data.azurerm_client_config.current.subscription_id}"
        "/resourceGroups/${azurerm_resource_group.ml.name}"
        "/providers/Microsoft.Storage/storageAccounts/models",
    )
    identity = _a("azurerm_user_assigned_identity.llm")
    (sub,) = _grants(model, "azurerm_role_assignment.sub")
    assert sub.identity == identity
    assert sub.permissions == (
        Permission(action="Reader", resource="/subscriptions/${subscription}"),
    )
    assert sub.unknown == ()
    assert sub.location == sub.binding == Location(path="envs/prod/main.tf", line=13, end_line=17)
    (rg,) = _grants(model, "azurerm_role_assignment.rg")
    # A built-in role by definition id reads as its name.
    assert rg.permissions == (
        Permission(action="Owner", resource="/subscriptions/${subscription}/resourceGroups/rg-ml"),
    )
    (templated,) = _grants(model, "azurerm_role_assignment.templated")
    assert templated.permissions[0].resource == (
        "/subscriptions/${subscription}/resourceGroups/rg-ml"
        "/providers/Microsoft.Storage/storageAccounts/models"
    )
    assert tuple(map(str, templated.conditions)) == (
        "ABAC 2.0: @Resource[name] StringEquals 'models'",
    )


def test_custom_role_expands_into_its_actions_with_not_actions_as_conditions() -> None:
    model = _tf(
        """\
        resource "azurerm_user_assigned_identity" "llm" {
          name = "id-llm"
        }

        resource "azurerm_role_definition" "reader" {
          name  = "model-reader"
          scope = "/subscriptions/0000"

          permissions {
            actions          = ["Microsoft.Storage/storageAccounts/read"]
            data_actions     = ["Microsoft.Storage/storageAccounts/blobServices/*/read"]
            not_actions      = ["Microsoft.Authorization/*"]
          }
        }

        resource "azurerm_role_assignment" "by_id" {
          scope              = "/subscriptions/0000/resourceGroups/rg"
          role_definition_id = azurerm_role_definition.reader.role_definition_resource_id
          principal_id       = azurerm_user_assigned_identity.llm.principal_id
        }

        resource "azurerm_role_assignment" "by_name" {
          scope                = "/subscriptions/0000"
          role_definition_name = azurerm_role_definition.reader.name
          principal_id         = azurerm_user_assigned_identity.llm.principal_id
        }
        """
    )
    via = "azurerm_role_assignment.by_id assigns azurerm_role_definition.reader (model-reader)"
    (grant,) = _grants(model, via)
    scope = "/subscriptions/0000/resourceGroups/rg"
    assert grant.permissions == (
        Permission(action="Microsoft.Storage/storageAccounts/read", resource=scope),
        Permission(
            action="Microsoft.Storage/storageAccounts/blobServices/*/read",
            resource=scope,
        ),
    )
    assert tuple(map(str, grant.conditions)) == ("NotActions Microsoft.Authorization/*",)
    # The rule is in the role definition; the assignment is the binding.
    assert grant.location == Location(path="envs/prod/main.tf", line=9, end_line=13)
    assert grant.binding == Location(path="envs/prod/main.tf", line=16, end_line=20)
    by_name = (
        "azurerm_role_assignment.by_name assigns azurerm_role_definition.reader (model-reader)"
    )
    assert _grants(model, by_name)[0].permissions[0].resource == "/subscriptions/0000"


def test_principals_known_only_by_id_or_by_expression() -> None:
    model = _tf(
        """\
        variable "team_object_id" {}

        resource "azurerm_role_assignment" "human" {
          scope                = "/subscriptions/0000"
          role_definition_name = "Owner"
          principal_id         = "11111111-2222-3333-4444-555555555555"
          principal_type       = "User"
        }

        resource "azurerm_role_assignment" "team" {
          scope                = var.unknown_scope
          role_definition_name = "Reader"
          principal_id         = var.team_object_id
        }
        """
    )
    (human,) = _grants(model, "azurerm_role_assignment.human")
    assert human.identity == "azure:11111111-2222-3333-4444-555555555555"
    user = model.identities[human.identity]
    assert (user.kind, user.declared, user.principal) == (
        "user",
        False,
        "11111111-2222-3333-4444-555555555555",
    )
    (team,) = _grants(model, "azurerm_role_assignment.team")
    assert team.identity == _a("var.team_object_id")
    assert model.identities[team.identity].environment == "prod"
    assert team.permissions == (Permission(action="Reader", resource="${var.unknown_scope}"),)
    assert team.unknown == ("var.unknown_scope",)


def test_role_assignments_to_cluster_and_workload_identities() -> None:
    model = _tf(
        """\
        resource "azurerm_kubernetes_cluster" "aks" {
          name                = "aks"
          resource_group_name = "rg"
          default_node_pool {
            name    = "system"
            vm_size = "Standard_D4s_v5"
          }
          identity {
            type = "SystemAssigned"
          }
          oms_agent {
            log_analytics_workspace_id = "/x"
          }
        }

        resource "azurerm_disk_encryption_set" "des" {
          name = "des"
          identity {
            type = "SystemAssigned"
          }
        }

        resource "azurerm_role_assignment" "acr" {
          scope                = "/subscriptions/0000/resourceGroups/rg"
          role_definition_name = "AcrPull"
          principal_id         = azurerm_kubernetes_cluster.aks.kubelet_identity[0].object_id
        }

        resource "azurerm_role_assignment" "control_plane" {
          scope                = "/subscriptions/0000/resourceGroups/rg"
          role_definition_name = "Network Contributor"
          principal_id         = azurerm_kubernetes_cluster.aks.identity[0].principal_id
        }

        resource "azurerm_role_assignment" "monitoring" {
          scope                = "/subscriptions/0000/resourceGroups/rg"
          role_definition_name = "Monitoring Metrics Publisher"
          principal_id = azurerm_kubernetes_cluster.aks.oms_agent[0].oms_agent_identity[0].object_id
        }

        resource "azurerm_role_assignment" "des" {
          scope                = "/subscriptions/0000/resourceGroups/rg"
          role_definition_name = "Key Vault Crypto Service Encryption User"
          principal_id         = azurerm_disk_encryption_set.des.identity[0].principal_id
        }
        """
    )
    aks = _a("azurerm_kubernetes_cluster.aks")
    assert _grants(model, "azurerm_role_assignment.acr")[0].identity == f"{aks}#kubelet"
    assert _grants(model, "azurerm_role_assignment.control_plane")[0].identity == f"{aks}#system"
    assert _grants(model, "azurerm_role_assignment.monitoring")[0].identity == f"{aks}#oms_agent"
    des = _grants(model, "azurerm_role_assignment.des")[0].identity
    assert des == _a("azurerm_disk_encryption_set.des#system")
    assert model.identities[des].kind == "system_assigned_identity"
    assert model.workloads[aks].identities == (
        f"{aks}#system",
        f"{aks}#kubelet",
        f"{aks}#oms_agent",
    )
    kubelet = model.identities[f"{aks}#kubelet"]
    assert (kubelet.kind, kubelet.name) == ("kubelet_identity", "aks-agentpool")


def test_key_vault_access_policies_one_grant_per_permission_list() -> None:
    model = _tf(
        """\
        resource "azurerm_key_vault" "kv" {
          name                = "kv-ml"
          resource_group_name = "rg-ml"
        }

        resource "azurerm_user_assigned_identity" "llm" {
          name = "id-llm"
        }

        resource "azurerm_key_vault_access_policy" "llm" {
          key_vault_id       = azurerm_key_vault.kv.id
          object_id          = azurerm_user_assigned_identity.llm.principal_id
          secret_permissions = ["Get", "List"]
          key_permissions    = ["UnwrapKey"]
        }
        """
    )
    vault = VAULT
    secrets, keys = _grants(model, "azurerm_key_vault_access_policy.llm")
    assert secrets.identity == _a("azurerm_user_assigned_identity.llm")
    assert secrets.permissions == (
        Permission(action="secrets/get", resource=vault),
        Permission(action="secrets/list", resource=vault),
    )
    assert secrets.location == Location(path="envs/prod/main.tf", line=13)
    assert keys.permissions == (Permission(action="keys/unwrapkey", resource=vault),)


def test_scope_level_is_kept_when_names_are_computed() -> None:
    model = _tf(
        """\
        variable "rg" {}

        resource "random_string" "suffix" {
          length = 4
        }

        resource "azurerm_key_vault" "kv" {
          name                = "kv-${random_string.suffix.result}"
          resource_group_name = var.rg
        }

        resource "azurerm_role_assignment" "kv" {
          scope                = azurerm_key_vault.kv.id
          role_definition_name = "Key Vault Secrets User"
          principal_id         = "11111111-2222-3333-4444-555555555555"
        }
        """
    )
    (grant,) = _grants(model, "azurerm_role_assignment.kv")
    assert grant.permissions[0].resource == (
        "/subscriptions/${subscription}/resourceGroups/${var.rg}"
        "/providers/Microsoft.KeyVault/vaults/kv-${random_string.suffix.result}"
    )
    assert grant.unknown == ("var.rg", "random_string.suffix.result")


# --- trusts ---------------------------------------------------------------------------


def test_federated_credentials_trust_the_token_subject() -> None:
    model = _tf(
        """\
        resource "azurerm_user_assigned_identity" "llm" {
          name = "id-llm"
        }

        resource "azurerm_federated_identity_credential" "llm" {
          name      = "llm"
          parent_id = azurerm_user_assigned_identity.llm.id
          issuer    = "https://oidc.example/issuer"
          subject   = "system:serviceaccount:ml-prod:llm"
          audience  = ["api://AzureADTokenExchange"]
        }

        resource "azuread_application" "ci" {
          display_name = "ci"
        }

        resource "azuread_application_federated_identity_credential" "github" {
          application_id = azuread_application.ci.id
          display_name   = "github"
          issuer         = "https://token.actions.githubusercontent.com"
          subject        = "repo:acme/ml:environment:prod"
          audiences      = ["api://AzureADTokenExchange"]
        }
        """
    )
    uai, app = model.trusts
    assert uai.identity == _a("azurerm_user_assigned_identity.llm")
    assert uai.principals == ("https://oidc.example/issuer#system:serviceaccount:ml-prod:llm",)
    assert tuple(map(str, uai.conditions)) == ("audience api://AzureADTokenExchange",)
    assert uai.location == Location(path="envs/prod/main.tf", line=5, end_line=11)
    assert app.identity == _a("azuread_application.ci")
    assert app.principals == (
        "https://token.actions.githubusercontent.com#repo:acme/ml:environment:prod",
    )


# --- workloads ------------------------------------------------------------------------


def test_inference_workloads_and_their_reasons() -> None:
    model = _tf(
        """\
        resource "azurerm_kubernetes_cluster" "cpu" {
          name = "cpu"
          default_node_pool {
            name    = "system"
            vm_size = "Standard_D4s_v5"
          }
        }

        resource "azurerm_kubernetes_cluster" "gpu" {
          name = "gpu"
          default_node_pool {
            name    = "system"
            vm_size = "Standard_D4s_v5"
          }
        }

        resource "azurerm_kubernetes_cluster_node_pool" "a100" {
          name                  = "a100"
          kubernetes_cluster_id = azurerm_kubernetes_cluster.gpu.id
          vm_size               = "Standard_NC24ads_A100_v4"
        }

        resource "azurerm_machine_learning_compute_cluster" "train" {
          name    = "train"
          vm_size = "STANDARD_ND96ASR_V4"
        }

        resource "azurerm_machine_learning_online_endpoint" "llm" {
          name = "llm"
        }

        resource "azurerm_cognitive_account" "openai" {
          name = "oai"
          kind = "OpenAI"
        }

        resource "azapi_resource" "deployment" {
          type = "@ML@/onlineEndpoints/deployments@2024-04-01"
          name = "blue"
        }

        resource "azapi_resource" "other" {
          type = "Microsoft.Storage/storageAccounts@2023-01-01"
          name = "other"
        }
        """,
        ML="Microsoft.MachineLearningServices/workspaces",
    )

    def reason(address: str) -> str | None:
        return model.workloads[_a(address)].inference_reason

    assert reason("azurerm_kubernetes_cluster.cpu") is None
    assert reason("azurerm_kubernetes_cluster.gpu") == (
        "GPU VM size Standard_NC24ads_A100_v4 (node pool a100)"
    )
    assert reason("azurerm_machine_learning_compute_cluster.train") == (
        "GPU VM size STANDARD_ND96ASR_V4"
    )
    assert reason("azurerm_machine_learning_online_endpoint.llm") == "Azure ML online endpoint"
    assert reason("azurerm_cognitive_account.openai") == (
        "Azure OpenAI / Cognitive Services account (kind OpenAI)"
    )
    deployment = model.workloads[_a("azapi_resource.deployment")]
    assert (
        deployment.kind
        == "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments"
    )
    assert deployment.inference_reason == "Azure ML online deployment"
    assert _a("azapi_resource.other") not in model.workloads
    # Node pools run as the cluster's kubelet identity: they are not workloads of their own.
    assert _a("azurerm_kubernetes_cluster_node_pool.a100") not in model.workloads


def test_container_app_gpu_profile_image_and_secrets() -> None:
    model = _tf(
        """\
        resource "azurerm_container_app_environment" "env" {
          name = "cae"
          workload_profile {
            name                  = "gpu"
            workload_profile_type = "Consumption-GPU-NC24-A100"
          }
        }

        resource "azurerm_key_vault_secret" "hf" {
          name         = "hf-token"
          value        = "x"
          key_vault_id = "/kv"
        }

        resource "azurerm_container_app" "gpu" {
          name                         = "gpu"
          container_app_environment_id = azurerm_container_app_environment.env.id
          workload_profile_name        = "gpu"

          secret {
            name                = "hf-token"
            key_vault_secret_id = azurerm_key_vault_secret.hf.versionless_id
            identity            = "System"
          }

          secret {
            name  = "db-password"
            value = "literal"
          }

          template {
            container {
              name  = "server"
              image = "ghcr.io/acme/api:1"
            }
          }
        }

        resource "azurerm_container_app" "tgi" {
          name = "tgi"
          template {
            container {
              name  = "tgi"
              image = "ghcr.io/huggingface/text-generation-inference:2.0"
            }
          }
        }
        """
    )
    gpu = model.workloads[_a("azurerm_container_app.gpu")]
    assert gpu.inference_reason == "GPU workload profile Consumption-GPU-NC24-A100"
    # A value written in the secret block is a plaintext secret, located at the value.
    assert gpu.credentials == (
        _a("azurerm_key_vault_secret.hf"),
        _a("azurerm_container_app.gpu#secret/db-password#plaintext"),
    )
    literal = model.credentials[_a("azurerm_container_app.gpu#secret/db-password#plaintext")]
    assert (literal.kind, literal.location, literal.preview) == (
        "static_secret",
        Location(path="envs/prod/main.tf", line=28),
        "…, 7 characters",
    )
    tgi = model.workloads[_a("azurerm_container_app.tgi")]
    assert tgi.inference_reason == (
        "image ghcr.io/huggingface/text-generation-inference:2.0 is a known model server"
    )


def test_web_app_settings_key_vault_references_and_account_keys() -> None:
    model = _tf(
        """\
        resource "azurerm_storage_account" "jobs" {
          name                = "stjobs"
          resource_group_name = "rg"
        }

        resource "azurerm_linux_function_app" "scorer" {
          name = "scorer"
          app_settings = {
            AzureWebJobsStorage = azurerm_storage_account.jobs.primary_connection_string
            OPENAI_API_KEY      = "@Microsoft.KeyVault(VaultName=kv-ml;SecretName=openai-key)"
            PLAIN               = "not a secret"
          }
          connection_string {
            name  = "db"
            type  = "SQLAzure"
            value = "Server=db;Password=hunter2"
          }
        }
        """
    )
    scorer = model.workloads[_a("azurerm_linux_function_app.scorer")]
    key = _a("azurerm_storage_account.jobs#primary_connection_string")
    uri = "azure:https://kv-ml.vault.azure.net/secrets/openai-key"
    # The connection string carries its password: a plaintext secret, at the value.
    connection = _a("azurerm_linux_function_app.scorer#connection_string/db#plaintext")
    assert scorer.credentials == (key, uri, connection)
    assert model.credentials[key].kind == "access_key"
    assert model.credentials[key].location == Location(path="envs/prod/main.tf", line=1, end_line=4)
    assert model.credentials[uri].location == Location(path="envs/prod/main.tf", line=8)
    assert model.credentials[connection].location == Location(path="envs/prod/main.tf", line=16)


def test_literal_key_vault_reference_finds_the_declared_secret() -> None:
    model = _tf(
        """\
        resource "azurerm_key_vault" "kv" {
          name = "kv-ml"
        }

        resource "azurerm_key_vault_secret" "openai" {
          name         = "openai-key"
          value        = "x"
          key_vault_id = azurerm_key_vault.kv.id
        }

        resource "azurerm_linux_web_app" "gateway" {
          name = "gateway"
          app_settings = {
            KEY = "@Microsoft.KeyVault(SecretUri=https://kv-ml.vault.azure.net/secrets/openai-key/0123abcd)"
          }
        }
        """
    )
    gateway = model.workloads[_a("azurerm_linux_web_app.gateway")]
    assert gateway.credentials == (_a("azurerm_key_vault_secret.openai"),)


def test_aks_with_a_service_principal_consumes_its_password() -> None:
    model = _tf(
        """\
        resource "azuread_application" "aks" {
          display_name = "aks"
        }

        resource "azuread_application_password" "aks" {
          application_id    = azuread_application.aks.id
          end_date_relative = "17520h"
        }

        resource "azurerm_kubernetes_cluster" "legacy" {
          name = "legacy"
          default_node_pool {
            name    = "gpu"
            vm_size = "Standard_NV36ads_A10_v5"
          }
          service_principal {
            client_id     = azuread_application.aks.client_id
            client_secret = azuread_application_password.aks.value
          }
        }
        """
    )
    legacy = model.workloads[_a("azurerm_kubernetes_cluster.legacy")]
    assert legacy.identities == (_a("azuread_application.aks"),)
    assert legacy.credentials == (_a("azuread_application_password.aks"),)
    assert legacy.inference_reason == "GPU VM size Standard_NV36ads_A10_v5 (default node pool)"


def test_hostile_values_do_not_raise() -> None:
    model = _tf(
        """\
        resource "azurerm_user_assigned_identity" "x" {
          name = ["not", "a", "string"]
          tags = "not a map"
        }

        resource "azurerm_linux_web_app" "x" {
          name         = 42
          app_settings = ["a", 1, null]
          identity {
            type         = 5
            identity_ids = "not a list"
          }
          identity {
            type = null
          }
          connection_string {
            name = null
          }
        }

        resource "azurerm_role_assignment" "x" {
          scope                = ["a"]
          role_definition_id   = {}
          principal_id         = []
          principal_type       = 3
          condition            = 7
        }

        resource "azurerm_role_definition" "x" {
          name = "x"
          permissions {
            actions     = "Microsoft.Compute/*"
            not_actions = [1, null]
          }
        }

        resource "azurerm_role_assignment" "y" {
          scope                = "/"
          role_definition_name = "x"
          principal_id         = ""
        }

        resource "azuread_application_password" "x" {
          application_id    = 12
          end_date_relative = "-5h"
          end_date          = "yesterday"
          start_date        = 4
        }

        resource "azurerm_federated_identity_credential" "x" {
          parent_id = null
        }

        resource "azurerm_kubernetes_cluster" "x" {
          kubelet_identity {
            client_id = 5
          }
          service_principal {
            client_id = null
          }
        }
        """
    )
    assert _a("azurerm_linux_web_app.x") in model.workloads
    assert model.credentials[_a("azuread_application_password.x")].ttl_seconds is None


_HANDLED = {
    "azurerm_user_assigned_identity": ("name", "tags"),
    "azuread_service_principal": ("client_id", "tags"),
    "azurerm_role_assignment": (
        "scope",
        "role_definition_name",
        "role_definition_id",
        "principal_id",
        "principal_type",
        "condition",
    ),
    "azurerm_role_definition": ("name", "role_definition_id"),
    "azurerm_key_vault_access_policy": ("key_vault_id", "object_id", "secret_permissions"),
    "azuread_application_password": ("application_id", "end_date", "end_date_relative"),
    "azurerm_key_vault_secret": ("value", "key_vault_id", "expiration_date", "not_before_date"),
    "azurerm_federated_identity_credential": ("parent_id", "issuer", "subject", "audience"),
    "azurerm_linux_web_app": ("name", "app_settings", "key_vault_reference_identity_id"),
    "azurerm_kubernetes_cluster_node_pool": ("kubernetes_cluster_id", "vm_size"),
    "azurerm_container_app": ("workload_profile_name", "container_app_environment_id"),
    "azurerm_cognitive_account": ("name", "kind", "tags"),
    "azapi_resource": ("type", "name", "tags"),
}
_LITERALS = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 10**6),
        st.text('abc/=:;-_*${}[]"@()', max_size=16),
        st.sampled_from(
            [
                "SystemAssigned",
                "8760h",
                "2026-01-01T00:00:00Z",
                "Standard_NC6",
                "@Microsoft.KeyVault(VaultName=a;SecretName=b)",
                "Microsoft.MachineLearningServices/workspaces/onlineEndpoints@1",
            ]
        ),
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    resource_type=st.sampled_from(sorted(_HANDLED)),
    values=st.lists(_LITERALS, min_size=6, max_size=6),
    identity=_LITERALS,
)
def test_hostile_attribute_values_never_raise(
    resource_type: str, values: list[object], identity: object
) -> None:
    attributes = "\n".join(
        f"  {name} = {json.dumps(value)}"
        for name, value in zip(_HANDLED[resource_type], values, strict=False)
    )
    block = f"  identity {{\n    type = {json.dumps(identity)}\n  }}\n"
    text = f'resource "{resource_type}" "x" {{\n{attributes}\n{block}}}\n'
    try:
        parse_hcl("envs/prod/main.tf", text)
    except Exception:  # inputs HCL itself rejects are out of scope here
        return
    _model(("envs/prod/main.tf", text))


# --- value helpers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("8760h", 365 * DAY),
        ("2400h30m", 2400 * 3600 + 1800),
        ("1.5h", 5400),
        ("90s", 90),
        ("0", 0),
        ("", None),
        ("-1h", None),
        ("10d", None),
        ("h", None),
        ("5h junk", None),
    ],
)
def test_go_durations(text: str, seconds: int | None) -> None:
    assert go_duration(text) == seconds


def test_dates_references_and_tags() -> None:
    assert rfc3339("2026-01-01T00:00:00Z") is not None
    assert rfc3339("next year") is None
    uri = "https://kv.vault.azure.net/secrets/a"
    assert key_vault_reference(f"@Microsoft.KeyVault(SecretUri={uri}/v1)") == uri
    assert key_vault_reference(f"{uri}/0123") == uri
    assert key_vault_reference("plain text") is None
    assert tags(["owner:ml", "Flag", 3]) == {"owner": "ml"}
    assert tags({"team": "ml", 1: "x"}) == {"team": "ml"}


# --- the realistic fixture ------------------------------------------------------------


def _driftgate_model(path: str) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-m", "driftgate", "model", path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert isinstance(document, dict)
    return document


def test_fixture_links_what_it_can_and_keeps_the_rest_external() -> None:
    document = _driftgate_model(FIXTURE)
    identities = document["identities"]
    assert isinstance(identities, dict)
    account = identities["k8s:ml-prod/ServiceAccount/llm"]
    # The annotation carries a literal client id; Terraform cannot know the identity's
    # client id before apply, so that link cannot be made: the target stays external.
    # The federated credential (issuer#system:serviceaccount:ml-prod:llm) does name the
    # ServiceAccount, so the declared identity is linked through it as well.
    prod = "testdata/model/azure/terraform/envs/prod:module.ml_platform."
    target, federated = account["federates_to"]
    assert target == "azure:8d3c5a2e-6b1f-4c7d-9e0a-2f4b6c8d0e1a"
    assert identities[target]["declared"] is False
    assert federated == f"{prod}azurerm_user_assigned_identity.llm"
    assert identities[f"{prod}azurerm_user_assigned_identity.llm"]["principal"] == {
        "unknown": "module.ml_platform.azurerm_user_assigned_identity.llm.client_id"
    }
    credentials = document["credentials"]
    assert isinstance(credentials, dict)
    password = credentials[f"{prod}azuread_application_password.deployer"]
    assert (password["ttl_seconds"], password["location"]["line"]) == (365 * DAY, 57)


def test_fixture_model_matches_golden(update_golden: bool) -> None:
    actual = json.dumps(_driftgate_model(FIXTURE), indent=2, sort_keys=True) + "\n"
    if update_golden:
        GOLDEN.write_text(actual)
    assert actual == GOLDEN.read_text(), "golden model changed: review, then --update-golden"


def test_literal_secrets_in_container_env_app_settings_and_connection_strings() -> None:
    model = _tf(
        """\
        variable "db_password" {
          type      = string
          sensitive = true
        }

        resource "azurerm_container_app" "llm" {
          name = "llm"
          template {
            container {
              name  = "vllm"
              image = "vllm/vllm-openai:v0.6.3"
              env {
                name  = "HF_TOKEN"
                value = "hf_qWeRtYuIoPaSdFgHjKlZxCvBnMqWeRtYuIo"
              }
              env {
                name  = "VLLM_LOGGING_LEVEL"
                value = "INFO"
              }
              env {
                name        = "DB_PASSWORD"
                secret_name = "db-password"
              }
            }
          }
        }

        resource "azurerm_linux_web_app" "ui" {
          name = "chat-ui"
          app_settings = {
            OPENAI_API_KEY   = "sk-proj-4fQm9ZsX2vLk8TtB7rWc1NyHd3Jp6EaGu0KbVi5O"
            HF_TOKEN         = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/hf)"
            MODEL_NAME       = "llama-3.1-8b"
          }
          connection_string {
            name  = "db"
            type  = "PostgreSQL"
            value = "Host=db;Username=app;Password=${var.db_password}"
          }
          connection_string {
            name  = "cache"
            type  = "Custom"
            value = "redis.internal:6380,password=S3cr3tValue,ssl=True"
          }
          connection_string {
            name  = "blob"
            type  = "Custom"
            value = "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=QmFzZTY0S2V5"
          }
        }
        """
    )
    plaintext = sorted(a for a in model.credentials if a.endswith("#plaintext"))
    assert plaintext == [
        _a("azurerm_container_app.llm/container/vllm/env/HF_TOKEN#plaintext"),
        _a("azurerm_linux_web_app.ui#connection_string/blob#plaintext"),
        _a("azurerm_linux_web_app.ui/env/OPENAI_API_KEY#plaintext"),
    ]
    token = model.credentials[plaintext[0]]
    assert token.location == Location(path="envs/prod/main.tf", line=14)
    assert token.preview == "hf_q…, 38 characters"
    assert set(plaintext) <= set(
        model.workloads[_a("azurerm_container_app.llm")].credentials
    ) | set(model.workloads[_a("azurerm_linux_web_app.ui")].credentials)


_APP_BY_ID = f"""\
resource "azurerm_container_app" "api" {{
  name = "api"
  identity {{
    type         = "UserAssigned"
    identity_ids = ["{UAI_IDS}/id-api"]
  }}
  template {{
    container {{
      name  = "api"
      image = "ghcr.io/acme/api:1"
    }}
  }}
}}
"""
_IDENTITY = """\
resource "azurerm_user_assigned_identity" "api" {
  name                = "id-api"
  resource_group_name = "rg"
  location            = "westeurope"
}
"""


def test_an_identity_named_by_resource_id_links_to_the_one_declared_in_another_root() -> None:
    model = link(
        merge([_model(("envs/staging/main.tf", _IDENTITY), ("envs/prod/main.tf", _APP_BY_ID))])
    )
    app = model.workloads["envs/prod:azurerm_container_app.api"]
    assert app.identities == ("envs/staging:azurerm_user_assigned_identity.api",)
    # The placeholder for the resource id is gone: it was that identity.
    assert [a for a in model.identities if a.startswith("azure:")] == []


def test_two_declarations_of_the_name_link_nothing() -> None:
    model = link(
        merge(
            [
                _model(
                    ("envs/staging/main.tf", _IDENTITY),
                    ("envs/qa/main.tf", _IDENTITY),
                    ("envs/prod/main.tf", _APP_BY_ID),
                )
            ]
        )
    )
    [identity] = model.workloads["envs/prod:azurerm_container_app.api"].identities
    assert identity.startswith("azure:/subscriptions/s/")


def test_roles_that_can_attach_an_identity_make_its_holders_trusted() -> None:
    model = _tf(
        """\
        resource "azurerm_user_assigned_identity" "llm" {
          name                = "id-llm"
          resource_group_name = "rg"
          location            = "westeurope"
        }
        resource "azuread_user" "alice" {
          user_principal_name = "alice@acme.example"
          display_name        = "Alice"
        }
        resource "azurerm_role_assignment" "alice_operator" {
          scope                = azurerm_user_assigned_identity.llm.id
          role_definition_name = "Managed Identity Operator"
          principal_id         = azuread_user.alice.object_id
        }
        resource "azurerm_role_assignment" "alice_reader" {
          scope                = azurerm_user_assigned_identity.llm.id
          role_definition_name = "Reader"
          principal_id         = azuread_user.alice.object_id
        }
        resource "azurerm_role_assignment" "alice_operator_on_the_group" {
          scope                = azurerm_resource_group.rg.id
          role_definition_name = "Managed Identity Operator"
          principal_id         = azuread_user.alice.object_id
        }
        """
    )
    # Only the operator role on the identity itself: Reader cannot attach it, and a
    # resource-group scope names no identity driftgate can point the trust at.
    [trust] = model.trusts
    assert trust.identity == _a("azurerm_user_assigned_identity.llm")
    assert trust.actions == ("Managed Identity Operator",)
    assert trust.via == "azurerm_role_assignment.alice_operator"
    [principal] = trust.principals
    assert principal.startswith("user:")
