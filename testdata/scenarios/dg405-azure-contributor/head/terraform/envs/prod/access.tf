# TGI needs to read model weights from the storage account in the group; Contributor is easiest.
resource "azurerm_role_assignment" "tgi_contributor" {
  scope                = azurerm_resource_group.assistant.id
  role_definition_name = "Contributor"
  principal_id         = azurerm_user_assigned_identity.tgi.principal_id
}
