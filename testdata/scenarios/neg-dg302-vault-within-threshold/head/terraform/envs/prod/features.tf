# The LLM server now also reads user features for personalised prompts, from the feature
# store's Postgres through a database secrets engine whose leases are capped at one hour.
resource "vault_database_secrets_mount" "features" {
  path                      = "db-features-prod"
  default_lease_ttl_seconds = 900
  max_lease_ttl_seconds     = 3600

  postgresql {
    name              = "features"
    connection_url    = "postgresql://{{username}}:{{password}}@features-prod.internal:5432/features"
    username          = "vault-admin"
    allowed_roles     = ["llm-reader"]
    verify_connection = false
  }
}

# No TTL of its own: the mount's one-hour cap applies.
resource "vault_database_secret_backend_role" "llm_reader" {
  backend = vault_database_secrets_mount.features.path
  name    = "llm-reader"
  db_name = "features"
  creation_statements = [
    "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';",
    "GRANT SELECT ON user_features TO \"{{name}}\";",
  ]
}

resource "vault_policy" "llm_features" {
  name   = "llm-features-prod"
  policy = <<EOT
path "db-features-prod/creds/llm-reader" {
  capabilities = ["read"]
}
EOT
}

# The canary logs in with a role of its own; its tokens live exactly the 1h threshold.
resource "vault_kubernetes_auth_backend_role" "llm_canary" {
  backend                          = vault_auth_backend.k8s.path
  role_name                        = "llm-canary-prod"
  bound_service_account_names      = ["llm-canary"]
  bound_service_account_namespaces = ["ml-prod"]
  audience                         = "vault"
  token_policies                   = [vault_policy.llm.name, vault_policy.llm_features.name]
  token_ttl                        = "30m"
  token_max_ttl                    = "1h"
}
