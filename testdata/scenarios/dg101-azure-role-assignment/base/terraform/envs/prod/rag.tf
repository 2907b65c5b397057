# Identity of the retrieval-augmented chat API (AKS workload identity) in production.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "rag" {
  name     = "rg-rag-prod"
  location = "westeurope"
  tags = {
    owner = "assistant-team"
  }
}

resource "azurerm_user_assigned_identity" "rag_api" {
  name                = "id-rag-api-prod"
  resource_group_name = azurerm_resource_group.rag.name
  location            = azurerm_resource_group.rag.location
  tags = {
    owner = "assistant-team"
  }
}

resource "azurerm_storage_account" "docs" {
  name                     = "stragdocsprod"
  resource_group_name      = azurerm_resource_group.rag.name
  location                 = azurerm_resource_group.rag.location
  account_tier             = "Standard"
  account_replication_type = "ZRS"
}

resource "azurerm_cognitive_account" "openai" {
  name                = "oai-rag-prod"
  resource_group_name = azurerm_resource_group.rag.name
  location            = "swedencentral"
  kind                = "OpenAI"
  sku_name            = "S0"
}

resource "azurerm_role_assignment" "rag_api_docs" {
  scope                = azurerm_storage_account.docs.id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_user_assigned_identity.rag_api.principal_id
}
