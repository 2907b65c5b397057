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
      env {
        name  = "AZURE_CLIENT_ID"
        value = "5c2e8f41-9a7d-4b3e-8f16-0d4a7c9e2b58"
      }
    }
  }
}
