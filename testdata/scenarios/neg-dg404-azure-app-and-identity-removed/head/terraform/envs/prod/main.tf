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

resource "azurerm_storage_account" "docs" {
  name                     = "stassistantdocsprod"
  resource_group_name      = azurerm_resource_group.assistant.name
  location                 = azurerm_resource_group.assistant.location
  account_tier             = "Standard"
  account_replication_type = "ZRS"
}
