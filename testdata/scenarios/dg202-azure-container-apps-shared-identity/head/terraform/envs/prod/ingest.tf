# The document ingestion worker runs as the chat API's identity.
resource "azurerm_container_app" "ingest_worker" {
  name                         = "ca-ingest-worker-prod"
  resource_group_name          = azurerm_resource_group.assistant.name
  container_app_environment_id = azurerm_container_app_environment.assistant.id
  revision_mode                = "Single"
  tags = {
    owner = "assistant-team"
  }
  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.chat_api.id]
  }
  template {
    container {
      name   = "worker"
      image  = "acmeassistant.azurecr.io/ingest-worker:1.0.0"
      cpu    = 1
      memory = "2Gi"
    }
  }
}
