provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "inference" {
  name     = "rg-inference-prod"
  location = "westeurope"
  tags = {
    owner = "ml-platform"
  }
}
