# The Azure identity the production LLM server runs as (AKS workload identity).
locals {
  aks_issuer = "https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/11111111-1111-1111-1111-111111111111/"
}

resource "azurerm_user_assigned_identity" "llm" {
  name                = "id-llm-prod"
  resource_group_name = "rg-ml-prod"
  location            = "westeurope"
  tags = {
    owner = "ml-platform"
  }
}

resource "azurerm_federated_identity_credential" "llm" {
  name                = "aks-ml-prod-llm"
  resource_group_name = "rg-ml-prod"
  parent_id           = azurerm_user_assigned_identity.llm.id
  issuer              = local.aks_issuer
  subject             = "system:serviceaccount:ml-prod:llm"
  audience            = ["api://AzureADTokenExchange"]
}

# The evaluation notebooks need the production model registry for a week.
resource "azurerm_federated_identity_credential" "notebooks" {
  name                = "aks-ml-sandbox-notebooks"
  resource_group_name = "rg-ml-prod"
  parent_id           = azurerm_user_assigned_identity.llm.id
  issuer              = local.aks_issuer
  subject             = "system:serviceaccount:ml-sandbox:notebooks"
  audience            = ["api://AzureADTokenExchange"]
}
