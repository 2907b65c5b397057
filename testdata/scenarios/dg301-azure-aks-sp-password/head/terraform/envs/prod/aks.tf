# The prod GPU cluster for the speech models.
# Moved to a service principal: the subscription's policy blocks managed identities.
resource "azuread_application" "aks" {
  display_name = "aks-speech-prod"
}

resource "azuread_service_principal" "aks" {
  client_id = azuread_application.aks.client_id
}

resource "azuread_application_password" "aks" {
  application_id = azuread_application.aks.id
  display_name   = "aks-speech-prod"
}

resource "azurerm_kubernetes_cluster" "speech" {
  name                = "aks-speech-prod"
  resource_group_name = "rg-speech-prod"
  location            = "westeurope"
  dns_prefix          = "speech-prod"
  tags = {
    team = "speech"
  }

  default_node_pool {
    name       = "gpu"
    vm_size    = "Standard_NC24ads_A100_v4"
    node_count = 2
  }

  service_principal {
    client_id     = azuread_application.aks.client_id
    client_secret = azuread_application_password.aks.value
  }
}
