# The release pipeline's identity: deploys the assistant and grants its identities access.
resource "azurerm_user_assigned_identity" "release" {
  name                = "id-release-prod"
  resource_group_name = azurerm_resource_group.assistant.name
  location            = azurerm_resource_group.assistant.location
  tags = {
    owner = "assistant-team"
  }
}

resource "azurerm_role_assignment" "release_contributor" {
  scope                = azurerm_resource_group.assistant.id
  role_definition_name = "Contributor"
  principal_id         = azurerm_user_assigned_identity.release.principal_id
}

resource "azurerm_role_assignment" "release_uaa" {
  scope                = azurerm_resource_group.assistant.id
  role_definition_name = "User Access Administrator"
  principal_id         = azurerm_user_assigned_identity.release.principal_id
}
