# Identity of the prod vector-search indexer (AKS workload identity).
provider "azurerm" {
  features {}
}

data "azurerm_subscription" "current" {}

resource "azurerm_resource_group" "search" {
  name     = "rg-vector-search-prod"
  location = "eastus2"
}

resource "azurerm_user_assigned_identity" "indexer" {
  name                = "id-vector-indexer-prod"
  resource_group_name = azurerm_resource_group.search.name
  location            = azurerm_resource_group.search.location
  tags = {
    owner = "search-platform"
  }
}

# Least privilege: the indexer only reads the search resources.
resource "azurerm_role_assignment" "indexer" {
  scope                = azurerm_resource_group.search.id
  role_definition_name = "Reader"
  principal_id         = azurerm_user_assigned_identity.indexer.principal_id
}
