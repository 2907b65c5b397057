# The embedding model for retrieval (TEI) on the GPU workload profile, with an identity
# of its own. Owner tags follow the subscription's policy spelling ("Owner", "CostCenter").
resource "azurerm_user_assigned_identity" "embed" {
  name                = "id-embed-prod"
  resource_group_name = azurerm_resource_group.assistant.name
  location            = azurerm_resource_group.assistant.location
  tags = {
    Owner      = "search-relevance"
    CostCenter = "cc-4410"
  }
}

resource "azurerm_container_app" "embed" {
  name                         = "ca-embed-prod"
  resource_group_name          = azurerm_resource_group.assistant.name
  container_app_environment_id = azurerm_container_app_environment.assistant.id
  revision_mode                = "Single"
  workload_profile_name        = "gpu-t4"
  tags = {
    Team       = "search-relevance"
    CostCenter = "cc-4410"
  }
  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.embed.id]
  }
  template {
    container {
      name   = "tei"
      image  = "ghcr.io/huggingface/text-embeddings-inference:1.5"
      args   = ["--model-id", "BAAI/bge-large-en-v1.5"]
      cpu    = 4
      memory = "16Gi"
    }
  }
}
