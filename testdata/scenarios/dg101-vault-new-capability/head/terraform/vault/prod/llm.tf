# Vault access of the production LLM gateway (Kubernetes auth).
resource "vault_auth_backend" "kubernetes" {
  type = "kubernetes"
  path = "k8s-prod"
}

resource "vault_policy" "llm_gateway" {
  name   = "llm-gateway-prod"
  policy = <<-EOT
    # Provider API keys the gateway forwards to; it now rotates them itself.
    path "secret/data/llm-gateway/providers/*" {
      capabilities = ["read", "create", "update"]
    }

    path "secret/metadata/llm-gateway/*" {
      capabilities = ["list"]
    }
  EOT
}

resource "vault_kubernetes_auth_backend_role" "llm_gateway" {
  backend                          = vault_auth_backend.kubernetes.path
  role_name                        = "llm-gateway"
  bound_service_account_names      = ["llm-gateway"]
  bound_service_account_namespaces = ["llm-prod"]
  token_policies                   = [vault_policy.llm_gateway.name]
  token_ttl                        = 3600
  token_max_ttl                    = 14400
}
