# Vault mounts of the production ML platform: how workloads log in, where secrets live.

variable "team" {
  type    = string
  default = "ml"
}

resource "vault_auth_backend" "kubernetes" {
  type = "kubernetes"
  path = "k8s-prod"

  tune {
    default_lease_ttl = "1h"
    max_lease_ttl     = "768h"
  }
}

resource "vault_auth_backend" "approle" {
  type = "approle"
}

resource "vault_jwt_auth_backend" "github" {
  path               = "github-actions"
  oidc_discovery_url = "https://token.actions.githubusercontent.com"
  bound_issuer       = "https://token.actions.githubusercontent.com"
}

resource "vault_aws_secret_backend" "aws" {
  path                      = "aws"
  default_lease_ttl_seconds = 900
  max_lease_ttl_seconds     = 3600
}

resource "vault_database_secrets_mount" "features" {
  path = "postgres"

  postgresql {
    name           = "features"
    connection_url = "postgresql://{{username}}:{{password}}@features.db.internal:5432/features"
    allowed_roles  = ["features-ro"]
  }
}
