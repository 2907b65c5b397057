provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      team = "risk-ml"
    }
  }
}

locals {
  account_id  = "444455556666"
  oidc_issuer = "oidc.eks.us-east-1.amazonaws.com/id/9C8B7A6F5E4D3C2B1A0F9E8D7C6B5A49"
}

resource "aws_iam_role" "scorer" {
  name = "fraud-scorer-prod"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::${local.account_id}:oidc-provider/${local.oidc_issuer}" }
      Condition = {
        StringEquals = { "${local.oidc_issuer}:sub" = "system:serviceaccount:risk-prod:fraud-scorer" }
      }
    }]
  })
}

data "aws_iam_policy_document" "scorer" {
  statement {
    sid       = "ReadFeatures"
    actions   = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]
    resources = ["arn:aws:dynamodb:us-east-1:${local.account_id}:table/fraud-features-prod"]
  }
  statement {
    sid       = "ReadModel"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::acme-risk-models-prod/fraud/*"]
  }
}

resource "aws_iam_policy" "scorer" {
  name   = "fraud-scorer-prod"
  policy = data.aws_iam_policy_document.scorer.json
}

resource "aws_iam_role_policy_attachment" "scorer" {
  role       = aws_iam_role.scorer.name
  policy_arn = aws_iam_policy.scorer.arn
}
