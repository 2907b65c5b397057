# A GPU cluster for model serving; no kubelet_identity block, so AKS creates one.
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
    type = "SystemAssigned"
  }
}
