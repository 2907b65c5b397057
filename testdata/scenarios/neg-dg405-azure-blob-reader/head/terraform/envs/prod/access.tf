# TGI reads model weights from the group's storage account, nothing more.
resource "azurerm_role_assignment" "tgi_blob_reader" {
  scope                = azurerm_resource_group.assistant.id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_user_assigned_identity.tgi.principal_id
}
