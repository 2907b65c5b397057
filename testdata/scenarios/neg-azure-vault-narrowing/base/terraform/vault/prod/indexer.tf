# Vault access of the prod vector-search indexer.
resource "vault_auth_backend" "kubernetes" {
  type = "kubernetes"
  path = "aks-prod"
}

resource "vault_policy" "indexer" {
  name   = "vector-indexer-prod"
  policy = <<-EOT
    path "secret/data/search/*" {
      capabilities = ["create", "read", "update", "delete", "list"]
    }
  EOT
}

resource "vault_kubernetes_auth_backend_role" "indexer" {
  backend                          = vault_auth_backend.kubernetes.path
  role_name                        = "vector-indexer"
  bound_service_account_names      = ["vector-indexer"]
  bound_service_account_namespaces = ["search-prod"]
  token_policies                   = [vault_policy.indexer.name]
  token_ttl                        = 3600
  token_max_ttl                    = 7200
}
