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
