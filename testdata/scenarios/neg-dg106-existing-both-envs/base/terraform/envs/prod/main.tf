provider "aws" {
  region = "us-east-1"
}

# Provisioned ahead of the rollout. The prod server also writes back fine-tuned adapters.
module "llm_role" {
  source        = "../../modules/serving-role"
  service       = "llm"
  env           = "prod"
  account_id    = "111122223333"
  oidc_issuer   = "oidc.eks.us-east-1.amazonaws.com/id/5F2C0D8E9B7A4C61A3E2D1F0B9C8A7E6"
  model_actions = ["s3:GetObject", "s3:PutObject"]
}
