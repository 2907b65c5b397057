resource "azurerm_application_insights" "ml" {
  name                = "appi-${local.name}"
  location            = azurerm_resource_group.ml.location
  resource_group_name = azurerm_resource_group.ml.name
  application_type    = "web"
}

resource "azurerm_key_vault" "ml" {
  name                = "kv-${local.name}"
  location            = azurerm_resource_group.ml.location
  resource_group_name = azurerm_resource_group.ml.name
  tenant_id           = data.azurerm_client_config.current.tenant_id
  sku_name            = "standard"

  access_policy {
    tenant_id          = data.azurerm_client_config.current.tenant_id
    object_id          = data.azurerm_client_config.current.object_id
    secret_permissions = ["Get", "List", "Set", "Delete"]
  }

  tags = local.tags
}

resource "azurerm_machine_learning_workspace" "ml" {
  name                    = "mlw-${local.name}"
  location                = azurerm_resource_group.ml.location
  resource_group_name     = azurerm_resource_group.ml.name
  application_insights_id = azurerm_application_insights.ml.id
  key_vault_id            = azurerm_key_vault.ml.id
  storage_account_id      = azurerm_storage_account.models.id

  identity {
    type = "SystemAssigned"
  }

  tags = local.tags
}

resource "azurerm_machine_learning_online_endpoint" "llm" {
  name                          = "llm-${var.env}"
  machine_learning_workspace_id = azurerm_machine_learning_workspace.ml.id
  location                      = azurerm_resource_group.ml.location
  authentication_mode           = "AADToken"

  identity {
    type = "SystemAssigned"
  }

  tags = local.tags
}

resource "azurerm_role_assignment" "endpoint_blob_reader" {
  scope                = azurerm_storage_account.models.id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_machine_learning_online_endpoint.llm.identity[0].principal_id
  condition_version    = "2.0"
  condition            = "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'models'"
}

resource "azurerm_cognitive_account" "openai" {
  name                  = "oai-${local.name}"
  location              = azurerm_resource_group.ml.location
  resource_group_name   = azurerm_resource_group.ml.name
  kind                  = "OpenAI"
  sku_name              = "S0"
  custom_subdomain_name = "oai-${local.name}"

  identity {
    type = "SystemAssigned"
  }

  tags = local.tags
}

# The OpenAI key, kept in Key Vault for the gateway.
resource "azurerm_key_vault_secret" "openai_key" {
  name            = "openai-api-key"
  value           = azurerm_cognitive_account.openai.primary_access_key
  key_vault_id    = azurerm_key_vault.ml.id
  not_before_date = "2026-01-01T00:00:00Z"
  expiration_date = "2026-07-01T00:00:00Z"
}

resource "azurerm_service_plan" "gateway" {
  name                = "asp-${local.name}"
  location            = azurerm_resource_group.ml.location
  resource_group_name = azurerm_resource_group.ml.name
  os_type             = "Linux"
  sku_name            = "P1v3"
}

resource "azurerm_linux_web_app" "gateway" {
  name                = "app-${local.name}-gateway"
  location            = azurerm_resource_group.ml.location
  resource_group_name = azurerm_resource_group.ml.name
  service_plan_id     = azurerm_service_plan.gateway.id

  identity {
    type = "SystemAssigned"
  }

  site_config {
    application_stack {
      docker_image_name   = "acme/llm-gateway:1.4.2"
      docker_registry_url = "https://acrllm${var.env}.azurecr.io"
    }
  }

  app_settings = {
    OPENAI_ENDPOINT = azurerm_cognitive_account.openai.endpoint
    OPENAI_API_KEY  = "@Microsoft.KeyVault(SecretUri=${azurerm_key_vault_secret.openai_key.versionless_id})"
  }

  tags = local.tags
}

resource "azurerm_key_vault_access_policy" "gateway" {
  key_vault_id       = azurerm_key_vault.ml.id
  tenant_id          = data.azurerm_client_config.current.tenant_id
  object_id          = azurerm_linux_web_app.gateway.identity[0].principal_id
  secret_permissions = ["Get"]
}
