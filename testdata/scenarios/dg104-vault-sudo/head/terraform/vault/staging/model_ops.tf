# Vault access of the staging model-ops automation (AppRole): rotates the model
# registry's database credentials.
resource "vault_auth_backend" "approle" {
  type = "approle"
}

resource "vault_policy" "model_ops" {
  name   = "model-ops-staging"
  policy = <<-EOT
    path "database/rotate-role/model-registry" {
      capabilities = ["update"]
    }

    path "secret/data/model-ops/*" {
      capabilities = ["read", "list"]
    }

    # Revoke leaked model-registry leases by prefix.
    path "sys/leases/revoke-prefix/database/creds/model-registry" {
      capabilities = ["update", "sudo"]
    }
  EOT
}

resource "vault_approle_auth_backend_role" "model_ops" {
  backend        = vault_auth_backend.approle.path
  role_name      = "model-ops"
  token_policies = [vault_policy.model_ops.name]
  token_ttl      = 1800
  token_max_ttl  = 3600
}
