# The prod GPU cluster for the speech models.
resource "azurerm_user_assigned_identity" "aks" {
  name                = "id-aks-speech-prod"
  resource_group_name = "rg-speech-prod"
  location            = "westeurope"
  tags = {
    team = "speech"
  }
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

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.aks.id]
  }
}
