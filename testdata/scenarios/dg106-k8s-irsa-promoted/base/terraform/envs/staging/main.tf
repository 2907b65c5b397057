provider "aws" {
  region = "us-east-1"
}

module "llm_role" {
  source        = "../../modules/serving-role"
  service       = "llm"
  env           = "staging"
  account_id    = "111122223333"
  oidc_issuer   = "oidc.eks.us-east-1.amazonaws.com/id/1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E"
  model_actions = ["s3:GetObject"]
}
