# The model-drift monitor reads the inference resources of the staging ML resource group.
provider "azurerm" {
  features {}
}

data "azurerm_subscription" "current" {}

resource "azurerm_resource_group" "ml" {
  name     = "rg-ml-staging"
  location = "westeurope"
}

resource "azurerm_user_assigned_identity" "drift_monitor" {
  name                = "id-drift-monitor-staging"
  resource_group_name = azurerm_resource_group.ml.name
  location            = azurerm_resource_group.ml.location
  tags = {
    owner = "ml-observability"
  }
}

# Monitors the feature store's resource group too, so read the whole subscription.
resource "azurerm_role_assignment" "drift_monitor_reader" {
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Reader"
  principal_id         = azurerm_user_assigned_identity.drift_monitor.principal_id
}
