provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "assistant" {
  name     = "rg-assistant-prod"
  location = "westeurope"
  tags = {
    owner = "assistant-team"
  }
}

resource "azurerm_container_app_environment" "assistant" {
  name                = "cae-assistant-prod"
  resource_group_name = azurerm_resource_group.assistant.name
  location            = azurerm_resource_group.assistant.location
}

resource "azurerm_user_assigned_identity" "chat_api" {
  name                = "id-chat-api-prod"
  resource_group_name = azurerm_resource_group.assistant.name
  location            = azurerm_resource_group.assistant.location
  tags = {
    owner = "assistant-team"
  }
}

resource "azurerm_storage_account" "docs" {
  name                     = "stassistantdocsprod"
  resource_group_name      = azurerm_resource_group.assistant.name
  location                 = azurerm_resource_group.assistant.location
  account_tier             = "Standard"
  account_replication_type = "ZRS"
}

resource "azurerm_role_assignment" "chat_api_docs" {
  scope                = azurerm_storage_account.docs.id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_user_assigned_identity.chat_api.principal_id
}
