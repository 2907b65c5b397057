# Who may log in to Vault, with which policies, and how long their tokens live.

resource "vault_kubernetes_auth_backend_role" "llm" {
  backend                          = vault_auth_backend.kubernetes.path
  role_name                        = "llm-inference"
  bound_service_account_names      = ["llm"]
  bound_service_account_namespaces = ["ml-prod"]
  audience                         = "vault"
  token_policies                   = [vault_policy.llm_reader.name, "metrics-reader"]
  token_ttl                        = 3600
  token_max_ttl                    = 86400
}

resource "vault_kubernetes_auth_backend_role" "batch" {
  backend                          = vault_auth_backend.kubernetes.path
  role_name                        = "batch-embeddings"
  bound_service_account_names      = ["embed-*"]
  bound_service_account_namespaces = ["ml-prod", "ml-batch-prod"]
  token_policies                   = ["llm-reader", "shared-ml"]
}

resource "vault_jwt_auth_backend_role" "deploy" {
  backend         = vault_jwt_auth_backend.github.path
  role_name       = "ml-deploy"
  role_type       = "jwt"
  user_claim      = "actor"
  bound_audiences = ["https://github.com/acme"]
  bound_claims = {
    repository = "acme/ml-platform"
    ref        = "refs/heads/main"
  }
  token_policies = [vault_policy.deployer.name]
  token_ttl      = 900
  token_max_ttl  = 1800
}

resource "vault_approle_auth_backend_role" "feature_store" {
  backend        = vault_auth_backend.approle.path
  role_name      = "feature-store"
  token_policies = ["llm-reader"]
  token_ttl      = 3600
}

resource "vault_approle_auth_backend_role_secret_id" "feature_store" {
  backend   = vault_auth_backend.approle.path
  role_name = vault_approle_auth_backend_role.feature_store.role_name
}

resource "vault_approle_auth_backend_role" "legacy_etl" {
  backend            = vault_auth_backend.approle.path
  role_name          = "legacy-etl"
  token_policies     = ["root"]
  secret_id_ttl      = 2592000
  token_bound_cidrs  = ["10.20.0.0/16"]
  token_period       = 86400
}

resource "vault_aws_auth_backend_role" "sagemaker" {
  role                     = "sagemaker-endpoint"
  auth_type                = "iam"
  bound_iam_principal_arns = ["arn:aws:iam::111122223333:role/llm-sagemaker-prod"]
  bound_account_ids        = ["111122223333"]
  token_policies           = ["llm-reader"]
  token_ttl                = 1800
}

resource "vault_gcp_auth_backend_role" "vertex" {
  role                   = "vertex-batch"
  type                   = "iam"
  bound_service_accounts = ["vertex-batch@acme-ml-prod.iam.gserviceaccount.com"]
  bound_projects         = ["acme-ml-prod"]
  token_policies         = ["llm-reader"]
  token_max_ttl          = 7200
}

resource "vault_azure_auth_backend_role" "aml" {
  role                        = "aml-endpoint"
  bound_service_principal_ids = ["6a1f1f4e-0000-4000-8000-000000000001"]
  bound_resource_groups       = ["rg-ml-prod"]
  token_policies              = ["llm-reader"]
  token_ttl                   = 3600
}

resource "vault_token" "ci_bootstrap" {
  display_name = "ci-bootstrap"
  policies     = ["ml-deployer"]
  ttl          = "8760h"
  renewable    = true

  metadata = {
    owner = "ml-platform"
  }
}
