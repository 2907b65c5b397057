# A GPU cluster for model serving whose kubelet runs as a dedicated identity.
resource "azurerm_user_assigned_identity" "serving_kubelet" {
  name                = "id-aks-serving-kubelet-prod"
  resource_group_name = azurerm_resource_group.inference.name
  location            = azurerm_resource_group.inference.location
  tags = {
    owner = "ml-platform"
  }
}

resource "azurerm_user_assigned_identity" "serving_control_plane" {
  name                = "id-aks-serving-prod"
  resource_group_name = azurerm_resource_group.inference.name
  location            = azurerm_resource_group.inference.location
  tags = {
    owner = "ml-platform"
  }
}

resource "azurerm_kubernetes_cluster" "serving" {
  name                = "aks-serving-prod"
  location            = azurerm_resource_group.inference.location
  resource_group_name = azurerm_resource_group.inference.name
  dns_prefix          = "serving-prod"
  tags = {
    owner = "ml-platform"
  }

  default_node_pool {
    name       = "gpu"
    vm_size    = "Standard_NC24ads_A100_v4"
    node_count = 2
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.serving_control_plane.id]
  }

  kubelet_identity {
    client_id                 = azurerm_user_assigned_identity.serving_kubelet.client_id
    object_id                 = azurerm_user_assigned_identity.serving_kubelet.principal_id
    user_assigned_identity_id = azurerm_user_assigned_identity.serving_kubelet.id
  }
}
