# The release pipeline's identity: deploys the assistant, pushes its images and uploads
# the fine-tuned model weights. Role assignments are made by the platform team, not here.
resource "azurerm_user_assigned_identity" "release" {
  name                = "id-release-prod"
  resource_group_name = azurerm_resource_group.assistant.name
  location            = azurerm_resource_group.assistant.location
  tags = {
    owner = "assistant-team"
  }
}

resource "azurerm_role_assignment" "release_contributor" {
  scope                = azurerm_resource_group.assistant.id
  role_definition_name = "Contributor"
  principal_id         = azurerm_user_assigned_identity.release.principal_id
}

resource "azurerm_container_registry" "assistant" {
  name                = "acmeassistantprod"
  resource_group_name = azurerm_resource_group.assistant.name
  location            = azurerm_resource_group.assistant.location
  sku                 = "Premium"
  tags = {
    owner = "assistant-team"
  }
}

resource "azurerm_role_assignment" "release_acr_push" {
  scope                = azurerm_container_registry.assistant.id
  role_definition_name = "AcrPush"
  principal_id         = azurerm_user_assigned_identity.release.principal_id
}

resource "azurerm_storage_account" "models" {
  name                     = "acmeassistantmodels"
  resource_group_name      = azurerm_resource_group.assistant.name
  location                 = azurerm_resource_group.assistant.location
  account_tier             = "Standard"
  account_replication_type = "ZRS"
  tags = {
    owner = "assistant-team"
  }
}

# A data-plane role: it owns blobs, not the account or who may access it.
resource "azurerm_role_assignment" "release_weights" {
  scope                = azurerm_storage_account.models.id
  role_definition_name = "Storage Blob Data Owner"
  principal_id         = azurerm_user_assigned_identity.release.principal_id
}
