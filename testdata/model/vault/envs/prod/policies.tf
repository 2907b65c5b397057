# What the inference services may read. Policies grant nothing until a role names them.

resource "vault_policy" "llm_reader" {
  name   = "llm-reader"
  policy = <<-EOT
    # Model registry credentials and the model weights bucket.
    path "secret/data/${var.team}/llm/*" {
      capabilities = ["read"]
    }

    path "secret/metadata/${var.team}/llm/*" {
      capabilities = ["list"]
    }

    path "secret/data/${var.team}/llm/admin" {
      capabilities = ["deny"]
    }

    path "aws/creds/llm-models" {
      capabilities = ["read"]
    }

    path "postgres/creds/features-ro" {
      capabilities = ["read"]
    }
  EOT
}

data "vault_policy_document" "deployer" {
  rule {
    path         = "auth/token/create"
    capabilities = ["create", "update", "sudo"]
    description  = "the rollout job mints child tokens for canaries"
  }

  rule {
    path         = "secret/data/${var.team}/+/config"
    capabilities = ["create", "update"]

    allowed_parameter {
      key   = "version"
      value = []
    }
  }
}

resource "vault_policy" "deployer" {
  name   = "ml-deployer"
  policy = data.vault_policy_document.deployer.hcl
}

resource "vault_policy" "shared" {
  name   = "shared-${var.team}"
  policy = file("${path.module}/policies/shared.hcl")
}
