# The nightly evaluation pipeline of the prod recommender: it scores the candidate model
# against last week's clicks, read from the feature store's Postgres through Vault.
resource "vault_database_secrets_mount" "features" {
  path = "db-features-prod"

  postgresql {
    name              = "features"
    connection_url    = "postgresql://{{username}}:{{password}}@features-prod.internal:5432/features"
    username          = "vault-admin"
    allowed_roles     = ["eval-reader"]
    verify_connection = false
  }
}

resource "vault_database_secret_backend_role" "eval_reader" {
  backend = vault_database_secrets_mount.features.path
  name    = "eval-reader"
  db_name = "features"
  creation_statements = [
    "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';",
    "GRANT SELECT ON clicks TO \"{{name}}\";",
  ]
  # Backfills over a month of clicks run for days.
  default_ttl = 86400
  max_ttl     = 604800
}

resource "vault_policy" "eval" {
  name   = "recsys-eval-prod"
  policy = <<EOT
path "db-features-prod/creds/eval-reader" {
  capabilities = ["read"]
}
EOT
}

# The pipeline runner has no Kubernetes identity of its own: a token minted here is put in
# its CI variables by hand.
resource "vault_token" "eval" {
  display_name = "recsys-eval-prod"
  policies     = [vault_policy.eval.name]
  renewable    = true
  ttl          = "720h"
  metadata = {
    team = "recsys"
  }
}
