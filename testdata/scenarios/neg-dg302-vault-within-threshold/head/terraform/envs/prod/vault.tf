# Production LLM serving: the Vault role the vLLM server's ServiceAccount logs in with to
# read its model-hub token.
resource "vault_auth_backend" "k8s" {
  type = "kubernetes"
  path = "kubernetes-prod"
}

resource "vault_policy" "llm" {
  name   = "llm-prod"
  policy = <<EOT
path "secret/data/llm/prod/*" {
  capabilities = ["read"]
}
EOT
}

resource "vault_kubernetes_auth_backend_role" "llm" {
  backend                          = vault_auth_backend.k8s.path
  role_name                        = "llm-prod"
  bound_service_account_names      = ["llm"]
  bound_service_account_namespaces = ["ml-prod"]
  audience                         = "vault"
  token_policies                   = [vault_policy.llm.name]
  token_ttl                        = 900
  token_max_ttl                    = 3600
}
