# Production LLM serving: the role's policy document comes from a registry module, so
# static analysis sees `module.serving_policy.json` and nothing more. The plan resolves it.
terraform {
  required_version = ">= 1.6"
}

provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = {
      owner = "ml-platform"
    }
  }
}

variable "hf_token" {
  type      = string
  sensitive = true
}

module "serving_policy" {
  source  = "acme-corp/iam-policy-document/aws"
  version = "~> 2.1"

  bucket = "acme-models-prod"
  extra_actions = []
}

resource "aws_iam_role" "llm_serving" {
  name = "llm-serving-prod"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "sagemaker.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy" "llm_serving" {
  name   = "serving"
  role   = aws_iam_role.llm_serving.id
  policy = module.serving_policy.json
}

# Batch inference on EKS: role and attachments live in the registry module.
module "batch_irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  version = "5.44.0"

  role_name = "batch-inference-prod"
  role_policy_arns = {
    readonly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
  }
  oidc_providers = {
    main = {
      provider_arn               = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5E1F00D"
      namespace_service_accounts = ["ml-prod:batch-inference"]
    }
  }
}

resource "aws_secretsmanager_secret" "hf_token" {
  name = "prod/llm-serving/hf-token"
}

resource "aws_secretsmanager_secret_version" "hf_token" {
  secret_id     = aws_secretsmanager_secret.hf_token.id
  secret_string = var.hf_token
}
