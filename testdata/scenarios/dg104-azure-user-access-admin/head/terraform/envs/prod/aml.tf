# The Azure ML deployment pipeline identity: deploys managed online endpoints.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "aml" {
  name     = "rg-aml-prod"
  location = "northeurope"
}

resource "azurerm_user_assigned_identity" "aml_deployer" {
  name                = "id-aml-deployer-prod"
  resource_group_name = azurerm_resource_group.aml.name
  location            = azurerm_resource_group.aml.location
  tags = {
    owner = "mlops"
  }
}

resource "azurerm_role_assignment" "aml_deployer_contributor" {
  scope                = azurerm_resource_group.aml.id
  role_definition_name = "Contributor"
  principal_id         = azurerm_user_assigned_identity.aml_deployer.principal_id
}

# New endpoints need their managed identity granted AcrPull and Storage roles at deploy time.
resource "azurerm_role_assignment" "aml_deployer_uaa" {
  scope                = azurerm_resource_group.aml.id
  role_definition_name = "User Access Administrator"
  principal_id         = azurerm_user_assigned_identity.aml_deployer.principal_id
}
