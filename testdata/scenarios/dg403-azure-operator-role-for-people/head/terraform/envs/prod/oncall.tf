# On-call engineers reproduce chat API issues from a jump VM running as its identity.
data "azuread_group" "ml_oncall" {
  display_name     = "ml-oncall"
  security_enabled = true
}

resource "azurerm_role_assignment" "oncall_operates_chat_identity" {
  scope                = azurerm_user_assigned_identity.chat_api.id
  role_definition_name = "Managed Identity Operator"
  principal_id         = data.azuread_group.ml_oncall.object_id
  principal_type       = "Group"
}
