# Production ML platform: LLM serving on SageMaker, EKS and ECS; a Bedrock agent.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
  }
}

provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      team        = "ml-platform"
      cost-center = "ml-4410"
    }
  }
}

locals {
  env          = "prod"
  account_id   = "111122223333"
  region       = "us-east-1"
  model_bucket = "acme-models-prod"
}

variable "redis_password" {
  type      = string
  sensitive = true
}
