# The release role's inline policy is broad, but the platform's boundary caps it.
resource "aws_iam_policy" "release_boundary" {
  name = "release-boundary"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["sagemaker:*", "s3:GetObject", "logs:*"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_role" "release" {
  name                 = "model-release-prod"
  permissions_boundary = aws_iam_policy.release_boundary.arn
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
        Effect   = "Allow"
        Action   = ["sagemaker:*", "iam:*"]
        Resource = "*"
      },
      {
        Effect   = "Deny"
        Action   = ["organizations:*", "sso:*"]
        Resource = "*"
      },
    ]
  })
}
