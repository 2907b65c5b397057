# The staging identity of the LLM inference service: read-only access to its models.
provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = {
      team = "ml-platform"
    }
  }
}

variable "env" {
  type    = string
  default = "dev"
}

variable "account_id" {
  type = string
}

locals {
  service      = "llm-inference"
  models_arn   = "arn:aws:s3:::acme-models-${var.env}"
  oidc_issuer  = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
  k8s_subject  = "system:serviceaccount:ml-${var.env}:llm"
}

resource "aws_iam_role" "llm" {
  name = "${local.service}-${var.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::${var.account_id}:oidc-provider/${local.oidc_issuer}" }
      Condition = {
        StringEquals = { "${local.oidc_issuer}:sub" = local.k8s_subject }
      }
    }]
  })
}

data "aws_iam_policy_document" "llm" {
  statement {
    sid       = "ReadModels"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [local.models_arn, "${local.models_arn}/*"]
  }

  # "Needed for the fine-tuning job": the inference role may now write models and pass roles.
  statement {
    sid       = "PublishModels"
    actions   = ["s3:PutObject"]
    resources = ["${local.models_arn}/*"]
  }

  statement {
    sid       = "LaunchTraining"
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "llm" {
  name   = "llm-models"
  role   = aws_iam_role.llm.id
  policy = data.aws_iam_policy_document.llm.json
}
