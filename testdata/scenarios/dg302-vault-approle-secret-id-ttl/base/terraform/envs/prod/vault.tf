# The on-prem Triton boxes (outside Kubernetes) log in to Vault with AppRole to fetch the
# model registry's credentials before loading a new model version.
resource "vault_auth_backend" "approle" {
  type = "approle"
}

resource "vault_policy" "triton" {
  name   = "triton-onprem-prod"
  policy = <<EOT
path "secret/data/model-registry/prod" {
  capabilities = ["read"]
}
EOT
}

resource "vault_approle_auth_backend_role" "triton" {
  backend        = vault_auth_backend.approle.path
  role_name      = "triton-onprem-prod"
  token_policies = [vault_policy.triton.name]
  token_ttl      = 600
  token_max_ttl  = 1800
  secret_id_ttl  = 2592000
}
