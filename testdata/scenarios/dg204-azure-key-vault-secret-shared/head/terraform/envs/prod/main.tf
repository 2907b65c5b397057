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

resource "azurerm_container_app" "chat_api" {
  name                         = "ca-chat-api-prod"
  resource_group_name          = azurerm_resource_group.assistant.name
  container_app_environment_id = azurerm_container_app_environment.assistant.id
  revision_mode                = "Single"
  tags = {
    owner = "assistant-team"
  }
  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.chat_api.id]
  }
  secret {
    name                = "search-api-key"
    key_vault_secret_id = "https://kv-assistant-shared.vault.azure.net/secrets/search-api-key"
    identity            = azurerm_user_assigned_identity.chat_api.id
  }
  template {
    container {
      name   = "api"
      image  = "acmeassistant.azurecr.io/chat-api:3.2.0"
      cpu    = 0.5
      memory = "1Gi"
      env {
        name        = "SEARCH_API_KEY"
        secret_name = "search-api-key"
      }
    }
  }
}
