# The role the model-release workflow assumes to roll out SageMaker endpoints.
provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      team = "ml-platform"
    }
  }
}

resource "aws_iam_role" "release" {
  name = "model-release-prod"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:sub" = "repo:acme/models:environment:prod"
        }
      }
    }]
  })
}

resource "aws_iam_role_policy" "release" {
  name = "release"
  role = aws_iam_role.release.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Deploy"
        Effect   = "Allow"
        Action   = ["sagemaker:CreateModel", "sagemaker:CreateEndpointConfig", "sagemaker:UpdateEndpoint"]
        Resource = ["*"]
      },
      {
        Sid      = "PassExecutionRoles"
        Effect   = "Allow"
        Action   = ["iam:PassRole"]
        Resource = ["arn:aws:iam::111122223333:role/sagemaker-exec-*"]
      },
    ]
  })
}
