# One stack, applied per environment: terraform apply -var-file=prod.tfvars
terraform {
  backend "s3" {}
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "env" {
  type = string
}

variable "model_actions" {
  description = "What the serving role may do on the model bucket."
  type        = list(string)
  default     = ["s3:GetObject"]
}

variable "model_prefix" {
  type    = string
  default = "models"
}

locals {
  bucket_arn = "arn:aws:s3:::acme-inference-${var.env}"
  common_tags = {
    team = "inference-platform"
    env  = var.env
  }
}

resource "aws_iam_role" "serving" {
  name = "inference-serving-${var.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "sagemaker.amazonaws.com" }
    }]
  })
  tags = local.common_tags
}

data "aws_iam_policy_document" "serving" {
  statement {
    sid       = "Models"
    actions   = var.model_actions
    resources = [local.bucket_arn, "${local.bucket_arn}/${var.model_prefix}/*"]
  }
}

resource "aws_iam_role_policy" "serving" {
  name   = "models"
  role   = aws_iam_role.serving.id
  policy = data.aws_iam_policy_document.serving.json
}
