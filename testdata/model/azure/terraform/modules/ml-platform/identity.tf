# The identity the vLLM pods run as, through AKS workload identity.
resource "azurerm_user_assigned_identity" "llm" {
  name                = "id-${local.name}"
  resource_group_name = azurerm_resource_group.ml.name
  location            = azurerm_resource_group.ml.location
  tags                = local.tags
}

resource "azurerm_federated_identity_credential" "llm" {
  name                = "llm-serviceaccount"
  resource_group_name = azurerm_resource_group.ml.name
  parent_id           = azurerm_user_assigned_identity.llm.id
  issuer              = azurerm_kubernetes_cluster.aks.oidc_issuer_url
  subject             = "system:serviceaccount:ml-${var.env}:llm"
  audience            = ["api://AzureADTokenExchange"]
}

resource "azurerm_role_assignment" "llm_openai_user" {
  scope                = azurerm_cognitive_account.openai.id
  role_definition_name = "Cognitive Services OpenAI User"
  principal_id         = azurerm_user_assigned_identity.llm.principal_id
}

# Read the model weights anywhere in the environment's resource group.
resource "azurerm_role_assignment" "llm_model_reader" {
  scope              = "/subscriptions/${data.azurerm_client_config.current.subscription_id}/resourceGroups/${azurerm_resource_group.ml.name}"
  role_definition_id = azurerm_role_definition.model_reader.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.llm.principal_id
}

resource "azurerm_role_definition" "model_reader" {
  name  = "llm-model-reader-${var.env}"
  scope = data.azurerm_subscription.current.id

  permissions {
    actions          = ["Microsoft.Storage/storageAccounts/blobServices/containers/read"]
    data_actions     = ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"]
    not_data_actions = ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write"]
  }

  assignable_scopes = [data.azurerm_subscription.current.id]
}

# The CI deployer: an app registration with a one-year client secret.
resource "azuread_application" "deployer" {
  display_name = "llm-deployer-${var.env}"
  tags         = ["team=ml-platform", "env=${var.env}"]
}

resource "azuread_service_principal" "deployer" {
  client_id = azuread_application.deployer.client_id
}

resource "azuread_application_password" "deployer" {
  application_id    = azuread_application.deployer.id
  display_name      = "github-actions"
  end_date_relative = "8760h"
}

resource "azurerm_role_assignment" "deployer" {
  scope                = var.deployer_at_subscription ? data.azurerm_subscription.current.id : azurerm_resource_group.ml.id
  role_definition_name = "Contributor"
  principal_id         = azuread_service_principal.deployer.object_id
}

resource "azurerm_role_assignment" "ml_engineers" {
  scope                = azurerm_machine_learning_workspace.ml.id
  role_definition_name = "AzureML Data Scientist"
  principal_id         = var.ml_engineers_group_id
  principal_type       = "Group"
}
