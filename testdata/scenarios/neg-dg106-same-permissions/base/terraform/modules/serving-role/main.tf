# One IRSA role per model server and environment.
variable "service" {
  type = string
}

variable "env" {
  type = string
}

variable "oidc_issuer" {
  type = string
}

variable "account_id" {
  type = string
}

variable "model_actions" {
  description = "What the model server may do on its environment's model bucket."
  type        = list(string)
  default     = ["s3:GetObject"]
}

locals {
  bucket = "arn:aws:s3:::acme-models-${var.env}"
}

resource "aws_iam_role" "this" {
  name = "${var.service}-${var.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::${var.account_id}:oidc-provider/${var.oidc_issuer}" }
      Condition = {
        StringEquals = { "${var.oidc_issuer}:sub" = "system:serviceaccount:ml-${var.env}:${var.service}" }
      }
    }]
  })
  tags = {
    team = "llm-serving"
  }
}

resource "aws_iam_role_policy" "models" {
  name = "models"
  role = aws_iam_role.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = var.model_actions
      Resource = ["${local.bucket}/llm/*"]
    }]
  })
}
