# GitHub Actions deploys the LLM serving stack with this role (OIDC, no stored keys).
locals {
  github_oidc = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
}

data "aws_iam_policy_document" "github_trust" {
  statement {
    sid     = "GitHubActions"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.github_oidc]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:acme/llm-serving:ref:refs/heads/main"]
    }
  }
}

resource "aws_iam_role" "llm_release" {
  name               = "llm-release-prod"
  assume_role_policy = data.aws_iam_policy_document.github_trust.json
  tags = {
    owner = "ml-platform"
  }
}

resource "aws_iam_role_policy" "llm_release" {
  name = "release"
  role = aws_iam_role.llm_release.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:PutObject", "s3:GetObject"]
      Resource = "arn:aws:s3:::acme-ml-artifacts-prod/releases/*"
    }]
  })
}
