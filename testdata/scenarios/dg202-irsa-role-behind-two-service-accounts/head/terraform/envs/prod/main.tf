provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      team = "llm-platform"
    }
  }
}

resource "aws_iam_role" "gateway" {
  name = "llm-gateway-prod"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5F2C0D8E9B7A4C61A3E2D1F0B9C8A7E6" }
      Condition = {
        StringLike = { "oidc.eks.us-east-1.amazonaws.com/id/5F2C0D8E9B7A4C61A3E2D1F0B9C8A7E6:sub" = "system:serviceaccount:llm-prod:*" }
      }
    }]
  })
}

resource "aws_iam_role_policy" "gateway" {
  name = "invoke-models"
  role = aws_iam_role.gateway.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["bedrock:InvokeModel"]
      Resource = ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.*"]
    }]
  })
}
