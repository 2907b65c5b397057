# Credentials Vault mints for the inference services.

resource "vault_aws_secret_backend_role" "llm_models" {
  backend         = vault_aws_secret_backend.aws.path
  name            = "llm-models"
  credential_type = "iam_user"
  policy_document = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadModels"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:ListBucket"]
        Resource = ["arn:aws:s3:::acme-models-prod", "arn:aws:s3:::acme-models-prod/*"]
      },
    ]
  })
}

resource "vault_aws_secret_backend_role" "deploy" {
  backend         = vault_aws_secret_backend.aws.path
  name            = "ml-deploy"
  credential_type = "assumed_role"
  role_arns       = ["arn:aws:iam::111122223333:role/ml-deploy"]
  default_sts_ttl = 3600
  max_sts_ttl     = 43200
}

resource "vault_database_secret_backend_role" "features_ro" {
  backend = vault_database_secrets_mount.features.path
  name    = "features-ro"
  db_name = "features"
  creation_statements = [
    "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';",
    "GRANT SELECT ON ALL TABLES IN SCHEMA public TO \"{{name}}\";",
  ]
  default_ttl = 3600
  max_ttl     = 86400
}
