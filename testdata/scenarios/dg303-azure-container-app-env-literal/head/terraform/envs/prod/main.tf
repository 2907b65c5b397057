# Prod RAG API of the assistant on Azure Container Apps: retrieves passages and calls the
# Azure OpenAI deployment for the answer.
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

resource "azurerm_user_assigned_identity" "rag_api" {
  name                = "id-rag-api-prod"
  resource_group_name = azurerm_resource_group.assistant.name
  location            = azurerm_resource_group.assistant.location
  tags = {
    owner = "assistant-team"
  }
}

resource "azurerm_container_app" "rag_api" {
  name                         = "ca-rag-api-prod"
  resource_group_name          = azurerm_resource_group.assistant.name
  container_app_environment_id = azurerm_container_app_environment.assistant.id
  revision_mode                = "Single"
  tags = {
    owner = "assistant-team"
  }
  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.rag_api.id]
  }
  template {
    container {
      name   = "api"
      image  = "acmeassistant.azurecr.io/rag-api:2.4.1"
      cpu    = 1
      memory = "2Gi"
      env {
        name  = "AZURE_OPENAI_ENDPOINT"
        value = "https://aoai-assistant-prod.openai.azure.com/"
      }
      # Entra ID auth to Azure OpenAI failed after the tenant move; back to an API key.
      env {
        name  = "AZURE_OPENAI_API_KEY"
        value = "7f3c9a1e5b2d48f6a0c4e8b1d7f2a9c3"
      }
    }
  }
}
