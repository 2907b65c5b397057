terraform {
  required_version = ">= 1.5"

  backend "s3" {
    bucket = "acme-terraform-state"
    key    = "inference/prod.tfstate"
    region = "us-east-1"
  }

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      team       = "ml-platform"
      managed_by = "terraform"
    }
  }
}

locals {
  environment       = "prod"
  oidc_provider_arn = "arn:aws:iam::${var.account_id}:oidc-provider/${var.eks_oidc_issuer}"
}

module "llm_serving" {
  source = "../../modules/inference-role"

  service           = "llm-serving"
  environment       = local.environment
  region            = var.region
  namespace         = "inference"
  service_account   = "llm-serving"
  oidc_provider_arn = local.oidc_provider_arn
  model_ids         = var.model_ids
  bucket_access     = var.bucket_access
  kms_key_arns      = var.kms_key_arns
  max_session_hours = var.max_session_hours
  tags              = { owner = "ml-platform" }
}

# The module's output flows back into this root: the role is found by its name.
resource "aws_iam_role_policy_attachment" "ecr_read" {
  role       = module.llm_serving.role_name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
}

resource "aws_iam_role_policy" "logs" {
  name = "${module.llm_serving.role_name}-logs"
  role = module.llm_serving.role_name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "WriteOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "arn:aws:logs:${var.region}:${var.account_id}:log-group:/inference/${module.llm_serving.role_name}:*"
      },
    ]
  })
}

output "llm_serving_role_arn" {
  value = module.llm_serving.role_arn
}
