provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "assistant" {
  name     = "rg-assistant-prod"
  location = "westeurope"
  tags = {
    owner = "assistant-team"
  }
}

resource "azurerm_container_app_environment" "assistant" {
  name                = "cae-assistant-prod"
  resource_group_name = azurerm_resource_group.assistant.name
  location            = azurerm_resource_group.assistant.location
}

resource "azurerm_user_assigned_identity" "tgi" {
  name                = "id-tgi-prod"
  resource_group_name = azurerm_resource_group.assistant.name
  location            = azurerm_resource_group.assistant.location
  tags = {
    owner = "assistant-team"
  }
}

# Text Generation Inference serving the assistant's model.
resource "azurerm_container_app" "tgi" {
  name                         = "ca-tgi-prod"
  resource_group_name          = azurerm_resource_group.assistant.name
  container_app_environment_id = azurerm_container_app_environment.assistant.id
  revision_mode                = "Single"
  tags = {
    owner = "assistant-team"
  }
  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.tgi.id]
  }
  template {
    container {
      name   = "tgi"
      image  = "ghcr.io/huggingface/text-generation-inference:2.2.0"
      cpu    = 4
      memory = "16Gi"
    }
  }
}
