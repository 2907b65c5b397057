# Vault on the shared GPU cluster: one Kubernetes auth mount for every namespace. The LLM
# server logs in with the "llm" role to read its model-hub token and the feature store's
# database credentials.
resource "vault_auth_backend" "k8s" {
  type = "kubernetes"
  path = "kubernetes-gpu"
}

resource "vault_policy" "llm" {
  name   = "llm-serving"
  policy = <<EOT
path "secret/data/llm/*" {
  capabilities = ["read"]
}
EOT
}

resource "vault_kubernetes_auth_backend_role" "llm" {
  backend                          = vault_auth_backend.k8s.path
  role_name                        = "llm"
  bound_service_account_names      = ["llm"]
  bound_service_account_namespaces = ["ml-staging", "ml-prod"]
  audience                         = "vault"
  token_policies                   = [vault_policy.llm.name]
  token_ttl                        = 900
  token_max_ttl                    = 3600
}
