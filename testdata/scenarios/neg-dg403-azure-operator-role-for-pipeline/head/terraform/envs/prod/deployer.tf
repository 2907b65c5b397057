# The deploy pipeline attaches the identity to new revisions of the app.
data "azuread_service_principal" "deployer" {
  display_name = "sp-assistant-deployer"
}

resource "azurerm_role_assignment" "deployer_operates_chat_identity" {
  scope                = azurerm_user_assigned_identity.chat_api.id
  role_definition_name = "Managed Identity Operator"
  principal_id         = data.azuread_service_principal.deployer.object_id
  principal_type       = "ServicePrincipal"
}
